"""Feeds judged by a real parser (feedparser) and calendars by icalendar."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import feedparser
from icalendar import Calendar

from fedsite.build.pipeline import build
from fedsite.model.diagnostics import Diagnostics
from fedsite.outputs.feeds import item_id

BASE = "https://fed.example.org/"


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    return feed


def all_feeds(public: Path) -> list[Path]:
    return sorted(p for p in public.rglob("*.xml") if not p.name.startswith("sitemap"))


def test_every_feed_parses_cleanly_with_absolute_resolving_links(built_mini: Path) -> None:
    feeds = all_feeds(built_mini)
    assert len(feeds) > 10
    for path in feeds:
        feed = parse(path)
        for entry in feed.entries:
            assert entry.link.startswith(BASE)
            assert (built_mini / entry.link[len(BASE):]).is_file(), entry.link
            assert entry.published_parsed and entry.id.startswith("urn:uuid:")
            html = entry.content[0].value if "content" in entry else entry.summary
            for href in re.findall(r'(?:href|src)="([^"]+)"', html):
                assert href.startswith(("https://", "http://", "mailto:")), (path, href)


def test_own_feed_is_newest_first_with_stable_guids(built_mini: Path) -> None:
    rss = parse(built_mini / "feed.xml")
    assert [e.title for e in rss.entries] == ["С Новым годом", "Аудиолекция о здоровье"]
    assert rss.entries[1].id == item_id("region", "2024-03-17-lekciya")
    assert rss.entries[1].guidislink is False
    assert 'isPermaLink="false"' in (built_mini / "feed.xml").read_text()
    atom = parse(built_mini / "atom.xml")
    assert [e.id for e in atom.entries] == [e.id for e in rss.entries]


def test_rollup_feed_holds_the_members_posts_and_own_feed_does_not(built_mini: Path) -> None:
    own = parse(built_mini / "district-a/feed.xml")
    rollup = parse(built_mini / "district-a/feed-all.xml")
    assert [e.title for e in own.entries] == ["Семинар в районе"]
    assert [e.title for e in rollup.entries] == ["Январь", "Открытые уроки", "Семинар в районе", "Летний лагерь"]
    assert not (built_mini / "district-a/school-1/feed-all.xml").exists()
    region = parse(built_mini / "feed-all.xml")
    assert len(region.entries) == 5  # feed_items: 5 caps the seven published posts


def test_same_post_has_the_same_id_in_every_feed(built_mini: Path) -> None:
    ids = {}
    for path in all_feeds(built_mini):
        for entry in parse(path).entries:
            ids.setdefault(entry.link, set()).add(entry.id)
    assert ids and all(len(v) == 1 for v in ids.values())


def test_items_carry_categories_author_and_enclosure(built_mini: Path) -> None:
    rss = parse(built_mini / "feed.xml")
    lecture = rss.entries[1]
    assert {t.term for t in lecture.tags} == {"лекция", "Профсоюз – территория здоровья"}
    assert lecture.author == "Лектор"
    enc = lecture.enclosures[0]
    assert enc.href == BASE + "assets/lecture.mp3"
    assert enc.type == "audio/mpeg" and enc.length == "1000"
    atom = parse(built_mini / "atom.xml")
    link = [l for l in atom.entries[1].links if l.rel == "enclosure"][0]
    assert (link.type, link.length) == ("audio/mpeg", "1000")
    assert "itunes" in (built_mini / "feed.xml").read_text()


def test_project_feeds_on_the_root_gather_the_federation(built_mini: Path) -> None:
    feed = parse(built_mini / "posts/projects/obrazovanie.xml")
    assert [e.title for e in feed.entries] == ["С Новым годом", "Открытые уроки", "Семинар в районе"]
    assert not (built_mini / "district-a/posts/projects/obrazovanie.xml").exists()


def test_channel_date_is_the_newest_items_not_the_clock(built_mini: Path) -> None:
    text = (built_mini / "feed.xml").read_text()
    assert "<lastBuildDate>Tue, 31 Dec 2024 23:30:00 +0300</lastBuildDate>" in text


def _ids_by_title(public: Path, feed: str) -> dict[str, str]:
    return {e.title: e.id for e in parse(public / feed).entries}


def test_retitled_reslugged_and_moved_posts_keep_their_ids(mini: Path, tmp_path: Path) -> None:
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, jobs=1)
    before = _ids_by_title(mini / "public", "feed-all.xml")
    post = mini / "sites/region/district-a/school-1/posts/2024-05-01-uroki.md"
    post.write_text(post.read_text().replace("title: Открытые уроки", "title: Уроки\nslug: novye-uroki"))
    shutil.move(mini / "sites/region/district-a/school-1", mini / "sites/region/district-b/school-1")
    lecture = mini / "sites/region/posts/2024-03-17-lekciya.md"
    lecture.write_text(lecture.read_text().replace("../district-a/school-1/", "../district-b/school-1/")
                       .replace("uroki.md#итоги", "uroki.md"))
    diags = Diagnostics(mini)
    assert build(mini, mini / "public", diags, jobs=1), [str(p) for p in diags.sorted()]
    after = _ids_by_title(mini / "public", "feed-all.xml")
    assert after["Уроки"] == before["Открытые уроки"]
    assert (mini / "public/district-b/school-1/posts/novye-uroki.html").is_file()
    assert set(after.values()) == set(before.values())


def test_rebuild_gives_byte_identical_feeds_and_calendars(mini: Path, tmp_path: Path) -> None:
    outputs = []
    for n in range(2):
        out = tmp_path / f"out{n}"
        assert build(mini, out, Diagnostics(mini), jobs=1)
        outputs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*")
                        if p.suffix in {".xml", ".ics"}})
    assert outputs[0] == outputs[1] and len(outputs[0]) > 10


def test_calendar_parses_back_with_the_events_in_the_federations_zone(built_mini: Path) -> None:
    cal = Calendar.from_ical((built_mini / "events.ics").read_bytes())
    events = cal.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["С Новым годом"]
    start = events[0].decoded("dtstart")
    assert start.isoformat() == "2024-12-31T23:30:00+03:00"
    assert str(start.tzinfo) == "Europe/Moscow"
    assert cal.walk("VTIMEZONE")
    assert str(events[0]["url"]) == BASE + "posts/novyj-god.html"


def test_events_page_links_its_calendars(built_mini: Path) -> None:
    html = (built_mini / "district-a/posts/events.html").read_text()
    assert 'href="../events.ics"' in html and 'href="../events-all.ics"' in html


def test_feed_items_carry_summary_and_full_content(built_mini: Path) -> None:
    own = parse(built_mini / "district-a/feed.xml").entries[0]
    assert own.summary == "Семинар прошёл."
    assert own.content[0].value.startswith("<p>Семинар прошёл.</p>")
