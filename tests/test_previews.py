"""Previews when shared (SPEC §6): every page's Open Graph tags and meta description, read back from
the built HTML with an HTML parser as VK, Odnoklassniki and Telegram read them."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import build_once, copy_federation, run_check

SITE_URL = "https://fed.example.org/"
REQUIRED = ("og:title", "og:description", "og:image", "og:url", "og:type", "og:site_name", "og:locale")


def png(width: int, height: int) -> bytes:
    """A plain PNG of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + b"\x28\x35\x93" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def with_pictures(repo: Path) -> Path:
    """The mini federation, with an organization's picture (district-a) and a post's cover (school-1)."""
    district = repo / "sites/region/district-a"
    (district / "assets").mkdir()
    (district / "assets/emblema.png").write_bytes(png(60, 30))
    card = district / "site.yml"
    card.write_text(card.read_text(encoding="utf-8") + "image: assets/emblema.png\n", encoding="utf-8")
    school = district / "school-1"
    (school / "assets").mkdir()
    (school / "assets/фото урока.png").write_bytes(png(40, 30))
    post = school / "posts/2025-01-01-yanvar.md"
    post.write_text(post.read_text(encoding="utf-8").replace(
        "title: Январь\n", "title: Январь & «ёлка»\ncover: ../assets/фото урока.png\nupdated: 2025-01-03 10:00\n"),
        encoding="utf-8")
    return repo


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_once(with_pictures(copy_federation("mini", tmp_path_factory.mktemp("previews"))))


def previews(page: Path) -> tuple[dict[str, list[str]], list[str]]:
    """The page's Open Graph properties (property -> contents) and its meta descriptions."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    og: dict[str, list[str]] = {}
    for meta in soup.find_all("meta", property=True):
        og.setdefault(meta["property"], []).append(meta.get("content", ""))
    return og, [m.get("content", "") for m in soup.find_all("meta", attrs={"name": "description"})]


def published_file(public: Path, url: str) -> Path:
    assert url.startswith(SITE_URL), url
    return public / unquote(urlsplit(url).path.removeprefix(urlsplit(SITE_URL).path))


def test_every_page_carries_every_open_graph_tag_and_a_description(built: Path):
    pages = sorted(p for p in built.rglob("*.html") if not p.is_relative_to(built / "search"))
    assert len(pages) > 70
    for page in pages:
        og, descriptions = previews(page)
        where = page.relative_to(built).as_posix()
        for prop in REQUIRED:
            assert len(og.get(prop, [])) == 1 and og[prop][0].strip(), f"{where}: {prop}"
        assert len(descriptions) == 1 and descriptions[0].strip(), where
        assert og["og:locale"] == ["ru_RU"]
        assert og["og:type"][0] in ("article", "website")
        assert published_file(built, og["og:image"][0]).is_file(), f"{where}: {og['og:image'][0]}"
        if where.rsplit("/", 1)[-1] != "404.html":
            assert og["og:url"] == [SITE_URL + where], where


def test_a_post_is_an_article_with_its_date_summary_and_cover(built: Path):
    og, descriptions = previews(built / "district-a/school-1/posts/yanvar.html")
    assert og["og:type"] == ["article"]
    assert og["og:title"] == ["Январь & «ёлка»"]  # the parser unescapes: the title as written
    assert og["og:description"] == descriptions == ["Новость первого января."]
    assert og["og:site_name"] == ["Первичная организация школы 1"]
    published = datetime.fromisoformat(og["article:published_time"][0])
    assert published.utcoffset() is not None and published.isoformat() == "2025-01-01T00:30:00+03:00"
    assert datetime.fromisoformat(og["article:modified_time"][0]).day == 3
    cover = og["og:image"][0]
    assert cover == SITE_URL + "district-a/school-1/assets/%D1%84%D0%BE%D1%82%D0%BE%20%D1%83%D1%80%D0%BE%D0%BA%D0%B0.png"
    assert png_size(published_file(built, cover).read_bytes()) == (40, 30)
    assert og["og:image:width"] == ["40"] and og["og:image:height"] == ["30"]  # the web copy's own size


def test_without_a_cover_the_organizations_picture_else_the_federations(built: Path):
    own, _ = previews(built / "district-a/posts/seminar-v-raione.html")
    assert own["og:image"] == [SITE_URL + "district-a/assets/emblema.png"]
    assert own["og:type"] == ["article"] and "article:published_time" in own
    default, _ = previews(built / "posts/lekciya.html")
    assert default["og:image"] == [SITE_URL + "assets/fed-share.png"]
    width, height = png_size(published_file(built, default["og:image"][0]).read_bytes())
    assert width >= 1200 and height >= 630
    assert default["og:image:width"] == [str(width)] and default["og:image:height"] == [str(height)]


def test_pages_without_a_text_of_their_own_say_what_they_are_on_which_site(built: Path):
    home, descriptions = previews(built / "district-a/school-1/index.html")
    assert home["og:type"] == ["website"] and home["og:title"] == ["Первичная организация школы 1"]
    assert descriptions == ["Первичная организация школы 1: новости, мероприятия, контакты."]
    _, descriptions = previews(built / "posts/events.html")
    assert descriptions == ["Мероприятия — Региональная организация"]


@pytest.mark.parametrize("value, message", [
    ("assets/net.png", "картинка «assets/net.png» не найдена"),
    ("https://example.org/x.png", "адрес в интернете, а нужен файл в папке организации"),
    ("../district-b/site.yml", "должна лежать в папке assets/ этой организации"),
    ("assets/doc.pdf", "не картинка JPEG, PNG, GIF или WebP"),
])
def test_a_wrong_image_in_site_yml_is_an_error_at_its_line(mini: Path, value: str, message: str):
    (mini / "sites/region/district-a/assets").mkdir()
    (mini / "sites/region/district-a/assets/doc.pdf").write_bytes(b"%PDF-1.4")
    card = mini / "sites/region/district-a/site.yml"
    card.write_text(card.read_text(encoding="utf-8") + f"image: {value}\n", encoding="utf-8")
    problems = run_check(mini)
    assert [p for p in problems if p.startswith("sites/region/district-a/site.yml:4: ") and message in p], problems
