"""Staging mode against a served reference: a pre-existing user and its devices are byte-for-byte
unchanged after a run, only run-unique users are created (and deleted), and a pool or client that cannot
work is refused at start with one line and exit 2.

The pre-existing user is made with plain boto3 and pycognito (tests/reference/helpers.py), not with the
code under test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.errors import EXIT_USAGE, SuiteError
from conformance.provisioning import FixtureUnavailable, Provisioner, provisioning_plan
from conformance.targets import Target, open_target
from tests.clients import plain_client
from tests.reference.helpers import World, add_user, make_world, user_with_device

from .helpers import held


@pytest.fixture
def target() -> Iterator[Target]:
    with open_target("reference-http") as opened:
        yield opened


def snapshot(target: Target, world: World, username: str, device_key: str) -> list[bytes]:
    """The raw answers describing the user and its devices."""
    ident = {"UserPoolId": world.pool_id, "Username": username}
    answers = [
        target.call("AdminGetUser", ident),
        target.call("AdminListDevices", ident),
        target.call("AdminGetDevice", {**ident, "DeviceKey": device_key}),
    ]
    assert all(a.ok for a in answers), [a.summary() for a in answers]
    return [a.body for a in answers]


def test_staging_leaves_other_users_unchanged(target: Target) -> None:
    assert target.endpoint is not None
    world = make_world(plain_client(target.endpoint, validate=False))
    alice, device = user_with_device(world, "alice")
    before = snapshot(target, world, "alice", device.key)
    calls_before = target.calls.by_operation()

    provisioner = Provisioner(target, run_id="stage", user_pool_id=world.pool_id, client_id=world.client_id)
    try:
        assert (
            provisioner.staging and provisioner.pool().id == world.pool_id and not provisioner.pool().managed
        )
        first = provisioner.user(devices=1)
        second = provisioner.user(devices=1)
        for user in (first, second):
            key = user.devices[0].key
            for status in ("not_remembered", "remembered"):
                params = {
                    "AccessToken": user.access_token,
                    "DeviceKey": key,
                    "DeviceRememberedStatus": status,
                }
                assert target.call("UpdateDeviceStatus", params).ok
        # Trying alice's device with our user's token must not change it (and is refused).
        params = {
            "AccessToken": first.access_token,
            "DeviceKey": device.key,
            "DeviceRememberedStatus": "not_remembered",
        }
        assert target.call("UpdateDeviceStatus", params).error_type == "ResourceNotFoundException"
        provisioner.sign_in(first, device=first.devices[0])
        provisioner.forget(first, first.devices[0])
        provisioner.revoke(first)
        provisioner.disable(second)
        assert provisioner.minted_token(second, "expired")
        with pytest.raises(FixtureUnavailable, match="staging mode creates no pools"):
            provisioner.second_pool()
        third = provisioner.user(devices=0)
        provisioner.delete(third)
        assert sorted(held(target, "ccf-stage-")) == [first.username, second.username]
    finally:
        provisioner.close()
    spent = {op: n - calls_before.get(op, 0) for op, n in target.calls.by_operation().items()}

    assert held(target, "ccf-stage-") == []
    assert snapshot(target, world, "alice", device.key) == before  # byte for byte
    users = target.call("ListUsers", {"UserPoolId": world.pool_id}).json["Users"]
    assert [u["Username"] for u in users] == ["alice"]
    assert target.call("DescribeUserPool", {"UserPoolId": world.pool_id}).ok  # the pool stays
    assert alice.username == "alice"
    assert spent["DescribeUserPool"] == 1 and spent["DescribeUserPoolClient"] == 1
    assert "CreateUserPool" not in spent and "DeleteUserPool" not in spent
    plan = provisioning_plan(3, 0, 0, staging=True)
    assert spent["AdminCreateUser"] == plan["AdminCreateUser"] == 3


def test_client_with_a_secret(target: Target) -> None:
    assert target.endpoint is not None
    client = plain_client(target.endpoint, validate=False)
    world = make_world(client)
    app = client.create_user_pool_client(
        UserPoolId=world.pool_id,
        ClientName="secret-app",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
    )["UserPoolClient"]
    for secret in (app["ClientSecret"], None):  # given, or read from DescribeUserPoolClient
        provisioner = Provisioner(
            target,
            run_id="secret",
            user_pool_id=world.pool_id,
            client_id=app["ClientId"],
            client_secret=secret,
        )
        try:
            user = provisioner.user(devices=1)
            assert provisioner.sign_in(user, device=user.devices[0]).access_token
        finally:
            provisioner.close()
    assert held(target, "ccf-secret-") == []


def test_refuses_a_pool_without_device_tracking(target: Target) -> None:
    assert target.endpoint is not None
    world = make_world(plain_client(target.endpoint, validate=False), device_configuration=None)
    add_user(world, "bob")
    with pytest.raises(SuiteError) as caught:
        Provisioner(target, run_id="refuse", user_pool_id=world.pool_id, client_id=world.client_id)
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE and "\n" not in message
    assert "device tracking" in message and world.pool_id in message
    assert held(target, "ccf-refuse-") == []


def test_refuses_a_client_without_srp(target: Target) -> None:
    assert target.endpoint is not None
    client = plain_client(target.endpoint, validate=False)
    world = make_world(client)
    app = client.create_user_pool_client(
        UserPoolId=world.pool_id,
        ClientName="no-srp",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    with pytest.raises(SuiteError) as caught:
        Provisioner(target, run_id="refuse", user_pool_id=world.pool_id, client_id=app["ClientId"])
    assert caught.value.exit_code == EXIT_USAGE and "\n" not in str(caught.value)
    assert "ALLOW_USER_SRP_AUTH" in str(caught.value)


def test_refuses_an_unknown_pool(target: Target) -> None:
    with pytest.raises(SuiteError) as caught:
        Provisioner(target, run_id="refuse", user_pool_id="us-east-1_nothere1", client_id="abc")
    assert caught.value.exit_code == EXIT_USAGE and "ResourceNotFoundException" in str(caught.value)
