"""Authorization and resources of the other device operations (specs/requirements/access.toml): who may
call each operation, and on whose device.

- `-AUTH-TOKEN` (ConfirmDevice, GetDevice, ListDevices, ForgetDevice): an AccessToken that does not
  authorize (no JWT, forged, an ID token, revoked) is refused with NotAuthorizedException;
- `-AUTH-NO-TOKEN` (GetDevice, ForgetDevice, INFO): no AccessToken at all (the model allows it), recorded;
- `-AUTH-IAM` (the Admin operations): a request without a signature is refused with a 4xx;
- `-RES-UNKNOWN`: a well-formed key of no device of the user (never issued, forgotten, a near miss of a
  real key) is ResourceNotFoundException;
- `-RES-NOT-OWNED`: a device of another user, or of another pool, is ResourceNotFoundException (for
  ConfirmDevice a 4xx).

A request that could change a device (ConfirmDevice, the forgets, AdminUpdateDeviceStatus) is refused
leaving the device it names as it was: its status is read back here (AdminGetDevice), and every request
is watched besides (engine/watch.py: every attribute and date of the devices it could have changed). The
requests name the devices the other operations' cases use (devices/common.py): user A's first, and for
the forget operations one of "user_forget"'s, so that a target that forgets what it refused to forget
takes away no device the other cases rely on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance.cases.authorization import NOT_A_JWT, forged_tokens, sent_as_meant
from conformance.cases.common import key_variants, unknown_device_key
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.checks import refused, unchanged, wire_error_type, wire_refused
from conformance.judge.signals import Blocked
from conformance.judge.state import State
from conformance.provisioning import User
from conformance.targets.exchange import Exchange
from strategies.requests import label

from .common import FORGETTING, VERIFIER, requirement_id

TOKEN_OPERATIONS = ("ConfirmDevice", "GetDevice", "ListDevices", "ForgetDevice")
IAM_OPERATIONS = ("AdminGetDevice", "AdminListDevices", "AdminUpdateDeviceStatus", "AdminForgetDevice")
# The operations whose requests name a device (their -RES-UNKNOWN and -RES-NOT-OWNED).
KEYED_OPERATIONS = (
    "GetDevice",
    "ForgetDevice",
    "AdminGetDevice",
    "AdminUpdateDeviceStatus",
    "AdminForgetDevice",
)
# The operations whose refusal must leave the named device as it was (the others change nothing anyway).
CHANGING = frozenset({"ConfirmDevice", "ForgetDevice", "AdminUpdateDeviceStatus", "AdminForgetDevice"})
# The name a refused ConfirmDevice carries: one that confirmed the device all the same would rename it.
DEVICE_NAME = "conformance-access"
UNSIGNED = "a request without a signature"


def _speaker(ctx: CaseContext, operation: str) -> tuple[User, str]:
    """The user the operation's requests speak for, and the device of theirs they name."""
    index = FORGETTING.get(operation)
    user: User = ctx.shared("user_a" if index is None else "user_forget")
    return user, user.devices[index or 0].key


def _request(
    operation: str, user: User, key: str, *, token: str | None = None, status: str = "remembered"
) -> dict[str, Any]:
    """A well-formed request of `operation` naming the device `key`, as `user`: with `token` (their own
    access token by default), or with their pool's UserPoolId and their Username (the Admin forms)."""
    request: dict[str, Any]
    if operation.startswith("Admin"):
        request = {"UserPoolId": user.pool.id, "Username": user.username}
    else:
        request = {"AccessToken": user.access_token if token is None else token}
    if not operation.endswith("ListDevices"):
        request["DeviceKey"] = key
    if operation == "ConfirmDevice":
        request.update(DeviceSecretVerifierConfig=dict(VERIFIER), DeviceName=DEVICE_NAME)
    if operation == "AdminUpdateDeviceStatus":
        request["DeviceRememberedStatus"] = status
    return request


def _flipped(state: State) -> str:
    """The status a request sends to a device in `state`: the other one, so that a change shows."""
    return "not_remembered" if state == "remembered" else "remembered"


