"""The counters behind memory://: fixed windows that end on time, forgotten once ended, and
counted without starting a thread per request."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from lms import ratelimit_memory
from lms.ratelimit import limiter
from lms.ratelimit_memory import SWEEP_EVERY, WorkerMemoryStorage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ratelimit_memory, "time", fake)
    return fake


def test_memory_uri_names_these_counters(app: Flask) -> None:
    """memory:// in the settings, the platform's limiter and the library's own factory alike
    get these counters."""
    assert isinstance(storage_from_string("memory://"), WorkerMemoryStorage)
    assert isinstance(limiter.storage, WorkerMemoryStorage)


def test_limiter_config_command_shows_them(app: Flask) -> None:
    """Flask-Limiter's own ``flask limiter config`` reads a memory storage's counters (the
    command needs Flask-Limiter's ``cli`` extra, which development installs have)."""
    pytest.importorskip("rich")
    from flask_limiter.commands import cli

    result = app.test_cli_runner().invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    assert "WorkerMemorySt" in result.output  # the class name, cut to the column


def test_a_window_counts_until_it_ends(clock: Clock) -> None:
    """Three a minute: the fourth within the minute is refused, the next minute starts anew."""
    counters = FixedWindowRateLimiter(WorkerMemoryStorage())
    three = parse("3 per minute")
    assert [counters.hit(three, "user:1") for _ in range(4)] == [True, True, True, False]
    assert counters.hit(three, "user:2")  # another key has its own count
    clock.now += 59
    assert not counters.hit(three, "user:1")
    clock.now += 1
    assert counters.hit(three, "user:1")
    assert counters.get_window_stats(three, "user:1").remaining == 2


def test_stats_clear_and_reset(clock: Clock) -> None:
    storage = WorkerMemoryStorage()
    assert storage.incr("a", 60) == 1 and storage.incr("a", 60, amount=2) == 3
    assert storage.get("a") == 3 and storage.get_expiry("a") == clock.now + 60
    assert storage.get("unknown") == 0 and storage.get_expiry("unknown") == clock.now
    storage.clear("a")
    assert storage.get("a") == 0
    storage.incr("b", 60)
    storage.incr("c", 60)
    assert storage.reset() == 2 and storage.get("b") == 0
    assert storage.check()


def test_ended_windows_are_swept(clock: Clock) -> None:
    """Keys never counted again are dropped by a later count once their window has ended,
    so a long-running worker does not keep every visitor's counters."""
    storage = WorkerMemoryStorage()
    for n in range(100):
        storage.incr(f"address:{n}", 30)
    clock.now += 31
    assert storage.get("address:1") == 0
    storage.incr("address:new", 3600)
    assert len(storage._windows) == 100 + 1  # not yet: a sweep is at most once a minute
    clock.now += SWEEP_EVERY - 31
    storage.incr("address:newer", 60)
    assert set(storage._windows) == {"address:new", "address:newer"}


def test_counting_starts_no_thread() -> None:
    """Counting happens in the request: no timer thread is started to drop ended windows."""
    storage = WorkerMemoryStorage()
    started = threading.active_count()
    for n in range(50):
        storage.incr(f"user:{n % 5}", 1)
    assert threading.active_count() == started
