"""Pages of an organization (or the shared pages), and the files a site publishes as they are."""

from __future__ import annotations

import re
from pathlib import Path

from fedsite.model.diagnostics import Diagnostics
from fedsite.model.schema import PAGE_FIELDS, check_fields
from fedsite.model.slugs import slug as make_slug
from fedsite.read.content import Page
from fedsite.read.source import key_line, markdown_files, split_front_matter
from fedsite.read.symlinks import real_repo, refusal_message, walk
from fedsite.read.tree import Org, internal_error


def read_pages(folder: Path, org_id: str, repo: Path, diags: Diagnostics) -> list[Page]:
    """The pages under a pages/ folder (an organization's or shared/pages)."""
    pages = []
    for path in markdown_files(folder, repo, diags):
        try:
            page = _page(path, folder, org_id, repo, diags)
        except Exception as e:  # noqa: BLE001 (as in read_posts)
            diags.add(path, 1, internal_error(e))
            continue
        if page is not None:
            pages.append(page)
    return pages


def _page(path: Path, folder: Path, org_id: str, repo: Path, diags: Diagnostics) -> Page | None:
    """One page, or None after reporting why not."""
    source = split_front_matter(path, repo, diags)
    if source is None:
        return None
    meta = source.meta
    check_fields(source.doc(), PAGE_FIELDS, path, diags)
    parts = path.relative_to(folder).with_suffix("").parts
    url = "pages/" + "/".join(make_slug(p) or "page" for p in parts) + ".html"
    title = str(meta.get("title") or _first_heading(source.read_body()) or path.stem)
    try:
        order = float(meta.get("order", 100))
    except (TypeError, ValueError):
        diags.add(path, key_line(source, "order"), "поле «order» должно быть числом")
        order = 100.0
    return Page(org_id, source.validated(), url, title, order, parts[:-1])


def _first_heading(body: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.M)
    return m.group(1) if m else ""


def read_assets(org: Org, repo: Path, diags: Diagnostics) -> list[tuple[str, str]]:
    """The files a site publishes as they are: its assets/ and non-Markdown files beside posts and pages.
    Links that may not be followed are reported (and .md ones, and folders in posts/ and pages/, by the
    readers of posts and pages)."""
    out = []
    repo_real = real_repo(repo)
    for top in ("assets", "posts", "pages"):
        listing = walk(str(org.folder / top), repo_real, top)
        for path, why, kind in listing.refused:
            if (kind == "folder" and top == "assets") or (kind != "folder" and not path.endswith(".md")):
                diags.add(path, 1, refusal_message(why, kind, "положите сюда сам файл" if kind == "file" else ""))
        out += [(entry.path, name) for name, entry in listing.files if not name.endswith(".md")]
    return out


def check_page_urls(pages: list[Page], diags: Diagnostics) -> None:
    """Two pages of one site that would be written to the same address are an error naming both."""
    seen: dict[str, Page] = {}
    for page in pages:
        if page.url in seen:
            diags.add(page.source.path, 1, f"страница получит тот же адрес {page.url}, что и "
                                           f"{seen[page.url].source.rel}; переименуйте один из файлов")
        else:
            seen[page.url] = page
