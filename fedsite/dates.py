"""Dates as press secretaries write them (SPEC §4), and as Russian readers read them."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date

_RU = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO_NAIVE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_ ]?(.*)$")

HINT = "пишите 17.03.2024, 17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"


def build_date() -> str:
    """MkDocs' build date as its sitemap writes it (SOURCE_DATE_EPOCH, else today), for what has no
    date of its own; MkDocs is loaded here only when asked, not by every build's planner."""
    from mkdocs.utils import get_build_date

    return get_build_date()


class DateError(ValueError):
    """A date we could not understand; the message is in Russian."""


def parse_date(value: object, tz: ZoneInfo) -> datetime:
    """A time-zone-aware datetime from any accepted form; naive times are in `tz`."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tz)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise DateError(f"дата должна быть записана текстом; {HINT}")
    text = str(value).strip()
    for rx, order in ((_RU, (2, 1, 0)), (_ISO_NAIVE, (0, 1, 2))):
        m = rx.match(text)
        if m:
            g = m.groups()
            y, mo, d = (int(g[i]) for i in order)
            hh, mm, ss = (int(x) if x else 0 for x in g[3:6])
            try:
                return datetime(y, mo, d, hh, mm, ss, tzinfo=tz)
            except ValueError:
                raise DateError(f"дата «{text}» не распознана: такого дня нет; {HINT}") from None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DateError(f"дата «{text}» не распознана; {HINT}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def date_from_filename(stem: str, tz: ZoneInfo) -> tuple[datetime | None, str]:
    """The date a file name starts with (YYYY-MM-DD), and the rest of the name."""
    m = FILE_DATE.match(stem)
    if not m:
        return None, stem
    try:
        return parse_date(m.group(1), tz), m.group(2)
    except DateError:
        return None, stem


def russian_date(moment: datetime | date) -> str:
    """'17 марта 2024 г.'"""
    return format_date(moment, format="long", locale="ru").replace("\u202f", " ").replace("\xa0", " ")


def russian_datetime(moment: datetime) -> str:
    """'17 марта 2024 г., 14:30' (the time only when one was given)."""
    text = russian_date(moment)
    if (moment.hour, moment.minute) != (0, 0):
        text += f", {moment:%H:%M}"
    return text

