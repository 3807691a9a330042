"""Quota categories, the call log's arithmetic, and the pacer (with a fake clock)."""

from __future__ import annotations

import itertools
import threading

import pytest

from conformance.contract.model import pinned
from conformance.targets import QUOTA_CATEGORY, QUOTA_RPS, CallLog, Pacer, category_of
from conformance.targets.retry import backoff_delays, retry_throttled


def test_every_pinned_operation_has_a_category() -> None:
    operations = pinned().service.operation_names
    missing = [op for op in operations if op not in QUOTA_CATEGORY]
    assert not missing
    assert all(QUOTA_CATEGORY[op] in QUOTA_RPS for op in operations)


def test_the_evidence_table() -> None:
    """aws-behaviour.md: ConfirmDevice and UpdateDeviceStatus share UserResourceUpdate at 25 RPS, etc."""
    assert category_of("UpdateDeviceStatus") == category_of("ConfirmDevice") == "UserResourceUpdate"
    assert QUOTA_RPS["UserResourceUpdate"] == 25
    assert (category_of("GetDevice"), category_of("ListDevices")) == ("UserResourceRead",) * 2
    assert QUOTA_RPS["UserResourceRead"] == 50
    assert category_of("InitiateAuth") == "UserAuthentication" and QUOTA_RPS["UserAuthentication"] == 120
    assert category_of("AdminCreateUser") == "UserCreation" and QUOTA_RPS["UserCreation"] == 50
    assert category_of("CreateUserPool") == "UserPoolUpdate" and QUOTA_RPS["UserPoolUpdate"] == 15
    assert category_of("SomethingNew") == category_of(None) == "Uncategorized"


def test_call_log_counts_and_peaks() -> None:
    log = CallLog()
    for i in range(30):  # 30 UpdateDeviceStatus calls 1/30 s apart: 30 within one second
        log.record("UpdateDeviceStatus", 100 + i / 30, 0.01)
    for i in range(5):  # ConfirmDevice shares the category, one per second
        log.record("ConfirmDevice", 200 + i, 0.02)
    log.record("GetDevice", 100.0, 0.5)
    assert log.total() == 36
    assert log.by_operation() == {"ConfirmDevice": 5, "GetDevice": 1, "UpdateDeviceStatus": 30}
    assert log.peak_rps_by_quota_category() == {"UserResourceRead": 1.0, "UserResourceUpdate": 30.0}
    latency = log.latency_ms()
    assert latency["max"] == 500.0 and latency["p50"] == 10.0 and set(latency) == {"p50", "p90", "p99", "max"}
    assert log.as_json()["total"] == 36


def test_peak_window_is_half_open() -> None:
    log = CallLog()
    for t in (0.0, 0.5, 1.0, 1.5):
        log.record("UpdateDeviceStatus", t, 0.0)
    assert log.peak_rps_by_quota_category() == {"UserResourceUpdate": 2.0}


def test_empty_log() -> None:
    log = CallLog()
    assert (log.total(), log.by_operation(), log.peak_rps_by_quota_category()) == (0, {}, {})
    assert log.latency_ms()["max"] == 0.0


def test_call_log_is_thread_safe() -> None:
    log = CallLog()

    def record() -> None:
        for i in range(500):
            log.record("GetDevice", i, 0.0)

    threads = [threading.Thread(target=record) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert log.total() == 4000


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_spaces_a_category_and_leaves_others_alone() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    released = [pacer.acquire("UpdateDeviceStatus") for _ in range(60)]
    gaps = [b - a for a, b in itertools.pairwise(released)]
    assert min(gaps) >= 1 / 25
    log = CallLog()
    for t in released:
        log.record("UpdateDeviceStatus", t, 0.0)
    assert log.peak_rps_by_quota_category()["UserResourceUpdate"] <= 25
    # Another category is not held up by this one.
    before = clock.now
    pacer.acquire("GetDevice")
    assert clock.now == before


def test_disabled_pacer_never_sleeps() -> None:
    clock = FakeClock()
    pacer = Pacer(enabled=False, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        pacer.acquire("UpdateDeviceStatus")
    assert clock.slept == []


def test_backoff_has_jitter_and_a_cap() -> None:
    delays = backoff_delays(8, base=0.25, cap=2.0)
    assert len(delays) == 7 and all(0 <= d <= 2.0 for d in delays)
    assert len({round(d, 6) for d in backoff_delays(8) + backoff_delays(8)}) > 8  # random, not fixed


@pytest.mark.parametrize(("throttled_times", "expected_calls"), [(0, 1), (2, 3), (10, 6)])
def test_retry_throttled(throttled_times: int, expected_calls: int) -> None:
    calls: list[int] = []
    slept: list[float] = []

    def send() -> str:
        calls.append(1)
        return "throttled" if len(calls) <= throttled_times else "ok"

    result = retry_throttled(send, lambda r: r == "throttled", attempts=6, sleep=slept.append)
    assert len(calls) == expected_calls
    assert result == ("ok" if throttled_times < 6 else "throttled")
    assert len(slept) == expected_calls - 1
