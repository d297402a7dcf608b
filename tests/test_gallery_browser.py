"""A post's gallery in a real headless Chromium (Debian's, through Playwright): the thumbnails open the
photo full size in a dialog and close again with the keyboard alone, with no request to another host."""

from __future__ import annotations

from typing import Iterator

import pytest

from conftest import build_once, copy_federation
from imagebytes import image_bytes
from readers import CHROMIUM, browser, served  # noqa: F401 (browser: the shared Chromium fixture)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
POST = "sites/region/district-a/school-1/posts/2025-01-01-yanvar.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo = copy_federation("mini", tmp_path_factory.mktemp("gallery"))
    folder = repo / "sites/region/district-a/school-1/assets/konkurs"
    folder.mkdir(parents=True)
    for n, colour in enumerate([(200, 30, 30), (30, 160, 30), (30, 30, 200)], 1):
        (folder / f"{n}.jpg").write_bytes(image_bytes(2600, 1300, "JPEG", colour))
    post = repo / POST
    post.write_text(post.read_text(encoding="utf-8").replace("title: Январь\n", "title: Январь\ngallery: ../assets/konkurs\n"),
                    encoding="utf-8")
    with served(build_once(repo)) as url:
        yield url


@pytest.fixture
def page(browser: object, site: str) -> Iterator[object]:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.errors, pg.outside = [], []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.outside.append(r.url) if not r.url.startswith((site, "data:", "blob:")) else None)
    yield pg
    context.close()


def focused(page: object) -> str:
    return page.evaluate("document.activeElement.className + '|' + (document.activeElement.getAttribute('href') || '')")


def shown(page: object) -> str:
    return page.evaluate("document.querySelector('.fed-gallery__full').getAttribute('src')")


def test_the_gallery_opens_goes_through_and_closes_with_the_keyboard(page: object, site: str) -> None:
    page.goto(site + "district-a/school-1/posts/yanvar.html")
    page.wait_for_load_state("networkidle")
    thumbs = page.locator(".fed-gallery__thumb")
    assert thumbs.count() == 3
    dialog = page.locator(".fed-gallery__dialog")
    for _ in range(200):  # Tab through the page until the first thumbnail has the focus
        page.keyboard.press("Tab")
        if focused(page).startswith("fed-gallery__thumb"):
            break
    assert focused(page).endswith("konkurs/1.jpg")
    page.keyboard.press("Enter")
    assert dialog.evaluate("d => d.open") is True
    assert shown(page).endswith("konkurs/1.jpg")
    page.wait_for_function("document.querySelector('.fed-gallery__full').naturalWidth > 0")
    assert page.evaluate("document.querySelector('.fed-gallery__full').naturalWidth") == 2048  # full size: the largest copy
    assert "1 из 3" in page.locator(".fed-gallery__count").inner_text()
    page.keyboard.press("ArrowRight")
    assert shown(page).endswith("konkurs/2.jpg")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert shown(page).endswith("konkurs/3.jpg")  # round from the first to the last
    page.keyboard.press("Escape")
    assert dialog.evaluate("d => d.open") is False
    assert focused(page).endswith("konkurs/3.jpg")  # the focus is back on the photo that was shown
    page.keyboard.press("Enter")
    assert dialog.evaluate("d => d.open") is True
    assert "fed-gallery__close" in focused(page)  # the dialog opens with the focus on ✕
    page.keyboard.press("Tab")
    assert "fed-gallery__prev" in focused(page)
    page.keyboard.press("Enter")  # ←: the photo before, the dialog stays open
    assert dialog.evaluate("d => d.open") is True and shown(page).endswith("konkurs/2.jpg")
    page.locator(".fed-gallery__close").focus()
    page.keyboard.press("Enter")  # ✕
    assert dialog.evaluate("d => d.open") is False
    assert page.errors == [] and page.outside == []


def test_without_script_a_thumbnail_is_a_link_to_the_photo(page: object, site: str) -> None:
    page.route("**/fed-gallery.js", lambda route: route.abort())
    page.goto(site + "district-a/school-1/posts/yanvar.html")
    page.locator(".fed-gallery__thumb").nth(1).click()
    page.wait_for_load_state()
    assert page.url.endswith("konkurs/2.jpg")


def test_no_serious_axe_violation_with_the_gallery_closed_or_open(page: object, site: str) -> None:
    from readers import AXE_DIR, axe_problems

    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        pytest.skip("axe-core is not installed (tests/test_readers_a11y.py installs it)")
    page.goto(site + "district-a/school-1/posts/yanvar.html")
    page.wait_for_load_state("networkidle")
    assert axe_problems(page, script) == []
    page.locator(".fed-gallery__thumb").nth(0).click()
    page.wait_for_function("document.querySelector('.fed-gallery__full').complete")
    assert axe_problems(page, script) == []
