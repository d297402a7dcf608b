"""Events stage: an iCalendar file per site (and a roll-up for sites with members)."""

from __future__ import annotations

from datetime import date, timedelta

from fedsite.read.content import Post
from fedsite.outputs.feeds import item_id
from fedsite.plan.sitepages import CALENDARS
from fedsite.plan.view import FederationView
from fedsite.read.tree import Org


def calendar_bytes(title: str, posts: list[Post], view: FederationView) -> bytes:
    """A VCALENDAR of the posts' events with the federation's time zone; deterministic."""
    from icalendar import Calendar, Event  # here: about 0.1 s of importing, which a build planning no site skips

    cal = Calendar()
    cal.add("prodid", "-//fedsite//RU")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", view.settings.time_zone)
    events = sorted((p for p in posts if p.event), key=lambda p: (p.event.start, p.org, p.post_id))
    for post in events:
        card = view.card_of(post)
        url = view.settings.site_url + card.url
        event = Event()
        event.add("uid", item_id(post.org, post.post_id)[len("urn:uuid:"):] + "@fedsite")
        event.add("dtstamp", post.updated or post.date)
        event.add("dtstart", post.event.start)
        if post.event.end:
            event.add("dtend", post.event.end)
        event.add("summary", card.title)
        event.add("url", url)
        location = post.event.place or post.event.online
        if location:
            event.add("location", location)
        description = card.summary
        event.add("description", f"{description}\n{post.event.online}\n{url}".strip())
        cal.add_component(event)
    if events:
        cal.add_missing_timezones(*event_span(events, view))
    return cal.to_ical()


def event_span(events: list[Post], view: FederationView) -> tuple[date, date]:
    """The days the calendar's events cover, for its VTIMEZONE. Its whole history since 1970 (Moscow's
    daylight saving until 2011, +04 in 2011–2014) was misread by simpler parsers: `ics` put an event of
    31 December 2024 an hour early."""
    tz = view.settings.tz
    starts = [p.event.start.astimezone(tz).date() for p in events]
    ends = [(p.event.end or p.event.start).astimezone(tz).date() for p in events]
    return min(starts) - timedelta(days=1), max(ends) + timedelta(days=1)


def calendar_files(org: Org, view: FederationView) -> dict[str, bytes]:
    """Site-relative path -> bytes of the site's calendars (own, and with members where it has them)."""
    out = {CALENDARS["own"]: calendar_bytes(f"{org.short_name}: мероприятия", view.posts.get(org.id, []), view)}
    if org.members:
        out[CALENDARS["all"]] = calendar_bytes(f"{org.short_name} и члены организации: мероприятия",
                                               view.events(org), view)
    return out
