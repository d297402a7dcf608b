"""Dates as press secretaries write them (SPEC §4), and as Russian readers read them."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_date

_RU = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO_NAIVE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_ ]?(.*)$")

HINT = "пишите 17.03.2024, 17.03.2024 14:30, 2024-03-17 или 2024-03-17 14:30"


def build_date() -> str:
    """The build's date as MkDocs' sitemap writes it (mkdocs.utils.get_build_date: SOURCE_DATE_EPOCH,
    else today in UTC), for what has no date of its own; test_dates checks that the two agree."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.now(timezone.utc) if epoch is None else datetime.fromtimestamp(int(epoch), timezone.utc)
    return moment.strftime("%Y-%m-%d")


def now() -> datetime:
    """The moment that decides which scheduled posts are out: the wall clock (or FEDSITE_NOW)."""
    fixed = os.environ.get("FEDSITE_NOW")
    return datetime.fromisoformat(fixed) if fixed else datetime.now(timezone.utc)


class DateError(ValueError):
    """A date we could not understand; the message is in Russian."""


MIN_YEAR, MAX_YEAR = 1900, 2100  # a post, an event or a scheduled date outside these is a typo;
#                                  inside them no time zone carries a date out of what Python holds


def parse_date(value: object, tz: ZoneInfo) -> datetime:
    """A time-zone-aware datetime from any accepted form; naive times are in `tz`."""
    if isinstance(value, datetime):
        return _in_range(value if value.tzinfo else value.replace(tzinfo=tz), str(value))
    if isinstance(value, date):
        return _in_range(datetime.combine(value, time(), tz), str(value))
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise DateError(f"дата должна быть записана текстом, а записано: {shown(value)}; {HINT}")
    text = str(value).strip()
    for rx, order in ((_RU, (2, 1, 0)), (_ISO_NAIVE, (0, 1, 2))):
        m = rx.match(text)
        if m:
            g = m.groups()
            y, mo, d = (int(g[i]) for i in order)
            hh, mm, ss = (int(x) if x else 0 for x in g[3:6])
            _check_year(y, text)
            try:
                return datetime(y, mo, d, hh, mm, ss, tzinfo=tz)
            except ValueError:
                raise DateError(f"дата «{text}» не распознана: такого дня нет; {HINT}") from None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise DateError(f"дата «{text}» не распознана; {HINT}") from None
    return _in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz), text)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"дата «{text}» не распознана: год {year} вне допустимых пределов, от {MIN_YEAR} до {MAX_YEAR}; "
                        f"{HINT}")


def _in_range(moment: datetime, text: str) -> datetime:
    """The date, once its year (where it was written and in UTC) is one a post can have."""
    _check_year(moment.year, text)
    try:
        utc = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise DateError(f"дата «{text}» не распознана: смещение часового пояса выводит её за пределы; "
                        f"{HINT}") from None
    _check_year(utc.year, text)
    return moment


def shown(value: object) -> str:
    """A value as a person wrote it in YAML, or what it is, in Russian (never a Python repr)."""
    if value is None:
        return "пусто"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set)):
        return "список"
    if isinstance(value, dict):
        return "набор полей"
    if isinstance(value, (str, int, float)):
        return str(value)
    return "значение другого вида"


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

