"""Cache files that carry the digest of their own content: a damaged file reads as missing.

A garbled byte in a pickle can unpickle into other data (a count, a digest) as easily as it can fail:
the sha256 written before the data is checked before a byte of it is unpickled."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from fedsite.model.files import write_atomic

MAGIC = b"fedsite-checked-1\n"
_HEAD = len(MAGIC) + 65  # the magic line, then the data's sha256 in hex and a newline


def dumps_checked(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


def is_checked(blob: bytes) -> bool:
    """Whether the bytes are whole: what `dumps_checked` wrote, their digest matching."""
    return (blob.startswith(MAGIC) and blob[_HEAD - 1:_HEAD] == b"\n"
            and hashlib.sha256(memoryview(blob)[_HEAD:]).hexdigest().encode() == blob[len(MAGIC):_HEAD - 1])


def loads_checked(blob: bytes) -> Any | None:
    """The value, or None if the bytes are not exactly what `dumps_checked` wrote."""
    if not is_checked(blob):
        return None
    try:
        return pickle.loads(memoryview(blob)[_HEAD:])
    except Exception:  # the digest matched, so this is another version's data: only a miss
        return None


def write_checked(path: Path, value: Any) -> os.stat_result:
    """Write atomically (readers see the old file or the new one); the new file's stat."""
    write_atomic(path, dumps_checked(value))
    return os.stat(path)


def read_checked(path: Path | None) -> Any | None:
    """A checked file's value; None if it is missing, unreadable or damaged."""
    if path is None:
        return None
    try:
        with open(path, "rb") as f:  # no stat first: a build reads thousands of these
            return loads_checked(f.read())
    except OSError:
        return None


class DamagedCacheEntry(Exception):
    """A cache file found damaged when it was needed and nothing could be done again in its place:
    the entry is dropped so that the next build does the work again (exit 3: not a usage error)."""
