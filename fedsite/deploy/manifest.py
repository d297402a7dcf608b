"""The output's manifest (every published file's size and sha256) without reading 100,000 files.

The build already keeps one: each site in .cache/sites/<id>/ has a manifest of its own files, written
as the site was stored, and .cache/output.json records which build of each site the output folder
holds, with its home page's size and mtime as a witness. A site whose recorded build is the cached
one and whose witness holds takes its part from the cache's manifest. Every file of the output is
listed (a listing reads no file); those no verified manifest describes (the files beside the root
site: robots.txt, the sitemap index, the search index; every file of a site kept with --keep-going,
built without the cache, or of an output the record does not describe) are hashed once and known
after by their size and mtime (OtherDigests)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from fedsite.build.output import MARKER, site_witness
from fedsite.cache.sites import MANIFEST, SiteCache, parse_manifest
from fedsite.model.files import write_atomic

Files = dict[str, tuple[int, str]]  # output-relative path -> (size, sha256)


@dataclass(frozen=True)
class OutputManifest:
    """Every file of the output, and how many of them had to be read to know their digests."""

    files: Files
    hashed: int


def output_manifest(out: Path, cache: Path | None) -> OutputManifest:
    """The manifest of the output folder `out`: every file listed (not read); its digest from the build's
    manifest of its site where that holds, else read and hashed."""
    sites = _placed_sites(out, cache) or {"": ("", "", None)}
    folders = {url_path for url_path, _, _ in sites.values()}
    files: Files = {}
    others = OtherDigests(cache)
    for org_id, (url_path, digest, witness) in sites.items():
        if not (out / url_path).is_dir():
            continue
        members = {p[len(url_path):-1] for p in folders if p != url_path and p.startswith(url_path)
                   and p[len(url_path):-1].count("/") == 0}
        own = _cached_manifest(cache, org_id, digest) if witness == site_witness(out / url_path) else None
        for path in _list_files(out / url_path, url_path, members):
            known = own.get(path[len(url_path):]) if own else None
            files[path] = known if known is not None else others.digest(out, path)
    others.save()
    return OutputManifest(files, others.read)


class OtherDigests:
    """Digests of the files no site's manifest describes (the federation outputs beside the root site:
    robots.txt, the sitemap index, the search index of every page), kept in .cache/deploy/ with each
    file's size and mtime: a file is read again only when either changed, as git's index does. The
    build replaces only the federation files whose bytes changed, so the others keep their mtime."""

    def __init__(self, cache: Path | None) -> None:
        self.path = cache / "deploy" / "digests.json" if cache else None
        self.known: dict[str, list] = {}
        self.now: dict[str, list] = {}
        self.read = 0
        try:
            self.known = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except (OSError, ValueError):
            pass

    def digest(self, out: Path, path: str) -> tuple[int, str]:
        st = os.stat(out / path)
        entry = self.known.get(path)
        if not (isinstance(entry, list) and len(entry) == 3 and entry[:2] == [st.st_size, st.st_mtime_ns]):
            entry = [st.st_size, st.st_mtime_ns, _digest(out / path)[1]]
            self.read += 1
        self.now[path] = entry
        return entry[0], entry[2]

    def save(self) -> None:
        if self.path is not None and self.now != self.known:
            write_atomic(self.path, json.dumps(self.now).encode())


def _placed_sites(out: Path, cache: Path | None) -> dict[str, tuple[str, str, list[int] | None]] | None:
    """What .cache/output.json says `out` holds: url path, digest and witness by organization."""
    if cache is None:
        return None
    try:
        record = json.loads((cache / "output.json").read_text(encoding="utf-8"))
        if record["out"] != str(out.resolve()):
            return None
        return {str(org): (str(url), str(digest), witness) for org, (url, digest, witness) in record["sites"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _cached_manifest(cache: Path | None, org_id: str, digest: str) -> Files | None:
    """The cached site's manifest (files only) if the cache holds the build the output holds."""
    sites = SiteCache(cache)
    if sites.folder is None or not digest or sites.digest(org_id) != digest:
        return None
    try:
        files = parse_manifest((sites.folder / org_id / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    return None if files is None else {rel: value for rel, value in files.items() if value is not None}


def _list_files(folder: Path, prefix: str, skip: set[str]) -> list[str]:
    """Every file under `folder` (but the entries named in `skip` and the output marker), by path."""
    files: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name in skip or entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                files += _list_files(Path(entry.path), f"{prefix}{entry.name}/", set())
            elif entry.is_file(follow_symlinks=False):
                files.append(prefix + entry.name)
    return files


def _digest(path: Path) -> tuple[int, str]:
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256")
    return path.stat().st_size, digest.hexdigest()
