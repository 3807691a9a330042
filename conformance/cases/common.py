"""Pieces the case modules share: the request a case starts from, and the validation oracle."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from conformance.contract.constraints import Kind
from conformance.contract.extract import OPERATION
from conformance.engine.context import STAND_IN_TOKEN, CaseContext
from conformance.engine.properties import for_all
from conformance.judge.checks import (
    passes_validation,
    refused,
    refused_for_the_violation,
    twin_not_refused_alike,
)
from conformance.judge.signals import Blocked
from conformance.targets.exchange import Exchange
from strategies.requests import (
    Labelled,
    apply,
    boundary_breaking,
    boundary_valid,
    breaking,
    input_shape,
    label,
)

TOKEN, KEY, STATUS = "AccessToken", "DeviceKey", "DeviceRememberedStatus"
FORGETS = ("ForgetDevice", "AdminForgetDevice")
# Members whose valid values are looked up after validation, and the documented messages of the refusal
# of one that names nothing (empty: none documented, any message): a value at a bound gets that refusal.
LOOKED_UP: dict[tuple[str, str], tuple[str, ...]] = {
    ("ConfirmDevice", KEY): ("Invalid device key given.",),  # FLOW-CONFIRM-UNKNOWN-KEY
    ("ListDevices", "PaginationToken"): (),
    ("AdminListDevices", "PaginationToken"): (),
}


def unknown_device_key(ctx: CaseContext, salt: int = 0) -> str:
    """A well-formed device key no device has: `{region}_{uuid4}`, reproducible from the seed."""
    value = uuid.UUID(
        int=(ctx.seed * 6364136223846793005 + 1442695040888963407 + salt) % (1 << 128), version=4
    )
    return f"{ctx.target.region}_{value}"


def key_variants(key: str) -> dict[str, str]:
    """Keys that differ from a real device key in a way a loose lookup ignores, by what differs: each
    names another device (none), or breaks the model's pattern. A DeviceKey is matched exactly."""
    region, _, rest = key.partition("_")
    other_region = "eu-west-1" if region != "eu-west-1" else "us-east-1"
    variants = {
        "the hex in upper case": key.upper(),
        "a trailing space": f"{key} ",
        "another region": f"{other_region}_{rest}",
        "the UUID without the region": rest,
    }
    if len(key) < 55:
        variants["one more hex digit"] = f"{key}0"
    if len(key) > 1:
        variants["one hex digit less"] = key[:-1]
    return {what: value for what, value in variants.items() if value != key}


def request_base(ctx: CaseContext) -> dict[str, Any]:
    """A valid request to start from: user A's token and first device, status remembered (the state
    the cases leave it in). Without a signed-in user, stand-ins: a refusal can then not be shown to
    come from the violation under test (no valid twin), and the validation cases are BLOCKED."""
    try:
        user = ctx.shared("user_a")
    except Blocked:
        return {TOKEN: STAND_IN_TOKEN, KEY: unknown_device_key(ctx), STATUS: "remembered"}
    return {TOKEN: user.access_token, KEY: user.devices[0].key, STATUS: "remembered"}


def twin_of(labelled: Labelled, base: dict[str, Any], operation: str = OPERATION) -> dict[str, Any]:
    """The same request with every violation undone: the model's members as sent where they were
    valid, the base's where they were broken or missing."""
    # A looked-up member takes the base's value too: a generated one is valid but names nothing.
    broken = {v.path.split(".", 1)[0] for v in labelled.violations}
    broken |= {name for op, name in LOOKED_UP if op == operation}
    members = input_shape(operation).members
    return {
        name: labelled.request[name] if name in labelled.request and name not in broken else base[name]
        for name in members
        if name in base or (name in labelled.request and name not in broken)
    }


def judge_invalid(ctx: CaseContext, labelled: Labelled, base: dict[str, Any]) -> Exchange | None:
    """An invalid request (to the requirement's operation) is refused with the documented error (the
    catalog's `expect`), for the violation under test: the message (in Cognito's format) names the
    member, and the valid twin is not refused the same way. The answer, when the refusal is the
    documented one (else None)."""
    requirement = ctx.requirement
    operation = requirement.operation
    exchange = ctx.send(labelled.request, operation)
    ok = ctx.verify(refused, requirement.id, exchange, requirement.expect, requirement.message)
    if not exchange.answered or exchange.ok:
        return None
    ctx.verify(refused_for_the_violation, requirement.id, exchange, labelled.violations)
    valid = twin_of(labelled, base, operation)
    if operation in FORGETS and valid.get(KEY) == base.get(KEY):
        # A forget's twin would remove the device every later example is judged on (a refusal that
        # forgot it anyway would go unseen): it names an unknown key of the same shape instead, whose
        # answer (not found) still shows that validation lets the request through.
        valid[KEY] = unknown_device_key(ctx)
    twin = ctx.twin(valid, operation)
    ctx.verify(twin_not_refused_alike, requirement.id, exchange, twin)
    return exchange if ok else None


def judge_rules(ctx: CaseContext, rules: Sequence[tuple[str, Kind]], base: dict[str, Any]) -> None:
    """Values just outside the rules (member, kind) are refused, each for its violation (generated, the
    boundaries first); values just inside every rule of the same members pass validation. Requests go
    to the case's requirement's operation, `base` a valid request of it."""
    operation = ctx.requirement.operation
    members = {member for member, _ in rules}
    for what, request in boundary_valid(base, operation):
        changed = [m for m in members if request.get(m) != base.get(m)]
        if changed:
            lookup = LOOKED_UP.get((operation, changed[0]))
            exchange = ctx.send(request, operation)
            ctx.verify(passes_validation, ctx.requirement.id, exchange, what, lookup)
    # Variants of the real device key first: a loose lookup (case folded, a space trimmed) takes them.
    key = base.get(KEY)
    variants = (
        []
        if ctx.budgeted or not isinstance(key, str)
        else [label(apply(base, {KEY: v}), operation) for v in key_variants(key).values()]
    )
    broken = set(rules)
    alike = [v for v in variants if v.violations and {(x.path, x.kind) for x in v.violations} <= broken]
    for_all(
        ctx,
        breaking(list(rules), base, operation),
        lambda labelled: _judged(ctx, labelled, base),
        first=[*boundary_breaking(list(rules), base, operation), *alike],
    )


def _judged(ctx: CaseContext, labelled: Labelled, base: dict[str, Any]) -> None:
    judge_invalid(ctx, labelled, base)


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]
