"""Backoff with full jitter for throttled calls: every call of a target is retried while the target
throttles it (target.py `throttled`); one still throttled after that is the target's quota, which the
engine reports as a limit (BLOCKED, neutral), never as a verdict."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
THROTTLING_ERRORS = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling"})


def backoff_delays(
    attempts: int, *, base: float = 0.25, cap: float = 8.0, rng: random.Random | None = None
) -> list[float]:
    """Sleeps before attempts 2..n: uniform in [0, min(cap, base * 2^k)] ("full jitter")."""
    draw = rng or random.Random()
    return [draw.uniform(0, min(cap, base * 2**k)) for k in range(attempts - 1)]


def retry_throttled(
    send: Callable[[], T],
    is_throttled: Callable[[T], bool],
    *,
    attempts: int = 6,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call `send` until it is not throttled or attempts run out; the last answer is returned either way.

    `deadline` (a `clock()` time): no sleep that would end past it (cleanup after a signal must end)."""
    result = send()
    if not is_throttled(result):
        return result  # the usual case, on every call: no delays drawn
    for delay in backoff_delays(attempts, rng=rng):
        if not is_throttled(result):
            break
        if deadline is not None and clock() + delay >= deadline:
            break
        sleep(delay)
        result = send()
    return result
