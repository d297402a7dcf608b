"""The render cache: renderings on disk, one pickle per organization folder, each with a small index
that lets an unchanged group be reused whole without loading it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fedsite.cache.checked import is_checked
from fedsite.cache.store import Store, stems
from fedsite.render.htmlstore import HtmlStore
from fedsite.render.jobs import RenderJob, RenderResult


@dataclass(frozen=True)
class GroupIndex:
    """What a build must know of a cached group without loading its renderings: most groups of a
    one-post build are unchanged, and unpickling 61k renderings was 2 s of it."""

    key: str  # the group's inputs: see `group_key`
    docs: dict[str, tuple[str, str, str]]  # document path -> (job key, rendered digest, HTML key)
    lookups: frozenset[tuple[str, str | None]]  # every link its documents resolved, and to what
    problems: tuple[tuple[str, int, str], ...]  # (file, line, message), reported again each build
    anchor_checks: tuple[tuple[str, int, str, str], ...]  # (file, line, target path, anchor)
    digest: str = ""  # of every document's path and rendered digest: what a site showing them depends on


def group_key(fingerprint: str, read_key: str, folder: str, published: int) -> str:
    """The inputs of a whole group's renderings: the renderer, the organization's read key (its files,
    card and place) and how many of its posts are published; '' when there is no read key."""
    if not read_key:
        return ""
    return hashlib.sha256("\0".join((fingerprint, read_key, folder, str(published))).encode()).hexdigest()


class RenderCache:
    """Renderings on disk (their HTML in the HtmlStore), keyed by the job's content, one pickle per
    organization folder so that one new post rewrites one small file, with a small index beside it
    that lets an unchanged group be reused without loading it; None disables caching.

    Every file carries its own sha256 (a damaged one reads as missing: its documents are rendered
    again), and an index records the size and mtime its group's pickle had when written: a group
    whose pickle was since changed or removed is not reused whole."""

    def __init__(self, folder: Path | None) -> None:
        self.disk = Store(folder, "render")
        self.folder = self.disk.folder
        self.index: dict[str, GroupIndex] = {}
        self.witness: dict[str, tuple[int, int]] = {}  # group -> (size, mtime_ns) of its pickle
        self.groups: dict[str, dict[str, RenderResult]] = {}  # loaded when first needed
        self._summaries: dict[str, dict[str, str]] = {}
        self._files = set(self.disk.names())  # listed once: a stat per group and build cost more
        for file in sorted(self._files):
            if file.endswith(".index"):
                stored = self.disk.get(file, tuple)
                if (stored is not None and len(stored) == 2 and isinstance(stored[0], GroupIndex)
                        and isinstance(stored[1], tuple)):
                    self.index[file[: -len(".index")]], self.witness[file[: -len(".index")]] = stored

    def group(self, name: str) -> dict[str, RenderResult]:
        """A group's renderings by job key ({} if none are cached)."""
        if name not in self.groups:
            self.groups[name] = self.disk.get(f"{name}.pickle", dict) or {}
        return self.groups[name]

    def summaries(self, name: str) -> dict[str, str]:
        """A group's summaries by document path: what a card or feed item of another site shows,
        at a fraction of the cost of loading the group's renderings."""
        if name not in self._summaries:
            self._summaries[name] = self.disk.get(f"{name}.summaries", dict) or {}
        return self._summaries[name]

    def reusable(self, name: str, key: str, size: int, lookup: Any, store: HtmlStore) -> GroupIndex | None:
        """The index of a group whose renderings all hold as they are: same inputs (so the same `size`
        documents), every link still resolving as it did, every HTML file still there."""
        index = self.index.get(name)
        if not key or index is None or index.key != key or len(index.docs) != size:
            return None
        if f"{name}.pickle" not in self._files or self._stat(name) != self.witness.get(name):
            return None
        if any(lookup(rel) != seen for rel, seen in index.lookups):
            return None
        if not store.stored().issuperset(html for _, _, html in index.docs.values() if html):
            return None
        return index

    def forget_damaged(self, names: Iterable[str]) -> None:
        """Drop the index of every group among `names` whose pickle is damaged (checked by its digest,
        not unpickled), so that the next build renders those groups again: after damage that kept a
        pickle's size and mtime, found only when it was loaded."""
        for name in names:
            if not is_checked(self.disk.read_bytes(f"{name}.pickle") or b""):
                self.disk.drop(f"{name}.index")

    def _stat(self, name: str) -> tuple[int, int] | None:
        try:
            st = os.stat(self.folder / f"{name}.pickle")
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def save(self, used: dict[str, dict[str, RenderResult]], indexes: dict[str, GroupIndex], kept: set[str]) -> None:
        """Keep exactly the entries this build used (older ones are pruned) and the groups it reused
        whole, each group written atomically and only if it changed."""
        if not self.folder:
            return
        for name, entries in used.items():
            old = self.groups.get(name)
            if old is None or entries.keys() != old.keys() or any(entries[k] is not old[k] for k in entries):
                # The index goes first and comes back last: it only ever stands beside the file it describes.
                self.disk.drop(f"{name}.index")
                st = self.disk.put(f"{name}.pickle", entries)
                self.witness[name] = (st.st_size, st.st_mtime_ns)
            if name not in indexes:
                self.disk.drop(f"{name}.index")
            elif (self.index.get(name) != indexes[name] or not (self.folder / f"{name}.index").is_file()
                    or self.witness.get(name) != self._stat(name)):
                # The pickle was loaded (and so checked) by this build, or written by it: its stat now is its witness.
                summaries = {rel: entries[key].rendered.summary for rel, (key, _, _) in indexes[name].docs.items()}
                self.disk.put(f"{name}.summaries", summaries)
                self.disk.put(f"{name}.index", (indexes[name], self._stat(name)))
        self.disk.prune(stems(used.keys() | kept, ".pickle", ".index", ".summaries"))


def group_name(folder: str) -> str:
    """The cache file a document's result lives in: one per organization folder (and one for shared pages)."""
    return hashlib.sha1(folder.encode()).hexdigest()[:20]


def index_of(key: str, jobs: list[RenderJob], results: dict[str, RenderResult], keys: dict[str, str]) -> GroupIndex:
    docs = {job.rel: (keys[job.rel], results[job.rel].rendered.digest, results[job.rel].rendered.html_key)
            for job in jobs}
    return GroupIndex(
        key, docs,
        frozenset(lookup for job in jobs for lookup in results[job.rel].lookups),
        tuple((job.file, line, message) for job in jobs for line, message in results[job.rel].problems),
        tuple((job.file, line, target, anchor) for job in jobs
              for line, target, anchor in results[job.rel].anchor_checks),
        hashlib.sha256("".join(f"{rel}\0{docs[rel][1]}\0" for rel in sorted(docs)).encode()).hexdigest())
