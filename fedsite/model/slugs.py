"""Slugs for URLs: Cyrillic transliterated to Latin by python-slugify, remembered per process."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from slugify import slugify

_ALREADY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The longest slug a file name, a tag or a page's folder gives (cut at a word): a slug is one part of an
# output file's name, at most 255 bytes, and Cyrillic transliterates to up to 4 letters (щ -> shch), so a
# long Cyrillic file name gave a traceback. 150 leaves the URL of every file name up to ~100 Cyrillic
# letters as it was.
MAX_SLUG = 150


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """'Семинар в Алексеевке' -> 'seminar-v-alekseevke'; '' when nothing usable is left. Cut at a word
    to at most MAX_SLUG characters."""
    # Transliteration is slow per call; file names are often slugs already.
    if _ALREADY.match(text) and len(text) <= MAX_SLUG:
        return text
    return slugify(text, max_length=MAX_SLUG, word_boundary=True)


@lru_cache(maxsize=65536)
def tag_slug(tag: str) -> str:
    """A tag's part of its page's URL: its slug, or for a tag with no letter or digit to transliterate
    ('🎉', '!!!') a slug of its own from a digest of the tag, so such tags never share a page."""
    return slug(tag) or "tag-" + hashlib.sha256(tag.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def tag_url(tag: str) -> str:
    """A tag's page, site-relative."""
    return f"posts/tags/{tag_slug(tag)}.html"
