"""Feeds stage (SPEC §7): one feed-item model, rendered by feedgen into RSS 2.0 and Atom."""

from __future__ import annotations

import mimetypes
from collections import OrderedDict
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from fedsite.read.content import Post
from fedsite.render.markup import SUMMARY_CHARS
from fedsite.render.sanitize import clean_html, html_text
from fedsite.plan.previews import PODCAST_IMAGE, clip, theme_file_url
from fedsite.plan.sitepages import FEEDS
from fedsite.plan.view import FederationView, file_url
from fedsite.read.tree import Org

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

ATOM_NS = "{http://www.w3.org/2005/Atom}"
ITUNES_NS = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST_CATEGORY = "Education"  # Apple's category list: what the federation's recordings are
_ID_NAMESPACE = uuid.UUID("6f0c6a55-3d2c-4c55-9f5e-2c7a3f1a0b11")


def item_id(org_id: str, post_id: str) -> str:
    """The never-changing id of a post in every feed: from the organization id and the post id only."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{org_id}/{post_id}')}"


@dataclass(frozen=True)
class Enclosure:
    url: str
    length: int
    mime: str


@dataclass(frozen=True)
class FeedItem:
    """A post as every feed shows it: absolute URLs, an aware date, a stable id."""

    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    content: str
    categories: tuple[tuple[str, str], ...]  # (term, label)
    author: str  # the post's, else its organization's name: RFC 4287 wants an author in every entry
    cover: str
    enclosure: Enclosure | None


@dataclass(frozen=True)
class Feed:
    """A feed's channel: where it lives and what it holds."""

    path: str  # public-root-relative path of the RSS file; Atom beside it
    atom_path: str
    title: str
    description: str
    home: str  # absolute URL of the page the feed belongs to
    items: tuple[FeedItem, ...]
    author: str = ""  # the organization's name
    image: str = ""  # absolute URL of the square picture podcast apps show (feeds with audio or video)


def build_item(post: Post, view: FederationView) -> FeedItem:
    """The feed item of a published post."""
    org = view.tree[post.org]
    card = view.card_of(post)
    base = view.settings.site_url
    url = base + card.url
    cover = card.cover if "://" in card.cover or not card.cover else base + card.cover
    content = (f'<p><img src="{cover}" alt=""></p>' if cover else "") + view.store.read(view.rendered.html_key(post.source.rel))
    categories = [(t.name, t.name) for t in card.tags]
    categories += [(pid, str(view.projects[pid]["title"])) for pid in card.projects]
    return FeedItem(
        id=item_id(post.org, post.post_id), title=card.title, url=url, published=post.date,
        # The summary at most as long as an automatic one: the full text follows in the same item (an
        # excerpt above <!-- more --> was a second copy of ~2 KB in every item of every feed).
        updated=post.updated or post.date, summary=clip(card.summary, SUMMARY_CHARS),
        content=clean_html(content, view.settings.iframe_hosts, base_url=url),
        categories=tuple(categories), author=card.author or card.org_name, cover=cover,
        enclosure=_enclosure(post, org, view),
    )


def _absolute(value: str, org: Org, base: str) -> str:
    if not value:
        return ""
    return value if "://" in value else base + file_url(org.url_path + value)  # a file's name, encoded


def _enclosure(post: Post, org: Org, view: FederationView) -> Enclosure | None:
    media = post.audio or post.video
    if not media:
        return None
    mime = mimetypes.guess_type(media.split("?")[0])[0] or ("audio/mpeg" if post.audio else "video/mp4")
    length = 0
    if "://" not in media:
        length = view.file_size(org, media)
    return Enclosure(_absolute(media, org, view.settings.site_url), length, mime)


def render_feed(feed: Feed, site_url: str, empty_date: datetime) -> tuple[bytes, bytes]:
    """RSS 2.0 and Atom bytes of a feed; deterministic for the same items."""
    from feedgen.feed import FeedGenerator  # here: only the processes that write feeds load it (and lxml)

    fg = FeedGenerator()
    podcast = any(item.enclosure for item in feed.items)
    if podcast:
        fg.load_extension("podcast")
    fg.load_extension("dc")
    fg.load_extension("media")
    newest = max((i.updated for i in feed.items), default=empty_date)
    fg.id(site_url + feed.atom_path)
    fg.title(feed.title)
    fg.subtitle(feed.description or feed.title)
    fg.language("ru")
    fg.updated(newest)
    fg.lastBuildDate(newest)
    fg.pubDate(newest)
    fg.generator("fedsite")
    if feed.author:  # Atom: the feed's author stands for entries without one (RFC 4287 §4.1.1)
        fg.author(name=feed.author)
    if podcast:  # what Apple Podcasts and the apps that follow it require of a show
        fg.podcast.itunes_author(feed.author or feed.title)
        fg.podcast.itunes_explicit("no")  # written as Apple's "false" by _itunes_explicit
        fg.podcast.itunes_summary(html_text(feed.description or feed.title))
        fg.podcast.itunes_category(PODCAST_CATEGORY)
        if feed.image:
            fg.podcast.itunes_image(feed.image)
    for item in feed.items:
        _add_entry(fg, item, podcast)
    fg.description(html_text(feed.description or feed.title))  # readers render it as HTML (Atom: type html)
    # feedgen takes the last link for RSS's channel <link>: the site's page, not the feed (RSS 2.0).
    fg.link(href=site_url + feed.path, rel="self", type="application/rss+xml")
    fg.link(href=feed.home, rel="alternate", type="text/html")
    rss = fg.rss_str(pretty=True)
    if podcast:
        rss = _itunes_explicit(rss)
    fg.link(href=site_url + feed.atom_path, rel="self", type="application/atom+xml", replace=True)
    fg.link(href=feed.home, rel="alternate", type="text/html")
    atom = _atom_links(fg.atom_str(pretty=True), feed.items)
    return rss, atom


