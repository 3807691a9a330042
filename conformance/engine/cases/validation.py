"""Request validation: the model's constraints, reported as InvalidParameterException."""

from __future__ import annotations

import re
from typing import Any

from conformance.contract.constraints import Kind
from conformance.contract.extract import OPERATION
from strategies.requests import (
    Labelled,
    apply,
    boundary_breaking,
    breaking,
    input_shape,
    invalid_requests,
    label,
)

from ..checks import CheckFailure, check_secret_not_echoed, expect_rejected
from ..context import CaseContext
from ..properties import for_all
from ..registry import case
from .common import INVALID_PARAMETER, expected_types, judge_invalid, lower_camel, request_base

TOKEN, KEY, STATUS = "AccessToken", "DeviceKey", "DeviceRememberedStatus"


def _one_request(ctx: CaseContext, requirement: str, changes: dict[str, Any]) -> None:
    labelled = label(apply(request_base(ctx), changes))
    judge_invalid(ctx, requirement, labelled)


def _property(ctx: CaseContext, requirement: str, rules: list[tuple[str, Kind]]) -> None:
    base = request_base(ctx)
    for_all(
        ctx,
        breaking(rules, base),
        lambda labelled: judge_invalid(ctx, requirement, labelled),
        first=boundary_breaking(rules, base),
    )


@case("VAL-ACCESSTOKEN-MISSING")
def access_token_missing(ctx: CaseContext) -> None:
    from strategies.violations import REMOVE

    _one_request(ctx, "VAL-ACCESSTOKEN-MISSING", {TOKEN: REMOVE})


@case("VAL-ACCESSTOKEN-NULL")
def access_token_null(ctx: CaseContext) -> None:
    _one_request(ctx, "VAL-ACCESSTOKEN-NULL", {TOKEN: None})


@case("VAL-DEVICEKEY-MISSING")
def device_key_missing(ctx: CaseContext) -> None:
    from strategies.violations import REMOVE

    _one_request(ctx, "VAL-DEVICEKEY-MISSING", {KEY: REMOVE})


@case("VAL-DEVICEKEY-NULL")
def device_key_null(ctx: CaseContext) -> None:
    labelled = label(apply(request_base(ctx), {KEY: None}))
    exchange = ctx.send(labelled.request)
    expect_rejected(
        exchange,
        "VAL-DEVICEKEY-NULL",
        INVALID_PARAMETER,
        message="1 validation error detected: Value null at 'deviceKey' failed to satisfy constraint: "
        "Member must not be null",
    )


@case("VAL-ACCESSTOKEN-PATTERN")
def access_token_pattern(ctx: CaseContext) -> None:
    _property(ctx, "VAL-ACCESSTOKEN-PATTERN", [(TOKEN, Kind.PATTERN)])


@case("VAL-DEVICEKEY-LENGTH")
def device_key_length(ctx: CaseContext) -> None:
    _property(ctx, "VAL-DEVICEKEY-LENGTH", [(KEY, Kind.TOO_SHORT), (KEY, Kind.TOO_LONG)])


@case("VAL-DEVICEKEY-PATTERN")
def device_key_pattern(ctx: CaseContext) -> None:
    _property(ctx, "VAL-DEVICEKEY-PATTERN", [(KEY, Kind.PATTERN)])


@case("VAL-STATUS-ENUM")
def status_enum(ctx: CaseContext) -> None:
    _property(ctx, "VAL-STATUS-ENUM", [(STATUS, Kind.ENUM)])


@case("VAL-WRONG-TYPE")
def wrong_type(ctx: CaseContext) -> None:
    _property(ctx, "VAL-WRONG-TYPE", [(m, Kind.TYPE) for m in input_shape().members])


def _several(labelled: Labelled) -> bool:
    rules = [v for v in labelled.violations if v.kind not in (Kind.TYPE, Kind.UNKNOWN_MEMBER)]
    return len(rules) >= 2 and len(rules) == len(labelled.violations)


