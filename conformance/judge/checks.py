"""The checks every case may use, each registered once (check.py) and judging one assertion.

A check returns what it saw (a short text: the PASS records what the target actually answered),
returns None when the answer is not its business (an error check on a success), raises
`CheckFailure` with expected and actual when the answer is wrong, or `NothingToJudge` when what it
needs could not be had (state that could not be read). `CaseContext.verify` runs a check and turns
each of these into an Outcome; the case's verdict is the worst of its outcomes (outcomes.py).
The protocol checks judge a fixed requirement; the oracles take the requirement they judge first.

A failure is FAIL under a MUST and NON-STRICT under a SHOULD; `soft=True` makes it NON-STRICT under
a MUST too: the MUST holds, a documented detail (the message) does not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from conformance.contract import ids
from conformance.contract.awsjson import COMMON_ERRORS, SERVER_ERRORS
from conformance.contract.awsjson import content_type as awsjson_media_type
from conformance.contract.constraints import Violation
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned
from conformance.contract.schemas import operation_schemas
from conformance.targets.exchange import Exchange

from .check import check
from .signals import CheckFailure, NothingToJudge
from .state import ABSENT, STATUS_ATTRIBUTE, DeviceRecord, Reading, State, Unread, readable

VALIDATION_ERROR = "InvalidParameterException"
# Error types that emulators answer for operations they do not implement (specs/sources/emulators.md).
UNIMPLEMENTED_TYPES = frozenset({"Unsupported", "InvalidAction", "NotImplemented", "NotImplementedException"})
# Cognito's validation message: "N validation error(s) detected: Value ... at 'member' failed ...".
COGNITO_VALIDATION = re.compile(r"\d+ validation errors? detected: ")


@cache
def modeled_errors(operation: str = OPERATION) -> frozenset[str]:
    return frozenset(e.name for e in pinned().operation(operation).error_shapes)


def unimplemented_reason(exchange: Exchange) -> str | None:
    """The target's own words when an exchange shows the operation is not implemented, else None."""
    if exchange.error and "NotImplementedError" in exchange.error:
        return f"the target raised {exchange.error}"
    if exchange.status == 501:
        return f"HTTP 501 {exchange.error_type or ''}: {exchange.message or exchange.body[:200]!r}".strip()
    raw = exchange.raw_error_type or ""
    if exchange.error_type in UNIMPLEMENTED_TYPES or raw.endswith("#Unsupported"):
        return f"HTTP {exchange.status} {raw}: {exchange.message or ''}".rstrip(": ")
    if exchange.error_type == "UnknownOperationException" and _named_properly(exchange):
        # The target did not recognise a correct X-Amz-Target: it does not have the operation.
        return f"HTTP {exchange.status} {raw}: {exchange.message or ''}".rstrip(": ")
    return None


def _named_properly(exchange: Exchange) -> bool:
    """Whether the request's X-Amz-Target is the right one for its operation (not a wire-level probe)."""
    sent = next((v for k, v in exchange.request_headers.items() if k.lower() == "x-amz-target"), None)
    prefix = pinned().service.metadata["targetPrefix"]
    return exchange.operation is not None and sent == f"{prefix}.{exchange.operation}"


def html_error_page(exchange: Exchange) -> bool:
    return bool(exchange.status and exchange.status >= 500 and "html" in (exchange.content_type or ""))


def _is_error(exchange: Exchange) -> bool:
    return exchange.answered and not exchange.ok


# --- checks that apply to every response ------------------------------------------------------------


def answered(exchange: Exchange, requirement: str = ids.PROTO_NO_5XX) -> str:
    """An HTTP answer came (a helper of the checks below, not a check of its own). No answer is
    nothing to judge here: the request a target broke on is judged once, by `an_answer`."""
    if not exchange.answered:
        raise NothingToJudge(requirement, f"no answer ({exchange.error})", exchange)
    return f"HTTP {exchange.status}"


