"""Issue 3's acceptance flow, with plain boto3 and pycognito's SRP against a served reference.

The server runs in a subprocess started through `serve()` (what `cognito-conformance serve-reference`
calls) on 127.0.0.1 with port 0, and is stopped by its pid with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycognito.aws_srp import AWSSRP

from .conftest import http_client
from .helpers import (
    DeviceCreds,
    World,
    add_user,
    admin_status,
    confirm_new_device,
    error_of,
    make_world,
    srp_sign_in,
)

ROOT = Path(__file__).resolve().parents[2]
SERVE = (
    "from conformance.reference.server import serve; "
    "serve('127.0.0.1', 0, lambda url: print(url, flush=True))"
)


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 0  # SIGTERM is a clean shutdown


def test_device_flow_end_to_end(served_url: str) -> None:
    client = http_client(served_url)
    world = make_world(client)
    assert world.pool_id.startswith("us-east-1_") and len(world.pool_id) == len("us-east-1_") + 9
    username = add_user(world)

    first = srp_sign_in(world, username)  # USER_SRP_AUTH through pycognito's AWSSRP
    meta = first.tokens["NewDeviceMetadata"]
    assert meta["DeviceKey"].startswith("us-east-1_")
    device = confirm_new_device(world, first)
    assert admin_status(world, username, device.key) == "remembered"

    client.update_device_status(
        AccessToken=first.access_token, DeviceKey=device.key, DeviceRememberedStatus="not_remembered"
    )
    assert admin_status(world, username, device.key) == "not_remembered"
    client.update_device_status(
        AccessToken=first.access_token, DeviceKey=device.key, DeviceRememberedStatus="remembered"
    )
    assert admin_status(world, username, device.key) == "remembered"

    # Sign in again with the remembered device: PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER.
    second = srp_sign_in(world, username, device=device)
    assert "NewDeviceMetadata" not in second.tokens
    got = client.get_device(AccessToken=second.access_token, DeviceKey=device.key)["Device"]
    assert got["DeviceKey"] == device.key and "DeviceLastAuthenticatedDate" in got


def test_wrong_user_proof_is_rejected(served_url: str) -> None:
    world = make_world(http_client(served_url))
    username = add_user(world)
    srp = AWSSRP(username, "Wrong-passw0rd!", world.pool_id, world.client_id, client=world.client)
    challenge = world.client.initiate_auth(
        ClientId=world.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    answers = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())
    assert error_of(
        world.client.respond_to_auth_challenge,
        ClientId=world.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answers,
    ) == ("NotAuthorizedException", "Incorrect username or password.")


def test_wrong_device_proof_is_rejected(served_url: str) -> None:
    world: World = make_world(http_client(served_url))
    username = add_user(world)
    device = confirm_new_device(world, srp_sign_in(world, username))
    impostor = DeviceCreds(device.key, device.group_key, password="not-the-device-password")
    with pytest.raises(Exception) as caught:
        srp_sign_in(world, username, device=impostor)
    error = caught.value.response["Error"]  # type: ignore[attr-defined]
    assert (error["Code"], error["Message"]) == ("NotAuthorizedException", "Incorrect username or password.")
