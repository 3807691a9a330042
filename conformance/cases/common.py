"""Pieces the case modules share: the request a case starts from, and the validation oracle."""

from __future__ import annotations

import uuid
from typing import Any

from conformance.contract.extract import OPERATION
from conformance.engine.context import STAND_IN_TOKEN, CaseContext
from conformance.judge.checks import refused, refused_for_the_violation, twin_not_refused_alike
from conformance.judge.signals import Blocked
from conformance.targets.exchange import Exchange
from strategies.requests import Labelled, input_shape

TOKEN, KEY, STATUS = "AccessToken", "DeviceKey", "DeviceRememberedStatus"


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


def twin_of(labelled: Labelled, base: dict[str, Any]) -> dict[str, Any]:
    """The same request with every violation undone: the model's members as sent where they were
    valid, the base's where they were broken or missing."""
    broken = {v.path.split(".", 1)[0] for v in labelled.violations}
    members = input_shape(OPERATION).members
    return {
        name: labelled.request[name] if name in labelled.request and name not in broken else base[name]
        for name in members
        if name in base or (name in labelled.request and name not in broken)
    }


def judge_invalid(ctx: CaseContext, labelled: Labelled, base: dict[str, Any]) -> Exchange | None:
    """An invalid request is refused with the documented error (the catalog's `expect`), for the
    violation under test: the message (in Cognito's format) names the member, and the valid twin is
    not refused the same way. The answer, when the refusal is the documented one (else None)."""
    requirement = ctx.requirement
    exchange = ctx.send(labelled.request)
    ok = ctx.verify(refused, requirement.id, exchange, requirement.expect, requirement.message)
    if not exchange.answered or exchange.ok:
        return None
    ctx.verify(refused_for_the_violation, requirement.id, exchange, labelled.violations)
    ctx.verify(twin_not_refused_alike, requirement.id, exchange, ctx.twin(twin_of(labelled, base)))
    return exchange if ok else None


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]