@check(ids.PROTO_NO_5XX)
def not_5xx(exchange: Exchange) -> str | None:
    answered(exchange)
    assert exchange.status is not None
    if exchange.ok and exchange.body.strip() and exchange.json is None:
        return None  # not an awsJson1_1 answer at all: its status says nothing (PROTO-SUCCESS-BODY's)
    if exchange.status >= 500:
        raise CheckFailure(ids.PROTO_NO_5XX, "a 2xx or 4xx", exchange.summary(), exchange)
    return exchange.summary()


@check(ids.PROTO_NO_5XX)
def an_answer(exchange: Exchange) -> str:
    """A target that answered before gives this request no answer at all (a reset, a hang, a closed
    connection): it broke on this input, a server error without even the 5xx."""
    raise CheckFailure(ids.PROTO_NO_5XX, "an answer (2xx or 4xx)", f"no answer: {exchange.error}", exchange)


@check(ids.PROTO_ERROR_TYPE)
def error_type_known(exchange: Exchange, operation: str = OPERATION) -> str | None:
    """An error names a modeled or common type; the header and the body's __type agree (SHOULD)."""
    if not _is_error(exchange):
        return None
    known = modeled_errors(operation) | COMMON_ERRORS
    if exchange.error_type is None:
        actual = (
            f"HTTP {exchange.status} without an error type ({exchange.content_type or 'no Content-Type'})"
        )
        raise CheckFailure(
            ids.PROTO_ERROR_TYPE, "an error type (X-Amzn-ErrorType or __type)", actual, exchange
        )
    if exchange.error_type not in known:
        raise CheckFailure(
            ids.PROTO_ERROR_TYPE, f"one of {sorted(known)}", f"{exchange.error_type} (undocumented)", exchange
        )
    header, body = exchange.header_error_type, exchange.body_error_type
    if header and body and header != body:
        # Clients read the header first and some read only the body: they must not disagree.
        raise CheckFailure(
            ids.PROTO_ERROR_TYPE,
            f"the body's __type naming the header's {header}",
            f"X-Amzn-ErrorType {header}, body __type {body}",
            exchange,
            soft=True,
        )
    return exchange.error_type


@check(ids.PROTO_ERROR_TYPE_PLAIN)
def error_type_plain(exchange: Exchange) -> str | None:
    """The type is the bare shape name; a `:`-suffix in the header is the protocol's to strip."""
    raw = exchange.raw_error_type
    if raw is None or not _is_error(exchange):
        return None
    # awsJson1_1: X-Amzn-ErrorType may carry ":http://internal.amazon.com/..." after the type; every
    # client strips it, and AWS services send it. Only a namespace ("ns#Type") is a deviation.
    unsuffixed = raw.split(":", 1)[0]
    if unsuffixed != exchange.error_type:
        raise CheckFailure(ids.PROTO_ERROR_TYPE_PLAIN, exchange.error_type, raw, exchange)
    return raw


@check(ids.PROTO_STATUS_SPLIT)
def status_split(exchange: Exchange) -> str | None:
    if not _is_error(exchange) or exchange.error_type is None:
        return None
    expected = 500 if exchange.error_type in SERVER_ERRORS else 400
    if exchange.status != expected:
        raise CheckFailure(
            ids.PROTO_STATUS_SPLIT,
            f"HTTP {expected} for {exchange.error_type}",
            f"HTTP {exchange.status}",
            exchange,
        )
    return f"HTTP {exchange.status} {exchange.error_type}"


@check(ids.PROTO_CONTENT_TYPE)
def content_type(exchange: Exchange) -> str | None:
    """The awsJson1_1 media type, declared by a body that is one: JSON, or empty (an empty output is
    one, as PROTO-SUCCESS-BODY has it). A header alone, over a body no client can parse, is no PASS."""
    if not exchange.answered:
        return None
    media = (exchange.content_type or "").split(";", 1)[0].strip().lower()
    if media != awsjson_media_type():
        raise CheckFailure(
            ids.PROTO_CONTENT_TYPE, awsjson_media_type(), exchange.content_type or "(none)", exchange
        )
    if exchange.body.strip():
        try:
            json.loads(exchange.body)
        except ValueError as exc:
            why = f"{exc.msg} at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else "not text"
            raise CheckFailure(
                ids.PROTO_CONTENT_TYPE,
                f"a body that parses as {awsjson_media_type()} (JSON), or an empty one",
                f"{exchange.content_type} over a body that is not JSON ({why})",
                exchange,
            ) from None
    return str(exchange.content_type)


