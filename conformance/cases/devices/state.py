"""State of the other operations: what each shows of a device, or does to it, read back through another
operation (specs/requirements/state.toml, family "state").

The views (GetDevice, ListDevices, AdminGetDevice, AdminListDevices) are read after the statuses they
are judged on were set and checked through the admin view; the status updates and the forgets are read
back through every view. An accepted AdminUpdateDeviceStatus is also judged wherever a case sends one
(engine/watch.py), as UpdateDeviceStatus is."""

from __future__ import annotations

from typing import Any

from conformance.contract import ids
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.check import check
from conformance.judge.checks import accepted, refused
from conformance.judge.signals import Blocked, CheckFailure, NothingToJudge
from conformance.judge.state import ABSENT, STATUS_ATTRIBUTE, DeviceRecord, Reading, Unread, device_reading
from conformance.provisioning import User
from conformance.targets.exchange import Exchange

from .views import (
    ADMIN_UPDATE,
    PAGES,
    STATES,
    Walk,
    admin_request,
    implemented,
    kept_user,
    keys,
    put_status,
    reading,
    send_status,
    user_request,
    walk,
)

NOT_FOUND = ("ResourceNotFoundException",)
# An attribute a read may move: "last-access source IP" (the page), and every request is an access.
ACCESSED = frozenset({"last_ip_used"})
# What an accepted status update may change on the device it names.
UPDATED = frozenset({STATUS_ATTRIBUTE, "DeviceLastModifiedDate"})


def _shown(what: str, reading: Reading) -> str:
    if isinstance(reading, DeviceRecord):
        return f"{what} {reading.status}"
    return f"{what} gone" if reading == ABSENT else f"{what} unreadable ({reading})"


# --- checks ---------------------------------------------------------------------------------------------


@check()
def view_matches_admin(requirement: str, got: Exchange, admin: Reading, key: str) -> str:
    """The user's GetDevice shows the device AdminGetDevice shows: its key, attributes and dates."""
    if not isinstance(admin, DeviceRecord) or admin.status != "remembered":
        raise NothingToJudge(requirement, f"the admin view shows no remembered device: {_shown('it', admin)}")
    shown = device_reading(got)
    if not isinstance(shown, DeviceRecord):
        raise CheckFailure(requirement, "GetDevice answering the remembered device", got.summary(), got)
    if shown.members.get("DeviceKey") != key:
        raise CheckFailure(
            requirement, f"the device {key}", f"the device {shown.members.get('DeviceKey')}", got
        )
    differences = shown.differences(admin, free=ACCESSED)
    if differences:
        raise CheckFailure(requirement, "the device as AdminGetDevice shows it", "; ".join(differences), got)
    return "GetDevice shows the device as AdminGetDevice does"


@check()
def listing_holds(
    requirement: str,
    listing: Walk,
    mine: frozenset[str] | None,
    shown: frozenset[str],
    hidden: frozenset[str],
) -> str:
    """Every page of a listing, followed: each device of `shown` listed, none of `hidden`, and (unless
    `mine` is None) none that is not one of the user's."""
    if listing.broken is not None:
        answer = listing.broken.exchange
        raise CheckFailure(
            requirement, f"{listing.operation} answering a device list", answer.summary(), answer
        )
    listed = set(listing.keys)
    problems = [f"{len(shown - listed)} of the user's devices not listed"] if shown - listed else []
    problems += [f"{len(hidden & listed)} device(s) listed that must not be"] if hidden & listed else []
    strangers = listed - mine if mine is not None else set()
    problems += [f"{len(strangers)} device(s) of someone else listed"] if strangers else []
    if problems:
        expected = f"{len(shown)} of the user's devices listed" + (f", {len(hidden)} not" if hidden else "")
        raise CheckFailure(requirement, expected, "; ".join(problems), listing.last)
    hides = f", {len(hidden)} not" if hidden else ""
    return f"{listing.operation}: {len(shown)} device(s) listed{hides}, as expected ({listing.summary()})"


