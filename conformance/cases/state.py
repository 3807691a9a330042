"""State: the status is stored, read back through the admin and the user view, and nothing else moves."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.contract import ids
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.check import check
from conformance.judge.checks import accepted, proof_refused, refused, state_is
from conformance.judge.signals import Blocked, CheckFailure, NothingToJudge
from conformance.judge.state import Unread
from conformance.provisioning.signin import SignInTrace

READ_OPS = ("UpdateDeviceStatus", "AdminGetDevice", "AdminListDevices")
NOT_FOUND = ("ResourceNotFoundException",)


def _set(ctx: CaseContext, user: Any, device: str, status: str) -> bool:
    return ctx.verify(accepted, ctx.requirement.id, ctx.update(user.access_token, device, status))


def _shows(ctx: CaseContext, user: Any, device: str, status: str) -> bool:
    return ctx.verify(state_is, ctx.requirement.id, ctx.read_status(user, device), status)


@case(ids.STATE_REMEMBERED, ops=READ_OPS)
def remembered(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    # Start from not_remembered set another way (the admin operation, where the target has it), so
    # that only UpdateDeviceStatus can have made the device remembered.
    if ctx.session.unimplemented("AdminUpdateDeviceStatus") is None:
        params = {"UserPoolId": user.pool.id, "Username": user.username, "DeviceKey": device}
        setup = ctx.call("AdminUpdateDeviceStatus", {**params, "DeviceRememberedStatus": "not_remembered"})
        ctx.verify(accepted, ctx.requirement.id, setup)
    else:
        _set(ctx, user, device, "not_remembered")
    _shows(ctx, user, device, "not_remembered")
    if _set(ctx, user, device, "remembered"):
        _shows(ctx, user, device, "remembered")


@check()
def listed(requirement: str, devices: dict[str, Any] | Unread, device: str) -> str:
    """AdminListDevices still lists the device."""
    if isinstance(devices, Unread):
        raise NothingToJudge(requirement, f"the devices could not be listed: {devices.reason}")
    if device not in devices:
        raise CheckFailure(requirement, "AdminListDevices still lists the device", sorted(devices))
    return "AdminListDevices lists the device"


@case(ids.STATE_NOT_REMEMBERED_KEEPS, ops=READ_OPS)
def not_remembered_keeps(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    if _set(ctx, user, device, "not_remembered"):
        _shows(ctx, user, device, "not_remembered")
        ctx.verify(listed, ctx.requirement.id, ctx.admin_devices(user), device)
    _set(ctx, user, device, "remembered")


@case(ids.STATE_REENABLE, ops=READ_OPS)
def reenable(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    for _ in range(2):  # off and on again, twice: the device comes back each time
        for status in ("not_remembered", "remembered"):
            if _set(ctx, user, device, status):
                _shows(ctx, user, device, status)


@case(ids.STATE_IDEMPOTENT, ops=READ_OPS)
def idempotent(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[0].key
    for status in ("not_remembered", "not_remembered", "remembered", "remembered"):
        if _set(ctx, user, device, status):
            _shows(ctx, user, device, status)


def _snapshot(ctx: CaseContext) -> dict[str, Any] | Unread:
    """Every device of every user the run created (every pool), with its attributes (admin view)."""
    snap: dict[str, Any] = {}
    for user in list(ctx.provisioner.created.users):
        devices = ctx.admin_devices(user)
        if isinstance(devices, Unread):
            return Unread(f"the devices of {user.username}: {devices.reason}", devices.exchange)
        for key, attributes in devices.items():
            attributes.pop("last_ip_used", None)  # our own requests may move it
            snap[f"{user.username}/{key}"] = attributes
    return snap


@check(ids.STATE_ISOLATION)
def only_named_changed(before: dict[str, Any] | Unread, after: dict[str, Any] | Unread, named: str) -> str:
    """STATE-ISOLATION: between two snapshots only the named device changed."""
    for snap in (before, after):
        if isinstance(snap, Unread):
            raise NothingToJudge(ids.STATE_ISOLATION, f"the devices could not be read: {snap.reason}")
    assert isinstance(before, dict) and isinstance(after, dict)
    others = [k for k in before if not k.endswith(f"/{named}")]
    if not others:
        raise NothingToJudge(ids.STATE_ISOLATION, "no other device to watch")
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k) and k in others)
    changed += sorted(k for k in set(after) - set(before))
    if changed:
        raise CheckFailure(ids.STATE_ISOLATION, "only the named device changed", f"also changed: {changed}")
    return f"{len(others)} other devices of {len({k.split('/')[0] for k in others})} users unchanged"


@case(ids.STATE_ISOLATION, ops=READ_OPS)
def isolation(ctx: CaseContext) -> None:
    a = ctx.shared("user_a")
    ctx.shared("user_b")
    ctx.shared("user_c")  # a user of the second pool: isolation covers every pool of the run
    target = a.devices[0].key
    for other in a.devices[1:]:  # the other devices remembered: a change of theirs shows either way
        if ctx.read_status(a, other.key) != "remembered":
            _set(ctx, a, other.key, "remembered")
    current = ctx.read_status(a, target)
    flipped = "not_remembered" if current == "remembered" else "remembered"
    # Both ways (and back to remembered, the state the cases leave it in): a mistake may hide in one.
    directions = (
        [flipped]
        if ctx.budgeted
        else [flipped, "not_remembered" if flipped == "remembered" else "remembered"]
    )
    for status in directions:
        before = _snapshot(ctx)
        if _set(ctx, a, target, status):
            ctx.verify(only_named_changed, before, _snapshot(ctx), target)
    if ctx.read_status(a, target) != "remembered":
        _set(ctx, a, target, "remembered")


@check()
def user_list(requirement: str, exchange: Any, hidden: str, shown: str) -> str:
    """STATE-USER-VIEW: ListDevices lists the remembered device and not the not_remembered one."""
    body = exchange.json if exchange.ok else None
    devices = body.get("Devices") if isinstance(body, dict) else None
    if not isinstance(devices, list):
        raise CheckFailure(requirement, "ListDevices answering a device list", exchange.summary(), exchange)
    keys = [d.get("DeviceKey") for d in devices if isinstance(d, dict)]
    if hidden in keys or shown not in keys:
        raise CheckFailure(requirement, "ListDevices lists the remembered device only", keys, exchange)
    return "ListDevices lists the remembered device only"


@case(ids.STATE_USER_VIEW, ops=(*READ_OPS, "ListDevices", "GetDevice"))
def user_view(ctx: CaseContext) -> None:
    req = ctx.requirement
    user = ctx.shared("user_a")
    hidden, shown = user.devices[0].key, user.devices[1].key
    _set(ctx, user, shown, "remembered")
    _set(ctx, user, hidden, "not_remembered")
    try:
        listing = ctx.call("ListDevices", {"AccessToken": user.access_token})
        ctx.verify(user_list, req.id, listing, hidden, shown)
        got = ctx.call("GetDevice", {"AccessToken": user.access_token, "DeviceKey": hidden})
        ctx.verify(refused, req.id, got, NOT_FOUND)
        _shows(ctx, user, hidden, "not_remembered")
    finally:
        ctx.update(user.access_token, hidden, "remembered")


DEVICE_CHALLENGES = ("PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER")


def _went(trace: SignInTrace) -> str:
    """How a sign-in went, in one line: its challenges, then tokens or the refusal."""
    steps = " -> ".join(trace.challenges) or "InitiateAuth"
    if trace.tokens is not None:
        return f"{steps} -> tokens"
    return f"{steps} -> refused: {trace.failure.reason if trace.failure else 'no answer'}"


@check()
def challenges(requirement: str, trace: SignInTrace) -> str:
    """STATE-DEVICE-SIGNIN: a DEVICE_KEY of a tracked device leads to DEVICE_SRP_AUTH, then
    DEVICE_PASSWORD_VERIFIER; judged on the challenges asked, whatever the proof's fate."""
    if trace.challenges != DEVICE_CHALLENGES:
        raise CheckFailure(requirement, " -> ".join(DEVICE_CHALLENGES), _went(trace), trace.last)
    return " -> ".join(trace.challenges)


