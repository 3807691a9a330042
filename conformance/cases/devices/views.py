"""What the state, listing and attribute cases share: the users kept for them, the requests of each view,
every page of a listing, and a device's status set and read back.

Two users are made once per run for these cases (`kept_user`): "pages", three remembered devices never
changed (the listings page through them, the attribute cases read them), and "states", two devices whose
statuses the state cases set, each to what it needs before it reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conformance.contract import ids
from conformance.contract.extract import OPERATION
from conformance.engine.context import CaseContext, provenance_of
from conformance.judge.signals import Blocked
from conformance.judge.state import Reading, device_reading
from conformance.provisioning import User
from conformance.targets.exchange import Exchange

PAGES, STATES = "pages", "states"
_KEPT = {PAGES: 3, STATES: 2}
LISTINGS = ("ListDevices", "AdminListDevices")
ADMIN_UPDATE = "AdminUpdateDeviceStatus"
# The most pages a walk follows without Limit: any page size a target picks lists two or three devices in
# fewer (a longer walk is a listing that does not end).
MAX_PAGES = 6


def kept_user(ctx: CaseContext, name: str) -> User:
    """The run's user `name` (PAGES or STATES), made once for every case that asks."""
    user: User = ctx.session.once(f"devices:{name}", lambda: ctx.fresh_user(devices=_KEPT[name]))
    line = provenance_of(f"{name} user", user)
    if line not in ctx.provenance:
        ctx.provenance.append(line)
    return user


def keys(user: User) -> frozenset[str]:
    """The user's device keys, forgotten ones included (they were the user's)."""
    return frozenset(d.key for d in user.devices)


def user_request(user: User, **extra: Any) -> dict[str, Any]:
    return {"AccessToken": user.access_token, **extra}


def admin_request(user: User, **extra: Any) -> dict[str, Any]:
    return {"UserPoolId": user.pool.id, "Username": user.username, **extra}


def list_request(user: User, operation: str, **extra: Any) -> dict[str, Any]:
    """A listing of the user's devices: as the user (ListDevices) or as the administrator."""
    return user_request(user, **extra) if operation == "ListDevices" else admin_request(user, **extra)


@dataclass(frozen=True)
class Page:
    """One answer of a listing: its devices (None when it is no device list) and its token."""

    exchange: Exchange
    devices: list[Any] | None
    token: str | None

    @property
    def keys(self) -> list[Any]:
        return [d.get("DeviceKey") if isinstance(d, dict) else None for d in self.devices or []]


def page_of(exchange: Exchange) -> Page:
    body = exchange.json if exchange.ok else None
    devices = body.get("Devices") if isinstance(body, dict) else None
    token = body.get("PaginationToken") if isinstance(body, dict) else None
    return Page(
        exchange,
        devices if isinstance(devices, list) else None,
        token if isinstance(token, str) and token else None,
    )


@dataclass(frozen=True)
class Walk:
    """A listing followed page by page: `ended` when a page came without a token; `broken` is the answer
    that was no device list, if one was."""

    operation: str
    pages: tuple[Page, ...]
    ended: bool
    broken: Page | None

    @property
    def keys(self) -> list[Any]:
        return [k for page in self.pages for k in page.keys]

    @property
    def last(self) -> Exchange:
        return self.pages[-1].exchange

    def summary(self) -> str:
        shown = "; ".join(
            f"{len(p.devices or [])} device(s){' + token' if p.token else ''}" for p in self.pages
        )
        return f"{len(self.pages)} page(s): {shown}" + ("" if self.ended else ", no end")


def walk(
    ctx: CaseContext, user: User, operation: str, *, limit: int | None = None, max_pages: int = MAX_PAGES
) -> Walk:
    """Every page of the user's listing by `operation`, each token sent back with the same parameters."""
    params = list_request(user, operation, **({"Limit": limit} if limit is not None else {}))
    pages: list[Page] = []
    token: str | None = None
    while len(pages) < max_pages:
        page = page_of(ctx.call(operation, {**params, **({"PaginationToken": token} if token else {})}))
        pages.append(page)
        if page.devices is None:
            return Walk(operation, tuple(pages), False, page)
        if page.token is None:
            return Walk(operation, tuple(pages), True, None)
        token = page.token
    return Walk(operation, tuple(pages), False, None)


def implemented(ctx: CaseContext, operations: Iterable[str]) -> list[str]:
    """The operations the target implements (probed once per run), in the order given."""
    return [o for o in operations if ctx.session.unimplemented(o) is None]


def reading(ctx: CaseContext, user: User, key: str) -> Reading:
    """The device as AdminGetDevice shows it, read once while nothing that could change it was sent."""
    kept = ctx.watch.known(key)
    if kept is None:
        kept = device_reading(ctx.admin_device(user, key))
        ctx.watch.keep(key, kept)
    return kept


def send_status(ctx: CaseContext, user: User, key: str, status: str) -> tuple[Exchange, str]:
    """UpdateDeviceStatus of the device (AdminUpdateDeviceStatus where the target lacks it); the answer,
    and the requirement whose FAIL explains a refusal of it."""
    if ctx.session.unimplemented(OPERATION) is None:
        explains = ids.STATE_REMEMBERED if status == "remembered" else ids.STATE_NOT_REMEMBERED_KEEPS
        return ctx.update(user.access_token, key, status), explains
    return ctx.call(ADMIN_UPDATE, admin_request(user, DeviceKey=key, DeviceRememberedStatus=status)), (
        ids.ADMIN_UPDATE_STATE_AS_SENT
    )


def put_status(ctx: CaseContext, user: User, key: str, status: str) -> None:
    """The device made `status` (nothing sent if the admin view shows it so already); a target that does
    not store it blocks the case, naming the requirement whose FAIL explains it."""
    if ctx.read_status(user, key) == status:
        return
    exchange, explains = send_status(ctx, user, key, status)
    shown = ctx.read_status(user, key)
    if not exchange.ok or shown != status:
        raise Blocked(
            f"the device could not be made {status} (the update answered {exchange.summary()}, "
            f"AdminGetDevice shows {shown})",
            explains,
        )
