"""Render stage over the whole federation: which posts are published, where every document ends up,
and each published post, page and intro rendered once (or taken from the render cache)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from operator import attrgetter
from pathlib import Path

from fedsite.model.diagnostics import Diagnostics
from fedsite.read.content import Page, Post
from fedsite.read.source import Source
from fedsite.read.federation import Federation
from fedsite.read.tree import CONTENT_DIRS, Tree
from fedsite.render.documents import render_jobs
from fedsite.render.htmlstore import HtmlStore
from fedsite.render.jobs import RendererSetup, RenderJob
from fedsite.render.rendercache import RenderCache, group_key, group_name
from fedsite.render.rendered import RenderedDocs
from fedsite.render.markup import Renderer


def published_posts(fed: Federation, now: datetime) -> dict[str, list[Post]]:
    """Per organization, the posts readers may see (no drafts, nothing scheduled), newest first."""
    out = {}
    for org, posts in fed.posts.items():
        first = 0  # the scheduled posts are the newest: they come first
        while first < len(posts) and posts[first].date > now:
            first += 1
        # In C when there is no draft (the usual case): a filter in Python was 0.06 s of every build.
        out[org] = posts[first:] if not any(map(IS_DRAFT, posts)) else [p for p in posts[first:] if not p.draft]
    return out


IS_DRAFT = attrgetter("draft")


def link_targets(fed: Federation, published: dict[str, list[Post]]) -> dict[str, str]:
    """Where every publishable .md file of the repository ends up (public-root-relative URL)."""
    tree = fed.tree
    root = tree[tree.root]
    targets = {}
    for org_id, posts in published.items():
        prefix = tree[org_id].url_path
        targets.update((post.source.rel, prefix + post.url) for post in posts)
    for org_id, pages in fed.pages.items():
        prefix = tree[org_id].url_path if org_id else root.url_path
        for page in pages:
            targets[page.source.rel] = prefix + page.url
    for org_id in fed.intros:
        targets[f"{tree[org_id].rel}/index.md"] = tree[org_id].url_path + "index.html"
    return targets


@dataclass(frozen=True)
class AssetUrls:
    """Repository path of a file -> its public URL, or None if it is not published (picklable for workers)."""

    tree: Tree

    def __call__(self, rel: str) -> str | None:
        if rel.startswith("shared/assets/"):
            return "assets/shared/" + rel[len("shared/assets/"):]
        org = self.tree.owner_of(rel)
        if org is None:
            return None
        inner = rel[len(org.rel) + 1:]
        if inner.split("/", 1)[0] not in CONTENT_DIRS or inner.endswith(".md"):
            return None
        return org.url_path + inner


@dataclass(frozen=True)
class DocGroup:
    """The documents of one organization's folder (or the shared pages): one render cache group."""

    folder: str  # the organization's repository folder, or 'shared'
    shared: bool
    read_key: str
    url_path: str
    posts: list[Post]  # published
    pages: list[Page]
    intro: Source | None = None

    @property
    def size(self) -> int:
        return len(self.posts) + len(self.pages) + (self.intro is not None)

    @property
    def docs(self) -> list[tuple[Source, str, str]]:
        """(source, page URL, summary from front matter) of every document."""
        docs = [(post.source, self.url_path + post.url, post.summary) for post in self.posts]
        docs += [(page.source, self.url_path + page.url, "") for page in self.pages]
        if self.intro is not None:
            docs.append((self.intro, self.url_path + "index.html", ""))
        return docs

    def key(self, fingerprint: str) -> str:
        # The read key covers the organization's files (bodies included), card and place: its documents
        # follow from it and from how many of its posts are published, the newest scheduled ones being
        # left out. Hashing each document's path, body digest and URL again cost 0.1 s of every build.
        return group_key(fingerprint, self.read_key, self.folder, len(self.posts))

    def jobs(self) -> list[tuple[Source, RenderJob]]:
        return [(source, RenderJob(source.rel, source.file, source.body_digest, source.body_offset,
                                   source.body_line, url, self.folder, self.shared, summary))
                for source, url, summary in self.docs]


