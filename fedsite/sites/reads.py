"""Whether a site must be planned again: what it read last time (plan/reads.py), each read's digest
then and now.

A site's cache entry keeps the reads its planning recorded, each with the digest of what it named
(sites/<org>/inputs). The next build computes the digest of each of those reads again (once per
build, however many sites read it) and takes the site from the cache, unplanned, when none has
changed. There is no list of a site's inputs to keep by hand: what the planner did not read cannot
change its site, and what it read is recorded by the view it reads through. Every site also reads
the settings, the projects, the engine (mkdocs.yml, theme, engine code) and the planner's own code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Callable

from fedsite.cache.keys import stage_code
from fedsite.model.dates import build_date
from fedsite.model.digest import canonical_digest
from fedsite.plan.reads import Token
from fedsite.plan.recent import month_of, settled_of
from fedsite.plan.view import is_upcoming

if TYPE_CHECKING:
    from fedsite.plan.view import FederationView
    from fedsite.read.federation import Federation

Read = tuple[str, str, str]  # kind, key, digest
EVERY_SITE: tuple[Token, ...] = (("code", "plan"), ("engine", ""), ("settings", ""), ("projects", ""))
REL = attrgetter("source.rel")


@dataclass(frozen=True)
class Change:
    """One read whose digest differs from last time's (`before` '' when it was not read then)."""

    kind: str
    key: str
    before: str
    now: str


class ReadDigests:
    """The digest of each read as the federation is now, computed once per build."""

    def __init__(self, fed: Federation, view: FederationView, engine: str,
                 file_digest: Callable[[str], str]) -> None:
        self.fed, self.view, self.engine, self.file_digest = fed, view, engine, file_digest
        self.known: dict[Token, str] = {}
        self._events: dict[str, object] | None = None

    def of(self, token: Token) -> str:
        if token not in self.known:
            self.known[token] = self._compute(*token)
        return self.known[token]

    def reads(self, tokens: set[Token]) -> list[Read]:
        """The reads to keep with a site, with their digests: a document of an organization whose posts
        were read is left out when the posts' digest covers it (its render group's digest covers every
        document of the organization's folder): 61k of them made every build check 84k reads."""
        covered = {key for kind, key in tokens if kind == "posts" and self._group_digest(key)}
        tree = self.view.tree.untracked
        kept = set(EVERY_SITE)
        for kind, key in tokens:
            if kind == "doc" and covered:
                owner = tree.owner_of(key)
                if owner is not None and owner.id in covered:
                    continue
            kept.add((kind, key))
        return sorted((kind, key, self.of((kind, key))) for kind, key in kept)

    def changes(self, recorded: list[Read]) -> list[Change]:
        """The recorded reads that differ now (all are computed: this is for `--why` and for a miss)."""
        return [Change(kind, key, before, now) for kind, key, before in recorded
                if (now := self.of((kind, key))) != before]

    def unchanged(self, recorded: list[Read]) -> bool:
        """Whether every recorded read is as it was (stops at the first that is not)."""
        return bool(recorded) and all(self.of((kind, key)) == before for kind, key, before in recorded)

    def _compute(self, kind: str, key: str) -> str:
        fed, view = self.fed, self.view
        tree = view.tree.untracked
        if kind == "org":
            return canonical_digest(tree.orgs[key]) if key in tree.orgs else "-"
        if kind == "root":
            return tree.root
        if kind == "tree":
            return canonical_digest([(o.id, o.parent, o.url_path, o.members) for o in tree.in_order()])
        if kind == "posts":
            return self._posts(key)
        if kind == "pages":
            rendered = view.rendered.untracked
            read_key = fed.read_keys.get(key, "")
            return canonical_digest([(p.source.rel if read_key else p, rendered.digest(p.source.rel))
                                     for p in view.pages.untracked.get(key, [])])
        if kind == "intro":
            rel = view.intros.untracked.get(key)
            return view.rendered.untracked.digest(rel) if rel else "-"
        if kind == "doc":
            return view.rendered.untracked.digest(key) if key in view.rendered.untracked else "-"
        if kind == "assets":
            return canonical_digest([(dest, self.file_digest(src)) for src, dest in fed.assets.get(key, [])])
        if kind == "reports":
            return canonical_digest(view.reports.untracked.get(key, []))
        if kind == "upcoming":
            post = self._event_posts().get(key)
            return str(post is not None and is_upcoming(post, view.clock))
        if kind == "today":
            return view.clock.astimezone(fed.settings.tz).date().isoformat()
        if kind == "now":
            return view.clock.isoformat()
        if kind == "month":
            return month_of(view)
        if kind == "settled":
            return settled_of(key, view)
        if kind == "build-date":
            return build_date()
        if kind == "code":
            return stage_code(key)
        if kind == "engine":
            return self.engine
        if kind == "settings":
            return canonical_digest(fed.settings)
        if kind == "projects":
            return canonical_digest(fed.projects)
        raise ValueError(f"unknown read {kind!r}")  # a new kind of read needs its digest here

    def _posts(self, org_id: str) -> str:
        """An organization's published posts. With a read key (which covers the organization's files
        and card), how many are published says which (the newest scheduled ones are left out), and the
        render index's group digest covers their renderings: pickling every Post again was a second of
        each warm build at 1,000 sites."""
        posts = self.view.posts.untracked.get(org_id, [])
        read_key = self.fed.read_keys.get(org_id, "")
        group = self._group_digest(org_id) or self.view.rendered.untracked.digests(map(REL, posts))
        return canonical_digest((read_key, len(posts) if read_key else posts, group))

    def _group_digest(self, org_id: str) -> str:
        """The render index's digest of the organization's folder ('' when there is none to trust)."""
        org = self.view.tree.untracked.orgs.get(org_id)
        read_key = self.fed.read_keys.get(org_id, "")
        return (read_key and org is not None and self.view.rendered.untracked.group_digest(org.rel)) or ""

    def _event_posts(self) -> dict[str, object]:
        if self._events is None:
            self._events = {p.source.rel: p for posts in self.view.posts.untracked.values() for p in posts if p.event}
        return self._events


