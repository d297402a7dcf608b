"""The calendars read the same in three independent iCalendar parsers (issue 18): icalendar, which
made them, is not the only judge. `ics` (TatSu grammar of RFC 5545) and vobject each parse every
calendar of the mini federation and find the same events, starts and links."""

from __future__ import annotations

from pathlib import Path

import ics
import icalendar
import vobject


def events_by_parser(data: str) -> dict[str, list[tuple[str, str, str]]]:
    """(summary, start in UTC, url) of each event, as each parser reads it."""
    def utc(moment) -> str:
        return moment.astimezone(icalendar.vDatetime.from_ical("20000101T000000Z").tzinfo).strftime("%Y%m%dT%H%M%SZ")

    own = icalendar.Calendar.from_ical(data)
    by_icalendar = [(str(e["summary"]), utc(e.decoded("dtstart")), str(e["url"])) for e in own.walk("VEVENT")]
    by_ics = [(e.name, utc(e.begin.datetime), e.url) for e in ics.Calendar(data).events]
    parsed = vobject.readOne(data)
    by_vobject = [(e.summary.value, utc(e.dtstart.value), e.url.value) for e in getattr(parsed, "vevent_list", [])]
    return {"icalendar": sorted(by_icalendar), "ics": sorted(by_ics), "vobject": sorted(by_vobject)}


def test_every_calendar_reads_the_same_in_three_parsers(built_mini: Path) -> None:
    calendars = sorted(built_mini.rglob("*.ics"))
    assert len(calendars) > 4
    seen_events = 0
    for path in calendars:
        found = events_by_parser(path.read_text(encoding="utf-8"))
        assert found["ics"] == found["icalendar"], path
        assert found["vobject"] == found["icalendar"], path
        seen_events += len(found["icalendar"])
    assert seen_events >= 2
