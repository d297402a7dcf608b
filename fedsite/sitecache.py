"""Sites as units of work with known inputs: a content digest decides whether a site is rebuilt.

The digest covers the site's plan (its pages' HTML and data, the files it copies, by content), its
feeds and other generated files, the base mkdocs.yml, the theme and this package's own code: hashed
by content, never by mtime, since a CI clone gives every file a new mtime."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import build_date
from .diagnostics import Diagnostics
from .digest import canonical_digest, code_digest, tree_digest
from .feeds import Feed
from .monitoring import has_monitoring
from .plan import SitePlan
from .yamlfile import load_file

if TYPE_CHECKING:
    from .federation import Federation
    from .view import FederationView

@dataclass(frozen=True)
class SiteUnit:
    """Everything one worker needs to build one site, and the digest of it."""

    plan: SitePlan
    feeds: tuple[Feed, ...]
    files: dict[str, bytes]  # generated files: calendars, monitoring downloads
    base_config: Path
    digest: str
    page_keys: dict[str, str]  # page URL -> digest of everything its HTML shows; {} when not to reuse


@lru_cache(maxsize=16)
def engine_digest(repo: Path) -> str:
    """The inputs every site shares: mkdocs.yml, the theme's folder, our code and our libraries' versions."""
    parts = [(repo / "mkdocs.yml").read_bytes().hex(), tree_digest(theme_folder(repo)), code_digest()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def theme_folder(repo: Path) -> Path:
    """The federation's theme overrides: the custom_dir mkdocs.yml names (SPEC §2: theme/)."""
    doc = load_file(repo / "mkdocs.yml", Diagnostics(repo))
    theme = doc.data.get("theme") if doc is not None else None
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return repo / str(custom) if custom else repo / "theme"


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
    digest = canonical_digest((plan.updated, list(keys.items()), copied, feeds, sorted(files.items())))
    reusable = {} if theme_reads_other_pages(repo) else keys
    return SiteUnit(plan, tuple(feeds), files, repo / "mkdocs.yml", digest, reusable)


def page_keys(plan: SitePlan, repo: Path) -> dict[str, str]:
    """Per page, a digest of what its HTML is made of: the page itself and its site's frame (theme,
    menu, site-wide data). A page's template sees the other pages only through the menu, so a new
    post leaves the pages that do not list it as they were. The site's date is left out too: it only
    dates the sitemap. A page whose key is unchanged is taken from the site's last output, not rendered
    (unless a template of theme/ reads what the keys leave out: see site_unit)."""
    frame = canonical_digest((engine_digest(repo), replace(plan, pages=(), updated="")))
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


REL = attrgetter("source.rel")


def input_digests(fed: Federation, view: FederationView, today: str) -> dict[str, str]:
    """Per site, a digest of everything its plan reads, computed without planning it.

    A site shows its own content and its descendants' (home, roll-ups, directory, monitoring), its
    ancestors' names (the chain), the shared pages and projects, and what the clock decides
    (published or scheduled, upcoming or past events, the monitoring date)."""
    tree = fed.tree
    digest = view.rendered.digest  # from the render cache's index: no rendering is loaded for this
    shared = canonical_digest((engine_digest(fed.repo), fed.projects, fed.settings,
                               [(p, digest(p.source.rel)) for p in fed.pages.get("", [])]))
    subtree: dict[str, str] = {}
    digests = view.rendered.digests
    for org in reversed(tree.in_order()):  # members before their parents
        posts = view.posts.get(org.id, [])
        # With a read key (which covers the organization's files and card), how many posts are published
        # says which (the newest scheduled ones are left out): pickling every Post again was a second of
        # each warm build at 1,000 sites, and a tuple per post 0.08 s.
        read_key = fed.read_keys.get(org.id, "")
        published = len(posts) if read_key else posts
        rendered = (read_key and view.rendered.group_digest(org.rel)) or digests(map(REL, posts))
        own = (org.id, org.card, org.url_path, org.members, read_key, published, rendered,
               [(p.source.rel, (p.event.end or p.event.start) >= view.now) for p in posts if p.event],
               [(p.source.rel if read_key else p, digest(p.source.rel))
                for p in fed.pages.get(org.id, [])],
               digest(view.intros[org.id]) if org.id in view.intros else "",
               [(dest, file_digest(src, fed.repo, fed.file_hashes)) for src, dest in fed.assets[org.id]])
        subtree[org.id] = canonical_digest((own, [subtree[m] for m in org.members]))
    out = {}
    for org in tree.in_order():
        chain = [(o.id, o.short_name, o.name, o.url_path) for o in tree.chain(org.id)]
        # Only the monitoring pages count days, and a site with no post at all dates its pages by the
        # build (plan.site_date); the others do not change with the date alone (events and scheduled
        # posts are in the subtree digest), so they are not rebuilt every day.
        dated = today if has_monitoring(org, view) else ""
        if view.latest(org) is None:
            dated += "|" + build_date()
        out[org.id] = canonical_digest((shared, chain, subtree[org.id], dated))
    return out


