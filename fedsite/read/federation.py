"""Read and render the whole federation: tree, projects, posts and pages, all checked, as plain data."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Iterator

from fedsite.read.content import (Page, Post, SiteUrls, Source, check_page_urls, read_assets, read_pages, read_posts,
                      split_front_matter)
from fedsite.model.diagnostics import Diagnostics, Problem
from fedsite.render.markup import Renderer
from fedsite.render.documents import HtmlStore, RenderCache, RenderedDocs, RendererSetup, RenderJob, group_key, group_name, render_jobs
from fedsite.model.schema import project_card
from fedsite.read.settings import Settings, load_settings, usable_extensions
from fedsite.plan.view import FederationView, newest_first
from fedsite.read.readcache import ReadCache
from fedsite.model.slugs import MAX_SLUG
from fedsite.read.tree import (CONTENT_DIRS, ORG_ID, Org, Tree, discover, internal_error, real_repo, refusal_message,
                   refused_link, walk)
from fedsite.model.yamlfile import YamlDoc, load_file


@dataclass(frozen=True)
class Federation:
    """Everything read from the repository, before rendering."""

    repo: Path
    settings: Settings
    tree: Tree
    projects: dict[str, dict]
    posts: dict[str, list[Post]]  # every post, drafts and scheduled ones included, newest first
    pages: dict[str, list[Page]]  # '' holds the shared pages
    intros: dict[str, Source]  # org id -> its index.md, for those that have one
    assets: dict[str, list[tuple[str, str]]]  # org id -> (source file, site-relative destination)
    markdown_extensions: list
    read_keys: dict[str, str] = field(default_factory=dict)  # org id -> read cache key (with a cache)
    file_hashes: dict[str, str] = field(default_factory=dict)  # repository path -> git blob id (with a cache)


def read_federation(repo: Path, diags: Diagnostics, cache_dir: Path | None = None,
                    pool: Executor | None = None) -> Federation | None:
    """Discover the tree and read every file (organizations unchanged since the last build from the
    cache, many others in `pool`'s processes); problems go to `diags`."""
    cache = ReadCache(cache_dir, repo)
    settings = load_settings(repo, diags)
    cards = cache.parsed_cards()
    tree = discover(repo, diags, cards)
    if tree is None:
        return None
    cache.save_cards(cards)
    projects = read_projects(repo, diags)
    shared_folder = repo / "shared" / "pages"
    shared_pages = read_pages(shared_folder, "", repo, diags) if readable(shared_folder, repo, diags) else []
    SiteUrls(diags).claim_pages(shared_pages)  # on every site: none may take a page the site makes
    posts, pages, intros = {}, {"": shared_pages}, {}
    assets = {}
    read_keys = {org.id: cache.key(org, settings, projects, repo) for org in tree.in_order()}
    reads = {org.id: cache.get(org.id, read_keys[org.id]) for org in tree.in_order()}
    missing = [org for org in tree.in_order() if reads[org.id] is None]
    for org_id, read, problems in read_afresh(missing, repo, settings, projects, pool):
        reads[org_id] = read
        diags.problems.extend(problems)
        if not problems:
            cache.put(org_id, read_keys[org_id], read)
    for org in tree.in_order():
        posts[org.id], pages[org.id], assets[org.id], intro = reads.pop(org.id)
        if intro is not None:
            intros[org.id] = intro
    base = load_file(repo / "mkdocs.yml", Diagnostics(repo))
    root = tree[tree.root]
    shared = shared_assets(repo, diags)
    check_root_files(assets[root.id], shared, theme_files(repo, base), diags)
    assets[root.id] = assets[root.id] + shared
    cache.prune({org.id for org in tree.in_order()})
    # Only those that load: an unknown one (settings reports it at mkdocs.yml) failed every document.
    extensions = usable_extensions(base.data.get("markdown_extensions") or []) if base else []
    return Federation(repo, settings, tree, projects or {}, posts, pages, intros, assets, extensions,
                      {k: v for k, v in read_keys.items() if v}, cache.known)


PARALLEL_READ = 64  # organizations to read afresh before it pays to send them to other processes


def read_afresh(orgs: list[Org], repo: Path, settings: Settings, projects: dict | None,
                pool: Executor | None) -> Iterator[tuple[str, tuple, list[Problem]]]:
    """(organization id, read result, its problems) of organizations not in the read cache. A cold
    build parses 61k posts' front matter (22 s on one core): with many to read, `pool` does it."""
    if pool is None or len(orgs) < PARALLEL_READ:
        yield from _read_some(orgs, repo, settings, projects)
        return
    size = max(8, len(orgs) // 64)
    chunks = [orgs[i:i + size] for i in range(0, len(orgs), size)]
    for done in pool.map(_read_some, chunks, repeat(repo), repeat(settings), repeat(projects)):
        yield from done


def _read_some(orgs: list[Org], repo: Path, settings: Settings,
               projects: dict | None) -> list[tuple[str, tuple, list[Problem]]]:
    out = []
    for org in orgs:
        diags = Diagnostics(repo)
        try:
            read = read_org(org, repo, settings, projects, diags)
        except Exception as e:  # noqa: BLE001 (content never gives a traceback: the folder is named instead)
            diags.add(org.folder / "site.yml", 1, f"папку организации {org.rel} не удалось прочитать: "
                                                  + internal_error(e))
            read = ([], [], [], None)
        check_unique_urls(read[0], diags)
        out.append((org.id, (newest_first(read[0]), *read[1:]), diags.problems))  # sorted once, then cached
    return out


def read_org(org: Org, repo: Path, settings: Settings, projects: dict | None,
             diags: Diagnostics) -> tuple[list[Post], list[Page], list[tuple[str, str]], Source | None]:
    """One organization's own posts, pages, published files and intro."""
    urls = SiteUrls(diags, projects)  # every URL of the site taken once (README: URLs)
    posts = read_posts(org, repo, settings, projects, diags, urls)
    pages = read_pages(org.folder / "pages", org.id, repo, diags)
    check_page_urls(pages, diags)
    urls.claim_pages(pages)
    intro = split_front_matter(org.folder / "index.md", repo, diags) if (org.folder / "index.md").is_file() else None
    files = read_assets(org, repo, diags)
    urls.claim_files(files)
    return posts, pages, files, intro


def readable(path: Path, repo: Path, diags: Diagnostics) -> bool:
    """Whether a shared file or folder may be read: no link on its way from the repository leads out of
    it or into .git (reported where the link stands)."""
    found = refused_link(path, repo)
    if found is not None:
        link, why = found
        diags.add(link, 1, refusal_message(why, "folder" if os.path.isdir(link) else "file"))
    return found is None


def shared_assets(repo: Path, diags: Diagnostics) -> list[tuple[str, str]]:
    """shared/assets/**, published in every site under assets/shared/."""
    shared = repo / "shared" / "assets"
    if not readable(shared, repo, diags):
        return []
    listing = walk(str(shared), real_repo(repo), "assets/shared")
    for path, why, kind in listing.refused:
        diags.add(path, 1, refusal_message(why, kind, "положите сюда сам файл" if kind == "file" else ""))
    return [(entry.path, name) for name, entry in listing.files]


# What the root site publishes of Material's own files (and of the theme folder: theme_files).
THEME_PREFIXES = ("assets/javascripts/", "assets/stylesheets/", "assets/images/favicon.png")


def theme_files(repo: Path, base: YamlDoc | None) -> set[str]:
    """Site-relative names of the files the theme folder (custom_dir) publishes on the root site."""
    theme = (base.data.get("theme") if base else None) or {}
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if not isinstance(custom, str) or not custom:
        return set()
    folder = repo / custom
    listing = walk(str(folder), real_repo(repo), "")
    return {name[1:] for name, _ in listing.files if not name.endswith((".html", ".py", ".yml"))}


def check_root_files(own: list[tuple[str, str]], shared: list[tuple[str, str]], theme: set[str],
                     diags: Diagnostics) -> None:
    """The root site publishes shared/assets at assets/shared/ and the theme's files: none of its own
    files may take their place."""
    shared_at = {dest: source for source, dest in shared}
    for source, dest in own:
        if dest in shared_at:
            diags.add(source, 1, f"файл получит тот же адрес «{dest}», что и общий файл "
                                 f"{diags.relative(shared_at[dest])}; переименуйте файл или уберите его из "
                                 "assets/shared/")
        elif dest in theme or dest.startswith(THEME_PREFIXES):
            diags.add(source, 1, f"файл получит адрес «{dest}», а он занят файлом оформления сайта (темы); "
                                 "переименуйте файл или положите его в другую папку")


def read_projects(repo: Path, diags: Diagnostics) -> dict[str, dict] | None:
    """shared/data/projects.yml: id -> {title, description}; None if the file itself is broken. An id is
    a part of URLs and file names: written as organization ids are."""
    path = repo / "shared" / "data" / "projects.yml"
    if not os.path.lexists(path):
        return {}
    if not readable(path, repo, diags):
        return None
    doc = load_file(path, diags)
    if doc is None:
        return None
    projects = {}
    for pid, value in doc.data.items():
        if not ORG_ID.match(pid) or len(pid) > MAX_SLUG:
            diags.add(path, doc.line(pid), f"код проекта «{pid}» не годится: он станет частью адреса, поэтому "
                                           "только строчные латинские буквы, цифры и дефис (не длиннее "
                                           f"{MAX_SLUG} знаков), например zdorovie")
            continue
        if pid == "index":
            diags.add(path, doc.line(pid), "код проекта «index» занят: так называется список проектов; "
                                           "выберите другой")
            continue
        project = project_card(pid, value, doc, path, diags)
        if project is not None:
            projects[pid] = project
    return projects


def check_unique_urls(posts: list[Post], diags: Diagnostics) -> None:
    """Two posts of one site may not share a URL or an id (feeds would merge them)."""
    for attr, what in (("url", "адрес"), ("post_id", "номер id")):
        seen: dict[str, Post] = {}
        for post in posts:
            key = getattr(post, attr)
            if key in seen:
                diags.add(post.source.path, 1, f"{what} «{key}» совпадает с новостью "
                          f"{seen[key].source.rel}; задайте другое поле slug/id")
            else:
                seen[key] = post


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


def render_federation(fed: Federation, now: datetime, diags: Diagnostics, cache_dir: Path | None = None,
                      workers: int = 1) -> FederationView:
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
    tree = fed.tree
    intros = {org_id: f"{tree[org_id].rel}/index.md" for org_id in fed.intros}
    return FederationView(tree, fed.settings, published, dict(fed.pages), intros, rendered, fed.projects, now,
                          store)