@check(ids.PROTO_ERROR_MESSAGE)
def message(exchange: Exchange) -> str | None:
    if not _is_error(exchange):
        return None
    if not exchange.message:
        raise CheckFailure(
            ids.PROTO_ERROR_MESSAGE,
            "a non-empty message",
            exchange.body[:120].decode(errors="replace"),
            exchange,
        )
    return repr(exchange.message)


@check(ids.PROTO_REQUEST_ID)
def request_id(exchange: Exchange) -> str | None:
    if not exchange.answered:
        return None
    if not exchange.headers.get("x-amzn-requestid"):
        raise CheckFailure(ids.PROTO_REQUEST_ID, "an x-amzn-RequestId header", "none", exchange)
    return "x-amzn-RequestId present"


@cache
def _response_validator(operation: str) -> Draft202012Validator:
    return Draft202012Validator(operation_schemas(operation)[f"{operation}.response.json"])


@check(ids.PROTO_SUCCESS_BODY)
def success_body(exchange: Exchange, operation: str = OPERATION) -> str | None:
    """A 2xx is HTTP 200 with an empty body or a JSON object valid against the response schema."""
    if not exchange.ok:
        return None
    if exchange.status != 200:
        raise CheckFailure(ids.PROTO_SUCCESS_BODY, "HTTP 200", f"HTTP {exchange.status}", exchange)
    if not exchange.body.strip():
        return "HTTP 200, empty body"
    try:
        body = json.loads(exchange.body)
    except ValueError:
        raise CheckFailure(
            ids.PROTO_SUCCESS_BODY, "{} or an empty body", "a body that is not JSON", exchange
        ) from None
    if not isinstance(body, dict):
        raise CheckFailure(ids.PROTO_SUCCESS_BODY, "a JSON object", f"JSON {type(body).__name__}", exchange)
    errors = [e.message for e in _response_validator(operation).iter_errors(body)]
    unmodeled = sorted(set(body) - set(pinned().operation(operation).output_shape.members))
    if unmodeled:  # the output shape has no such member: not the documented `{}`
        errors.append(f"members the output shape does not have: {', '.join(unmodeled)}")
    if errors:
        raise CheckFailure(
            ids.PROTO_SUCCESS_BODY, "a body valid against the response schema", errors[0], exchange
        )
    return f"HTTP 200 {exchange.body[:40].decode(errors='replace')}"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def answer_texts(exchange: Exchange) -> list[str]:
    """Every place an answer could repeat a value: the raw body, each decoded JSON string (an escaped
    value is still that value), each header."""
    texts = [exchange.body.decode("utf-8", "replace"), *_strings(exchange.json)]
    return texts + [f"{k}: {v}" for k, v in exchange.headers.items()]


@check(ids.VAL_SENSITIVE_NOT_ECHOED)
def secret_not_echoed(exchange: Exchange, secret: str) -> str | None:
    """The AccessToken appears nowhere in the answer: raw body, decoded JSON strings, headers."""
    if not exchange.answered or len(secret) < 4:
        return None
    places = answer_texts(exchange)
    if any(secret in place for place in places):
        raise CheckFailure(
            ids.VAL_SENSITIVE_NOT_ECHOED, "the AccessToken value not repeated", "echoed", exchange
        )
    return "the token is not repeated in the answer"


# --- oracles for a case's own requirement ------------------------------------------------------------


@check()
def refused(
    requirement: str,
    exchange: Exchange,
    types: Iterable[str],
    message: str | None = None,
) -> str:
    """Refused with one of the documented `types` (the MUST), and the documented message (SHOULD).

    Accepted, a 5xx, or another error type: FAIL; clients branch on the type (a client that reads
    ResourceNotFoundException forgets a good device). The right type with another message: soft.
    """
    answered(exchange, requirement)
    types = tuple(types)
    expected = " or ".join(types)
    if exchange.ok:
        raise CheckFailure(requirement, expected, f"HTTP {exchange.status}: accepted", exchange)
    if exchange.error_type not in types:
        raise CheckFailure(requirement, expected, exchange.summary(), exchange)
    if message is not None and exchange.message != message:
        raise CheckFailure(requirement, f"{expected} {message!r}", exchange.summary(), exchange, soft=True)
    return exchange.summary()