def encode(reads: list[Read]) -> str:
    return json.dumps({"version": 1, "reads": reads}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> list[Read]:
    """The reads stored with a site's cache entry ([] when there are none or they are not ours)."""
    try:
        doc = json.loads(text) if text else {}
        reads = doc.get("reads") if isinstance(doc, dict) and doc.get("version") == 1 else None
        return [(str(k), str(key), str(d)) for k, key, d in reads] if isinstance(reads, list) else []
    except (ValueError, TypeError):
        return []


WHAT = {
    "org": "карточка организации «{key}» (site.yml: название, место в дереве, члены)",
    "tree": "состав федерации (добавлены, удалены или перемещены организации)",
    "root": "корневая организация",
    "posts": "новости организации «{key}»",
    "pages": "страницы организации «{key}»",
    "intro": "вступление (index.md) организации «{key}»",
    "assets": "файлы организации «{key}»",
    "reports": "открытые отчёты организации «{key}»",
    "doc": "документ {key}",
    "upcoming": "событие {key} прошло",
    "today": "дата (мониторинг считает дни)",
    "now": "время сборки",
    "month": "месяц (свежие новости поиска стали прошлыми)",
    "settled": "новости организации «{key}» прошлых месяцев",
    "build-date": "дата сборки (у сайта нет ни одной новости)",
    "code": "код стадии «{key}» (fedsite/)",
    "engine": "mkdocs.yml, тема (theme/) или код движка",
    "settings": "настройки федерации (extra.federation в mkdocs.yml)",
    "projects": "проекты (shared/projects.yml)",
}


def describe(change: Change) -> str:
    return WHAT.get(change.kind, change.kind + " {key}").format(key=change.key)


def why_text(org_id: str, recorded: list[Read] | None, changes: list[Change], reused: str) -> str:
    """The answer of `build --why ID`, in Russian."""
    if reused == "inputs":
        return f"Сайт «{org_id}» взят из кэша: ничего из того, что он читает ({len(recorded or [])} входов), не изменилось."
    lines = []
    if not recorded:
        lines.append(f"Сайт «{org_id}» собран заново: о его прошлой сборке в кэше нет записи (первая сборка или "
                     "кэш очищен).")
    else:
        lines.append(f"Сайт «{org_id}» спланирован заново, потому что изменилось:")
        lines += [f"  — {describe(c)}" for c in changes[:50]]
        if len(changes) > 50:
            lines.append(f"  … и ещё {len(changes) - 50}")
    if reused == "digest":
        lines.append("Результат планирования тот же, что в кэше: страницы не собирались заново.")
    elif reused == "built":
        lines.append("Сайт собран заново (MkDocs).")
    return "\n".join(lines)

