"""What a case works with: the run (target, provisioner, shared fixtures, seed) and its own context
(every exchange it made, what it observed)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ClassVar, ParamSpec, Protocol, TypeVar, cast

from conformance.contract.catalog import Requirement, catalog
from conformance.contract.constraints import type_ok
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned
from conformance.judge.check import Check
from conformance.judge.checks import (
    an_answer,
    answer_texts,
    html_error_page,
    no_secret_in_error,
    not_5xx,
    unimplemented_reason,
)
from conformance.judge.outcomes import Outcome, Outcomes
from conformance.judge.signals import Blocked, CheckFailure, NothingToJudge, Unimplemented
from conformance.judge.state import DeviceRecord, State, Unread, device_reading
from conformance.judge.verdicts import Verdict
from conformance.provisioning import FixtureUnavailable, Provisioner
from conformance.secrets import SECRETS
from conformance.targets import RawUnsupported, Target
from conformance.targets.exchange import Exchange, members
from conformance.targets.target import no_answer, throttled
from strategies.shapes import simplest
from strategies.wire import proper_headers

from .settings import RunSettings
from .watch import READ_ONLY, DeviceWatch, Plan

# The other operations' property cases draw a fifth of `--examples` (the headline's), at least two.
OTHER_OPERATIONS_SHARE, OTHER_OPERATIONS_MIN_EXAMPLES = 5, 2
# A syntactically valid token that is no JWT, for requests that need no real user.
STAND_IN_TOKEN = "stand-in.not-a-jwt"
# The sign-in operations whose answers carry a challenge's `Session`: registered as a secret when seen,
# since an exchange of a sign-in can be the one a report shows (a device-flow FAIL).
SIGN_IN_OPERATIONS = frozenset(
    {"InitiateAuth", "RespondToAuthChallenge", "AdminInitiateAuth", "AdminRespondToAuthChallenge"}
)
P = ParamSpec("P")
T = TypeVar("T")


class CaseRecorder(Protocol):
    """Where `run --record` files what follows, by case and attempt (conformance/parity/recorder.py)."""

    def case(self, case_id: str, attempt: int) -> AbstractContextManager[None]: ...


def unsigned(operation: str) -> bool:
    """Whether the model leaves the operation unsigned (authtype none: the user-level device operations)."""
    return bool(pinned().operation(operation).auth_type == "none")


def blocked_reason(exc: FixtureUnavailable | Blocked) -> str:
    """Why a fixture could not be had; where the target broke, the device-flow requirement it FAILs."""
    if exc.requirement:
        return f"{exc.reason} (the target FAILs {exc.requirement} here: see that case)"
    return exc.reason


class OperationMissing(Unimplemented):
    """UNIMPLEMENTED, saying which operation: its probe (the operation's simplest valid request) was
    answered "not implemented", in the target's words (`evidence`). The runner keeps both as data
    (results.json `unimplemented`), so reports can group the cases by the operation they miss."""

    def __init__(self, operation: str, evidence: str) -> None:
        super().__init__(f"{operation} is not implemented: {evidence}")
        self.operation = operation
        self.evidence = evidence


@contextlib.contextmanager
def observed(target: Target) -> Iterator[list[Exchange]]:
    """Every exchange with the target while inside, whoever sent it (provisioning, the watch): for a
    check of an answer that came through the provisioner, whose outcome must carry that exchange."""
    seen: list[Exchange] = []
    observer = seen.append
    target.observers.append(observer)
    try:
        yield seen
    finally:
        target.observers.remove(observer)


def _fixture_blocks(method: Callable[P, T]) -> Callable[P, T]:
    """The provisioner's method, with a fixture that cannot be had raised as Blocked (the boundary)."""

    @wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except FixtureUnavailable as exc:
            raise Blocked(exc.reason, exc.requirement, limit=exc.limit, silent=exc.silent) from None

    return guarded


class _GuardedProvisioner:
    """The run's provisioner as a case sees it: every method call converts FixtureUnavailable into
    Blocked, so the runner and the property loop catch the one signal type (judge/signals.py)."""

    def __init__(self, provisioner: Provisioner) -> None:
        self._provisioner = provisioner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._provisioner, name)
        return _fixture_blocks(value) if callable(value) else value


def provenance_of(name: str, user: Any) -> str:
    """One line on how a user fixture was had: as documented, or how provisioning adapted."""
    documented = "USER_SRP_AUTH sign-in" + (", devices from NewDeviceMetadata" if user.devices else "")
    notes = user.provenance or [documented]
    return f"{name}: " + "; ".join(notes)


