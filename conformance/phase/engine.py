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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from conformance.contract.extract import OPERATION
from conformance.contract.openapi import openapi_document, register_schemathesis
from conformance.targets.exchange import Exchange
from conformance.targets.target import Target

from .bridge import NoAnswer, TargetApp
from .credentials import RealCredentials
from .kinds import RequestKind

# schemathesis's checks the phase runs, and the requirement each failure breaks. A response-schema
# failure is the success body's on a 2xx, the error type's otherwise (the document's error schemas
# constrain `__type` and X-Amzn-ErrorType, nothing else).
CHECK_REQUIREMENTS: dict[str, str] = {
    "not_a_server_error": "PROTO-NO-5XX",
    "status_code_conformance": "PROTO-STATUS-SPLIT",
    "content_type_conformance": "PROTO-CONTENT-TYPE",
    "response_headers_conformance": "PROTO-ERROR-TYPE",
    "response_schema_conformance": "PROTO-ERROR-TYPE",
    "negative_data_rejection": "(the request's kind)",
    "positive_data_acceptance": "(the request's kind)",
}
SUCCESS_SCHEMA_REQUIREMENT = "PROTO-SUCCESS-BODY"
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


@dataclass
class Answer:
    """One request the phase sent, what came back, and what schemathesis's checks said of it."""

    exchange: Exchange
    phase: str
    mode: str  # schemathesis's generation mode: positive or negative
    results: list[StResult] = field(default_factory=list)
    kind: RequestKind | None = None  # what the request tests, read once by the cases (kinds.classify)


@dataclass
class Findings:
    answers: list[Answer] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # schemathesis's own errors (not the target's)
    credentials: dict[str, str] = field(default_factory=dict)  # the real AccessToken and DeviceKey
    # case id -> the answers that failed its first attempt (its second attempt sends them again)
    failing: dict[str, list[Answer]] = field(default_factory=dict)


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


def run_phase(target: Target, credentials: dict[str, str], *, seed: int, examples: int) -> Findings:
    """Drive schemathesis against `target` with the given real member values; every answer kept."""
    register_schemathesis()
    app = TargetApp(target)
    document = schemathesis.openapi.from_dict(openapi_document(), config=config(seed, examples))
    document.app = app
    schema = document.include(operation_id=OPERATION)
    schema.auth()(_provider(credentials))
    findings = Findings(credentials=credentials)
    engine = from_schema(schema).execute()
    for event in engine:
        if isinstance(event, events.ScenarioFinished):
            findings.answers += _answers(event, app)
        elif isinstance(event, events.NonFatalError) and not isinstance(event.value, NoAnswer):
            findings.errors.append(f"{event.label}: {type(event.value).__name__}: {event.value}")
        elif isinstance(event, events.FatalError):
            findings.errors.append(f"{type(event.exception).__name__}: {event.exception}")
        if target.stopped is not None:
            engine.stop()
    # Answers without a scenario (a request whose scenario errored, the target gone silent) still count.
    recorded = {id(a.exchange) for a in findings.answers}
    findings.answers += [Answer(x, "", "") for x in app.exchanges.values() if id(x) not in recorded]
    return findings


def _provider(credentials: dict[str, str]) -> type[RealCredentials]:
    """schemathesis instantiates auth providers itself, without arguments: a class bound to the values."""

    class Provider(RealCredentials):
        def __init__(self) -> None:
            super().__init__(credentials)

    return Provider


def _answers(event: events.ScenarioFinished, app: TargetApp) -> Iterable[Answer]:
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
        results = list(by_check.values())
        yield Answer(
            exchange,
            phase=str(event.phase.value if hasattr(event.phase, "value") else event.phase),
            mode=str(meta.generation.mode.value) if meta is not None else "",
            results=results,
        )


def _describe(failure: Any) -> str:
    """A failure's title and the first line of its message (the rest repeats the request)."""
    first = str(failure.message).strip().splitlines()
    return f"{failure.title}: {first[0]}" if first else str(failure.title)
