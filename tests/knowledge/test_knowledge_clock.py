"""The one clock helper: aware UTC everywhere, whatever the database hands back."""

from datetime import UTC, datetime, timedelta, timezone

from knowledge.clock import as_utc, utcnow


def test_utcnow_is_aware_utc_and_now():
    now = utcnow()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_naive_moment_is_taken_as_utc():
    """SQLite returns the stored UTC timestamps without their zone."""
    assert as_utc(datetime(2026, 7, 1, 9, 30)) == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def test_an_aware_moment_is_converted_to_utc():
    halifax_summer = timezone(timedelta(hours=-3))
    moment = as_utc(datetime(2026, 7, 1, 6, 30, tzinfo=halifax_summer))
    assert moment.tzinfo is UTC and (moment.hour, moment.minute) == (9, 30)


def test_none_stays_none():
    assert as_utc(None) is None