def failure_verdict(level: str, soft: bool) -> Verdict:
    """A failed check: FAIL under a MUST, NON-STRICT under a SHOULD or when soft, INFO records only."""
    if level == "INFO":
        return Verdict.INFORMATIONAL
    if level == "MUST" and not soft:
        return Verdict.FAIL
    return Verdict.NON_STRICT


class RunSession:
    """One per process: the target, the provisioner, fixtures shared by the cases, probe results."""

    # name -> (pool, devices): A and B share the main pool, C lives in a second pool.
    SHARED: ClassVar[dict[str, tuple[str, int]]] = {
        "user_a": ("main", 2),
        "user_b": ("main", 2),
        "user_c": ("second", 1),
        "user_plain": ("main", 0),  # signed in, no device: the device-flow cases' user
        "user_phase": ("main", 1),  # the schemathesis phase's own: its valid requests change the device
        "user_phase_apart": ("main", 3),  # the devices the phase's forgets and admin updates change
        "user_forget": ("main", 2),  # devices the forget operations' valid requests may remove
    }

    def __init__(self, settings: RunSettings, target: Target, provisioner: Provisioner) -> None:
        self.settings = settings
        self.target = target
        self.provisioner = provisioner
        self._lock = threading.RLock()
        self._shared: dict[str, Any] = {}
        self._unavailable: dict[str, Blocked] = {}  # shared fixtures that could not be made, and why
        self._broke_on: dict[str, Exchange] = {}  # ... and the exchange each broke on, if any
        self._probed: dict[str, str | None] = {}
        self._once: dict[str, Any] = {}
        self.recorder: CaseRecorder | None = None  # `run --record`: every exchange, by case and step
        self.generation = 0  # requests sent so far that may have changed a device (watch.py)
        self.current: CaseContext | None = None  # the case running now: every answer is judged in it
        # Calls in a row without an answer, and whether the target ever answered: the first silence
        # after answers is the request the target broke on (a crash is a finding, CaseContext._record).
        self.silence = 0
        self.answered_once = False
        target.observers.append(self._observed)

    def _observed(self, exchange: Exchange) -> None:
        """Every exchange with the target, whoever sent it (a case, provisioning, the watch)."""
        if exchange.operation not in READ_ONLY:
            self.generation += 1
        if exchange.operation in SIGN_IN_OPERATIONS and isinstance(exchange.json, dict):
            SECRETS.add(exchange.json.get("Session"), "$SESSION")  # a sign-in's exchange may be shown
        if exchange.answered:
            self.silence, self.answered_once = 0, True
        elif no_answer(exchange):
            self.silence += 1
        if self.current is not None and throttled(exchange):
            self.current.throttled = exchange  # what the case could not judge was the target's quota
        if self.current is not None and exchange.answered and not exchange.ok:
            self.current.scan_for_secrets(exchange)

    @property
    def seed(self) -> int:
        return self.settings.seed

    def shared(self, name: str) -> Any:
        """A shared fixture, made once; one that cannot be made is remembered as such."""
        with self._lock:
            if name in self._unavailable:
                known = self._unavailable[name]
                raise Blocked(known.reason, known.requirement, limit=known.limit, silent=known.silent)
            if name not in self._shared:
                pool_kind, devices = self.SHARED[name]
                with observed(self.target) as seen:
                    try:
                        pool = self.provisioner.second_pool() if pool_kind == "second" else None
                        self._shared[name] = self.provisioner.user(devices=devices, pool=pool)
                    except FixtureUnavailable as exc:
                        reason = f"fixture {name} unavailable: {blocked_reason(exc)}"
                        known = Blocked(reason, exc.requirement, limit=exc.limit, silent=exc.silent)
                        self._unavailable[name] = known
                        failed = [e for e in seen if not e.ok]
                        if failed or seen:
                            self._broke_on[name] = (failed or seen)[-1]
                        raise Blocked(reason, exc.requirement, limit=exc.limit, silent=exc.silent) from None
            return self._shared[name]

    def broke_on(self, name: str) -> Exchange | None:
        """The exchange a shared fixture that could not be made broke on (its last failed call), if any."""
        with self._lock:
            return self._broke_on.get(name)

    def recording(self, case_id: str, attempt: int) -> AbstractContextManager[None]:
        """Where the recorder files what follows (nothing to do when the run is not recorded)."""
        return self.recorder.case(case_id, attempt) if self.recorder else contextlib.nullcontext()

    @contextlib.contextmanager
    def apart(self) -> Iterator[None]:
        """Requests made inside are not the running case's: their answers are judged by the cases that
        read them (the schemathesis phase, which every phase case reads)."""
        current, self.current = self.current, None
        try:
            yield
        finally:
            self.current = current

    def once(self, name: str, make: Callable[[], T]) -> T:
        """What `make` makes, made once per run and shared by the cases (the schemathesis phase's
        findings); a `make` that raises is tried again by the next case that asks."""
        with self._lock:
            if name not in self._once:
                self._once[name] = make()
            return cast(T, self._once[name])

    def unimplemented(self, operation: str) -> str | None:
        """Probe an operation once: why it is not implemented (the reason of an UNIMPLEMENTED), else None."""
        missing = self.missing(operation)
        return str(missing) if missing is not None else None

    def missing(self, operation: str) -> OperationMissing | None:
        """Probe an operation once: the signal a case that needs it raises if the target does not
        implement it (with the target's words), else None."""
        with self._lock:
            if operation not in self._probed:
                self._probed[operation] = self._probe(operation)
            evidence = self._probed[operation]
        return OperationMissing(operation, evidence) if evidence is not None else None

    def _probe(self, operation: str) -> str | None:
        """The target's words when the operation's simplest valid request shows it is not implemented.
        AWS is not probed: the model is its own, every operation of it is there (a probe costs a call of
        the live budget; an outage shows in the cases' own requests)."""
        if self.target.kind == "aws":
            return None
        shape = self.target_input_shape(operation)
        exchange = self.target.call(operation, simplest(shape))
        reason = unimplemented_reason(exchange)
        if reason is None and html_error_page(exchange):
            reason = f"HTTP {exchange.status} with an HTML page for a well-formed {operation} request"
        return reason

    @staticmethod
    def target_input_shape(operation: str) -> Any:
        return pinned().operation(operation).input_shape


