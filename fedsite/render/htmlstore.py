"""Rendered HTML on disk by its sha256, read back only when a page or feed needs it."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.cache.store import Store
from fedsite.render.markup import Rendered

_TEMPORARY: list[weakref.finalize] = []  # removers of temporary stores' folders


def remove_temporary_stores() -> None:
    """Remove the temporary folders of the stores made so far: at the end of a build, since build.py
    leaves the process without the exit hooks that would remove them."""
    while _TEMPORARY:
        _TEMPORARY.pop()()


class HtmlStore:
    """Rendered HTML by its sha256, outside the build's memory: .cache/html/ab/abcd….html.

    Only the site being planned and the feed items being written need a document's HTML, so the
    build keeps summaries and anchors in memory and reads HTML back when it is needed. Without a
    cache folder (--no-cache, a shard) a temporary folder serves, removed with the store.

    What is read back is checked against its key (its sha256): a damaged or missing file is rendered
    again by `repair` (set by the render stage) and written again."""

    def __init__(self, folder: Path | None) -> None:
        self.disk = Store(folder, "html")
        self.folder = self.disk.folder
        self.persistent = folder is not None
        self._stored: set[str] | None = None
        self.repair: Any = None  # key -> the document's HTML rendered again, or None if it cannot be

    def _root(self) -> Path:
        if self.folder is None:
            self.disk = Store(Path(tempfile.mkdtemp(prefix="fedsite-html-")), ".")
            self.folder = self.disk.folder
            _TEMPORARY.append(weakref.finalize(self, shutil.rmtree, self.folder, True))
        return self.folder

    def _name(self, key: str) -> str:
        self._root()
        return f"{key[:2]}/{key}.html"

    def put(self, rendered: Rendered) -> Rendered:
        """The same rendering, its HTML stored and replaced by the key to it."""
        if not rendered.html:
            return rendered
        key = hashlib.sha256(rendered.html.encode()).hexdigest()
        if key not in self.stored():
            self.stored().add(key)
            name = self._name(key)  # first: without a cache folder, it makes the temporary store
            self.disk.write_bytes(name, rendered.html.encode())
        return replace(rendered, html="", html_key=key)

    def html(self, rendered: Rendered) -> str:
        return rendered.html if rendered.html else self.read(rendered.html_key)

    def read(self, key: str) -> str:
        """The HTML stored under `key` ('' for an empty document)."""
        if not key:
            return ""
        data = self.disk.read_bytes(self._name(key))
        if data is not None and hashlib.sha256(data).hexdigest() == key:
            return data.decode("utf-8")  # the sha256 of what was written as UTF-8
        html = self.repair(key) if self.repair is not None else None
        if html is None:  # the next build, not finding the file, renders its document again
            self.disk.drop(self._name(key))
            raise DamagedCacheEntry(f"кэш сборки повреждён ({self._path(key)}): файл удалён; "
                                    "запустите сборку ещё раз")
        if hashlib.sha256(html.encode()).hexdigest() == key:
            self.disk.write_bytes(self._name(key), html.encode())
            self.stored().add(key)
        return html

    def has(self, key: str) -> bool:
        return not key or key in self.stored()

    def stored(self) -> set[str]:
        """The keys on disk, listed once per build (a stat per document cost more)."""
        if self._stored is None:
            self._stored = set()
            if self.persistent and self.folder.is_dir():
                for sub in os.scandir(self.folder):
                    if sub.is_dir():
                        self._stored.update(name[:-5] for name in os.listdir(sub.path)
                                            if name.endswith(".html") and not name.startswith("."))
        return self._stored

    def _path(self, key: str) -> Path:
        return self._root() / key[:2] / f"{key}.html"

    def prune(self, keep: set[str]) -> None:
        """Delete the HTML no cached rendering refers to any more."""
        if not self.persistent:
            return
        self.disk.drop(*(self._name(key) for key in self.stored() - keep))
        self._stored = set(keep & self.stored())
