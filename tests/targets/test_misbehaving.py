"""Endpoints that misbehave give Exchanges, never exceptions; nothing listening is exit 3 at open.

Choice (documented in the report): open_target probes an endpoint (GET /_reference/), so a port where
nothing listens raises TargetUnreachable there; a target that goes away later gives Exchanges with
error="connection refused".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from conformance.errors import EXIT_UNREACHABLE, TargetUnreachable
from conformance.targets import Target, open_target

from .servers import (
    Served,
    Silent,
    free_port,
    html_500,
    moto_server_args,
    non_json_200,
    start_subprocess,
    stop_subprocess,
    throttling,
)

UDS = {"AccessToken": "not-a-token", "DeviceKey": "us-east-1_0-1", "DeviceRememberedStatus": "remembered"}
RAW_HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AWSCognitoIdentityProviderService.UpdateDeviceStatus",
}


def both_paths(target: Target) -> list:  # type: ignore[type-arg]
    return [target.call("UpdateDeviceStatus", UDS), target.send_raw(RAW_HEADERS, json.dumps(UDS).encode())]


def test_closed_port_is_unreachable_at_open() -> None:
    with pytest.raises(TargetUnreachable) as caught:
        open_target(f"http://127.0.0.1:{free_port()}", timeout=2)
    assert caught.value.exit_code == EXIT_UNREACHABLE
    assert "connection refused" in str(caught.value) and "\n" not in str(caught.value)


def test_a_target_that_goes_away_gives_connection_refused() -> None:
    served = Served(html_500)
    target = open_target(served.url, timeout=2)
    served.stop()
    try:
        for exchange in both_paths(target):
            assert exchange.status is None and exchange.error == "connection refused"
            assert exchange.summary() == "no answer (connection refused)"
        assert target.calls.total() == 2
    finally:
        target.close()


def test_html_500() -> None:
    served = Served(html_500)
    try:
        with open_target(served.url, timeout=5) as target:
            assert target.controls is None  # an HTML 404/500 is not the reference's control path
            for exchange in both_paths(target):
                assert exchange.status == 500 and exchange.error is None
                assert exchange.headers["content-type"].startswith("text/html")
                assert exchange.body.startswith(b"<!doctype html>")
                assert exchange.json is None and exchange.error_type is None
    finally:
        served.stop()


def test_non_json_200() -> None:
    served = Served(non_json_200)
    try:
        with open_target(served.url, timeout=5) as target:
            for exchange in both_paths(target):
                assert exchange.status == 200 and exchange.body == b"OK, sure thing" and exchange.json is None
    finally:
        served.stop()


def test_a_server_that_never_answers_times_out() -> None:
    silent = Silent()
    try:
        with open_target(silent.url, timeout=0.5) as target:  # the probe times out too: still reachable
            for exchange in both_paths(target):
                assert exchange.status is None and exchange.error == "timeout after 0.5s"
                assert 0.4 < exchange.elapsed_s < 5
    finally:
        silent.stop()


def test_throttling_is_retried_on_every_call() -> None:
    served = Served(throttling)
    try:
        with open_target(served.url, timeout=5) as target:
            slept: list[float] = []
            target.throttle_sleep = slept.append
            served.received.clear()  # the probe
            exchange = target.call("UpdateDeviceStatus", UDS)
            assert exchange.error_type == "TooManyRequestsException" and len(served.received) == 6
            assert len(slept) == 5  # backoff between the attempts
            served.received.clear()
            again = target.provision_call("AdminCreateUser", {"UserPoolId": "us-east-1_a", "Username": "u"})
            assert again.error_type == "TooManyRequestsException" and len(served.received) == 6
            served.received.clear()
            raw = target.send_raw(RAW_HEADERS, b"{}")
            assert raw.error_type == "TooManyRequestsException" and len(served.received) == 6
    finally:
        served.stop()


def test_a_call_throttled_for_a_while_with_429_gets_its_answer() -> None:
    answers = iter([(429, {"Content-Type": "text/plain"}, b"Too Many Requests")] * 2)

    def sometimes(handler: Any, body: bytes) -> tuple[int, dict[str, str], bytes]:
        ok = (200, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "r"}, b"{}")
        return next(answers, ok) if handler.command == "POST" else (404, {}, b"")

    served = Served(sometimes)
    try:
        with open_target(served.url, timeout=5) as target:
            target.throttle_sleep = lambda _: None
            exchange = target.call("UpdateDeviceStatus", UDS)
            assert exchange.status == 200
            assert len([r for r in served.received if r[0] == "/"]) == 3  # two 429s, then the answer
    finally:
        served.stop()


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return requests.get(url + "/moto-api/", timeout=0.5).status_code < 500
        except requests.RequestException:
            return False

    process = start_subprocess(moto_server_args(port), ready)
    try:
        yield url
    finally:
        stop_subprocess(process)


def test_moto_server_as_an_endpoint(moto_server: str) -> None:
    with open_target(moto_server, timeout=10) as target:
        assert target.kind == "endpoint" and target.controls is None
        pool = target.call("CreateUserPool", {"PoolName": "ccf-moto-server"})
        assert pool.ok and pool.json["UserPool"]["Id"].startswith("us-east-1_")
        for exchange in both_paths(target):
            assert exchange.status == 500 and exchange.error is None
            assert exchange.headers["content-type"].startswith("text/html")
            assert exchange.error_type is None
        assert target.call("DeleteUserPool", {"UserPoolId": pool.json["UserPool"]["Id"]}).ok
