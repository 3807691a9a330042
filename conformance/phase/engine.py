"""Run schemathesis's engine on UpdateDeviceStatus through the suite's Target, and keep what it found.

The configuration, and why:
- the coverage phase (every boundary and negative value the schema implies, deterministic) and the
  fuzzing phase (Hypothesis, `examples` per generation mode), positive and negative data; the
  examples phase has nothing to draw from, the stateful one would need links awsJson1_1 cannot express;
- no unexpected methods: awsJson1_1 defines POST / only, and no requirement says what else gets;
- the checks that have a requirement to answer to (`CHECK_REQUIREMENTS`); the rest are off: they
  assume REST (`unsupported_method`, `missing_required_header`, the resource checks) or judge time;
- UpdateDeviceStatus only: the other operations of `specs/openapi.json` serve the device flow, and
  the catalog's requirements are UpdateDeviceStatus's;
- the run's seed, no example database, no cache on disk: same seed, same requests.

schemathesis takes Ctrl-C (and SIGTERM, which the run turns into an interrupt) for the end of its own
run and returns; the phase raises it again, so that the suite's run ends there as anywhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import StopReason, events, from_schema

from conformance.contract import ids
from conformance.contract.constraints import Kind
from conformance.contract.extract import OPERATION
from conformance.contract.openapi import openapi_document, register_schemathesis
from conformance.targets.exchange import Exchange
from conformance.targets.target import Target

from .bridge import NoAnswer, RequestWatch, TargetApp
from .credentials import RealCredentials
from .kinds import RequestKind, classify

# schemathesis's checks the phase runs, and the requirement each failure breaks. A response-schema
# failure is the success body's on a 2xx, the error type's otherwise (the document's error schemas
# constrain `__type` and X-Amzn-ErrorType, nothing else).
CHECK_REQUIREMENTS: dict[str, str] = {
    "not_a_server_error": ids.PROTO_NO_5XX,
    "status_code_conformance": ids.PROTO_STATUS_SPLIT,
    "content_type_conformance": ids.PROTO_CONTENT_TYPE,
    "response_headers_conformance": ids.PROTO_ERROR_TYPE,
    "response_schema_conformance": ids.PROTO_ERROR_TYPE,
    "negative_data_rejection": "(the request's kind)",
    "positive_data_acceptance": "(the request's kind)",
}
SUCCESS_SCHEMA_REQUIREMENT = ids.PROTO_SUCCESS_BODY
OFF_CHECKS = (
    "use_after_free",
    "ensure_resource_availability",
    "missing_required_header",
    "ignored_auth",
    "object_level_authorization",
    "unsupported_method",
    "allow_header_conformance",
)


@dataclass(frozen=True)
class StResult:
    """What one of schemathesis's checks said of one answer: held (`failure` None) or not, and why."""

    check: str
    failure: str | None = None


@dataclass(frozen=True)
class Answer:
    """One request the phase sent, what came back, what it tests, and what schemathesis's checks said."""

    exchange: Exchange
    phase: str
    mode: str  # schemathesis's generation mode: positive or negative
    kind: RequestKind  # what the request tests (kinds.classify)
    results: tuple[StResult, ...] = ()
    watched: tuple[Any, ...] = ()  # what the request did to the devices, as the phase's watch saw it


@dataclass(frozen=True)
class Findings:
    """Everything the phase sent and got, read by the phase's cases and changed by none."""

    answers: tuple[Answer, ...]
    errors: tuple[str, ...]  # schemathesis's own errors (not the target's)
    credentials: Mapping[str, str]  # the real AccessToken and DeviceKey


Rules = Mapping[str, tuple[tuple[str, Kind], ...]]


def config(seed: int, examples: int) -> SchemathesisConfig:
    checks: dict[str, dict[str, bool]] = {name: {"enabled": True} for name in CHECK_REQUIREMENTS}
    checks |= {name: {"enabled": False} for name in OFF_CHECKS}
    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "continue-on-failure": True,
            "cache": {"enabled": False},
            "generation": {"max-examples": examples, "mode": "all", "database": "none"},
            "phases": {
                "examples": {"enabled": False},
                "stateful": {"enabled": False},
                "coverage": {"unexpected-methods": []},
            },
            "checks": checks,
        }
    )


