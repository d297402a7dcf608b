"""Render stage: every published post, page and intro rendered once, in parallel, cached by content.

A cached rendering is reused when its document, its place and every link it resolved are unchanged:
the links it looked up are recorded with what they resolved to, and checked again (Lektor-style)."""

from __future__ import annotations

import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .digest import canonical_digest, code_digest
from .markup import DocContext, Rendered, Renderer, Target, line_of

CACHE_VERSION = "render-2"


@dataclass(frozen=True)
class RenderJob:
    """One document to render, and where it will be published."""

    rel: str
    body: str
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

    def fingerprint(self) -> bytes:
        return pickle.dumps((CACHE_VERSION, code_digest(), self.extensions, self.iframe_hosts), protocol=4)


_worker: Renderer | None = None


def _init_worker(setup: RendererSetup) -> None:
    global _worker
    _worker = setup.make()


def render_one(renderer: Renderer, job: RenderJob) -> RenderResult:
    ctx = DocContext(job.rel, job.page_url, job.folder, job.shared)
    rendered = renderer.render(job.body, ctx, job.summary)
    problems = tuple((line_of(job.body, p.needle, job.body_line), p.message) for p in ctx.problems)
    checks = tuple((line_of(job.body, needle, job.body_line), target, anchor)
                   for needle, target, anchor in ctx.anchor_checks)
    return RenderResult(rendered, problems, checks, tuple(ctx.lookups))


def _render_chunk(jobs: list[RenderJob]) -> list[RenderResult]:
    assert _worker is not None
    return [render_one(_worker, job) for job in jobs]


def job_key(job: RenderJob, fingerprint: bytes) -> str:
    return canonical_digest((fingerprint, job))


class RenderCache:
    """Renderings on disk (one pickle), keyed by the job's content; None disables caching."""

    def __init__(self, folder: Path | None) -> None:
        self.path = folder / "render.pickle" if folder else None
        self.entries: dict[str, RenderResult] = {}
        if self.path and self.path.is_file():
            try:
                self.entries = pickle.loads(self.path.read_bytes())
            except Exception:  # a damaged or older cache is only a slower build
                self.entries = {}

    def save(self, used: dict[str, RenderResult]) -> None:
        """Keep exactly the entries this build used (older ones are pruned), written atomically."""
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_bytes(pickle.dumps(used, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, self.path)


def render_jobs(jobs: list[RenderJob], setup: RendererSetup, cache: RenderCache,
                workers: int) -> dict[str, RenderResult]:
    """Results by document path: reused from the cache when still valid, the rest rendered in parallel."""
    fingerprint = setup.fingerprint()
    renderer = setup.make()
    keys = {job.rel: job_key(job, fingerprint) for job in jobs}
    results: dict[str, RenderResult] = {}
    todo = []
    for job in jobs:
        hit = cache.entries.get(keys[job.rel])
        if hit and all(renderer.lookup(rel) == seen for rel, seen in hit.lookups):
            results[job.rel] = hit
        else:
            todo.append(job)
    if workers > 1 and len(todo) > 200:
        size = max(50, len(todo) // (workers * 8))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(setup,)) as pool:
            for chunk, out in zip(chunks, pool.map(_render_chunk, chunks)):
                results.update((job.rel, result) for job, result in zip(chunk, out))
    else:
        results.update((job.rel, render_one(renderer, job)) for job in todo)
    cache.save({keys[rel]: result for rel, result in results.items()})
    return results
