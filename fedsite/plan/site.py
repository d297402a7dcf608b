"""Plan stage: for each organization, the pages its site shows and the data each page needs.

Everything here is plain data; URLs are public-root-relative ("alekseevka/posts/x.html"),
and the theme turns them into page-relative links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fedsite.plan import sitepages as pp
from fedsite.model.schema import CONTACTS, KINDS, SOCIAL
from fedsite.plan.monitoring import monitoring_pages
from fedsite.plan.previews import site_preview, with_previews
from fedsite.plan.reports import with_reports
from fedsite.plan.searchpage import search_page
from fedsite.plan.sitepages import FEEDS, PageSpec
from fedsite.plan.view import FederationView
from fedsite.read.tree import Org


@dataclass(frozen=True)
class SitePlan:
    """A site as a unit of work: its pages, the files it copies, its menu and site-wide data."""

    org: str
    url_path: str
    site_url: str
    name: str
    pages: tuple[PageSpec, ...]
    files: tuple[tuple[str, str], ...]  # (absolute source path, site-relative destination)
    nav: tuple[Any, ...]
    site: dict[str, Any]  # what every page of the site shows: chain, contacts, social, feeds
    updated: str  # YYYY-MM-DD: the newest post the site shows, else MkDocs' build date (see site_date)


def plan_site(org: Org, view: FederationView) -> SitePlan:
    """Every page of one organization's site."""
    own = view.posts.get(org.id, [])
    cards = {p.source.rel: view.card_of(p) for p in own}
    pages: list[PageSpec] = []
    pages += pp.post_pages(own, cards, view)
    pages += pp.news_pages(org, own, cards, view)
    pages += pp.taxonomy_pages(org, own, cards, view)
    pages += pp.event_pages(org, view)
    pages += pp.home_page(org, own, cards, view)
    pages += pp.about_pages(org, view)
    pages += monitoring_pages(org, view)
    pages.append(search_page(org, view))
    content_pages = pp.content_pages(org, view)
    pages += content_pages
    pages = with_previews(pages, org, view)
    pages = with_reports(pages, org, view)
    return SitePlan(
        org=org.id, url_path=org.url_path, site_url=view.settings.site_url + org.url_path,
        name=org.name, pages=tuple(pages), files=tuple(view.assets.get(org.id, [])),
        nav=tuple(pp.nav(org, content_pages, pages)), site=site_data(org, view), updated=site_date(org, view),
    )


def warm_up_plan() -> SitePlan:
    """A one-page site nobody sees, which a worker builds before its first real one."""
    return SitePlan(org="", url_path="warm-up/", site_url="https://warm-up.invalid/warm-up/", name="warm-up",
                    pages=(PageSpec("index.html", "warm-up", "main.html"),), files=(), nav=(), site={},
                    updated="2000-01-01")


def site_date(org: Org, view: FederationView) -> str:
    """The date of a site's pages in its sitemap and of its empty feeds: its newest post (own or a
    member's), so that the output depends on content, not on the day it was built. A site with no
    post at all takes MkDocs' build date (SOURCE_DATE_EPOCH, else today)."""
    latest = view.latest(org)
    return view.build_date() if latest is None else pp.local_date(latest, view.settings.tz)


def site_data(org: Org, view: FederationView) -> dict[str, Any]:
    """What every page of a site shows: the parent chain, contacts, social links and feeds."""
    tree = view.tree
    card_ = org.card
    contacts = [{"key": k, "label": CONTACTS[k], "value": str(v)}
                for k, v in (card_.get("contacts") or {}).items() if k in CONTACTS and v]
    social = [{"key": k, "label": SOCIAL[k], "url": str(v)}
              for k, v in (card_.get("social") or {}).items() if k in SOCIAL and v]
    feeds = [{"type": "application/rss+xml", "title": f"{org.short_name}: новости (RSS)",
              "url": org.url_path + FEEDS["rss"]},
             {"type": "application/atom+xml", "title": f"{org.short_name}: новости (Atom)",
              "url": org.url_path + FEEDS["atom"]}]
    if org.members:
        feeds += [{"type": "application/rss+xml", "title": f"{org.short_name} и члены организации: "
                   "новости (RSS)", "url": org.url_path + FEEDS["rss_all"]},
                  {"type": "application/atom+xml", "title": f"{org.short_name} и члены организации: "
                   "новости (Atom)", "url": org.url_path + FEEDS["atom_all"]}]
    return {
        "id": org.id, "name": org.name, "short_name": org.short_name, "kind": KINDS.get(org.kind, ""),
        "home": org.url_path + "index.html", "root": org.url_path,
        "chain": [{"name": o.short_name, "url": o.url_path + "index.html"} for o in tree.chain(org.id)],
        "contacts": contacts, "social": social, "feeds": feeds, "chair": str(card_.get("chair") or ""),
        "has_members": bool(org.members), "site_url": view.settings.site_url + org.url_path,
        "description": str(card_.get("description") or ""), "og": site_preview(org, view),
    }
