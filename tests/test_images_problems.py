"""Images the build cannot or must not publish, each a `path:line` problem in Russian with its fix
(SPEC §4): a broken or cut-short photo, one too large to decode, a gallery that names nothing usable, a
file named as another photo's smaller copy, and photos in formats browsers do not show (HEIC from an
iPhone, TIFF from a scanner), which published as they are would carry the place they were taken, and
BMP, which is not compressed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from conftest import run_check
from test_images import POST, SCHOOL, phone_photo


@pytest.mark.parametrize("name, kind", [("IMG_0001.HEIC", "HEIC"), ("skan.tiff", "TIFF"), ("foto.tif", "TIFF")])
def test_a_photo_browsers_do_not_show_is_an_error_with_the_fix(mini: Path, name: str, kind: str) -> None:
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets" / name).write_bytes(b"\x00\x00\x00\x18ftypheic" if kind == "HEIC" else b"II*\x00")
    assert run_check(mini) == [
        f"{SCHOOL}/assets/{name}:1: фотографию в формате {kind} браузеры не покажут, а в её данных может быть "
        "место съёмки; сохраните её как JPEG (на iPhone: Настройки → Камера → Форматы → «Наиболее "
        "совместимый») и поправьте ссылки на неё"]


def test_a_bmp_picture_is_an_error_with_the_fix(mini: Path) -> None:
    """A BMP is not compressed: a phone-sized one is tens of megabytes, which no reader should download."""
    (mini / SCHOOL / "assets").mkdir()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(mini / SCHOOL / "assets" / "skhema.bmp")
    assert run_check(mini) == [
        f"{SCHOOL}/assets/skhema.bmp:1: картинка в формате BMP не сжата: читатели скачали бы в десятки раз "
        "больше, чем нужно; пересохраните её как JPEG или PNG и поправьте ссылки на неё"]


def test_a_shared_heic_photo_is_reported_once(mini: Path) -> None:
    (mini / "shared/assets").mkdir(parents=True, exist_ok=True)
    (mini / "shared/assets/IMG_0002.heic").write_bytes(b"\x00\x00\x00\x18ftypheic")
    problems = run_check(mini)
    assert len([p for p in problems if "IMG_0002.heic" in p]) == 1, problems


@pytest.mark.parametrize("content, message", [
    (b"GIF89a not a jpeg", "файл не является изображением"),
    (None, "изображение повреждено или обрезано"),
])
def test_a_broken_image_is_a_russian_problem_at_its_path(mini: Path, content: bytes | None, message: str):
    school = mini / SCHOOL
    (school / "assets").mkdir()
    data = content if content is not None else phone_photo(800, 600)[:9000]  # a truncated upload
    (school / "assets/foto.jpg").write_bytes(data)
    post = mini / POST
    post.write_text(post.read_text(encoding="utf-8").replace("title: Январь\n", "title: Январь\ncover: ../assets/foto.jpg\n"),
                    encoding="utf-8")
    problems = run_check(mini)
    assert any(p.startswith(f"{SCHOOL}/assets/foto.jpg:1: ") and message in p and "пересохраните" in p
               for p in problems), problems


def test_a_gallery_that_names_nothing_usable_is_an_error_at_its_line(mini: Path):
    post = mini / POST
    post.write_text(post.read_text(encoding="utf-8").replace("title: Январь\n", "title: Январь\ngallery: ../assets/net/\n"),
                    encoding="utf-8")
    line = post.read_text(encoding="utf-8").splitlines().index("gallery: ../assets/net/") + 1
    assert run_check(mini) == [f"{POST}:{line}: папка галереи «../assets/net/» не найдена; положите фотографии "
                               "в папку внутри assets/"]


def test_a_gallery_item_that_is_not_a_photo_is_an_error_at_its_line(mini: Path):
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets/polozhenie.pdf").write_bytes(b"%PDF-1.4")
    post = mini / POST
    post.write_text(post.read_text(encoding="utf-8").replace(
        "title: Январь\n", "title: Январь\ngallery: [../assets/polozhenie.pdf, ../assets/net.jpg]\n"), encoding="utf-8")
    line = 3
    assert run_check(mini) == [
        f"{POST}:{line}: файл «../assets/net.jpg» не найден; проверьте имя и путь относительно этой новости"]
    (mini / SCHOOL / "assets/net.jpg").write_bytes(phone_photo(300, 200))
    assert run_check(mini) == [
        f"{POST}:{line}: в галерее «../assets/polozhenie.pdf» — не фотография в папке организации: в галерею кладут "
        "картинки JPEG, PNG или WebP рядом с новостью"]


def test_a_file_named_as_a_photos_smaller_copy_is_an_error(mini: Path):
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets/foto.jpg").write_bytes(phone_photo(1200, 900))
    (mini / SCHOOL / "assets/foto-480w.jpg").write_bytes(phone_photo(480, 360))
    assert run_check(mini) == [f"{SCHOOL}/assets/foto-480w.jpg:1: файл получит адрес «assets/foto-480w.jpg», а там "
                               "будет уменьшенная копия фотографии «foto.jpg»; переименуйте файл"]


def test_an_image_too_large_to_decode_is_refused_before_decoding(mini: Path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 15000, 15000, 8, 2, 0, 0, 0)  # 225 megapixels, as a header says
    (mini / SCHOOL / "assets").mkdir()
    (mini / SCHOOL / "assets/plakat.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                                                      + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    assert run_check(mini) == [f"{SCHOOL}/assets/plakat.png:1: изображение слишком большое (больше 178 мегапикселей); "
                               "уменьшите его"]
