"""Photos as readers need them (SPEC §4): which files are raster images, the sizes of their web copies
and the names of those copies, worked out from an image's header alone (no decoding)."""

from __future__ import annotations

import posixpath
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

# Raster images are published only as web-sized copies, in the format their extension names (so that
# their URL keeps its type). GIF (maybe animated) and SVG (no pixels) are published as they are.
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
MAX_SIDE = 2048  # the largest copy's long side
WIDTHS = (480, 1024)  # the smaller copies' widths: cards and phones (srcset)
CARD_SIZES = "(max-width: 600px) 100vw, 320px"
CONTENT_SIZES = "(max-width: 800px) 100vw, 800px"
ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
FIX = "пересохраните его как JPEG или PNG (например, откройте и сохраните заново) или уберите"


# Photos in formats browsers do not show, whose metadata (GPS position) would be published as it is.
UNSHOWN = {".tif": "TIFF", ".tiff": "TIFF", ".heic": "HEIC", ".heif": "HEIF"}
# Pictures browsers show but that are not compressed: a 4000×3000 BMP is 36 MB, as a JPEG under 5 MB.
UNCOMPRESSED = {".bmp": "BMP"}


def unshown_photo_problem(path: str) -> str:
    """The Russian message for a picture in a format of UNSHOWN or UNCOMPRESSED ('' for any other file)."""
    ext = posixpath.splitext(path.lower())[1]
    if ext in UNCOMPRESSED:
        return (f"картинка в формате {UNCOMPRESSED[ext]} не сжата: читатели скачали бы в десятки раз больше, "
                "чем нужно; пересохраните её как JPEG или PNG и поправьте ссылки на неё")
    if ext not in UNSHOWN:
        return ""
    return (f"фотографию в формате {UNSHOWN[ext]} браузеры не покажут, а в её данных может быть место съёмки; "
            "сохраните её как JPEG (на iPhone: Настройки → Камера → Форматы → «Наиболее совместимый») "
            "и поправьте ссылки на неё")


class ImageProblem(Exception):
    """A file with an image's extension that is not a readable image; the message is in Russian."""


def is_raster(path: str) -> bool:
    return posixpath.splitext(path.lower())[1] in RASTER


def variant_name(path: str, width: int) -> str:
    """The name of an image's smaller copy beside it: foto.jpg -> foto-480w.jpg (a URL works too)."""
    stem, ext = posixpath.splitext(path)
    return f"{stem}-{width}w{ext}"


def web_size(width: int, height: int) -> tuple[int, int]:
    """The largest copy's size: the source's, scaled down to at most MAX_SIDE on its long side."""
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def copy_size(width: int, height: int, to_width: int) -> tuple[int, int]:
    return to_width, max(1, round(height * to_width / width))


@dataclass(frozen=True)
class WebImage:
    """An image's web copies: the largest one's size and the widths of the smaller ones."""

    width: int
    height: int
    widths: tuple[int, ...]


def web_image(width: int, height: int) -> WebImage:
    """The copies made of a source of this (upright) size."""
    w, h = web_size(width, height)
    return WebImage(w, h, tuple(x for x in WIDTHS if x < w))


@dataclass(frozen=True)
class Picture:
    """An image as a page shows it: its URL (public-root-relative, percent-encoded), its size, and every
    copy with its width for `srcset` (the largest included)."""

    url: str
    width: int
    height: int
    srcset: tuple[tuple[str, int], ...]


def picture(url: str, image: WebImage) -> Picture:
    copies = tuple((variant_name(url, w), w) for w in image.widths) + ((url, image.width),)
    return Picture(url, image.width, image.height, copies)


def upright_size(path: str) -> tuple[int, int]:
    """The image's size as it is shown (EXIF orientation applied), from its header; ImageProblem if
    the file is not an image Pillow can read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # a 108-megapixel phone is a phone
            with Image.open(path) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as e:
        raise ImageProblem(problem_text(e)) from None
    return (height, width) if orientation in ROTATED else (width, height)


def problem_text(error: BaseException) -> str:
    """What a reader of the build's output is told about a file that is not a readable image."""
    if isinstance(error, Image.DecompressionBombError):  # Pillow's limit: twice MAX_IMAGE_PIXELS
        return f"изображение слишком большое (больше {2 * Image.MAX_IMAGE_PIXELS // 1_000_000} мегапикселей); уменьшите его"
    if isinstance(error, UnidentifiedImageError):
        return f"файл не является изображением, хотя назван как изображение; {FIX}"
    return f"изображение повреждено или обрезано ({type(error).__name__}); {FIX}"
