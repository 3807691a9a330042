"""`Target`: one target, opened from a spec, that every case and fixture talks to.

Each call goes through a botocore cognito-idp client (real serializer and parser; client-side
validation off so invalid values reach the server; no retries), is paced when pacing is on, is recorded
in the call log, and comes back as an Exchange whatever the target did. On HTTP targets botocore's
requests and the raw ones leave through one RawHttp: each call has one total deadline of `timeout`
seconds (connect, headers and the whole body; a dripping answer is a timeout like a hang) and a bounded
body (wire.py).

A breaker stops a run from waiting on a target that went silent: after STOP_AFTER calls in a row without
an HTTP answer (timeout, refused, reset; a silent probe at open counts as one) the target counts as
stopped, unless it answered before and still answers a plain GET (then only an operation hangs): every
later call comes back at once with `error` "the target stopped answering (...)" and nothing is sent.
`bounded(seconds)` gives cleanup its own deadline and a short per-call timeout.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import requests
from botocore.config import Config

from ..errors import SuiteError, TargetUnreachable
from ..reference import Controls, ReferenceBackend, reference_client, start_server
from ..secrets import redact
from .calllog import CallLog
from .controls import PROBE_PATH, InProcessControls, TargetControls, probe_http_controls
from .exchange import Exchange
from .logsafety import install_redacting_filters
from .pacing import PACES, Pacer
from .retry import THROTTLING_ERRORS, retry_throttled
from .spec import ParsedSpec, check_region, parse_spec
from .wire import (
    AnswerTooLarge,
    BotocoreCapture,
    RawHttp,
    describe_failure,
    exchange_from_slot,
    send_through,
)

DEFAULT_REGION = "us-east-1"
DUMMY_CREDENTIALS = ("conformance", "conformance-dummy-secret")  # for endpoints that want any signature
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# What the in-process reference's reads carry as a signature (`Target.read`): it checks none.
IN_PROCESS_SIGNATURE = "AWS4-HMAC-SHA256 Credential=conformance/in-process, SignedHeaders=, Signature=0"
PROBE_TIMEOUT_S = 5.0
# Three in a row: one lost answer is noise, three is a silent target. With the default 10 s timeout a silent
# endpoint is given up on 25 s after it was opened (a 5 s probe, then two calls).
STOP_AFTER = 3
STOPPED = "the target stopped answering"
BOUNDED_CALL_TIMEOUT_S = 2.0
# Exchange.error prefixes (wire.describe_failure) for a call that got no HTTP answer at all.
_NO_ANSWER = ("timeout after", "connection refused", "connection closed", "connection failed")

# Loading the service model is the slow part of making a client: one session (and its loader cache) serves
# the targets whose credentials are given explicitly. Not moto's (it must be created after moto's import)
# nor aws's (it needs the standard chain). botocore sessions are not thread-safe while creating clients.
_SHARED: botocore.session.Session | None = None
_SHARED_LOCK = threading.Lock()


def _shared_client(**kwargs: Any) -> Any:
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = botocore.session.Session()
        return _client(_SHARED, **kwargs)


class RawUnsupported(Exception):
    """This target has no HTTP wire path (in-process moto); the engine reports the case as BLOCKED."""


@dataclass
class _Window:
    """A bounded stretch of calls (cleanup): a deadline, and clients with a short timeout."""

    deadline: float
    seconds: float
    timeout: float
    client: Any = None  # None: the target's own client (in-process targets cannot hang)
    capture: BotocoreCapture | None = None
    raw: RawHttp | None = None
    trial: bool = True  # a stopped target gets one more call: it may be back, and cleanup is worth it


def throttled(exchange: Exchange) -> bool:
    """The target refused for its quota (TooManyRequestsException, ThrottlingException, HTTP 429): the
    call is retried, and one still throttled is the target's limit, never a verdict on it."""
    return exchange.error_type in THROTTLING_ERRORS or exchange.status == 429


def no_answer(exchange: Exchange) -> bool:
    """The call got no HTTP answer because of the network (not because of an in-process exception)."""
    return not exchange.answered and (exchange.error or "").startswith(_NO_ANSWER)


