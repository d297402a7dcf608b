"""The page frame of our own (theme/main.html, issue 16) in a real Chromium on a 360 px phone: what Material's
script did there is done without it (the drawer by CSS alone, back to top and wide tables by
assets/fedsite.js), and a page without script still has its menu, while the buttons that need a script
are not shown."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

from conftest import build_once, copy_federation
from readers import CHROMIUM, SMALL_PHONE, browser, opened, served, visit  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
POST = "district-a/school-1/posts/dlinnaya.html"
WIDE_TABLE = "| " + " | ".join(f"Столбец {i}" for i in range(12)) + " |\n|" + "---|" * 12 + "\n| " + \
    " | ".join(f"значение {i}" for i in range(12)) + " |\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The mini federation with a post long enough to scroll far on a phone, with a wide table in it."""
    repo = copy_federation("mini", tmp_path_factory.mktemp("frame"))
    config = repo / "mkdocs.yml"  # back to top, as the project's mkdocs.yml has it
    config.write_text(config.read_text(encoding="utf-8").replace("  font: false\n", "  font: false\n  features: [navigation.top]\n"),
                      encoding="utf-8")
    paragraphs = "\n\n".join(f"Абзац номер {i}: рассказ о том, как прошёл день в школе." for i in range(80))
    (repo / "sites/region/district-a/school-1/posts/2025-02-01-dlinnaya.md").write_text(
        f"---\ntitle: Длинная новость\ndate: 01.02.2025 10:00\n---\n{paragraphs}\n\n{WIDE_TABLE}\n{paragraphs}\n",
        encoding="utf-8")
    with served(build_once(repo)) as url:
        yield url


def menu_link_x(page: Any) -> float:
    """Where the menu's first link is across the screen (the closed drawer keeps it to the left of it)."""
    return page.eval_on_selector(".md-nav--primary a", "a => a.getBoundingClientRect().left")


def shown(page: Any) -> bool:
    """Whether back to top can be seen and pressed (Material hides it as transparent and inert)."""
    return page.eval_on_selector("button.md-top", """b => { const s = getComputedStyle(b);
        return !b.hidden && parseFloat(s.opacity) > 0.9 && s.pointerEvents !== 'none'; }""")


def test_the_drawer_opens_and_closes_without_materials_script(browser: Any, site: str) -> None:
    with opened(browser, SMALL_PHONE) as page:
        scripts: list[str] = []
        page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
        visit(page, site + POST)
        assert menu_link_x(page) < 0  # closed
        page.click("label.md-header__button[for=__drawer]")
        page.wait_for_timeout(400)  # the drawer slides in (0.25 s)
        assert 0 <= menu_link_x(page) < 360 and page.is_visible(".md-nav--primary a")
        assert page.eval_on_selector(".md-nav__title", "t => t.textContent") == "Меню"
        page.mouse.click(340, 400)  # the dimmed page beside the drawer (the overlay) closes it
        page.wait_for_timeout(400)
        assert menu_link_x(page) < 0
        page.click("label.md-header__button[for=__drawer]")
        page.wait_for_timeout(400)
        page.click(".md-nav__title")  # and so does the drawer's own title
        page.wait_for_timeout(400)
        assert menu_link_x(page) < 0
        assert [url.rsplit("/", 1)[-1] for url in scripts] == ["fedsite.js", "fed-search.js"]
        assert page.errors == []


def test_back_to_top_appears_scrolling_up_and_takes_the_reader_up(browser: Any, site: str) -> None:
    with opened(browser, SMALL_PHONE) as page:
        visit(page, site + POST)
        top = page.locator("button.md-top")
        assert top.count() == 1 and not shown(page)
        page.mouse.wheel(0, 3000)
        page.wait_for_function("window.scrollY > 2000")
        page.wait_for_timeout(300)
        assert not shown(page)  # reading on
        page.mouse.wheel(0, -300)  # the reader turns back up
        page.wait_for_function("!document.querySelector('button.md-top').hidden")
        page.wait_for_timeout(400)  # it fades in
        assert shown(page)
        box = top.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= 360 and 0 <= box["y"] < 740
        assert top.inner_text() == "К началу"
        top.click()
        page.wait_for_function("window.scrollY === 0")
        assert not shown(page)
        assert page.errors == []


def test_a_wide_table_scrolls_in_its_own_frame(browser: Any, site: str) -> None:
    with opened(browser, SMALL_PHONE) as page:
        visit(page, site + POST)
        frame = page.eval_on_selector(".md-typeset__scrollwrap", """w => [w.querySelector('table') !== null,
            w.scrollWidth > w.clientWidth, w.getBoundingClientRect().right]""")
        assert frame[0] and frame[1] and frame[2] <= 360  # wider than the screen, scrolled inside its frame
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page itself does not scroll


def test_without_script_the_menu_works_and_no_dead_button_is_shown(browser: Any, site: str) -> None:
    context = browser.new_context(viewport=SMALL_PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        visit(page, site + POST)
        page.click("label.md-header__button[for=__drawer]")
        page.wait_for_timeout(400)
        assert 0 <= menu_link_x(page) < 360
        assert page.locator("button.md-top, [data-fed-a11y-toggle], .fed-a11y-panel").count() == 0
        assert page.locator(".fed-share a[data-share]").count() == 3  # sharing is plain links
    finally:
        context.close()


def test_the_pages_load_one_script_and_one_stylesheet(site: str) -> None:
    """Material's stylesheet and ours are one file, named by its content (cached for good); Material's script
    is not published at all."""
    from urllib.error import HTTPError
    from urllib.request import urlopen

    html = urlopen(site + POST).read().decode("utf-8")
    assert html.count('rel="stylesheet"') == 1 and html.count("<script src=") == 1
    name = re.search(r'<link rel="stylesheet" href="(?:\.\./)*(assets/fedsite\.[0-9a-f]{8}\.css)">', html).group(1)
    css = urlopen(site + name).read().decode("utf-8")
    assert css.startswith('@charset "UTF-8";') and ".md-header{" in css and ".fed-chain" in css
    with pytest.raises(HTTPError):
        urlopen(site + "assets/javascripts/")
