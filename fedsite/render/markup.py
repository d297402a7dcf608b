"""Render stage: Markdown to safe HTML once per document, with links resolved across sites (SPEC §5)."""

from __future__ import annotations

import hashlib
import os
import posixpath
from functools import cached_property, lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from textwrap import shorten
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pymdownx.slugs import slugify as unicode_slugify

from fedsite.render.sanitize import clean_html, plain_text
from fedsite.read.symlinks import link_refusal, real_repo

MORE = "<!-- more -->"
SUMMARY_CHARS = 300  # an automatic summary: the first paragraph, cut at a word boundary
ROOT_MARK = "\x00ROOT\x00/"  # stands for "the public root, seen from this page" in shared pages


@dataclass(frozen=True)
class Rendered:
    """A document's safe HTML, its headings for the table of contents, and its plain summary."""

    html: str  # '' once the render stage has put it in the HtmlStore under html_key
    toc: tuple[dict, ...]
    anchors: frozenset[str]
    summary: str
    digest: str = ""  # of the HTML and summary: what pages that show this document depend on
    html_key: str = ""


@dataclass
class LinkProblem:
    """A link that points at nothing; `needle` finds its line in the source."""

    needle: str
    message: str


@dataclass
class DocContext:
    """What the link resolver needs to know about the document being rendered."""

    rel: str  # repository-relative path of the source file
    page_url: str  # public-root-relative URL of the page ('' prefix for shared pages: see ROOT_MARK)
    allowed_folder: str  # repository-relative folder whose files this document may use
    shared: bool = False
    problems: list[LinkProblem] = field(default_factory=list)
    anchor_checks: list[tuple[str, str, str]] = field(default_factory=list)  # (needle, target rel, anchor)
    lookups: list[tuple[str, str | None]] = field(default_factory=list)  # what the output depends on


def relative_url(from_url: str, to_url: str) -> str:
    """The href from one public-root-relative page URL to another."""
    return relative_link(posixpath.dirname(from_url), to_url)


@lru_cache(maxsize=65536)
def relative_link(start_dir: str, target: str) -> str:
    """posixpath.relpath for clean public-root-relative paths, cached: templates ask it thousands of times."""
    start = start_dir.split("/") if start_dir else []
    parts = target.split("/")
    common = 0
    while common < min(len(start), len(parts) - 1) and start[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:]) or "."


class _LinkResolver(Treeprocessor):
    def __init__(self, md: markdown.Markdown, renderer: Renderer) -> None:
        super().__init__(md)
        self.renderer = renderer

    def run(self, root: Element) -> None:
        ctx = self.renderer.context
        if ctx is None:
            return
        for el in root.iter():
            attr = {"a": "href", "img": "src", "source": "src", "audio": "src", "video": "src"}.get(el.tag)
            if attr and el.get(attr):
                el.set(attr, self.renderer.resolve(el.get(attr), ctx))