class Target:
    """Open with `open_target`. Thread-safe for calls; `close()` is idempotent."""

    def __init__(
        self,
        *,
        spec: str,
        kind: str,
        region: str,
        endpoint: str | None,
        client: Any,
        timeout: float,
        pacer: Pacer,
        raw: RawHttp | None = None,
        controls: TargetControls | None = None,
        reference_backend: Any = None,
        on_close: list[Callable[[], None]] | None = None,
        client_factory: Callable[[float], Any] | None = None,
        alive: Callable[[float], bool] | None = None,
    ) -> None:
        self.spec = spec
        self.kind = kind
        self.region = region
        self.endpoint = endpoint
        self.timeout = timeout
        self.calls = CallLog()
        self.controls = controls
        # The in-process or served reference's state, for the suite's own tests; cases must not use it.
        self.reference_backend = reference_backend
        self.pacer = pacer
        self.throttle_sleep: Callable[[float], None] = time.sleep  # tests replace it
        self._client = client
        self._capture = BotocoreCapture(client)
        if raw is not None:
            send_through(client, raw)  # the SDK path under the same deadline and size cap as the raw one
        self._operations = frozenset(client.meta.service_model.operation_names)
        self._raw = raw
        self._on_close = on_close or []
        self._closed = False
        self._close_lock = threading.Lock()
        # The breaker (see the module docstring); a client factory makes short-timeout clients for bounded().
        self._client_factory = client_factory
        self._alive = alive
        self._breaker_lock = threading.Lock()
        self._streak = 0
        self._answered = False  # anything at all came back since the target was opened (probe included)
        self._stopped: str | None = None
        self._window: _Window | None = None
        # Told of every exchange, after the call (a parity recording); none by default.
        self.observers: list[Callable[[Exchange], None]] = []

    @property
    def paced(self) -> bool:
        return self.pacer.enabled

    def describe(self) -> dict[str, Any]:
        """results.json's `target` block."""
        return {"spec": self.spec, "kind": self.kind, "endpoint": self.endpoint}

    @property
    def stopped(self) -> str | None:
        """Why the target counts as stopped ("the target stopped answering (...)"), or None."""
        return self._stopped

    # --- the breaker -------------------------------------------------------------------------------------

    def _refusal(self) -> str | None:
        """Why a call must not be sent (None: send it)."""
        with self._breaker_lock:
            window = self._window
            if window is not None and time.monotonic() >= window.deadline:
                return f"not sent: the {window.seconds:g}s deadline had passed"
            if self._stopped is None:
                return None
            if window is not None and window.trial:
                window.trial = False
                return None
            return self._stopped

    def _observe(self, exchange: Exchange) -> None:
        """Count calls without an answer; trip after STOP_AFTER in a row unless the target still answers."""
        if exchange.answered:
            with self._breaker_lock:
                self._streak = 0
                self._answered = True
                self._stopped = None  # a cleanup trial got through: the target is back
            return
        if not no_answer(exchange):
            return  # an in-process exception (moto's NotImplementedError) says nothing about the network
        with self._breaker_lock:
            self._streak += 1
            if self._stopped is not None or self._streak < STOP_AFTER:
                return
            streak = self._streak
            window = self._window
            answered = self._answered
        # Confirm first: a target that hangs on one operation still answers a plain GET. One that never
        # answered anything (its probe GET included) needs no second GET to tell.
        probe_timeout = min(self.timeout, PROBE_TIMEOUT_S, window.timeout if window else PROBE_TIMEOUT_S)
        if answered and self._alive is not None and self._alive(probe_timeout):
            with self._breaker_lock:
                self._streak = 0
            return
        reason = f"{streak} calls in a row without an answer, the last: {exchange.error}"
        with self._breaker_lock:
            self._stopped = f"{STOPPED} ({reason})"

    @contextlib.contextmanager
    def bounded(self, seconds: float, *, call_timeout: float = BOUNDED_CALL_TIMEOUT_S) -> Iterator[None]:
        """Calls inside get a short timeout and none is sent once `seconds` have passed (cleanup after a
        signal must end soon). A stopped target gets one call more: if it answers, it is back.

        Overall: at most `seconds` plus one call timeout (a call started just before the deadline)."""
        timeout = min(self.timeout, call_timeout, seconds)
        window = _Window(deadline=time.monotonic() + seconds, seconds=seconds, timeout=timeout)
        if self._raw is not None:
            window.raw = RawHttp(self._raw.url, timeout, verify=self._raw.verify)
        if self._client_factory is not None and not self._closed:
            with contextlib.suppress(Exception):  # no short client: the deadline still holds
                client = self._client_factory(timeout)
                capture = BotocoreCapture(client)
                if window.raw is not None:
                    send_through(client, window.raw)
                window.client, window.capture = client, capture
        with self._breaker_lock:
            previous, self._window = self._window, window
        try:
            yield
        finally:
            with self._breaker_lock:
                self._window = previous
            if window.raw is not None:
                window.raw.close()
            if window.client is not None:
                with contextlib.suppress(Exception):
                    window.client.close()

    # --- calls ---------------------------------------------------------------------------------------------

    def call(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        signed: bool | None = None,
        exact_body: bytes | None = None,
    ) -> Exchange:
        """One request, retried with backoff only while throttled (never a verdict: `throttled`).
        `signed`: True forces SigV4, False forces none, None as modeled. `exact_body`: these bytes are
        sent instead of the serialised `params` (and signed as they would be)."""
        return self._unthrottled(lambda: self._call_once(operation, params, signed, exact_body))

    def _unthrottled(self, send: Callable[[], Exchange]) -> Exchange:
        """`send` again, with backoff and jitter, while the target throttles it (within a bounded
        window's deadline, when there is one); the last answer either way."""
        window = self._window
        return retry_throttled(
            send,
            throttled,
            sleep=self.throttle_sleep,
            deadline=window.deadline if window is not None else None,
        )

    def _call_once(
        self, operation: str, params: dict[str, Any], signed: bool | None, exact_body: bytes | None = None
    ) -> Exchange:
        if operation not in self._operations:
            raise ValueError(f"not a cognito-idp operation: {operation!r}")  # a bug in the caller
        if self._closed:
            # Never send after close: in-process moto would otherwise fall through to the real AWS.
            return Exchange(operation, {}, b"", error="the target is closed")
        refused = self._refusal()
        if refused is not None:
            return Exchange(operation, {}, b"", error=refused)
        window = self._window
        client, capture, timeout = self._client, self._capture, self.timeout
        if window is not None and window.client is not None and window.capture is not None:
            client, capture, timeout = window.client, window.capture, window.timeout
        slot = capture.begin(signed, exact_body)
        released = self.pacer.acquire(operation)
        failure: Exception | None = None
        try:
            client._make_api_call(operation, params)
        except Exception as exc:  # HTTP errors, transport errors, parse errors, moto's NotImplementedError
            failure = exc
        finally:
            elapsed = time.monotonic() - released
            capture.end()
            self.calls.record(operation, released, elapsed)
        exchange = exchange_from_slot(operation, slot, failure, elapsed, timeout)
        self._observe(exchange)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def read(self, operation: str, params: dict[str, Any]) -> Exchange:
        """A read whose answer only the suite looks at (the device watch: engine/watch.py, thousands per
        run). On the in-process reference its backend answers the JSON directly, as the wire path does:
        botocore's serialising, signing and parsing cost nine tenths of such a call there. The request is
        marked signed (the reference accepts SigV4 without checking it: reference/server.py)."""
        if self.kind != "reference":
            return self.provision_call(operation, params)
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"{TARGET_PREFIX}{operation}",
            "Authorization": IN_PROCESS_SIGNATURE,
        }
        return self.send_raw(headers, json.dumps(params).encode(), operation=operation)

    def provision_call(self, operation: str, params: dict[str, Any]) -> Exchange:
        """A provisioning call (retried while throttled, as every call is)."""
        return self.call(operation, params)

    @property
    def wire_path(self) -> bool:
        """Whether exact bytes can be sent (`send_raw`): every kind but in-process moto."""
        return self.kind != "moto"

    def send_raw(self, headers: dict[str, str], body: bytes, *, operation: str | None = None) -> Exchange:
        """POST / with exactly these headers and bytes (retried only while throttled)."""
        if not self.wire_path:
            raise RawUnsupported("in-process moto has no HTTP wire path")
        name = operation or _operation_from_headers(headers, self._operations)
        return self._unthrottled(lambda: self._send_raw_once(name, headers, body))

    def _send_raw_once(self, name: str | None, headers: dict[str, str], body: bytes) -> Exchange:
        if self._closed:
            return Exchange(name, dict(headers), body, error="the target is closed")
        refused = self._refusal()
        if refused is not None:
            return Exchange(name, dict(headers), body, error=refused)
        window = self._window
        raw = window.raw if window is not None and window.raw is not None else self._raw
        released = self.pacer.acquire(name)
        try:
            if self.reference_backend is not None and raw is None:
                exchange = self._in_process_raw(name, headers, body)
            else:
                assert raw is not None
                exchange = raw.send(name, headers, body)
        finally:
            elapsed = time.monotonic() - released
            self.calls.record(name or "(raw)", released, elapsed)
        exchange.elapsed_s = elapsed
        self._observe(exchange)
        for observer in self.observers:
            observer(exchange)
        return exchange

    def _in_process_raw(self, name: str | None, headers: dict[str, str], body: bytes) -> Exchange:
        target_header = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), None)
        try:
            status, out_headers, out_body = self.reference_backend.handle(target_header, body, headers)
        except Exception as exc:
            return Exchange(name, dict(headers), body, error=describe_failure(exc, self.timeout))
        return Exchange(
            name,
            dict(headers),
            body,
            status=status,
            headers={k.lower(): v for k, v in out_headers.items()},
            body=out_body,
        )

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        for stop in reversed(self._on_close):
            with contextlib.suppress(Exception):  # closing must not hide the run's result
                stop()
        if self._raw is not None:
            self._raw.close()
        with contextlib.suppress(Exception):
            self._client.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Target(spec={self.spec!r}, kind={self.kind!r}, endpoint={self.endpoint!r})"


