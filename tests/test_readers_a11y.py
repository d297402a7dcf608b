"""What readers meet on the demo federation, in a real Chromium (Debian's): the mode for the visually
impaired (SPEC §6) with its settings, over the whole page and remembered on every site; no page wider than
a 360 px phone or than a window at 200% zoom; no serious or critical axe-core violation on any kind of
page in either mode; the interface in Russian, with a 404 page that leads home; the monitoring table
readable on a phone."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import PROJECT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
AXE_VERSION = "4.14.1"
AXE_DIR = PROJECT / ".cache" / f"axe-core-{AXE_VERSION}"  # scripts/test.sh installs it there too
DEMO_NOW = "2026-12-01T12:00:00+03:00"  # every post of the demo published (conftest's clock is in June)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
# 200% browser zoom of a 1366×900 window: the page is laid out in half as many CSS pixels, each drawn twice.
ZOOM_200 = {"width": 683, "height": 450}
LARGEST = {"size": "3", "spacing": "3"}  # the settings that take the most room
SCHEMES = {"bw": ("rgb(0, 0, 0)", "rgb(255, 255, 255)"), "wb": ("rgb(255, 255, 255)", "rgb(0, 0, 0)"),
           "blue": ("rgb(6, 52, 98)", "rgb(157, 209, 255)")}  # text, background


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the built federation; a missing address gets the root site's 404 page, as GitHub Pages does."""

    not_found: Path | None = None

    def log_message(self, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or self.not_found is None:
            return super().send_error(code, message, explain)
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the browser moved on before a file was sent
            pass


# A content page with every kind of markup a press secretary may use, for the mode to cover.
MARKUP_PAGE = """---
title: Оформление
---

# Оформление

Абзац с `кодом`, **жирным**, *курсивом* и [ссылкой](../index.md).

| Показатель | Значение |
|---|---|
| Публикаций за год | 48 |
| Соцсетей | 3 |

```
профсоюз = "Белгородская региональная организация"
```

!!! note "Заметка"
    Текст заметки со [ссылкой](../index.md).

!!! warning "Внимание"
    Текст предупреждения.

??? info "Подробнее"
    Скрытый текст.

> Цитата из постановления президиума.
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own demo federation (sites, shared files, theme, mkdocs.yml), built."""
    from fedsite.build.pipeline import build
    from fedsite.model.diagnostics import Diagnostics

    repo = tmp_path_factory.mktemp("readers") / "demo"
    repo.mkdir()
    for name in ("sites", "shared", "theme"):
        shutil.copytree(PROJECT / name, repo / name)
    shutil.copy(PROJECT / "mkdocs.yml", repo / "mkdocs.yml")
    root_site = next(p.parent for p in sorted((repo / "sites").glob("*/site.yml")))
    (root_site / "pages" / "oformlenie.md").write_text(MARKUP_PAGE, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("FEDSITE_NOW", DEMO_NOW)
    mp.setenv("SOURCE_DATE_EPOCH", "1700000000")
    try:
        diags = Diagnostics(repo)
        result = build(repo, repo / "public", diags, jobs=1)
    finally:
        mp.undo()
    assert result is not None, [str(p) for p in diags.sorted()]
    return repo / "public"


@pytest.fixture(scope="module")
def base(demo: Path) -> Iterator[str]:
    """The built federation served on 127.0.0.1 under its site_url's path (the 404 pages link by it)."""
    config = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))
    prefix = urlsplit(config["site_url"]).path.strip("/")
    root = demo.parent / "served"
    (root / prefix).parent.mkdir(parents=True, exist_ok=True)
    if not (root / prefix).exists():
        (root / prefix).symlink_to(demo, target_is_directory=True)
    handler = type("Handler", (_QuietHandler,), {"not_found": demo / "404.html"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/" + (prefix + "/" if prefix else "")
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def axe_js() -> Path:
    """axe-core from the npm registry, installed once into .cache/ (scripts/test.sh does it beforehand)."""
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: axe-core cannot be fetched")
        subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR),
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    return script


@pytest.fixture(scope="module")
def kinds(demo: Path) -> dict[str, str]:
    """One page of every kind, as a path under the root site (a list with covers: on a member's site)."""
    def first(paths: list[Path], has: str = "") -> str:
        for path in sorted(paths):
            if has in path.read_text(encoding="utf-8"):
                return path.relative_to(demo).as_posix()
        raise AssertionError(f"no such page in the demo ({has or paths})")

    skip = {"index.html", "events.html", "about.html", "directory.html"}
    posts = [p for p in demo.glob("posts/*.html") if p.name not in skip]
    content = [p for p in demo.glob("pages/*.html") if p.name not in skip and not p.name.startswith("monitoring")]
    return {
        "home": "index.html", "post": first(posts, "<iframe"), "news": "posts/index.html",
        "tag": first([p for p in demo.glob("posts/tags/*.html") if p.name != "index.html"]),
        "archive": first([p for p in demo.glob("posts/archive/*.html") if p.name != "index.html"]),
        "about": "pages/about.html", "directory": "pages/directory.html", "monitoring": "pages/monitoring.html",
        "events": "posts/events.html", "content": first(content, "admonition"), "404": "404.html",
        "covers": first([p for p in demo.glob("**/posts/index.html") if p.parent.parent != demo], "fed-card__cover"),
        "picture": first([p for p in demo.glob("**/posts/*.html") if p.name != "index.html"], '<img alt="'),
    }


@contextmanager
def opened(browser: Any, viewport: dict[str, int], mode: dict[str, str] | None = None,
           scale: float = 1) -> Iterator[Any]:
    """A page in a fresh browser context; `mode`: the mode for the visually impaired is on with these
    settings, as a reader who chose them on an earlier visit would have them stored."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    if mode is not None:
        context.add_init_script("try { localStorage.setItem('fed-a11y', 'on');"  # frames from elsewhere: no storage
                                f"localStorage.setItem('fed-a11y-settings', {json.dumps(json.dumps(mode))}) }} catch (e) {{}}")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("load")


def scroll_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def axe_problems(page: Any, axe_js: Path) -> list[str]:
    """Serious and critical axe-core violations on the page: 'rule: impact, targets'."""
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['impact']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


SPLIT_WORDS = """() => {
  // Words broken across two lines (a word may break after its hyphen or slash; addresses anywhere).
  const split = [], range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const el = node.parentElement;
    if (!el || !el.getClientRects().length || el.closest('script, style, .md-search')) continue;
    for (const chunk of node.data.matchAll(/[^\\s\\u00a0]+/g)) {
      if (/[@:]|\\.\\w/.test(chunk[0])) continue;
      for (const m of chunk[0].matchAll(/[^\\-\\u2010-\\u2014\\/]{2,}/g)) {
        const start = chunk.index + m.index;
        range.setStart(node, start); range.setEnd(node, start + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
        if (lines.size > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""

OFF_COLOUR = """([fg, bg]) => {
  // Visible text not in the scheme's colour (inverted where a button is pressed or a word marked).
  const wrong = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.data.trim());
    // (the colour schemes' buttons show their own colours: samples of each scheme)
    if (!own || !el.getClientRects().length || el.closest('script, style, svg, [data-fed-a11y-set="scheme"]')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) continue;
    const inverted = el.closest('[aria-pressed="true"], mark');
    const want = inverted ? bg : fg;
    if (style.color !== want) wrong.push(`${el.tagName.toLowerCase()}.${el.className}: ${style.color}`);
  }
  return wrong;
}"""

SURFACES = ".md-header, .md-tabs, .md-main, .md-footer, .fed-footer, .fed-a11y-panel"


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
