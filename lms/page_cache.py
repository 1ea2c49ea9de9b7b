"""Parts of pages a worker drew a moment ago, served again while nothing they show changed.

Each worker keeps its own, bounded in size and in age: losing them costs a redraw, never a
wrong page, because an entry is served only for the same fingerprint (the change stamps of
``lms.progress.stamps``, read from the database on every request) and only before the moment
it names, when the clock alone would change it (a day starting or ending). ``PAGE_CACHE_MB``
sets how much each worker keeps of each kind of page; 0 keeps nothing.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock

from flask import current_app
from markupsafe import Markup

MAX_AGE = timedelta(minutes=10)

Parts = tuple[Markup, ...]


@dataclass(frozen=True, slots=True)
class _Kept:
    fingerprint: Hashable
    drawn_at: datetime
    good_until: datetime
    parts: Parts
    size: int


class PageCache:
    """Least recently used entries, each served while its fingerprint and time hold; at
    most ``budget`` bytes of text in all (an Arabic page takes two bytes a character)."""

    def __init__(self, budget: int, max_age: timedelta = MAX_AGE) -> None:
        self.budget = budget
        self.max_age = max_age
        self.used = 0
        self._entries: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable, fingerprint: Hashable, now: datetime) -> Parts | None:
        with self._lock:
            kept = self._entries.get(key)
            if kept is None:
                return None
            if kept.fingerprint != fingerprint or not kept.drawn_at <= now < kept.good_until:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return kept.parts

    def put(self, key: Hashable, fingerprint: Hashable, now: datetime,
            good_until: datetime | None, parts: Parts) -> None:
        size = sum(sys.getsizeof(part) for part in parts)
        if size > self.budget:
            return
        latest = now + self.max_age
        until = latest if good_until is None else min(good_until, latest)
        with self._lock:
            self._drop(key)
            self._entries[key] = _Kept(fingerprint, now, until, parts, size)
            self.used += size
            while self.used > self.budget:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        kept = self._entries.pop(key, None)
        if kept is not None:
            self.used -= kept.size

    def drawn(self, key: Hashable, fingerprint: Hashable, now: datetime,
              draw: Callable[[], tuple[Parts, datetime | None]]) -> Parts:
        """The kept parts, or what ``draw`` returns (the parts and when the clock alone would
        change them), kept for next time. Read the fingerprint before ``draw`` reads what it
        shows: a change made in between then only makes the next request draw again."""
        parts = self.get(key, fingerprint, now)
        if parts is None:
            parts, good_until = draw()
            self.put(key, fingerprint, now, good_until, parts)
        return parts


def page_cache(name: str) -> PageCache:
    """The current app's cache called ``name`` in this worker. Where templates reload when
    edited (debug), it keeps nothing: an edited template shows at once."""
    caches: dict[str, PageCache] = current_app.extensions.setdefault("lms.page_caches", {})
    cache = caches.get(name)
    if cache is None:
        megabytes = 0 if current_app.jinja_env.auto_reload else current_app.config["PAGE_CACHE_MB"]
        cache = caches[name] = PageCache(int(megabytes * 1024 * 1024))
    return cache
