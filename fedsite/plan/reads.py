"""What planning a site reads of the federation, recorded as it reads it.

The planner sees the federation only through plan/view.FederationView, whose parts are wrapped
here: every read of an organization, its posts, pages, intro, assets, a rendered document or the
clock leaves a token such as ("posts", "school-1") in the frame open for the site being planned.
sites/reads.py turns each token into a digest of what it named, so that the next build knows,
without planning the site again, whether anything it read has changed, and `build --why` can say
what. A read through any other way would be missed: the wrappers are the only way in.

Tokens (kind, key):
  ("org", id)       an organization's card, name, place and members (read/tree.Org)
  ("tree", "")      the whole tree: which organizations there are, in order
  ("root", "")      which organization is the root
  ("posts", id)     an organization's published posts, their renderings and front matter
  ("pages", id)     an organization's pages ('' for the shared pages), with their renderings
  ("intro", id)     its index.md, rendered
  ("assets", id)    the files it publishes, by content
  ("reports", id)   its published open reports (read/reports.Report), without their renderings
  ("doc", rel)      one rendered document
  ("upcoming", rel) whether an event has not ended yet
  ("today", "")     the date in the federation's time zone
  ("month", "")     the month in the federation's time zone (search's recent bundles, plan/recent.py)
  ("settled", id)   an organization's posts dated before this month, as search indexes them
  ("now", "")       the exact moment (anything that reads it is planned again every build)
  ("build-date", "") the build's date, for a site with no post to date its pages by
and, read by every site (sites/reads.EVERY_SITE): ("settings", ""), ("projects", ""), ("engine", "")
(mkdocs.yml, the theme, the engine's code) and ("code", "plan") (the planner's code).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Callable, TypeVar

from fedsite.read.tree import Org, Tree

Token = tuple[str, str]
T = TypeVar("T")


class Recorder:
    """Open frames of reads: one per site being planned, one per memoized computation inside it."""

    def __init__(self) -> None:
        self.frames: list[set[Token]] = []

    def record(self, kind: str, key: str = "") -> None:
        if self.frames:
            self.frames[-1].add((kind, key))

    def record_all(self, tokens: frozenset[Token]) -> None:
        if self.frames:
            self.frames[-1].update(tokens)

    @contextmanager
    def recording(self) -> Iterator[set[Token]]:
        """Collect the reads made inside; they count for the enclosing frame too."""
        frame: set[Token] = set()
        self.frames.append(frame)
        try:
            yield frame
        finally:
            self.frames.pop()
            self.record_all(frozenset(frame))


class Memo:
    """Results computed once per build and shared by every site that asks, each with the reads that
    made it: a site served from the memo has read what the computation read."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.values: dict[Any, tuple[Any, frozenset[Token]]] = {}

    def get(self, key: Any, compute: Callable[[], T]) -> T:
        if key in self.values:
            value, reads = self.values[key]
            self.recorder.record_all(reads)
            return value
        with self.recorder.recording() as reads:
            value = compute()
        self.values[key] = (value, frozenset(reads))
        return value

    def seed(self, key: Any, value: Any, reads: frozenset[Token]) -> None:
        """A result known from elsewhere (the monitoring cache), with the reads it stands for."""
        self.values[key] = (value, reads)


class TrackedMap(Mapping):
    """A read-only mapping whose lookups are recorded as (kind, key); listing it reads every key."""

    def __init__(self, data: Mapping, kind: str, recorder: Recorder) -> None:
        self._data, self._kind, self._recorder = data, kind, recorder

    def __getitem__(self, key: str) -> Any:
        self._recorder.record(self._kind, key)
        return self._data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self._recorder.record(self._kind, key)
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        self._recorder.record(self._kind, str(key))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._recorder.record("tree")  # the keys are organization ids (or document paths of them)
        return iter(self._data)

    def __len__(self) -> int:
        self._recorder.record("tree")
        return len(self._data)

    @property
    def untracked(self) -> Mapping:
        """The data itself, for code that is not planning a site (the build's own bookkeeping)."""
        return self._data


class TrackedTree:
    """The organization tree as the planner reads it (read/tree.Tree's interface), each read recorded."""

    def __init__(self, tree: Tree, recorder: Recorder) -> None:
        self._tree, self._recorder = tree, recorder

    @property
    def untracked(self) -> Tree:
        return self._tree

    @property
    def root(self) -> str:
        self._recorder.record("root")
        return self._tree.root

    @property
    def orgs(self) -> dict[str, Org]:
        self._recorder.record("tree")
        return self._tree.orgs

    def __getitem__(self, org_id: str) -> Org:
        self._recorder.record("org", org_id)
        return self._tree[org_id]

    def chain(self, org_id: str) -> list[Org]:
        chain = self._tree.chain(org_id)
        for org in chain:
            self._recorder.record("org", org.id)
        return chain

    def descendants(self, org_id: str) -> list[Org]:
        self._recorder.record("org", org_id)
        found = self._tree.descendants(org_id)
        for org in found:
            self._recorder.record("org", org.id)
        return found

    def in_order(self) -> list[Org]:
        self._recorder.record("tree")
        return self._tree.in_order()

    def owner_of(self, rel_path: str) -> Org | None:
        self._recorder.record("tree")
        return self._tree.owner_of(rel_path)
