"""The journal of a swap and the scratch folders builds leave beside the output (see swap): whose build
still runs, how far an unfinished swap got, and undoing it."""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

JOURNAL = "swap.json"
LOCK = ".lock"


def scratch_name(out: Path) -> str:
    return f".{out.name}.new-"


@dataclass(frozen=True)
class Leftover:
    """A scratch folder beside the output that another build left."""

    folder: Path
    pid: int
    alive: bool
    journal: dict | None


def leftovers(out: Path) -> list[Leftover]:
    """The scratch folders of other builds beside `out`: whether their build still runs (it holds the
    folder's lock, or has not taken it yet and its process exists) and the journal of an unfinished swap."""
    out = out.resolve()
    prefix = scratch_name(out)
    found = []
    try:
        names = os.listdir(out.parent)
    except FileNotFoundError:
        return []
    for name in names:
        if not name.startswith(prefix) or not name[len(prefix):].isdigit():
            continue
        folder = out.parent / name
        pid = int(name[len(prefix):])
        found.append(Leftover(folder, pid, _alive(folder, pid), read_journal(folder)))
    return sorted(found, key=lambda x: x.pid)


def _alive(folder: Path, pid: int) -> bool:
    """Whether the build that made `folder` still runs: its process exists and either holds the
    folder's lock or has only just created the folder (an unlocked lock older than a minute is a dead
    build's whose pid another process has since taken)."""
    if pid == os.getpid():
        return False  # this process's own folder is made after the others are looked at
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        handle = open(folder / LOCK, "r")
    except FileNotFoundError:
        return True  # made a moment ago, or by a build from before the lock
    except OSError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return time.time() - os.fstat(handle.fileno()).st_mtime < 60


def read_journal(folder: Path) -> dict | None:
    try:
        return json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"ops": [], "asides": [], "damaged": True}


def swap_progress(journal: dict, base: Path) -> str:
    """How far an unfinished swap got: none, part or all of its renames. They are done in order, and a
    later one may put a file where an earlier one's source was (the new output where the old one
    stood), so the last rename that shows as done is how far it got."""
    ops = journal.get("ops", [])
    last = next((i for i in reversed(range(len(ops))) if _done(base / ops[i][0], base / ops[i][1])), -1)
    return "none" if last < 0 else "all" if last == len(ops) - 1 else "part"


def _done(src: Path, dst: Path) -> bool:
    """A rename of the journal was done (and not undone): its target is there and its source is not."""
    return os.path.lexists(dst) and not os.path.lexists(src)


def undo(journal: dict, base: Path) -> None:
    """Undo the renames of a swap, last first, then put the set-aside files back; safe to repeat."""
    failed: OSError | None = None
    for src, dst in reversed(journal.get("ops", [])):
        if _done(base / src, base / dst):
            try:
                os.replace(base / dst, base / src)
            except OSError as e:
                failed = failed or e
    for path, aside in journal.get("asides", []):
        if aside is None:  # a file the swap's build wrote where there was none
            (base / path).unlink(missing_ok=True)
        elif os.path.lexists(base / aside):
            try:
                os.replace(base / aside, base / path)
            except OSError as e:
                failed = failed or e
    if failed is not None:
        raise failed
