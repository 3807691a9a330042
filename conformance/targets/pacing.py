"""Pacing per Cognito quota category: a minimum interval between request releases in each category.

A minimum interval (rather than a token bucket) never bursts, so no 1-second window can hold more than
the category's rate; the interval is padded slightly so timer rounding cannot squeeze one more in.
The release time is what the call log records, so what is measured is what was enforced.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .quotas import category_of, rps_of

PACES = ("aws", "none")
_MARGIN_S = 0.001


class Pacer:
    """Thread-safe. `acquire(operation)` blocks until the operation's category may send, and returns the
    release time (time.monotonic())."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.enabled = enabled
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def acquire(self, operation: str | None) -> float:
        now = self._clock()
        if not self.enabled:
            return now
        category = category_of(operation)
        interval = 1.0 / rps_of(category) + _MARGIN_S
        with self._lock:  # reserve a slot, then sleep outside the lock so other categories proceed
            last = self._last.get(category)
            slot = now if last is None else max(now, last + interval)
            self._last[category] = slot
        delay = slot - self._clock()
        if delay > 0:
            self._sleep(delay)
        return slot