@check()
def device_signed_in(requirement: str, trace: SignInTrace) -> str | None:
    """The device's own, correct proof completes the sign-in: any refusal of it is a FAIL. Judged once
    the proof was asked for (`challenges` judges the way there)."""
    if trace.challenges != DEVICE_CHALLENGES:
        return None
    if trace.tokens is None:
        raise CheckFailure(requirement, "tokens after DEVICE_PASSWORD_VERIFIER", _went(trace), trace.last)
    return "signed in with the device's proof"


@check()
def wrong_proof_refused(requirement: str, trace: SignInTrace) -> str | None:
    """A device proof made with the wrong device password is refused (NotAuthorizedException)."""
    if trace.tokens is None and trace.stopped_at != DEVICE_CHALLENGES[-1]:
        return None  # the wrong proof was never asked for: `challenges` judges that
    return proof_refused(requirement, None if trace.tokens else _went(trace), "a wrong device proof")


@case(ids.STATE_DEVICE_SIGNIN, ops=("UpdateDeviceStatus",))
def device_sign_in(ctx: CaseContext) -> None:
    req = ctx.requirement
    user = ctx.fresh_user(devices=1)
    device = user.devices[0]
    _set(ctx, user, device.key, "remembered")
    trace = _sign_in(ctx, user, device)
    ctx.verify(challenges, req.id, trace)
    if device.synthesized:
        # The suite made this device's group key: the target never issued it, so its refusal of the
        # right proof proves nothing; the challenges and the wrong proof's refusal still do.
        line = "the right device proof not judged: the device key was made by the suite"
        if line not in ctx.provenance:
            ctx.provenance.append(line)
    else:
        ctx.verify(device_signed_in, req.id, trace)
    impostor = replace(device, password=device.password[::-1])  # the right key, the wrong secret
    ctx.verify(wrong_proof_refused, req.id, _sign_in(ctx, user, impostor))


def _sign_in(ctx: CaseContext, user: Any, device: Any) -> SignInTrace:
    """The device sign-in as it went; a target that stopped answering blocks the case."""
    trace: SignInTrace = ctx.provisioner.sign_in_trace(user, device=device)
    if not trace.answered:
        raise Blocked(f"the device sign-in got no answer: {_went(trace)}", ids.PROTO_NO_5XX)
    return trace
