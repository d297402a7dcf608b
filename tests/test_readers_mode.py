"""The mode for the visually impaired (SPEC §6) in a real Chromium: the whole page follows its colour
scheme, its settings change type, spacing and images, it is keyboard-operable and remembered on every
site; the interface in Russian, with a 404 page that leads home; the monitoring table readable on a
phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from readers import (  # noqa: F401 (fixtures)
    DESKTOP, LARGEST, OFF_COLOUR, PHONE, SCHEMES, SMALL_PHONE, SURFACES, base, browser, demo, kinds, opened,
    visit,
)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_the_whole_page_follows_the_colour_scheme(browser: Any, base: str, kinds: dict[str, str], scheme: str) -> None:
    fg, bg = SCHEMES[scheme]
    with opened(browser, DESKTOP, {"scheme": scheme}) as page:
        for kind in ("post", "content", "monitoring", "covers"):
            visit(page, base + kinds[kind])
            page.click("[data-fed-a11y-details] summary")
            assert page.evaluate(OFF_COLOUR, [fg, bg]) == [], kind
            surfaces = page.eval_on_selector_all(SURFACES, "els => els.map(e => getComputedStyle(e).backgroundColor)")
            assert set(surfaces) == {bg}, kind
        query = page.locator("[data-fed-search-box] input")
        query.click()
        query.type("вебинар")
        query.press("Enter")
        page.wait_for_selector("[data-fed-search-done]")
        assert page.is_visible(".fed-search__result")
        assert page.evaluate(OFF_COLOUR, [fg, bg]) == []
        search = page.eval_on_selector_all("[data-fed-search-box] input, .fed-search__input",
                                           "els => els.map(e => getComputedStyle(e).backgroundColor)")
        assert set(search) == {bg}


def test_settings_change_type_spacing_and_images(browser: Any, base: str, kinds: dict[str, str]) -> None:
    text = ".fed-post__content p"
    probe = f"""() => {{ const s = getComputedStyle(document.querySelector('{text}'));
      return [parseFloat(s.fontSize), parseFloat(s.letterSpacing) || 0]; }}"""
    cover = """() => { const img = document.querySelector('.fed-card__cover img');
      return [img.getClientRects().length > 0, getComputedStyle(img).filter]; }"""
    with opened(browser, DESKTOP) as page:
        visit(page, base + kinds["post"])
        normal_size, _ = page.evaluate(probe)
    sizes, spacings = [], []
    for step in ("1", "2", "3"):
        with opened(browser, DESKTOP, {"size": step, "spacing": step}) as page:
            visit(page, base + kinds["post"])
            size, spacing = page.evaluate(probe)
            sizes.append(size)
            spacings.append(spacing)
    assert normal_size < sizes[0] < sizes[1] < sizes[2], (normal_size, sizes)
    assert sizes[2] >= 1.8 * normal_size
    assert 0 == spacings[0] < spacings[1] < spacings[2], spacings
    shown = {}
    for images in ("show", "grey", "hide"):
        with opened(browser, PHONE, {"images": images}) as page:
            visit(page, base + kinds["covers"])
            shown[images] = page.evaluate(cover)
    assert shown["show"] == [True, "none"]
    assert shown["grey"][0] and "grayscale" in shown["grey"][1]
    assert shown["hide"][0] is False
    with opened(browser, PHONE, {"images": "hide"}) as page:  # a picture in a post: its text in its place
        visit(page, base + kinds["picture"])
        alt = page.get_attribute(".fed-post__content img[alt]", "alt")
        assert not page.is_visible(".fed-post__content img[alt]")
        assert page.is_visible(f".fed-post__content >> text={alt}")


def test_mode_is_keyboard_operable_and_remembered_across_sites(browser: Any, base: str, kinds: dict[str, str]) -> None:
    size = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    focused = "document.activeElement && document.activeElement.textContent.trim()"
    with opened(browser, PHONE) as page:
        visit(page, base + kinds["home"])
        normal = page.evaluate(size)
        for _ in range(60):  # the switch is reached with Tab alone
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.matches('[data-fed-a11y-toggle]')"):
                break
        else:
            pytest.fail("Tab never reaches the switch for the visually impaired")
        assert page.evaluate(focused).startswith("Версия для слабовидящих")
        page.keyboard.press("Enter")
        assert page.evaluate("document.documentElement.dataset.fedA11y") == "on"
        assert page.inner_text("[data-fed-a11y-toggle]") == "Обычная версия"  # it says what it does now
        assert page.is_visible("button[data-fed-a11y-set='scheme'][value='wb']")  # the settings opened
        for _ in range(60):  # and, before the header, with Shift+Tab
            page.keyboard.press("Shift+Tab")
            if page.evaluate(focused) == "Белым по чёрному":
                break
        else:
            pytest.fail("Shift+Tab never reaches the colour scheme buttons")
        page.keyboard.press("Space")
        assert page.get_attribute("button[value='wb']", "aria-pressed") == "true"
        larger = page.evaluate(size)
        assert larger > normal
        colours = "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
        assert page.evaluate(colours) == list(SCHEMES["wb"])
        member = kinds["covers"].split("/")[0]
        visit(page, f"{base}{member}/index.html")  # another site of the federation
        assert page.evaluate("document.documentElement.dataset.fedA11y") == "on"
        assert page.evaluate(colours) == list(SCHEMES["wb"])
        assert page.evaluate(size) == larger
        page.click("[data-fed-a11y-details] summary")
        page.focus("[data-fed-a11y-off]")
        page.keyboard.press("Enter")
        assert page.evaluate("document.documentElement.dataset.fedA11y") is None
        assert page.evaluate("document.activeElement.matches('[data-fed-a11y-toggle]')")
        assert page.evaluate(size) == normal
        visit(page, base + kinds["post"])
        assert page.evaluate("document.documentElement.dataset.fedA11y") is None


def test_404_pages_are_russian_and_lead_home(browser: Any, base: str, demo: Path) -> None:
    pages = sorted(demo.glob("**/404.html"))
    assert len(pages) == len(list(demo.glob("**/sitemap.xml"))) > 1  # one per site
    with opened(browser, PHONE) as page:
        for path in pages:
            site = path.parent.relative_to(demo).as_posix()
            site = "" if site == "." else site + "/"
            visit(page, base + site + "404.html")
            heading = page.inner_text("h1")
            assert re.search("[а-яё]", heading, re.I) and "Not found" not in page.content(), (site, heading)
            page.click("text=На главную")
            page.wait_for_url(base + site + "index.html")


def test_a_missing_address_at_any_depth_gets_a_working_404_page(browser: Any, base: str) -> None:
    with opened(browser, PHONE) as page:
        response = page.goto(base + "posts/2026/no/such/page.html")
        assert response is not None and response.status == 404
        page.wait_for_load_state("load")
        styled = page.evaluate("""[getComputedStyle(document.querySelector('.md-header')).position,
                                   getComputedStyle(document.querySelector('.fed-bar')).display]""")
        assert styled == ["sticky", "flex"]  # Material's and the federation's styles both found
        page.click("[data-fed-a11y-toggle]")  # and the scripts
        assert page.evaluate("document.documentElement.dataset.fedA11y") == "on"
        assert page.errors == []
        page.click("text=На главную")
        page.wait_for_url(base + "index.html")


# What a reader hears or sees of an element besides its text (attributes written by templates, in double quotes).
ATTRIBUTE = re.compile(r'\s(title|aria-label|alt|placeholder)="([^"]*)"')


def test_no_english_words_in_the_interface(demo: Path) -> None:
    english = []
    for path in sorted(demo.glob("**/*.html")):
        html = path.read_text(encoding="utf-8")
        for attr, value in ATTRIBUTE.findall(html):
            if re.search("[a-z]", value, re.I) and not re.search("[а-яё]", value, re.I):
                english.append(f"{path.relative_to(demo)}: {attr}={value!r}")
        english += [f"{path.relative_to(demo)}: {w}" for w in ("Permanent link", "Not found", "Made with") if w in html]
    assert english == []


@pytest.mark.parametrize("mode", [None, {}, LARGEST], ids=["normal", "visually-impaired", "largest"])
def test_monitoring_table_is_readable_on_a_phone(browser: Any, base: str, kinds: dict[str, str],
                                                 mode: dict[str, str] | None) -> None:
    cells = """() => {
      const table = document.querySelector('table.fed-monitoring');
      const names = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
      const rows = [...table.querySelectorAll('tbody tr')];
      return {
        right: table.getBoundingClientRect().right, width: innerWidth,
        wrap: [table.closest('.md-typeset__scrollwrap').scrollWidth, table.closest('.md-typeset__scrollwrap').clientWidth],
        labels: rows.map(tr => [...tr.children].slice(1).map((td, i) =>
          getComputedStyle(td, '::before').content.replace(/"/g, '') === names[i + 1])).flat(),
        padding: Math.min(...Array.from(rows[0].querySelectorAll('td'), td => parseFloat(getComputedStyle(td).paddingLeft))),
        rowBorder: parseFloat(getComputedStyle(rows[0]).borderTopWidth),
      };
    }"""
    with opened(browser, SMALL_PHONE, mode) as page:
        visit(page, base + kinds["monitoring"])
        seen = page.evaluate(cells)
    assert seen["right"] <= seen["width"]
    assert seen["wrap"][0] <= seen["wrap"][1]  # nothing hidden to the side either
    assert seen["labels"] and all(seen["labels"])  # each value beside its column's name
    assert seen["padding"] >= 4 and seen["rowBorder"] >= 1
    if mode is None:  # on a desktop, a table with borders and room in its cells
        with opened(browser, DESKTOP) as page:
            visit(page, base + kinds["monitoring"])
            td = page.eval_on_selector("table.fed-monitoring td", """td => { const s = getComputedStyle(td);
              return [s.display, parseFloat(s.borderTopWidth), parseFloat(s.paddingTop), parseFloat(s.paddingLeft)]; }""")
        assert td[0] == "table-cell" and td[1] >= 1 and td[2] >= 4 and td[3] >= 4