class Renderer:
    """One Python-Markdown instance reused for every document (a worker renders many)."""

    def __init__(self, extensions: list[Any], iframe_hosts: tuple[str, ...],
                 targets: dict[str, str], repo: Path, asset_url: Any) -> None:
        self.extensions = extensions
        self.iframe_hosts = iframe_hosts
        self.targets = targets
        self.repo = repo
        self.asset_url = asset_url  # callable(repo_rel_path) -> public URL, or None if not published
        self.context: DocContext | None = None

    @cached_property
    def repo_real(self) -> str:
        return real_repo(self.repo)

    @cached_property
    def md(self) -> markdown.Markdown:
        """Made when first needed: a build that renders nothing (most cached builds) only looks links up."""
        names, configs = _split_extensions(self.extensions)
        configs.setdefault("toc", {})["slugify"] = unicode_slugify(case="lower")
        if "toc" not in names:
            names.append("toc")
        return markdown.Markdown(extensions=[*names, _ResolverExtension(self)], extension_configs=configs)

    def render(self, body: str, ctx: DocContext, summary: str = "") -> Rendered:
        """Markdown to sanitized HTML; link problems land in ctx.problems."""
        self.context = ctx
        try:
            html = self._convert(body)
            toc = tuple(getattr(self.md, "toc_tokens", ()))
            text = summary or self._summary(html)
        finally:
            self.context = None
        html = clean_html(html, self.iframe_hosts)
        digest = hashlib.sha256(f"{html}\0{text}".encode()).hexdigest()
        return Rendered(html, toc, frozenset(_ids(toc)), text, digest)

    def _convert(self, body: str) -> str:
        self.md.reset()
        return self.md.convert(body)

    def _summary(self, html: str) -> str:
        # Python-Markdown keeps the comment in place, so the HTML above it is the summary.
        if MORE in html:
            return plain_text(html.split(MORE, 1)[0])
        # Otherwise the lead of the first paragraph: lists show each summary five or six times.
        start = html.find("<p>")
        end = html.find("</p>", start)
        return shorten(plain_text(html[start:end]), SUMMARY_CHARS, placeholder=" …") if start >= 0 else ""

    def resolve(self, href: str, ctx: DocContext) -> str:
        """Rewrite a relative link or image path to the published page or file, or report it."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("#", "/")) or not parts.path:
            return href
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.rel), unquote(parts.path)))
        if rel.startswith("../") or rel == "..":
            ctx.problems.append(LinkProblem(href, f"ссылка «{href}» ведёт за пределы репозитория"))
            return href
        if rel.endswith(".md"):
            url = self.targets.get(rel)
            ctx.lookups.append((rel, url))
            if url is None:
                ctx.problems.append(LinkProblem(href, f"ссылка «{href}» ведёт на несуществующую или "
                                                      "неопубликованную страницу; проверьте имя файла"))
                return href
            if parts.fragment:
                ctx.anchor_checks.append((href, rel, unquote(parts.fragment)))
        else:
            url = self._asset(href, rel, ctx)
            if url is None:
                return href
            url = quote(url, safe="/")  # a file's name: spaces, #, % and Cyrillic percent-encoded (UTF-8)
        out = (ROOT_MARK + url) if ctx.shared else relative_url(ctx.page_url, url)
        return out + (f"#{parts.fragment}" if parts.fragment else "")

    def lookup(self, rel: str) -> str | None:
        """What a recorded link resolves to now: a page's URL, or whether a file is still there."""
        if rel.endswith(".md"):
            return self.targets.get(rel)
        return "file" if _is_file(self.repo / rel) else None

    def _asset(self, href: str, rel: str, ctx: DocContext) -> str | None:
        path = self.repo / rel
        ctx.lookups.append((rel, self.lookup(rel)))
        if not (rel == ctx.allowed_folder or rel.startswith(ctx.allowed_folder + "/")):
            ctx.problems.append(LinkProblem(href, f"файл «{href}» лежит за пределами папки организации; "
                                                  "положите его в свою папку assets/"))
            return None
        if not _is_file(path) or link_refusal(os.path.realpath(path), self.repo_real):
            ctx.problems.append(LinkProblem(href, f"файл «{href}» не найден; проверьте имя и путь"))
            return None
        url = self.asset_url(rel)
        if url is None:
            ctx.problems.append(LinkProblem(href, f"файл «{href}» не публикуется: положите его в assets/"))
        return url


def _is_file(path: Path) -> bool:
    """Path.is_file, False for any name the system refuses (too long, a NUL byte)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


class _ResolverExtension(Extension):
    def __init__(self, renderer: Renderer) -> None:
        super().__init__()
        self.renderer = renderer

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before MkDocs-style processors and toc (priority 5), after inline parsing.
        md.treeprocessors.register(_LinkResolver(md, self.renderer), "fed_links", 1)


def _split_extensions(extensions: list[Any]) -> tuple[list[str], dict[str, dict]]:
    names, configs = [], {}
    for item in extensions:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            for name, conf in item.items():
                names.append(name)
                configs[name] = dict(conf or {})
    return names, configs


def _ids(tokens: tuple[dict, ...] | list[dict]) -> list[str]:
    out = []
    for token in tokens:
        out.append(token["id"])
        out.extend(_ids(token.get("children", [])))
    return out


def line_of(text: str, needle: str, first_line: int) -> int:
    """The file line where `needle` first occurs in a body that starts at `first_line`."""
    idx = text.find(needle)
    return first_line + (text.count("\n", 0, idx) if idx >= 0 else 0)