def doc_groups(fed: Federation, published: dict[str, list[Post]]) -> list[DocGroup]:
    """Every document to render, by organization (shared pages apart)."""
    groups = [DocGroup("shared", True, "", "", [], fed.pages.get("", []))]
    for org in fed.tree.in_order():
        groups.append(DocGroup(org.rel, False, fed.read_keys.get(org.id, ""), org.url_path,
                               published.get(org.id, []), fed.pages.get(org.id, []), fed.intros.get(org.id)))
    return groups


def working_renderer(setup: RendererSetup, renderer: Renderer, repo: Path,
                     diags: Diagnostics) -> tuple[RendererSetup, Renderer]:
    """The renderer, once Python-Markdown has taken every extension's settings from mkdocs.yml. One it
    refuses (`toc: {permalnk: true}`) is reported at mkdocs.yml and left out, instead of failing every
    document. Tried by render_jobs only when something is to be rendered: a cached build loads no Markdown."""
    try:
        renderer.md
        return setup, renderer
    except Exception:  # noqa: BLE001 (an extension's own error, whatever its kind)
        pass
    config = repo / "mkdocs.yml"
    text = config.read_text(encoding="utf-8", errors="replace")
    line = next((n for n, row in enumerate(text.splitlines(), 1) if row.startswith("markdown_extensions")), 1)
    import markdown

    kept = []
    for item in setup.extensions:
        name, conf = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        try:
            markdown.Markdown(extensions=[name], extension_configs={name: conf or {}})
            kept.append(item)
        except KeyError as e:
            diags.add(config, line, f"у расширения Markdown «{name}» нет настройки «{e.args[0]}»; "
                                    "проверьте её имя в markdown_extensions или уберите её")
        except Exception as e:  # noqa: BLE001
            diags.add(config, line, f"расширение Markdown «{name}» не принимает эти настройки "
                                    f"({type(e).__name__}: {str(e)[:200]}); проверьте их в markdown_extensions")
    setup = replace(setup, extensions=kept)
    return setup, setup.make()


@dataclass(frozen=True)
class Rendering:
    """What the render stage hands the planner: the published posts and every document rendered."""

    published: dict[str, list[Post]]  # org id -> published posts, newest first
    rendered: RenderedDocs  # source rel -> rendered, loaded from the cache when first asked for
    store: HtmlStore


def render_federation(fed: Federation, now: datetime, diags: Diagnostics, cache_dir: Path | None = None,
                      workers: int = 1) -> Rendering:
    """Render every published post, page and intro once (or reuse them); report broken links with their lines."""
    published = published_posts(fed, now)
    targets = link_targets(fed, published)
    setup = RendererSetup(fed.markdown_extensions, fed.settings.iframe_hosts, targets, fed.repo,
                          AssetUrls(fed.tree))
    cache, store = RenderCache(cache_dir), HtmlStore(cache_dir)
    fingerprint, renderer = setup.fingerprint(), setup.make()
    keys, reused, sources = {}, {}, []
    for group in doc_groups(fed, published):
        name = group_name(group.folder)
        keys[name] = group.key(fingerprint)
        index = cache.reusable(name, keys[name], group.size, renderer.lookup, store)
        if index is not None:
            reused[name] = index
        else:
            sources += group.jobs()
    usable = partial(working_renderer, repo=fed.repo, diags=diags)
    results, indexed = render_jobs([job for _, job in sources], setup, cache, store, workers, keys, reused, renderer,
                                   usable)
    rendered = RenderedDocs(cache, results, reused, indexed)
    problems = [(source.file, line, message) for source, _ in sources for line, message in results[source.rel].problems]
    checks = [(source.file, line, target, anchor) for source, _ in sources
              for line, target, anchor in results[source.rel].anchor_checks]
    for index in reused.values():
        problems += index.problems
        checks += index.anchor_checks
    for file, line, message in problems:
        diags.add(file, line, message)
    for file, line, target, anchor in checks:
        if target in rendered and anchor not in rendered[target].anchors:
            diags.add(file, line, f"в «{target}» нет заголовка с якорем #{anchor}; проверьте часть ссылки после #")
    return Rendering(published, rendered, store)