def _operation_from_headers(headers: dict[str, str], known: frozenset[str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), "")
    name = value[len(TARGET_PREFIX) :] if value.startswith(TARGET_PREFIX) else ""
    return name if name in known else None


# --- opening ---------------------------------------------------------------------------------------------


def _config(timeout: float) -> Config:
    return Config(
        parameter_validation=False,  # invalid values must reach the server
        retries={"total_max_attempts": 1},  # no retries: a case sees exactly one answer
        connect_timeout=timeout,
        read_timeout=timeout,
    )


def _client(
    session: botocore.session.Session,
    *,
    region: str,
    endpoint: str | None,
    timeout: float,
    credentials: tuple[str, str] | tuple[str, str, str] | None,
) -> Any:
    kwargs: dict[str, Any] = {}
    if credentials is not None:
        kwargs = {"aws_access_key_id": credentials[0], "aws_secret_access_key": credentials[1]}
        if len(credentials) == 3:
            kwargs["aws_session_token"] = credentials[2]
    return session.create_client(
        "cognito-idp", region_name=region, endpoint_url=endpoint, config=_config(timeout), **kwargs
    )


def open_target(
    spec: str = "reference", *, pace: str | None = None, timeout: float = 10.0, region: str | None = None
) -> Target:
    """Open a target. Bad spec or options: SuiteError (exit 2). Nothing listening: TargetUnreachable (3).

    pace: "aws" paces every call per Cognito quota category, "none" does not; the default is "aws" for
    the aws target and "none" elsewhere.
    """
    parsed = parse_spec(spec)
    if pace is not None and pace not in PACES:
        raise SuiteError(f"unknown pace {pace!r}: use {' or '.join(PACES)}")
    if not timeout > 0:
        raise SuiteError(f"the timeout must be positive, not {timeout!r}")
    if region is not None:
        check_region(region)
    install_redacting_filters()
    pacer = Pacer(enabled=(pace or ("aws" if parsed.kind == "aws" else "none")) == "aws")
    openers: dict[str, Callable[[ParsedSpec, Pacer, float, str | None], Target]] = {
        "reference": _open_reference,
        "reference-http": _open_reference_http,
        "moto": _open_moto,
        "endpoint": _open_endpoint,
        "aws": _open_aws,
    }
    opener = openers[parsed.kind]
    target = opener(parsed, pacer, timeout, region)
    install_redacting_filters()  # again: opening may have imported modules with new loggers
    return target


