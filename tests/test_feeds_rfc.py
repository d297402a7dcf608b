"""Feeds to the letter of RSS 2.0 and RFC 4287 (SPEC §7), read as XML: what strict readers and podcast
apps check, not only what feedparser tolerates."""

from __future__ import annotations

import struct
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest

BASE = "https://fed.example.org/"
ATOM = "{http://www.w3.org/2005/Atom}"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
# RFC 4287 §4.1.3.1: inline content is text, html, xhtml or a MIME type (then XML or base64)
ATOM_TEXT_TYPES = {"text", "html", "xhtml"}
APPLE_CATEGORIES = {"Arts", "Business", "Comedy", "Education", "Fiction", "Government", "History",
                    "Health & Fitness", "Kids & Family", "Leisure", "Music", "News", "Religion & Spirituality",
                    "Science", "Society & Culture", "Sports", "Technology", "True Crime", "TV & Film"}


def feeds(public: Path, suffix: str) -> list[Path]:
    found = sorted(p for p in public.rglob(f"*{suffix}") if not p.name.startswith("sitemap"))
    assert found
    return found


def rss_files(public: Path) -> list[Path]:
    return [p for p in feeds(public, ".xml") if not p.name.endswith(".atom.xml") and "atom" not in p.name]


def atom_files(public: Path) -> list[Path]:
    return [p for p in feeds(public, ".xml") if p.name.endswith(".atom.xml") or p.name.startswith("atom")]


def site_home(public: Path, feed: Path) -> str:
    """The home page of the site a feed belongs to (a project feed: its page)."""
    rel = feed.relative_to(public).as_posix()
    if "/posts/projects/" in f"/{rel}":
        return BASE + rel.replace(".atom.xml", ".html").replace(".xml", ".html")
    return BASE + rel.rsplit("/", 1)[0] + "/" if "/" in rel else BASE


def test_rss_channel_links_to_the_site_and_names_itself_with_atom_self(built_mini: Path):
    for path in rss_files(built_mini):
        channel = ElementTree.parse(path).getroot().find("channel")
        for required in ("title", "link", "description"):  # RSS 2.0: required channel elements
            assert (channel.findtext(required) or "").strip(), (path, required)
        assert channel.findtext("link") == site_home(built_mini, path), path
        selves = [ln for ln in channel.findall(f"{ATOM}link") if ln.get("rel") == "self"]
        assert [ln.get("href") for ln in selves] == [BASE + path.relative_to(built_mini).as_posix()]


def test_rss_items_have_permanent_guids_dates_with_zones_and_complete_enclosures(built_mini: Path):
    for path in rss_files(built_mini):
        for item in ElementTree.parse(path).getroot().iter("item"):
            guid = item.find("guid")
            assert guid is not None and guid.get("isPermaLink") == "false" and guid.text.startswith("urn:uuid:")
            assert parsedate_to_datetime(item.findtext("pubDate")).utcoffset() is not None
            assert item.findtext("link").startswith(BASE)
            assert (item.findtext("{http://purl.org/dc/elements/1.1/}creator") or "").strip()
            for enclosure in item.findall("enclosure"):  # RSS 2.0: url, length and type, all three
                assert enclosure.get("url").startswith(BASE) and enclosure.get("length").isdigit()
                assert enclosure.get("type", "").startswith(("audio/", "video/"))


def test_atom_content_has_an_rfc_4287_type_and_holds_escaped_html(built_mini: Path):
    contents = 0
    for path in atom_files(built_mini):
        for content in ElementTree.parse(path).getroot().iter(f"{ATOM}content"):
            assert content.get("type") in ATOM_TEXT_TYPES, (path, content.get("type"))
            assert content.get("type") == "html" and content.text.lstrip().startswith("<")  # HTML once unescaped
            contents += 1
    assert contents > 5


def test_every_atom_entry_has_an_author_the_posts_else_the_organizations(built_mini: Path):
    authors = set()
    for path in atom_files(built_mini):
        feed = ElementTree.parse(path).getroot()
        assert (feed.findtext(f"{ATOM}author/{ATOM}name") or "").strip(), path
        for required in ("id", "title", "updated"):
            assert (feed.findtext(f"{ATOM}{required}") or "").strip(), (path, required)
        for entry in feed.iter(f"{ATOM}entry"):
            names = [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
            assert names and all(n and n.strip() for n in names), (path, entry.findtext(f"{ATOM}title"))
            authors.update(names)
            for stamp in ("updated", "published"):
                assert datetime.fromisoformat(entry.findtext(f"{ATOM}{stamp}")).utcoffset() is not None
            alternate = [ln for ln in entry.findall(f"{ATOM}link") if ln.get("rel") == "alternate"]
            assert len(alternate) == 1 and alternate[0].get("type") == "text/html"
    assert "Лектор" in authors  # the post's own
    assert "Первичная организация школы 1" in authors  # a post without one: its organization's


def test_a_feed_with_audio_is_a_podcast_apple_accepts(built_mini: Path):
    channel = ElementTree.parse(built_mini / "feed.xml").getroot().find("channel")
    assert channel.find("item/enclosure") is not None
    image = channel.find(f"{ITUNES}image")
    assert image is not None and image.get("href").startswith(BASE)
    data = (built_mini / image.get("href")[len(BASE):]).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == height and 1400 <= width <= 3000  # Apple: square, 1400 to 3000 px
    assert [c.get("text") for c in channel.findall(f"{ITUNES}category")] == ["Education"]
    assert set(c.get("text") for c in channel.findall(f"{ITUNES}category")) <= APPLE_CATEGORIES
    assert channel.findtext(f"{ITUNES}explicit") == "false"  # Apple: "true" or "false", not "no"
    assert (channel.findtext(f"{ITUNES}author") or "").strip()


@pytest.mark.parametrize("name", ["district-a/school-1/feed.xml", "district-a/school-1/atom.xml"])
def test_a_feed_without_recordings_carries_no_podcast_tags(built_mini: Path, name: str):
    text = (built_mini / name).read_text(encoding="utf-8")
    assert "itunes" not in text


def test_in_a_podcast_only_the_recordings_are_episodes(built_mini: Path):
    items = list(ElementTree.parse(built_mini / "feed.xml").getroot().iter("item"))
    assert any(item.find("enclosure") is not None for item in items)
    assert any(item.find("enclosure") is None for item in items)
    for item in items:
        assert (item.find(f"{ITUNES}summary") is not None) == (item.find("enclosure") is not None)
