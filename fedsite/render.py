"""Render stage: every published post, page and intro rendered once, in parallel, cached by content.

A cached rendering is reused when its document, its place and every link it resolved are unchanged:
the links it looked up are recorded with what they resolved to, and checked again (Lektor-style)."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import weakref
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .digest import canonical_digest, code_digest
from .markup import DocContext, Rendered, Renderer, Target, line_of
from .output import write_atomic
from .yamlfile import read_text

CACHE_VERSION = "render-3"
CHANGED = "файл изменился во время сборки; запустите сборку ещё раз"


@dataclass(frozen=True)
class RenderJob:
    """One document to render, and where it will be published."""

    rel: str
    file: str  # the body is read from the file when the job runs, not carried around
    body_digest: str
    body_offset: int
    body_line: int
    page_url: str
    folder: str
    shared: bool
    summary: str


@dataclass(frozen=True)
class RenderResult:
    """A rendering with its problems (line, message), anchor checks and the lookups it depended on."""

    rendered: Rendered
    problems: tuple[tuple[int, str], ...]
    anchor_checks: tuple[tuple[int, str, str], ...]  # (line, target rel, anchor)
    lookups: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class RendererSetup:
    """What every worker needs to build its own Renderer."""

    extensions: list
    iframe_hosts: tuple[str, ...]
    targets: dict[str, Target]
    repo: Path
    asset_url: Any

    def make(self) -> Renderer:
        return Renderer(self.extensions, self.iframe_hosts, self.targets, self.repo, self.asset_url)

    def fingerprint(self) -> str:
        return canonical_digest((CACHE_VERSION, code_digest(), self.extensions, self.iframe_hosts))


_worker: Renderer | None = None


def _init_worker(setup: RendererSetup) -> None:
    global _worker
    _worker = setup.make()


def render_one(renderer: Renderer, job: RenderJob) -> RenderResult:
    ctx = DocContext(job.rel, job.page_url, job.folder, job.shared)
    try:
        body = read_text(Path(job.file))[job.body_offset:]
    except (OSError, UnicodeDecodeError):  # deleted, replaced or re-encoded since the read stage
        body = None
    if body is None or hashlib.sha256(body.encode()).hexdigest() != job.body_digest:
        return RenderResult(Rendered("", (), frozenset(), ""), ((job.body_line, CHANGED),), (), ())
    rendered = renderer.render(body, ctx, job.summary)
    problems = tuple((line_of(body, p.needle, job.body_line), p.message) for p in ctx.problems)
    checks = tuple((line_of(body, needle, job.body_line), target, anchor)
                   for needle, target, anchor in ctx.anchor_checks)
    return RenderResult(rendered, problems, checks, tuple(ctx.lookups))


def _render_chunk(jobs: list[RenderJob]) -> list[RenderResult]:
    assert _worker is not None
    return [render_one(_worker, job) for job in jobs]


def job_key(job: RenderJob, fingerprint: str) -> str:
    # body_line too: the problems a result carries are file lines, which move when front matter grows.
    fields = (fingerprint, job.rel, job.body_digest, str(job.body_line), job.page_url, job.folder,
              str(job.shared), job.summary)
    # Length-prefixed fields cannot run into each other (json.dumps did the same in 0.9 s per 61k jobs).
    return hashlib.sha256("\0".join(f"{len(f)}:{f}" for f in fields).encode()).hexdigest()


class HtmlStore:
    """Rendered HTML by its sha256, outside the build's memory: .cache/html/ab/abcd….html.

    Only the site being planned and the feed items being written need a document's HTML, so the
    build keeps summaries and anchors in memory and reads HTML back when it is needed. Without a
    cache folder (--no-cache, a shard) a temporary folder serves, removed with the store."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "html" if folder else None
        self.persistent = folder is not None
        self._stored: set[str] | None = None

    def _root(self) -> Path:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="fedsite-html-"))
            weakref.finalize(self, shutil.rmtree, self.folder, True)
        return self.folder

    def put(self, rendered: Rendered) -> Rendered:
        """The same rendering, its HTML stored and replaced by the key to it."""
        if not rendered.html:
            return rendered
        key = hashlib.sha256(rendered.html.encode()).hexdigest()
        if key not in self.stored():
            self.stored().add(key)
            write_atomic(self._path(key), rendered.html.encode())
        return replace(rendered, html="", html_key=key)

    def html(self, rendered: Rendered) -> str:
        if rendered.html or not rendered.html_key:
            return rendered.html
        return self._path(rendered.html_key).read_text(encoding="utf-8")

    def exists(self, rendered: Rendered) -> bool:
        return not rendered.html_key or rendered.html_key in self.stored()

    def stored(self) -> set[str]:
        """The keys on disk, listed once per build (a stat per document cost more)."""
        if self._stored is None:
            self._stored = set()
            if self.persistent and self.folder.is_dir():
                for sub in os.scandir(self.folder):
                    if sub.is_dir():
                        self._stored.update(e.name.removesuffix(".html") for e in os.scandir(sub.path)
                                            if e.name.endswith(".html") and not e.name.startswith("."))
        return self._stored

    def _path(self, key: str) -> Path:
        return self._root() / key[:2] / f"{key}.html"

    def prune(self, keep: set[str]) -> None:
        """Delete the HTML no cached rendering refers to any more."""
        if not self.persistent:
            return
        for key in self.stored() - keep:
            self._path(key).unlink(missing_ok=True)
        self._stored = set(keep & self.stored())