@check()
def statuses_listed(requirement: str, listing: Walk, expected: dict[str, str]) -> str:
    """AdminListDevices shows each device with the status the last update set."""
    shown: dict[str, Any] = {}
    for page in listing.pages:
        for device in page.devices or []:
            if isinstance(device, dict) and device.get("DeviceKey") in expected:
                attributes = device.get("DeviceAttributes")
                named = {
                    a.get("Name"): a.get("Value")
                    for a in (attributes if isinstance(attributes, list) else [])
                    if isinstance(a, dict)
                }
                shown[device["DeviceKey"]] = named.get(STATUS_ATTRIBUTE)
    wrong = {k: shown.get(k) for k, status in expected.items() if k in shown and shown[k] != status}
    if wrong:
        got = ", ".join(f"{v or 'no status'} for a {expected[k]} device" for k, v in wrong.items())
        raise CheckFailure(requirement, f"{STATUS_ATTRIBUTE} as set", got, listing.last)
    return f"{len(shown)} device(s) listed with {STATUS_ATTRIBUTE} as set"


@check()
def admin_shows(requirement: str, exchange: Exchange, key: str, status: str) -> str:
    """AdminGetDevice answers the device it names, with the status the last update set."""
    shown = device_reading(exchange)
    if not isinstance(shown, DeviceRecord):
        seen = "ResourceNotFoundException" if shown == ABSENT else exchange.summary()
        raise CheckFailure(requirement, f"the {status} device shown", seen, exchange)
    if shown.members.get("DeviceKey") != key:
        found = shown.members.get("DeviceKey")
        raise CheckFailure(requirement, f"the device {key}", f"the device {found}", exchange)
    if shown.status != status:
        raise CheckFailure(requirement, f"{STATUS_ATTRIBUTE} {status}", shown.status, exchange)
    return f"AdminGetDevice shows the device {status}"


@check()
def status_only(requirement: str, before: Reading, after: Reading, status: str) -> str:
    """After an accepted status update, the admin view shows the status sent, and the device's other
    attributes and dates as they were (its modification date aside)."""
    if isinstance(before, Unread) or isinstance(after, Unread) or before == ABSENT:
        raise NothingToJudge(requirement, f"the device could not be read: {_shown('before', before)}")
    if not isinstance(after, DeviceRecord):
        raise CheckFailure(requirement, f"the device {status}", "the device gone")
    assert isinstance(before, DeviceRecord)
    if after.status != status:
        raise CheckFailure(requirement, f"the device {status} (AdminGetDevice)", f"the device {after.status}")
    differences = before.differences(after, free=UPDATED | ACCESSED)
    if differences:
        raise CheckFailure(requirement, "nothing else of the device changed", "; ".join(differences))
    return f"the device {status}, nothing else changed"


@check()
def as_it_was(requirement: str, before: Reading, after: Reading, what: str) -> str:
    """A device the request did not name is as it was: every attribute, every date."""
    if isinstance(before, Unread) or isinstance(after, Unread) or before == ABSENT:
        raise NothingToJudge(requirement, f"{what} could not be read: {_shown('before', before)}")
    if not isinstance(after, DeviceRecord):
        raise CheckFailure(requirement, f"{what} as it was", f"{what} gone")
    assert isinstance(before, DeviceRecord)
    differences = before.differences(after, free=ACCESSED)
    if differences:
        raise CheckFailure(requirement, f"{what} as it was", f"{what} changed: {'; '.join(differences)}")
    return f"{what} as it was"


@check()
def user_view_agrees(requirement: str, got: Exchange, status: str) -> str:
    """The user's GetDevice shows a remembered device as remembered, and never shows a not_remembered
    one as remembered (ResourceNotFoundException, or the device with its status, will do)."""
    shown = device_reading(got)
    if status == "remembered":
        if not isinstance(shown, DeviceRecord) or shown.status != "remembered":
            seen = _shown("the device", shown) if isinstance(shown, DeviceRecord) else got.summary()
            raise CheckFailure(requirement, "GetDevice showing the device remembered", seen, got)
        return "GetDevice shows the device remembered"
    if isinstance(shown, DeviceRecord) and shown.status == "remembered":
        raise CheckFailure(requirement, "GetDevice not showing the device remembered", "remembered", got)
    return f"GetDevice of the not_remembered device: {got.summary()}"


