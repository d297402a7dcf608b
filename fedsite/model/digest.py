"""Content digests that do not depend on how equal data happens to be shared in memory."""

from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path


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
