"""Web-sized copies of every raster image the federation publishes (SPEC §4), made once per image
content and kept in .cache/images/<key>/: the largest copy (≤ 2048 px), the smaller ones for srcset,
EXIF orientation applied, every metadata (EXIF, GPS, ICC, text chunks) left out. The originals are
never published: a site copies these files under the original's name and beside it.

The key of a copy is the source's content (git blob id, else sha256) and this code (the two image
modules and Pillow's version), so a second build encodes nothing and an edit here makes all again."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
import weakref
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import PIL
from PIL import Image, ImageOps

from fedsite.model import imagefiles
from fedsite.model.diagnostics import Diagnostics
from fedsite.model.imagefiles import RASTER, ROTATED, ImageProblem, WebImage, copy_size, is_raster, problem_text, \
    unshown_photo_problem, variant_name, web_image
from fedsite.read.federation import Federation
from fedsite.render.htmlstore import _TEMPORARY

FOLDER = "images"
META = "meta.json"
QUALITY = {"JPEG": {"quality": 82, "optimize": True, "progressive": True}, "PNG": {"optimize": False},
           "WEBP": {"quality": 80}}
PARALLEL_FROM = 4  # images to encode before worker processes pay for themselves


@lru_cache(maxsize=1)
def code_digest() -> str:
    """This code's part of every copy's key."""
    h = hashlib.sha256(f"Pillow={PIL.__version__}\0".encode())
    for path in (Path(__file__), Path(imagefiles.__file__)):
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Copies:
    """One source image's web copies: where they are and their sizes."""

    folder: str
    ext: str
    image: WebImage

    def files(self, dest: str) -> list[tuple[str, str]]:
        """(copy, site-relative destination) of each copy, the largest under the original's name."""
        out = [(os.path.join(self.folder, "image" + self.ext), dest)]
        out += [(os.path.join(self.folder, f"{w}{self.ext}"), variant_name(dest, w)) for w in self.image.widths]
        return out


