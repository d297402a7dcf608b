"""A build's renderings by document path, those of groups reused whole loaded only when asked for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fedsite.cache.checked import DamagedCacheEntry
from fedsite.render.markup import Rendered
from fedsite.render.jobs import RenderResult
from fedsite.render.rendercache import GroupIndex, RenderCache, group_name


class RenderedDocs(Mapping):
    """Renderings by document path. Those of groups reused whole are loaded from the cache only when
    a page being planned asks for one; their digests are known at once from the index."""

    def __init__(self, cache: RenderCache, results: dict[str, RenderResult], reused: dict[str, GroupIndex],
                 indexed: dict[str, GroupIndex] | None = None) -> None:
        self._cache = cache
        self._indexes = {**(indexed or {}), **reused}  # every group whose renderings are all indexed
        self._loaded = {rel: result.rendered for rel, result in results.items()}
        self._digests = {rel: rendered.digest for rel, rendered in self._loaded.items()}
        self._pending: dict[str, str] = {}  # document path -> its group's name, until loaded
        for name, index in reused.items():
            for rel, (_, digest, _) in index.docs.items():
                self._pending[rel] = name
                self._digests[rel] = digest
        self._reused = reused

    def __getitem__(self, rel: str) -> Rendered:
        if rel not in self._loaded and rel in self._pending:
            name = self._pending[rel]
            group = self._cache.group(name)
            for doc, (key, _, _) in self._reused[name].docs.items():
                if key not in group:  # damaged since the render stage checked its size and mtime
                    self._cache.forget_damaged(self._reused)
                    raise DamagedCacheEntry(f"кэш сборки повреждён ({self._cache.folder}/{name}.pickle); "
                                            "повреждённое будет отрисовано заново: запустите сборку ещё раз")
                self._loaded[doc] = group[key].rendered
                del self._pending[doc]
        return self._loaded[rel]

    def digest(self, rel: str) -> str:
        """A document's rendered digest, without loading its rendering."""
        return self._digests[rel]

    def group_digest(self, folder: str) -> str:
        """One digest of all the rendered digests of an organization folder's documents, when this build
        reused or indexed them whole ('' otherwise): no need to gather them document by document."""
        index = self._indexes.get(group_name(folder))
        return index.digest if index is not None else ""

    def digests(self, rels: Iterable[str]) -> list[str]:
        """Many documents' rendered digests at once (in C: a call per post was 0.04 s of every build)."""
        return list(map(self._digests.__getitem__, rels))

    def summary(self, rel: str) -> str:
        """A document's summary, without loading its group's renderings."""
        if rel in self._loaded:
            return self._loaded[rel].summary
        summaries = self._cache.summaries(self._pending[rel])
        return summaries[rel] if rel in summaries else self[rel].summary

    def html_key(self, rel: str) -> str:
        """Where the store keeps a document's HTML, without loading its rendering."""
        if rel in self._loaded:
            return self._loaded[rel].html_key
        return self._reused[self._pending[rel]].docs[rel][2]

    def __contains__(self, rel: object) -> bool:
        return rel in self._digests

    def __iter__(self):
        return iter(self._digests)

    def __len__(self) -> int:
        return len(self._digests)
