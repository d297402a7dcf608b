"""The federation's search index (issue 17, SPEC §6): Pagefind bundles, one per subtree under the root.

Layout (output-root-relative):
  search/                 the root's own pages, and Pagefind's engine (pagefind.js, its worker, wasm)
  search/sub/<id>/        the pages of one of the root's members and everything under it (data only)
  search/bundles.json     which subtrees there are, for the "whole federation" scope

Each bundle is a federation output of its own (outputs/federation.py), so a one-post rebuild makes
again only the bundle that holds the post. A reader's query loads the engine and the bundle of its
organization's subtree (scopes "this organization" and "with its members"), or every bundle merged in
the browser (Pagefind's mergeIndex) for the whole federation. Every record carries the filter `org`:
`site:<id>` of its own organization and the id of each organization from the root down to it.

What is indexed: posts (events are posts; an open report is the post that publishes it, at
reports/<year>.html), the organization's own pages (the shared pages once, at the root), "О нас".
Not the lists that repeat posts (news, tags, archive, projects, events, the reports' list). Another
kind of page is one more function in RECORD_SOURCES."""

from __future__ import annotations

import html
import json
import re
from typing import Callable, Iterator

from fedsite.outputs.searchindex import Record, pagefind_files
from fedsite.plan.view import FederationView
from fedsite.read.tree import Org

SEARCH_DIR = "search/"
SUBTREES_DIR = SEARCH_DIR + "sub/"
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


def post_records(org: Org, view: FederationView) -> Iterator[Record]:
    for post in view.posts.get(org.id, []):
        card = view.card_of(post)
        rel = post.source.rel
        body = plain_text(view.html(view.rendered[rel])) if rel in view.rendered else card.summary
        tags = f"Метки: {', '.join(post.tags)}." if post.tags else ""
        text = " ".join(part for part in (card.title + ".", body, tags) if part)
        yield Record(card.url, text, {"title": card.title, "org": card.org, "date": card.date},
                     org_filters(org, view))


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


RECORD_SOURCES: tuple[Callable[[Org, FederationView], Iterator[Record]], ...] = (
    post_records, page_records, about_records,
)


def records_of(orgs: list[Org], view: FederationView) -> list[Record]:
    return [record for org in orgs for source in RECORD_SOURCES for record in source(org, view)]


def root_bundle(view: FederationView) -> Callable[[], dict[str, bytes]]:
    """search/: the root's own pages with the engine, and the list of subtree bundles."""
    root = view.tree[view.tree.root]
    records = records_of([root], view)
    listing = json.dumps({"root": root.id, "subtrees": list(root.members)}, ensure_ascii=False).encode("utf-8")

    def index() -> dict[str, bytes]:  # Pagefind's work: reads nothing more of the view
        files = {SEARCH_DIR + path: data for path, data in pagefind_files(records, True).items()}
        return {**files, BUNDLES_FILE: listing}
    return index


def subtree_bundle(member: str) -> Callable[[FederationView], Callable[[], dict[str, bytes]]]:
    """search/sub/<member>/: the member's pages and those of everything under it."""
    def make(view: FederationView) -> Callable[[], dict[str, bytes]]:
        records = records_of([view.tree[member], *view.tree.descendants(member)], view)
        prefix = f"{SUBTREES_DIR}{member}/"
        return lambda: {prefix + path: data for path, data in pagefind_files(records, False).items()}
    return make
