"""Request validation: the model's constraints, refused as InvalidParameterException for the right reason."""

from __future__ import annotations

import re
import secrets
from typing import Any

from conformance.cases.common import (
    KEY,
    STATUS,
    TOKEN,
    judge_invalid,
    judge_rules,
    lower_camel,
    request_base,
)
from conformance.contract import ids
from conformance.contract.constraints import Kind
from conformance.contract.extract import OPERATION
from conformance.engine.context import CaseContext
from conformance.engine.properties import for_all
from conformance.engine.registry import case
from conformance.judge.check import check
from conformance.judge.checks import secret_not_echoed
from conformance.judge.signals import CheckFailure
from conformance.judge.state import readable
from conformance.secrets import SECRETS
from strategies.requests import (
    Labelled,
    apply,
    boundary_breaking,
    breaking,
    input_shape,
    label,
    several_rules,
)
from strategies.violations import REMOVE


def _one_request(ctx: CaseContext, changes: dict[str, Any]) -> None:
    base = request_base(ctx)
    judge_invalid(ctx, label(apply(base, changes)), base)


# The rules each validation requirement is about (the schemathesis phase sorts its requests with it).
RULES: dict[str, tuple[tuple[str, Kind], ...]] = {
    ids.VAL_ACCESSTOKEN_MISSING: ((TOKEN, Kind.MISSING),),
    ids.VAL_ACCESSTOKEN_NULL: ((TOKEN, Kind.NULL),),
    ids.VAL_DEVICEKEY_MISSING: ((KEY, Kind.MISSING),),
    ids.VAL_DEVICEKEY_NULL: ((KEY, Kind.NULL),),
    ids.VAL_ACCESSTOKEN_PATTERN: ((TOKEN, Kind.PATTERN),),
    ids.VAL_DEVICEKEY_LENGTH: ((KEY, Kind.TOO_SHORT), (KEY, Kind.TOO_LONG)),
    ids.VAL_DEVICEKEY_PATTERN: ((KEY, Kind.PATTERN),),
    ids.VAL_STATUS_ENUM: ((STATUS, Kind.ENUM),),
    ids.VAL_WRONG_TYPE: tuple((member, Kind.TYPE) for member in input_shape().members),
}
# A missing member is removed, a null one sent as null: one request each.
_ONE_REQUEST = {Kind.MISSING: REMOVE, Kind.NULL: None}


def _rule_case(ctx: CaseContext) -> None:
    rules = list(RULES[ctx.requirement.id])
    if all(kind in _ONE_REQUEST for _, kind in rules):
        _one_request(ctx, {member: _ONE_REQUEST[kind] for member, kind in rules})
    else:
        judge_rules(ctx, rules, request_base(ctx))


for _requirement in RULES:
    case(_requirement)(_rule_case)


@check(ids.VAL_MULTIPLE)
def message_counts(exchange: Any, count: int) -> str:
    wanted = f"{count} validation errors detected"
    if not (exchange.message or "").startswith(wanted):
        raise CheckFailure(ids.VAL_MULTIPLE, f"a message starting {wanted!r}", exchange.message, exchange)
    return repr(exchange.message)


@case(ids.VAL_MULTIPLE)
def several_violations(ctx: CaseContext) -> None:
    base = request_base(ctx)

    def check(labelled: Labelled) -> None:
        exchange = judge_invalid(ctx, labelled, base)
        if exchange is not None:
            ctx.verify(message_counts, exchange, len(labelled.violations))

    # Two or more violations, each one the message counts (no wrong type, no unknown member).
    for_all(ctx, several_rules(base), check)


MESSAGE = re.compile(
    r"1 validation error detected: Value (null|'.*') at '(?P<member>\w+)' "
    r"failed to satisfy constraint: Member must .+",
    re.DOTALL,
)


@check(ids.VAL_MESSAGE_FORMAT)
def message_format(exchange: Any, member: str) -> str:
    """VAL-MESSAGE-FORMAT: Cognito's sentence, naming the member in lower camel case."""
    found = MESSAGE.fullmatch(exchange.message or "")
    if not found or found.group("member") != member:
        expected = f"1 validation error detected: Value ... at '{member}' failed to satisfy constraint: ..."
        raise CheckFailure(ids.VAL_MESSAGE_FORMAT, expected, exchange.message, exchange)
    return repr(exchange.message)