@check()
def user_list_agrees(requirement: str, listing: Walk, key: str, status: str) -> str:
    """The user's ListDevices lists a remembered device, and never lists a not_remembered one as
    remembered (not listed, or listed with its status, will do)."""
    if listing.broken is not None:
        answer = listing.broken.exchange
        raise CheckFailure(requirement, "ListDevices answering a device list", answer.summary(), answer)
    entries = [d for p in listing.pages for d in p.devices or [] if isinstance(d, dict)]
    listed = [d for d in entries if d.get("DeviceKey") == key]
    statuses = {
        a.get("Value")
        for d in listed
        for a in (d.get("DeviceAttributes") or [])
        if isinstance(a, dict) and a.get("Name") == STATUS_ATTRIBUTE
    }
    if status == "remembered" and not listed:
        raise CheckFailure(
            requirement, "ListDevices listing the remembered device", "not listed", listing.last
        )
    if status == "not_remembered" and listed and (not statuses or "remembered" in statuses):
        raise CheckFailure(
            requirement, "ListDevices not listing the device as remembered", "listed", listing.last
        )
    return f"ListDevices {'lists' if listed else 'does not list'} the {status} device"


# --- the views --------------------------------------------------------------------------------------------


@case(ids.CONFIRM_STATE_NAME, ops=("ConfirmDevice", "AdminGetDevice"))
def confirmed_name(ctx: CaseContext) -> None:
    user = kept_user(ctx, PAGES)
    device = user.devices[0]
    shown = reading(ctx, user, device.key)
    name = shown.attributes.get("device_name") if isinstance(shown, DeviceRecord) else None
    ctx.observe(
        {
            "DeviceName sent": device.name,
            "device_name shown": name if isinstance(shown, DeviceRecord) else _shown("the device", shown),
            "the same": name == device.name,
        }
    )


@case(ids.GET_STATE_VIEW, ops=("GetDevice", "AdminGetDevice"))
def get_view(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, PAGES)
    for device in user.devices[:2]:
        got = ctx.call("GetDevice", user_request(user, DeviceKey=device.key))
        ctx.verify(view_matches_admin, req.id, got, reading(ctx, user, device.key), device.key)


@case(ids.GET_STATE_NOT_REMEMBERED, ops=("GetDevice", "AdminGetDevice"))
def get_not_remembered(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, STATES)
    hidden = user.devices[0].key
    put_status(ctx, user, hidden, "not_remembered")
    got = ctx.call("GetDevice", user_request(user, DeviceKey=hidden))
    ctx.verify(refused, req.id, got, req.expect)


@case(ids.LIST_STATE_OWN, ops=("ListDevices", "AdminGetDevice"))
def list_own(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, STATES)
    kept_user(ctx, PAGES)  # another user of the pool with devices: none of them may be listed
    for device in user.devices:
        put_status(ctx, user, device.key, "remembered")
    listing = walk(ctx, user, "ListDevices")
    ctx.verify(listing_holds, req.id, listing, keys(user), keys(user), frozenset())


@case(ids.LIST_STATE_REMEMBERED_ONLY, ops=("ListDevices", "AdminGetDevice"))
def list_remembered_only(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, STATES)
    hidden, shown = (d.key for d in user.devices)
    put_status(ctx, user, shown, "remembered")
    put_status(ctx, user, hidden, "not_remembered")
    listing = walk(ctx, user, "ListDevices")
    # Other users' devices listed are LIST-STATE-OWN's business, not this requirement's.
    ctx.verify(listing_holds, req.id, listing, None, frozenset(), frozenset({hidden}))


@case(ids.ADMIN_GET_STATE_VIEW, ops=("AdminGetDevice",))
def admin_get_view(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, STATES)
    key = user.devices[0].key
    # Set each status, then read it: the statuses are sent, never taken from AdminGetDevice (the
    # operation judged); a refused update blocks the case, naming the update's requirement.
    for status in ("not_remembered", "remembered"):
        exchange, explains = send_status(ctx, user, key, status)
        if not exchange.ok:
            raise Blocked(f"the device could not be made {status}: {exchange.summary()}", explains)
        ctx.verify(admin_shows, req.id, ctx.admin_device(user, key), key, status)


