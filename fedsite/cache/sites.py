"""Built sites by organization under .cache/sites/: each a copy of the output, its manifest (every
file's size and sha256), its digest, what its planning read and its pages' keys. Nothing is trusted:
what is copied out is hashed against the manifest, and a damaged entry is dropped and rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.cache.store import Store

MANIFEST = "manifest.json"  # beside out/: every folder and file of it, each file's size and sha256


class SiteCache:
    """Built sites by organization and digest under .cache/sites/; None disables it.

    Each entry is checked, not trusted. Its output is a copy of its own (never a hard link to a
    published file) with a manifest of every folder and file (size, sha256) written when it is
    stored. A lookup reads only the entry's digest (a warm build leaves most sites where they are
    and copies nothing); whatever is copied out of an entry (link_tree) or read from it
    (reusable_pages) is hashed against the manifest, and a damaged entry is dropped and the site
    built again."""

    def __init__(self, folder: Path | None) -> None:
        self.disk = Store(folder, "sites")
        self.folder = self.disk.folder

    def _entry(self, org: str) -> Path | None:
        return self.folder / org if self.folder else None

    def lookup(self, org: str, digest: str) -> Path | None:
        """The cached output of a site whose planned unit (its digest) is the same."""
        return self._find(org, "digest", digest)

    def recorded(self, org: str) -> tuple[str, str]:
        """The digest of the cached site's output and what planning it read, each read's digest then
        (sites/reads.py); ('', '') when there is no entry."""
        digest = self._read(org, "digest")
        return (digest, self._read(org, "inputs")) if digest else ("", "")

    def output(self, org: str) -> Path | None:
        """The cached output of the site (its digest in `digest`), if there is one."""
        return self.folder / org / "out" if self.folder and self._read(org, "digest") else None

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
        return self.disk.read_text(f"{org}/{name}")

    def digest(self, org: str) -> str:
        """The digest of the site's cached output (as `lookup` compares it)."""
        return self._read(org, "digest")

    def pages(self, org: str) -> int:
        text = self._read(org, "pages")
        return int(text) if text.isdigit() else 0

    def pages_hit(self, org: str, pages_digest: str) -> tuple[Path, list[str]] | None:
        """The cached output of a site whose pages (what MkDocs made) are the same, and the files written
        after MkDocs that it holds (feeds, calendars, downloads): only those need writing again."""
        if not pages_digest or not self._read(org, "digest") or self._read(org, "pages-digest") != pages_digest:
            return None
        try:
            generated = json.loads(self._read(org, "generated.json"))
        except ValueError:
            return None
        if not isinstance(generated, list) or not all(isinstance(rel, str) for rel in generated):
            return None
        return self.folder / org / "out", generated

    def store(self, org: str, digest: str, inputs: str, built: Path | None, pages: int = 0,
              keys: dict[str, str] | None = None, pages_digest: str = "", generated: tuple[str, ...] = ()) -> None:
        """Remember a site's output (a copy, with its manifest) and its pages' keys (or, with built
        None, new inputs for the output already cached). The digest is written last: an entry stored
        half-way is a miss."""
        entry = self._entry(org)
        if entry is None:
            return
        if built is not None:
            self.disk.drop(f"{org}/digest", org)
            entry.mkdir(parents=True)
            files = copy_tree(built, entry / "out")
            manifest = manifest_bytes(files)
            self.disk.write_bytes(f"{org}/{MANIFEST}", manifest)
            self.disk.write_bytes(f"{org}/pages", str(pages).encode())
            # Only beside the output they describe.
            self.disk.write_bytes(f"{org}/page-keys.json", json.dumps(keys or {}).encode())
            self.disk.write_bytes(f"{org}/generated.json", json.dumps(list(generated)).encode())
            self.disk.write_bytes(f"{org}/pages-digest", pages_digest.encode())
        self.disk.write_bytes(f"{org}/inputs", inputs.encode())
        self.disk.write_bytes(f"{org}/digest", digest.encode())

    def reusable_pages(self, org: str, page_keys: dict[str, str]) -> dict[str, str]:
        """Page URL -> HTML of the pages whose key is the same as in the site's cached output and
        whose file is the one its manifest describes (hashed as it is read)."""
        entry = self._entry(org)
        if entry is None:
            return {}
        try:
            previous = json.loads(self.disk.read_bytes(f"{org}/page-keys.json") or b"")
        except ValueError:
            return {}
        files = parse_manifest(self.disk.read_bytes(f"{org}/{MANIFEST}") or b"")
        if not isinstance(previous, dict) or files is None:
            return {}
        reused = {}
        for url, key in page_keys.items():
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
        self.disk.prune(keep)


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
