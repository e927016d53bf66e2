"""One quarter parser for the CLI, the report files and the web pages: one label, "2026Q3", however it is typed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.survey.quarters import (
    QuarterError,
    complete_quarter,
    latest_complete_quarter,
    parse_quarter,
    quarter_bounds,
    quarter_name,
    quarter_of,
)


@pytest.mark.parametrize("typed", ["2026-q3", "2026Q3", "2026-Q3", "2026q3", "  2026-q3\n"])
def test_every_spelling_gives_one_label(typed):
    assert parse_quarter(typed) == "2026Q3"
    assert quarter_bounds(typed) == (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


@pytest.mark.parametrize(("typed", "message"), [
    ("2026-09", "look like 2026Q3"), ("Q3", "look like 2026Q3"), ("2026Q5", "look like 2026Q3"),
    ("2026Q0", "look like 2026Q3"), ("2026 Q3", "look like 2026Q3"), ("", "look like 2026Q3"),
    ("2026Q3" * 10, "look like 2026Q3"), ("0000Q1", "0000Q1: that year is out of range"),
    ("9999Q4", "9999Q4: that year is out of range"),
])
def test_what_is_not_a_quarter_is_explained(typed, message):
    with pytest.raises(QuarterError, match=message):
        parse_quarter(typed)
    with pytest.raises(ValueError, match=message):  # QuarterError is a ValueError: callers may catch either
        quarter_bounds(typed)


def test_quarter_names_and_the_calendar():
    assert quarter_of(datetime(2026, 9, 30, 23, 59, tzinfo=UTC)) == "2026Q3"
    assert quarter_of(datetime(2026, 10, 1, tzinfo=UTC)) == "2026Q4"
    assert quarter_name(parse_quarter("2026-q3")) == "2026 Q3 (July to September)"
    assert quarter_bounds("2026q4") == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert latest_complete_quarter(datetime(2027, 1, 1, tzinfo=UTC)) == "2026Q4"


def test_only_complete_quarters_are_published():
    now = datetime(2026, 10, 1, tzinfo=UTC)
    assert complete_quarter("2026-q3", now) == "2026Q3"
    with pytest.raises(QuarterError, match="2026Q4 is not over yet.*the latest is 2026Q3"):
        complete_quarter("2026-q4", now)
