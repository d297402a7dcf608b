"""Render stage: Markdown to safe HTML once per document, with links resolved across sites (SPEC §5)."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from html import escape, unescape
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

from fedsite.model.imagefiles import CONTENT_SIZES, ImageProblem, is_raster, upright_size, variant_name, web_image
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
    srcsets: dict[str, str] = field(default_factory=dict)  # an <img>'s src -> its copies, put in after sanitizing


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
                written, problems = el.get(attr), len(ctx.problems)
                el.set(attr, self.renderer.resolve(written, ctx))
                if el.tag == "img" and len(ctx.problems) == problems:
                    self.renderer.size_image(el, written, ctx)


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
        html = with_srcsets(clean_html(html, self.iframe_hosts), ctx.srcsets)
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
        """What a recorded link resolves to now: a page's URL, whether a file is still there, and an
        image's size (its <img> carries the size of its web copies)."""
        if rel.endswith(".md"):
            return self.targets.get(rel)
        if not _is_file(self.repo / rel):
            return None
        if is_raster(rel):
            try:
                return "image %dx%d" % upright_size(str(self.repo / rel))
            except ImageProblem:
                return "image ?"
        return "file"

    def size_image(self, el: Element, written: str, ctx: DocContext) -> None:
        """Give an image of the text its web copies' size and srcset (the original is not published)."""
        parts = urlsplit(written)
        src = el.get("src", "")
        if parts.scheme or parts.netloc or written.startswith(("#", "/")) or not is_raster(parts.path):
            return
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.rel), unquote(parts.path)))
        try:
            image = web_image(*upright_size(str(self.repo / rel)))
        except ImageProblem as e:
            ctx.problems.append(LinkProblem(written, f"картинка «{written}»: {e}"))
            return
        el.set("width", str(image.width))
        el.set("height", str(image.height))
        el.set("loading", "lazy")
        copies = [f"{variant_name(src, w)} {w}w" for w in image.widths] + [f"{src} {image.width}w"]
        ctx.srcsets[src] = ", ".join(copies)

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


IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"[^>]*?(?=/?>)')


def with_srcsets(html: str, srcsets: dict[str, str]) -> str:
    """Each <img> of the text whose src has web copies, with its srcset and sizes: our own URLs, put in
    after the sanitizer (which lets no srcset of the writer's through)."""
    if not srcsets:
        return html

    def add(match: re.Match) -> str:
        srcset = srcsets.get(unescape(match.group(1)))
        return match.group(0) + (f' srcset="{escape(srcset)}" sizes="{CONTENT_SIZES}"' if srcset else "")
    return IMG_SRC.sub(add, html)


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
