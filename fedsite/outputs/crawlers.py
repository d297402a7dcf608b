"""What search engines read first (issue 18): `robots.txt` at the federation's root naming a sitemap
index, and the index listing every site's `sitemap.xml` (MkDocs writes each site's, of its own pages):
without them a search engine found the root's sitemap only."""

from __future__ import annotations

from xml.sax.saxutils import escape

from fedsite.plan.sitepages import local_date
from fedsite.plan.view import FederationView, file_url

ROBOTS = "robots.txt"
SITEMAP_INDEX = "sitemap_index.xml"
SITEMAP = "sitemap.xml"


def crawler_files(view: FederationView) -> dict[str, bytes]:
    """Output-root-relative path -> bytes of robots.txt and the sitemap index (a federation output)."""
    base = view.settings.site_url + file_url(view.tree[view.tree.root].url_path)
    return {ROBOTS: robots_txt(base + SITEMAP_INDEX).encode("utf-8"),
            SITEMAP_INDEX: sitemap_index(view).encode("utf-8")}


def robots_txt(index_url: str) -> str:
    """Everything may be crawled; where the sitemaps are (Yandex and Google read `Sitemap:`)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {index_url}\n"


def sitemap_index(view: FederationView) -> str:
    """Every site's sitemap, each dated by the newest post its site shows (in the federation's time
    zone, as the sitemaps' own dates); a site with no post has no date, rather than the build's."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for org in view.tree.in_order():
        lines.append(f"  <sitemap><loc>{escape(view.settings.site_url + file_url(org.url_path) + SITEMAP)}</loc>")
        latest = view.latest(org)
        if latest is not None:
            lines[-1] += f"<lastmod>{local_date(latest, view.settings.tz)}</lastmod>"
        lines[-1] += "</sitemap>"
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"