def _refused_leaving(
    ctx: CaseContext,
    owner: User,
    key: str,
    send: Callable[[str], Exchange],
    judge: Callable[[Exchange], object],
    what: str = "the device",
) -> None:
    """`send(status)` (the status to send, where the operation takes one) is refused as `judge` says; for
    an operation that could change a device, the device `key` of `owner` is read before and after (its
    status compared here, every attribute by the watch; on a live service the watch judges from these
    readings)."""
    operation = ctx.requirement.operation
    if operation not in CHANGING:
        judge(send("remembered"))
        return
    before = ctx.read_status(owner, key)
    judge(send(_flipped(before)))
    after = ctx.read_status(owner, key)
    # A ConfirmDevice taken all the same would leave the (remembered) status as it is, and change the
    # device's name and verifier: the watch judges its whole record.
    if operation != "ConfirmDevice":
        ctx.verify(unchanged, ctx.requirement.id, before, after, what)


def _documented(ctx: CaseContext) -> Callable[[Exchange], object]:
    """The requirement's documented refusal: its type (and message) with `refused`; a 4xx with the type
    as a SHOULD where the catalog makes it one (`expect_level`)."""
    req = ctx.requirement

    def judge(exchange: Exchange) -> object:
        if req.expect_level != "SHOULD":
            return ctx.verify(refused, req.id, exchange, req.expect, req.message)
        what = UNSIGNED if req.family == "authorization" else "another user's device"
        if ctx.verify(wire_refused, req.id, exchange, what):
            ctx.verify(wire_error_type, req.id, exchange, req.expect, what, soft=True)
        return None

    return judge


# --- authorization --------------------------------------------------------------------------------------


def _made_once(ctx: CaseContext, name: str, make: Callable[[], User]) -> User | None:
    """A user the run makes once for these cases; None when the target cannot make one (a limit, or a
    failure the cases that judge it report: AUTH-REVOKED, RES-FORGOTTEN-DEVICE)."""
    try:
        return ctx.session.once(name, make)
    except Blocked:
        return None


def _revoked(ctx: CaseContext) -> User | None:
    """A user with one device whose tokens GlobalSignOut revoked (made once for the run)."""

    def make() -> User:
        user: User = ctx.fresh_user(devices=1)
        ctx.provisioner.revoke(user)
        return user

    return _made_once(ctx, "access: a user signed out by GlobalSignOut", make)


def _refused_tokens(ctx: CaseContext, owner: User, key: str) -> Iterator[tuple[User, str, str]]:
    """(user, their device, a token that does not authorize) for each kind AUTH-TOKEN sends; the
    forgeries and the ID token are the owner's, the revoked token names its own user's device."""
    yield owner, key, NOT_A_JWT
    for forged in forged_tokens(ctx, owner.access_token):
        yield owner, key, forged
    if owner.id_token:
        yield owner, key, owner.id_token
    revoked = _revoked(ctx)
    if revoked is not None:
        yield revoked, revoked.devices[0].key, revoked.access_token


def token_refused(ctx: CaseContext) -> None:
    operation = ctx.requirement.operation
    owner, key = _speaker(ctx, operation)
    judge = _documented(ctx)
    for user, device, token in _refused_tokens(ctx, owner, key):

        def send(status: str, user: User = user, device: str = device, token: str = token) -> Exchange:
            return ctx.call(operation, _request(operation, user, device, token=token, status=status))

        _refused_leaving(ctx, user, device, send, judge)


def without_token(ctx: CaseContext) -> None:
    """INFO: an unsigned request with the DeviceKey alone; its answer (and what became of the device)."""
    operation = ctx.requirement.operation
    owner, key = _speaker(ctx, operation)
    reads = operation in CHANGING
    before = ctx.read_status(owner, key) if reads else None
    exchange = ctx.call(operation, {"DeviceKey": key})
    seen: dict[str, Any] = {
        "answer": {"status": exchange.status, "error": exchange.error_type, "message": exchange.message}
    }
    if reads:
        seen["device"] = f"{before} before, {ctx.read_status(owner, key)} after"
    ctx.observe(seen)


