"""The published federation as the planner reads it: posts by organization, their renderings,
and what a site with members shows of its subtree, merged up the tree."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from pathlib import Path
from urllib.parse import quote

from fedsite.read.content import Post
from fedsite.read.federation import NEWEST_FIRST, Federation
from fedsite.model.dates import build_date, russian_date, russian_datetime
from fedsite.render.markup import Rendered
from fedsite.model.diagnostics import Diagnostics
from fedsite.render.htmlstore import HtmlStore
from fedsite.render.federation import render_federation
from fedsite.render.images import web_images
from fedsite.model.imagefiles import Picture, WebImage, picture
from fedsite.read.settings import Settings
from fedsite.model.slugs import tag_url
from fedsite.plan.reads import Memo, Recorder, TrackedMap, TrackedTree
from fedsite.read.tree import Org, Tree


@dataclass(frozen=True)
class TagLink:
    name: str
    url: str  # public-root-relative: the tag's page on the post's site


@dataclass(frozen=True)
class EventCard:
    start: str  # in Russian: «17 марта 2024 г., 14:30»
    start_iso: str
    end: str  # in Russian, or ''
    place: str
    online: str


@dataclass(frozen=True)
class PostCard:
    """A post as every list, post page, preview, feed and calendar shows it: one card per post,
    made once per build (FederationView.card_of). URLs are public-root-relative."""

    title: str
    url: str
    date: str  # in Russian: «17 марта 2024 г.»
    date_iso: str
    summary: str  # the front matter's, else the rendering's
    cover: str  # a file's URL (percent-encoded) or a web address; '' for none
    author: str
    org: str  # the organization's short name
    org_name: str
    org_url: str
    tags: tuple[TagLink, ...]
    projects: tuple[str, ...]
    event: EventCard | None
    picture: Picture | None = None  # the cover's web copies (a published raster image), for srcset
    gallery: tuple[Picture, ...] = ()


def card(post: Post, tree: Tree, summary: str) -> PostCard:
    """The card of a post, with its rendering's summary for when the front matter has none."""
    org = tree[post.org]
    cover = post.cover if "://" in post.cover or not post.cover else file_url(org.url_path + post.cover)
    event = None
    if post.event:
        event = EventCard(russian_datetime(post.event.start), post.event.start.isoformat(),
                          russian_datetime(post.event.end) if post.event.end else "", post.event.place,
                          post.event.online)
    return PostCard(
        title=post.title, url=org.url_path + post.url, date=russian_date(post.date), date_iso=post.date.isoformat(),
        summary=post.summary or summary, cover=cover, author=post.author, org=org.short_name, org_name=org.name,
        org_url=org.url_path + "index.html", tags=tuple(TagLink(t, org.url_path + tag_url(t)) for t in post.tags),
        projects=tuple(post.projects), event=event,
    )


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
    """The published content of the whole federation, as the planner reads it: the planner's only way
    in, each read recorded (plan/reads.py) for the site being planned."""

    tree: TrackedTree
    settings: Settings  # read by every site: part of every site's key (sites/reads.py)
    posts: TrackedMap  # org id -> published posts, newest first
    pages: TrackedMap  # org id -> pages ('' -> shared pages)
    intros: TrackedMap  # org id -> the path of its index.md, for those that have one
    assets: TrackedMap  # org id -> (source file, site-relative destination) of the files it publishes
    rendered: TrackedRendered  # source rel -> rendered, loaded from the cache when first asked for
    projects: dict[str, dict]  # read by every site, as the settings
    clock: datetime  # read through now, today and upcoming, each recorded as what it decides
    recorder: Recorder = field(compare=False, repr=False)
    store: HtmlStore = field(default_factory=lambda: HtmlStore(None), compare=False, repr=False)
    memo: Memo = field(default=None, compare=False, repr=False)  # rollups and cards, asked often
    # (org id, site-relative path) -> the web copies of a raster image the site publishes
    images: dict[tuple[str, str], WebImage] = field(default_factory=dict, compare=False, repr=False)
    reports: TrackedMap = field(default=None, compare=False, repr=False)  # org id -> published reports, newest first

    def __post_init__(self) -> None:
        if self.memo is None:
            object.__setattr__(self, "memo", Memo(self.recorder))
        if self.reports is None:
            object.__setattr__(self, "reports", TrackedMap({}, "reports", self.recorder))

    def html(self, rendered: Rendered) -> str:
        """A document's HTML, read back from the store (the view keeps only summaries and anchors)."""
        return self.store.html(rendered)

    @property
    def now(self) -> datetime:
        """The exact moment: whatever reads it is planned again in every build."""
        self.recorder.record("now")
        return self.clock

    def local_now(self) -> datetime:
        """The moment in the federation's time zone, for what changes with the date alone (monitoring)."""
        self.recorder.record("today")
        return self.clock.astimezone(self.settings.tz)

    def build_date(self) -> str:
        """The build's date (SOURCE_DATE_EPOCH, else today), for what has no date of its own."""
        self.recorder.record("build-date")
        return build_date()

    def file_size(self, org: Org, path: str) -> int:
        """The size of a file the organization publishes (an audio file a feed encloses), read as part
        of its files (("assets", id): their content digests)."""
        self.recorder.record("assets", org.id)
        return (org.folder / path).stat().st_size

    def picture(self, org: Org, path: str) -> Picture | None:
        """A published raster image's web copies (`path` site-relative), read as part of the organization's
        files (their content digests decide its sizes)."""
        image = self.images.get((org.id, path)) if path else None
        if image is None:
            return None
        self.recorder.record("assets", org.id)
        return picture(file_url(org.url_path + path), image)

    def upcoming(self, post: Post) -> bool:
        """Whether the post's event has not ended yet."""
        self.recorder.record("upcoming", post.source.rel)
        return is_upcoming(post, self.clock)

    # A site with members shows its subtree's newest posts, newest posts per project, events and counts.
    # Each is merged up the tree from the members' own, memoized: sorting the root's whole roll-up
    # (61k posts) and every territorial one's was 0.2 s of each build that rebuilt the root.

    def latest(self, org: Org) -> datetime | None:
        """The latest instant a post of the subtree was published or updated (None: it has no post)."""
        def compute() -> datetime | None:
            moments = [p.updated or p.date for p in self.posts.get(org.id, [])]
            moments += [m for m in (self.latest(self.tree[member]) for member in org.members) if m is not None]
            return max(moments, default=None)
        return self.memo.get(("latest", org.id), compute)

    def newest(self, org: Org, limit: int, members_only: bool = False) -> list[Post]:
        """The `limit` newest posts of the organization's subtree (without its own with `members_only`)."""
        def compute() -> list[Post]:
            runs = [self.newest(self.tree[m], limit) for m in org.members]
            if not members_only:
                runs.append(self.posts.get(org.id, [])[:limit])
            return merge_newest(runs, limit)
        return self.memo.get(("newest", org.id, limit, members_only), compute)

    def project_posts(self, org: Org, pid: str, limit: int) -> list[Post]:
        """The subtree's `limit` newest posts of a project."""
        def compute() -> list[Post]:
            runs = [self.project_posts(self.tree[m], pid, limit) for m in org.members]
            runs.append(self.by_project(org).get(pid, [])[:limit])
            return merge_newest(runs, limit)
        return self.memo.get(("project newest", org.id, pid, limit), compute)

    def by_project(self, org: Org) -> dict[str, list[Post]]:
        """The organization's own posts by project, newest first."""
        def compute() -> dict[str, list[Post]]:
            out: dict[str, list[Post]] = {}
            for post in self.posts.get(org.id, []):
                for pid in dict.fromkeys(post.projects):
                    out.setdefault(pid, []).append(post)
            return out
        return self.memo.get(("by project", org.id), compute)

    def project_counts(self, org: Org) -> Counter:
        """How many posts of the organization's subtree name each project."""
        def compute() -> Counter:
            counts = Counter({pid: len(posts) for pid, posts in self.by_project(org).items()})
            for member in org.members:
                counts.update(self.project_counts(self.tree[member]))
            return counts
        return self.memo.get(("project counts", org.id), compute)

    def events(self, org: Org) -> list[Post]:
        """Every post of the subtree that announces an event, newest first (as in the roll-up)."""
        def compute() -> list[Post]:
            own = [p for p in self.posts.get(org.id, []) if p.event]
            return merge_newest([own] + [self.events(self.tree[m]) for m in org.members])
        return self.memo.get(("events", org.id), compute)

    def card_of(self, post: Post) -> PostCard:
        def compute() -> PostCard:
            rel = post.source.rel
            made = card(post, self.tree, self.rendered.summary(rel) if rel in self.rendered else "")
            if not (post.cover or post.gallery):
                return made
            org = self.tree[post.org]
            return replace(made, picture=self.picture(org, post.cover),
                           gallery=tuple(p for p in (self.picture(org, g) for g in post.gallery) if p))
        return self.memo.get(("card", post.source.rel), compute)


