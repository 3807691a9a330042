"""Authorization: only a valid access token of the signed-in user, with the admin scope, will do.

The token makers the other operations' cases share (conformance/cases/devices/access.py): `NOT_A_JWT`,
`forged_tokens`."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.cases.forgery import FORGERIES, forge
from conformance.contract import ids
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.checks import accepted, refused, unchanged
from conformance.provisioning import User
from conformance.targets.exchange import Exchange

STATUS_OPS = ("UpdateDeviceStatus", "AdminGetDevice")
# A pattern-valid AccessToken that is no JWT (AUTH-NOT-JWT).
NOT_A_JWT = "not-a-jwt.at-all"


def forged_tokens(ctx: CaseContext, token: str) -> Iterator[str]:
    """Forgeries of `token` (a genuine access token of the user whose device is named), one of each kind
    (forgery.py); on a live service, whose calls are budgeted, the first two. Each is forged when the
    caller asks for it; a recorded run keeps the recipe, so that a replay forges its own and sends it
    again."""
    kinds = list(FORGERIES)[:2] if ctx.budgeted else list(FORGERIES)
    other = "" if ctx.budgeted else ctx.shared("user_b").access_token  # the payload swap's other token
    for kind in kinds:
        yield forge(kind, token, other, ctx.session.recorder)


def _refused_and_unchanged(ctx: CaseContext, token: str) -> None:
    """Flip user A's device with `token`: refused as documented, and the device is unchanged."""
    req = ctx.requirement
    user = ctx.shared("user_a")
    device = user.devices[0].key
    before = ctx.read_status(user, device)
    flipped = "not_remembered" if before == "remembered" else "remembered"
    exchange = ctx.update(token, device, flipped)
    ctx.verify(refused, req.id, exchange, req.expect, req.message)
    ctx.verify(unchanged, req.id, before, ctx.read_status(user, device))


@case(ids.AUTH_NOT_JWT, ops=STATUS_OPS)
def not_jwt(ctx: CaseContext) -> None:
    _refused_and_unchanged(ctx, NOT_A_JWT)


@case(ids.AUTH_TAMPERED, ops=STATUS_OPS)
def tampered(ctx: CaseContext) -> None:
    """Every kind of forgery (forgery.py); on a live service, whose calls are budgeted, the first two."""
    for forged in forged_tokens(ctx, ctx.shared("user_a").access_token):
        _refused_and_unchanged(ctx, forged)


@case(ids.AUTH_EXPIRED, ops=STATUS_OPS)
def expired(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    _refused_and_unchanged(ctx, ctx.provisioner.minted_token(user, "expired"))


@case(ids.AUTH_NO_SCOPE, ops=STATUS_OPS)
def no_scope(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    _refused_and_unchanged(ctx, ctx.provisioner.minted_token(user, "no-admin-scope"))


@case(ids.AUTH_ID_TOKEN, ops=STATUS_OPS)
def id_token(ctx: CaseContext) -> None:
    _refused_and_unchanged(ctx, ctx.shared("user_a").id_token)


@case(ids.AUTH_OTHER_POOL, ops=STATUS_OPS)
def other_pool(ctx: CaseContext) -> None:
    """A user of the second pool, and (where calls cost nothing) one of the same name as the device's
    owner: a verifier that does not check the issuer takes the namesake for the owner."""
    _refused_and_unchanged(ctx, ctx.shared("user_c").access_token)
    if not ctx.budgeted:
        owner = ctx.shared("user_a")
        namesake = ctx.provisioner.user(devices=0, pool=ctx.provisioner.second_pool(), namesake=owner)
        _refused_and_unchanged(ctx, namesake.access_token)


def sent_as_meant(exchange: Exchange, signed: bool) -> None:
    """The suite's own client signed (or did not sign) the request as the case meant it: a precondition
    on the suite, not on the target, so a mismatch is an ERROR of the suite."""
    if any(k.lower() == "authorization" for k in exchange.request_headers) != signed:
        raise RuntimeError(f"the request went out {'unsigned' if signed else 'signed'}, not as meant")


@case(ids.AUTH_IAM_ONLY, ops=STATUS_OPS)
def iam_only(ctx: CaseContext) -> None:
    req = ctx.requirement
    user = ctx.shared("user_a")
    device = user.devices[0].key
    before = ctx.read_status(user, device)
    flipped = "not_remembered" if before == "remembered" else "remembered"
    params = {"AccessToken": "iam-credentials.are-not-a-token", "DeviceKey": device}
    exchange = ctx.call("UpdateDeviceStatus", {**params, "DeviceRememberedStatus": flipped}, signed=True)
    sent_as_meant(exchange, signed=True)
    ctx.verify(refused, req.id, exchange, req.expect, req.message)
    ctx.verify(unchanged, req.id, before, ctx.read_status(user, device))


@case(ids.AUTH_UNSIGNED)
def unsigned(ctx: CaseContext) -> None:
    req = ctx.requirement
    user = ctx.shared("user_a")
    exchange = ctx.update(user.access_token, user.devices[0].key, "remembered")
    sent_as_meant(exchange, signed=False)
    ctx.verify(accepted, req.id, exchange)


def _after(ctx: CaseContext, action: str) -> User:
    """A fresh user's token, used after `action` was done to the user: refused, device unchanged."""
    req = ctx.requirement
    user: User = ctx.fresh_user(devices=1)
    device = user.devices[0].key
    readable = action != "delete"  # a deleted user's devices cannot be read back
    before = ctx.read_status(user, device) if readable else None
    getattr(ctx.provisioner, action)(user)
    exchange = ctx.update(user.access_token, device, "not_remembered")
    ctx.verify(refused, req.id, exchange, req.expect, req.message)
    if before is not None:
        ctx.verify(unchanged, req.id, before, ctx.read_status(user, device))
    return user


@case(ids.AUTH_REVOKED, ops=(*STATUS_OPS, "GlobalSignOut"))
def revoked(ctx: CaseContext) -> None:
    user = _after(ctx, "revoke")
    # A revoked token is refused by every user-level device operation, the read-only ones too.
    req = ctx.requirement
    for operation in () if ctx.budgeted else ("GetDevice", "ListDevices"):
        if ctx.session.unimplemented(operation) is None:
            params = {"AccessToken": user.access_token}
            if operation == "GetDevice":
                params["DeviceKey"] = user.devices[0].key
            ctx.verify(refused, req.id, ctx.call(operation, params), req.expect, req.message)


@case(ids.AUTH_USER_DISABLED, ops=(*STATUS_OPS, "AdminDisableUser"))
def user_disabled(ctx: CaseContext) -> None:
    _after(ctx, "disable")


@case(ids.AUTH_USER_DELETED, ops=("UpdateDeviceStatus", "AdminDeleteUser"))
def user_deleted(ctx: CaseContext) -> None:
    _after(ctx, "delete")


@case(ids.AUTH_USER_RESET, ops=(*STATUS_OPS, "AdminResetUserPassword"))
def user_reset(ctx: CaseContext) -> None:
    _after(ctx, "reset_password")