def _open_reference(parsed: ParsedSpec, pacer: Pacer, timeout: float, region: str | None) -> Target:
    backend = ReferenceBackend(region=region or DEFAULT_REGION)
    return Target(
        spec=parsed.spec,
        kind="reference",
        region=backend.region,
        endpoint=None,
        client=reference_client(backend, backend.region),
        timeout=timeout,
        pacer=pacer,
        controls=InProcessControls(Controls(backend)),
        reference_backend=backend,
    )


def _open_reference_http(parsed: ParsedSpec, pacer: Pacer, timeout: float, region: str | None) -> Target:
    backend = ReferenceBackend(region=region or DEFAULT_REGION)
    running = start_server(backend, "127.0.0.1", 0)

    def make_client(seconds: float) -> Any:
        return _shared_client(
            region=backend.region, endpoint=running.url, timeout=seconds, credentials=DUMMY_CREDENTIALS
        )

    try:
        raw = RawHttp(running.url, timeout)
        controls = probe_http_controls(raw, min(timeout, PROBE_TIMEOUT_S))
        client = make_client(timeout)
    except BaseException:
        running.stop()
        raise
    return Target(
        spec=parsed.spec,
        kind="reference-http",
        region=backend.region,
        endpoint=running.url,
        client=client,
        timeout=timeout,
        pacer=pacer,
        raw=raw,
        controls=controls,
        reference_backend=backend,
        on_close=[running.stop],
        client_factory=make_client,
        alive=lambda seconds: _answers(raw, seconds),
    )


