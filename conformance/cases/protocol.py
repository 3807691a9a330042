"""Protocol (awsJson1_1): what every response carries, and how framing errors are answered."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from conformance.cases.common import request_base, unknown_device_key
from conformance.contract import ids
from conformance.engine.context import STAND_IN_TOKEN, CaseContext
from conformance.engine.properties import for_all
from conformance.engine.registry import case
from conformance.judge import checks
from conformance.judge.check import Check, check
from conformance.judge.checks import accepted, not_5xx, success_body, wire_error_type, wire_refused
from conformance.judge.signals import Blocked, CheckFailure
from conformance.targets.exchange import Exchange
from strategies.requests import boundary_examples, canonical_request, invalid_requests, valid_requests
from strategies.wire import WireRequest, proper_headers, wire_examples, wire_variants


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


def _each(judged: Check[[Exchange]]) -> Callable[[CaseContext], None]:
    """A case judging `judged` on every representative answer; one that saw nothing to judge is BLOCKED."""

    def run(ctx: CaseContext) -> None:
        for exchange in representative(ctx):
            ctx.verify(judged, exchange)

    run.__doc__ = f"{judged.name} on a success, a validation error, an authorization error, a not-found."
    return run


case(ids.PROTO_CONTENT_TYPE)(_each(checks.content_type))
case(ids.PROTO_ERROR_TYPE)(_each(checks.error_type_known))
case(ids.PROTO_ERROR_TYPE_PLAIN)(_each(checks.error_type_plain))
case(ids.PROTO_STATUS_SPLIT)(_each(checks.status_split))
case(ids.PROTO_ERROR_MESSAGE)(_each(checks.message))
case(ids.PROTO_REQUEST_ID)(_each(checks.request_id))


@case(ids.PROTO_SUCCESS_BODY)
def success_body_case(ctx: CaseContext) -> None:
    user = ctx.shared("user_a")
    for status in ("remembered", "not_remembered", "remembered"):
        exchange = ctx.update(user.access_token, user.devices[0].key, status)
        if ctx.verify(accepted, ctx.requirement.id, exchange):
            ctx.verify(success_body, exchange)


def _body(ctx: CaseContext) -> dict[str, Any]:
    return request_base(ctx)


@check()
def body_read(requirement: str, exchange: Exchange, with_user: bool) -> str | None:
    """PROTO-CHARSET: the body was read. With a user, the update succeeds; without, the stand-in token
    is refused as a token (NotAuthorizedException), which needs the body to have been parsed."""
    if with_user:
        return accepted(requirement, exchange)
    if exchange.error_type != "NotAuthorizedException":
        raise CheckFailure(requirement, "the body read: NotAuthorizedException", exchange.summary(), exchange)
    return exchange.summary()


@case(ids.PROTO_CHARSET)
def charset(ctx: CaseContext) -> None:
    body = _body(ctx)
    for suffix in ("; charset=utf-8", ";charset=UTF-8"):
        headers = {**proper_headers(), "Content-Type": proper_headers()["Content-Type"] + suffix}
        exchange = ctx.raw(headers, json.dumps(body).encode())
        ctx.verify(body_read, ctx.requirement.id, exchange, body["AccessToken"] != STAND_IN_TOKEN)


def _wire_case(variants: set[str]) -> Callable[[CaseContext], None]:
    """Framing errors: a 4xx (the MUST), with the awsJson1_1 error type the catalog expects."""

    def run(ctx: CaseContext) -> None:
        req = ctx.requirement
        body = _body(ctx)

        def judge(wire: WireRequest) -> None:
            exchange = ctx.raw(wire.headers, wire.body, framing_probe=True)
            if ctx.verify(wire_refused, req.id, exchange, wire.variant):
                soft = req.expect_level == "SHOULD"
                ctx.verify(wire_error_type, req.id, exchange, req.expect, wire.variant, soft=soft)

        first = [w for w in wire_examples(body) if w.variant in variants]
        strategy = wire_variants(body, only=frozenset(variants))
        for_all(ctx, strategy, judge, first=first)

    return run


case(ids.PROTO_MALFORMED_JSON)(_wire_case({"body_not_json", "body_empty", "json_not_object"}))
case(ids.PROTO_WRONG_CONTENT_TYPE)(_wire_case({"content_type_wrong", "content_type_missing"}))
case(ids.PROTO_UNKNOWN_TARGET)(_wire_case({"target_missing", "target_unknown"}))


@case(ids.PROTO_NO_5XX)
def no_5xx(ctx: CaseContext) -> None:
    base = request_base(ctx)
    overrides = {"AccessToken": base["AccessToken"], "DeviceKey": base["DeviceKey"]}
    inputs: list[st.SearchStrategy[Any]] = [
        invalid_requests(overrides, boundaries=False).map(lambda ex: ("json", ex.request)),
        valid_requests(overrides).map(lambda r: ("json", r)),
    ]
    # The boundaries first (lengths 0, 1, 55, 56 and one of every rule), then the wire variants. On a
    # live service (no shrinking: calls cost) the VAL-* and wire cases already send those and fail a
    # 5xx, so only generated inputs are sent here.
    live = not ctx.session.settings.shrink
    first: list[tuple[str, Any]] = (
        [] if live else [("json", ex.request) for ex in boundary_examples(canonical_request(overrides))]
    )
    if ctx.target.wire_path:
        inputs.append(wire_variants(base).map(lambda w: ("wire", w)))
        first += [] if live else [("wire", w) for w in wire_examples(base)]

    def check(item: tuple[str, Any]) -> None:
        kind, value = item
        if kind == "json":
            exchange = ctx.send(value)
        else:
            exchange = ctx.raw(value.headers, value.body, framing_probe=True)
        ctx.verify(not_5xx, exchange)

    for_all(ctx, st.one_of(inputs), check, first=first)