def make_copies(source: str, folder: Path) -> WebImage:
    """Decode the source once, write every copy into `folder` (new), return their sizes; ImageProblem if
    the file is no readable image (a truncated JPEG too: it is decoded to its end)."""
    ext = os.path.splitext(source)[1].lower()
    kind = RASTER[ext]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # over twice the limit: an error
            with Image.open(source) as opened:
                width, height = opened.size
                rotated = opened.getexif().get(0x0112, 1) in ROTATED
                target = web_image(*((height, width) if rotated else (width, height)))
                if opened.format == "JPEG":  # decode at 1/2, 1/4… of the size when that is still large enough
                    opened.draft("RGB", (target.height, target.width) if rotated else (target.width, target.height))
                image = ImageOps.exif_transpose(opened)
                image.load()
    except ImageProblem:
        raise
    except Exception as e:  # noqa: BLE001 (whatever a broken file makes a decoder raise is reported, not thrown)
        raise ImageProblem(problem_text(e)) from None
    if image.mode not in ("RGB", "RGBA", "L", "LA"):  # a palette resizes badly; CMYK and 16 bits show nowhere
        clear = "transparency" in image.info or image.mode in ("PA", "RGBa", "La")
        image = image.convert("RGBA" if clear and kind != "JPEG" else "RGB")
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    largest = image if image.size == (target.width, target.height) else image.resize(
        (target.width, target.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    folder.mkdir(parents=True)
    _save(largest, folder / f"image{ext}", kind)
    for w in target.widths:
        _save(largest.resize(copy_size(target.width, target.height, w), Image.Resampling.LANCZOS),
              folder / f"{w}{ext}", kind)
    return target


def _save(image: Image.Image, path: Path, kind: str) -> None:
    image.info.clear()  # no EXIF, ICC profile, comments or text chunks travel with the pixels
    image.save(path, kind, **QUALITY[kind])


def _made(source: str, folder: str) -> tuple[str, dict | str]:
    """Make one source's copies in a scratch folder beside `folder`, then rename it into place."""
    scratch = Path(f"{folder}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        image = make_copies(source, scratch)
    except ImageProblem as e:
        shutil.rmtree(scratch, ignore_errors=True)
        return source, str(e)
    meta = {"width": image.width, "height": image.height, "widths": list(image.widths)}
    (scratch / META).write_text(json.dumps(meta), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(scratch, folder)
    return source, meta


class ImageStore:
    """The copies under the build cache (or a folder of this process's own when building without one)."""

    def __init__(self, cache_dir: Path | None) -> None:
        if cache_dir is None:
            # Removed with the HTML store's temporary folders, at the end of the build (build/pipeline.py).
            scratch = tempfile.mkdtemp(prefix="fed-images-")
            # (Tied to a module, which outlives the build: not to this store, which is dropped before the sites copy.)
            _TEMPORARY.append(weakref.finalize(imagefiles, shutil.rmtree, scratch, True))
            self.root = Path(scratch)
        else:
            self.root = cache_dir / FOLDER
        self.root.mkdir(parents=True, exist_ok=True)
        self.encoded = 0  # copies made by this build (the tests' witness that a second build made none)

    def folder(self, content: str) -> str:
        return str(self.root / hashlib.sha256(f"{content}\0{code_digest()}".encode()).hexdigest()[:40])

    def known(self, folder: str) -> WebImage | None:
        try:
            meta = json.loads(Path(folder, META).read_text(encoding="utf-8"))
            return WebImage(meta["width"], meta["height"], tuple(meta["widths"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def prune(self, used: set[str]) -> None:
        """Remove the copies no published image has any more (a photo replaced or deleted), and the
        scratch folders of builds that were killed."""
        for entry in os.scandir(self.root):
            if entry.path not in used:
                shutil.rmtree(entry.path, ignore_errors=True)

    def make(self, todo: list[tuple[str, str]], workers: int) -> dict[str, dict | str]:
        """(source, folder) pairs made; source -> its copies' sizes, or the problem's text."""
        self.encoded += len(todo)
        if workers > 1 and len(todo) >= PARALLEL_FROM:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                return dict(pool.map(_made, *zip(*todo), chunksize=1))
        return dict(_made(source, folder) for source, folder in todo)


@dataclass(frozen=True)
class WebImages:
    """Every raster file the federation publishes, with its copies; `broken`: source -> problem text."""

    copies: dict[str, Copies]  # absolute source path -> its copies
    broken: dict[str, str]
    encoded: int

    def published(self, files: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """A site's files to copy, each raster image replaced by its copies (a broken one left out)."""
        out: list[tuple[str, str]] = []
        for source, dest in files:
            if source in self.copies:
                out += self.copies[source].files(dest)
            elif source not in self.broken:
                out.append((source, dest))
        return out


def web_images(fed: Federation, diags: Diagnostics, cache_dir: Path | None, workers: int = 1) -> WebImages:
    """Every raster image of every site made into web copies (or found made); problems reported at the file."""
    store = ImageStore(cache_dir)
    prefix = f"{fed.repo}/"
    found, todo, sizes = {}, [], {}
    seen: set[str] = set()
    for files in fed.assets.values():
        for source, _ in files:
            if source in seen:
                continue
            seen.add(source)
            if unshown_photo_problem(source):
                diags.add(Path(source), 1, unshown_photo_problem(source))
            if not is_raster(source):
                continue
            rel = source[len(prefix):] if source.startswith(prefix) else source
            blob = fed.file_hashes.get(rel) if not os.path.islink(source) else None
            found[source] = folder = store.folder(f"git:{blob}" if blob else _sha256(source))
            image = store.known(folder)
            if image is None:
                todo.append((source, folder))
            else:
                sizes[source] = image
    store.prune(set(found.values()))
    broken = {}
    for source, made in store.make(todo, workers).items():
        if isinstance(made, str):
            broken[source] = made
            diags.add(Path(source), 1, made)
        else:
            sizes[source] = WebImage(made["width"], made["height"], tuple(made["widths"]))
    copies = {s: Copies(found[s], os.path.splitext(s)[1].lower(), image) for s, image in sizes.items()}
    for files in fed.assets.values():
        _check_names(files, copies, diags)
    return WebImages(copies, broken, store.encoded)


def _check_names(files: list[tuple[str, str]], copies: dict[str, Copies], diags: Diagnostics) -> None:
    """A file named as another photo's smaller copy (foto-480w.jpg beside foto.jpg) would be hidden by it."""
    taken = {dest: source for source, dest in files}
    for source, dest in files:
        if source in copies:
            for _, name in copies[source].files(dest)[1:]:
                if name in taken:
                    diags.add(Path(taken[name]), 1, f"файл получит адрес «{name}», а там будет уменьшенная копия "
                                                    f"фотографии «{os.path.basename(dest)}»; переименуйте файл")


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()

