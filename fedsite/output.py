"""Write stage: assemble the sites into a fresh folder beside the target and swap it in atomically."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .tree import Tree


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out`; on success it replaces `out`, on failure it vanishes.

    The previous output stays byte-for-byte as it was until the final rename."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.new-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old bytes or the new ones, never half of them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def place_site(staged: Path, final: Path) -> None:
    """Move a site built on its own into its place in the assembled tree (members' folders stay)."""
    final.mkdir(parents=True, exist_ok=True)
    for entry in staged.iterdir():
        target = final / entry.name
        if target.exists():
            raise FileExistsError(f"{target} is written by two sites")
        os.replace(entry, target)


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