class SiteCache:
    """Built sites by organization and digest under .cache/sites/; None disables it."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder / "sites" if folder else None

    def _entry(self, org: str) -> Path | None:
        return self.folder / org if self.folder else None

    def lookup(self, unit: SiteUnit) -> Path | None:
        """The cached output of a site whose planned unit is the same."""
        return self._find(unit.plan.org, "digest", unit.digest)

    def lookup_inputs(self, org: str, inputs: str) -> Path | None:
        """The cached output of a site whose inputs are the same: no need even to plan it."""
        return self._find(org, "inputs", inputs)

    def _find(self, org: str, name: str, digest: str) -> Path | None:
        if digest and self._read(org, name) == digest:
            return self.folder / org / "out"
        return None

    def _read(self, org: str, name: str) -> str:
        """A small file of the site's entry ('' if there is none): opened directly, as a build reads
        ~3,000 of them."""
        if self.folder is None:
            return ""
        try:
            with open(os.path.join(self.folder, org, name), encoding="utf-8") as f:
                return f.read()
        except (OSError, ValueError):
            return ""

    def digest(self, org: str) -> str:
        """The digest of the site's cached output (as `lookup` compares it)."""
        return self._read(org, "digest")

    def pages(self, org: str) -> int:
        text = self._read(org, "pages")
        return int(text) if text.isdigit() else 0

    def store(self, org: str, digest: str, inputs: str, built: Path | None, pages: int = 0,
              keys: dict[str, str] | None = None) -> None:
        """Remember a site's output and its pages' keys (or, with built None, new inputs for the output
        already cached)."""
        entry = self._entry(org)
        if entry is None:
            return
        if built is not None:
            shutil.rmtree(entry, ignore_errors=True)
            entry.mkdir(parents=True)
            link_tree(built, entry / "out")
            (entry / "pages").write_text(str(pages))
            (entry / "page-keys.json").write_text(json.dumps(keys or {}))  # only beside the output they describe
        (entry / "digest").write_text(digest)
        (entry / "inputs").write_text(inputs)

    def reusable_pages(self, unit: SiteUnit) -> dict[str, str]:
        """Page URL -> HTML of the pages whose key is the same as in the site's cached output."""
        entry = self._entry(unit.plan.org)
        try:
            previous = json.loads((entry / "page-keys.json").read_text()) if entry else {}
        except (OSError, ValueError):
            return {}
        reused = {}
        for url, key in unit.page_keys.items():
            if isinstance(previous, dict) and previous.get(url) == key:
                try:
                    # Bytes decoded as they are: read_text would turn a \r in a title into \n.
                    reused[url] = (entry / "out" / url).read_bytes().decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    pass
        return reused

    def prune(self, keep: set[str]) -> None:
        """Forget organizations that no longer exist."""
        if self.folder and self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry.name not in keep:
                    shutil.rmtree(entry, ignore_errors=True)


def link_tree(source: Path, dest: Path) -> None:
    """Copy a folder by hard links where the file system allows (outputs are never edited in place).

    A plain scandir walk: shutil.copytree's per-folder copystat made this a second of every
    warm build at 200 sites."""
    os.makedirs(dest)
    for entry in os.scandir(source):
        target = os.path.join(dest, entry.name)
        if entry.is_dir(follow_symlinks=False):
            link_tree(Path(entry.path), Path(target))
        else:
            try:
                os.link(entry.path, target)
            except OSError:
                shutil.copy2(entry.path, target)
