"""Resources: a device key the caller does not own answers ResourceNotFoundException, and nothing changes."""

from __future__ import annotations

from conformance.cases.common import unknown_device_key
from conformance.contract import ids
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.checks import refused, unchanged

STATUS_OPS = ("UpdateDeviceStatus", "AdminGetDevice")


@case(ids.RES_UNKNOWN_DEVICE)
def unknown_device(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    exchange = ctx.update(user.access_token, unknown_device_key(ctx), "remembered")
    req = ctx.requirement
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
    ctx.verify(unchanged, req.id, before, ctx.read_status(owner, device), "the other user's device")


@case(ids.RES_OTHER_USER_DEVICE, ops=STATUS_OPS)
def other_users_device(ctx: CaseContext) -> None:
    _someone_elses(ctx, "user_b")


@case(ids.RES_OTHER_POOL_DEVICE, ops=STATUS_OPS)
def other_pools_device(ctx: CaseContext) -> None:
    _someone_elses(ctx, "user_c")


@case(ids.RES_FORGOTTEN_DEVICE, ops=("UpdateDeviceStatus", "ForgetDevice"))
def forgotten_device(ctx: CaseContext) -> None:
    user = ctx.fresh_user(devices=1)
    device = user.devices[0]
    ctx.provisioner.forget(user, device)
    exchange = ctx.update(user.access_token, device.key, "remembered")
    req = ctx.requirement
    ctx.verify(refused, req.id, exchange, req.expect, req.message)
