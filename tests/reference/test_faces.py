"""The in-process client and the HTTP face give the same answers to the same script."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from conformance.reference import ReferenceBackend, RunningServer, reference_client

from .conftest import http_client
from .helpers import make_world, user_with_device

_VOLATILE = re.compile(
    r"us-east-1_[0-9a-f-]{36}|us-east-1_[A-Za-z0-9]{9}|[0-9a-f]{8}-[0-9a-f-]{27}|[a-z0-9]{26}|[\d.]{9,}"
)


def _normalise(value: Any) -> Any:
    """Ids, keys, subs and dates differ between runs; the shape and everything else must not."""
    if isinstance(value, dict):
        if value.get("Name") == "dev:device_sdk":
            return {"Name": "dev:device_sdk", "Value": "<agent>"}  # boto3 and botocore differ here
        return {k: _normalise(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return _VOLATILE.sub("<id>", value)
    if isinstance(value, float | datetime):
        return "<date>"
    return value


def _script(client: Any) -> list[Any]:
    world = make_world(client)
    signed_in, device = user_with_device(world, "parity-user")
    token, key = signed_in.access_token, device.key
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "update_device_status",
            {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "not_remembered"},
        ),
        ("get_device", {"AccessToken": token, "DeviceKey": key}),
        ("list_devices", {"AccessToken": token}),
        ("admin_list_devices", {"UserPoolId": world.pool_id, "Username": signed_in.username}),
        (
            "update_device_status",
            {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": "remembered"},
        ),
        ("get_device", {"AccessToken": token, "DeviceKey": key}),
        ("update_device_status", {"AccessToken": token, "DeviceKey": "bad", "DeviceRememberedStatus": "x"}),
        ("update_device_status", {"AccessToken": "garbage", "DeviceKey": key}),
        ("admin_get_user", {"UserPoolId": world.pool_id, "Username": signed_in.username}),
        ("forget_device", {"AccessToken": token, "DeviceKey": key}),
        ("admin_get_device", {"UserPoolId": world.pool_id, "Username": signed_in.username, "DeviceKey": key}),
        ("global_sign_out", {"AccessToken": token}),
        ("list_devices", {"AccessToken": token}),
    ]
    answers: list[Any] = []
    for name, kwargs in calls:
        try:
            answers.append(("ok", _normalise(getattr(client, name)(**kwargs))))
        except ClientError as exc:
            error = exc.response["Error"]
            answers.append(
                (
                    "error",
                    exc.response["ResponseMetadata"]["HTTPStatusCode"],
                    error["Code"],
                    _normalise(error["Message"]),
                )
            )
    return answers


def test_both_faces_answer_alike(server: RunningServer) -> None:
    in_process = _script(reference_client(ReferenceBackend()))
    over_http = _script(http_client(server.url))
    assert in_process == over_http
    assert ("error", 400, "ResourceNotFoundException", "Device does not exist.") in in_process


def test_backends_are_independent() -> None:
    first, second = reference_client(ReferenceBackend()), reference_client(ReferenceBackend())
    pool = first.create_user_pool(PoolName="only-in-first")["UserPool"]["Id"]
    first.describe_user_pool(UserPoolId=pool)
    try:
        second.describe_user_pool(UserPoolId=pool)
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
    else:
        raise AssertionError("a pool leaked between backends")