def is_upcoming(post: Post, moment: datetime) -> bool:
    return post.event is not None and (post.event.end or post.event.start) >= moment


class TrackedRendered(TrackedMap):
    """The rendered documents (render/rendered.RenderedDocs), each one read recorded as ("doc", rel)."""

    def summary(self, rel: str) -> str:
        self._recorder.record("doc", rel)
        return self._data.summary(rel)

    def html_key(self, rel: str) -> str:
        self._recorder.record("doc", rel)
        return self._data.html_key(rel)


def federation_view(fed: Federation, now: datetime, diags: Diagnostics, cache_dir: Path | None = None,
                    workers: int = 1) -> FederationView:
    """Render the federation (render stage) and hand the planner its published content."""
    images = web_images(fed, diags, cache_dir, workers)
    rendering = render_federation(fed, now, diags, cache_dir, workers)
    assets = {org_id: images.published(files) for org_id, files in fed.assets.items()}
    sizes = {(org_id, dest): images.copies[source].image for org_id, files in fed.assets.items()
             for source, dest in files if source in images.copies}
    tree = fed.tree
    intros = {org_id: f"{tree[org_id].rel}/index.md" for org_id in fed.intros}
    recorder = Recorder()
    reports = {org_id: [r for r in found if r.approved <= now] for org_id, found in fed.reports.items()}
    return FederationView(TrackedTree(tree, recorder), fed.settings, TrackedMap(rendering.published, "posts", recorder),
                          TrackedMap(dict(fed.pages), "pages", recorder), TrackedMap(intros, "intro", recorder),
                          TrackedMap(assets, "assets", recorder), TrackedRendered(rendering.rendered, "doc", recorder),
                          fed.projects, now, recorder, rendering.store,
                          reports=TrackedMap(reports, "reports", recorder), images=sizes)
