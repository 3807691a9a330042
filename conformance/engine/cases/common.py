"""Pieces the case modules share: the request a case starts from, and the validation oracle."""

from __future__ import annotations

import uuid
from typing import Any

from conformance.contract.constraints import Kind
from strategies.requests import Labelled

from ..checks import Blocked, expect_rejected
from ..context import STAND_IN_TOKEN, CaseContext

INVALID_PARAMETER = ("InvalidParameterException",)
TYPE_ERRORS = ("SerializationException", "InvalidParameterException")


def unknown_device_key(ctx: CaseContext, salt: int = 0) -> str:
    """A well-formed device key no device has: `{region}_{uuid4}`, reproducible from the seed."""
    value = uuid.UUID(
        int=(ctx.seed * 6364136223846793005 + 1442695040888963407 + salt) % (1 << 128), version=4
    )
    return f"{ctx.target.region}_{value}"


def request_base(ctx: CaseContext) -> dict[str, Any]:
    """A valid request to start from: user A's token and device when the target can provide them,
    else stand-ins (validation answers before authentication, so validation cases still mean something)."""
    try:
        user = ctx.shared("user_a")
    except Blocked:
        return {"AccessToken": STAND_IN_TOKEN, "DeviceKey": unknown_device_key(ctx)}
    return {"AccessToken": user.access_token, "DeviceKey": user.devices[0].key}


def expected_types(labelled: Labelled) -> tuple[str, ...]:
    if any(v.kind is Kind.TYPE for v in labelled.violations):
        return TYPE_ERRORS
    return INVALID_PARAMETER


def judge_invalid(ctx: CaseContext, requirement: str, labelled: Labelled) -> None:
    """An invalid request must be refused: InvalidParameterException (SerializationException for types)."""
    exchange = ctx.send(labelled.request)
    expect_rejected(exchange, requirement, expected_types(labelled))


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]