@case(ids.ADMIN_LIST_STATE_EVERY, ops=("AdminListDevices", "AdminGetDevice"))
def admin_list_every(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, STATES)
    kept_user(ctx, PAGES)  # another user of the pool with devices: none of them may be listed
    hidden, shown = (d.key for d in user.devices)
    put_status(ctx, user, shown, "remembered")
    put_status(ctx, user, hidden, "not_remembered")
    listing = walk(ctx, user, "AdminListDevices")
    ctx.verify(listing_holds, req.id, listing, keys(user), keys(user), frozenset())
    if listing.broken is None:
        expected = {shown: "remembered", hidden: "not_remembered"}
        ctx.verify(statuses_listed, req.id, listing, expected)


# --- what the status update and the forgets change --------------------------------------------------------


@case(ids.ADMIN_UPDATE_STATE_AS_SENT, ops=(ADMIN_UPDATE, "AdminGetDevice"))
def admin_update_as_sent(ctx: CaseContext) -> None:
    req, user = ctx.requirement, kept_user(ctx, STATES)
    named, other = (d.key for d in user.devices)
    views = implemented(ctx, ("GetDevice", "ListDevices"))
    # Both ways: from whatever status the device has, not_remembered then remembered (the second one a
    # change whatever the first did). On a live service, the first only, without the user's view.
    for status in ("not_remembered", "remembered")[: 1 if ctx.budgeted else 2]:
        before, other_before = reading(ctx, user, named), reading(ctx, user, other)
        exchange = ctx.call(ADMIN_UPDATE, admin_request(user, DeviceKey=named, DeviceRememberedStatus=status))
        if not ctx.verify(accepted, req.id, exchange):
            continue
        ctx.verify(status_only, req.id, before, reading(ctx, user, named), status)
        ctx.verify(as_it_was, req.id, other_before, reading(ctx, user, other), "the user's other device")
        if ctx.budgeted:
            continue
        if "GetDevice" in views:
            got = ctx.call("GetDevice", user_request(user, DeviceKey=named))
            ctx.verify(user_view_agrees, req.id, got, status)
        if "ListDevices" in views:
            ctx.verify(user_list_agrees, req.id, walk(ctx, user, "ListDevices"), named, status)


def _forget_and_look(ctx: CaseContext, operation: str) -> None:
    """A fresh user's first device forgotten by `operation`: gone for every view, the second as it was."""
    req = ctx.requirement
    user: User = ctx.fresh_user(devices=2)
    gone, kept = user.devices
    kept_before = reading(ctx, user, kept.key)
    if operation == "ForgetDevice":
        exchange = ctx.call(operation, user_request(user, DeviceKey=gone.key))
    else:
        exchange = ctx.call(operation, admin_request(user, DeviceKey=gone.key))
    if not ctx.verify(accepted, req.id, exchange):
        return
    gone.forgotten = True  # the watch no longer reads it as one of the user's devices
    views = implemented(ctx, ("GetDevice", "ListDevices", "AdminListDevices"))
    ctx.verify(refused, req.id, ctx.admin_device(user, gone.key), NOT_FOUND)
    if "GetDevice" in views:
        ctx.verify(refused, req.id, ctx.call("GetDevice", user_request(user, DeviceKey=gone.key)), NOT_FOUND)
    for listing_operation in (o for o in ("ListDevices", "AdminListDevices") if o in views):
        listing = walk(ctx, user, listing_operation)
        ctx.verify(listing_holds, req.id, listing, None, frozenset(), frozenset({gone.key}))
    ctx.verify(as_it_was, req.id, kept_before, reading(ctx, user, kept.key), "the user's other device")


@case(ids.FORGET_STATE_GONE, ops=("ForgetDevice", "AdminGetDevice"))
def forget_gone(ctx: CaseContext) -> None:
    _forget_and_look(ctx, "ForgetDevice")


@case(ids.ADMIN_FORGET_STATE_GONE, ops=("AdminForgetDevice", "AdminGetDevice"))
def admin_forget_gone(ctx: CaseContext) -> None:
    _forget_and_look(ctx, "AdminForgetDevice")