@check()
def refused_for_the_violation(
    requirement: str, exchange: Exchange, violations: Iterable[Violation]
) -> str | None:
    """A validation message in Cognito's format names every violated member (the reason it was refused).

    Member names are compared without case: their spelling is VAL-MESSAGE-FORMAT's business."""
    text = exchange.message or ""
    if exchange.error_type != VALIDATION_ERROR or not COGNITO_VALIDATION.match(text):
        return None
    members = sorted({v.path.split(".", 1)[0] for v in violations if v.path})
    named = {m for m in members if f"at '{m.lower()}'" in text.lower()}
    if set(members) != named:
        raise CheckFailure(
            requirement,
            f"a message naming {', '.join(members)}",
            text,
            exchange,
        )
    return f"the message names {', '.join(members)}"


@check()
def twin_not_refused_alike(requirement: str, exchange: Exchange, twin: Exchange) -> str | None:
    """The same request with the violation undone is not refused the same way: the violation caused it."""
    if exchange.ok or not exchange.answered:
        return None
    if not twin.answered:
        raise NothingToJudge(requirement, f"the valid twin request got no answer ({twin.error})", twin)
    if not twin.ok and twin.error_type == exchange.error_type:
        raise CheckFailure(
            requirement,
            "the same request without the violation not refused the same way",
            f"the valid twin is refused too: {twin.summary()}",
            twin,
        )
    return f"the valid twin answered {twin.summary()}"


@check()
def passes_validation(
    requirement: str, exchange: Exchange, what: str, lookup: tuple[str, ...] | None = None
) -> str:
    """A value that satisfies the model is not refused by validation (any other answer will do).

    `lookup`: the value names something the service looks up after validation (a device key to
    confirm, a pagination token), whose refusal is an InvalidParameterException too: one with one of
    these documented messages (any message, when the tuple is empty) is the lookup's, not validation's."""
    answered(exchange, requirement)
    assert exchange.status is not None
    looked_up = lookup is not None and (not lookup or exchange.message in lookup)
    if exchange.status >= 500 or (exchange.error_type == VALIDATION_ERROR and not looked_up):
        raise CheckFailure(requirement, f"{what} passes validation", exchange.summary(), exchange)
    return f"{what}: {exchange.summary()}"


@check()
def accepted(requirement: str, exchange: Exchange) -> str:
    answered(exchange, requirement)
    if not exchange.ok:
        raise CheckFailure(requirement, "HTTP 200 (accepted)", exchange.summary(), exchange)
    return exchange.summary()


@check()
def wire_refused(requirement: str, exchange: Exchange, variant: str) -> str:
    """A framing error gets a 4xx: never processed (2xx), never a server fault (5xx)."""
    if not exchange.answered or exchange.status is None or not 400 <= exchange.status < 500:
        raise CheckFailure(requirement, f"a 4xx for {variant}", exchange.summary(), exchange)
    return f"{variant}: {exchange.summary()}"


@check()
def wire_error_type(
    requirement: str, exchange: Exchange, types: Iterable[str], variant: str, *, soft: bool = True
) -> str | None:
    """The awsJson1_1 error type for a framing error (the catalog's `expect_level`: a SHOULD)."""
    types = tuple(types)
    if not types or not _is_error(exchange):
        return None
    if exchange.error_type not in types:
        raise CheckFailure(
            requirement, f"{' or '.join(types)} for {variant}", exchange.summary(), exchange, soft=soft
        )
    return f"{variant}: {exchange.error_type}"


def proof_refused(requirement: str, error: str | None, proof: str) -> str:
    """A sign-in answering with a wrong `proof` is refused with NotAuthorizedException, no tokens.
    `error` is what the sign-in failed with, None when it gave tokens."""
    expected = f"NotAuthorizedException for {proof}"
    if error is None:
        raise CheckFailure(requirement, expected, "tokens issued")
    if "NotAuthorizedException" not in error:
        raise CheckFailure(requirement, expected, error)
    return error


