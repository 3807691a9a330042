"""The devices each view answers (specs/requirements/state.toml, family "attributes"): the model's DeviceType
(its key's length and pattern, attributes as {Name, Value}, dates as numbers) and dates that can be true.

Dates are epoch seconds ("UNIX epoch time format"); none is earlier than the API's version date
(2016-04-18, the model's metadata.apiVersion), none later than the suite's clock (an hour's skew allowed,
so milliseconds, which read as the far future, fail), and a device was not modified before it was
created (a second's rounding allowed). Read on the run's "pages" user, whose devices never signed in
with their device key (a year-1 DeviceLastAuthenticatedDate, which one implementation answers for such a
device, is before 2016)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from conformance.contract import constraints
from conformance.contract.constraints import Kind
from conformance.contract.model import pinned
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.check import check
from conformance.judge.signals import CheckFailure, NothingToJudge
from conformance.targets.exchange import Exchange

from .common import requirement_id
from .views import LISTINGS, PAGES, kept_user, user_request, walk

EARLIEST = datetime.fromisoformat(pinned().model["metadata"]["apiVersion"]).replace(tzinfo=UTC).timestamp()
SKEW_S = 3600.0  # the target's clock may run ahead of ours
ROUNDING_S = 1.0  # a date may be kept to the second, another to the millisecond
DATES = ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate")
VIEWS = ("GetDevice", "ListDevices", "AdminGetDevice", "AdminListDevices")


def _device_shape() -> Any:
    return pinned().operation("GetDevice").output_shape.members["Device"]


def _when(value: float) -> str:
    try:
        return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return f"{value} (no date)"


def problems_of(device: Any, now: float) -> list[str]:
    """What is wrong with one device of an answer, one line each (no attribute value is repeated: the
    model marks them sensitive)."""
    if not isinstance(device, dict):
        return [f"a device that is no object ({type(device).__name__})"]
    found = [
        f"{v.path or 'the device'}: {v.kind} ({v.constraint})"
        for v in constraints.check(_device_shape(), device)
        if v.kind is not Kind.UNKNOWN_MEMBER
    ]
    if not isinstance(device.get("DeviceKey"), str):
        found.append("no DeviceKey")
    if device.get("DeviceCreateDate") is None:
        found.append("no DeviceCreateDate")
    dates = {
        name: float(device[name])
        for name in DATES
        if isinstance(device.get(name), int | float) and not isinstance(device.get(name), bool)
    }
    for name, value in dates.items():
        if value < EARLIEST:
            found.append(f"{name} {_when(value)}: before the API existed (2016-04-18)")
        elif value > now + SKEW_S:
            found.append(f"{name} {_when(value)}: in the future")
    created, modified = dates.get("DeviceCreateDate"), dates.get("DeviceLastModifiedDate")
    if created is not None and modified is not None and modified + ROUNDING_S < created:
        found.append(f"DeviceLastModifiedDate {_when(modified)} before DeviceCreateDate {_when(created)}")
    return found


@check()
def device_shape(requirement: str, exchange: Exchange, devices: list[Any], what: str) -> str:
    """Each device an answer holds has the model's DeviceType shape and dates that can be true."""
    if not devices:
        raise NothingToJudge(requirement, f"{what} held no device", exchange)
    now = time.time()
    problems = [f"device {i + 1}: {p}" for i, d in enumerate(devices) for p in problems_of(d, now)]
    if problems:
        raise CheckFailure(
            requirement, f"{what}: DeviceType devices, true dates", "; ".join(problems), exchange
        )
    return f"{what}: {len(devices)} device(s) of the model's shape, their dates true"


def _shown_device(exchange: Exchange) -> list[Any]:
    body = exchange.json if exchange.ok else None
    return [body["Device"]] if isinstance(body, dict) and "Device" in body else []


def shape(ctx: CaseContext) -> None:
    req, operation = ctx.requirement, ctx.requirement.operation
    user = kept_user(ctx, PAGES)
    if operation in LISTINGS:
        listing = walk(ctx, user, operation)
        devices = [d for page in listing.pages for d in page.devices or []]
        what = f"{operation} ({listing.summary()})"
        if listing.broken is not None:
            what = f"{operation} ({listing.broken.exchange.summary()})"
        ctx.verify(device_shape, req.id, listing.last, devices, what)
        return
    key = user.devices[0].key
    if operation == "GetDevice":
        exchange = ctx.call(operation, user_request(user, DeviceKey=key))
    else:
        exchange = ctx.admin_device(user, key)
    # A view that does not show the user's remembered device leaves nothing to judge here: its state
    # requirement judges that.
    ctx.verify(device_shape, req.id, exchange, _shown_device(exchange), f"{operation} ({exchange.summary()})")


for _operation in VIEWS:
    case(requirement_id(_operation, "ATTR-SHAPE"))(shape)
