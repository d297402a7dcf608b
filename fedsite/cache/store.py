"""One store for every cache on disk: a folder under .cache/ whose entries are files (or, for the
site store, folders) that are written atomically, read as a miss when missing or damaged, and
pruned when nothing references them.

A value entry is a checked pickle (checked.py: its sha256 is verified before a byte is unpickled),
so a damaged entry, one of another shape or one written by other code is the same as none; a
build then does the work again. Raw bytes (rendered HTML, small text files) are written the same
way, atomically; who reads them checks them (HTML by its sha256 name, text by what it must be).
Without a cache folder (--no-cache, a shard) every read is a miss and every write is skipped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from fedsite.cache.checked import read_checked, write_checked
from fedsite.model.files import write_atomic


class Store:
    """The entries of one cache folder (.cache/<kind>/), by name (a file name, or a path inside it)."""

    def __init__(self, cache: Path | None, kind: str) -> None:
        self.folder = cache / kind if cache else None

    def path(self, name: str) -> Path | None:
        return self.folder / name if self.folder else None

    def get(self, name: str, shape: type | tuple[type, ...] = object) -> Any | None:
        """The entry's value; None if it is missing, damaged or not of the `shape` expected."""
        value = read_checked(self.path(name))
        return value if isinstance(value, shape) else None

    def put(self, name: str, value: Any) -> os.stat_result | None:
        """Write the entry atomically (readers see the old value or the new one); its new stat."""
        path = self.path(name)
        return write_checked(path, value) if path is not None else None

    def get_keyed(self, name: str, key: Any) -> Any | None:
        """The value stored with `put_keyed` under the same key; None for any other entry."""
        stored = self.get(name, tuple)
        if stored is None or len(stored) != 2 or stored[0] != key:
            return None
        return stored[1]

    def put_keyed(self, name: str, key: Any, value: Any) -> None:
        self.put(name, (key, value))

    def read_bytes(self, name: str) -> bytes | None:
        """An entry's raw bytes (None if missing or unreadable): opened directly, with no stat first."""
        path = self.path(name)
        if path is None:
            return None
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None

    def read_text(self, name: str) -> str:
        """A small text entry ('' if missing, unreadable or not UTF-8)."""
        data = self.read_bytes(name)
        try:
            return data.decode("utf-8") if data is not None else ""
        except UnicodeDecodeError:
            return ""

    def write_bytes(self, name: str, data: bytes) -> None:
        path = self.path(name)
        if path is not None:
            write_atomic(path, data)

    def drop(self, *names: str) -> None:
        """Remove entries (a file, or a folder entry whole); a missing one is no error."""
        for name in names:
            path = self.path(name)
            if path is None:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def names(self) -> list[str]:
        """The entries at the top of the folder (none when it does not exist)."""
        try:
            return sorted(os.listdir(self.folder)) if self.folder else []
        except OSError:
            return []

    def prune(self, referenced: Collection[str] | Callable[[str], bool]) -> list[str]:
        """Remove every top-level entry nothing references (by name, or as `referenced(name)` says),
        leftovers of interrupted writes included; the names removed."""
        keep = referenced if callable(referenced) else referenced.__contains__
        gone = [name for name in self.names() if not keep(name)]
        self.drop(*gone)
        return gone


def stems(names: Iterable[str], *suffixes: str) -> Callable[[str], bool]:
    """A prune rule: an entry is referenced when it is `<stem><suffix>` for a stem in `names` and one
    of `suffixes` (files of other suffixes, and interrupted writes' leftovers, are not)."""
    keep = set(names)

    def referenced(name: str) -> bool:
        return any(name.endswith(suffix) and name[: -len(suffix)] in keep for suffix in suffixes)

    return referenced
