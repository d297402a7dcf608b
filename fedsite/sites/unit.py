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

from fedsite.model.dates import build_date
from fedsite.cache.checked import DamagedCacheEntry
from fedsite.model.digest import canonical_digest, code_digest, tree_digest
from fedsite.outputs.feeds import Feed
from fedsite.plan.monitoring import has_monitoring
from fedsite.plan.site import SitePlan
from fedsite.read.settings import theme_folder

if TYPE_CHECKING:
    from fedsite.read.federation import Federation
    from fedsite.plan.view import FederationView

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


MANIFEST = "manifest.json"  # beside out/: every folder and file of it, each file's size and sha256


class SiteCache:
    """Built sites by organization and digest under .cache/sites/; None disables it.

    Each entry is checked, not trusted. Its output is a copy of its own (never a hard link to a
    published file) with a manifest of every folder and file (size, sha256) written when it is
    stored. An entry is used only while its files are those of the manifest: every lookup compares
    out/'s sizes and mtimes (a stat per file, no read: a warm build leaves most sites where they
    are and copies nothing) with those recorded when the entry was last verified; when they differ
    (an edited, truncated, removed or added file, or a copy of the cache that did not keep mtimes),
    every file is hashed against the manifest, and the entry is a miss unless all match. Whatever
    is actually copied or read from an entry is hashed in full."""

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
        """The entry's out/ if its digest matches. Not checked here: what is copied out of it is hashed
        against its manifest by `link_tree` (a damaged entry is dropped and the site built instead), and
        a site already in the output folder is not copied at all; stat'ing every file first as well cost
        1.5-3 s of a full reassembly at 1,023 sites."""
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
        """Remember a site's output (a copy, with its manifest) and its pages' keys (or, with built
        None, new inputs for the output already cached). The digest is written last: an entry stored
        half-way is a miss."""
        entry = self._entry(org)
        if entry is None:
            return
        if built is not None:
            (entry / "digest").unlink(missing_ok=True)
            shutil.rmtree(entry, ignore_errors=True)
            entry.mkdir(parents=True)
            files = copy_tree(built, entry / "out")
            manifest = manifest_bytes(files)
            (entry / MANIFEST).write_bytes(manifest)
            (entry / "pages").write_text(str(pages))
            (entry / "page-keys.json").write_text(json.dumps(keys or {}))  # only beside the output they describe
        (entry / "digest").write_text(digest)
        (entry / "inputs").write_text(inputs)

    def reusable_pages(self, unit: SiteUnit) -> dict[str, str]:
        """Page URL -> HTML of the pages whose key is the same as in the site's cached output and
        whose file is the one its manifest describes (hashed as it is read)."""
        entry = self._entry(unit.plan.org)
        try:
            previous = json.loads((entry / "page-keys.json").read_text()) if entry else {}
            files = parse_manifest((entry / MANIFEST).read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(previous, dict) or files is None:
            return {}
        reused = {}
        for url, key in unit.page_keys.items():
            if previous.get(url) == key and url in files:
                try:
                    data = (entry / "out" / url).read_bytes()
                    if (len(data), hashlib.sha256(data).hexdigest()) == files[url]:
                        # Bytes decoded as they are: read_text would turn a \r in a title into \n.
                        reused[url] = data.decode("utf-8")
                except (OSError, UnicodeDecodeError):
                    pass
        return reused

    def prune(self, keep: set[str]) -> None:
        """Forget organizations that no longer exist."""
        if self.folder and self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry.name not in keep:
                    shutil.rmtree(entry, ignore_errors=True)


Files = dict[str, tuple[int, str] | None]  # path in the site -> (size, sha256) of a file, None for a folder


def manifest_bytes(files: Files) -> bytes:
    return json.dumps({"version": 1, "files": files}, sort_keys=True, separators=(",", ":")).encode()


def parse_manifest(data: bytes) -> Files | None:
    """The manifest's files and folders; None if it is not one this code wrote."""
    try:
        doc = json.loads(data)
        files = doc["files"] if doc.get("version") == 1 else None
        return {str(rel): (None if v is None else (int(v[0]), str(v[1]))) for rel, v in files.items()}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


CHUNK = 1 << 22


def copy_file(src: str, dst: str) -> tuple[int, str]:
    """Copy a file's bytes into a new file (never a link: what the cache holds and what is published
    must not be one file) and return the size and sha256 of what was copied."""
    h, size = hashlib.sha256(), 0
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while chunk := fin.read(CHUNK):
            h.update(chunk)
            fout.write(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def copy_tree(source: Path, dest: Path) -> Files:
    """Copy a built site's folder (a plain scandir walk: shutil.copytree's per-folder copystat cost a
    second of every warm build at 200 sites); the copy's manifest."""
    files: Files = {}
    _copy(str(source), str(dest), "", files, None)
    return files


def _copy(source: str, dest: str, prefix: str, files: Files, expected: Files | None) -> None:
    os.mkdir(dest)
    with os.scandir(source) as entries:
        for entry in entries:
            rel = prefix + entry.name
            target = os.path.join(dest, entry.name)
            is_dir = entry.is_dir()
            if expected is not None and (rel not in expected or entry.is_symlink()
                                         or (expected[rel] is None) != is_dir):
                raise _Mismatch(rel)
            if is_dir:
                files[rel] = None
                _copy(entry.path, target, rel + "/", files, expected)
            else:
                files[rel] = copy_file(entry.path, target)
                if expected is not None and files[rel] != expected[rel]:
                    raise _Mismatch(rel)


class _Mismatch(Exception):
    pass


def link_tree(source: Path, dest: Path) -> None:
    """Copy a cached site's output into `dest`, hashing every file against the entry's manifest.

    (Once hard links, so that published files were the cache's own files: damage to one reached the
    other.) If a file differs from the manifest, or one is missing or added, the entry is dropped,
    so that the next build builds the site again, and DamagedCacheEntry is raised; lookups compare
    sizes and mtimes first, so this is damage that kept both (or happened during the build)."""
    entry = source.parent
    try:
        expected = parse_manifest((entry / MANIFEST).read_bytes())
    except OSError:
        expected = None
    if expected is None:
        raise _damaged(entry, MANIFEST)
    copied: Files = {}
    try:
        _copy(str(source), str(dest), "", copied, expected)
        missing = sorted(expected.keys() - copied.keys())
        if missing:
            raise _Mismatch(missing[0])
    except (_Mismatch, OSError) as e:
        shutil.rmtree(dest, ignore_errors=True)
        if isinstance(e, OSError) and not str(e.filename or "").startswith(str(source)):
            raise  # writing the copy failed (a full disk, say): not the cache's fault
        raise _damaged(entry, f"out/{e.args[0]}" if isinstance(e, _Mismatch) else str(e)) from None


def _damaged(entry: Path, what: str) -> DamagedCacheEntry:
    for name in ("digest", "inputs"):
        (entry / name).unlink(missing_ok=True)
    return DamagedCacheEntry(f"кэш сайта «{entry.name}» повреждён ({what}); сайт будет собран заново: "
                             "запустите сборку ещё раз")
