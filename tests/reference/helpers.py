"""Test helpers: build a pool/client/user, sign in with pycognito's SRP (not the suite's), confirm a device.

Only plain botocore/boto3 calls and pycognito's math are used here, so these tests check the reference
the way an independent client would.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, generate_hash_device

PASSWORD = "Corr3ct-Horse!"
TRACKING = {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False}
FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
]
_names = itertools.count()


@dataclass
class World:
    client: Any
    pool_id: str
    client_id: str
    usernames: list[str] = field(default_factory=list)


@dataclass
class SignedIn:
    username: str
    tokens: dict[str, Any] = field(repr=False)

    @property
    def access_token(self) -> str:
        return str(self.tokens["AccessToken"])


@dataclass
class DeviceCreds:
    key: str
    group_key: str
    password: str = field(repr=False)


def make_world(client: Any, *, device_configuration: dict[str, bool] | None = TRACKING) -> World:
    kwargs: dict[str, Any] = {"PoolName": f"conformance-{next(_names)}"}
    if device_configuration is not None:
        kwargs["DeviceConfiguration"] = device_configuration
    pool_id = client.create_user_pool(**kwargs)["UserPool"]["Id"]
    client_id = client.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS)[
        "UserPoolClient"
    ]["ClientId"]
    return World(client, pool_id, client_id)


def add_user(world: World, username: str | None = None) -> str:
    username = username or f"user{next(_names)}"
    world.client.admin_create_user(UserPoolId=world.pool_id, Username=username, MessageAction="SUPPRESS")
    world.client.admin_set_user_password(
        UserPoolId=world.pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    world.usernames.append(username)
    return username


def srp_sign_in(
    world: World, username: str, *, password: str = PASSWORD, device: DeviceCreds | None = None
) -> SignedIn:
    """USER_SRP_AUTH (and DEVICE_SRP_AUTH when `device` is given) with pycognito's AWSSRP."""
    extra = {}
    if device is not None:
        extra = {
            "device_key": device.key,
            "device_group_key": device.group_key,
            "device_password": device.password,
        }
    srp = AWSSRP(username, password, world.pool_id, world.client_id, client=world.client, **extra)
    response = srp.authenticate_user()
    return SignedIn(username, response["AuthenticationResult"])


def confirm_new_device(world: World, signed_in: SignedIn, name: str = "test device") -> DeviceCreds:
    meta = signed_in.tokens["NewDeviceMetadata"]
    password, verifier_config = generate_hash_device(meta["DeviceGroupKey"], meta["DeviceKey"])
    world.client.confirm_device(
        AccessToken=signed_in.access_token,
        DeviceKey=meta["DeviceKey"],
        DeviceSecretVerifierConfig=verifier_config,
        DeviceName=name,
    )
    return DeviceCreds(meta["DeviceKey"], meta["DeviceGroupKey"], password)


def user_with_device(world: World, username: str | None = None) -> tuple[SignedIn, DeviceCreds]:
    username = add_user(world, username)
    signed_in = srp_sign_in(world, username)
    return signed_in, confirm_new_device(world, signed_in)


def admin_status(world: World, username: str, device_key: str) -> str:
    device = world.client.admin_get_device(UserPoolId=world.pool_id, Username=username, DeviceKey=device_key)
    attributes = {a["Name"]: a["Value"] for a in device["Device"]["DeviceAttributes"]}
    return str(attributes["dev:device_remembered_status"])


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    """(error type, message) of a call that must fail."""
    try:
        call(**kwargs)
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["Error"]["Message"]
    raise AssertionError("the call succeeded")