def _open_moto(parsed: ParsedSpec, pacer: Pacer, timeout: float, region: str | None) -> Target:
    try:
        # An optional dependency (the `moto` extra), imported only for this target, and before the
        # session: moto hooks botocore's built-in handlers at import.
        import moto
    except ImportError:
        raise SuiteError("the moto target needs moto: pip install 'cognito-conformance[moto]'") from None
    region = region or DEFAULT_REGION
    mock = moto.mock_aws()
    mock.start()
    try:
        client = _client(
            botocore.session.Session(),
            region=region,
            # Explicit, so AWS_ENDPOINT_URL cannot send a moto run anywhere but moto.
            endpoint=f"https://cognito-idp.{region}.amazonaws.com",
            timeout=timeout,
            credentials=("testing", "testing"),
        )
    except BaseException:
        mock.stop()
        raise
    return Target(
        spec=parsed.spec,
        kind="moto",
        region=region,
        endpoint=None,
        client=client,
        timeout=timeout,
        pacer=pacer,
        on_close=[mock.stop],
    )


def _verify(session: botocore.session.Session) -> bool | str:
    """TLS verification as botocore's own sender would do it: AWS_CA_BUNDLE / ca_bundle if configured."""
    bundle = session.get_config_variable("ca_bundle")
    return str(bundle) if bundle else True


def _answers(raw: RawHttp, timeout: float) -> bool:
    """The breaker's liveness check: does any HTTP answer at all come back to a plain GET?"""
    try:
        raw.get_json(PROBE_PATH, timeout)
    except (ValueError, AnswerTooLarge):  # an answer all the same (not JSON; too long to read)
        return True
    except requests.RequestException:
        return False
    return True


def _probe(raw: RawHttp, endpoint: str, timeout: float) -> tuple[TargetControls | None, str | None]:
    """The control path if the endpoint has one, and why the probe got no answer (None: it got one).

    TargetUnreachable when nothing answers the connection."""
    probe_timeout = min(timeout, PROBE_TIMEOUT_S)
    try:
        return probe_http_controls(raw, probe_timeout), None
    except requests.Timeout as exc:
        # Connected but silent: reachable. It counts as the breaker's first call without an answer.
        return None, describe_failure(exc, probe_timeout)
    except requests.ConnectionError as exc:
        reason = describe_failure(exc, timeout)
        text = str(exc)
        if reason == "connection refused" or any(
            mark in text
            for mark in ("Failed to establish a new connection", "NameResolutionError", "getaddrinfo")
        ):
            raise TargetUnreachable(redact(f"cannot reach {endpoint}: {reason}")) from None
        return None, reason  # it accepted the connection and then misbehaved: reachable
    except requests.RequestException:
        return None, None


