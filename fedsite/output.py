"""Write stage: put the built sites in place, so that a half-written output is never deployed.

A full build assembles every site in a fresh folder beside the target and swaps it in with one
rename. When the target holds the output of an earlier cached build (recorded in the cache as
output.json), only the sites that changed are swapped in, each site whole or not at all: relinking a
thousand unchanged sites and deleting the old copy cost ~4 s of every one-post build."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .tree import Tree


@contextmanager
def scratch_beside(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out` (on its file system, so renames between them are atomic),
    removed however the build ends."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def swap_in(assembled: Path, out: Path, scratch: Path) -> None:
    """Replace `out` by `assembled` in one rename; the previous output goes to `scratch`, to be removed."""
    out = out.resolve()
    if out.exists():
        os.replace(out, scratch / ".previous")
    os.replace(assembled, out)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old bytes or the new ones, never half of them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_pickle(path: Path, value: Any) -> None:
    write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def read_pickle(path: Path | None) -> Any | None:
    """A cache file's data; None if it is missing or cannot be read (a damaged or older cache is only
    a slower build)."""
    if path is None:
        return None
    try:
        with open(path, "rb") as f:  # no stat first: a build reads ~3,000 of these
            return pickle.loads(f.read())
    except Exception:
        return None


def place_site(staged: Path, final: Path) -> None:
    """Move a site built on its own into its place in the assembled tree (members' folders stay)."""
    final.mkdir(parents=True, exist_ok=True)
    for entry in staged.iterdir():
        target = final / entry.name
        if target.exists():
            raise FileExistsError(f"{target} is written by two sites")
        os.replace(entry, target)


def replace_site(staged: Path, final: Path, members: tuple[str, ...], trash: Path) -> None:
    """Swap a site's own files in the live output for a newly built copy; its members' folders stay.
    If the swap fails or is interrupted half-way, the site's old files are put back."""
    clash = set(os.listdir(staged)) & set(members)
    if clash:
        raise FileExistsError(f"{final / sorted(clash)[0]} is written by two sites")
    trash.mkdir(parents=True)
    final.mkdir(parents=True, exist_ok=True)
    old = [name for name in os.listdir(final) if name not in members]
    new = os.listdir(staged)
    try:
        for name in old:
            os.replace(final / name, trash / name)
        for name in new:
            os.replace(staged / name, final / name)
    except BaseException:
        for name in new:
            if (final / name).exists() and not (staged / name).exists():
                os.replace(final / name, staged / name)
        for name in old:
            if (trash / name).exists():
                os.replace(trash / name, final / name)
        raise


def keep_previous(previous: Path, final: Path, org_id: str, tree: Tree) -> bool:
    """Copy an organization's last good output (without its members' folders); False if none."""
    member_dirs = {m for m in tree[org_id].members}
    if not (previous / "index.html").is_file():
        return False
    final.mkdir(parents=True, exist_ok=True)
    for entry in previous.iterdir():
        if entry.name in member_dirs or (entry.is_dir() and (entry / "index.html").is_file()
                                         and entry.name in tree.orgs):
            continue
        target = final / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, symlinks=False)
        else:
            shutil.copy2(entry, target)
    return True


class PlacedSites:
    """What the output folder holds: per site, the digest of the build placed there, with the size
    and mtime of its home page as a witness (.cache/output.json).

    A shard build forgets the record; any other writer of that folder (a build without the cache, a
    hand edit of a home page) leaves a witness that does not match; either way the next build
    assembles everything afresh. The record is removed while sites are being swapped in, so an
    interrupted swap is never taken for a finished one."""

    def __init__(self, cache: Path | None) -> None:
        self.path = cache / "output.json" if cache else None

    def load(self, out: Path, tree: Tree) -> dict[str, str] | None:
        """Digest by organization of what `out` holds, or None if only a full assembly is safe."""
        if self.path is None or not self.path.is_file():
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            sites = record["sites"]
            if record["out"] != str(out.resolve()) or sites.keys() != tree.orgs.keys():
                return None
            digests = {}
            for org_id, (url_path, digest, witness) in sites.items():
                if url_path != tree[org_id].url_path or witness != _witness(out / url_path):
                    return None
                digests[org_id] = digest
        except (ValueError, TypeError, KeyError, AttributeError):  # a damaged or older record
            return None
        return digests

    def forget(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def save(self, out: Path, tree: Tree, digests: dict[str, str]) -> None:
        if self.path is None:
            return
        sites = {org.id: (org.url_path, digests.get(org.id, ""), _witness(out / org.url_path))
                 for org in tree.in_order()}
        write_atomic(self.path, json.dumps({"out": str(out.resolve()), "sites": sites}).encode())


def _witness(site: Path) -> list[int] | None:
    """Size and mtime of a site's home page: a build that wrote it again leaves another mtime."""
    try:
        st = os.stat(site / "index.html")
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]
