"""The published federation as the planner reads it: posts by organization, their renderings,
and what a site with members shows of its subtree, merged up the tree."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fedsite.read.content import Page, Post
from fedsite.read.federation import NEWEST_FIRST, Federation
from fedsite.model.dates import russian_date, russian_datetime
from fedsite.render.markup import Rendered
from fedsite.model.diagnostics import Diagnostics
from fedsite.render.htmlstore import HtmlStore
from fedsite.render.rendered import RenderedDocs
from fedsite.render.federation import render_federation
from fedsite.read.settings import Settings
from fedsite.model.slugs import tag_url
from fedsite.read.tree import Org, Tree


def card(post: Post, tree: Tree, summary: str) -> dict[str, Any]:
    """A post as lists, home pages and feeds show it."""
    org = tree[post.org]
    cover = post.cover if "://" in post.cover or not post.cover else file_url(org.url_path + post.cover)
    event = None
    if post.event:
        event = {"start": russian_datetime(post.event.start), "start_iso": post.event.start.isoformat(),
                 "end": russian_datetime(post.event.end) if post.event.end else "",
                 "place": post.event.place, "online": post.event.online}
    return {
        "title": post.title, "url": org.url_path + post.url, "date": russian_date(post.date),
        "date_iso": post.date.isoformat(), "summary": post.summary or summary,
        "cover": cover, "author": post.author, "org": org.short_name, "org_url": org.url_path + "index.html",
        "tags": [{"name": t, "url": org.url_path + tag_url(t)} for t in post.tags],
        "projects": list(post.projects), "event": event,
    }


def file_url(path: str) -> str:
    """A public-root-relative URL of a published file, from its path (file names may hold spaces, #, %,
    Cyrillic): each character a URL may not carry as is, percent-encoded as UTF-8 (RFC 3986)."""
    return quote(path, safe="/") if path else ""


def merge_newest(runs: list[list[Post]], limit: int | None = None) -> list[Post]:
    """The first `limit` (or all) of lists each sorted newest first, merged."""
    runs = [run for run in runs if run]
    if len(runs) == 1:
        return runs[0][:limit]
    return list(islice(heapq.merge(*runs, key=NEWEST_FIRST, reverse=True), limit))


@dataclass(frozen=True)
class FederationView:
    """The published content of the whole federation, as the planner reads it."""

    tree: Tree
    settings: Settings
    posts: dict[str, list[Post]]  # org id -> published posts, newest first
    pages: dict[str, list[Page]]  # org id -> pages ('' -> shared pages)
    intros: dict[str, str]  # org id -> the path of its index.md, for those that have one
    rendered: RenderedDocs  # source rel -> rendered, loaded from the cache when first asked for
    projects: dict[str, dict]
    now: datetime
    store: HtmlStore = field(default_factory=lambda: HtmlStore(None), compare=False, repr=False)
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # rollups and cards, asked often

    def html(self, rendered: Rendered) -> str:
        """A document's HTML, read back from the store (the view keeps only summaries and anchors)."""
        return self.store.html(rendered)

    # A site with members shows its subtree's newest posts, newest posts per project, events and counts.
    # Each is merged up the tree from the members' own, memoized: sorting the root's whole roll-up
    # (61k posts) and every territorial one's was 0.2 s of each build that rebuilt the root.

    def latest(self, org: Org) -> datetime | None:
        """The latest instant a post of the subtree was published or updated (None: it has no post)."""
        key = ("latest", org.id)
        if key not in self.memo:
            moments = [p.updated or p.date for p in self.posts.get(org.id, [])]
            moments += [m for m in (self.latest(self.tree[member]) for member in org.members) if m is not None]
            self.memo[key] = max(moments, default=None)
        return self.memo[key]

    def newest(self, org: Org, limit: int, members_only: bool = False) -> list[Post]:
        """The `limit` newest posts of the organization's subtree (without its own with `members_only`)."""
        key = ("newest", org.id, limit, members_only)
        if key not in self.memo:
            runs = [self.newest(self.tree[m], limit) for m in org.members]
            if not members_only:
                runs.append(self.posts.get(org.id, [])[:limit])
            self.memo[key] = merge_newest(runs, limit)
        return self.memo[key]

    def project_posts(self, org: Org, pid: str, limit: int) -> list[Post]:
        """The subtree's `limit` newest posts of a project."""
        key = ("project newest", org.id, pid, limit)
        if key not in self.memo:
            runs = [self.project_posts(self.tree[m], pid, limit) for m in org.members]
            runs.append(self.by_project(org).get(pid, [])[:limit])
            self.memo[key] = merge_newest(runs, limit)
        return self.memo[key]

    def by_project(self, org: Org) -> dict[str, list[Post]]:
        """The organization's own posts by project, newest first."""
        key = ("by project", org.id)
        if key not in self.memo:
            out: dict[str, list[Post]] = {}
            for post in self.posts.get(org.id, []):
                for pid in dict.fromkeys(post.projects):
                    out.setdefault(pid, []).append(post)
            self.memo[key] = out
        return self.memo[key]

    def project_counts(self, org: Org) -> Counter:
        """How many posts of the organization's subtree name each project."""
        key = ("project counts", org.id)
        if key not in self.memo:
            counts = Counter({pid: len(posts) for pid, posts in self.by_project(org).items()})
            for member in org.members:
                counts.update(self.project_counts(self.tree[member]))
            self.memo[key] = counts
        return self.memo[key]

    def events(self, org: Org) -> list[Post]:
        """Every post of the subtree that announces an event, newest first (as in the roll-up)."""
        key = ("events", org.id)
        if key not in self.memo:
            own = [p for p in self.posts.get(org.id, []) if p.event]
            self.memo[key] = merge_newest([own] + [self.events(self.tree[m]) for m in org.members])
        return self.memo[key]

    def card_of(self, post: Post) -> dict[str, Any]:
        key = ("card", post.source.rel)
        if key not in self.memo:
            rel = post.source.rel
            self.memo[key] = card(post, self.tree, self.rendered.summary(rel) if rel in self.rendered else "")
        return self.memo[key]


def federation_view(fed: Federation, now: datetime, diags: Diagnostics, cache_dir: Path | None = None,
                    workers: int = 1) -> FederationView:
    """Render the federation (render stage) and hand the planner its published content."""
    rendering = render_federation(fed, now, diags, cache_dir, workers)
    tree = fed.tree
    intros = {org_id: f"{tree[org_id].rel}/index.md" for org_id in fed.intros}
    return FederationView(tree, fed.settings, rendering.published, dict(fed.pages), intros, rendering.rendered,
                          fed.projects, now, rendering.store)
