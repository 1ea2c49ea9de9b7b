"""Dates, times and numbers written the way the reader's language writes them, and names
kept in their own direction inside translated text.

Arabic pages use Latin digits (0-9), which is what Babel's ``ar`` locale gives. Arabic-Indic
digits are common in formal Egyptian print, but on this platform every number sits next to
something that must stay in Latin digits: certificate and check-in codes that people type,
session times they compare with their phones, and the CSV files they exchange with offices
that read them in English. One set of digits everywhere avoids a code reading one way on the
page and another on the certificate. Month and day names, the order of day, month and year, and
the AM/PM marks still follow the language.

Datetimes are stored in UTC. The filters never move them to another zone themselves: a time
already placed in an edition's zone (the ``in_zone`` filter) is written as it is, and a UTC
time is written in UTC with the zone named beside it. The one exception is ``day_time``, which
is given the edition's zone with the day and writes an in-person day's date and hours in it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import Flask
from flask_babel import format_date, format_decimal, format_percent, format_time, get_locale
from markupsafe import Markup

UTC_SUFFIX = " UTC"


def local_date(value: date | datetime | str | None, style: str = "medium") -> str:
    """A calendar day with the month by name: "Nov 28, 2026", "28 نوفمبر 2026".

    Babel's own medium style is all digits in Arabic; the month's name reads better and cannot
    be mistaken for the month-first order English readers may expect.
    """
    if not value:
        return ""
    # Certificate snapshots keep their days as ISO text, frozen at issue.
    if isinstance(value, str):
        value = date.fromisoformat(value)
    day = value.date() if isinstance(value, datetime) else value
    if style == "medium":
        locale = get_locale()
        if locale is None:
            return str(babel_dates.format_skeleton("yMMMd", day))
        return _day_text(day, locale)
    return str(format_date(day, style))


# Pages list the same few dozen days and times over and over (an edition's in-person days, for
# each of its participants), and Babel's formatting costs more than a look-up. What is written
# depends only on the arguments, so the texts are kept, per process, up to a bound.
@lru_cache(maxsize=4096)
def _day_text(day: date, locale: Locale) -> str:
    return str(skeleton_pattern(locale, "yMMMd").apply(day, locale))


@lru_cache(maxsize=4096)
def _time_text(value: datetime | time, _zone: object, _fold: int, locale: Locale,
               style: str) -> str:
    # The zone and the fold are part of the key: equal instants in two zones, or the two
    # sides of a clock change, show different wall-clock times. Otherwise this is what
    # Flask-Babel's ``format_time`` does without rebasing (and with no formats of its own
    # configured), minus its look-ups of the extension on every call.
    return str(babel_dates.format_time(value, style, locale=locale))


@lru_cache(maxsize=64)
def skeleton_pattern(locale: Locale, skeleton: str) -> babel_dates.DateTimePattern:
    """The locale's pattern for a skeleton, as Babel's ``format_skeleton`` resolves it.

    Babel matches the skeleton against the locale's list on every call; a page of thirty
    in-person days paid that sixty times. The answer depends only on the two arguments.
    """
    skeletons = locale.datetime_skeletons
    if skeleton not in skeletons:
        skeleton = babel_dates.match_skeleton(skeleton, skeletons) or skeleton
    return babel_dates.parse_pattern(skeletons[skeleton])


def local_time(value: datetime | time | None, style: str = "short") -> str:
    """Wall-clock time as the value holds it, e.g. "2:05 PM" or "2:05 م"."""
    if value is None:
        return ""
    locale = get_locale()
    if locale is None:
        return str(format_time(value, style, rebase=False))
    return _time_text(value, value.tzinfo, value.fold, locale, style)


def local_datetime(value: datetime | None, style: str = "short") -> str:
    """Day and time as the value holds it (no change of zone); ``style`` is the time's."""
    if value is None:
        return ""
    locale = get_locale()
    joined = locale.datetime_formats["medium"] if locale else "{1}, {0}"
    return str(joined).replace("{1}", local_date(value)).replace("{0}", local_time(value, style))


def utc_datetime(value: datetime | None, style: str = "short") -> str:
    """A stored UTC moment, written with "UTC" after it so nobody takes it for Cairo time."""
    if value is None:
        return ""
    return local_datetime(value, style) + UTC_SUFFIX


def local_number(value: float | int | None) -> str:
    """A number with the language's grouping and decimal signs."""
    return "" if value is None else str(format_decimal(value))


def local_percent(value: float | None, fraction_digits: int = 0) -> str:
    """``value`` is a percentage (0-100), as the completion rule reports it."""
    if value is None:
        return ""
    pattern = "#,##0%" if not fraction_digits else "#,##0." + "0" * fraction_digits + "%"
    return str(format_percent(value / 100, pattern))


def isolate(value: object) -> Markup:
    """A name, address or code set inside a translated sentence, kept in its own direction.

    Without it a Latin name ending an Arabic sentence drags the punctuation after it to the
    wrong side, and an Arabic name does the same in English.
    """
    return Markup("<bdi>%s</bdi>") % value


class _Hours(Protocol):
    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


def day_time(day: _Hours, zone: str) -> Markup:
    """An in-person day as pages write it: its date (also in machine-readable form) and its
    hours, in the edition's zone: "Nov 28, 2026, 9:00 AM–4:00 PM"."""
    return _day_time(day.starts_at, day.ends_at, zone, get_locale())


# A participant's page lists the edition's thirty-odd days, and the roster and the board list
# them for everyone: the text depends only on these arguments, so it is kept, per process.
@lru_cache(maxsize=4096)
def _day_time(starts_at: datetime, ends_at: datetime, zone: str,
              locale: Locale | None) -> Markup:
    start, end = starts_at.astimezone(ZoneInfo(zone)), ends_at.astimezone(ZoneInfo(zone))
    # Arabic separates with its own comma.
    comma = "\u060c " if locale is not None and locale.language == "ar" else ", "
    return Markup('<time datetime="%s">%s</time>%s%s\u2013%s') % (  # noqa: S704
        start.isoformat(timespec="seconds"), local_date(start), comma, local_time(start),
        local_time(end))


def in_zone(value: datetime | None, zone: str) -> datetime | None:
    """A stored UTC moment as the clock reads it in ``zone``: its day is the one to show to
    people of an edition (a revocation at 00:30 in Cairo is on that day, not the one before)."""
    return None if value is None else value.astimezone(ZoneInfo(zone))


def register_formatting(app: Flask) -> None:
    """Make the functions above available to templates as filters."""
    app.add_template_filter(isolate, "bdi")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(in_zone, "in_zone")
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(utc_datetime, "utc_datetime")
    app.add_template_filter(local_number, "local_number")
    app.add_template_filter(local_percent, "local_percent")
    app.add_template_global(day_time, "day_time")