def _itunes_explicit(rss: bytes) -> bytes:
    """Apple takes `explicit` as "true" or "false" (feedgen 1.0.0 writes only yes, no or clean)."""
    from lxml import etree

    root = etree.fromstring(rss)
    for explicit in root.iter(f"{ITUNES_NS}explicit"):
        explicit.text = "false"
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _add_entry(fg: FeedGenerator, item: FeedItem, podcast: bool) -> None:
    fe = fg.add_entry(order="append")
    fe.id(item.id)
    fe.guid(item.id, permalink=False)
    fe.title(item.title)
    fe.link(href=item.url, rel="alternate", type="text/html")
    fe.published(item.published)
    fe.updated(item.updated)
    fe.summary(html_text(item.summary or item.title), type="html")  # Atom too: readers render it
    fe.description(html_text(item.summary or item.title))  # RSS: readers render it as HTML
    fe.content(item.content, type="html")  # escaped HTML: RFC 4287 knows text, html and xhtml
    for term, label in item.categories:
        fe.category(term=term, label=label)
    if item.author:
        fe.author(name=item.author)
        fe.dc.dc_creator(item.author)
    if item.cover:
        fe.media.thumbnail(url=item.cover)
    if item.enclosure:
        fe.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.mime)
        if podcast:  # an episode; escaped once as the description, since readers take it for one
            fe.podcast.itunes_summary(html_text(item.summary or item.title))


def _atom_links(atom: bytes, items: tuple[FeedItem, ...]) -> bytes:
    """feedgen 1.0.0 drops rel, type and length from Atom entry links: put them back."""
    from lxml import etree

    links = {}
    for item in items:
        links[item.url] = {"rel": "alternate", "type": "text/html"}
        if item.enclosure:
            links[item.enclosure.url] = {"rel": "enclosure", "type": item.enclosure.mime,
                                         "length": str(item.enclosure.length)}
    root = etree.fromstring(atom)
    for subtitle in root.iter(f"{ATOM_NS}subtitle"):  # escaped text, as the RSS description (html_text)
        subtitle.set("type", "html")
    for entry in root.iter(f"{ATOM_NS}entry"):
        for link in entry.iter(f"{ATOM_NS}link"):
            for key, value in links.get(link.get("href"), {}).items():
                link.set(key, value)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def site_feeds(org: Org, view: FederationView, items: dict[str, FeedItem]) -> list[Feed]:
    """Every feed a site publishes: its own, the roll-up; on the root, per project.

    No feed per tag: SPEC §7 does not ask for one, and at 1,000 sites they were 15% of the output."""
    limit, own_limit = view.settings.feed_items, view.settings.own_feed_items
    base = view.settings.site_url
    home = base + org.url_path
    own = view.posts.get(org.id, [])

    def pick(posts: list[Post], most: int = limit) -> tuple[FeedItem, ...]:
        return tuple(items.of(p) for p in posts[:most])

    who = {"author": org.name, "image": theme_file_url(view, PODCAST_IMAGE)}
    feeds = [Feed(org.url_path + FEEDS["rss"], org.url_path + FEEDS["atom"], f"{org.short_name}: новости",
                  str(org.card.get("description") or org.name), home, pick(own, own_limit), **who)]
    if org.members:
        feeds.append(Feed(org.url_path + FEEDS["rss_all"], org.url_path + FEEDS["atom_all"],
                          f"{org.short_name} и члены организации: новости",
                          f"Новости организации {org.name} и всех её членов", home, pick(view.newest(org, limit)),
                          **who))
    if org.id == view.tree.root:
        for pid, project in view.projects.items():
            path = org.url_path + f"posts/projects/{pid}"
            feeds.append(Feed(path + ".xml", path + ".atom.xml", f"{project['title']}: новости федерации",
                              project.get("description", ""), base + path + ".html",
                              pick(view.project_posts(org, pid, limit)), **who))
    return feeds


class LazyItems(OrderedDict):
    """Feed items by post path, each built the first time a feed asks for it; the least recently
    used are forgotten beyond `keep`, since an item carries its post's whole HTML. A site served an
    item built for another has read what building it read (plan/reads.py)."""

    def __init__(self, view: FederationView, keep: int = 2000) -> None:
        super().__init__()
        self.view = view
        self.keep = keep

    def of(self, post: Post) -> FeedItem:
        rel = post.source.rel
        recorder = self.view.recorder
        if rel in self:
            self.move_to_end(rel)
            item, reads = self[rel]
            recorder.record_all(reads)
            return item
        with recorder.recording() as reads:
            item = build_item(post, self.view)
        self[rel] = (item, frozenset(reads))
        if len(self) > self.keep:
            self.popitem(last=False)
        return item


def feed_files(feeds: list[Feed], site_url: str, url_path: str, site_date: str) -> dict[str, bytes]:
    """Site-relative path -> bytes of every RSS and Atom file of a site's feeds."""
    out = {}
    for feed in feeds:
        rss, atom = render_feed(feed, site_url, datetime.fromisoformat(site_date).replace(tzinfo=timezone.utc))
        out[feed.path[len(url_path):]] = rss
        out[feed.atom_path[len(url_path):]] = atom
    return out
