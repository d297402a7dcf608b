"""Render stage: every published post, page and intro rendered once, in parallel, cached by content.

A cached rendering is reused when its document, its place and every link it resolved are unchanged:
the links it looked up are recorded with what they resolved to, and checked again (Lektor-style)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fedsite.cache.checked import DamagedCacheEntry, is_checked, read_checked, write_checked
from fedsite.model.digest import canonical_digest, code_digest
from fedsite.render.markup import DocContext, Rendered, Renderer, line_of
from fedsite.model.files import write_atomic
from fedsite.model.yamlfile import read_text

CACHE_VERSION = "render-3"
CHANGED = "файл изменился во время сборки; запустите сборку ещё раз"
INTERNAL = "внутренняя ошибка при обработке этого файла"


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
    job: RenderJob | None = None  # what was rendered: to render it again if its stored HTML is damaged


@dataclass(frozen=True)
class RendererSetup:
    """What every worker needs to build its own Renderer."""

    extensions: list
    iframe_hosts: tuple[str, ...]
    targets: dict[str, str]  # repository path of a .md file -> its public-root-relative URL
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
    """A document's rendering; an unexpected error (ours, not the file's) becomes a problem at the
    file's first body line, so that the build lists it with the others instead of stopping."""
    try:
        return _render_one(renderer, job)
    except Exception as e:  # noqa: BLE001 (any error of the renderer or the libraries it calls)
        return _internal_error(job, type(e).__name__)


def _render_one(renderer: Renderer, job: RenderJob) -> RenderResult:
    ctx = DocContext(job.rel, job.page_url, job.folder, job.shared)
    try:
        body = read_text(Path(job.file))[job.body_offset:]
    except (OSError, UnicodeDecodeError):  # deleted, replaced or re-encoded since the read stage
        body = None
    if body is None or hashlib.sha256(body.encode()).hexdigest() != job.body_digest:
        return RenderResult(Rendered("", (), frozenset(), ""), ((job.body_line, CHANGED),), (), ())
    rendered = renderer.render(body, ctx, job.summary)
    rendered.html.encode(), rendered.summary.encode()  # stored as UTF-8: a lone surrogate fails here, not later
    problems = tuple((line_of(body, p.needle, job.body_line), p.message) for p in ctx.problems)
    checks = tuple((line_of(body, needle, job.body_line), target, anchor)
                   for needle, target, anchor in ctx.anchor_checks)
    return RenderResult(rendered, problems, checks, tuple(ctx.lookups), job)


def is_kept(result: RenderResult) -> bool:
    """Whether a result may be cached: not one of a file changed mid-build or of an internal error."""
    return not any(message == CHANGED or message.startswith(INTERNAL) for _, message in result.problems)


PARALLEL_FROM = 200  # documents to render, above which worker processes render them
CRASHED = "рабочий процесс завершился аварийно"


