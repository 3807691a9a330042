"""A WSGI app that sends what schemathesis generates through the suite's Target.

schemathesis calls a WSGI app in-process (its `app` transport); this one forwards every request
through the Target, so the call log, pacing, the breaker and redaction apply as to any case, and the
in-process reference is reached without a socket. A request to an operation the model leaves unsigned
(the user-level device operations), and any request that names none of the phase's operations, goes
out as schemathesis made it (`Target.send_raw`), less schemathesis's own test-case header, which only
keys the Exchange kept here, and the transport headers of schemathesis's in-process client.

A request to a SigV4 operation (the admin ones) goes through botocore, signed, with schemathesis's body
as it is (`Target.call`'s `exact_body`: the very bytes are signed), so that it is refused or accepted for
what it carries, never for a missing signature. botocore sets the headers, the operation's own: a
variant schemathesis made with another Content-Type goes out as awsJson1_1, and is judged as what was
sent (kinds.py reads the request from the Exchange). Signing a Content-Type of schemathesis's choosing
would take a signer the Target does not offer; sent unsigned instead, such a request would be refused
for its missing signature first on a target that checks that first, which is no verdict on the framing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from schemathesis.core import SCHEMATHESIS_TEST_CASE_HEADER

from conformance.contract.constraints import type_ok
from conformance.contract.model import pinned
from conformance.targets.exchange import Exchange, members
from conformance.targets.target import Target

from .kinds import operation_named

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_CASE_HEADER = "HTTP_" + SCHEMATHESIS_TEST_CASE_HEADER.upper().replace("-", "_")
# What the in-process client adds for its own transport (Host: localhost): the Target's sets its own.
_TRANSPORT = {"HTTP_HOST", "HTTP_CONNECTION", "HTTP_CONTENT_LENGTH", _CASE_HEADER}


class RequestWatch(Protocol):
    """What watches each request the phase sends (the engine's device watch, handed in by the phase's
    cases): `before` reads what the request could change, `after` what it did, kept with its answer."""

    def before(self, operation: str | None, params: Mapping[str, Any]) -> Any: ...

    def after(
        self, plan: Any, operation: str | None, params: Mapping[str, Any], exchange: Exchange
    ) -> tuple[Any, ...]: ...


class NoAnswer(Exception):
    """The target gave no HTTP answer (timeout, refused connection, the breaker): nothing to hand back."""


def request_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers from a WSGI environ (CGI names back to HTTP ones), the case header dropped."""
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_") and key not in _TRANSPORT
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = str(environ["CONTENT_TYPE"])
    return headers


def signed(operation: str | None) -> bool:
    """Whether a request to `operation` goes through botocore, signed: the model signs the operation."""
    return operation is not None and pinned().operation(operation).auth_type != "none"


def serialisable(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The members botocore can serialise (the model's, non-null, of their JSON type): what it is
    given before the body it signs is replaced by the exact one."""
    known = pinned().operation(operation).input_shape.members
    return {k: v for k, v in params.items() if k in known and v is not None and type_ok(known[k], v)}


class TargetApp:
    """The WSGI app; `exchanges` maps schemathesis's case id to what the target answered. `operations`:
    the operations the phase sends to (an X-Amz-Target naming another is sent raw, as made)."""

    def __init__(
        self, target: Target, watch: RequestWatch | None = None, operations: tuple[str, ...] = ()
    ) -> None:
        self.target = target
        self.watch = watch
        self.operations = operations
        self.exchanges: dict[str, Exchange] = {}
        self.watched: dict[int, tuple[Any, ...]] = {}  # by id() of the exchange: what `watch` saw
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        if method != "POST" or path not in ("", "/"):
            # awsJson1_1 has one route; the phase never asks for another (see engine.py's config).
            raise ValueError(f"the schemathesis phase sends POST / only, not {method} {path}")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        params = members(body)
        headers = request_headers(environ)
        operation = operation_named(headers, self.operations)
        plan = self.watch.before(operation, params) if self.watch is not None else None
        if signed(operation):
            assert operation is not None
            exchange = self.target.call(operation, serialisable(operation, params), exact_body=body)
        else:
            exchange = self.target.send_raw(headers, body)
        seen = self.watch.after(plan, operation, params, exchange) if self.watch is not None else ()
        with self._lock:
            self.exchanges[str(environ.get(_CASE_HEADER, len(self.exchanges)))] = exchange
            self.watched[id(exchange)] = seen
        if exchange.status is None:
            raise NoAnswer(exchange.error or "no answer")
        start_response(f"{exchange.status} -", list(exchange.headers.items()))
        return [exchange.body]
