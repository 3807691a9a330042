"""The "stopped answering" breaker of Target, its bounded window for cleanup, and cleanup's deadline.

The servers run on 127.0.0.1 in this process and are stopped by their handle. A `Switch` answers at
once or hangs (until released), for POSTs and for the breaker's liveness GET separately, so one target
can answer, go silent and come back within a test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from conformance.provisioning import Pool, Provisioner
from conformance.provisioning.cleanup import INTERRUPTED_CLEANUP_S, install_cleanup
from conformance.targets import Exchange, Target, open_target
from conformance.targets.retry import retry_throttled
from conformance.targets.target import STOP_AFTER, STOPPED

from .servers import Served, Silent, html_500

UDS = {"AccessToken": "not-a-token", "DeviceKey": "us-east-1_0-1", "DeviceRememberedStatus": "remembered"}
RAW_HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AWSCognitoIdentityProviderService.UpdateDeviceStatus",
}
REFUSAL = json.dumps({"__type": "NotAuthorizedException", "message": "Invalid Access Token"}).encode()


class Switch:
    """A responder: a 400 at once, or (while told to hang) nothing until released."""

    def __init__(self) -> None:
        self.post_hangs = False
        self.get_hangs = False
        self.release = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler, _: bytes) -> tuple[int, dict[str, str], bytes]:
        if self.get_hangs if handler.command == "GET" else self.post_hangs:
            self.release.wait(30)
        return 400, {"Content-Type": "application/x-amz-json-1.1"}, REFUSAL

    def silence(self) -> None:
        self.post_hangs = self.get_hangs = True


@pytest.fixture
def switched() -> Iterator[tuple[Served, Switch]]:
    switch = Switch()
    served = Served(switch)
    # A released handler writes to a client that timed out and left (by design here): no traceback for it.
    served.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    try:
        yield served, switch
    finally:
        switch.release.set()  # the hung handler threads end before the server does
        served.stop()


def posts(served: Served) -> int:
    return sum(1 for path, headers, _ in served.received if "X-Amz-Target" in headers)


def every_kind_of_call(target: Target) -> list[Exchange]:
    return [
        target.call("UpdateDeviceStatus", UDS),
        target.send_raw(RAW_HEADERS, json.dumps(UDS).encode()),
        target.provision_call("AdminDeleteUser", {"UserPoolId": "us-east-1_a", "Username": "u"}),
    ]


def test_trips_after_three_calls_without_an_answer_and_then_sends_nothing(
    switched: tuple[Served, Switch],
) -> None:
    served, switch = switched
    with open_target(served.url, timeout=0.5) as target:
        assert target.call("UpdateDeviceStatus", UDS).status == 400 and target.stopped is None
        switch.silence()
        for _ in range(STOP_AFTER):
            assert target.stopped is None
            assert target.call("UpdateDeviceStatus", UDS).error == "timeout after 0.5s"
        stopped = target.stopped
        assert stopped is not None and stopped.startswith(STOPPED)
        assert "3 calls in a row without an answer, the last: timeout after 0.5s" in stopped
        switch.post_hangs = switch.get_hangs = False  # it would answer now: still, nothing is sent
        sent, logged = len(served.received), target.calls.total()
        started = time.monotonic()
        for exchange in every_kind_of_call(target):
            assert exchange.status is None and exchange.error == stopped
        assert time.monotonic() - started < 0.5
        assert len(served.received) == sent and target.calls.total() == logged


def test_an_answer_resets_the_count(switched: tuple[Served, Switch]) -> None:
    served, switch = switched
    with open_target(served.url, timeout=0.5) as target:
        for _ in range(2):
            switch.silence()
            for _ in range(STOP_AFTER - 1):
                assert target.call("UpdateDeviceStatus", UDS).error == "timeout after 0.5s"
            switch.post_hangs = False
            assert target.send_raw(RAW_HEADERS, b"{}").status == 400  # an answer: the count starts over
        assert target.stopped is None
        switch.silence()
        for _ in range(STOP_AFTER):
            target.call("UpdateDeviceStatus", UDS)
        assert target.stopped is not None


def test_a_target_that_hangs_on_requests_but_answers_is_not_stopped(switched: tuple[Served, Switch]) -> None:
    served, switch = switched
    with open_target(served.url, timeout=0.5) as target:
        switch.post_hangs = True  # the liveness GET still gets an answer
        for n in range(2 * STOP_AFTER):
            assert target.call("UpdateDeviceStatus", UDS).error == "timeout after 0.5s"
            assert target.stopped is None
            assert posts(served) == n + 1  # every call was really sent


def test_refused_connections_trip_it_at_once() -> None:
    served = Served(html_500)
    target = open_target(served.url, timeout=2)
    served.stop()
    try:
        started = time.monotonic()
        for _ in range(STOP_AFTER):
            assert target.call("UpdateDeviceStatus", UDS).error == "connection refused"
        assert target.stopped is not None and target.stopped.endswith("the last: connection refused)")
        assert time.monotonic() - started < 5
    finally:
        target.close()


def test_the_probe_of_a_silent_endpoint_counts_as_the_first_call() -> None:
    silent = Silent()
    try:
        with open_target(silent.url, timeout=0.5) as target:
            for _ in range(STOP_AFTER - 1):
                assert target.stopped is None
                target.call("UpdateDeviceStatus", UDS)
            assert target.stopped is not None
            connections = len(silent.conns)  # the probe and the calls
            started = time.monotonic()
            for exchange in every_kind_of_call(target):
                assert exchange.error == target.stopped
            assert time.monotonic() - started < 0.5
            time.sleep(0.2)  # a connection sent anyway would be accepted by now
            assert len(silent.conns) == connections
    finally:
        silent.stop()


def test_a_bounded_window_has_a_short_timeout_and_a_deadline(switched: tuple[Served, Switch]) -> None:
    served, switch = switched
    with open_target(served.url, timeout=5) as target:
        switch.post_hangs = True
        with target.bounded(1.0, call_timeout=0.3):
            started = time.monotonic()
            first = target.call("DeleteUserPool", {"UserPoolId": "us-east-1_a"})
            assert first.error == "timeout after 0.3s" and time.monotonic() - started < 2
            time.sleep(1.0)
            sent = posts(served)
            late = target.provision_call("DeleteUserPool", {"UserPoolId": "us-east-1_a"})
            assert late.error == "not sent: the 1s deadline had passed" and posts(served) == sent
        switch.post_hangs = False
        assert target.call("UpdateDeviceStatus", UDS).status == 400  # outside the window: as before


def test_a_stopped_target_gets_one_more_call_in_a_bounded_window(switched: tuple[Served, Switch]) -> None:
    served, switch = switched
    with open_target(served.url, timeout=0.5) as target:
        switch.silence()
        for _ in range(STOP_AFTER):
            target.call("UpdateDeviceStatus", UDS)
        assert target.stopped is not None
        sent = posts(served)
        with target.bounded(5):
            assert target.call("DeleteUserPool", {"UserPoolId": "us-east-1_a"}).error == "timeout after 0.5s"
            assert target.call("DeleteUserPool", {"UserPoolId": "us-east-1_a"}).error == target.stopped
        assert posts(served) == sent + 1
        switch.post_hangs = switch.get_hangs = False
        with target.bounded(5):  # the trial gets an answer: the target is back
            assert target.call("DeleteUserPool", {"UserPoolId": "us-east-1_a"}).status == 400
            assert target.stopped is None
            assert target.call("DeleteUserPool", {"UserPoolId": "us-east-1_a"}).status == 400


def test_cleanup_with_a_deadline_ends_in_time_and_names_what_is_left(switched: tuple[Served, Switch]) -> None:
    served, switch = switched
    with open_target(served.url, timeout=5) as target:
        provisioner = Provisioner(target, run_id="bounded")
        pools = [Pool(id=f"us-east-1_gone{n}", client_id="", name=f"ccf-bounded-pool-{n}") for n in (1, 2)]
        provisioner.created.pools.extend(pools)
        switch.silence()
        started = time.monotonic()
        provisioner.close(deadline_s=1.0)
        took = time.monotonic() - started
        assert took < 1.0 + 1.0 + 0.5  # the deadline, plus at most one call started just before it
        assert sorted(provisioner.leftovers) == ["ccf-bounded-pool-1", "ccf-bounded-pool-2"]
        assert posts(served) == 1  # the second pool's delete was not sent after the deadline


def test_throttling_retries_stop_at_the_deadline() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    sent: list[float] = []

    def send() -> str:
        sent.append(now[0])
        return "throttled"

    result = retry_throttled(
        send,
        lambda r: r == "throttled",
        attempts=50,
        sleep=sleep,
        deadline=101.0,
        clock=lambda: now[0],
    )
    assert result == "throttled" and now[0] <= 101.0 and len(sent) == len(slept) + 1


class _Recorder:
    def __init__(self) -> None:
        self.deadlines: list[float | None] = []

    def close(self, deadline_s: float | None = None) -> None:
        self.deadlines.append(deadline_s)


def test_cleanup_after_an_interrupt_gets_a_deadline_and_a_normal_end_does_not() -> None:
    interrupted, normal = _Recorder(), _Recorder()
    with pytest.raises(KeyboardInterrupt), install_cleanup(interrupted):
        raise KeyboardInterrupt
    with install_cleanup(normal):
        pass
    assert interrupted.deadlines == [INTERRUPTED_CLEANUP_S] and normal.deadlines == [None]
