"""Rate-limit counters in the process's memory, for ``RATELIMIT_STORAGE_URI=memory://``.

The ``limits`` library's own memory storage drops ended windows from a timer thread that it
starts again whenever the last one has finished, which under steady traffic is on most counted
requests; starting a thread and waiting for it to run cost more than the rest of the count
(about a tenth of a quiz submission's time). These counters drop ended windows as they are
counted instead, and sweep the rest at most once a minute, in the request that counts.

Registered for the ``memory`` scheme, through the library's storage registry, by importing
this module. Only fixed windows are counted, which is the strategy the platform uses: another
``RATELIMIT_STRATEGY`` with ``memory://`` stops the start with the library's error.
Counters shared by several processes belong in Redis (``lms.config.check_limit_storage``).
"""

from __future__ import annotations

import threading
import time

from limits.storage import Storage

SWEEP_EVERY = 60.0  # seconds


class WorkerMemoryStorage(Storage):
    """Fixed-window counters of one process: key -> (count, the window's end)."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._windows: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = time.time() + SWEEP_EVERY

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return ValueError

    @property
    def storage(self) -> dict[str, tuple[int, float]]:
        """The windows by key: ``flask limiter config`` shows a memory storage's ``storage``."""
        return self._windows

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            count, ends = self._windows.get(key, (0, 0.0))
            if ends <= now:
                count, ends = 0, now + expiry
            count += amount
            self._windows[key] = (count, ends)
            return count

    def get(self, key: str) -> int:
        count, ends = self._windows.get(key, (0, 0.0))
        return count if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        _count, ends = self._windows.get(key, (0, 0.0))
        return ends if ends > time.time() else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            dropped = len(self._windows)
            self._windows.clear()
        return dropped

    def clear(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)

    def _sweep(self, now: float) -> None:
        # Keys of people who stopped coming back would otherwise stay for the process's life.
        self._windows = {key: window for key, window in self._windows.items()
                         if window[1] > now}
        self._next_sweep = now + SWEEP_EVERY
