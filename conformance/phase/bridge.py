"""A WSGI app that sends what schemathesis generates through the suite's Target.

schemathesis calls a WSGI app in-process (its `app` transport); this one forwards every request with
`Target.send_raw`, so the call log, pacing, the breaker and redaction apply as to any case, and the
in-process reference is reached without a socket. The request goes out as schemathesis made it, less
schemathesis's own test-case header, which only keys the Exchange kept here, and the transport
headers of schemathesis's in-process client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from schemathesis.core import SCHEMATHESIS_TEST_CASE_HEADER

from conformance.targets.exchange import Exchange, members
from conformance.targets.target import Target

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
_CASE_HEADER = "HTTP_" + SCHEMATHESIS_TEST_CASE_HEADER.upper().replace("-", "_")
# What the in-process client adds for its own transport (Host: localhost): the Target's sets its own.
_TRANSPORT = {"HTTP_HOST", "HTTP_CONNECTION", "HTTP_CONTENT_LENGTH", _CASE_HEADER}


class RequestWatch(Protocol):
    """What watches each request the phase sends (the engine's device watch, handed in by the phase's
    cases): `before` reads what the request could change, `after` what it did, kept with its answer."""

    def before(self, params: Mapping[str, Any]) -> Any: ...

    def after(self, plan: Any, params: Mapping[str, Any], exchange: Exchange) -> tuple[Any, ...]: ...


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


class TargetApp:
    """The WSGI app; `exchanges` maps schemathesis's case id to what the target answered."""

    def __init__(self, target: Target, watch: RequestWatch | None = None) -> None:
        self.target = target
        self.watch = watch
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
        plan = self.watch.before(params) if self.watch is not None else None
        exchange = self.target.send_raw(request_headers(environ), body)
        seen = self.watch.after(plan, params, exchange) if self.watch is not None else ()
        with self._lock:
            self.exchanges[str(environ.get(_CASE_HEADER, len(self.exchanges)))] = exchange
            self.watched[id(exchange)] = seen
        if exchange.status is None:
            raise NoAnswer(exchange.error or "no answer")
        start_response(f"{exchange.status} -", list(exchange.headers.items()))
        return [exchange.body]
