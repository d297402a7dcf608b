"""The open reports' pages of the demo federation in a real Chromium (Debian's), as readers meet them: no
serious or critical axe-core violation, nothing wider than a 360 px phone, the document downloadable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from readers import (DESKTOP, LARGEST, SMALL_PHONE, axe_js, axe_problems, base, browser, demo, opened,
                               pytestmark, scroll_width, visit)

__all__ = ["axe_js", "base", "browser", "demo", "pytestmark"]  # the fixtures, shared with the readers' tests
PAGES = ["reports/index.html", "reports/2025.html", "alekseevka/reports/index.html",
         "alekseevka/school-1/reports/2025.html", "pages/monitoring.html"]


@pytest.mark.parametrize("mode", [None, LARGEST], ids=["normal", "visually-impaired-largest"])
def test_report_pages_have_no_serious_axe_violations(browser: Any, base: str, axe_js: Path,
                                                    mode: dict[str, str] | None) -> None:
    found = {}
    with opened(browser, DESKTOP, mode) as page:
        for path in PAGES:
            visit(page, base + path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            if problems := axe_problems(page, axe_js):
                found[path] = problems
    assert found == {}


def test_report_pages_fit_a_360px_phone(browser: Any, base: str) -> None:
    with opened(browser, SMALL_PHONE) as page:
        widths = {}
        for path in PAGES[:4]:
            visit(page, base + path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            widths[path] = scroll_width(page)
    assert {p: w for p, w in widths.items() if w > SMALL_PHONE["width"]} == {}


def test_the_signed_report_downloads_from_its_page(browser: Any, base: str, demo: Path) -> None:
    with opened(browser, DESKTOP) as page:
        visit(page, base + "reports/2025.html")
        with page.expect_download() as download:
            page.get_by_role("link", name="Скачать подписанный отчёт").click()
        saved = Path(download.value.path())
        assert saved.read_bytes() == (demo / "reports/2025.pdf").read_bytes()
        assert saved.read_bytes().startswith(b"%PDF-1.4")
        assert page.locator(".fed-report__file").inner_text() == f"PDF, {saved.stat().st_size} байт"
