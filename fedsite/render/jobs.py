"""A document to render and where it is published, its rendering by one Renderer, and the key of a
cached rendering: what the render stage's workers take and give back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fedsite.cache.keys import stage_code
from fedsite.model.digest import canonical_digest
from fedsite.render.markup import DocContext, Rendered, Renderer, line_of
from fedsite.model.textfile import read_text

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
        return canonical_digest((CACHE_VERSION, stage_code("render"), self.extensions, self.iframe_hosts))


def render_one(renderer: Renderer, job: RenderJob) -> RenderResult:
    """A document's rendering; an unexpected error (ours, not the file's) becomes a problem at the
    file's first body line, so that the build lists it with the others instead of stopping."""
    try:
        return _render_one(renderer, job)
    except Exception as e:  # noqa: BLE001 (any error of the renderer or the libraries it calls)
        return internal_error(job, type(e).__name__)


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


def internal_error(job: RenderJob, what: str) -> RenderResult:
    message = f"{INTERNAL} ({what}); сообщите администратору федерации"
    return RenderResult(Rendered("", (), frozenset(), ""), ((job.body_line, message),), (), (), job)


def job_key(job: RenderJob, fingerprint: str) -> str:
    # body_line too: the problems a result carries are file lines, which move when front matter grows.
    fields = (fingerprint, job.rel, job.body_digest, str(job.body_line), job.page_url, job.folder,
              str(job.shared), job.summary)
    # Length-prefixed fields cannot run into each other (as with json.dumps, which took 0.36 s per 61k
    # jobs against 0.27 s).
    return hashlib.sha256("\0".join(f"{len(f)}:{f}" for f in fields).encode()).hexdigest()
