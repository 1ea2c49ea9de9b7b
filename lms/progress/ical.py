"""A participant's in-person days as an iCalendar file (RFC 5545), for any calendar app."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

ICAL_TIME = "%Y%m%dT%H%M%SZ"


@dataclass
class CalendarEvent:
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    sequence: int = 0  # raised with each change of time or place


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space."""
    parts: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode("utf-8")) > (75 if not parts else 74):
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return [parts[0]] + [" " + part for part in parts[1:]]


def calendar(events: Iterable[CalendarEvent], name: str, now: datetime) -> str:
    """The events as an iCalendar document, times in UTC."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CMRS AUC and IOM//Certificate LMS//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    stamp = now.strftime(ICAL_TIME)
    header = len(lines)
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"SEQUENCE:{event.sequence}",
                  f"DTSTAMP:{stamp}",
                  f"DTSTART:{event.starts_at.strftime(ICAL_TIME)}",
                  f"DTEND:{event.ends_at.strftime(ICAL_TIME)}",
                  f"SUMMARY:{_escape(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines.append("END:VEVENT")
    if len(lines) == header:
        # A calendar must hold at least one component (RFC 5545, 3.6), and strict apps
        # refuse one without: with no days yet, it holds the zone its times are written in.
        lines += ["BEGIN:VTIMEZONE", "TZID:UTC", "BEGIN:STANDARD", "DTSTART:19700101T000000",
                  "TZOFFSETFROM:+0000", "TZOFFSETTO:+0000", "TZNAME:UTC", "END:STANDARD",
                  "END:VTIMEZONE"]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