def unsigned(ctx: CaseContext) -> None:
    operation = ctx.requirement.operation
    owner, key = _speaker(ctx, operation)

    def send(status: str) -> Exchange:
        exchange = ctx.call(operation, _request(operation, owner, key, status=status), signed=False)
        sent_as_meant(exchange, signed=False)
        return exchange

    _refused_leaving(ctx, owner, key, send, _documented(ctx))


# --- resources --------------------------------------------------------------------------------------------


def _forgotten(ctx: CaseContext) -> User | None:
    """A user whose one device was forgotten (AdminForgetDevice), made once for the run."""

    def make() -> User:
        user: User = ctx.fresh_user(devices=1)
        ctx.provisioner.forget(user, user.devices[0])
        return user

    return _made_once(ctx, "access: a user whose device was forgotten", make)


def _violations(key: str) -> bool:
    """Whether a DeviceKey breaks the model (DeviceKeyType: the same for every operation)."""
    return bool(label({"AccessToken": "x", "DeviceKey": key}).violations)


def near_misses(key: str) -> list[str]:
    """Keys a loose lookup takes for `key` that still match the model's pattern (devices/common.py's
    variants that do, and the region prefix in upper case): each names no device."""
    region, _, rest = key.partition("_")
    candidates = [*key_variants(key).values(), f"{region.upper()}_{rest}"]
    fitting = [k for k in candidates if k != key and not _violations(k)]
    return list(dict.fromkeys(fitting))


def unknown(ctx: CaseContext) -> None:
    operation = ctx.requirement.operation
    owner, real = _speaker(ctx, operation)
    judge = _documented(ctx)
    # (the user the request speaks for, the key it names, the device that must be left as it was)
    named: list[tuple[User, str, str]] = [(owner, unknown_device_key(ctx), real)]
    forgotten = _forgotten(ctx)
    if forgotten is not None:
        gone = forgotten.devices[0].key
        named.append((forgotten, gone, gone))  # it stays gone
    if not ctx.budgeted:
        named += [(owner, k, real) for k in near_misses(real)]
    for user, key, kept in named:

        def send(status: str, user: User = user, key: str = key) -> Exchange:
            return ctx.call(operation, _request(operation, user, key, status=status))

        what = "the forgotten device" if kept == key else "the user's device the key resembles"
        _refused_leaving(ctx, user, kept, send, judge, what)


def not_owned(ctx: CaseContext) -> None:
    """The caller's request naming user B's device (the same pool), then user C's (another pool; on a
    target without a second pool, B's alone)."""
    operation = ctx.requirement.operation
    caller, _ = _speaker(ctx, operation)
    judge = _documented(ctx)
    for fixture in ("user_b", "user_c"):
        try:
            owner: User = ctx.shared(fixture)
        except Blocked:
            if fixture == "user_b":
                raise
            continue
        key = owner.devices[0].key

        def send(status: str, key: str = key) -> Exchange:
            return ctx.call(operation, _request(operation, caller, key, status=status))

        where = "the same pool" if fixture == "user_b" else "another pool"
        _refused_leaving(ctx, owner, key, send, judge, f"the device of a user of {where}")


def _needs(operation: str) -> tuple[str, ...]:
    """The operations a case of `operation` relies on: AdminGetDevice too where it reads a device back."""
    return (operation, "AdminGetDevice") if operation in CHANGING else (operation,)


for _operation in TOKEN_OPERATIONS:
    case(requirement_id(_operation, "AUTH-TOKEN"), ops=_needs(_operation))(token_refused)
for _operation in ("GetDevice", "ForgetDevice"):
    case(requirement_id(_operation, "AUTH-NO-TOKEN"), ops=_needs(_operation))(without_token)
for _operation in IAM_OPERATIONS:
    case(requirement_id(_operation, "AUTH-IAM"), ops=_needs(_operation))(unsigned)
for _operation in KEYED_OPERATIONS:
    case(requirement_id(_operation, "RES-UNKNOWN"), ops=_needs(_operation))(unknown)
for _operation in (*KEYED_OPERATIONS, "ConfirmDevice"):
    case(requirement_id(_operation, "RES-NOT-OWNED"), ops=_needs(_operation))(not_owned)
