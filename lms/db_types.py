"""Column types and helpers that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC.

    SQLite keeps no offset and hands back naive values; this type converts on the way in and
    marks values as UTC on the way out, so code never meets a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def column_length(*columns: Any) -> int:
    """The most characters every one of these String columns holds (the shortest length).

    Readers of files and forms check text against this, so a value the schema cannot store is
    refused with a message rather than failing in the database (PostgreSQL enforces the
    length, SQLite does not).
    """
    lengths = [column.type.length for column in columns]
    if not lengths or any(length is None for length in lengths):
        raise TypeError("column_length needs columns of a String type with a length")
    return min(lengths)
