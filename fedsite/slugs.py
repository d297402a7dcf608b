"""Slugs for URLs: Cyrillic transliterated to Latin by python-slugify, remembered per process."""

from __future__ import annotations

import re
from functools import lru_cache

from slugify import slugify

_ALREADY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """'Семинар в Алексеевке' -> 'seminar-v-alekseevke'; '' when nothing usable is left."""
    # Transliteration is slow per call; file names are often slugs already.
    return text if _ALREADY.match(text) else slugify(text)
