"""Dates as press secretaries write them; the parser raises nothing but our own DateError."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from fedsite.model.dates import DateError, date_from_filename, parse_date, russian_date

MSK = ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize("text,iso", [
    ("2024-03-17", "2024-03-17T00:00:00+03:00"),
    ("2024-03-17 14:30", "2024-03-17T14:30:00+03:00"),
    ("17.03.2024", "2024-03-17T00:00:00+03:00"),
    ("17.03.2024 14:30", "2024-03-17T14:30:00+03:00"),
    ("2024-03-17T14:30:00+05:00", "2024-03-17T14:30:00+05:00"),
    ("2024-03-17T11:30:00Z", "2024-03-17T11:30:00+00:00"),
])
def test_accepted_forms(text: str, iso: str) -> None:
    assert parse_date(text, MSK).isoformat() == iso


def test_russian_long_date() -> None:
    assert russian_date(datetime(2022, 3, 17, tzinfo=MSK)) == "17 марта 2022 г."
    assert russian_date(datetime(2024, 5, 1, tzinfo=MSK)) == "1 мая 2024 г."


def test_date_from_file_name() -> None:
    when, rest = date_from_filename("2024-03-17-seminar", MSK)
    assert when.isoformat() == "2024-03-17T00:00:00+03:00" and rest == "seminar"
    assert date_from_filename("Семинар", MSK) == (None, "Семинар")


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none(),
                 st.lists(st.text()), st.dictionaries(st.text(), st.text())))
def test_parser_raises_only_date_error(value: object) -> None:
    try:
        result = parse_date(value, MSK)
    except DateError as e:
        assert str(e)
    else:
        assert result.tzinfo is not None


@given(st.from_regex(r"\d{1,2}\.\d{1,2}\.\d{4}( \d{1,2}:\d{2})?", fullmatch=True))
def test_russian_forms_parse_or_say_why(text: str) -> None:
    try:
        assert parse_date(text, MSK).tzinfo is not None
    except DateError as e:
        assert "не распознана" in str(e)


@pytest.mark.parametrize("epoch", [None, "1700000000", "0"])
def test_build_date_is_the_one_mkdocs_writes_in_sitemaps(monkeypatch: pytest.MonkeyPatch, epoch: str | None) -> None:
    from mkdocs.utils import get_build_date

    from fedsite.model.dates import build_date

    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert build_date() == get_build_date()
