"""Protocol (awsJson1_1): what every response carries, and how framing errors are answered."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from conformance.targets.exchange import Exchange
from strategies.requests import boundary_examples, canonical_request, invalid_requests, valid_requests
from strategies.wire import WireRequest, proper_headers, wire_examples, wire_variants

from ..checks import (
    Blocked,
    CheckFailure,
    check_content_type,
    check_error_type_known,
    check_error_type_plain,
    check_message,
    check_not_5xx,
    check_request_id,
    check_status_split,
    check_success_body,
    expect_success,
)
from ..context import STAND_IN_TOKEN, CaseContext
from ..properties import for_all
from ..registry import case
from .common import request_base, unknown_device_key

ALL_OPS = ("UpdateDeviceStatus",)


def _has_user(ctx: CaseContext) -> bool:
    try:
        ctx.shared("user_a")
    except Blocked:
        return False
    return True


def representative(ctx: CaseContext) -> list[Exchange]:
    """One of each kind of answer: success (when a user exists), validation, authorization, not found."""
    base = request_base(ctx)
    sent = []
    if _has_user(ctx):
        sent.append(ctx.update(base["AccessToken"], base["DeviceKey"], "remembered"))
        sent.append(ctx.update(base["AccessToken"], unknown_device_key(ctx, 1), "remembered"))
    sent.append(ctx.send({**base, "DeviceKey": ""}))
    sent.append(ctx.update("not-a-jwt.at-all", base["DeviceKey"], "remembered"))
    sent.append(ctx.send({**base, "DeviceRememberedStatus": "REMEMBERED", "DeviceKey": "é"}))
    return sent


def _each(requirement: str, check: Callable[[Exchange], None]) -> Callable[[CaseContext], None]:
    def run(ctx: CaseContext) -> None:
        for exchange in representative(ctx):
            check(exchange)

    run.__doc__ = f"{requirement} on a success, a validation error, an authorization error and a not-found."
    return run


case("PROTO-CONTENT-TYPE")(_each("PROTO-CONTENT-TYPE", check_content_type))
case("PROTO-ERROR-TYPE")(_each("PROTO-ERROR-TYPE", check_error_type_known))
case("PROTO-ERROR-TYPE-PLAIN")(_each("PROTO-ERROR-TYPE-PLAIN", check_error_type_plain))
case("PROTO-STATUS-SPLIT")(_each("PROTO-STATUS-SPLIT", check_status_split))
case("PROTO-ERROR-MESSAGE")(_each("PROTO-ERROR-MESSAGE", check_message))
case("PROTO-REQUEST-ID")(_each("PROTO-REQUEST-ID", check_request_id))


@case("PROTO-SUCCESS-BODY")
def success_body(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    for status in ("remembered", "not_remembered", "remembered"):
        exchange = ctx.update(user.access_token, user.devices[0].key, status)
        expect_success(exchange, "PROTO-SUCCESS-BODY")
        check_success_body(exchange)


def _body(ctx: CaseContext) -> dict[str, Any]:
    return {**request_base(ctx), "DeviceRememberedStatus": "remembered"}


@case("PROTO-CHARSET")
def charset(ctx: CaseContext) -> None:
    body = _body(ctx)
    for suffix in ("; charset=utf-8", ";charset=UTF-8"):
        headers = {**proper_headers(), "Content-Type": proper_headers()["Content-Type"] + suffix}
        exchange = ctx.raw(headers, json.dumps(body).encode())
        if body["AccessToken"] == STAND_IN_TOKEN:
            # No user on this target: the request must still be read (and refused for its token).
            if exchange.error_type != "NotAuthorizedException":
                raise CheckFailure(
                    "PROTO-CHARSET", "the body read: NotAuthorizedException", exchange.summary(), exchange
                )
        else:
            expect_success(exchange, "PROTO-CHARSET")


def _four_xx(requirement: str, ctx: CaseContext, wire: WireRequest) -> None:
    exchange = ctx.raw(wire.headers, wire.body)
    if not exchange.answered or exchange.status is None or not 400 <= exchange.status < 500:
        raise CheckFailure(requirement, f"a 4xx for {wire.variant}", exchange.summary(), exchange)


def _wire_case(requirement: str, variants: set[str]) -> Callable[[CaseContext], None]:
    def run(ctx: CaseContext) -> None:
        body = _body(ctx)
        first = [w for w in wire_examples(body) if w.variant in variants]
        strategy = wire_variants(body).filter(lambda w: w.variant in variants)
        for_all(ctx, strategy, lambda w: _four_xx(requirement, ctx, w), first=first)

    return run


case("PROTO-MALFORMED-JSON")(
    _wire_case("PROTO-MALFORMED-JSON", {"body_not_json", "body_empty", "json_not_object"})
)
case("PROTO-WRONG-CONTENT-TYPE")(
    _wire_case("PROTO-WRONG-CONTENT-TYPE", {"content_type_wrong", "content_type_missing"})
)
case("PROTO-UNKNOWN-TARGET")(_wire_case("PROTO-UNKNOWN-TARGET", {"target_missing", "target_unknown"}))


@case("PROTO-NO-5XX")
def no_5xx(ctx: CaseContext) -> None:
    base = request_base(ctx)
    overrides = {"AccessToken": base["AccessToken"], "DeviceKey": base["DeviceKey"]}
    from conformance.targets import RawUnsupported

    try:
        ctx.target.send_raw(proper_headers(), b"{}", operation="UpdateDeviceStatus")
        raw_ok = True
    except RawUnsupported:
        raw_ok = False
    inputs: list[st.SearchStrategy[Any]] = [
        invalid_requests(overrides, boundaries=False).map(lambda ex: ("json", ex.request)),
        valid_requests(overrides).map(lambda r: ("json", r)),
    ]
    # The boundaries first (lengths 0, 1, 55, 56 and one of every rule), then the wire variants.
    first: list[tuple[str, Any]] = [
        ("json", ex.request) for ex in boundary_examples(canonical_request(overrides))
    ]
    if raw_ok:
        inputs.append(wire_variants(base).map(lambda w: ("wire", w)))
        first += [("wire", w) for w in wire_examples(base)]

    def check(item: tuple[str, Any]) -> None:
        kind, value = item
        exchange = ctx.send(value) if kind == "json" else ctx.raw(value.headers, value.body)
        check_not_5xx(exchange)

    for_all(ctx, st.one_of(inputs), check, first=first)
