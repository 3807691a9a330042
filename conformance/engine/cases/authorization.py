"""Authorization: only a valid access token of the signed-in user, with the admin scope, will do."""

from __future__ import annotations

import base64
import json
from typing import Any

from conformance.secrets import SECRETS

from ..checks import CheckFailure, expect_rejected, expect_success
from ..context import CaseContext
from ..registry import case
from .common import unknown_device_key

NOT_AUTHORIZED = ("NotAuthorizedException",)
STATUS_OPS = ("UpdateDeviceStatus", "AdminGetDevice")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tampered_payload(token: str) -> str:
    """The same token with another username in its payload and the original signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = f"{claims.get('username', 'user')}-x"
    claims["sub"] = "00000000-0000-4000-8000-000000000000"
    forged = f"{header}.{_b64url(json.dumps(claims).encode())}.{signature}"
    SECRETS.add(forged, "<tampered-token>")
    return forged


def bad_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    forged = f"{header}.{payload}.{flipped}"
    SECRETS.add(forged, "<tampered-token>")
    return forged


def _unchanged(ctx: CaseContext, requirement: str, user: Any, device_key: str, before: str | None) -> None:
    after = ctx.remembered_status(user, device_key)
    if after != before:
        raise CheckFailure(requirement, f"the device still {before}", f"now {after}")


def _rejected_and_unchanged(
    ctx: CaseContext,
    requirement: str,
    token: str,
    *,
    message: str | None = None,
    types: tuple[str, ...] = NOT_AUTHORIZED,
) -> None:
    """Set user A's device to not_remembered with `token`: refused, and the device is unchanged."""
    user = ctx.shared("user_a")
    device = user.devices[0].key
    before = ctx.remembered_status(user, device)
    target_status = "not_remembered" if before == "remembered" else "remembered"
    exchange = ctx.update(token, device, target_status)
    expect_rejected(exchange, requirement, types, message=message)
    _unchanged(ctx, requirement, user, device, before)


@case("AUTH-NOT-JWT", ops=STATUS_OPS)
def not_jwt(ctx: CaseContext) -> None:
    _rejected_and_unchanged(ctx, "AUTH-NOT-JWT", "not-a-jwt.at-all", message="Invalid Access Token")


@case("AUTH-TAMPERED", ops=STATUS_OPS)
def tampered(ctx: CaseContext) -> None:
    token = ctx.shared("user_a").access_token
    _rejected_and_unchanged(ctx, "AUTH-TAMPERED", tampered_payload(token))
    _rejected_and_unchanged(ctx, "AUTH-TAMPERED", bad_signature(token))


@case("AUTH-EXPIRED", ops=STATUS_OPS)
def expired(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    token = ctx.provisioner.minted_token(user, "expired")
    _rejected_and_unchanged(ctx, "AUTH-EXPIRED", token, message="Access Token has expired")


@case("AUTH-NO-SCOPE", ops=STATUS_OPS)
def no_scope(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    token = ctx.provisioner.minted_token(user, "no-admin-scope")
    _rejected_and_unchanged(ctx, "AUTH-NO-SCOPE", token, message="Access Token does not have required scopes")


@case("AUTH-ID-TOKEN", ops=STATUS_OPS)
def id_token(ctx: CaseContext) -> None:
    _rejected_and_unchanged(ctx, "AUTH-ID-TOKEN", ctx.shared("user_a").id_token)


@case("AUTH-OTHER-POOL", ops=STATUS_OPS)
def other_pool(ctx: CaseContext) -> None:
    other = ctx.shared("user_c")
    _rejected_and_unchanged(
        ctx,
        "AUTH-OTHER-POOL",
        other.access_token,
        types=("NotAuthorizedException", "ResourceNotFoundException"),
    )


@case("AUTH-IAM-ONLY", ops=STATUS_OPS)
def iam_only(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    before = ctx.remembered_status(user, device)
    exchange = ctx.call(
        "UpdateDeviceStatus",
        {
            "AccessToken": "iam-credentials.are-not-a-token",
            "DeviceKey": device,
            "DeviceRememberedStatus": "remembered",
        },
        signed=True,
    )
    if not any(k.lower() == "authorization" for k in exchange.request_headers):
        raise CheckFailure(
            "AUTH-IAM-ONLY", "a SigV4-signed request", "the request went out unsigned", exchange
        )
    expect_rejected(exchange, "AUTH-IAM-ONLY", NOT_AUTHORIZED)
    _unchanged(ctx, "AUTH-IAM-ONLY", user, device, before)


@case("AUTH-UNSIGNED")
def unsigned(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    exchange = ctx.update(user.access_token, user.devices[0].key, "remembered")
    if any(k.lower() == "authorization" for k in exchange.request_headers):
        raise CheckFailure("AUTH-UNSIGNED", "an unsigned request", "the client signed it", exchange)
    expect_success(exchange, "AUTH-UNSIGNED")


def _after(
    ctx: CaseContext, requirement: str, action: str, types: tuple[str, ...], message: str | None = None
) -> None:
    """A fresh user's token, used after `action` was done to the user: refused, device unchanged."""
    user = ctx.fresh_user(devices=1)
    device = user.devices[0].key
    getattr(ctx.provisioner, action)(user)
    exchange = ctx.update(user.access_token, device, "not_remembered")
    expect_rejected(exchange, requirement, types, message=message)
    if action != "delete":
        status = ctx.remembered_status(user, device)
        if status != "remembered":
            raise CheckFailure(requirement, "the device still remembered", f"now {status}")


@case("AUTH-REVOKED", ops=(*STATUS_OPS, "GlobalSignOut"))
def revoked(ctx: CaseContext) -> None:
    _after(ctx, "AUTH-REVOKED", "revoke", NOT_AUTHORIZED, message="Access Token has been revoked")


@case("AUTH-USER-DISABLED", ops=(*STATUS_OPS, "AdminDisableUser"))
def user_disabled(ctx: CaseContext) -> None:
    _after(ctx, "AUTH-USER-DISABLED", "disable", NOT_AUTHORIZED)


@case("AUTH-USER-DELETED", ops=("UpdateDeviceStatus", "AdminDeleteUser"))
def user_deleted(ctx: CaseContext) -> None:
    _after(ctx, "AUTH-USER-DELETED", "delete", ("UserNotFoundException", "NotAuthorizedException"))


@case("AUTH-USER-RESET", ops=(*STATUS_OPS, "AdminResetUserPassword"))
def user_reset(ctx: CaseContext) -> None:
    _after(
        ctx, "AUTH-USER-RESET", "reset_password", ("PasswordResetRequiredException", "NotAuthorizedException")
    )


__all__ = ["bad_signature", "tampered_payload", "unknown_device_key"]
