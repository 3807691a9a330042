"""Every error row of shared/evidence/aws-behaviour.md that concerns these operations, on both faces."""

from __future__ import annotations

import base64
import json

import pytest

from conformance.reference import Controls, RunningServer

from .helpers import (
    World,
    add_user,
    admin_status,
    confirm_new_device,
    error_of,
    srp_sign_in,
    user_with_device,
)

UNKNOWN_KEY = "us-east-1_00000000-0000-4000-8000-000000000000"
NOT_FOUND = ("ResourceNotFoundException", "Device does not exist.")


def _controls(world: World, server: RunningServer) -> Controls:
    backend = getattr(world.client, "reference_backend", None) or server.backend
    return Controls(backend)


def test_unknown_device(world: World) -> None:
    signed_in, _ = user_with_device(world)
    c, token = world.client, signed_in.access_token
    assert (
        error_of(
            c.update_device_status,
            AccessToken=token,
            DeviceKey=UNKNOWN_KEY,
            DeviceRememberedStatus="remembered",
        )
        == NOT_FOUND
    )
    assert error_of(c.get_device, AccessToken=token, DeviceKey=UNKNOWN_KEY) == NOT_FOUND
    assert error_of(c.forget_device, AccessToken=token, DeviceKey=UNKNOWN_KEY) == NOT_FOUND
    for call in (c.admin_get_device, c.admin_forget_device, c.admin_update_device_status):
        assert (
            error_of(call, UserPoolId=world.pool_id, Username=signed_in.username, DeviceKey=UNKNOWN_KEY)
            == NOT_FOUND
        )


def test_device_operations_after_forget_device(world: World) -> None:
    signed_in, device = user_with_device(world)
    c, token = world.client, signed_in.access_token
    c.forget_device(AccessToken=token, DeviceKey=device.key)
    assert (
        error_of(
            c.update_device_status,
            AccessToken=token,
            DeviceKey=device.key,
            DeviceRememberedStatus="remembered",
        )
        == NOT_FOUND
    )
    assert error_of(c.get_device, AccessToken=token, DeviceKey=device.key) == NOT_FOUND
    assert (
        error_of(
            c.admin_get_device, UserPoolId=world.pool_id, Username=signed_in.username, DeviceKey=device.key
        )
        == NOT_FOUND
    )
    assert c.admin_list_devices(UserPoolId=world.pool_id, Username=signed_in.username)["Devices"] == []


def test_confirm_device_with_a_key_that_was_not_issued(world: World) -> None:
    username = add_user(world)
    signed_in = srp_sign_in(world, username)
    assert error_of(
        world.client.confirm_device, AccessToken=signed_in.access_token, DeviceKey=UNKNOWN_KEY
    ) == ("InvalidParameterException", "Invalid device key given.")


def test_another_users_device_is_not_found_and_unchanged(world: World) -> None:
    alice, alice_device = user_with_device(world)
    bob, _ = user_with_device(world)
    for status in ("not_remembered", "remembered"):
        assert (
            error_of(
                world.client.update_device_status,
                AccessToken=bob.access_token,
                DeviceKey=alice_device.key,
                DeviceRememberedStatus=status,
            )
            == NOT_FOUND
        )
    assert (
        error_of(world.client.forget_device, AccessToken=bob.access_token, DeviceKey=alice_device.key)
        == NOT_FOUND
    )
    assert (
        error_of(
            world.client.admin_get_device,
            UserPoolId=world.pool_id,
            Username=bob.username,
            DeviceKey=alice_device.key,
        )
        == NOT_FOUND
    )
    assert admin_status(world, alice.username, alice_device.key) == "remembered"


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ("no-admin-scope", "Access Token does not have required scopes"),
        ("expired", "Access Token has expired"),
        ("other-pool", "Invalid Access Token"),
    ],
)
def test_minted_tokens(world: World, server: RunningServer, variant: str, message: str) -> None:
    signed_in, device = user_with_device(world)
    token = _controls(world, server).mint_access_token(world.pool_id, signed_in.username, variant=variant)
    assert error_of(
        world.client.update_device_status,
        AccessToken=token,
        DeviceKey=device.key,
        DeviceRememberedStatus="not_remembered",
    ) == ("NotAuthorizedException", message)
    assert admin_status(world, signed_in.username, device.key) == "remembered"


