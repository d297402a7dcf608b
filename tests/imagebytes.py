"""Real image files for tests whose federations publish pictures: since SPEC §4's web copies, a file
named .jpg or .png must be an image the build can read (an empty one is a problem at its path)."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(width: int = 40, height: int = 30, kind: str = "JPEG", colour: tuple[int, int, int] = (40, 53, 147)) -> bytes:
    """A plain image of one colour, in the given format."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind)
    return out.getvalue()


JPEG = image_bytes()
PNG = image_bytes(kind="PNG")
