"""Every request a run sends to its target (provisioning included), for results.json's `calls` block."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from dataclasses import dataclass

from .quotas import category_of

WINDOW_S = 1.0


@dataclass(frozen=True)
class CallRecord:
    operation: str
    started: float  # time.monotonic() when the request was released (after pacing)
    elapsed: float


class CallLog:
    """Thread-safe: cases may run in threads, and cleanup may run from a signal handler's unwinding."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[CallRecord] = []

    def record(self, operation: str, started: float, elapsed: float) -> None:
        with self._lock:
            self._records.append(CallRecord(operation, started, elapsed))

    def records(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def total(self) -> int:
        with self._lock:
            return len(self._records)

    def by_operation(self) -> dict[str, int]:
        counts = Counter(r.operation for r in self.records())
        return dict(sorted(counts.items()))

    def peak_rps_by_quota_category(self) -> dict[str, float]:
        """Most requests started within any window [t, t + 1s), per quota category."""
        starts: dict[str, list[float]] = {}
        for r in self.records():
            starts.setdefault(category_of(r.operation), []).append(r.started)
        peaks: dict[str, float] = {}
        for category, times in sorted(starts.items()):
            times.sort()
            # For each request as the window's first, count those that start before it closes.
            peaks[category] = float(
                max(bisect.bisect_left(times, t + WINDOW_S, lo=i) - i for i, t in enumerate(times))
            )
        return peaks

    def latency_ms(self) -> dict[str, float]:
        elapsed = sorted(r.elapsed * 1000.0 for r in self.records())
        if not elapsed:
            return {"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}

        def pct(p: float) -> float:  # nearest rank
            return round(elapsed[min(len(elapsed) - 1, max(0, int(p * len(elapsed) + 0.999999) - 1))], 3)

        return {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": round(elapsed[-1], 3)}

    def as_json(self) -> dict[str, object]:
        """The `calls` block of results.json."""
        return {
            "total": self.total(),
            "by_operation": self.by_operation(),
            "peak_rps_by_quota_category": self.peak_rps_by_quota_category(),
        }
