"""The two ways a request reaches a target, both ending in an Exchange.

1. botocore: the real serializer and parser. Hooks on the client's event system record the prepared
   request (`before-send`, registered first so it also sees requests an in-process face answers) and the
   raw response before botocore parses it (`before-parse`), so an HTML page or a non-JSON body is kept
   as sent even when botocore cannot parse it. A `choose-signer` hook can force or drop SigV4 per call.
2. raw HTTP with requests: exactly the given headers and bytes, for wire-level cases.

Failures without an HTTP answer become `Exchange.error` strings; nothing here raises for what a target
does, and no message carries a request body.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import botocore
import requests
from botocore import exceptions as bce
from botocore.awsrequest import AWSPreparedRequest
from urllib3.util import SKIP_HEADER

from ..secrets import redact
from .exchange import Exchange


@dataclass
class _Slot:
    """What the hooks saw for the call in progress on this thread."""

    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes = b""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):  # a stream: read it and leave it rewound for the sender
        data = body.read()
        if hasattr(body, "seek"):
            body.seek(0)
        return _body_bytes(data)
    return bytes(body)


class BotocoreCapture:
    """Installs the hooks on one client; `begin(signed)` ... `end()` brackets one call on this thread."""

    def __init__(self, client: Any) -> None:
        self._local = threading.local()
        events = client.meta.events
        events.register_first("before-send.cognito-identity-provider", self._before_send)
        events.register_first("before-parse.cognito-identity-provider", self._before_parse)
        events.register_first("choose-signer.cognito-identity-provider", self._choose_signer)

    def begin(self, signed: bool | None) -> _Slot:
        slot = _Slot()
        self._local.slot = slot
        self._local.signed = signed
        return slot

    def end(self) -> None:
        self._local.slot = None
        self._local.signed = None

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> None:
        slot: _Slot | None = getattr(self._local, "slot", None)
        if slot is not None:
            slot.request_headers = {_text(k): _text(v) for k, v in request.headers.items()}
            slot.request_body = _body_bytes(request.body)
        return None  # never answer: the next handler (or the network) does

    def _before_parse(self, response_dict: dict[str, Any], **_: Any) -> None:
        slot: _Slot | None = getattr(self._local, "slot", None)
        if slot is not None:
            slot.status = int(response_dict.get("status_code") or 0) or None
            slot.headers = {
                _text(k).lower(): _text(v) for k, v in (response_dict.get("headers") or {}).items()
            }
            slot.body = _body_bytes(response_dict.get("body"))

    def _choose_signer(self, **_: Any) -> Any:
        signed = getattr(self._local, "signed", None)
        if signed is True:
            return "v4"
        if signed is False:
            return botocore.UNSIGNED
        return None  # as the model says (the device operations are authtype none: unsigned)


def describe_failure(exc: BaseException, timeout: float) -> str:
    """A short, secret-free line for a call that got no HTTP answer."""
    if isinstance(exc, bce.ReadTimeoutError | bce.ConnectTimeoutError | requests.Timeout):
        return f"timeout after {timeout:g}s"
    if isinstance(exc, bce.EndpointConnectionError | requests.ConnectionError):
        detail = str(getattr(exc, "kwargs", {}).get("error", "")) + " " + str(exc)
        if "refused" in detail.lower():
            return "connection refused"
        if (
            isinstance(exc, bce.ConnectionClosedError)
            or "closed" in detail.lower()
            or "aborted" in detail.lower()
        ):
            return "connection closed by the target without an answer"
        return redact(f"connection failed: {exc}")
    if isinstance(exc, NotImplementedError):
        return redact(f"NotImplementedError: {exc}")
    return redact(f"{type(exc).__name__}: {exc}")


def exchange_from_slot(
    operation: str | None, slot: _Slot, failure: BaseException | None, elapsed: float, timeout: float
) -> Exchange:
    if slot.status is not None:
        # An HTTP answer was seen; a parse error afterwards is botocore's problem, not the target's answer.
        return Exchange(
            operation,
            slot.request_headers,
            slot.request_body,
            status=slot.status,
            headers=slot.headers,
            body=slot.body,
            elapsed_s=elapsed,
        )
    error = describe_failure(failure, timeout) if failure is not None else "no answer"
    return Exchange(operation, slot.request_headers, slot.request_body, error=error, elapsed_s=elapsed)


class RawHttp:
    """POST / with exactly the given headers (plus Host and Content-Length, which HTTP needs)."""

    def __init__(self, endpoint: str, timeout: float) -> None:
        self.url = endpoint.rstrip("/") + "/"
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers.clear()  # no default User-Agent, Accept, Accept-Encoding, Connection

    def send(self, operation: str | None, headers: dict[str, str], body: bytes) -> Exchange:
        started = time.monotonic()
        # urllib3 and http.client add User-Agent and Accept-Encoding unless told to skip them.
        wire = dict(headers)
        for name in ("User-Agent", "Accept-Encoding"):
            if name.lower() not in {k.lower() for k in headers}:
                wire[name] = SKIP_HEADER
        try:
            response = self._session.post(
                self.url, headers=wire, data=body, timeout=self.timeout, allow_redirects=False
            )
            content = response.content
        except requests.RequestException as exc:
            return Exchange(
                operation,
                dict(headers),
                body,
                error=describe_failure(exc, self.timeout),
                elapsed_s=time.monotonic() - started,
            )
        return Exchange(
            operation,
            dict(headers),
            body,
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=content,
            elapsed_s=time.monotonic() - started,
        )

    def get_json(self, path: str, timeout: float) -> Any:
        """GET a JSON document (the control path's probe); raises requests exceptions and ValueError."""
        response = self._session.get(self.url.rstrip("/") + path, timeout=timeout, allow_redirects=False)
        if response.status_code != 200:
            return None
        return response.json()

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        response = self._session.post(
            self.url.rstrip("/") + path,
            json=payload,
            timeout=self.timeout,
            allow_redirects=False,
        )
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def close(self) -> None:
        self._session.close()