@dataclass
class CaseContext:
    """A case's view of the run; it records every exchange the case makes."""

    session: RunSession
    case_id: str
    requirement_id: str  # the requirement the case enforces
    attempt: int = 1  # 2: the re-run of a FAIL
    carried: Any = None  # what the first attempt kept for the re-run (`carry`)
    carry: Any = None  # what this attempt keeps for a re-run, if the case fails
    exchanges: list[Exchange] = field(default_factory=list)
    observations: list[Any] = field(default_factory=list)
    outcomes: Outcomes = field(default_factory=Outcomes)
    sent: int = 0
    steps: dict[str, int] | None = None  # a state machine's steps, by rule
    provenance: list[str] = field(default_factory=list)  # how each fixture the case used was had
    throttled: Exchange | None = None  # a call the target still throttled after retries, if any
    _twins: dict[str, Exchange] = field(default_factory=dict)
    _watch: DeviceWatch | None = None
    _timed_out: set[str] = field(default_factory=set)  # operations that timed out in this case

    @property
    def requirement(self) -> Requirement:
        """The requirement this case enforces, from the catalog (the one place its id is written)."""
        return catalog().get(self.requirement_id)

    # --- judging -----------------------------------------------------------------------------------

    def verify(self, check: Check[P], *args: P.args, **kwargs: P.kwargs) -> bool:
        """Run one check and record its outcome; True when it held (or had nothing to look at).

        A failing check never stops the case: every assertion runs, and the verdict is the worst."""
        requirement = check.judged(args)
        try:
            seen = check(*args, **kwargs)
        except CheckFailure as failure:
            self.outcomes.add(
                Outcome(
                    check=failure.check or check.name,
                    requirement=failure.requirement,
                    verdict=failure_verdict(
                        failure.level or catalog().get(failure.requirement).level, failure.soft
                    ),
                    expected=failure.expected,
                    actual=failure.actual,
                    exchange=failure.exchange,
                )
            )
            return False
        except NothingToJudge as nothing:
            blocked = Outcome(
                check.name,
                nothing.requirement,
                Verdict.BLOCKED,
                "something to judge",
                nothing.reason,
                nothing.exchange,
            )
            self.outcomes.add(blocked)
            return False
        if seen is not None:
            exchange = next((a for a in args if isinstance(a, Exchange)), None)
            self.outcomes.add(Outcome(check.name, requirement, Verdict.PASS, None, seen, exchange))
        return True

    @property
    def target(self) -> Target:
        return self.session.target

    @property
    def provisioner(self) -> Provisioner:
        """The run's provisioner; a fixture it cannot make is raised as Blocked (the boundary)."""
        return cast(Provisioner, _GuardedProvisioner(self.session.provisioner))

    @property
    def budgeted(self) -> bool:
        """A live service: its calls are paced and counted (the 400-call plan), so a case sends its core
        requests only, and leaves the extra variants to the targets that cost nothing."""
        return not self.session.settings.shrink

    @property
    def examples(self) -> int:
        """Generated requests per property: `--examples` for the headline's (UpdateDeviceStatus), a
        fifth of it for the other operations' (their boundary examples are all sent either way)."""
        examples = self.session.settings.examples
        if self.requirement.operation == OPERATION:
            return examples
        return max(OTHER_OPERATIONS_MIN_EXAMPLES, examples // OTHER_OPERATIONS_SHARE)

    @property
    def seed(self) -> int:
        return self.session.seed

    def require(self, *operations: str) -> None:
        for operation in operations:
            missing = self.session.missing(operation)
            if missing is not None:
                raise missing

    def call(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        signed: bool | None = None,
        exact_body: bytes | None = None,
    ) -> Exchange:
        self.require(operation)
        skipped = self._hung(operation)
        plan = None if skipped else self._watch_before(operation, params)
        exchange = skipped or self.target.call(operation, params, signed=signed, exact_body=exact_body)
        self._record(exchange)
        self._watch_after(plan, operation, params, exchange)
        return exchange

    def _hung(self, operation: str) -> Exchange | None:
        """An operation that timed out once in this case is not sent again in it: a target that hangs
        on one operation costs one timeout per case, not one per generated example."""
        if operation not in self._timed_out:
            return None
        return Exchange(operation, {}, b"", error=f"not sent: {operation} timed out earlier in this case")

    def update(self, token: str, device_key: Any, status: Any = "remembered", **extra: Any) -> Exchange:
        params: dict[str, Any] = {"AccessToken": token, "DeviceKey": device_key, **extra}
        if status is not None:
            params["DeviceRememberedStatus"] = status
        return self.call(OPERATION, params)

    def send(self, params: dict[str, Any], operation: str = OPERATION) -> Exchange:
        """The operation (UpdateDeviceStatus by default) with exactly these members, invalid ones included.

        botocore drops `null` members and cannot serialise unknown ones, so such a request goes out with
        its body as given: as raw awsJson1_1 (same headers) for an operation the model leaves unsigned,
        through botocore with the body swapped before signing for a SigV4 one (the admin operations).
        """
        shape = RunSession.target_input_shape(operation)
        known = shape.members
        body = json.dumps(params).encode()
        nulls_or_unknown = any(v is None for v in params.values()) or any(k not in known for k in params)
        if nulls_or_unknown and unsigned(operation):
            return self.raw(proper_headers(operation), body, operation=operation)
        # botocore cannot serialise every wrong type (a number for a structure): those go as given too.
        wrong_type = {
            k for k, v in params.items() if k in known and v is not None and not type_ok(known[k], v)
        }
        if not nulls_or_unknown and not wrong_type:
            return self.call(operation, params)
        serialisable = {
            k: v for k, v in params.items() if k in known and v is not None and k not in wrong_type
        }
        return self.call(operation, serialisable, exact_body=body)

    def raw(
        self,
        headers: dict[str, str],
        body: bytes,
        *,
        framing_probe: bool = False,
        operation: str = OPERATION,
    ) -> Exchange:
        """Exact bytes, sent as `operation` (for the probe, the watch and the report). A `framing_probe`
        (a broken target or content type on purpose) is never read as "not implemented": what it gets is
        judged, a 5xx included."""
        self.require(operation)
        skipped = self._hung(operation)
        params = members(body)
        plan = None if skipped or not self.target.wire_path else self._watch_before(operation, params)
        try:
            exchange = skipped or self.target.send_raw(headers, body, operation=operation)
        except RawUnsupported as exc:  # the kind of target, not a fault of it
            raise Blocked(str(exc), limit=True) from None
        self._record(exchange, probe=not framing_probe)
        self._watch_after(plan, operation, params, exchange)
        return exchange

    # --- every request: the devices it could have changed, and secrets in its answer -----------------

    def _watch_before(self, operation: str, params: dict[str, Any]) -> Plan | None:
        """The devices this request could change, read now (watch.py); none for an INFO requirement,
        which records what a target does and judges nothing."""
        if self.requirement.level == "INFO":
            return None
        return self.watch.before(operation, params, self.requirement.statement)

    @property
    def watch(self) -> DeviceWatch:
        if self._watch is None:
            self._watch = DeviceWatch(self.session, everything=self.session.settings.shrink)
        return self._watch

    def _watch_after(
        self, plan: Plan | None, operation: str, params: dict[str, Any], exchange: Exchange
    ) -> None:
        if plan is not None and self._watch is not None:
            self._watch.after(plan, operation, params, exchange, self.requirement_id, self.verify)

    def scan_for_secrets(self, exchange: Exchange) -> None:
        """An error answer of any request made while this case runs must repeat no secret of the run."""
        texts = answer_texts(exchange)
        found = tuple(sorted({p for text in texts for p in SECRETS.found_in(text)}))
        self.verify(no_secret_in_error, exchange, found)

    def _record(self, exchange: Exchange, *, probe: bool = True) -> Exchange:
        """A request of the case: counted, kept, and judged on what every answer owes (PROTO-NO-5XX)."""
        self.sent += 1
        self.exchanges.append(exchange)
        if throttled(exchange):  # still, after the target's retries: its quota, never a verdict
            raise Blocked(f"{exchange.operation} was throttled: {exchange.summary()}", limit=True)
        if exchange.operation and (exchange.error or "").startswith("timeout"):
            self._timed_out.add(exchange.operation)
        if probe and exchange.operation and unimplemented_reason(exchange):
            # Only the probe (the operation's simplest valid request) says an operation is missing; once
            # it answered anything else, a not-implemented answer to this input is a server error.
            missing = self.session.missing(exchange.operation)
            if missing is not None:
                raise missing
        if exchange.answered:
            self.verify(not_5xx, exchange)
        elif no_answer(exchange) and self.session.answered_once and self.session.silence == 1:
            self.verify(an_answer, exchange)
        return exchange

    def shared(self, name: str) -> Any:
        user = self.session.shared(name)
        self._note(provenance_of(name, user))
        return user

    def fresh_user(self, devices: int = 1) -> Any:
        try:
            user = self.session.provisioner.user(devices=devices)
        except FixtureUnavailable as exc:
            raise Blocked(
                f"a fresh user with {devices} device(s) is unavailable: {blocked_reason(exc)}",
                exc.requirement,
                limit=exc.limit,
                silent=exc.silent,
            ) from None
        self._note(provenance_of("fresh user", user))
        return user

    def _note(self, line: str) -> None:
        if line not in self.provenance:
            self.provenance.append(line)

    def admin_device(self, user: Any, device_key: str) -> Exchange:
        return self.call(
            "AdminGetDevice",
            {"UserPoolId": user.pool.id, "Username": user.username, "DeviceKey": device_key},
        )

    def read_status(self, user: Any, device_key: str) -> State:
        """dev:device_remembered_status as AdminGetDevice shows it: UNSET for a device without the
        attribute, ABSENT when the device is not found. Anything else (an error, a 5xx, an answer without
        a device) is Unread: state that could not be read is never taken for "unchanged"."""
        reading = self.watch.known(device_key)
        if reading is None:  # else read since the last request that could change a device: the same
            reading = device_reading(self.admin_device(user, device_key))
            self.watch.keep(device_key, reading)
        return reading.status if isinstance(reading, DeviceRecord) else reading

    def admin_devices(self, user: Any) -> dict[str, dict[str, Any]] | Unread:
        """Every device of the user as AdminListDevices shows it (key -> attributes), or Unread."""
        exchange = self.call("AdminListDevices", {"UserPoolId": user.pool.id, "Username": user.username})
        body = exchange.json if exchange.ok else None
        listed = body.get("Devices") if isinstance(body, dict) else None
        if not isinstance(listed, list):
            return Unread(f"AdminListDevices answered {exchange.summary()}", exchange)
        devices: dict[str, dict[str, Any]] = {}
        for device in listed:
            if isinstance(device, dict) and isinstance(device.get("DeviceKey"), str):
                attributes = device.get("DeviceAttributes") or []
                devices[device["DeviceKey"]] = {
                    str(a.get("Name")): a.get("Value") for a in attributes if isinstance(a, dict)
                }
        return devices

    def twin(self, request: dict[str, Any], operation: str = OPERATION) -> Exchange:
        """The answer to a valid request, sent once per distinct request: a refusal's control."""
        if request.get("AccessToken") == STAND_IN_TOKEN:
            raise Blocked(
                "no signed-in user on this target, so no valid twin request: a refusal cannot be shown "
                "to come from the violation under test"
            )
        key = json.dumps([operation, request], sort_keys=True)
        if key not in self._twins:
            self._twins[key] = self.send(request, operation)
        return self._twins[key]

    def observe(self, what: Any) -> None:
        self.observations.append(what)

    def observed(self) -> AbstractContextManager[list[Exchange]]:
        """Every exchange with the target while inside (`observed`), the provisioner's included."""
        return observed(self.target)
