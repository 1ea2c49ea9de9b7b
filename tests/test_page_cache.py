"""Kept parts of pages: served for the same fingerprint only, before their time is up, and
never more of them than the budget (in bytes) allows."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from markupsafe import Markup, escape

from lms.page_cache import MAX_AGE, PageCache, Parts, page_cache
from tests.conftest import make_app

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _parts(text: str) -> Parts:
    return (escape(text),)


def test_served_only_for_the_fingerprint_it_was_drawn_for() -> None:
    cache = PageCache(1000)
    cache.put("home", (1, 2), NOW, None, (Markup("<p>drawn</p>"),))
    assert cache.get("home", (1, 2), NOW) == ("<p>drawn</p>",)
    assert cache.get("home", (1, 3), NOW) is None
    # A changed fingerprint threw the entry away: the old one does not bring it back.
    assert cache.get("home", (1, 2), NOW) is None
    assert cache.used == 0


def test_served_until_the_moment_it_names_and_never_past_its_age() -> None:
    cache = PageCache(1000)
    cache.put("a", 1, NOW, NOW + timedelta(minutes=2), _parts("a"))
    cache.put("b", 1, NOW, NOW + timedelta(days=3), _parts("b"))
    assert cache.get("a", 1, NOW + timedelta(minutes=1)) == ("a",)
    assert cache.get("a", 1, NOW + timedelta(minutes=2)) is None
    assert cache.get("b", 1, NOW + MAX_AGE - timedelta(seconds=1)) == ("b",)
    assert cache.get("b", 1, NOW + MAX_AGE) is None


def test_a_clock_set_back_draws_again() -> None:
    cache = PageCache(1000)
    cache.put("a", 1, NOW, None, _parts("a"))
    assert cache.get("a", 1, NOW - timedelta(seconds=1)) is None


def test_the_least_recently_used_go_first_within_the_budget() -> None:
    one = sys.getsizeof(escape("a" * 10))
    cache = PageCache(2 * one)
    for key in ("a", "b"):
        cache.put(key, 1, NOW, None, _parts(key * 10))
    assert cache.get("a", 1, NOW) == ("a" * 10,)  # now "b" is the least recently used
    cache.put("c", 1, NOW, None, _parts("c" * 10))
    assert cache.get("b", 1, NOW) is None
    assert cache.get("a", 1, NOW) and cache.get("c", 1, NOW)
    assert cache.used == 2 * one
    # Drawn again, an entry replaces its old self rather than counting twice.
    cache.put("c", 2, NOW, None, _parts("c" * 10))
    assert cache.used == 2 * one and cache.get("a", 1, NOW)
    # What could never fit is not kept, and pushes nothing out.
    cache.put("d", 1, NOW, None, _parts("d" * 3 * one))
    assert cache.get("d", 1, NOW) is None and cache.used == 2 * one
    empty = PageCache(0)
    empty.put("a", 1, NOW, None, _parts("a"))
    assert empty.get("a", 1, NOW) is None


def test_the_budget_counts_bytes_so_arabic_pages_weigh_more() -> None:
    cache = PageCache(10_000)
    cache.put("en", 1, NOW, None, _parts("a" * 1000))
    english = cache.used
    cache.put("ar", 1, NOW, None, _parts("\u0645" * 1000))
    assert cache.used - english > 1.9 * english - 200


def test_drawn_draws_once_while_it_holds() -> None:
    cache = PageCache(1000)
    calls: list[int] = []

    def draw() -> tuple[Parts, datetime | None]:
        calls.append(1)
        return _parts(f"drawn {len(calls)}"), None

    assert cache.drawn("k", 1, NOW, draw) == ("drawn 1",)
    assert cache.drawn("k", 1, NOW, draw) == ("drawn 1",)
    assert cache.drawn("k", 2, NOW, draw) == ("drawn 2",)
    assert len(calls) == 2


def test_each_app_has_its_own_and_debug_keeps_none(app: Flask, tmp_path: Path) -> None:
    kept = page_cache("dashboard")
    assert kept is page_cache("dashboard")
    assert kept.budget == app.config["PAGE_CACHE_MB"] * 1024 * 1024 > 0
    debug = make_app(tmp_path / "debug", TEMPLATES_AUTO_RELOAD=True)
    with debug.app_context():
        assert page_cache("dashboard") is not kept
        assert page_cache("dashboard").budget == 0
