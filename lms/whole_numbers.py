"""Whole numbers that come from people: addresses, query strings, form fields, typed codes.

Python's ``int`` accepts digits of every script but refuses other characters it calls digits
(superscripts), and numbers past a database column's range fail only when the query runs; so
each number is checked here first, and a bad one reads as "no number", never as an error page.
Arabic-Indic digits, which Arabic keyboards type, count like 0 to 9.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from flask import request
from werkzeug.routing import IntegerConverter, Map

MAX_ROW_ID = 2**31 - 1  # the largest value of PostgreSQL's integer, the type of every id
MAX_PAGE = 100_000


def whole_number(text: str | None, maximum: int = MAX_ROW_ID) -> int | None:
    """The number written in ``text`` (spaces around it allowed) from 0 to ``maximum``, or
    None when there is no such number."""
    value = (text or "").strip()
    if not value or not value.isdecimal() or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def ascii_digits(text: str) -> str:
    """The digits in ``text``, of any script, as 0 to 9; everything else dropped."""
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def page_number() -> int:
    """The list page asked for in the query string: 1 when absent or not a page number."""
    number = whole_number(request.args.get("page"), MAX_PAGE)
    return max(1, number or 1)


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in a route: a number beyond any id answers 404, not a database error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)
