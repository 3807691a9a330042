"""The two ways a request reaches a target, both ending in an Exchange.

1. botocore: the real serializer and parser. Hooks on the client's event system record the prepared
   request (`before-send`, registered first so it also sees requests an in-process face answers) and the
   raw response before botocore parses it (`before-parse`), so an HTML page or a non-JSON body is kept
   as sent even when botocore cannot parse it. A `choose-signer` hook can force or drop SigV4 per call.
2. raw HTTP with requests: exactly the given headers and bytes, for wire-level cases.

Both leave through one `RawHttp` on HTTP targets (`send_through` hands botocore's signed request to it),
so every call has one total deadline (connect, headers and the whole body: a dripping answer ends like a
hang, "timeout after Ns") and a body is read up to MAX_ANSWER_BYTES only. Failures without an HTTP
answer become `Exchange.error` strings; nothing here raises for what a target does, and no message
carries a request body.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import botocore
import requests
from botocore import exceptions as bce
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from urllib3.exceptions import ReadTimeoutError
from urllib3.util import SKIP_HEADER

from ..secrets import redact
from .deadline import Deadline, DeadlineAdapter
from .exchange import Exchange

# Cognito's answers are small (a page of 60 users is well under 1 MiB): a body past this is not read on,
# so that a target cannot fill the suite's memory within the deadline.
MAX_ANSWER_BYTES = 8 << 20
_CHUNK = 1 << 16


@dataclass
class _Slot:
    """What the hooks saw for the call in progress on this thread."""

    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes = b""
    exact_body: bytes | None = None  # sent in place of botocore's serialisation (signed as modeled)
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
        events.register_first("before-sign.cognito-identity-provider", self._before_sign)

    def begin(self, signed: bool | None, exact_body: bytes | None = None) -> _Slot:
        slot = _Slot(exact_body=exact_body)
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

    def _before_sign(self, request: Any, **_: Any) -> None:
        """An exact body (null or unknown members, which botocore drops or cannot serialise) replaces
        the serialised one before it is signed, so that a SigV4 operation still gets a valid signature."""
        slot: _Slot | None = getattr(self._local, "slot", None)
        if slot is not None and slot.exact_body is not None:
            request.data = slot.exact_body

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
    if isinstance(exc, AnswerTooLarge):
        return str(exc)
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


class AnswerTooLarge(requests.RequestException):
    """The answer's body went past MAX_ANSWER_BYTES: the rest was not read."""


class DeadlinePassed(requests.Timeout):
    """The call's total deadline passed before the whole answer had come (connect, headers and body)."""


class RawHttp:
    """POST / with exactly the given headers (plus Host and Content-Length, which HTTP needs).

    Every request it makes (these, botocore's through `send_through`, the probes) has one total deadline
    of `timeout` seconds for connect, headers and the whole body, and a body of at most MAX_ANSWER_BYTES.
    """

    def __init__(self, endpoint: str, timeout: float, *, verify: bool | str = True) -> None:
        self.url = endpoint.rstrip("/") + "/"
        self.timeout = timeout
        self.verify = verify
        self._session = requests.Session()
        self._session.headers.clear()  # no default User-Agent, Accept, Accept-Encoding, Connection
        # The environment is read once, here, not on every call: proxies as they apply to this endpoint
        # (NO_PROXY honoured) and a CA bundle; never ~/.netrc, whose credentials would join the request.
        self._session.trust_env = False
        self._session.proxies = requests.utils.get_environ_proxies(self.url)
        if verify is True:
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self._session.verify = verify
        # Each request is on its own: a cookie one answer set must not travel with the next request.
        self._session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        for scheme in ("http://", "https://"):
            self._session.mount(scheme, DeadlineAdapter())

    def fetch(
        self, method: str, url: str, headers: dict[str, str], body: bytes, timeout: float, *, decode: bool
    ) -> tuple[int, dict[str, str], bytes]:
        """One request: (status, headers, body), within `timeout` seconds in all. Raises requests'
        exceptions: DeadlinePassed (a Timeout) when the deadline cut it off, AnswerTooLarge.
        `decode`: undo a Content-Encoding (as requests does), or keep the bytes as sent (as botocore)."""
        with Deadline(timeout) as deadline:
            try:
                response = self._session.request(
                    method,
                    url,
                    headers=headers,
                    data=body,
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    content = _read_body(response, decode)
                finally:
                    response.close()
            except AnswerTooLarge:
                raise
            except Exception as exc:  # requests' or urllib3's errors; an OSError from a socket shut by it
                if deadline.passed:
                    raise DeadlinePassed(f"no whole answer within {timeout:g}s") from None
                if isinstance(exc, requests.RequestException):
                    raise
                if isinstance(exc, ReadTimeoutError):
                    raise requests.ReadTimeout(str(exc)) from None
                raise requests.ConnectionError(str(exc)) from None
            if deadline.passed:
                # The shut socket read as the end of the answer: a status line and headers cut short
                # still parse, and so does a body that ends where the connection closes.
                raise DeadlinePassed(f"no whole answer within {timeout:g}s")
        return response.status_code, dict(response.headers.items()), content

    def send(self, operation: str | None, headers: dict[str, str], body: bytes) -> Exchange:
        started = time.monotonic()
        # urllib3 and http.client add User-Agent and Accept-Encoding unless told to skip them.
        wire = dict(headers)
        for name in ("User-Agent", "Accept-Encoding"):
            if name.lower() not in {k.lower() for k in headers}:
                wire[name] = SKIP_HEADER
        try:
            status, out_headers, content = self.fetch("POST", self.url, wire, body, self.timeout, decode=True)
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
            status=status,
            headers={k.lower(): v for k, v in out_headers.items()},
            body=content,
            elapsed_s=time.monotonic() - started,
        )

    def get_json(self, path: str, timeout: float) -> Any:
        """GET a JSON document (the control path's probe); raises requests exceptions and ValueError."""
        status, _, content = self.fetch("GET", self.url.rstrip("/") + path, {}, b"", timeout, decode=True)
        if status != 200:
            return None
        return json.loads(content)

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        body = json.dumps(payload).encode()
        status, _, content = self.fetch(
            "POST", self.url.rstrip("/") + path, headers, body, self.timeout, decode=True
        )
        try:
            return status, json.loads(content)
        except ValueError:
            return status, None

    def close(self) -> None:
        self._session.close()


def _read_body(response: requests.Response, decode: bool) -> bytes:
    """The whole body, chunk by chunk, up to MAX_ANSWER_BYTES (urllib3's errors propagate)."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.raw.stream(_CHUNK, decode_content=decode):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise AnswerTooLarge(f"the answer's body was over {MAX_ANSWER_BYTES >> 20} MiB: not read further")
        chunks.append(chunk)
    return b"".join(chunks)


class _Body:
    """The little of urllib3's response that AWSResponse reads, for a body already read."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        return self._body


def send_through(client: Any, http: RawHttp) -> None:
    """botocore's requests leave through `http` instead of its own urllib3 session, so the SDK path has
    the same total deadline and size cap as the raw one. `before-send` may answer a request (as the
    in-process faces do); signing is done by then, and the capture's hook has seen the request."""

    def send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        headers = {_text(k): _text(v) for k, v in request.headers.items()}
        status, out_headers, body = http.fetch(
            str(request.method),
            str(request.url),
            headers,
            _body_bytes(request.body),
            http.timeout,
            decode=False,
        )
        return AWSResponse(request.url, status, out_headers, _Body(body))

    client.meta.events.register("before-send.cognito-identity-provider", send)