@case(ids.VAL_MESSAGE_FORMAT)
def message_format_case(ctx: CaseContext) -> None:
    rules = [(KEY, Kind.NULL), (KEY, Kind.TOO_LONG), (KEY, Kind.PATTERN), (STATUS, Kind.ENUM)]
    base = request_base(ctx)

    def check(labelled: Labelled) -> None:
        exchange = judge_invalid(ctx, labelled, base)
        if exchange is not None:
            ctx.verify(message_format, exchange, lower_camel(labelled.violations[0].path))

    single = [ex for ex in boundary_breaking(rules, base) if len(ex.violations) == 1]
    for_all(ctx, breaking(rules, base).filter(lambda ex: len(ex.violations) == 1), check, first=single)


@case(ids.VAL_SENSITIVE_NOT_ECHOED)
def sensitive_not_echoed(ctx: CaseContext) -> None:
    base = request_base(ctx)

    def check(labelled: Labelled) -> None:
        judge_invalid(ctx, labelled, base)
        # The answer to the invalid request itself (a twin, when sent, comes after it).
        invalid = next(e for e in reversed(ctx.exchanges) if e.request_json() == labelled.request)
        ctx.verify(secret_not_echoed, invalid, str(labelled.request.get(TOKEN)))

    # Long, distinctive tokens that break the pattern (a space, or é): easy to spot if echoed.
    tokens = [f"{base[TOKEN]}é", f"secret token {ctx.seed:08d} value"]
    first = [label({**base, TOKEN: t}) for t in tokens]
    for_all(ctx, breaking([(TOKEN, Kind.PATTERN)], base, min_length=8), check, first=first)
    if not ctx.budgeted:
        _other_operations_echo_nothing(ctx, base)


def _other_operations_echo_nothing(ctx: CaseContext, base: dict[str, Any]) -> None:
    """The other user-level device operations, each refused for another member with the real token
    (and ConfirmDevice with a real-looking verifier): no answer repeats them."""
    token, bad_key = base[TOKEN], f"{base[KEY]} "  # a trailing space breaks the key's pattern
    verifier = {"PasswordVerifier": secrets.token_urlsafe(48), "Salt": secrets.token_urlsafe(16)}
    SECRETS.add(verifier["PasswordVerifier"], "$DEVICE_VERIFIER")
    requests = {
        "GetDevice": {TOKEN: token, KEY: bad_key},
        "ForgetDevice": {TOKEN: token, KEY: bad_key},
        "ListDevices": {TOKEN: token, "Limit": 61},  # the model's Limit is at most 60
        "ConfirmDevice": {TOKEN: token, KEY: bad_key, "DeviceSecretVerifierConfig": verifier},
    }
    for operation, params in requests.items():
        if ctx.session.unimplemented(operation) is None:
            answer = ctx.call(operation, params)
            ctx.verify(secret_not_echoed, answer, token)


def _outcome(exchange: Any) -> dict[str, Any]:
    return {"status": exchange.status, "error": exchange.error_type, "message": exchange.message}


@case(ids.VAL_STATUS_OMITTED, ops=(OPERATION, "AdminGetDevice"))
def status_omitted(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[1].key
    before = ctx.read_status(user, device)
    exchange = ctx.update(user.access_token, device, status=None)
    after = ctx.read_status(user, device)
    ctx.observe({"answer": _outcome(exchange), "status_before": str(before), "status_after": str(after)})


@case(ids.VAL_NULL_AS_ABSENT, ops=(OPERATION, "AdminGetDevice"))
def null_as_absent(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    device = user.devices[1].key
    omitted = ctx.update(user.access_token, device, status=None)
    after_omitted = ctx.read_status(user, device)
    null = ctx.send({TOKEN: user.access_token, KEY: device, STATUS: None})
    after_null = ctx.read_status(user, device)
    ctx.verify(same_as_omitted, omitted, after_omitted, null, after_null)


@check(ids.VAL_NULL_AS_ABSENT)
def same_as_omitted(omitted: Any, after_omitted: Any, null: Any, after_null: Any) -> str:
    """VAL-NULL-AS-ABSENT: a null member gets what omitting it gets, answer and resulting state."""
    for state in (after_omitted, after_null):
        readable(state, ids.VAL_NULL_AS_ABSENT)
    a = {**_outcome(omitted), "status_after": str(after_omitted)}
    b = {**_outcome(null), "status_after": str(after_null)}
    if a != b:
        raise CheckFailure(ids.VAL_NULL_AS_ABSENT, f"the same as omitting the member: {a}", b, null)
    return f"both {a}"


@case(ids.VAL_UNKNOWN_MEMBER)
def unknown_member(ctx: CaseContext) -> None:
    base = request_base(ctx)
    for extra in ("accessToken", "Extra"):
        exchange = ctx.send({**base, extra: "x"})
        ctx.observe({"member": extra, **_outcome(exchange)})
