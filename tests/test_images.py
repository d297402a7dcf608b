"""Photos as readers need them (SPEC §4): a phone's 4000×3000 JPEG with its GPS position, used as a cover,
in a gallery and in the text, is published only as web-sized copies without metadata, with srcset and
width/height on every page that shows it, made once per content; a broken image is a path:line problem."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import copy_federation, fixed_clock
from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics

SCHOOL = "sites/region/district-a/school-1"
POST = f"{SCHOOL}/posts/2025-01-01-yanvar.md"
GPS = {1: "N", 2: (50.0, 36.0, 12.5), 3: "E", 4: (36.0, 35.0, 1.0)}


def phone_photo(width: int = 4000, height: int = 3000, orientation: int = 1, shade: int = 0) -> bytes:
    """A phone's photo: a real-size JPEG (noise, so it is megabytes) with EXIF GPS tags and an orientation."""
    image = Image.effect_noise((width // 4, height // 4), 60).convert("RGB").resize((width, height))
    image.paste((200, 40 + shade, 40), (0, 0, width // 4, height // 4))  # a red block: top left, upright
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def with_photos(repo: Path) -> Path:
    school = repo / SCHOOL
    (school / "assets/konkurs").mkdir(parents=True)
    (school / "assets/foto.jpg").write_bytes(phone_photo())
    (school / "assets/konkurs/1.jpg").write_bytes(phone_photo(shade=10))
    (school / "assets/konkurs/2.jpg").write_bytes(phone_photo(3000, 4000, orientation=1, shade=20))
    (school / "assets/konkurs/3.jpg").write_bytes(phone_photo(4000, 3000, orientation=6, shade=30))  # stood up
    district = repo / "sites/region/district-a"
    (district / "assets").mkdir()
    (district / "assets/emblema.jpg").write_bytes(phone_photo(3000, 2000, shade=70))
    (district / "site.yml").write_text((district / "site.yml").read_text(encoding="utf-8") + "image: assets/emblema.jpg\n",
                                       encoding="utf-8")
    post = repo / POST
    post.write_text(post.read_text(encoding="utf-8").replace(
        "title: Январь\n", "title: Январь\ngallery: ../assets/konkurs/\n").rstrip("\n")
        + "\n\n![Урок в классе](../assets/foto.jpg)\n", encoding="utf-8")
    return repo


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_photos(copy_federation("mini", tmp_path_factory.mktemp("images")))


@pytest.fixture(scope="module")
def built(photos: Path) -> Path:
    return build_once(photos)


def build_once(repo: Path) -> Path:
    """A build with the build cache (.cache/), where the copies are kept."""
    with fixed_clock():
        diags = Diagnostics(repo)
        result = build(repo, repo / "public", diags, jobs=1, cache=repo / ".cache")
    assert result is not None, [str(p) for p in diags.sorted()]
    return repo / "public"


def originals(repo: Path) -> list[bytes]:
    return [p.read_bytes() for p in (repo / SCHOOL / "assets").rglob("*.jpg")]


def test_no_published_image_is_over_2048_px_or_carries_exif(built: Path, photos: Path):
    published = [p for p in built.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp")]
    assert len(published) >= 12  # four photos, each with its smaller copies
    for path in published:
        with Image.open(path) as image:
            assert max(image.size) <= 2048, path
            assert not image.getexif(), path  # no EXIF at all: no GPS position, no orientation to misread
            assert "exif" not in image.info and "icc_profile" not in image.info, path
    with Image.open(photos / SCHOOL / "assets/foto.jpg") as original:  # what the phone wrote: its position
        assert original.getexif().get_ifd(0x8825)[2] == (50.0, 36.0, 12.5)
    bytes_out = {p.read_bytes() for p in published}
    assert not bytes_out & set(originals(photos))
    assert all(b"PhoneMaker" not in data for data in bytes_out)


def test_the_photo_keeps_its_name_and_its_copies_lie_beside_it(built: Path):
    folder = built / "district-a/school-1/assets"
    with Image.open(folder / "foto.jpg") as image:
        assert image.size == (2048, 1536)
    with Image.open(folder / "foto-480w.jpg") as image:
        assert image.size == (480, 360)
    with Image.open(folder / "konkurs/3.jpg") as image:  # EXIF orientation 6 applied: it stands upright
        assert image.size == (1536, 2048)
        assert image.getpixel((1536 - 20, 20))[0] > 150  # the red block, top left before, now top right


def srcset_files(page: Path, img) -> list[tuple[Path, int]]:
    out = []
    for item in img["srcset"].split(","):
        url, width = item.split()
        out.append(((page.parent / url).resolve(), int(width.rstrip("w"))))
    return out


def check_img(page: Path, img) -> None:
    assert img.get("width") and img.get("height") and img.get("sizes"), img
    for path, width in srcset_files(page, img):
        assert path.is_file(), path
        with Image.open(path) as image:
            assert image.width == width, path
    with Image.open((page.parent / img["src"]).resolve()) as image:
        assert image.size == (int(img["width"]), int(img["height"]))


def test_pages_carry_srcset_with_widths_that_exist_and_width_height(built: Path):
    page = built / "district-a/school-1/posts/yanvar.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    text_img = soup.select_one(".fed-post__content img")
    check_img(page, text_img)
    thumbs = soup.select(".fed-gallery a.fed-gallery__thumb img")
    assert len(thumbs) == 3
    for img in thumbs:
        check_img(page, img)
    news = built / "district-a/school-1/posts/index.html"
    card = BeautifulSoup(news.read_text(encoding="utf-8"), "html.parser").select_one(".fed-card__cover img")
    check_img(news, card)  # the cover defaults to the gallery's first photo
    assert card["src"].endswith("konkurs/1.jpg")


def test_og_image_is_the_covers_web_copy_at_least_1200_wide(built: Path):
    page = built / "district-a/school-1/posts/yanvar.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    url = soup.find("meta", property="og:image")["content"]
    assert url.startswith("https://") and url.endswith("district-a/school-1/assets/konkurs/1.jpg")
    with Image.open(built / "district-a/school-1/assets/konkurs/1.jpg") as image:
        assert image.width >= 1200 and image.height >= 630
        assert soup.find("meta", property="og:image:width")["content"] == str(image.width)


def test_og_image_of_a_site_is_its_site_yml_images_web_copy(built: Path):
    soup = BeautifulSoup((built / "district-a/index.html").read_text(encoding="utf-8"), "html.parser")
    url = soup.find("meta", property="og:image")["content"]
    assert url == "https://fed.example.org/district-a/assets/emblema.jpg"
    with Image.open(built / "district-a/assets/emblema.jpg") as image:
        assert image.size == (2048, 1365) and not image.getexif()
    assert soup.find("meta", property="og:image:width")["content"] == "2048"
    assert soup.find("meta", property="og:image:height")["content"] == "1365"


def test_a_second_build_encodes_nothing(photos: Path, built: Path):
    copies = sorted((photos / ".cache/images").rglob("*.jpg"))
    assert copies
    before = {p: os.stat(p).st_mtime_ns for p in copies}
    build_once(photos)
    assert {p: os.stat(p).st_mtime_ns for p in sorted((photos / ".cache/images").rglob("*.jpg"))} == before


def test_a_build_without_the_cache_publishes_the_copies_and_leaves_no_folder(mini: Path, tmp_path: Path, monkeypatch):
    from conftest import build_once as build_without_cache

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets/foto.jpg").write_bytes(phone_photo(2400, 1800))
    public = build_without_cache(mini)
    with Image.open(public / "district-a/school-1/assets/foto.jpg") as image:
        assert image.size == (2048, 1536)
    assert (public / "district-a/school-1/assets/foto-1024w.jpg").is_file()
    assert list((tmp_path / "tmp").iterdir()) == []


def tree_bytes(public: Path) -> dict[str, bytes]:
    return {p.relative_to(public).as_posix(): p.read_bytes() for p in sorted(public.rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


def test_a_replaced_photo_changes_every_page_that_shows_it_as_a_fresh_build_would(photos: Path, built: Path,
                                                                                   tmp_path: Path):
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(photos, repo, ignore=shutil.ignore_patterns("public"))
    build_once(repo)  # the cache as the module's build left it, and an output of our own
    (repo / SCHOOL / "assets/konkurs/1.jpg").write_bytes(phone_photo(1000, 2000, shade=50))  # a portrait now
    (repo / SCHOOL / "assets/foto.jpg").write_bytes(phone_photo(1600, 1200, shade=60))
    cached = tree_bytes(build_once(repo))
    fresh_repo = tmp_path / "fresh"
    shutil.copytree(repo, fresh_repo, ignore=shutil.ignore_patterns("public", ".cache"))
    fresh = tree_bytes(build_once(fresh_repo))
    assert cached.keys() == fresh.keys()
    assert [name for name in cached if cached[name] != fresh[name]] == []
    page = BeautifulSoup(cached["district-a/index.html"].decode(), "html.parser")  # the member's news, above
    card = page.select_one(".fed-card__cover img")
    assert (card["width"], card["height"]) == ("1000", "2000")
    text_img = BeautifulSoup(cached["district-a/school-1/posts/yanvar.html"].decode(), "html.parser").select_one(
        ".fed-post__content img")
    assert (text_img["width"], text_img["height"]) == ("1600", "1200") and "srcset" in text_img.attrs


def test_copies_of_a_photo_no_longer_published_leave_the_cache(mini: Path):
    (mini / SCHOOL / "assets").mkdir()
    photo = mini / SCHOOL / "assets/foto.jpg"
    photo.write_bytes(phone_photo(900, 600, shade=1))
    build_once(mini)
    first = set((mini / ".cache/images").iterdir())
    photo.write_bytes(phone_photo(900, 600, shade=2))
    build_once(mini)
    second = set((mini / ".cache/images").iterdir())
    assert len(first) == len(second) == 1 and first != second


@pytest.mark.parametrize("name, mode, size, out_mode, largest", [
    ("logo.png", "P", (600, 400), "RGBA", (600, 400)),  # a palette with a transparent colour keeps it, as alpha
    ("plakat.png", "RGBA", (2500, 2500), "RGBA", (2048, 2048)),
    ("scan.jpg", "CMYK", (3000, 2000), "RGB", (2048, 1365)),
    ("seryj.jpg", "L", (3000, 2000), "L", (2048, 1365)),
    ("foto.webp", "RGB", (2200, 1000), "RGB", (2048, 931)),
])
def test_each_format_keeps_its_kind_and_its_transparency(tmp_path: Path, name: str, mode: str, size: tuple,
                                                         out_mode: str, largest: tuple):
    from fedsite.render.images import make_copies

    source = tmp_path / name
    image = Image.new(mode, size, 0 if mode in ("P", "L") else (10, 20, 30, 0)[:len(mode)])
    image.save(source, **({"transparency": 0} if mode == "P" else {}))
    made = make_copies(str(source), tmp_path / "copies")
    assert (made.width, made.height) == largest
    for copy in (tmp_path / "copies").iterdir():
        with Image.open(copy) as out:
            assert out.format == Image.open(source).format and out.mode == out_mode
            if out_mode == "RGBA":
                assert out.getpixel((0, 0))[3] == 0
