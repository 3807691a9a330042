"""Checks: plain functions of an Exchange that raise a typed failure with expected and actual.

A check names the requirement it enforces; the runner turns a failure into FAIL (MUST) or
NON-STRICT (SHOULD), or NON-STRICT when the failure says the MUST was met in a weaker way
(`soft=True`: the request was rejected, but with another error than the documented one).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned
from conformance.contract.schemas import operation_schemas
from conformance.targets.exchange import Exchange

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
# awsJson1_1 errors any operation may answer (aws-behaviour.md, awsJson1_1 item 7).
COMMON_ERRORS = frozenset(
    {
        "SerializationException",
        "UnknownOperationException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "InternalFailure",
    }
)
SERVER_ERRORS = frozenset({"InternalErrorException", "InternalFailure"})
# Error types that emulators answer for operations they do not implement (evidence/emulators.md).
UNIMPLEMENTED_TYPES = frozenset({"Unsupported", "InvalidAction", "NotImplemented", "NotImplementedException"})


class CaseOutcome(Exception):
    """Raised inside a case to end it with a verdict other than PASS."""


class CheckFailure(CaseOutcome):
    def __init__(
        self,
        requirement: str,
        expected: Any,
        actual: Any,
        exchange: Exchange | None = None,
        *,
        soft: bool = False,
    ) -> None:
        super().__init__(f"{requirement}: expected {expected}, got {actual}")
        self.requirement = requirement
        self.expected = expected
        self.actual = actual
        self.exchange = exchange
        self.soft = soft


class Unimplemented(CaseOutcome):
    """The target does not implement an operation the case needs."""


class Blocked(CaseOutcome):
    """A fixture or a path the case needs cannot be had on this target."""


class Skipped(CaseOutcome):
    """Not selected, or needs an opt-in."""


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


# --- checks that apply to every response ------------------------------------------------------------


def check_answered(exchange: Exchange, requirement: str = "PROTO-NO-5XX") -> None:
    if not exchange.answered:
        raise CheckFailure(requirement, "an HTTP answer", f"no answer ({exchange.error})", exchange)


def check_not_5xx(exchange: Exchange) -> None:
    check_answered(exchange)
    assert exchange.status is not None
    if exchange.status >= 500:
        raise CheckFailure("PROTO-NO-5XX", "a 2xx or 4xx", exchange.summary(), exchange)


def check_error_type_known(exchange: Exchange, operation: str = OPERATION) -> None:
    if exchange.ok or not exchange.answered:
        return
    known = modeled_errors(operation) | COMMON_ERRORS
    if exchange.error_type is None:
        actual = (
            f"HTTP {exchange.status} without an error type ({exchange.content_type or 'no Content-Type'})"
        )
        raise CheckFailure("PROTO-ERROR-TYPE", "an error type (X-Amzn-ErrorType or __type)", actual, exchange)
    if exchange.error_type not in known:
        raise CheckFailure(
            "PROTO-ERROR-TYPE", f"one of {sorted(known)}", f"{exchange.error_type} (undocumented)", exchange
        )


def check_error_type_plain(exchange: Exchange) -> None:
    raw = exchange.raw_error_type
    if raw is not None and raw != exchange.error_type:
        raise CheckFailure("PROTO-ERROR-TYPE-PLAIN", exchange.error_type, raw, exchange)


def check_status_split(exchange: Exchange) -> None:
    if exchange.ok or not exchange.answered or exchange.error_type is None:
        return
    expected = 500 if exchange.error_type in SERVER_ERRORS else 400
    if exchange.status != expected:
        raise CheckFailure(
            "PROTO-STATUS-SPLIT",
            f"HTTP {expected} for {exchange.error_type}",
            f"HTTP {exchange.status}",
            exchange,
        )


def check_content_type(exchange: Exchange) -> None:
    if not exchange.answered:
        return
    media = (exchange.content_type or "").split(";", 1)[0].strip().lower()
    if media != JSON_CONTENT_TYPE:
        raise CheckFailure(
            "PROTO-CONTENT-TYPE", JSON_CONTENT_TYPE, exchange.content_type or "(none)", exchange
        )


def check_message(exchange: Exchange) -> None:
    if exchange.ok or not exchange.answered:
        return
    if not exchange.message:
        raise CheckFailure(
            "PROTO-ERROR-MESSAGE", "a non-empty message", exchange.body[:120].decode(errors="replace")
        )


def check_request_id(exchange: Exchange) -> None:
    if exchange.answered and not exchange.headers.get("x-amzn-requestid"):
        raise CheckFailure("PROTO-REQUEST-ID", "an x-amzn-RequestId header", "none", exchange)


@cache
def _response_validator(operation: str) -> Draft202012Validator:
    return Draft202012Validator(operation_schemas(operation)[f"{operation}.response.json"])


def check_success_body(exchange: Exchange, operation: str = OPERATION) -> None:
    if not exchange.ok:
        return
    if exchange.status != 200:
        raise CheckFailure("PROTO-SUCCESS-BODY", "HTTP 200", f"HTTP {exchange.status}", exchange)
    if not exchange.body.strip():
        return
    try:
        body = json.loads(exchange.body)
    except ValueError:
        raise CheckFailure(
            "PROTO-SUCCESS-BODY", "{} or an empty body", "a body that is not JSON", exchange
        ) from None
    errors = [e.message for e in _response_validator(operation).iter_errors(body)]
    if errors:
        raise CheckFailure(
            "PROTO-SUCCESS-BODY", "a body valid against the response schema", errors[0], exchange
        )


def check_secret_not_echoed(exchange: Exchange, secret: str) -> None:
    if secret and len(secret) >= 4 and secret.encode() in exchange.body:
        raise CheckFailure(
            "VAL-SENSITIVE-NOT-ECHOED", "the AccessToken value not repeated", "echoed", exchange
        )


# --- oracles for a case's own requirement ------------------------------------------------------------


def expect_rejected(
    exchange: Exchange,
    requirement: str,
    expected_types: tuple[str, ...],
    *,
    message: str | None = None,
) -> None:
    """The request must be refused with one of `expected_types` (and `message`, if given).

    Accepted or a 5xx: the MUST is broken. Refused with another documented 4xx, or the right type
    with another message: the MUST holds, the documented detail does not (soft, NON-STRICT).
    """
    check_answered(exchange, requirement)
    expected = " or ".join(expected_types) + (f" ({message!r})" if message else "")
    if exchange.ok:
        raise CheckFailure(requirement, expected, f"HTTP {exchange.status}: accepted", exchange)
    assert exchange.status is not None
    if exchange.status >= 500:
        raise CheckFailure(requirement, expected, exchange.summary(), exchange)
    if exchange.error_type not in expected_types:
        raise CheckFailure(requirement, expected, exchange.summary(), exchange, soft=True)
    if message is not None and exchange.message != message:
        raise CheckFailure(requirement, expected, exchange.summary(), exchange, soft=True)


def expect_success(exchange: Exchange, requirement: str) -> None:
    check_answered(exchange, requirement)
    if not exchange.ok:
        raise CheckFailure(requirement, "HTTP 200 (accepted)", exchange.summary(), exchange)
