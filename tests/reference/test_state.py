"""Device semantics: remembered / not_remembered, the user-level view, configuration, sign-in variants."""

from __future__ import annotations

import pytest
from pycognito.aws_srp import AWSSRP

from .helpers import (
    World,
    add_user,
    admin_status,
    confirm_new_device,
    error_of,
    make_world,
    srp_sign_in,
    user_with_device,
)


def test_user_view_hides_not_remembered_devices(world: World) -> None:
    signed_in, device = user_with_device(world)
    c, token = world.client, signed_in.access_token
    second = confirm_new_device(world, srp_sign_in(world, signed_in.username), name="second")
    c.update_device_status(AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="not_remembered")
    c.update_device_status(AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="not_remembered")
    assert [d["DeviceKey"] for d in c.list_devices(AccessToken=token)["Devices"]] == [second.key]
    assert error_of(c.get_device, AccessToken=token, DeviceKey=device.key) == (
        "ResourceNotFoundException",
        "Device does not exist.",
    )
    admin = c.admin_list_devices(UserPoolId=world.pool_id, Username=signed_in.username)["Devices"]
    assert [d["DeviceKey"] for d in admin] == [device.key, second.key]
    assert admin_status(world, signed_in.username, device.key) == "not_remembered"
    assert admin_status(world, signed_in.username, second.key) == "remembered"  # untouched
    c.update_device_status(AccessToken=token, DeviceKey=device.key, DeviceRememberedStatus="remembered")
    attributes = {
        a["Name"]: a["Value"]
        for a in c.get_device(AccessToken=token, DeviceKey=device.key)["Device"]["DeviceAttributes"]
    }
    assert attributes["dev:device_remembered_status"] == "remembered"
    assert attributes["device_name"] == "test device" and attributes["device_status"] == "valid"
    assert "last_ip_used" in attributes and attributes["dev:device_owner"]


def test_omitted_status_leaves_the_device_as_it_is(world: World) -> None:
    signed_in, device = user_with_device(world)
    world.client.update_device_status(AccessToken=signed_in.access_token, DeviceKey=device.key)
    assert admin_status(world, signed_in.username, device.key) == "remembered"


def test_admin_update_and_forget(world: World) -> None:
    signed_in, device = user_with_device(world)
    kwargs = {"UserPoolId": world.pool_id, "Username": signed_in.username, "DeviceKey": device.key}
    world.client.admin_update_device_status(**kwargs, DeviceRememberedStatus="not_remembered")
    assert admin_status(world, signed_in.username, device.key) == "not_remembered"
    world.client.admin_forget_device(**kwargs)
    assert world.client.list_devices(AccessToken=signed_in.access_token)["Devices"] == []


def test_remembered_only_on_user_prompt(any_client: object) -> None:
    world = make_world(any_client, device_configuration={"DeviceOnlyRememberedOnUserPrompt": True})
    signed_in = srp_sign_in(world, add_user(world))
    meta = signed_in.tokens["NewDeviceMetadata"]
    from pycognito.aws_srp import generate_hash_device

    _, config = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    answer = world.client.confirm_device(
        AccessToken=signed_in.access_token, DeviceKey=meta["DeviceKey"], DeviceSecretVerifierConfig=config
    )
    assert answer["UserConfirmationNecessary"] is True
    assert admin_status(world, signed_in.username, meta["DeviceKey"]) == "not_remembered"


def test_no_new_device_without_tracking_or_without_srp(any_client: object) -> None:
    untracked = make_world(any_client, device_configuration=None)
    assert "NewDeviceMetadata" not in srp_sign_in(untracked, add_user(untracked)).tokens
    tracked = make_world(any_client)
    username = add_user(tracked)
    result = tracked.client.initiate_auth(
        ClientId=tracked.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Corr3ct-Horse!"},
    )["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result and "AccessToken" in result


def test_device_challenges_with_the_session(world: World) -> None:
    """The SDKs' way (Session passed through the device challenges), with pycognito's math."""
    signed_in, device = user_with_device(world)
    c = world.client
    srp = AWSSRP(
        signed_in.username,
        "Corr3ct-Horse!",
        world.pool_id,
        world.client_id,
        client=c,
        device_key=device.key,
        device_group_key=device.group_key,
        device_password=device.password,
    )
    params = srp.get_auth_params()
    first = c.initiate_auth(ClientId=world.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answers = srp.process_challenge(first["ChallengeParameters"], params)
    second = c.respond_to_auth_challenge(
        ClientId=world.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answers
    )
    assert second["ChallengeName"] == "DEVICE_SRP_AUTH"
    third = c.respond_to_auth_challenge(
        ClientId=world.client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=second["Session"],
        ChallengeResponses={
            "USERNAME": signed_in.username,
            "DEVICE_KEY": device.key,
            "SRP_A": params["SRP_A"],
        },
    )
    assert third["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    final = c.respond_to_auth_challenge(
        ClientId=world.client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=third["Session"],
        ChallengeResponses=srp.process_device_challenge(third["ChallengeParameters"]),
    )
    claims_device = final["AuthenticationResult"]
    assert "NewDeviceMetadata" not in claims_device
    # A challenge is answered once.
    with pytest.raises(c.exceptions.NotAuthorizedException):
        c.respond_to_auth_challenge(
            ClientId=world.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answers
        )


def test_not_remembered_device_after_forget_cannot_sign_in(world: World) -> None:
    signed_in, device = user_with_device(world)
    world.client.forget_device(AccessToken=signed_in.access_token, DeviceKey=device.key)
    with pytest.raises(world.client.exceptions.ResourceNotFoundException):
        srp_sign_in(world, signed_in.username, device=device)
