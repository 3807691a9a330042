"""Managed mode on reference, reference-http and moto: fixtures that work, fixtures that are BLOCKED
with a reason, and nothing left behind (checked by listing the target)."""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest

from conformance.errors import SuiteError
from conformance.provisioning import FixtureUnavailable, Pool, Provisioner, install_cleanup, provisioning_plan
from conformance.targets import Target, open_target

from .helpers import held


@pytest.fixture(params=["reference", "reference-http"])
def reference_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    with open_target(request.param) as target:
        yield target


def admin_devices(target: Target, pool_id: str, username: str) -> dict[str, str]:
    answer = target.call("AdminListDevices", {"UserPoolId": pool_id, "Username": username})
    assert answer.ok, answer.summary()
    return {
        d["DeviceKey"]: {a["Name"]: a["Value"] for a in d["DeviceAttributes"]}["dev:device_remembered_status"]
        for d in answer.json["Devices"]
    }


def uds(target: Target, token: str, key: str, status: str = "not_remembered") -> str:
    answer = target.call(
        "UpdateDeviceStatus", {"AccessToken": token, "DeviceKey": key, "DeviceRememberedStatus": status}
    )
    return answer.summary()


def test_fixtures_on_the_reference(reference_target: Target) -> None:
    target = reference_target
    provisioner = Provisioner(target, run_id="managed")
    with install_cleanup(provisioner):
        user = provisioner.user(devices=2)
        pool = user.pool
        assert pool.managed and pool.name is not None and pool.name.startswith("ccf-managed-")
        assert user.username.startswith("ccf-managed-user-")
        described = target.call("DescribeUserPool", {"UserPoolId": pool.id}).json["UserPool"]
        assert described["DeviceConfiguration"] == {
            "ChallengeRequiredOnNewDevice": False,
            "DeviceOnlyRememberedOnUserPrompt": False,
        }
        keys = [d.key for d in user.devices]
        assert admin_devices(target, pool.id, user.username) == {k: "remembered" for k in keys}
        for key in keys:  # the latest sign-in's token works for every device of the user
            assert uds(target, user.access_token, key) == "HTTP 200"
        assert jwt.decode(user.id_token or "", options={"verify_signature": False})["token_use"] == "id"
        assert jwt.decode(user.access_token, options={"verify_signature": False})["username"] == user.username

        other = provisioner.user(devices=1)
        assert other.pool is pool and other.username != user.username
        assert uds(target, other.access_token, keys[0]).startswith("HTTP 400 ResourceNotFoundException")

        second = provisioner.second_pool()
        assert second.id != pool.id and provisioner.second_pool() is second
        stranger = provisioner.user(devices=1, pool=second)
        assert stranger.pool is second

        expected = {
            "no-admin-scope": "Access Token does not have required scopes",
            "expired": "Access Token has expired",
            "other-pool": "Invalid Access Token",
            "valid": "HTTP 200",
        }
        for variant, words in expected.items():
            assert words in uds(target, provisioner.minted_token(user, variant), keys[0])

        provisioner.forget(user, user.devices[1])
        assert user.devices[1].forgotten and list(admin_devices(target, pool.id, user.username)) == keys[:1]
        provisioner.revoke(user)
        assert "Access Token has been revoked" in uds(target, user.access_token, keys[0])

        victims = [provisioner.user(devices=1) for _ in range(3)]
        provisioner.disable(victims[0])
        provisioner.delete(victims[1])
        provisioner.reset_password(victims[2])
        assert [v.state for v in victims] == ["disabled", "deleted", "reset"]
        # AdminDisableUser also revokes the user's tokens (the reference README): either word is a refusal.
        assert "NotAuthorizedException" in uds(target, victims[0].access_token, victims[0].devices[0].key)
        assert "User does not exist" in uds(target, victims[1].access_token, victims[1].devices[0].key)
        assert "Password reset required" in uds(target, victims[2].access_token, victims[2].devices[0].key)

        tokens = provisioner.sign_in(other, device=other.devices[0])  # DEVICE_SRP_AUTH
        assert tokens.new_device is None
        assert sorted(held(target, "ccf-managed-")) == sorted(provisioner.created.names())
    assert held(target, "ccf-managed-") == []
    assert target.reference_backend.store.pools == {}
    assert provisioner.leftovers == []
    provisioner.close()  # idempotent: nothing more is sent
    assert provisioner.created.names() == []