# --- state ---------------------------------------------------------------------------------------------


@check()
def state_is(requirement: str, seen: State, expected: str, what: str = "the device") -> str:
    if readable(seen, requirement, what) != expected:
        raise CheckFailure(requirement, f"{what} {expected} (AdminGetDevice)", f"{what} {seen}")
    return f"{what} {seen}"


@check()
def unchanged(requirement: str, before: State, after: State, what: str = "the device") -> str:
    if readable(before, requirement, what) != readable(after, requirement, what):
        raise CheckFailure(requirement, f"{what} still {before}", f"{what} now {after}")
    return f"{what} still {after}"


# --- every refused or accepted request: the devices it could have changed -----------------------------

# What an accepted UpdateDeviceStatus may change on the device it names: the status, and its date.
UPDATED = frozenset({STATUS_ATTRIBUTE, "DeviceLastModifiedDate"})


def _two_records(before: Reading, after: Reading, requirement: str, what: str, doing: str) -> bool:
    """Whether there are two records to compare; a device that appeared or went is a failure, and one
    that could not be read (or was not there before and after) leaves nothing to judge."""
    if isinstance(before, Unread) or isinstance(after, Unread) or before == after == ABSENT:
        return False
    if before == ABSENT or after == ABSENT:
        happened = "gone" if after == ABSENT else "created"
        raise CheckFailure(requirement, f"{what} as it was, {doing}", f"{what} {happened}")
    return True


@check()
def refusal_changed_nothing(requirement: str, before: Reading, after: Reading, what: str) -> str | None:
    """A refused request leaves the device as it was: every attribute, every date (the admin view)."""
    doing = "after a refused request"
    if not _two_records(before, after, requirement, what, doing):
        return None
    assert isinstance(before, DeviceRecord) and isinstance(after, DeviceRecord)
    changed = before.differences(after)
    if changed:
        raise CheckFailure(requirement, f"{what} as it was, {doing}", f"{what} changed: {'; '.join(changed)}")
    return f"{what} unchanged by the refusal"


@check(ids.STATE_ISOLATION)
def only_status_changed(before: Reading, after: Reading, what: str, named: bool) -> str | None:
    """An accepted update changes the named device's status (and its modification date) and nothing
    else: not its other attributes, not any other device."""
    doing = "but its status, after an accepted update" if named else "after an accepted update of another"
    if not _two_records(before, after, ids.STATE_ISOLATION, what, doing):
        return None
    assert isinstance(before, DeviceRecord) and isinstance(after, DeviceRecord)
    changed = before.differences(after, free=UPDATED if named else frozenset())
    if changed:
        raise CheckFailure(
            ids.STATE_ISOLATION, f"{what} as it was, {doing}", f"{what} changed: {'; '.join(changed)}"
        )
    return f"{what}: nothing else changed"


@check()
def status_as_sent(requirement: str, after: Reading, sent: str, what: str) -> str | None:
    """After an accepted update, the admin view shows exactly the status sent ("unset" is no status)."""
    if isinstance(after, Unread):
        return None
    shown = after.status if isinstance(after, DeviceRecord) else "gone"
    if shown != sent:
        raise CheckFailure(requirement, f"{what} {sent} (AdminGetDevice)", f"{what} {shown}")
    return f"{what} {sent}"


@check(ids.VAL_SENSITIVE_NOT_ECHOED)
def no_secret_in_error(exchange: Exchange, found: tuple[str, ...]) -> str | None:
    """No error answer repeats a secret of the run (an access token, a password, a device secret):
    `found` names what the answer holds, as the redaction placeholders say it."""
    if found:
        raise CheckFailure(
            ids.VAL_SENSITIVE_NOT_ECHOED,
            "no secret of the run in an error answer",
            f"{exchange.operation or 'the request'} answered {exchange.error_type or exchange.status} "
            f"repeating {', '.join(found)}",
            exchange,
        )
    return None
