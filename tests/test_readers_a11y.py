"""What readers meet on the demo federation, in a real Chromium (Debian's): no serious or critical
axe-core violation on any kind of page in either mode and colour scheme; no page wider than a 360 px
phone or than a window at 200% zoom; no word split mid-word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from readers import (  # noqa: F401 (fixtures)
    DESKTOP, LARGEST, PHONE, SMALL_PHONE, SPLIT_WORDS, ZOOM_200, axe_js, axe_problems, base, browser, demo,
    kinds, opened, scroll_width, visit,
)


@pytest.mark.parametrize("mode", [None, {}], ids=["normal", "visually-impaired"])
def test_no_serious_axe_violations_on_any_kind_of_page(browser: Any, base: str, kinds: dict[str, str],
                                                        axe_js: Path, mode: dict[str, str] | None) -> None:
    found = {}
    with opened(browser, DESKTOP, mode) as page:
        for kind, path in kinds.items():
            visit(page, base + path)
            if problems := axe_problems(page, axe_js):
                found[kind] = problems
        assert page.errors == []
    assert found == {}


@pytest.mark.parametrize("scheme", ["wb", "blue"])
def test_no_serious_axe_violations_in_the_other_schemes_on_a_phone(browser: Any, base: str, kinds: dict[str, str],
                                                                   axe_js: Path, scheme: str) -> None:
    found = {}
    with opened(browser, PHONE, {"scheme": scheme, **LARGEST}) as page:
        for kind in ("home", "post", "monitoring", "covers"):
            visit(page, base + kinds[kind])
            if problems := axe_problems(page, axe_js):
                found[kind] = problems
    assert found == {}


@pytest.mark.parametrize("mode", [None, LARGEST], ids=["normal", "visually-impaired-largest"])
def test_no_page_is_wider_than_a_360px_phone(browser: Any, base: str, kinds: dict[str, str],
                                            mode: dict[str, str] | None) -> None:
    with opened(browser, SMALL_PHONE, mode) as page:
        widths = {}
        for kind, path in kinds.items():
            visit(page, base + path)
            widths[kind] = scroll_width(page)
    assert {k: w for k, w in widths.items() if w > SMALL_PHONE["width"]} == {}


@pytest.mark.parametrize("mode", [None, {}, LARGEST], ids=["normal", "visually-impaired", "largest"])
def test_no_page_scrolls_sideways_at_200_percent_zoom(browser: Any, base: str, kinds: dict[str, str],
                                                     mode: dict[str, str] | None) -> None:
    with opened(browser, ZOOM_200, mode, scale=2) as page:
        widths = {}
        for kind, path in kinds.items():
            visit(page, base + path)
            widths[kind] = scroll_width(page)
    assert {k: w for k, w in widths.items() if w > ZOOM_200["width"]} == {}


# At the largest type with the widest letter spacing a word of 15 letters is wider than a 360 px phone's line:
# there it breaks rather than scroll sideways (test_no_page_is_wider_than_a_360px_phone).
@pytest.mark.parametrize("size,spacing", [("1", "1"), ("2", "1"), ("3", "1"), ("2", "3")])
def test_words_are_not_split_mid_word_on_a_phone(browser: Any, base: str, kinds: dict[str, str], size: str,
                                                 spacing: str) -> None:
    with opened(browser, SMALL_PHONE, {"size": size, "spacing": spacing}) as page:
        split = {}
        for kind in ("home", "post", "about", "directory", "monitoring", "covers"):
            visit(page, base + kinds[kind])
            if words := page.evaluate(SPLIT_WORDS):
                split[kind] = words
    assert split == {}
