"""Render stage: every published post, page and intro rendered once, in parallel, cached by content.

A cached rendering is reused when its document, its place and every link it resolved are unchanged:
the links it looked up are recorded with what they resolved to, and checked again (Lektor-style)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from fedsite.render.htmlstore import HtmlStore
from fedsite.render.jobs import RenderJob, RenderResult, RendererSetup, internal_error, is_kept, job_key, render_one
from fedsite.render.markup import Renderer
from fedsite.render.rendercache import GroupIndex, RenderCache, group_name, index_of

_worker: Renderer | None = None


def _init_worker(setup: RendererSetup) -> None:
    global _worker
    _worker = setup.make()


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
                results[batch[0].rel] = internal_error(batch[0], CRASHED)
            else:
                pending += [batch[len(batch) // 2:], batch[:len(batch) // 2]]
    return results


def _render_chunk(jobs: list[RenderJob]) -> list[RenderResult]:
    assert _worker is not None
    return [render_one(_worker, job) for job in jobs]


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
            for cached_key, _, html_key in index.docs.values():
                if html_key == key:
                    hit = self.cache.group(name).get(cached_key)
                    job = hit.job if hit is not None else None
                    break
            if job is not None:
                break
        if job is None:
            return None
        result = render_one(self.renderer, job)
        return result.rendered.html if is_kept(result) else None
