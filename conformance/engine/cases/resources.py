"""Resources: a device key the caller does not own answers ResourceNotFoundException, and nothing changes."""

from __future__ import annotations

from ..checks import CheckFailure, expect_rejected
from ..context import CaseContext
from ..registry import case
from .common import unknown_device_key

NOT_FOUND = ("ResourceNotFoundException",)
DEVICE_NOT_FOUND = "Device does not exist."
STATUS_OPS = ("UpdateDeviceStatus", "AdminGetDevice")


@case("RES-UNKNOWN-DEVICE")
def unknown_device(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    exchange = ctx.update(user.access_token, unknown_device_key(ctx), "remembered")
    expect_rejected(exchange, "RES-UNKNOWN-DEVICE", NOT_FOUND, message=DEVICE_NOT_FOUND)


def _someone_elses(ctx: CaseContext, requirement: str, owner_fixture: str) -> None:
    """User A's token naming a device of `owner_fixture`: not found, and that device keeps its status."""
    caller = ctx.shared("user_a")
    owner = ctx.shared(owner_fixture)
    device = owner.devices[0].key
    before = ctx.remembered_status(owner, device)
    flipped = "not_remembered" if before == "remembered" else "remembered"
    exchange = ctx.update(caller.access_token, device, flipped)
    expect_rejected(exchange, requirement, NOT_FOUND, message=DEVICE_NOT_FOUND)
    after = ctx.remembered_status(owner, device)
    if after != before:
        raise CheckFailure(requirement, f"the other user's device still {before}", f"now {after}", exchange)


@case("RES-OTHER-USER-DEVICE", ops=STATUS_OPS)
def other_users_device(ctx: CaseContext) -> None:
    _someone_elses(ctx, "RES-OTHER-USER-DEVICE", "user_b")


@case("RES-OTHER-POOL-DEVICE", ops=STATUS_OPS)
def other_pools_device(ctx: CaseContext) -> None:
    _someone_elses(ctx, "RES-OTHER-POOL-DEVICE", "user_c")


@case("RES-FORGOTTEN-DEVICE", ops=("UpdateDeviceStatus", "ForgetDevice"))
def forgotten_device(ctx: CaseContext) -> None:
    user = ctx.fresh_user(devices=1)
    device = user.devices[0]
    ctx.provisioner.forget(user, device)
    exchange = ctx.update(user.access_token, device.key, "remembered")
    expect_rejected(exchange, "RES-FORGOTTEN-DEVICE", NOT_FOUND, message=DEVICE_NOT_FOUND)
