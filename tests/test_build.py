"""End-to-end: the mini federation built and judged with an HTML parser."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def site_pages(public: Path) -> list[Path]:
    return sorted(public.rglob("*.html"))


def test_every_site_is_built_at_its_tree_path(built_mini: Path) -> None:
    for path in ["index.html", "district-a/index.html", "district-a/school-1/index.html",
                 "district-a/school-2/index.html", "district-b/index.html"]:
        assert (built_mini / path).is_file(), path


def test_every_page_links_up_the_parent_chain(built_mini: Path) -> None:
    page = built_mini / "district-a/school-1/posts/uroki.html"
    chain = soup(page).select(".fed-chain a")
    assert [a.get_text() for a in chain] == ["Регион", "ТО А", "Школа 1"]
    targets = [posixpath.normpath(posixpath.join("district-a/school-1/posts", a["href"])) for a in chain]
    assert targets == ["index.html", "district-a/index.html", "district-a/school-1/index.html"]
    for html in site_pages(built_mini):
        if html.name != "404.html":
            assert soup(html).select(".fed-chain a"), f"{html} has no parent chain"


def test_no_link_points_at_a_missing_file(built_mini: Path) -> None:
    missing = []
    for html in site_pages(built_mini):
        if html.name == "404.html":  # served for any path, so Material links it from the site root
            continue
        page = soup(html)
        for tag, attr in (("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")):
            for el in page.find_all(tag):
                url = el.get(attr)
                if not url or urlsplit(url).scheme or url.startswith(("#", "//")):
                    continue
                target = (html.parent / unquote(urlsplit(url).path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    missing.append(f"{html.relative_to(built_mini)} -> {url}")
    assert missing == []


def test_directory_lists_every_member_as_a_tree(built_mini: Path) -> None:
    page = soup(built_mini / "pages/directory.html")
    names = [a.get_text() for a in page.select(".fed-directory a")]
    assert names == ["Территориальная организация А", "Первичная организация школы 1",
                     "Первичная организация школы 2", "Территориальная организация Б"]
    nested = page.select(".fed-directory .fed-directory a")
    assert [a.get_text() for a in nested] == ["Первичная организация школы 1", "Первичная организация школы 2"]
    assert not (built_mini / "district-a/school-1/pages/directory.html").exists()


def test_cross_site_link_points_at_the_other_sites_page(built_mini: Path) -> None:
    page = soup(built_mini / "posts/lekciya.html")
    link = page.find("a", string="ссылкой на школу")
    assert link["href"] == "../district-a/school-1/posts/uroki.html#итоги"
    other = soup(built_mini / "district-b/pages/kontakty.html").find("a", string="семинар соседей")
    assert (built_mini / "district-b/pages" / other["href"]).resolve() == \
        (built_mini / "district-a/posts/seminar-v-raione.html").resolve()


def test_drafts_and_scheduled_posts_are_published_nowhere(built_mini: Path) -> None:
    everything = "".join(p.read_text(encoding="utf-8", errors="ignore")
                         for p in built_mini.rglob("*") if p.is_file() and p.suffix in {".html", ".xml", ".json", ".ics"})
    assert "Черновик" not in everything
    assert "Запланированная новость" not in everything
    assert not (built_mini / "posts/budushchee.html").exists()


def test_post_page_shows_russian_date_author_tags_share_links(built_mini: Path) -> None:
    page = soup(built_mini / "posts/lekciya.html")
    assert page.select_one(".fed-post__meta time").get_text() == "17 марта 2024 г."
    assert page.select_one(".fed-post__author").get_text() == "Лектор"
    assert [a.get_text() for a in page.select(".fed-tag")] == ["#лекция"]
    assert [a.get_text() for a in page.select(".fed-project")] == ["Профсоюз – территория здоровья"]
    share = {a["data-share"]: a["href"] for a in page.select(".fed-share a")}
    assert share["vk"].startswith("https://vk.com/share.php?url=https%3A%2F%2Ffed.example.org%2Fposts%2Flekciya.html")
    assert share["ok"].startswith("https://connect.ok.ru/offer?url=")
    assert share["telegram"].startswith("https://t.me/share/url?url=")
    assert page.select_one("audio")["src"] == "../assets/lecture.mp3"


def test_home_shows_members_news_and_news_list_paginates(built_mini: Path) -> None:
    home = soup(built_mini / "index.html")
    member_titles = [a.get_text() for a in home.select(".fed-home__members .fed-card__title a")]
    assert member_titles == ["Январь", "Открытые уроки", "Семинар в районе", "Летний лагерь"]
    assert "Вводный текст региона." in home.select_one(".fed-intro").get_text()
    first = soup(built_mini / "posts/index.html")
    assert len(first.select(".fed-card")) == 2  # posts_per_page: 2 in the fixture
    assert not (built_mini / "posts/page/2.html").exists()  # the region has exactly 2 published posts


def test_project_pages_gather_the_subtree_with_counts_per_member(built_mini: Path) -> None:
    page = soup(built_mini / "posts/projects/obrazovanie.html")
    titles = [a.get_text() for a in page.select(".fed-card__title a")]
    assert titles == ["С Новым годом", "Открытые уроки", "Семинар в районе"]
    assert [a["href"] for a in page.select(".fed-members a")] == ["../../district-a/posts/projects/obrazovanie.html"]
    assert "(2)" in page.select_one(".fed-members").get_text()
    district = soup(built_mini / "district-a/posts/projects/obrazovanie.html")
    assert [a.get_text() for a in district.select(".fed-card__title a")] == ["Открытые уроки", "Семинар в районе"]
    school = soup(built_mini / "district-a/school-1/posts/projects/obrazovanie.html")
    assert [a.get_text() for a in school.select(".fed-card__title a")] == ["Открытые уроки"]
    assert school.select_one(".fed-members") is None


def test_project_page_of_a_large_subtree_shows_only_the_latest(mini: Path) -> None:
    config = mini / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("feed_items: 5", "feed_items: 5\n    rollup_items: 2"),
                      encoding="utf-8")
    out = mini / "public"
    assert build(mini, out, Diagnostics(mini)) is not None
    page = soup(out / "posts/projects/obrazovanie.html")
    assert [a.get_text() for a in page.select(".fed-card__title a")] == ["С Новым годом", "Открытые уроки"]
    assert "Последние 2 из 3" in page.select_one(".fed-shown").get_text()


def test_about_page_from_site_card(built_mini: Path) -> None:
    page = soup(built_mini / "district-a/pages/about.html")
    text = page.get_text()
    assert "Территориальная организация А" in text
    assert [a.get_text() for a in page.select(".fed-about__chain a")] == ["Регион"]
    assert [a.get_text() for a in page.select(".fed-about__members a")] == \
        ["Первичная организация школы 1", "Первичная организация школы 2"]


def test_shared_pages_are_on_every_site(built_mini: Path) -> None:
    for site in ["", "district-a/", "district-a/school-1/", "district-b/"]:
        assert "Эта страница есть на каждом сайте" in (built_mini / site / "pages/obshchaya.html").read_text()


def test_pages_advertise_feeds_and_search_is_russian(built_mini: Path) -> None:
    head = soup(built_mini / "district-a/posts/index.html").head
    feeds = {(l["type"], l["href"]) for l in head.find_all("link", rel="alternate")}
    assert ("application/rss+xml", "../feed.xml") in feeds
    assert ("application/atom+xml", "../atom-all.xml") in feeds
    entry = json.loads((built_mini / "search/pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["ru"]  # the federation's index (issue 17), with Russian stemming
    assert not list(built_mini.rglob("search_index.json"))  # no Material (lunr) index on any site
    page = soup(built_mini / "district-a/posts/index.html")
    assert page.select_one("a.md-skip").get_text() == "Перейти к содержанию"  # Material's words, in Russian
    assert page.find("script", id="__config") is None  # no page config: Material's script is not loaded


def test_no_page_refers_to_outside_hosts_for_assets(built_mini: Path) -> None:
    for html in site_pages(built_mini):
        page = soup(html)
        for el in page.find_all(["link", "script", "img"]):
            url = el.get("href") or el.get("src") or ""
            if el.name == "link" and el.get("rel") in (["alternate"], ["canonical"]):
                continue
            assert not urlsplit(url).scheme, f"{html}: {url}"


def test_titles_with_markup_are_shown_as_text(mini: Path) -> None:
    from fedsite.build.pipeline import build
    from fedsite.model.diagnostics import Diagnostics

    (mini / "sites/region/posts/2024-06-01-xss.md").write_text(
        '---\ntitle: "<img src=x onerror=alert(1)> & «кавычки»"\nsummary: "<script>alert(2)</script>"\n'
        'tags: ["<b>жирный</b>"]\n---\nТекст\n', encoding="utf-8")
    pages = mini / "sites/region/pages"
    pages.mkdir()
    (pages / "x.md").write_text('---\ntitle: "<svg onload=alert(3)>"\n---\nТекст\n', encoding="utf-8")
    assert build(mini, mini / "public", Diagnostics(mini), jobs=1)
    for html in ["posts/xss.html", "index.html", "posts/index.html", "pages/x.html", "posts/tags/index.html"]:
        page = soup(mini / "public" / html)
        assert not page.find_all(["script"], string=lambda s: s and "alert" in s), html
        assert not [el for el in page.find_all(True) if any(a.startswith("on") for a in el.attrs)], html
        assert not page.find("svg", attrs={"onload": True}), html
    assert "<img src=x onerror=alert(1)> & «кавычки»" in soup(mini / "public/posts/xss.html").h1.get_text()


def test_summary_is_the_text_above_the_more_comment(mini: Path) -> None:
    from fedsite.build.pipeline import check
    from fedsite.model.diagnostics import Diagnostics

    (mini / "sites/region/posts/2024-06-02-more.md").write_text(
        "---\ntitle: Т\n---\nПервый *абзац*.\n\nВторой абзац.\n\n<!-- more -->\n\nДальше.\n\n"
        "```\n<!-- more -->\n```\n", encoding="utf-8")
    _, view = check(mini, Diagnostics(mini))
    assert view.rendered["sites/region/posts/2024-06-02-more.md"].summary == "Первый абзац. Второй абзац."


def test_automatic_summary_is_a_short_lead_of_the_first_paragraph(mini: Path) -> None:
    from fedsite.build.pipeline import check

    words = " ".join(f"слово{i}" for i in range(200))
    (mini / "sites/region/posts/2024-06-03-long.md").write_text(
        f"---\ntitle: Т\n---\n{words}\n\nВторой абзац.\n", encoding="utf-8")
    _, view = check(mini, Diagnostics(mini))
    summary = view.rendered["sites/region/posts/2024-06-03-long.md"].summary
    assert summary.startswith("слово0 слово1 ") and summary.endswith(" …") and len(summary) <= 300


def test_sitemap_dates_come_from_the_content_not_the_build_day(built_mini: Path) -> None:
    from xml.etree import ElementTree

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ElementTree.parse(built_mini / "district-a/school-1/sitemap.xml").getroot().findall("s:url", ns)
    dates = {u.findtext("s:loc", namespaces=ns).rsplit("/", 1)[-1]: u.findtext("s:lastmod", namespaces=ns)
             for u in urls}
    assert dates["uroki.html"] == "2024-05-01"  # published 01.05.2024 00:00 Moscow time: that day, not UTC's
    assert dates["index.html"] == "2025-01-01"  # the site's newest post (01.01.2025 Moscow)