def _render_isolating(jobs: list[RenderJob], setup: RendererSetup) -> dict[str, RenderResult]:
    """After a worker process died (a crash inside a library, the system killing it for its memory):
    the documents left are rendered in a fresh worker, and a batch that kills one is halved until the
    document that does is found, which is reported as an internal error at its file. Unless a worker
    that renders nothing dies too: then the fault is not a document's, and it is raised."""
    with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(setup,)) as pool:
        pool.submit(_render_chunk, []).result()
    results: dict[str, RenderResult] = {}
    pending = [jobs]
    while pending:
        batch = pending.pop()
        try:
            with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(setup,)) as pool:
                results.update(zip((job.rel for job in batch), pool.submit(_render_chunk, batch).result()))
        except BrokenProcessPool:
            if len(batch) == 1:
                results[batch[0].rel] = _internal_error(batch[0], CRASHED)
            else:
                pending += [batch[len(batch) // 2:], batch[:len(batch) // 2]]
    return results


def _internal_error(job: RenderJob, what: str) -> RenderResult:
    message = f"{INTERNAL} ({what}); сообщите администратору федерации"
    return RenderResult(Rendered("", (), frozenset(), ""), ((job.body_line, message),), (), (), job)


def _render_chunk(jobs: list[RenderJob]) -> list[RenderResult]:
    assert _worker is not None
    return [render_one(_worker, job) for job in jobs]


def job_key(job: RenderJob, fingerprint: str) -> str:
    # body_line too: the problems a result carries are file lines, which move when front matter grows.
    fields = (fingerprint, job.rel, job.body_digest, str(job.body_line), job.page_url, job.folder,
              str(job.shared), job.summary)
    # Length-prefixed fields cannot run into each other (as with json.dumps, which took 0.36 s per 61k
    # jobs against 0.27 s).
    return hashlib.sha256("\0".join(f"{len(f)}:{f}" for f in fields).encode()).hexdigest()


_TEMPORARY: list[weakref.finalize] = []  # removers of temporary stores' folders


def remove_temporary_stores() -> None:
    """Remove the temporary folders of the stores made so far: at the end of a build, since build.py
    leaves the process without the exit hooks that would remove them."""
    while _TEMPORARY:
        _TEMPORARY.pop()()


class HtmlStore:
    """Rendered HTML by its sha256, outside the build's memory: .cache/html/ab/abcd….html.

    Only the site being planned and the feed items being written need a document's HTML, so the
    build keeps summaries and anchors in memory and reads HTML back when it is needed. Without a
    cache folder (--no-cache, a shard) a temporary folder serves, removed with the store.

    What is read back is checked against its key (its sha256): a damaged or missing file is rendered
    again by `repair` (set by the render stage) and written again."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "html" if folder else None
        self.persistent = folder is not None
        self._stored: set[str] | None = None
        self.repair: Any = None  # key -> the document's HTML rendered again, or None if it cannot be

    def _root(self) -> Path:
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="fedsite-html-"))
            _TEMPORARY.append(weakref.finalize(self, shutil.rmtree, self.folder, True))
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
        return rendered.html if rendered.html else self.read(rendered.html_key)

    def read(self, key: str) -> str:
        """The HTML stored under `key` ('' for an empty document)."""
        if not key:
            return ""
        try:
            with open(self._path(key), "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() == key:
                return data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            pass
        html = self.repair(key) if self.repair is not None else None
        if html is None:  # the next build, not finding the file, renders its document again
            self._path(key).unlink(missing_ok=True)
            raise DamagedCacheEntry(f"кэш сборки повреждён ({self._path(key)}): файл удалён; "
                                    "запустите сборку ещё раз")
        if hashlib.sha256(html.encode()).hexdigest() == key:
            write_atomic(self._path(key), html.encode())
            self.stored().add(key)
        return html

    def has(self, key: str) -> bool:
        return not key or key in self.stored()

    def stored(self) -> set[str]:
        """The keys on disk, listed once per build (a stat per document cost more)."""
        if self._stored is None:
            self._stored = set()
            if self.persistent and self.folder.is_dir():
                for sub in os.scandir(self.folder):
                    if sub.is_dir():
                        self._stored.update(name[:-5] for name in os.listdir(sub.path)
                                            if name.endswith(".html") and not name.startswith("."))
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
        self.folder = folder / "render" if folder else None
        self.index: dict[str, GroupIndex] = {}
        self.witness: dict[str, tuple[int, int]] = {}  # group -> (size, mtime_ns) of its pickle
        self.groups: dict[str, dict[str, RenderResult]] = {}  # loaded when first needed
        self._summaries: dict[str, dict[str, str]] = {}
        try:  # listed once: a stat per group and build cost more
            self._files = set(os.listdir(self.folder)) if self.folder else set()
        except OSError:
            self._files = set()
        for file in sorted(self._files):
            if file.endswith(".index"):
                stored = read_checked(self.folder / file)
                if (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], GroupIndex)
                        and isinstance(stored[1], tuple)):
                    self.index[file[: -len(".index")]], self.witness[file[: -len(".index")]] = stored

    def _file(self, name: str, suffix: str) -> Path | None:
        return self.folder / f"{name}{suffix}" if self.folder else None

    def group(self, name: str) -> dict[str, RenderResult]:
        """A group's renderings by job key ({} if none are cached)."""
        if name not in self.groups:
            group = read_checked(self._file(name, ".pickle"))
            self.groups[name] = group if isinstance(group, dict) else {}
        return self.groups[name]

    def summaries(self, name: str) -> dict[str, str]:
        """A group's summaries by document path: what a card or feed item of another site shows,
        at a fraction of the cost of loading the group's renderings."""
        if name not in self._summaries:
            summaries = read_checked(self._file(name, ".summaries"))
            self._summaries[name] = summaries if isinstance(summaries, dict) else {}
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
            try:
                blob = (self.folder / f"{name}.pickle").read_bytes()
            except OSError:
                blob = b""
            if not is_checked(blob):
                (self.folder / f"{name}.index").unlink(missing_ok=True)

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
                (self.folder / f"{name}.index").unlink(missing_ok=True)
                st = write_checked(self.folder / f"{name}.pickle", entries)
                self.witness[name] = (st.st_size, st.st_mtime_ns)
            if name not in indexes:
                (self.folder / f"{name}.index").unlink(missing_ok=True)
            elif (self.index.get(name) != indexes[name] or not (self.folder / f"{name}.index").is_file()
                    or self.witness.get(name) != self._stat(name)):
                # The pickle was loaded (and so checked) by this build, or written by it: its stat now is its witness.
                summaries = {rel: entries[key].rendered.summary for rel, (key, _, _) in indexes[name].docs.items()}
                write_checked(self.folder / f"{name}.summaries", summaries)
                write_checked(self.folder / f"{name}.index", (indexes[name], self._stat(name)))
        for path in self.folder.iterdir() if self.folder.is_dir() else []:
            if path.suffix in (".pickle", ".index", ".summaries") and path.stem not in used and path.stem not in kept:
                path.unlink(missing_ok=True)


def group_name(folder: str) -> str:
    """The cache file a document's result lives in: one per organization folder (and one for shared pages)."""
    return hashlib.sha1(folder.encode()).hexdigest()[:20]


def render_jobs(jobs: list[RenderJob], setup: RendererSetup, cache: RenderCache, store: HtmlStore,
                workers: int, group_keys: dict[str, str], reused: dict[str, GroupIndex],
                renderer: Renderer, usable: Callable[[RendererSetup, Renderer], tuple[RendererSetup, Renderer]]
                ) -> tuple[dict[str, RenderResult], dict[str, GroupIndex]]:
    """Results by document path, their HTML in `store`: reused from the cache when still valid, the
    rest rendered in parallel, and the new indexes of the groups whose renderings all hold. `reused`
    groups were taken whole by the caller and are kept. `usable` checks the renderer (the extensions'
    settings) before anything is rendered, so a build that renders nothing does not load Markdown."""
    fingerprint = setup.fingerprint()
    keys = {job.rel: job_key(job, fingerprint) for job in jobs}
    results: dict[str, RenderResult] = {}
    todo = []
    for job in jobs:
        hit = cache.group(group_name(job.folder)).get(keys[job.rel])
        if hit and all(renderer.lookup(rel) == seen for rel, seen in hit.lookups) and store.has(hit.rendered.html_key):
            results[job.rel] = hit
        else:
            todo.append(job)
    if todo:
        setup, renderer = usable(setup, renderer)
    if workers > 1 and len(todo) > PARALLEL_FROM:
        size = max(50, len(todo) // (workers * 8))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        try:
            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(setup,)) as pool:
                for chunk, out in zip(chunks, pool.map(_render_chunk, chunks)):
                    results.update((job.rel, _stored(result, store)) for job, result in zip(chunk, out))
        except BrokenProcessPool:
            left = [job for job in todo if job.rel not in results]
            results.update((rel, _stored(result, store)) for rel, result in _render_isolating(left, setup).items())
    else:
        results.update((job.rel, _stored(render_one(renderer, job), store)) for job in todo)
    used: dict[str, dict[str, RenderResult]] = {}
    jobs_by_group: dict[str, list[RenderJob]] = {}
    for job in jobs:
        result = results[job.rel]
        name = group_name(job.folder)
        jobs_by_group.setdefault(name, []).append(job)
        if is_kept(result):
            used.setdefault(name, {})[keys[job.rel]] = result
    indexes = {name: index_of(group_keys[name], group, results, keys) for name, group in jobs_by_group.items()
               if group_keys.get(name) and len(used.get(name, {})) == len(group)}
    cache.save(used, indexes, set(reused))
    store.repair = Rerender(renderer, cache, {results[job.rel].rendered.html_key: job for job in jobs}, reused)
    store.prune({r.rendered.html_key for r in results.values()}
                | {html for index in reused.values() for _, _, html in index.docs.values()})
    return results, indexes


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


class RenderedDocs(Mapping):
    """Renderings by document path. Those of groups reused whole are loaded from the cache only when
    a page being planned asks for one; their digests are known at once from the index."""

    def __init__(self, cache: RenderCache, results: dict[str, RenderResult], reused: dict[str, GroupIndex],
                 indexed: dict[str, GroupIndex] | None = None) -> None:
        self._cache = cache
        self._indexes = {**(indexed or {}), **reused}  # every group whose renderings are all indexed
        self._loaded = {rel: result.rendered for rel, result in results.items()}
        self._digests = {rel: rendered.digest for rel, rendered in self._loaded.items()}
        self._pending: dict[str, str] = {}  # document path -> its group's name, until loaded
        for name, index in reused.items():
            for rel, (_, digest, _) in index.docs.items():
                self._pending[rel] = name
                self._digests[rel] = digest
        self._reused = reused

    def __getitem__(self, rel: str) -> Rendered:
        if rel not in self._loaded and rel in self._pending:
            name = self._pending[rel]
            group = self._cache.group(name)
            for doc, (key, _, _) in self._reused[name].docs.items():
                if key not in group:  # damaged since the render stage checked its size and mtime
                    self._cache.forget_damaged(self._reused)
                    raise DamagedCacheEntry(f"кэш сборки повреждён ({self._cache.folder}/{name}.pickle); "
                                            "повреждённое будет отрисовано заново: запустите сборку ещё раз")
                self._loaded[doc] = group[key].rendered
                del self._pending[doc]
        return self._loaded[rel]

    def digest(self, rel: str) -> str:
        """A document's rendered digest, without loading its rendering."""
        return self._digests[rel]

    def group_digest(self, folder: str) -> str:
        """One digest of all the rendered digests of an organization folder's documents, when this build
        reused or indexed them whole ('' otherwise): no need to gather them document by document."""
        index = self._indexes.get(group_name(folder))
        return index.digest if index is not None else ""

    def digests(self, rels: Iterable[str]) -> list[str]:
        """Many documents' rendered digests at once (in C: a call per post was 0.04 s of every build)."""
        return list(map(self._digests.__getitem__, rels))

    def summary(self, rel: str) -> str:
        """A document's summary, without loading its group's renderings."""
        if rel in self._loaded:
            return self._loaded[rel].summary
        summaries = self._cache.summaries(self._pending[rel])
        return summaries[rel] if rel in summaries else self[rel].summary

    def html_key(self, rel: str) -> str:
        """Where the store keeps a document's HTML, without loading its rendering."""
        if rel in self._loaded:
            return self._loaded[rel].html_key
        return self._reused[self._pending[rel]].docs[rel][2]

    def __contains__(self, rel: object) -> bool:
        return rel in self._digests

    def __iter__(self):
        return iter(self._digests)

    def __len__(self) -> int:
        return len(self._digests)


def _stored(result: RenderResult, store: HtmlStore) -> RenderResult:
    return replace(result, rendered=store.put(result.rendered))


class Rerender:
    """What the HtmlStore calls when a document's stored HTML turns out damaged or missing as it is
    read back (after the render stage): the document is found by its HTML key and rendered again, from
    this build's job or, for a group reused whole, the job kept with its cached rendering (searched
    only then: it happens only after damage). The jobs by HTML key share their strings with the
    build's sources: a few MB at 61k documents, the results themselves are not kept."""

    def __init__(self, renderer: Renderer, cache: RenderCache, jobs: dict[str, RenderJob],
                 reused: dict[str, GroupIndex]) -> None:
        self.renderer, self.cache, self.jobs, self.reused = renderer, cache, jobs, reused

    def __call__(self, key: str) -> str | None:
        job = self.jobs.get(key)
        for name, index in self.reused.items() if job is None else ():
            for job_key, _, html_key in index.docs.values():
                if html_key == key:
                    hit = self.cache.group(name).get(job_key)
                    job = hit.job if hit is not None else None
                    break
            if job is not None:
                break
        if job is None:
            return None
        result = render_one(self.renderer, job)
        return result.rendered.html if is_kept(result) else None
