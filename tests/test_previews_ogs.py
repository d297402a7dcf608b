"""Shared links' previews as a link-preview service reads them (issue 18, SPEC §6): every kind of page is
parsed by open-graph-scraper (npm), the parser many preview services run, not by our own reading of
the tags. Each gives a title, a description, its own absolute URL, the Russian locale, the site's name
and an absolute image URL of a file that the build published; posts are articles with their date."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

OGS_VERSION = "6.12.0"
OGS_DIR = PROJECT / ".cache" / f"open-graph-scraper-{OGS_VERSION}"  # scripts/test.sh installs it there too
BASE = "https://fed.example.org/"
KINDS_OF_PAGE = [
    "index.html", "posts/index.html", "posts/lekciya.html", "posts/archive/index.html", "posts/events.html",
    "district-a/index.html", "district-a/posts/seminar-v-raione.html", "district-a/school-1/posts/uroki.html",
    "district-a/school-1/index.html", "404.html",
]
READ_PAGES = """
import ogs from 'open-graph-scraper';
import fs from 'fs';
const out = {};
for (const path of process.argv.slice(2)) {
  const { result } = await ogs({ html: fs.readFileSync(path, 'utf8') });
  out[path] = result;
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="session")
def ogs_dir() -> Path:
    """open-graph-scraper from the npm registry, installed once into .cache/."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed: open-graph-scraper cannot run")
    if not (OGS_DIR / "node_modules" / "open-graph-scraper").is_dir():
        subprocess.run(["npm", "install", "-s", "--no-save", "--no-audit", "--no-fund", "--prefix", str(OGS_DIR),
                        f"open-graph-scraper@{OGS_VERSION}"], check=True, capture_output=True, timeout=300)
    return OGS_DIR


def previews(built: Path, ogs: Path, pages: list[str]) -> dict[str, dict]:
    """What open-graph-scraper reads from each page, by its public-relative path."""
    script = ogs / "read-pages.mjs"  # beside node_modules, so that its import resolves there
    script.write_text(READ_PAGES, encoding="utf-8")
    done = subprocess.run(["node", str(script), *(str(built / p) for p in pages)],
                          capture_output=True, text=True, timeout=300, check=True)
    return {str(Path(k).relative_to(built)): v for k, v in json.loads(done.stdout).items()}


def test_every_kind_of_page_has_a_full_preview(built_mini: Path, ogs_dir: Path) -> None:
    found = previews(built_mini, ogs_dir, [p for p in KINDS_OF_PAGE if (built_mini / p).is_file()])
    assert set(found) == set(KINDS_OF_PAGE)
    for page, og in found.items():
        assert og["success"], page
        assert og["ogTitle"].strip() and og["ogDescription"].strip(), page
        assert og["ogLocale"] == "ru_RU" and og["ogSiteName"].strip(), page
        if page != "404.html":
            assert og["ogUrl"] == BASE + page, page
        image = og["ogImage"][0]["url"]
        assert image.startswith(BASE), (page, image)
        assert (built_mini / image[len(BASE):]).is_file(), (page, image)


def test_a_post_is_an_article_with_its_date_and_its_site(built_mini: Path, ogs_dir: Path) -> None:
    og = previews(built_mini, ogs_dir, ["district-a/school-1/posts/uroki.html"])["district-a/school-1/posts/uroki.html"]
    assert og["ogType"] == "article"
    assert og["ogTitle"] == "Открытые уроки"
    assert og["articlePublishedTime"] == "2024-05-01T00:00:00+03:00"
    assert og["ogSiteName"] == "Первичная организация школы 1"
