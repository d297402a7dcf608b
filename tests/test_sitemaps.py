"""Sitemaps (issue 18): dates of the federation's time zone that follow `updated`, and robots.txt with
a sitemap index at the root, so that search engines find every site's sitemap, not the root's only."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from conftest import build_once, copy_federation

BASE = "https://fed.example.org/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITES = ["", "district-a/", "district-a/school-1/", "district-a/school-2/", "district-b/"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini federation with a post updated at 01:30 Moscow time (22:30 of the day before in UTC)."""
    repo = copy_federation("mini", tmp_path_factory.mktemp("sitemaps"))
    post = repo / "sites/region/district-a/school-1/posts/2025-01-01-yanvar.md"
    post.write_text(post.read_text(encoding="utf-8").replace("title: Январь\n",
                                                             "title: Январь\nupdated: 01.02.2025 01:30\n"),
                    encoding="utf-8")
    return build_once(repo)


def lastmods(sitemap: Path) -> dict[str, str | None]:
    return {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
            for u in ElementTree.parse(sitemap).getroot().findall("s:url", NS)}


def test_a_post_is_dated_by_its_update_on_the_federations_calendar(built: Path):
    dates = lastmods(built / "district-a/school-1/sitemap.xml")
    assert dates[BASE + "district-a/school-1/posts/yanvar.html"] == "2025-02-01"  # UTC would say 01-31
    assert dates[BASE + "district-a/school-1/index.html"] == "2025-02-01"  # the site's newest moment
    assert lastmods(built / "sitemap.xml")[BASE + "index.html"] == "2025-02-01"  # the root shows it too


def test_robots_txt_at_the_root_names_the_sitemap_index(built: Path):
    lines = (built / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {BASE}sitemap_index.xml" in lines
    assert not any("Disallow: /" == line.strip() for line in lines)
    assert not (built / "district-a/robots.txt").exists()  # crawlers read it at the root only


def test_the_sitemap_index_lists_every_sites_sitemap_with_its_date(built: Path):
    root = ElementTree.parse(built / "sitemap_index.xml").getroot()
    assert root.tag == "{%s}sitemapindex" % NS["s"]
    entries = {s.findtext("s:loc", namespaces=NS): s.findtext("s:lastmod", namespaces=NS)
               for s in root.findall("s:sitemap", NS)}
    assert sorted(entries) == sorted(BASE + site + "sitemap.xml" for site in SITES)
    for url, lastmod in entries.items():
        sitemap = built / url[len(BASE):]
        assert sitemap.is_file(), url
        home = lastmods(sitemap)[url.removesuffix("sitemap.xml") + "index.html"]
        if lastmod is not None:
            assert lastmod == home, url
    assert entries[BASE + "district-a/school-2/sitemap.xml"] is None  # no post: no date rather than today's
    assert entries[BASE + "district-a/school-1/sitemap.xml"] == "2025-02-01"
