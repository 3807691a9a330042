"""The same calls through each kind of target: Exchanges, signing, the raw path, and closing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.targets import RawUnsupported, Target, TargetUnreachable, open_target

UDS = "AWSCognitoIdentityProviderService.UpdateDeviceStatus"
BAD_KEY = {"AccessToken": "not-a-token", "DeviceKey": "us-east-1_x", "DeviceRememberedStatus": "remembered"}


@pytest.fixture(params=["reference", "reference-http", "moto"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    with open_target(request.param, timeout=5) as opened:
        yield opened


def test_call_gives_an_exchange_with_the_real_request(target: Target) -> None:
    exchange = target.call("CreateUserPool", {"PoolName": "faces"})
    assert exchange.ok and exchange.status == 200 and exchange.error is None
    assert exchange.request_headers["X-Amz-Target"] == "AWSCognitoIdentityProviderService.CreateUserPool"
    assert json.loads(exchange.request_body) == {"PoolName": "faces"}
    assert exchange.json["UserPool"]["Name"] == "faces"
    assert all(name == name.lower() for name in exchange.headers)
    assert exchange.elapsed_s > 0
    assert target.calls.by_operation() == {"CreateUserPool": 1}


def test_invalid_values_reach_the_server(target: Target) -> None:
    """Client-side validation is off: an empty DeviceKey (boto3 would refuse it) is sent."""
    exchange = target.call("UpdateDeviceStatus", {**BAD_KEY, "DeviceKey": ""})
    assert json.loads(exchange.request_body)["DeviceKey"] == ""
    if target.kind == "moto":
        assert exchange.error is not None and exchange.error.startswith("NotImplementedError: ")
        assert exchange.status is None and not exchange.answered
    else:
        assert exchange.status == 400 and exchange.error_type == "InvalidParameterException"


def test_unsigned_by_default_signed_on_demand(target: Target) -> None:
    unsigned = target.call("UpdateDeviceStatus", BAD_KEY)
    assert "Authorization" not in unsigned.request_headers  # authtype none, as the model says
    signed = target.call("UpdateDeviceStatus", BAD_KEY, signed=True)
    assert signed.request_headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    admin = target.call("DescribeUserPool", {"UserPoolId": "us-east-1_nope"}, signed=False)
    assert "Authorization" not in admin.request_headers


def test_signed_requests_really_carry_the_header_on_the_wire() -> None:
    with open_target("reference-http") as target:
        backend = target.reference_backend
        seen: list[dict[str, str]] = []
        original = backend.handle

        def spy(op: Any, body: bytes, headers: Any, **kw: Any) -> Any:
            seen.append(dict(headers))
            return original(op, body, headers, **kw)

        backend.handle = spy
        target.call("UpdateDeviceStatus", BAD_KEY, signed=True)
        target.call("UpdateDeviceStatus", BAD_KEY)
    assert seen[0]["Authorization"].startswith("AWS4-HMAC-SHA256") and "X-Amz-Date" in seen[0]
    assert "Authorization" not in seen[1]


def test_unknown_operation_is_a_caller_bug(target: Target) -> None:
    with pytest.raises(ValueError):
        target.call("FlyToTheMoon", {})


@pytest.mark.parametrize("kind", ["reference", "reference-http"])
def test_send_raw_sends_exact_bytes(kind: str) -> None:
    with open_target(kind) as target:
        body = b'{"AccessToken": "x", "DeviceKey": "us-east-1_x"'  # malformed JSON on purpose
        headers = {"Content-Type": "application/x-amz-json-1.1; charset=utf-8", "X-Amz-Target": UDS}
        exchange = target.send_raw(headers, body)
        assert exchange.operation == "UpdateDeviceStatus"
        assert exchange.request_body == body and exchange.request_headers == headers
        assert exchange.status == 400 and exchange.error_type == "SerializationException"
        assert exchange.headers["content-type"] == "application/x-amz-json-1.1"
        unknown = target.send_raw(
            {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Nope"}, b"{}"
        )
        assert unknown.operation is None and unknown.error_type == "UnknownOperationException"
        assert target.calls.by_operation() == {"(raw)": 1, "UpdateDeviceStatus": 1}


def test_raw_path_on_the_wire_has_only_the_given_headers() -> None:
    with open_target("reference-http") as target:
        backend = target.reference_backend
        seen: list[dict[str, str]] = []
        original = backend.handle

        def spy(op: Any, body: bytes, headers: Any, **kw: Any) -> Any:
            seen.append(dict(headers))
            return original(op, body, headers, **kw)

        backend.handle = spy
        target.send_raw({"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": UDS}, b"{}")
    assert {k.lower() for k in seen[0]} == {"content-type", "x-amz-target", "host", "content-length"}


def test_moto_has_no_raw_path() -> None:
    with open_target("moto") as target, pytest.raises(RawUnsupported, match="no HTTP wire path"):
        target.send_raw({"X-Amz-Target": UDS}, b"{}")


def test_a_closed_target_sends_nothing(target: Target) -> None:
    target.close()
    target.close()  # idempotent
    exchange = target.call("CreateUserPool", {"PoolName": "late"})
    assert exchange.error == "the target is closed" and target.calls.total() == 0


def test_reference_http_server_stops_on_close() -> None:
    target = open_target("reference-http")
    url = target.endpoint
    assert url is not None and url.startswith("http://127.0.0.1:")
    target.close()
    with pytest.raises(TargetUnreachable):  # nothing listens any more
        open_target(url, timeout=2)


def test_controls_mint_tokens_on_reference_faces() -> None:
    for kind in ("reference", "reference-http"):
        with open_target(kind) as target:
            pool = target.call("CreateUserPool", {"PoolName": "c"}).json["UserPool"]["Id"]
            target.call("AdminCreateUser", {"UserPoolId": pool, "Username": "u", "MessageAction": "SUPPRESS"})
            assert target.controls is not None
            token = target.controls.mint_access_token(pool, "u", "no-admin-scope")
            assert token.startswith("eyJ")
            x = target.call("UpdateDeviceStatus", {"AccessToken": token, "DeviceKey": "us-east-1_0-1"})
            assert x.message == "Access Token does not have required scopes"
