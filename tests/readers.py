"""The demo federation served on 127.0.0.1 and a real Chromium (Debian's) for the readers' tests
(test_readers_a11y, test_readers_mode, test_reports_a11y, test_gallery_browser): the fixtures, axe-core
from npm, and the page scripts that measure what a reader sees."""

from __future__ import annotations

import functools
import json
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
    with served(root, not_found=demo / "404.html") as url:
        yield url + (prefix + "/" if prefix else "")


@contextmanager
def served(folder: Path, not_found: Path | None = None) -> Iterator[str]:
    """A folder served on 127.0.0.1 (a missing address answered with `not_found`, if given): its URL."""
    handler = type("Handler", (_QuietHandler,), {"not_found": not_found})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
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
