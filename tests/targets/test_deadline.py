"""Every call has one total deadline (connect, headers and the whole body) and a bounded body.

An endpoint that drips its answer a byte every 0.2 s never trips a per-read timeout; the call must
still end at its deadline, as a hang does ("timeout after Ns"), on the botocore path and on the raw one,
and a whole run against such an endpoint must end by itself. The hostile servers listen on 127.0.0.1
in this process and are stopped by their handle; the run is a subprocess, killed by its pid if a test
fails. The time bounds are generous: they tell a deadline from none, they measure nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conformance.errors import EXIT_FAILURES, EXIT_UNREACHABLE
from conformance.targets import Exchange, Target, open_target
from conformance.targets.wire import MAX_ANSWER_BYTES
from tests.engine.test_unresponsive import CLI, ENV

from .servers import DRIPPED_ANSWER, Dripping, Flooding, Served

UDS = {"AccessToken": "not-a-token", "DeviceKey": "us-east-1_0-1", "DeviceRememberedStatus": "remembered"}
RAW_HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AWSCognitoIdentityProviderService.UpdateDeviceStatus",
}
TIMEOUT = 2.0
MARGIN = 3.0  # a loaded machine's scheduling, not the deadline's precision


def timed(call: Callable[[], Exchange]) -> tuple[Exchange, float]:
    started = time.monotonic()
    exchange = call()
    return exchange, time.monotonic() - started


def both_paths(target: Target) -> list[Callable[[], Exchange]]:
    return [
        lambda: target.call("UpdateDeviceStatus", UDS),
        lambda: target.send_raw(RAW_HEADERS, json.dumps(UDS).encode()),
    ]


@pytest.fixture(params=[0, DRIPPED_ANSWER.index(b"\r\n\r\n") + 4], ids=["whole-answer", "body-only"])
def dripping(request: pytest.FixtureRequest) -> Iterator[Dripping]:
    """Drips the whole answer (status line and headers too), or sends the headers and drips the body."""
    server = Dripping(interval=0.2, at_once=request.param)
    try:
        yield server
    finally:
        server.stop()


def test_a_dripping_answer_ends_at_the_deadline_like_a_hang(dripping: Dripping) -> None:
    with open_target(dripping.url, timeout=TIMEOUT) as target:  # the probe drips too: reachable, silent
        for call in both_paths(target):
            exchange, took = timed(call)
            assert exchange.status is None and exchange.error == f"timeout after {TIMEOUT:g}s", exchange
            assert exchange.summary() == f"no answer (timeout after {TIMEOUT:g}s)"
            assert TIMEOUT - 0.5 < took < TIMEOUT + MARGIN, f"{took:.1f}s"
        # The probe at open and both calls got no answer: a dripping target is a silent one.
        assert target.controls is None
        assert target.stopped is not None and f"the last: timeout after {TIMEOUT:g}s" in target.stopped


def test_provisioning_and_cleanup_calls_are_bounded_too(dripping: Dripping) -> None:
    with open_target(dripping.url, timeout=TIMEOUT) as target:
        exchange, took = timed(
            lambda: target.provision_call("AdminDeleteUser", {"UserPoolId": "p", "Username": "u"})
        )
        assert exchange.error == f"timeout after {TIMEOUT:g}s" and took < TIMEOUT + MARGIN
        with target.bounded(5, call_timeout=0.5):
            exchange, took = timed(lambda: target.call("UpdateDeviceStatus", UDS))
        assert exchange.error == "timeout after 0.5s" and took < 0.5 + MARGIN


def test_a_body_past_the_cap_is_not_read_on() -> None:
    flooding = Flooding()
    try:
        with open_target(flooding.url, timeout=30) as target:
            for call in both_paths(target):
                exchange, took = timed(call)
                assert exchange.status is None and exchange.body == b""
                assert (
                    exchange.error
                    == f"the answer's body was over {MAX_ANSWER_BYTES >> 20} MiB: not read further"
                )
                assert took < 20, f"{took:.1f}s"  # 8 MiB from 127.0.0.1, not the gigabyte
            assert target.stopped is None  # an answer too large is not silence
    finally:
        flooding.stop()


def test_a_large_body_within_the_cap_is_kept_whole() -> None:
    body = b'{"message":"' + b"x" * (3 << 20) + b'"}'

    def large(_: BaseHTTPRequestHandler, __: bytes) -> tuple[int, dict[str, str], bytes]:
        return 400, {"Content-Type": "application/x-amz-json-1.1"}, body

    served = Served(large)
    try:
        with open_target(served.url, timeout=30) as target:
            for call in both_paths(target):
                exchange = call()
                assert exchange.status == 400 and exchange.body == body
    finally:
        served.stop()


def test_a_run_against_a_dripping_endpoint_ends_by_itself(tmp_path: Path) -> None:
    server = Dripping(interval=0.2)
    started = time.monotonic()
    process = subprocess.Popen(
        [*CLI, f"--target={server.url}", "--report-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:  # the test failed: do not leave the run behind
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        server.stop()
    took = time.monotonic() - started
    assert took < 60, f"the run took {took:.0f}s"
    assert process.returncode in (EXIT_FAILURES, EXIT_UNREACHABLE), out[-2000:] + err[-2000:]
    assert "Traceback" not in out + err
    assert (tmp_path / "results.json").exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "timeout after 10s" in lines[0], err