def test_moto_blocks_device_fixtures_and_still_cleans_up() -> None:
    with open_target("moto") as target:
        provisioner = Provisioner(target, run_id="moto")
        try:
            with pytest.raises(FixtureUnavailable) as caught:
                provisioner.user(devices=1)
            # No NewDeviceMetadata, and a device key the suite makes cannot be confirmed either: moto's words.
            assert "NewDeviceMetadata" in caught.value.reason
            assert "confirm_device action has not been implemented" in caught.value.reason
            plain = provisioner.user(devices=0)  # a signed-in user without a device is possible
            assert plain.access_token and plain.devices == []
            with pytest.raises(FixtureUnavailable, match="test-control path"):
                provisioner.minted_token(plain, "expired")
            assert len(held(target, "ccf-moto-")) == 3  # the pool and both users exist now
        finally:
            provisioner.close()
        assert held(target, "ccf-moto-") == []
        assert target.call("ListUserPools", {"MaxResults": 60}).json["UserPools"] == []


def test_cleanup_after_a_failure() -> None:
    """A case blows up mid-run: everything created so far is deleted, also users in a pool not ours."""
    with open_target("reference") as target:
        foreign = target.call("CreateUserPool", {"PoolName": "someone-elses"}).json["UserPool"]["Id"]
        client = target.call("CreateUserPoolClient", {"UserPoolId": foreign, "ClientName": "app"})
        no_tracking = Pool(id=foreign, client_id=client.json["UserPoolClient"]["ClientId"], managed=False)
        provisioner = Provisioner(target, run_id="boom")
        with pytest.raises(RuntimeError), install_cleanup(provisioner):
            provisioner.user(devices=1)
            with pytest.raises(FixtureUnavailable, match="NewDeviceMetadata"):
                provisioner.user(devices=1, pool=no_tracking)  # no device tracking there
            raise RuntimeError("a case failed")
        assert held(target, "ccf-boom-") == []
        assert list(target.reference_backend.store.pools) == [foreign]  # the other pool is untouched


def test_plan_matches_what_provisioning_sends() -> None:
    with open_target("reference") as target:
        provisioner = Provisioner(target, run_id="plan")
        provisioner.user(devices=2)
        provisioner.user(devices=2)
        provisioner.user(devices=0, pool=provisioner.second_pool())
        provisioner.close()
        planned = provisioning_plan(2, 2, 2)
        for op, n in provisioning_plan(1, 0, 0).items():
            planned[op] = planned.get(op, 0) + n
        assert target.calls.by_operation() == planned


def test_plan_shape() -> None:
    assert provisioning_plan(3, 1, 1) == {
        "AdminCreateUser": 3,
        "AdminSetUserPassword": 3,
        "ConfirmDevice": 3,
        "CreateUserPool": 1,
        "CreateUserPoolClient": 1,
        "DeleteUserPool": 1,
        "InitiateAuth": 3,
        "RespondToAuthChallenge": 3,
    }
    assert provisioning_plan(2, 0, 5, staging=True) == {
        "AdminCreateUser": 2,
        "AdminDeleteUser": 2,
        "AdminSetUserPassword": 2,
        "DescribeUserPool": 1,
        "DescribeUserPoolClient": 1,
        "InitiateAuth": 2,
        "RespondToAuthChallenge": 2,
    }
    with pytest.raises(ValueError):
        provisioning_plan(-1, 0, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"run_id": "has space"},
        {"run_id": ""},
        {"run_id": "x" * 41},
        {"run_id": "ok", "user_pool_id": "us-east-1_abc"},
        {"run_id": "ok", "client_id": "abc"},
    ],
)
def test_bad_provisioner_arguments(kwargs: dict[str, str]) -> None:
    with open_target("reference") as target, pytest.raises(SuiteError) as caught:
        Provisioner(target, **kwargs)  # type: ignore[arg-type]
    assert caught.value.exit_code == 2


def test_nothing_is_provisioned_after_close() -> None:
    with open_target("reference") as target:
        provisioner = Provisioner(target, run_id="closed")
        provisioner.close()
        with pytest.raises(FixtureUnavailable, match="closed"):
            provisioner.user()
        assert target.calls.total() == 0
