"""Putting a build in place with renames that are all done or all undone, whatever interrupts them.

A build stages its output in a scratch folder beside the output (`.public.new-PID`, on the same file
system, so that renames between them are atomic) and holds a lock file in it while it lives. The
renames that swap the new output in (the whole folder, or the changed sites' own entries) are first
written down in a journal in that folder (`swap.json`); the cache's record of the output and
`build-status.json` are set aside beside themselves for as long as the swap lasts. Then:

- an error during the swap undoes the renames done so far and puts the record and status back;
- Ctrl-C, SIGTERM and SIGHUP are held back while the swap runs (a few renames, milliseconds) and
  take effect once it is done, so they never leave a half-swapped output;
- after kill -9 (or a crash) the journal stays: `deploy` refuses the output and says what it holds,
  and the next build beside the same output undoes the renames before anything else; leftover
  scratch folders of processes that are gone are removed then too.

The journal is written before the first rename and removed after the last write (no fsync: this
guards against a process that dies, not against a machine that loses power).

Test hook (tests/test_hardening_output.py): with FEDSITE_TEST_PAUSE_SWAP=<file> in the environment,
a swap of two or more renames stops half-way, creates <file> and waits (up to 60 s, or until a
held-back signal arrives), so that a test can kill the build at that point deterministically."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from fedsite.build.journal import (JOURNAL, LOCK, Leftover, leftovers, read_journal, scratch_name, swap_progress,
                                   undo)
from fedsite.model.diagnostics import UsageError
from fedsite.model.files import write_atomic

ASIDE = ".swapping"


@dataclass
class SwapState:
    """Where the last build left its output, for the message when it is interrupted or fails."""

    out: Path | None = None
    phase: str = "before"  # before | done | broken (renames half done, journal kept)


state = SwapState()


@contextmanager
def scratch_beside(out: Path) -> Iterator[Path]:
    """A scratch folder beside `out`, locked while this build lives, removed however the build ends
    (unless a swap could not be undone: then its journal stays for the next build)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f"{scratch_name(out)}{os.getpid()}"
    if tmp.exists():  # a scratch folder of an earlier build in this process (serve), or a dead one's
        _recover_one(tmp)
    tmp.mkdir()
    handle = open(tmp / LOCK, "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # blocking: another build may be looking at it this instant
        yield tmp
    finally:
        try:
            if not (tmp / JOURNAL).exists():
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            handle.close()


def recover(out: Path) -> list[str]:
    """Before a build writes beside `out`: undo the unfinished swap of any build that is gone and remove
    its scratch folder. Returns what was done, as sentences for the user."""
    done = []
    with signals_held():  # an undo cut short is only done again, but a Ctrl-C here need not cut it
        for left in leftovers(out):
            note = _recover_left(left, out)
            if note:
                done.append(note)
    return done


def _recover_left(left: Leftover, out: Path) -> str | None:
    if left.alive:
        return None
    if left.journal is None:
        shutil.rmtree(left.folder, ignore_errors=True)
        return None
    if left.journal.get("damaged"):
        raise UsageError(f"журнал прерванной замены сайтов «{left.folder / JOURNAL}» не читается, поэтому "
                         f"неизвестно, какие файлы в «{out}» старые, а какие новые. Удалите «{out}» и "
                         f"«{left.folder}» и запустите сборку снова: она соберёт всё заново.")
    progress = swap_progress(left.journal, out.resolve().parent)
    _recover_one(left.folder)
    if progress == "none":
        return None
    return (f"Сборка (процесс {left.pid}) была прервана во время замены сайтов в {out}; "
            "прежние файлы возвращены на место.")


def _recover_one(folder: Path) -> None:
    journal = read_journal(folder)
    if journal is not None and not journal.get("damaged"):
        undo(journal, folder.parent)
        (folder / JOURNAL).unlink()
    shutil.rmtree(folder, ignore_errors=True)


class Swap:
    """The renames that put a build in place, journaled in the scratch folder before the first one."""

    def __init__(self, scratch: Path, set_aside: list[Path]) -> None:
        self.scratch = scratch
        self.base = scratch.parent
        self.ops: list[tuple[Path, Path]] = []
        self.set_aside = set_aside

    def rename(self, src: Path, dst: Path) -> None:
        self.ops.append((src, dst))

    def _rel(self, path: Path) -> str:
        return os.path.relpath(path, self.base)

    def run(self) -> None:
        """Do the renames; on any error or interruption undo them and re-raise."""
        asides = [(p, p.with_name(p.name + ASIDE)) for p in self.set_aside]
        for _, aside in asides:
            aside.unlink(missing_ok=True)  # an aside of a swap finished long ago, not to be restored
        self.journal = {"pid": os.getpid(), "ops": [[self._rel(s), self._rel(d)] for s, d in self.ops],
                        "asides": [[self._rel(p), self._rel(a) if p.exists() else None] for p, a in asides]}
        self.aside_paths = [a for _, a in asides]

        write_atomic(self.scratch / JOURNAL, json.dumps(self.journal, ensure_ascii=False).encode())
        try:
            for path, aside in asides:
                if path.exists():
                    os.replace(path, aside)
            pause_at = len(self.ops) // 2 if len(self.ops) > 1 else -1
            for i, (src, dst) in enumerate(self.ops):
                if i == pause_at:
                    _test_pause()
                os.replace(src, dst)
        except BaseException:
            self.rollback()
            raise

    def rollback(self) -> None:
        """Undo the renames and put the record back; if that fails the journal stays for the next build."""
        try:
            undo(self.journal, self.base)
        except OSError:
            state.phase = "broken"
            raise
        (self.scratch / JOURNAL).unlink(missing_ok=True)
        state.phase = "before"

    def commit(self) -> None:
        """The swap and what goes with it are written: the journal goes, then the set-aside files."""
        (self.scratch / JOURNAL).unlink()
        state.phase = "done"
        for aside in self.aside_paths:
            aside.unlink(missing_ok=True)


_held: list[int] = []


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP back until the block is done, then let them take effect
    (only in the main thread, where Python runs signal handlers; `serve` builds in another one)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    _held.clear()
    previous = {s: signal.signal(s, lambda signum, frame: _held.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        caught, _held[:] = list(_held), []
        for s in dict.fromkeys(caught):
            os.kill(os.getpid(), s)


def _test_pause() -> None:
    marker = os.environ.get("FEDSITE_TEST_PAUSE_SWAP")
    if not marker:
        return
    Path(marker).write_text(str(os.getpid()))
    deadline = time.monotonic() + 60
    while not _held and time.monotonic() < deadline:
        time.sleep(0.02)
