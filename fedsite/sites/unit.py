"""Sites as units of work with known inputs: a content digest decides whether a site is rebuilt.

The digest covers the site's plan (its pages' HTML and data, the files it copies, by content), its
feeds and other generated files, the base mkdocs.yml, the theme and the code of the planner and of
the engine (cache/keys.py): hashed by content, never by mtime, since a CI clone gives every file a
new mtime. Whether a site need be planned at all is decided before, from what it read (reads.py)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fedsite.cache.keys import stage_code
from fedsite.model.digest import canonical_digest, tree_digest
from fedsite.plan.site import SitePlan
from fedsite.read.settings import theme_folder

if TYPE_CHECKING:  # not at run time: the pages' code (cache/keys.py's "pages") is not the feeds' code
    from fedsite.outputs.feeds import Feed


@dataclass(frozen=True)
class SiteUnit:
    """Everything one worker needs to build one site, and the digest of it."""

    plan: SitePlan
    feeds: tuple[Feed, ...]
    files: dict[str, bytes]  # generated files: calendars, monitoring downloads
    base_config: Path
    engine_key: str  # mkdocs.yml, the theme and the engine's code (engine_digest)
    digest: str  # of both parts below
    page_keys: dict[str, str]  # page URL -> digest of everything its HTML shows; {} when not to reuse
    pages_digest: str = ""  # what MkDocs makes: the pages, the files copied, the site's date
    generated: tuple[str, ...] = ()  # what is written after MkDocs: feeds, calendars, downloads

    def generated_digest(self) -> str:
        """The other part: the feeds' and generated files' data and the code that writes them."""
        return canonical_digest((stage_code("feeds"), self.plan.updated, self.plan.site_url, self.plan.url_path,
                                 list(self.feeds), sorted(self.files.items())))


@lru_cache(maxsize=16)
def engine_digest(repo: Path) -> str:
    """What the engine makes a site's pages from besides its plan: mkdocs.yml, the theme's folder and
    the engine's code (cache/keys.py)."""
    parts = [(repo / "mkdocs.yml").read_bytes().hex(), tree_digest(theme_folder(repo)), stage_code("engine")]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def file_digest(path: str, repo: Path, known: dict[str, str]) -> str:
    """A published file's content hash: git's blob id when git vouches for the file (a build reads
    none of the federation's photos just to see they are the same), else a hash of its bytes."""
    prefix = f"{repo}/"
    blob = known.get(path[len(prefix):]) if path.startswith(prefix) and not os.path.islink(path) else None
    return f"git:{blob}" if blob else _content_digest(path)


def _content_digest(path: str) -> str:  # not memoized: `serve` builds again in the same process after edits
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def site_unit(plan: SitePlan, feeds: list[Feed], files: dict[str, bytes], repo: Path,
              known: dict[str, str]) -> SiteUnit:
    copied = [(dest, file_digest(src, repo, known)) for src, dest in plan.files]
    keys = page_keys(plan, repo)
    # The pages' keys cover the plan except its date: hashing the whole plan again cost as much again.
    # Two parts, so that an edit of the feeds' code (outputs/) writes the feeds again but runs no MkDocs.
    pages = canonical_digest((stage_code("pages"), plan.updated, list(keys.items()), copied))
    reusable = {} if theme_reads_other_pages(repo) else keys
    generated = tuple(sorted({*(feed.path[len(plan.url_path):] for feed in feeds),
                              *(feed.atom_path[len(plan.url_path):] for feed in feeds), *files}))
    unit = SiteUnit(plan, tuple(feeds), files, repo / "mkdocs.yml", engine_digest(repo), "", reusable, pages,
                    generated)
    return replace(unit, digest=canonical_digest((pages, unit.generated_digest())))


def page_keys(plan: SitePlan, repo: Path) -> dict[str, str]:
    """Per page, a digest of what its HTML is made of: the page itself and its site's frame (theme,
    menu, site-wide data). A page's template sees the other pages only through the menu, so a new
    post leaves the pages that do not list it as they were. The site's date is left out too: it only
    dates the sitemap. A page whose key is unchanged is taken from the site's last output, not rendered
    (unless a template of theme/ reads what the keys leave out: see site_unit)."""
    files = tuple((os.path.relpath(src, repo), dest) for src, dest in plan.files)  # the repository may move
    frame = canonical_digest((engine_digest(repo), replace(plan, pages=(), updated="", files=files)))
    return {page.url: canonical_digest((frame, page)) for page in plan.pages}


JINJA_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.S)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
# MkDocs' lists of every page, the build's date and a page's sitemap date (the site's date when it has none)
UNKEYED = re.compile(r"(?<![\w.])(pages|build_date_utc)\b|\bnav\.pages\b|\bupdate_date\b")


@lru_cache(maxsize=16)
def theme_reads_other_pages(repo: Path) -> bool:
    """Whether a template of the federation's theme folder uses MkDocs' `pages`, `nav.pages`, `build_date_utc`
    or a page's `update_date` (Material's own templates use none of them)."""
    theme = theme_folder(repo)
    for path in sorted(theme.rglob("*.html")) if theme.is_dir() else []:
        tags = JINJA_TAG.findall(path.read_text(encoding="utf-8", errors="replace"))
        if any(UNKEYED.search(QUOTED.sub("", tag)) for tag in tags):
            return True
    return False