def _count_probe(target: Target, silent: str | None) -> Target:
    """The probe's outcome counts for the breaker: an answer like a call's, silence as the first strike."""
    target._observe(
        Exchange(None, {}, b"", status=200) if silent is None else Exchange(None, {}, b"", error=silent)
    )
    return target


def _open_endpoint(parsed: ParsedSpec, pacer: Pacer, timeout: float, region: str | None) -> Target:
    assert parsed.endpoint is not None
    session = botocore.session.Session()  # for the configured region and credentials only
    region = region or session.get_config_variable("region") or DEFAULT_REGION
    check_region(region)
    raw = RawHttp(parsed.endpoint, timeout, verify=_verify(session))
    controls, silent = _probe(raw, parsed.endpoint, timeout)
    # Emulators want a signature but check no secret: the standard chain's if it has some, else dummies.
    credentials: tuple[str, str] | tuple[str, str, str] = DUMMY_CREDENTIALS
    try:
        found = session.get_credentials()
        if found is not None:
            frozen = found.get_frozen_credentials()
            credentials = (frozen.access_key, frozen.secret_key, *([frozen.token] if frozen.token else []))
    except Exception:  # a broken profile: an emulator does not care, dummies will do
        pass
    endpoint = parsed.endpoint

    def make_client(seconds: float) -> Any:
        return _shared_client(region=region, endpoint=endpoint, timeout=seconds, credentials=credentials)

    target = Target(
        spec=parsed.spec,
        kind="endpoint",
        region=region,
        endpoint=endpoint,
        client=make_client(timeout),
        timeout=timeout,
        pacer=pacer,
        raw=raw,
        controls=controls,
        client_factory=make_client,
        alive=lambda seconds: _answers(raw, seconds),
    )
    return _count_probe(target, silent)


def _open_aws(parsed: ParsedSpec, pacer: Pacer, timeout: float, region: str | None) -> Target:
    try:
        session = botocore.session.Session()  # AWS_PROFILE, env, config files, SSO: the standard chain
        credentials = session.get_credentials()
    except Exception as exc:
        raise SuiteError(redact(f"cannot load AWS credentials: {exc}")) from None
    if credentials is None:
        raise SuiteError(
            "no AWS credentials found for the aws target: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY), or run `aws sso login`"
        )
    if parsed.region and region and parsed.region != region:
        raise SuiteError(f"two regions given: {parsed.spec} and --region {region}")
    chosen = parsed.region or region or session.get_config_variable("region")
    if not chosen:
        raise SuiteError("the aws target needs a region: use aws:REGION, --region, or set AWS_REGION")
    check_region(chosen)

    def make_client(seconds: float) -> Any:
        return _client(session, region=chosen, endpoint=None, timeout=seconds, credentials=None)

    client = make_client(timeout)
    endpoint = str(client.meta.endpoint_url)  # AWS_ENDPOINT_URL(_COGNITO_IDENTITY_PROVIDER) honoured
    raw = RawHttp(endpoint, timeout, verify=_verify(session))
    host = urlsplit(endpoint).hostname or ""
    probed: tuple[TargetControls | None, str | None] | None = None
    if not host.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        probed = _probe(raw, endpoint, timeout)  # AWS_ENDPOINT_URL points elsewhere: maybe a reference
    target = Target(
        spec=parsed.spec,
        kind="aws",
        region=chosen,
        endpoint=endpoint,
        client=client,
        timeout=timeout,
        pacer=pacer,
        raw=raw,
        controls=probed[0] if probed else None,
        client_factory=make_client,
        alive=lambda seconds: _answers(raw, seconds),
    )
    return _count_probe(target, probed[1]) if probed else target