class RenderCache:
    """Renderings on disk (their HTML in the HtmlStore), keyed by the job's content, one pickle per
    organization folder so that one new post rewrites one small file; None disables caching."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "render" if folder else None
        self.groups: dict[str, dict[str, RenderResult]] = {}
        for path in sorted(self.folder.glob("*.pickle")) if self.folder and self.folder.is_dir() else []:
            try:
                self.groups[path.stem] = pickle.loads(path.read_bytes())
            except Exception:  # a damaged or older cache is only a slower build
                continue
        self.entries = {key: result for group in self.groups.values() for key, result in group.items()}

    def save(self, used: dict[str, dict[str, RenderResult]]) -> None:
        """Keep exactly the entries this build used (older ones are pruned), each group written atomically
        and only if it changed."""
        if not self.folder:
            return
        for name, entries in used.items():
            old = self.groups.get(name, {})
            if entries.keys() == old.keys() and all(entries[k] is old[k] for k in entries):
                continue
            write_atomic(self.folder / f"{name}.pickle", pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
        for name in self.groups.keys() - used.keys():
            (self.folder / f"{name}.pickle").unlink(missing_ok=True)


def group_of(job: RenderJob) -> str:
    """The cache file a job's result lives in: one per organization folder (and one for shared pages)."""
    return hashlib.sha1(job.folder.encode()).hexdigest()[:20]


def render_jobs(jobs: list[RenderJob], setup: RendererSetup, cache: RenderCache, store: HtmlStore,
                workers: int) -> dict[str, RenderResult]:
    """Results by document path, their HTML in `store`: reused from the cache when still valid, the
    rest rendered in parallel."""
    fingerprint = setup.fingerprint()
    renderer = setup.make()
    keys = {job.rel: job_key(job, fingerprint) for job in jobs}
    results: dict[str, RenderResult] = {}
    todo = []
    for job in jobs:
        hit = cache.entries.get(keys[job.rel])
        if hit and all(renderer.lookup(rel) == seen for rel, seen in hit.lookups) and store.exists(hit.rendered):
            results[job.rel] = hit
        else:
            todo.append(job)
    if workers > 1 and len(todo) > 200:
        size = max(50, len(todo) // (workers * 8))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(setup,)) as pool:
            for chunk, out in zip(chunks, pool.map(_render_chunk, chunks)):
                results.update((job.rel, _stored(result, store)) for job, result in zip(chunk, out))
    else:
        results.update((job.rel, _stored(render_one(renderer, job), store)) for job in todo)
    used: dict[str, dict[str, RenderResult]] = {}
    for job in jobs:
        result = results[job.rel]
        if CHANGED not in (message for _, message in result.problems):
            used.setdefault(group_of(job), {})[keys[job.rel]] = result
    cache.save(used)
    store.prune({r.rendered.html_key for r in results.values()})
    return results


def _stored(result: RenderResult, store: HtmlStore) -> RenderResult:
    return replace(result, rendered=store.put(result.rendered))
