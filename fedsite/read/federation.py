"""Read and render the whole federation: tree, projects, posts and pages, all checked, as plain data."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Iterator

from fedsite.read.content import Page, Post
from fedsite.read.pages import check_page_urls, read_assets, read_pages
from fedsite.read.posts import read_posts
from fedsite.read.reports import Report, read_reports, report_files
from fedsite.read.siteurls import SiteUrls
from fedsite.read.source import Source, split_front_matter
from fedsite.model.diagnostics import Diagnostics, Problem
from fedsite.model.schema import project_card
from fedsite.read.settings import Settings, load_settings, usable_extensions
from fedsite.read.readcache import ReadCache
from fedsite.model.slugs import MAX_SLUG
from fedsite.read.symlinks import real_repo, refusal_message, refused_link, walk
from fedsite.read.tree import ORG_ID, Org, Tree, discover, internal_error
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
    reports: dict[str, list[Report]] = field(default_factory=dict)  # org id -> its reports, newest year first


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
    posts, pages, intros, reports = {}, {"": shared_pages}, {}, {}
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
        posts[org.id], pages[org.id], assets[org.id], intro, reports[org.id] = reads.pop(org.id)
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
                      {k: v for k, v in read_keys.items() if v}, cache.known, reports)


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
            read = ([], [], [], None, [])
        check_unique_urls(read[0], diags)
        out.append((org.id, (newest_first(read[0]), *read[1:]), diags.problems))  # sorted once, then cached
    return out


def read_org(org: Org, repo: Path, settings: Settings, projects: dict | None,
             diags: Diagnostics) -> tuple[list[Post], list[Page], list[tuple[str, str]], Source | None, list[Report]]:
    """One organization's own posts (its reports' announcements among them), pages, published files,
    intro and reports."""
    urls = SiteUrls(diags, projects)  # every URL of the site taken once (README: URLs)
    reports = read_reports(org, repo, settings, diags)
    posts = read_posts(org, repo, settings, projects, diags, urls) + [r.post for r in reports]
    pages = read_pages(org.folder / "pages", org.id, repo, diags)
    check_page_urls(pages, diags)
    urls.claim_pages(pages)
    intro = split_front_matter(org.folder / "index.md", repo, diags) if (org.folder / "index.md").is_file() else None
    for report in reports:
        urls.claim(report.post.url, "report", "отчёт", report.post.source.file, 1, "переименуйте файл")
    files = read_assets(org, repo, diags) + report_files(org, repo, diags)
    urls.claim_files(files)
    return posts, pages, files, intro, reports


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


NEWEST_FIRST = attrgetter("date", "org", "post_id")  # unique per post: a total order


def newest_first(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=NEWEST_FIRST, reverse=True)
