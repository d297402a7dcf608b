"""The federation's search index (issue 17, SPEC §6): Pagefind bundles, two per subtree under the root.

Layout (output-root-relative):
  search/                 the root's own settled pages, and Pagefind's engine (pagefind.js, its worker, wasm)
  search/sub/<id>/        the settled pages of one of the root's members and everything under it (data only)
  search/recent/<id>/     this month's posts of the root's own site (id: the root's) or of a group of the
                          root's members' subtrees (id: the group's first member; recent_groups)
  search/bundles.json     which subtrees there are, and which recent bundles have posts, for the scopes

Recent: posts dated on or after the start of the current month (federation time, plan/recent.py); settled:
older posts, pages and «О нас». Each bundle is a federation output of its own (outputs/federation.py),
cached with what it read: a settled bundle reads its posts as ("settled", id) and the month not at all,
so a new post makes again only its group's recent bundle (a month of a few subtrees' posts),
and a settled bundle is made again when an old post or page changes or the month turns. A reader's
query loads the engine, the settled bundle of its organization's subtree and the recent bundle that
holds that subtree's (scopes "this organization" and "with its members"), or every bundle merged in the
browser (Pagefind's mergeIndex) for the whole federation. Every record carries the filter `org`:
`site:<id>` of its own organization and the id of each organization from the root down to it.

What is indexed: posts (events are posts; an open report is the post that publishes it, at
reports/<year>.html), the organization's own pages (the shared pages once, at the root), "О нас".
Not the lists that repeat posts (news, tags, archive, projects, events, the reports' list). Another
kind of page is one more function in SETTLED_SOURCES (or RECENT_SOURCES, for what is dated)."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from fedsite.model.dates import russian_date
from fedsite.outputs.searchindex import Record, pagefind_files
from fedsite.plan.recent import recent_posts, settled_posts
from fedsite.plan.view import FederationView
from fedsite.read.content import Post
from fedsite.read.tree import Org
from fedsite.render.markup import Rendered

SEARCH_DIR = "search/"
SUBTREES_DIR = SEARCH_DIR + "sub/"
RECENT_DIR = SEARCH_DIR + "recent/"
BUNDLES_FILE = SEARCH_DIR + "bundles.json"
FILTER = "org"
SITE_PREFIX = "site:"

_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|table|thead|tbody|tr|td|th|blockquote|pre|br|hr|"
                        r"figure|figcaption|section|details|summary|iframe|img)\b[^>]*>", re.I)
_HEADING_END = re.compile(r"([^\s.!?:;…>])\s*(</h[1-6]>)", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(markup: str) -> str:
    """The words of an HTML fragment (a sanitized rendering: no script or style): a block's tags are a
    space, an inline tag nothing (so that «школу</a>.» stays «школу.»), headings' ¶ links left out, and a
    heading ends with a full stop (else a result's excerpt runs it into the text: «Итоги Провели…»)."""
    text = _HEADING_END.sub(r"\1. ", _PERMALINK.sub("", markup))
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", text))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def org_filters(org: Org, view: FederationView) -> dict[str, list[str]]:
    """`site:<id>` for the scope "this organization"; each id from the root down for "with its members".
    The ids only, read untracked: an organization's own card (read with its posts) holds its parent's id,
    and an edit of the root's card would otherwise index every subtree again."""
    return {FILTER: [SITE_PREFIX + org.id] + [o.id for o in view.tree.untracked.chain(org.id)]}


def post_record(org: Org, post: Post, view: FederationView, rendered: Mapping[str, Rendered]) -> Record:
    """A post's record; its rendering read through `rendered` (tracked, or untracked when the settled
    read covers it)."""
    rel = post.source.rel
    body = plain_text(view.html(rendered[rel])) if rel in rendered else post.summary
    tags = f"Метки: {', '.join(post.tags)}." if post.tags else ""
    text = " ".join(part for part in (post.title + ".", body, tags) if part)
    return Record(org.url_path + post.url, text,
                  {"title": post.title, "org": org.short_name, "date": russian_date(post.date)}, org_filters(org, view))


def recent_post_records(org: Org, view: FederationView) -> Iterator[Record]:
    for post in recent_posts(org, view):
        yield post_record(org, post, view, view.rendered)


def settled_post_records(org: Org, view: FederationView) -> Iterator[Record]:
    for post in settled_posts(org, view):
        yield post_record(org, post, view, view.rendered.untracked)


def page_records(org: Org, view: FederationView) -> Iterator[Record]:
    pages = list(view.pages.get(org.id, []))
    if org.id == view.tree.root:  # the shared pages, shown by every site, are found once: at the root
        own = {p.url for p in pages}
        pages += [p for p in view.pages.get("", []) if p.url not in own]
    for page in pages:
        body = plain_text(view.html(view.rendered[page.source.rel]))
        yield Record(org.url_path + page.url, f"{page.title}. {body}",
                     {"title": page.title, "org": org.short_name, "date": ""}, org_filters(org, view))


def about_records(org: Org, view: FederationView) -> Iterator[Record]:
    card = org.card
    contacts = " ".join(str(v) for v in (card.get("contacts") or {}).values() if v)
    text = " ".join(str(part) for part in (org.name, card.get("description") or "", card.get("chair") or "",
                                           contacts) if part)
    yield Record(org.url_path + "pages/about.html", text,
                 {"title": f"О нас: {org.short_name}", "org": org.short_name, "date": ""}, org_filters(org, view))


Source = Callable[[Org, FederationView], Iterator[Record]]
SETTLED_SOURCES: tuple[Source, ...] = (settled_post_records, page_records, about_records)
RECENT_SOURCES: tuple[Source, ...] = (recent_post_records,)


def records_of(orgs: list[Org], view: FederationView, sources: tuple[Source, ...]) -> list[Record]:
    return [record for org in orgs for source in sources for record in source(org, view)]


def subtree(member: str, view: FederationView) -> list[Org]:
    return [view.tree[member], *view.tree.descendants(member)]


Made = Callable[[], dict[str, bytes]]  # Pagefind's work: reads nothing more of the view


def bundle(records: list[Record], folder: str, with_engine: bool = False) -> Made:
    """The bundle's files under `folder`; none for no records (a subtree without a post this month)."""
    def index() -> dict[str, bytes]:
        if not records:
            return {}
        return {folder + path: data for path, data in pagefind_files(records, with_engine).items()}
    return index


def root_bundle(view: FederationView) -> Made:
    """search/: the root's own settled pages, with the engine."""
    return bundle(records_of([view.tree[view.tree.root]], view, SETTLED_SOURCES), SEARCH_DIR, with_engine=True)


def subtree_bundle(member: str) -> Callable[[FederationView], Made]:
    """search/sub/<member>/: the settled pages of the member and of everything under it."""
    return lambda view: bundle(records_of(subtree(member, view), view, SETTLED_SOURCES), f"{SUBTREES_DIR}{member}/")


def recent_groups(root: str, members: list[str]) -> list[tuple[str, list[str]]]:
    """(name, member ids) of each recent bundle: the root's own site alone, and the root's members in tree
    order, ceil(√n) of them a bundle, named by its first. A reader's query in the whole federation loads
    one index chunk (~40 kB) of every bundle, whatever its size: 22 recent bundles at 1,023 sites added
    ~1 MB to it; 5 add ~0.2 MB, and one new post re-indexes its group's month (~350 posts, ~3 s)."""
    size = max(1, math.isqrt(len(members) - 1) + 1) if members else 1
    return [(root, [])] + [(members[i], members[i:i + size]) for i in range(0, len(members), size)]


def group_orgs(name: str, members: list[str], view: FederationView) -> list[Org]:
    """The organizations whose posts a recent bundle holds: the root's own site (no members: name is the
    root's id) or the subtrees of a group of the root's members."""
    return [org for m in members for org in subtree(m, view)] if members else [view.tree[name]]


def recent_bundle(name: str, members: list[str]) -> Callable[[FederationView], Made]:
    """search/recent/<name>/: this month's posts of a group (group_orgs)."""
    return lambda view: bundle(records_of(group_orgs(name, members, view), view, RECENT_SOURCES),
                               f"{RECENT_DIR}{name}/")


def bundle_list(view: FederationView) -> dict[str, bytes]:
    """search/bundles.json: the subtrees' settled bundles, the recent ones that have posts this month, and
    which recent bundle holds each subtree's (the root's own: its id)."""
    root = view.tree[view.tree.root]
    groups = recent_groups(root.id, list(root.members))
    recent = [name for name, members in groups
              if any(recent_posts(org, view) for org in group_orgs(name, members, view))]
    listing = {"root": root.id, "subtrees": list(root.members), "recent": recent,
               "recent_of": {m: name for name, members in groups for m in members}}
    return {BUNDLES_FILE: json.dumps(listing, ensure_ascii=False).encode("utf-8")}


def search_outputs(root: str, members: Iterable[str]) -> list[tuple[str, Callable[[FederationView], object]]]:
    """(name, make) of each search output (outputs/federation.py): the root's settled bundle, each member's,
    the recent bundles (recent_groups), and the list of them. (A name with a dot is no member's: an
    organization's id has none.)"""
    members = list(members)
    return [("search", root_bundle), ("search.list", bundle_list),
            *((f"search-{member}", subtree_bundle(member)) for member in members),
            *((f"search.recent-{name}", recent_bundle(name, group)) for name, group in recent_groups(root, members))]
