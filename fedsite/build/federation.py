"""The federation-level outputs (outputs/federation.py): each made again only when something it read
changed, cached with its reads under .cache/federation/, and placed at the root of the output."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from fedsite.build.swap import Swap
from fedsite.cache.store import Store, stems
from fedsite.outputs.federation import FederationOutput, federation_outputs
from fedsite.plan.view import FederationView
from fedsite.sites.reads import ReadDigests, decode, encode

Files = dict[str, bytes]  # output-root-relative path -> bytes


def federation_files(view: FederationView, reads_now: ReadDigests | None, cache: Path | None) -> Files:
    """Every federation output's files, from the cache where nothing they read has changed."""
    store = Store(cache if reads_now is not None else None, "federation")
    outputs = federation_outputs(view)
    made = [_made(output, view, reads_now, store) for output in outputs]
    # The work an output left to do reads nothing more of the view (a search bundle's is Pagefind's
    # binary, a process of its own): it runs on every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        done = list(pool.map(_finished, made))
    files: Files = {}
    for part in done:
        clash = files.keys() & part.keys()
        if clash:
            raise FileExistsError(f"{sorted(clash)[0]} is written by two federation outputs")
        files.update(part)
    store.prune(stems({output.name for output in outputs}, ".pickle"))
    return files


@dataclass(frozen=True)
class _Pending:
    work: Callable[[], Files]
    store: Store
    entry: str | None  # its name in the store, when there is a cache
    reads: object  # the encoded reads to cache the files with, when there is a cache


def _made(output: FederationOutput, view: FederationView, reads_now: ReadDigests | None,
          store: Store) -> Files | _Pending:
    entry = f"{output.name}.pickle"
    stored = store.get(entry, tuple)
    if stored is not None and len(stored) == 2 and isinstance(stored[1], dict):
        recorded = decode(stored[0])
        if recorded and reads_now.unchanged(recorded):
            return stored[1]
    with view.recorder.recording() as reads:
        made = output.make(view)
    caching = store.folder is not None
    pending = _Pending(made if callable(made) else lambda: made, store, entry if caching else None,
                       encode(reads_now.reads(reads)) if caching else None)
    return _finished(pending) if not callable(made) else pending


def _finished(made: Files | _Pending) -> Files:
    if not isinstance(made, _Pending):
        return made
    files = made.work()
    if made.entry is not None:
        made.store.put(made.entry, (made.reads, files))
    return files


def top_names(files: Files) -> tuple[str, ...]:
    """The entries of the output's root that the federation outputs own (the root site keeps them)."""
    return tuple(sorted({path.split("/", 1)[0] for path in files}))


def write_into(assembled: Path, files: Files) -> None:
    """Add the federation outputs to a freshly assembled output (beside the root site's files)."""
    for path, data in files.items():
        target = assembled / path
        if target.exists():
            raise FileExistsError(f"{target} is written by the root site and by a federation output")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def plan_replace(change: Swap, files: Files, out: Path, scratch: Path) -> None:
    """Plan the swap of the federation outputs whose bytes differ from the live output's."""
    new_folders: set[str] = set()
    for path, data in sorted(files.items()):
        live = out / path
        try:
            if live.read_bytes() == data:
                continue
        except OSError:
            pass
        new = scratch / "federation" / path
        new.parent.mkdir(parents=True, exist_ok=True)
        new.write_bytes(data)
        folder = _new_folder(path, out)  # a bundle that was not there (a subtree's first recent post)
        if folder is not None:
            if folder not in new_folders:
                new_folders.add(folder)
                change.rename(scratch / "federation" / folder, out / folder)
            continue
        if os.path.lexists(live):
            old = scratch / "federation-trash" / path
            old.parent.mkdir(parents=True, exist_ok=True)
            change.rename(live, old)
        change.rename(new, live)
    for stale in sorted(_whole_folders(_stale(files, out), files, out)):  # a search bundle's chunks are named by
        trash = scratch / "federation-trash" / stale  # content: old ones go, and a bundle gone goes whole
        trash.parent.mkdir(parents=True, exist_ok=True)
        change.rename(out / stale, trash)


def _stale(files: Files, out: Path) -> set[str]:
    """Files in the federation outputs' folders of the live output that no output writes any more."""
    found: set[str] = set()
    for name in top_names(files):
        if (out / name).is_dir():
            found.update(p.relative_to(out).as_posix() for p in (out / name).rglob("*") if not p.is_dir())
    return found - files.keys()


def _new_folder(path: str, out: Path) -> str | None:
    """The outermost folder of `path` that the live output does not have (None: its folder is there)."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        if not (out / "/".join(parts[:depth])).is_dir():
            return "/".join(parts[:depth])
    return None


def _whole_folders(stale: set[str], files: Files, out: Path) -> set[str]:
    """The stale files, a folder that no output writes into and all of whose files are stale named once
    instead of its files (so that a search bundle no longer written leaves no empty folders behind)."""
    if not stale:
        return stale
    written = {path.rsplit("/", depth)[0] for path in files for depth in range(1, path.count("/") + 1)}
    known: dict[str, bool] = {}

    def all_stale(folder: str) -> bool:
        if folder not in known:
            known[folder] = folder not in written and all(
                p.relative_to(out).as_posix() in stale for p in (out / folder).rglob("*") if not p.is_dir())
        return known[folder]

    kept: set[str] = set()
    for path in stale:
        parts = path.split("/")
        top = path
        for depth in range(len(parts) - 1, 1, -1):  # never a top entry (search/) itself
            if not all_stale("/".join(parts[:depth])):
                break
            top = "/".join(parts[:depth])
        kept.add(top)
    return kept
