"""Resources: a device key the caller does not own answers ResourceNotFoundException, and nothing changes."""

from __future__ import annotations

from conformance.cases.common import KEY, key_variants, request_base, unknown_device_key
from conformance.contract import ids
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.checks import refused, unchanged
from strategies.requests import label

STATUS_OPS = ("UpdateDeviceStatus", "AdminGetDevice")


@case(ids.RES_UNKNOWN_DEVICE)
def unknown_device(ctx: CaseContext) -> None:
    """A key no device has, then the variants of a real key that still match the model's pattern (a
    loose lookup takes them for the real device): each names no device. The watch (engine/watch.py)
    sees that the real device is left as it was."""
    user = ctx.shared("user_a")
    req = ctx.requirement
    real = user.devices[0].key
    keys = [unknown_device_key(ctx)]
    if not ctx.budgeted:
        keys += [
            k for k in key_variants(real).values() if not label({**request_base(ctx), KEY: k}).violations
        ]
    for key in keys:
        exchange = ctx.update(user.access_token, key, "remembered")
        ctx.verify(refused, req.id, exchange, req.expect, req.message)


def _someone_elses(ctx: CaseContext, owner_fixture: str) -> None:
    """User A's token naming a device of `owner_fixture`: not found, and that device keeps its status."""
    req = ctx.requirement
    caller = ctx.shared("user_a")
    owner = ctx.shared(owner_fixture)
    device = owner.devices[0].key
    before = ctx.read_status(owner, device)
    flipped = "not_remembered" if before == "remembered" else "remembered"
    exchange = ctx.update(caller.access_token, device, flipped)
    # Both are judged whatever the first says: a wrong refusal must not hide a changed device.
    ctx.verify(refused, req.id, exchange, req.expect, req.message)
    # The same device through the other user-level operations that take a key: not found either (the
    # watch judges that ForgetDevice's refusal left it as it was).
    for operation in () if ctx.budgeted else ("GetDevice", "ForgetDevice"):
        if ctx.session.unimplemented(operation) is None:
            answer = ctx.call(operation, {"AccessToken": caller.access_token, "DeviceKey": device})
            ctx.verify(refused, req.id, answer, req.expect, req.message)
    ctx.verify(unchanged, req.id, before, ctx.read_status(owner, device), "the other user's device")


@case(ids.RES_OTHER_USER_DEVICE, ops=STATUS_OPS)
def other_users_device(ctx: CaseContext) -> None:
    _someone_elses(ctx, "user_b")


@case(ids.RES_OTHER_POOL_DEVICE, ops=STATUS_OPS)
def other_pools_device(ctx: CaseContext) -> None:
    _someone_elses(ctx, "user_c")
    if ctx.budgeted:
        return
    # The admin operations of the first pool, naming its user A and the other pool's device: not found
    # either (the watch judges that the refused update and forget left the device as it was).
    req, caller, device = ctx.requirement, ctx.shared("user_a"), ctx.shared("user_c").devices[0].key
    admin = {"UserPoolId": caller.pool.id, "Username": caller.username, "DeviceKey": device}
    for operation, extra in (
        ("AdminGetDevice", {}),
        ("AdminUpdateDeviceStatus", {"DeviceRememberedStatus": "not_remembered"}),
        ("AdminForgetDevice", {}),
    ):
        if ctx.session.unimplemented(operation) is None:
            ctx.verify(refused, req.id, ctx.call(operation, {**admin, **extra}), req.expect, req.message)


@case(ids.RES_FORGOTTEN_DEVICE, ops=("UpdateDeviceStatus", "ForgetDevice"))
def forgotten_device(ctx: CaseContext) -> None:
    user = ctx.fresh_user(devices=1)
    device = user.devices[0]
    ctx.provisioner.forget(user, device)
    exchange = ctx.update(user.access_token, device.key, "remembered")
    req = ctx.requirement
    ctx.verify(refused, req.id, exchange, req.expect, req.message)
