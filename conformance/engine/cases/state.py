"""State: the status is stored, read back through the admin and the user view, and nothing else moves."""

from __future__ import annotations

from typing import Any

from conformance.provisioning import FixtureUnavailable

from ..checks import CheckFailure, expect_rejected, expect_success
from ..context import CaseContext
from ..registry import case

READ_OPS = ("UpdateDeviceStatus", "AdminGetDevice", "AdminListDevices")


def _set(ctx: CaseContext, requirement: str, user: Any, device: str, status: str) -> None:
    expect_success(ctx.update(user.access_token, device, status), requirement)


def _expect_status(ctx: CaseContext, requirement: str, user: Any, device: str, status: str) -> None:
    seen = ctx.remembered_status(user, device)
    if seen != status:
        exchange = ctx.exchanges[-1] if ctx.exchanges else None
        raise CheckFailure(
            requirement, f"AdminGetDevice dev:device_remembered_status = {status}", seen, exchange
        )


@case("STATE-REMEMBERED", ops=READ_OPS)
def remembered(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    # Start from not_remembered set another way (the admin operation, where the target has it), so
    # that only UpdateDeviceStatus can have made the device remembered.
    if ctx.session.unimplemented("AdminUpdateDeviceStatus") is None:
        setup = ctx.call(
            "AdminUpdateDeviceStatus",
            {
                "UserPoolId": user.pool.id,
                "Username": user.username,
                "DeviceKey": device,
                "DeviceRememberedStatus": "not_remembered",
            },
        )
        expect_success(setup, "STATE-REMEMBERED")
    else:
        _set(ctx, "STATE-REMEMBERED", user, device, "not_remembered")
    _set(ctx, "STATE-REMEMBERED", user, device, "remembered")
    _expect_status(ctx, "STATE-REMEMBERED", user, device, "remembered")


@case("STATE-NOT-REMEMBERED-KEEPS", ops=READ_OPS)
def not_remembered_keeps(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    _set(ctx, "STATE-NOT-REMEMBERED-KEEPS", user, device, "not_remembered")
    _expect_status(ctx, "STATE-NOT-REMEMBERED-KEEPS", user, device, "not_remembered")
    listed = ctx.admin_device_keys(user)
    if device not in listed:
        raise CheckFailure("STATE-NOT-REMEMBERED-KEEPS", "AdminListDevices still lists the device", listed)
    _set(ctx, "STATE-NOT-REMEMBERED-KEEPS", user, device, "remembered")


@case("STATE-REENABLE", ops=READ_OPS)
def reenable(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    for _ in range(2):  # off and on again, twice: the device comes back each time
        _set(ctx, "STATE-REENABLE", user, device, "not_remembered")
        _expect_status(ctx, "STATE-REENABLE", user, device, "not_remembered")
        _set(ctx, "STATE-REENABLE", user, device, "remembered")
        _expect_status(ctx, "STATE-REENABLE", user, device, "remembered")


@case("STATE-IDEMPOTENT", ops=READ_OPS)
def idempotent(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    for status in ("not_remembered", "not_remembered", "remembered", "remembered"):
        exchange = ctx.update(user.access_token, device, status)
        expect_success(exchange, "STATE-IDEMPOTENT")
        _expect_status(ctx, "STATE-IDEMPOTENT", user, device, status)


def _snapshot(ctx: CaseContext, users: list[Any]) -> dict[str, Any]:
    """Every device of these users with its attributes, as the admin view shows them."""
    snap: dict[str, Any] = {}
    for user in users:
        exchange = ctx.call("AdminListDevices", {"UserPoolId": user.pool.id, "Username": user.username})
        for device in (exchange.json or {}).get("Devices", []):
            attributes = {a["Name"]: a.get("Value") for a in device.get("DeviceAttributes", [])}
            attributes.pop("last_ip_used", None)  # our own requests may move it
            snap[f"{user.username}/{device.get('DeviceKey')}"] = attributes
    return snap


@case("STATE-ISOLATION", ops=READ_OPS)
def isolation(ctx: CaseContext) -> None:
    a, b = ctx.shared("user_a"), ctx.shared("user_b")
    target = a.devices[0].key
    current = ctx.remembered_status(a, target)
    before = _snapshot(ctx, [a, b])
    flipped = "not_remembered" if current == "remembered" else "remembered"
    _set(ctx, "STATE-ISOLATION", a, target, flipped)
    after = _snapshot(ctx, [a, b])
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k) and target not in k)
    if changed:
        raise CheckFailure("STATE-ISOLATION", "only the named device changed", f"also changed: {changed}")
    _set(ctx, "STATE-ISOLATION", a, target, "remembered")


@case("STATE-USER-VIEW", ops=(*READ_OPS, "ListDevices", "GetDevice"))
def user_view(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    hidden, shown = user.devices[0].key, user.devices[1].key
    _set(ctx, "STATE-USER-VIEW", user, shown, "remembered")
    _set(ctx, "STATE-USER-VIEW", user, hidden, "not_remembered")
    try:
        listing = ctx.call("ListDevices", {"AccessToken": user.access_token})
        expect_success(listing, "STATE-USER-VIEW")
        keys = [d.get("DeviceKey") for d in (listing.json or {}).get("Devices", [])]
        if hidden in keys or shown not in keys:
            raise CheckFailure(
                "STATE-USER-VIEW", "ListDevices lists the remembered device only", keys, listing
            )
        got = ctx.call("GetDevice", {"AccessToken": user.access_token, "DeviceKey": hidden})
        expect_rejected(got, "STATE-USER-VIEW", ("ResourceNotFoundException",))
        _expect_status(ctx, "STATE-USER-VIEW", user, hidden, "not_remembered")
    finally:
        ctx.update(user.access_token, hidden, "remembered")


@case("STATE-DEVICE-SIGNIN", ops=("UpdateDeviceStatus",))
def device_sign_in(ctx: CaseContext) -> None:
    user = ctx.fresh_user(devices=1)
    device = user.devices[0]
    _set(ctx, "STATE-DEVICE-SIGNIN", user, device.key, "remembered")
    try:
        tokens = ctx.provisioner.sign_in(user, device=device)
    except FixtureUnavailable as exc:
        # A correct device proof refused is the finding; a target without the device flow blocks.
        if "NotAuthorizedException" in exc.reason:
            raise CheckFailure(
                "STATE-DEVICE-SIGNIN", "tokens after DEVICE_PASSWORD_VERIFIER", exc.reason
            ) from None
        raise
    if not getattr(tokens, "access_token", None):
        raise CheckFailure("STATE-DEVICE-SIGNIN", "tokens after DEVICE_PASSWORD_VERIFIER", "no access token")