def run_phase(
    target: Target,
    credentials: dict[str, str],
    *,
    seed: int,
    examples: int,
    rules: Rules,
    watch: RequestWatch | None = None,
) -> Findings:
    """Drive schemathesis against `target` with the given real member values; every answer kept, with
    what its request tests (`rules`: each VAL-* requirement's broken rules, kinds.classify) and what
    `watch` saw it do to the devices."""
    register_schemathesis()
    app = TargetApp(target, watch)
    document = schemathesis.openapi.from_dict(openapi_document(), config=config(seed, examples))
    document.app = app
    schema = document.include(operation_id=OPERATION)
    schema.auth()(_provider(credentials))
    answers: list[tuple[Exchange, str, str, tuple[StResult, ...]]] = []
    errors: list[str] = []
    interrupted = stopped_here = False
    engine = from_schema(schema).execute()
    try:
        for event in engine:
            if isinstance(event, events.ScenarioFinished):
                answers += _answers(event, app)
            elif isinstance(event, events.NonFatalError) and not isinstance(event.value, NoAnswer):
                errors.append(f"{event.label}: {type(event.value).__name__}: {event.value}")
            elif isinstance(event, events.FatalError):
                errors.append(f"{type(event.exception).__name__}: {event.exception}")
            interrupted = interrupted or _interrupted(event)
            if target.stopped is not None:
                stopped_here = True
                engine.stop()
    except BaseException:
        # Raised here, between two events (an interrupt, a bug): schemathesis's workers are stopped and
        # waited for, so that none still sends while cleanup deletes the pool.
        engine.stop()
        engine.generator.close()
        raise
    if interrupted and not stopped_here:
        # Ctrl-C, or SIGTERM (which the run's cleanup turns into an interrupt), that schemathesis took for
        # the end of its own run: the suite's run ends too (app/run.py tells which signal it was).
        raise KeyboardInterrupt("interrupted during the schemathesis phase")
    # Answers without a scenario (a request whose scenario errored, the target gone silent) still count.
    recorded = {id(exchange) for exchange, *_ in answers}
    answers += [(x, "", "", ()) for x in app.exchanges.values() if id(x) not in recorded]
    return Findings(
        answers=tuple(
            Answer(x, phase, mode, classify(x, rules, credentials), results, app.watched.get(id(x), ()))
            for x, phase, mode, results in answers
        ),
        errors=tuple(errors),
        credentials=credentials,
    )


def _interrupted(event: events.EngineEvent) -> bool:
    """Whether schemathesis says its run was interrupted: Ctrl-C or SIGTERM, or the phase's own stop
    (`engine.stop()`, which schemathesis cannot tell from a signal)."""
    if isinstance(event, events.EngineFinished):
        return event.stop_reason is StopReason.INTERRUPTED
    return isinstance(event, events.Interrupted)


def _provider(credentials: dict[str, str]) -> type[RealCredentials]:
    """schemathesis instantiates auth providers itself, without arguments: a class bound to the values."""

    class Provider(RealCredentials):
        def __init__(self) -> None:
            super().__init__(credentials)

    return Provider


def _answers(
    event: events.ScenarioFinished, app: TargetApp
) -> Iterable[tuple[Exchange, str, str, tuple[StResult, ...]]]:
    """(exchange, phase, generation mode, schemathesis's results) of each request the scenario sent."""
    recorder = event.recorder
    for case_id, node in recorder.cases.items():
        exchange = app.exchanges.get(case_id)
        if exchange is None:
            continue  # generated, never sent (filtered, or the scenario stopped first)
        meta = node.value.meta
        # A check may be recorded more than once for a case (schemathesis re-checks to confirm): a
        # failure wins over a pass, once per check.
        by_check: dict[str, StResult] = {}
        for check in recorder.checks.get(case_id, []):
            failure = _describe(check.failure_info.failure) if check.failure_info else None
            if failure is not None or check.name not in by_check:
                by_check[check.name] = StResult(check.name, failure)
        phase = str(event.phase.value if hasattr(event.phase, "value") else event.phase)
        mode = str(meta.generation.mode.value) if meta is not None else ""
        yield exchange, phase, mode, tuple(by_check.values())


def _describe(failure: Any) -> str:
    """A failure's title and the first line of its message (the rest repeats the request)."""
    first = str(failure.message).strip().splitlines()
    return f"{failure.title}: {first[0]}" if first else str(failure.title)