@case("VAL-MULTIPLE")
def several_violations(ctx: CaseContext) -> None:
    def check(labelled: Labelled) -> None:
        exchange = ctx.send(labelled.request)
        expect_rejected(exchange, "VAL-MULTIPLE", INVALID_PARAMETER)
        count = len(labelled.violations)
        wanted = f"{count} validation errors detected"
        if not (exchange.message or "").startswith(wanted):
            raise CheckFailure("VAL-MULTIPLE", f"a message starting {wanted!r}", exchange.message, exchange)

    strategy = invalid_requests(request_base(ctx), boundaries=False).filter(_several)
    for_all(ctx, strategy, check)


MESSAGE = re.compile(
    r"1 validation error detected: Value (null|'.*') at '(?P<member>\w+)' "
    r"failed to satisfy constraint: Member must .+",
    re.DOTALL,
)


@case("VAL-MESSAGE-FORMAT")
def message_format(ctx: CaseContext) -> None:
    rules = [(KEY, Kind.NULL), (KEY, Kind.TOO_LONG), (KEY, Kind.PATTERN), (STATUS, Kind.ENUM)]
    base = request_base(ctx)

    def check(labelled: Labelled) -> None:
        exchange = ctx.send(labelled.request)
        expect_rejected(exchange, "VAL-MESSAGE-FORMAT", INVALID_PARAMETER)
        member = lower_camel(labelled.violations[0].path)
        found = MESSAGE.fullmatch(exchange.message or "")
        if not found or found.group("member") != member:
            expected = (
                f"1 validation error detected: Value ... at '{member}' failed to satisfy constraint: ..."
            )
            raise CheckFailure("VAL-MESSAGE-FORMAT", expected, exchange.message, exchange)

    single = [ex for ex in boundary_breaking(rules, base) if len(ex.violations) == 1]
    for_all(ctx, breaking(rules, base).filter(lambda ex: len(ex.violations) == 1), check, first=single)


@case("VAL-SENSITIVE-NOT-ECHOED")
def sensitive_not_echoed(ctx: CaseContext) -> None:
    base = request_base(ctx)

    def check(labelled: Labelled) -> None:
        exchange = ctx.send(labelled.request)
        expect_rejected(exchange, "VAL-SENSITIVE-NOT-ECHOED", expected_types(labelled))
        check_secret_not_echoed(exchange, str(labelled.request.get(TOKEN)))

    # Long, distinctive tokens that break the pattern (a space, or é): easy to spot if echoed.
    tokens = [f"{base[TOKEN]}é", f"secret token {ctx.seed:08d} value"]
    first = [label({**base, TOKEN: t}) for t in tokens]
    strategy = breaking([(TOKEN, Kind.PATTERN)], base).filter(lambda ex: len(str(ex.request.get(TOKEN))) >= 8)
    for_all(ctx, strategy, check, first=first)


def _outcome(exchange: Any) -> dict[str, Any]:
    return {"status": exchange.status, "error": exchange.error_type, "message": exchange.message}


@case("VAL-STATUS-OMITTED", ops=(OPERATION, "AdminGetDevice"))
def status_omitted(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[1].key
    before = ctx.remembered_status(user, device)
    exchange = ctx.update(user.access_token, device, status=None)
    after = ctx.remembered_status(user, device)
    ctx.observe({"answer": _outcome(exchange), "status_before": before, "status_after": after})


@case("VAL-NULL-AS-ABSENT", ops=(OPERATION, "AdminGetDevice"))
def null_as_absent(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[1].key
    omitted = ctx.update(user.access_token, device, status=None)
    after_omitted = ctx.remembered_status(user, device)
    null = ctx.send({TOKEN: user.access_token, KEY: device, STATUS: None})
    after_null = ctx.remembered_status(user, device)
    a = {**_outcome(omitted), "status_after": after_omitted}
    b = {**_outcome(null), "status_after": after_null}
    if a != b:
        raise CheckFailure("VAL-NULL-AS-ABSENT", f"the same as omitting the member: {a}", b, null)


@case("VAL-UNKNOWN-MEMBER")
def unknown_member(ctx: CaseContext) -> None:
    base = request_base(ctx)
    for extra in ("accessToken", "Extra"):
        exchange = ctx.send({**base, extra: "x", STATUS: "remembered"})
        ctx.observe({"member": extra, **_outcome(exchange)})
