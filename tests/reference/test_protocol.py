"""awsJson1_1 on the wire: raw HTTP against the served reference."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from conformance.reference import RunningServer
from conformance.reference.handlers import OPERATIONS

from .conftest import http_client
from .helpers import World, make_world, user_with_device

TARGET = "AWSCognitoIdentityProviderService."
JSON11 = "application/x-amz-json-1.1"


def post(
    server: RunningServer, operation: str | None, body: Any, content_type: str = JSON11
) -> requests.Response:
    headers = {"Content-Type": content_type}
    if operation is not None:
        headers["X-Amz-Target"] = TARGET + operation
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(server.url + "/", data=data, headers=headers, timeout=10)


def assert_error(response: requests.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["Content-Type"] == JSON11
    assert response.headers["x-amzn-RequestId"]
    body = response.json()
    assert body["__type"] == type_ and isinstance(body["message"], str)
    return dict(body)


@pytest.fixture(scope="module")
def device_world(server: RunningServer) -> tuple[World, str, str]:
    world = make_world(http_client(server.url))
    signed_in, device = user_with_device(world)
    return world, signed_in.access_token, device.key


def test_success_is_200_with_an_empty_object(
    server: RunningServer, device_world: tuple[World, str, str]
) -> None:
    _, token, key = device_world
    response = post(
        server,
        "UpdateDeviceStatus",
        {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON11
    assert response.headers["x-amzn-RequestId"]
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.json() == {}


def test_charset_parameter_is_accepted(server: RunningServer, device_world: tuple[World, str, str]) -> None:
    _, token, key = device_world
    response = post(
        server,
        "UpdateDeviceStatus",
        {"AccessToken": token, "DeviceKey": key},
        content_type=JSON11 + "; charset=utf-8",
    )
    assert response.status_code == 200


def test_null_member_is_absent_and_unknown_members_are_ignored(
    server: RunningServer, device_world: tuple[World, str, str]
) -> None:
    _, token, key = device_world
    response = post(
        server,
        "UpdateDeviceStatus",
        {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": None, "Extra": 1},
    )
    assert response.status_code == 200


def test_request_ids_differ(server: RunningServer) -> None:
    first = post(server, "UpdateDeviceStatus", {})
    second = post(server, "UpdateDeviceStatus", {})
    assert first.headers["x-amzn-RequestId"] != second.headers["x-amzn-RequestId"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"null"])
def test_unparseable_bodies_are_serialization_exceptions(server: RunningServer, body: bytes) -> None:
    assert_error(post(server, "UpdateDeviceStatus", body), 400, "SerializationException")


def test_wrong_member_type_is_a_serialization_exception(server: RunningServer) -> None:
    body = {"AccessToken": "a.b.c", "DeviceKey": 5}
    assert_error(post(server, "UpdateDeviceStatus", body), 400, "SerializationException")


@pytest.mark.parametrize("operation", [None, "NoSuchOperation", "updateDeviceStatus"])
def test_unknown_targets(server: RunningServer, operation: str | None) -> None:
    assert_error(post(server, operation, {}), 400, "UnknownOperationException")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_wrong_content_type_is_a_4xx(server: RunningServer, content_type: str) -> None:
    response = post(server, "UpdateDeviceStatus", {}, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.headers["Content-Type"] == JSON11


def test_missing_required_members_is_400(server: RunningServer) -> None:
    body = assert_error(post(server, "UpdateDeviceStatus", {}), 400, "InvalidParameterException")
    assert body["message"].startswith("2 validation errors detected: Value null at 'accessToken'")


def test_a_fault_is_500_internal_error(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setitem(OPERATIONS, "ListUsers", broken)
    body = assert_error(
        post(server, "ListUsers", {"UserPoolId": "us-east-1_abc"}), 500, "InternalErrorException"
    )
    assert "boom" not in body["message"]


def test_error_type_header(server: RunningServer) -> None:
    response = post(server, "GetDevice", {"DeviceKey": "us-east-1_0000"})
    assert response.headers["x-amzn-ErrorType"] == response.json()["__type"] == "NotAuthorizedException"


def test_other_paths_are_404_json(server: RunningServer) -> None:
    response = requests.get(server.url + "/nowhere", timeout=10)
    assert response.status_code == 404 and response.headers["Content-Type"] == JSON11


def test_every_modeled_operation_is_served() -> None:
    from conformance.contract.model import pinned

    assert set(OPERATIONS) == set(pinned().service.operation_names)


def test_signed_and_unsigned_requests(server: RunningServer) -> None:
    # boto3 signs admin operations with SigV4 (dummy keys) and sends the device ones unsigned.
    client = http_client(server.url)
    seen: list[bool] = []
    client.meta.events.register(
        "before-send", lambda request, **_: seen.append("Authorization" in request.headers)
    )
    pool = client.create_user_pool(PoolName="signed")["UserPool"]["Id"]
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.list_devices(AccessToken="x.y.z")
    assert seen == [True, False]
    client.delete_user_pool(UserPoolId=pool)
