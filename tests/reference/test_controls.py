"""The test-control path over HTTP (`/_reference/...`) and in-process, and quick access-token expiry."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from conformance.reference import Controls, ReferenceBackend, RunningServer, reference_client

from .conftest import http_client
from .helpers import error_of, make_world, user_with_device


def test_control_path_is_discoverable(server: RunningServer) -> None:
    answer = requests.get(server.url + "/_reference/", timeout=10).json()
    assert answer["Reference"] == "cognito-conformance"
    assert {c["Path"] for c in answer["Controls"]} == {"/_reference/access-token", "/_reference/settings"}


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ("valid", None),
        ("no-admin-scope", "Access Token does not have required scopes"),
        ("expired", "Access Token has expired"),
        ("other-pool", "Invalid Access Token"),
    ],
)
def test_minting_over_http(server: RunningServer, variant: str, message: str | None) -> None:
    world = make_world(http_client(server.url))
    signed_in, device = user_with_device(world)
    response = requests.post(
        server.url + "/_reference/access-token",
        json={"UserPoolId": world.pool_id, "Username": signed_in.username, "Variant": variant},
        timeout=10,
    )
    assert response.status_code == 200
    token = response.json()["AccessToken"]
    call: dict[str, Any] = {
        "AccessToken": token,
        "DeviceKey": device.key,
        "DeviceRememberedStatus": "remembered",
    }
    if message is None:
        world.client.update_device_status(**call)
    else:
        assert error_of(world.client.update_device_status, **call) == ("NotAuthorizedException", message)


def test_control_errors(server: RunningServer) -> None:
    url = server.url + "/_reference/access-token"
    missing = requests.post(url, json={"UserPoolId": "us-east-1_nope", "Username": "x"}, timeout=10)
    assert missing.status_code == 404
    bad = requests.post(
        url, json={"UserPoolId": "us-east-1_nope", "Username": "x", "Variant": "?"}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["__type"] == "InvalidParameterException"


def test_short_validity_and_a_fake_clock() -> None:
    now = [1_700_000_000.0]
    backend = ReferenceBackend(clock=lambda: now[0])
    client = reference_client(backend)
    Controls(backend).set_access_token_validity(2)
    world = make_world(client)
    signed_in, device = user_with_device(world)
    assert signed_in.tokens["ExpiresIn"] == 2
    call = {
        "AccessToken": signed_in.access_token,
        "DeviceKey": device.key,
        "DeviceRememberedStatus": "remembered",
    }
    client.update_device_status(**call)
    now[0] += 2
    assert error_of(client.update_device_status, **call) == (
        "NotAuthorizedException",
        "Access Token has expired",
    )


def test_settings_over_http(server: RunningServer) -> None:
    url = server.url + "/_reference/settings"
    try:
        assert requests.post(url, json={"AccessTokenValiditySeconds": 5}, timeout=10).json() == {
            "AccessTokenValiditySeconds": 5
        }
        world = make_world(http_client(server.url))
        signed_in, _ = user_with_device(world)
        assert signed_in.tokens["ExpiresIn"] == 5
    finally:
        requests.post(url, json={"AccessTokenValiditySeconds": None}, timeout=10)
    assert server.backend.access_token_validity is None
