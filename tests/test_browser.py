"""The built mini federation in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from readers import CHROMIUM, browser, served  # noqa: F401 (browser: the shared Chromium fixture)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def site(built_mini: Path) -> Iterator[str]:
    with served(built_mini) as url:
        yield url


@pytest.fixture
def page(browser: object, site: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def test_pages_render_without_errors_or_outside_requests(page: object, site: str) -> None:
    # Only here: with a request listener, Playwright holds back the search worker's imports.
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith((site, "data:", "blob:")) else None)
    for path in ["index.html", "posts/lekciya.html", "district-a/school-1/posts/uroki.html",
                 "pages/directory.html", "district-a/posts/events.html"]:
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
        assert page.locator(".fed-chain a").count() >= 1
    assert page.errors == []
    assert outside == []


def test_visually_impaired_mode_enlarges_type_and_is_remembered(page: object, site: str) -> None:
    page.goto(site + "index.html")
    size = lambda: page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    before = size()
    page.click("[data-fed-a11y-toggle]")
    assert size() >= before * 1.4
    page.click(".fed-home__news .fed-card__title a >> nth=0")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.dataset.fedA11y") == "on"
    assert size() >= before * 1.4
    page.click("[data-fed-a11y-toggle]")
    assert size() == before


def test_search_finds_a_post_by_a_russian_word(page: object, site: str) -> None:
    page.goto(site + "index.html")
    page.keyboard.press("/")  # the header's box, as on every page (issue 17)
    page.keyboard.type("здоровья")  # the title says «здоровье»
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-fed-search-done]")
    text = page.locator("#fed-search-results").inner_text()
    assert "Аудиолекция о здоровье" in text, (text, page.errors)


def test_share_buttons_open_the_networks_share_urls(page: object, site: str) -> None:
    page.goto(site + "district-a/school-1/posts/uroki.html")
    expected = {"vk": "https://vk.com/share.php?url=", "ok": "https://connect.ok.ru/offer?url=",
                "telegram": "https://t.me/share/url?url="}
    for key, prefix in expected.items():
        href = page.get_attribute(f"[data-share='{key}']", "href")
        assert href.startswith(prefix + "https%3A%2F%2Ffed.example.org%2Fdistrict-a%2Fschool-1%2Fposts%2Furoki.html")


def test_parent_chain_and_pagination_lead_where_they_say(page: object, site: str) -> None:
    page.goto(site + "district-a/school-1/posts/uroki.html")
    page.click(".fed-chain a >> text=Регион")
    page.wait_for_url(site + "index.html")  # a click navigates asynchronously; fails on timeout
    page.goto(site + "district-a/school-1/posts/index.html")
    assert page.locator(".fed-card").count() == 2  # posts_per_page: 2; the school has three posts
    page.click(".fed-pager a[rel=next]")
    page.wait_for_url(site + "district-a/school-1/posts/page/2.html")
    assert page.locator(".fed-card__title").all_inner_texts() == ["Летний лагерь"]
    page.click(".fed-pager a[rel=prev]")
    page.wait_for_url(site + "district-a/school-1/posts/index.html")
    page.goto(site + "posts/tags/index.html")
    assert page.locator(".fed-terms a").count() >= 1
