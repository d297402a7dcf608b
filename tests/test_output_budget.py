"""The output budget (issue 16, item 1) as a reader meets it: tag pages in pages linked to one another,
post pages that are mostly their text, feeds of the length chosen, share buttons with their icons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import PROJECT, build_once
from readers import CHROMIUM, browser, served  # noqa: F401 (browser: the shared Chromium fixture)

# A post page's bytes beyond its article's text, at most: the 6 KB (bench/README.md says where
# they go). Before issue 16 the mini federation's post pages carried 17-19 KB, 11-12 KB before the page
# frame of our own; 4.7-5.9 KB since.
MARKUP_LIMIT = 6 * 1024


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def add_posts(site: Path, n: int, tag: str) -> None:
    for i in range(n):
        (site / "posts" / f"2025-02-{i + 1:02d}-novost-{i}.md").write_text(
            f"---\ntitle: Новость номер {i}\ndate: {i + 1:02d}.02.2025 10:00\ntags: [{tag}]\n---\n"
            f"Первый абзац новости {i}, её краткое содержание.\n\n<!-- more -->\n\nОстальной текст новости {i}.\n",
            encoding="utf-8")


def test_tag_pages_come_in_pages_linked_to_one_another(mini: Path) -> None:
    school = mini / "sites/region/district-a/school-1"
    add_posts(school, 13, "экскурсия")  # 3 x posts_per_page (2 in the fixture) a page: three pages
    public = build_once(mini)
    tags = public / "district-a/school-1/posts/tags"
    first = tags / "ekskursiia.html"
    pages = [first, tags / "ekskursiia/page/2.html", tags / "ekskursiia/page/3.html"]
    seen = []
    for n, page in enumerate(pages, 1):
        html = soup(page)
        pager = html.select_one("nav.fed-pager")
        assert pager is not None, page
        assert pager.select_one("[aria-current=page]").get_text() == str(n)
        links = {a.get_text(): (page.parent / a["href"]).resolve() for a in pager.select("a[href]")}
        assert {str(k) for k in range(1, 4) if k != n} <= set(links)
        assert all(target.is_file() for target in links.values()), links
        prev, nxt = pager.select_one("a[rel=prev]"), pager.select_one("a[rel=next]")
        assert (prev is None) == (n == 1) and (nxt is None) == (n == 3)
        if prev is not None:
            assert (page.parent / prev["href"]).resolve() == pages[n - 2].resolve()
        seen += [a.get_text() for a in html.select(".fed-card__title a")]
        # A title and a date: the summary is on the news list.
        assert not html.select(".fed-card__summary")
    assert sorted(seen) == sorted(f"Новость номер {i}" for i in range(13))
    # A post's tag still links to the tag's first page.
    post = soup(public / "district-a/school-1/posts/novost-0.html")
    assert post.select_one("a.fed-tag")["href"] == "tags/ekskursiia.html"


def markup_beyond_text(page: Path) -> int:
    """A post page's bytes less its article's text (title, date, tags, content, share and neighbours)."""
    raw = page.read_bytes()
    article = BeautifulSoup(raw, "html.parser").select_one("article.fed-post")
    return len(raw) - len(article.get_text().encode("utf-8"))


def test_a_post_page_is_mostly_its_text(built_mini: Path) -> None:
    posts = [p for p in built_mini.rglob("posts/*.html") if soup(p).select_one("article.fed-post")]
    assert len(posts) >= 5
    for page in posts:
        assert markup_beyond_text(page) <= MARKUP_LIMIT, (page, markup_beyond_text(page))
    page = soup(posts[0])
    # What the frame no longer repeats on every page, and what is still there.
    assert not page.select(".fed-a11y-panel") and not page.select("form[data-md-component=palette]")
    assert [s["src"].rsplit("/", 1)[-1] for s in page.select("script[src]")] == ["fedsite.js"]  # in <head>
    assert page.head.select_one("script[src$='assets/fedsite.js']") is not None
    assert page.select(".fed-chain a") and page.select(".fed-footer .fed-feeds a")
    assert page.select_one("#__config") is None  # nor Material's script, which read it
    feeds = [a.get_text() for a in soup(built_mini / "posts/lekciya.html").select(".fed-footer .fed-feeds a")]
    assert feeds[:2] == ["Новости (RSS)", "Новости (Atom)"]  # under the site's name, not repeating it
    assert "Новости вместе с членами организации (RSS)" in feeds  # the root's feed of its whole tree


def test_news_cards_show_the_lead_and_the_post_the_rest(mini: Path) -> None:
    lead = " ".join(f"Предложение номер {i} первого абзаца." for i in range(30))  # ~1,000 characters
    (mini / "sites/region/district-a/school-1/posts/2025-03-01-dlinnaya.md").write_text(
        f"---\ntitle: Длинная новость\ndate: 01.03.2025 10:00\n---\n{lead}\n\n<!-- more -->\n\nДальше.\n",
        encoding="utf-8")
    public = build_once(mini)
    card = soup(public / "district-a/school-1/posts/index.html").select_one(".fed-card__summary")
    assert card.get_text().endswith("…") and len(card.get_text()) <= 201  # 200 characters and the ellipsis
    assert lead.startswith(card.get_text()[:-1].rstrip())
    assert lead in soup(public / "district-a/school-1/posts/dlinnaya.html").select_one(".fed-post__content").get_text()


def test_feeds_carry_the_chosen_number_of_items_with_full_text(mini: Path) -> None:
    federation = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))["extra"]["federation"]
    chosen, own_chosen = federation["feed_items"], federation["own_feed_items"]
    assert (chosen, own_chosen) == (10, 5)
    config = mini / "mkdocs.yml"
    config.write_text(re.sub(r"feed_items: \d+", f"feed_items: {chosen}\n    own_feed_items: {own_chosen}",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    add_posts(mini / "sites/region/district-a/school-1", 12, "экскурсия")
    public = build_once(mini)
    for name in ("feed.xml", "atom.xml"):
        own = feedparser.parse((public / "district-a/school-1" / name).read_bytes())
        district = feedparser.parse((public / "district-a" / name.replace(".", "-all.", 1)).read_bytes())
        assert own.bozo == 0 and district.bozo == 0
        assert len(own.entries) == own_chosen and len(district.entries) == chosen
        assert own.entries[0].title == "Новость номер 11"  # newest first
        assert own.entries[0].summary == "Первый абзац новости 11, её краткое содержание."
        assert "Остальной текст новости 11." in own.entries[0].content[0].value


def share_links(page: Path) -> dict[str, str]:
    return {a["data-share"]: a["href"] for a in soup(page).select(".fed-share a[data-share]")}


def test_share_buttons_link_to_the_networks_with_the_page(built_mini: Path) -> None:
    links = share_links(built_mini / "posts/lekciya.html")
    page = "https%3A%2F%2Ffed.example.org%2Fposts%2Flekciya.html"
    assert links["vk"] == f"https://vk.com/share.php?url={page}"
    assert links["ok"] == f"https://connect.ok.ru/offer?url={page}"
    assert links["telegram"] == f"https://t.me/share/url?url={page}"


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_share_buttons_show_their_icons(built_mini: Path, browser: Any) -> None:  # noqa: F811
    page = browser.new_page()
    loaded = []
    page.on("response", lambda r: loaded.append((r.url, r.status)) if r.url.endswith(".svg") else None)
    with served(built_mini) as url:
        page.goto(url + "posts/lekciya.html")
        page.wait_for_load_state("networkidle")
    for key in ("vk", "ok", "telegram"):
        icon = page.evaluate("""k => { const s = getComputedStyle(document.querySelector(
            `[data-share='${k}']`), '::before'); return [s.maskImage || s.webkitMaskImage, s.width]; }""", key)
        assert f"share-{key}.svg" in icon[0] and float(icon[1].rstrip("px")) > 8, (key, icon)
        assert any(url.endswith(f"share-{key}.svg") and status == 200 for url, status in loaded), loaded
    page.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_the_lean_frame_keeps_the_phone_menu_and_its_icons(built_mini: Path, browser: Any) -> None:  # noqa: F811
    """The menu's button opens the drawer on a phone with the menu's entries, which lead to their pages;
    the button's icon comes from its SVG file (no inline SVG in the header's button or the menu)."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    loaded, errors = [], []
    page.on("response", lambda r: loaded.append((r.url, r.status)) if r.url.endswith(".svg") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    with served(built_mini) as url:
        page.goto(url + "posts/lekciya.html")
        page.wait_for_load_state("networkidle")
        news = page.locator(".md-nav--primary a", has_text="Новости").first
        assert not news.is_visible() or news.bounding_box()["x"] < 0  # the drawer is closed
        page.click("label.md-header__button[for=__drawer]")
        page.wait_for_timeout(400)
        box = news.bounding_box()
        assert box is not None and 0 <= box["x"] < 360 and news.is_visible()
        entries = page.eval_on_selector_all(".md-nav--primary a", "links => links.map(a => a.textContent)")
        assert "Новости" in entries and len(entries) >= 4
        mask = page.eval_on_selector("label.md-header__button[for=__drawer]", """e => {
            const s = getComputedStyle(e, '::before'); return [s.maskImage || s.webkitMaskImage, s.width]; }""")
        assert "menu.svg" in mask[0] and float(mask[1].rstrip("px")) > 8, mask
        assert any(url.endswith("icons/menu.svg") and status == 200 for url, status in loaded), loaded
        news.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("posts/index.html") or page.url.endswith("posts/")
    assert errors == []
    page.close()
    page_html = soup(built_mini / "posts/lekciya.html")
    assert page_html.select_one("header label svg") is None and page_html.select_one(".md-sidebar--primary svg") is None
