"""Reading uploaded CSV files: UTF-8 with or without a byte-order mark, line-numbered rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


class CsvUnreadable(ValueError):
    """The file as a whole cannot be read (encoding, size, header)."""


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The file's text; a leading byte-order mark is dropped.

    :raises CsvUnreadable: for a file that is too big, empty or not UTF-8.
    """
    if len(data) > MAX_BYTES:
        raise CsvUnreadable("too_big")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvUnreadable("not_utf8") from None
    if not text.strip():
        raise CsvUnreadable("empty")
    return text


def read_table(text: str, required: tuple[str, ...], known: tuple[str, ...]) -> Table:
    """The rows as dicts keyed by lower-case column name, each with its line number.

    :raises CsvUnreadable: when a required column is missing or there are too many rows.
    """
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        # No text file holds one (a file saved as UTF-16 does), and the database refuses it.
        raise CsvUnreadable(f"nul:{text.count(chr(10), 0, text.index(chr(0))) + 1}")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise CsvUnreadable("empty") from None
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvUnreadable("missing_columns:" + ",".join(missing))
    table = Table()
    start = reader.line_num + 1
    for values in _rows(reader):
        if any(v.strip() for v in values):
            row = {name: (values[i].strip() if i < len(values) else "")
                   for i, name in enumerate(header) if name in known}
            table.rows.append((start, row))
            if len(table.rows) > MAX_ROWS:
                raise CsvUnreadable("too_many_rows")
        start = reader.line_num + 1
    return table


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise CsvUnreadable("malformed") from None
