"""Days and times as pages write them, when the same values come back request after request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import Flask

from lms.formatting import day_time, local_date, local_time

CAIRO = ZoneInfo("Africa/Cairo")


def test_one_instant_in_two_zones_shows_each_zones_wall_clock(app: Flask) -> None:
    moment = datetime(2026, 11, 28, 12, 5, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_time(moment) == "12:05\u202fPM"
        assert local_time(moment.astimezone(CAIRO)) == "2:05\u202fPM"
        assert local_time(moment) == "12:05\u202fPM"


def test_the_two_sides_of_a_clock_change_keep_their_own_offset(app: Flask) -> None:
    # Cairo turned its clocks back at midnight on 30-31 October 2025: 23:30 happened twice.
    first = datetime(2025, 10, 30, 23, 30, tzinfo=CAIRO)
    second = first.replace(fold=1)
    assert first.utcoffset() != second.utcoffset()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local_time(first, "long") != local_time(second, "long")


def test_the_same_day_follows_the_language_of_each_request(app: Flask) -> None:
    day = datetime(2026, 11, 28, 10, tzinfo=CAIRO)
    for language, expected in (("en", "Nov 28, 2026"), ("ar", "28 نوفمبر 2026"),
                               ("en", "Nov 28, 2026")):
        # A context of its own, as each request has: the fixture's would keep the first locale.
        with app.app_context(), app.test_request_context(headers={"Accept-Language": language}):
            assert local_date(day) == expected
            assert local_date(day + timedelta(days=1)) != expected


def test_an_in_person_day_is_written_in_its_editions_zone_and_language(app: Flask) -> None:
    """The day's date (machine-readable too) and hours, in the edition's zone, per language."""
    day = SimpleNamespace(starts_at=datetime(2026, 11, 29, 7, 0, tzinfo=UTC),
                          ends_at=datetime(2026, 11, 29, 14, 0, tzinfo=UTC))
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        english = str(day_time(day, "Africa/Cairo"))
        in_utc = str(day_time(day, "UTC"))
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "ar"}):
        arabic = str(day_time(day, "Africa/Cairo"))
    assert english == ('<time datetime="2026-11-29T09:00:00+02:00">Nov 29, 2026</time>, '
                       "9:00\u202fAM\u20134:00\u202fPM")
    assert in_utc.endswith("7:00\u202fAM\u20132:00\u202fPM")
    assert 'datetime="2026-11-29T09:00:00+02:00"' in arabic and "Nov" not in arabic
    assert "</time>\u060c " in arabic and "</time>, " not in arabic  # the Arabic comma