@pytest.mark.parametrize(
    "how", ["GlobalSignOut", "AdminUserGlobalSignOut", "RevokeToken", "AdminDisableUser"]
)
def test_revoked_tokens(world: World, how: str) -> None:
    signed_in, device = user_with_device(world)
    c = world.client
    if how == "GlobalSignOut":
        c.global_sign_out(AccessToken=signed_in.access_token)
    elif how == "AdminUserGlobalSignOut":
        c.admin_user_global_sign_out(UserPoolId=world.pool_id, Username=signed_in.username)
    elif how == "RevokeToken":
        c.revoke_token(Token=signed_in.tokens["RefreshToken"], ClientId=world.client_id)
    else:
        c.admin_disable_user(UserPoolId=world.pool_id, Username=signed_in.username)
    assert error_of(
        c.update_device_status,
        AccessToken=signed_in.access_token,
        DeviceKey=device.key,
        DeviceRememberedStatus="not_remembered",
    ) == ("NotAuthorizedException", "Access Token has been revoked")
    assert admin_status(world, signed_in.username, device.key) == "remembered"


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_invalid_access_tokens(world: World) -> None:
    signed_in, device = user_with_device(world)
    token = signed_in.access_token
    bad_signature = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for candidate in ("garbage", signed_in.tokens["IdToken"], _tamper(token), bad_signature):
        assert error_of(
            world.client.update_device_status,
            AccessToken=candidate,
            DeviceKey=device.key,
            DeviceRememberedStatus="not_remembered",
        ) == ("NotAuthorizedException", "Invalid Access Token")
    assert admin_status(world, signed_in.username, device.key) == "remembered"


def test_validation_messages(world: World) -> None:
    signed_in, device = user_with_device(world)
    c, token = world.client, signed_in.access_token
    assert error_of(c.update_device_status, AccessToken=token, DeviceKey=None) == (
        "InvalidParameterException",
        "1 validation error detected: "
        "Value null at 'deviceKey' failed to satisfy constraint: Member must not be null",
    )
    assert error_of(c.update_device_status, AccessToken=token, DeviceKey="x") == (
        "InvalidParameterException",
        "1 validation error detected: Value 'x' at 'deviceKey' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+",
    )
    long_name = "n" * 1025
    assert error_of(c.confirm_device, AccessToken=token, DeviceKey=device.key, DeviceName=long_name) == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{long_name}' at 'deviceName' failed to satisfy constraint: "
        "Member must have length less than or equal to 1024",
    )
    kind, message = error_of(
        c.update_device_status,
        AccessToken="not a token!",
        DeviceKey="k" * 56,
        DeviceRememberedStatus="REMEMBERED",
    )
    assert kind == "InvalidParameterException"
    assert message.startswith(
        "4 validation errors detected: Value at 'accessToken' failed to satisfy constraint: "
    )
    assert "not a token!" not in message  # sensitive values are not echoed
    assert "Member must have length less than or equal to 55" in message
    assert "Member must satisfy enum value set: [remembered, not_remembered]" in message
    assert error_of(
        c.admin_get_device, UserPoolId="X", Username=signed_in.username, DeviceKey=device.key
    ) == (
        "InvalidParameterException",
        "1 validation error detected: Value 'X' at 'userPoolId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+",
    )
    assert error_of(c.update_device_status, AccessToken=token, DeviceKey="") == (
        "InvalidParameterException",
        "2 validation errors detected: Value '' at 'deviceKey' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value '' at 'deviceKey' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+",
    )


def test_deleted_disabled_and_reset_users(world: World) -> None:
    c = world.client
    for action, expected in (
        ("delete", ("UserNotFoundException", "User does not exist.")),
        ("reset", ("PasswordResetRequiredException", "Password reset required for the user")),
    ):
        signed_in, device = user_with_device(world)
        kwargs = {"UserPoolId": world.pool_id, "Username": signed_in.username}
        (c.admin_delete_user if action == "delete" else c.admin_reset_user_password)(**kwargs)
        assert (
            error_of(
                c.update_device_status,
                AccessToken=signed_in.access_token,
                DeviceKey=device.key,
                DeviceRememberedStatus="not_remembered",
            )
            == expected
        )
    signed_in, _ = user_with_device(world)
    c.admin_disable_user(UserPoolId=world.pool_id, Username=signed_in.username)
    assert (
        error_of(
            c.initiate_auth,
            ClientId=world.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": signed_in.username, "PASSWORD": "x"},
        )[0]
        == "NotAuthorizedException"
    )


def test_device_of_another_pool(world: World) -> None:
    from .helpers import make_world

    other = make_world(world.client)
    _, foreign_device = user_with_device(other)
    signed_in, _ = user_with_device(world)
    assert (
        error_of(
            world.client.update_device_status,
            AccessToken=signed_in.access_token,
            DeviceKey=foreign_device.key,
            DeviceRememberedStatus="not_remembered",
        )
        == NOT_FOUND
    )


def test_confirming_twice(world: World) -> None:
    username = add_user(world)
    signed_in = srp_sign_in(world, username)
    device = confirm_new_device(world, signed_in)
    assert error_of(world.client.confirm_device, AccessToken=signed_in.access_token, DeviceKey=device.key)[
        0
    ] == ("DeviceKeyExistsException")
