"""Content digests that do not depend on how equal data happens to be shared in memory."""

from __future__ import annotations

import hashlib
import io
from importlib import metadata
import pickle
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the whole fedsite package


def canonical_digest(value: object) -> str:
    """sha256 of a pickle without its memo, so that equal data gives equal bytes however it is shared."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=4)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def tree_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


# Libraries whose upgrade may change what a cached read or rendering would be.
DEPENDENCIES = ("markdown", "pymdown-extensions", "PyYAML", "nh3", "python-slugify", "babel", "tzdata",
                "feedgen", "icalendar", "mkdocs", "mkdocs-material")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """This package's own source and its libraries' versions: a change may change any rendering or page."""
    versions = []
    for name in DEPENDENCIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return hashlib.sha256((tree_digest(PACKAGE) + "\0".join(versions)).encode()).hexdigest()
