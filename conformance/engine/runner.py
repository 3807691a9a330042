"""Run one case and turn what happened into a verdict, explained (docs/design.md, "Verdicts")."""

from __future__ import annotations

import contextlib
import json
import shlex
import time
from dataclasses import dataclass
from typing import Any, cast

from conformance.contract import ids
from conformance.contract.catalog import Catalog, Requirement
from conformance.judge.outcomes import Outcome
from conformance.judge.signals import Blocked, CaseStopped
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.secrets import redact, redact_obj
from conformance.targets.exchange import Exchange

from .context import CaseContext, OperationMissing, RunSession
from .registry import Case

MAX_BODY_SHOWN = 2000
# Credentials, and client noise that says nothing about the request.
HIDDEN_HEADERS = {
    "authorization",
    "x-amz-security-token",
    "user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
}


@dataclass
class RunResult(CaseResult):
    """A case's result as the runner concludes it: with, for an UNIMPLEMENTED, the operation the target
    does not implement and its words (`unimplemented` in results.json), as data for the reports."""

    unimplemented: dict[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        out = super().as_json()
        if self.unimplemented is not None and self.verdict is Verdict.UNIMPLEMENTED:
            out["unimplemented"] = redact_obj(self.unimplemented)
        return out


def run_case(session: RunSession, case: Case, catalog: Catalog) -> CaseResult:
    """Run a case; a FAIL is run once more, and reported as flaky when it does not reproduce."""
    requirement = catalog.get(case.requirement)
    started = time.monotonic()
    result, kept = _attempt(session, case, requirement, 1, None)
    if result.verdict is Verdict.FAIL:
        again, _ = _attempt(session, case, requirement, 2, kept)
        if again.verdict is not Verdict.FAIL:
            result.flaky = True
            result.reason = (
                f"flaky: did not reproduce on a second run ({again.verdict}); first run: {result.reason}"
            )
    result.duration_s = time.monotonic() - started
    spec = session.settings.target_spec
    result.reproduce = (
        f"cognito-conformance run --target {shlex.quote(spec)} --seed {session.seed} --case {case.id}"
    )
    return result


def _attempt(
    session: RunSession, case: Case, requirement: Requirement, attempt: int, carried: Any
) -> tuple[CaseResult, Any]:
    """One run of the case: its result, and what it kept for a re-run (`CaseContext.carry`)."""
    ctx = CaseContext(session, case.id, case.requirement, attempt=attempt, carried=carried)
    stopped: tuple[Verdict, str] | None = None  # a case that could not go on, and why
    blocker: Blocked | None = None
    missing: OperationMissing | None = None
    session.current = ctx  # every answer while the case runs is judged in it (secrets)
    try:
        with session.recording(case.id, attempt):
            ctx.require(*case.ops)  # an unimplemented operation outranks a missing fixture
            case.run(ctx)
    except CaseStopped as exc:
        stopped = (exc.verdict, exc.describe())
        blocker = exc if isinstance(exc, Blocked) else None
        missing = exc if isinstance(exc, OperationMissing) else None
    except Exception as exc:  # anything else is a bug in the suite: ERROR, explained
        stopped = (Verdict.ERROR, f"the suite failed: {type(exc).__name__}: {exc}")
    finally:
        session.current = None
    result = _conclude(ctx, requirement, stopped)
    if result.verdict is Verdict.UNIMPLEMENTED and missing is not None:
        result.unimplemented = {"operation": missing.operation, "evidence": missing.evidence}
    if result.verdict is Verdict.BLOCKED:
        _explain_blocked(result, blocker, ctx.outcomes.worst(requirement.id), ctx.throttled)
    return result, ctx.carry


def _explain_blocked(
    result: CaseResult, blocker: Blocked | None, worst: Outcome | None, throttled: Exchange | None
) -> None:
    """A BLOCKED is a limit outside the target (neutral), or names the requirement whose FAIL explains
    it: the one the blocker named; PROTO-NO-5XX where a request of the case got no answer (the first
    such is its FAIL: CaseContext._record); else FLOW-TEST-SUPPORT (what every test relies on broke)."""
    if blocker is not None and (blocker.limit or blocker.silent):
        result.blocked = {"cause": "limit" if blocker.limit else "stopped", "requirement": None}
        return
    if throttled is not None:  # a read or a fixture the target's quota refused: a limit, said as such
        result.blocked = {"cause": "limit", "requirement": None}
        result.reason = f"{result.reason}; the target throttled a call: {throttled.summary()}"
        return
    exchange = worst.exchange if blocker is None and worst is not None else None
    if exchange is not None and not exchange.answered:
        named = ids.PROTO_NO_5XX
    elif blocker is not None and blocker.requirement:
        named = blocker.requirement
    else:
        named = ids.FLOW_TEST_SUPPORT
    result.blocked = {"cause": "target", "requirement": named}
    if named not in (result.reason or ""):
        result.reason = f"{result.reason} (the target FAILs {named} here: see that case)"


def _conclude(ctx: CaseContext, requirement: Requirement, stopped: tuple[Verdict, str] | None) -> RunResult:
    """The verdict is the worst outcome; a FAIL seen before the case had to stop still counts."""
    worst = ctx.outcomes.worst(requirement.id)
    result = cast(  # `of` builds its own class: a RunResult
        RunResult,
        RunResult.of(
            ctx.case_id,
            requirement,
            Verdict.PASS,
            outcomes=[_outcome_json(o, ctx) for o in ctx.outcomes],
            steps=ctx.steps,
            provenance=redact_obj(ctx.provenance),
        ),
    )
    failing = worst is not None and worst.verdict in (Verdict.FAIL, Verdict.NON_STRICT)
    if stopped is not None and stopped[0] is Verdict.ERROR:
        result.verdict, result.reason = stopped
        return _finish(ctx, result, None)
    if worst is not None and failing:
        return _judged(ctx, result, worst, stopped)
    if stopped is not None:
        result.verdict, result.reason = stopped
        return _finish(ctx, result, None)
    if requirement.level == "INFO":
        observed = ctx.observations if len(ctx.observations) != 1 else ctx.observations[0]
        result.verdict, result.reason = Verdict.INFORMATIONAL, "recorded what the target did"
        last = ctx.exchanges[-1] if ctx.exchanges else None
        return _finish(ctx, result, last, actual=observed)
    if worst is None:
        result.verdict = Verdict.BLOCKED
        result.reason = "nothing to judge: no check of this case saw an answer it could judge"
        return _finish(ctx, result, None)
    return _judged(ctx, result, worst, None)


def _judged(
    ctx: CaseContext, result: RunResult, worst: Outcome, stopped: tuple[Verdict, str] | None
) -> RunResult:
    """The verdict of the worst outcome; a PASS lists what each check saw."""
    result.verdict = worst.verdict
    if worst.verdict is Verdict.PASS:
        result.expected = ctx.requirement.statement
        seen = [f"{o.check}: {o.actual}" for o in ctx.outcomes if o.verdict is Verdict.PASS]
        last = ctx.exchanges[-1] if ctx.exchanges else None
        return _finish(ctx, result, worst.exchange or last, actual=seen if len(seen) > 1 else seen[0])
    others = len(ctx.outcomes) - 1
    result.reason = worst.describe() + (f" (and {others} more outcome(s))" if others else "")
    if stopped is not None:
        result.reason += f"; then the case stopped: {stopped[1]}"
    result.expected = worst.expected
    result.trail = redact_obj(list(worst.trail)) if worst.trail else None
    # A state check has no exchange of its own: the request under test that came before it decided it.
    updates = [e for e in ctx.exchanges if e.operation == ctx.requirement.operation]
    candidates = updates or ctx.exchanges
    exchange = worst.exchange or (candidates[-1] if candidates else None)
    with_curl = worst.verdict in (Verdict.FAIL, Verdict.NON_STRICT)
    return _finish(ctx, result, exchange, actual=worst.actual, with_curl=with_curl)


def _outcome_json(outcome: Outcome, ctx: CaseContext) -> dict[str, Any]:
    # A failing outcome with an exchange carries its curl line: where it is seen in another case than its
    # requirement's own, it may decide that requirement's result (engine/merge.py), which then shows it.
    exchange, failing = outcome.exchange, outcome.verdict in (Verdict.FAIL, Verdict.NON_STRICT)
    curl = curl_line(exchange, ctx.target.endpoint, ctx.target.region) if failing and exchange else None
    return {
        "check": outcome.check,
        "requirement": outcome.requirement,
        "verdict": str(outcome.verdict),
        "expected": redact_obj(outcome.expected),
        "actual": redact_obj(outcome.actual),
        "count": outcome.count,
        **({"trail": redact_obj(list(outcome.trail))} if outcome.trail else {}),
        "exchange": example_of(outcome.exchange) if outcome.exchange is not None else None,
        **({"curl": curl} if curl else {}),
    }


def _finish(
    ctx: CaseContext,
    result: RunResult,
    exchange: Exchange | None,
    *,
    actual: Any = None,
    with_curl: bool = False,
) -> RunResult:
    result.reason = redact(result.reason) if result.reason else None
    result.examples = ctx.sent
    result.actual = redact_obj(actual) if actual is not None else result.actual
    # Error coverage counts the operation under test only (a provisioning or read call is not it).
    judged = ctx.requirement.operation
    result.error_types = sorted(
        {e.error_type for e in ctx.exchanges if e.error_type and not e.ok and e.operation == judged}
    )
    if exchange is not None:
        result.example = example_of(exchange)
        if with_curl:
            result.curl = curl_line(exchange, ctx.target.endpoint, ctx.target.region)
    return result


def example_of(exchange: Exchange) -> Any:
    """The exchange as a report shows it: redacted, credentials dropped, long bodies cut."""
    request_headers = {k: v for k, v in exchange.request_headers.items() if k.lower() not in HIDDEN_HEADERS}
    # Redacted before it is cut: a token cut in half is no longer a registered secret nor JWT-shaped (a
    # sign-in's answer, which a device-flow FAIL shows, carries three).
    body = redact(exchange.body.decode("utf-8", "replace"))
    return redact_obj(
        {
            "request": {
                "operation": exchange.operation,
                "headers": request_headers,
                "body": exchange.request_body.decode("utf-8", "replace"),
            },
            "response": {
                "status": exchange.status,
                "headers": exchange.headers,
                "body": body if len(body) <= MAX_BODY_SHOWN else body[:MAX_BODY_SHOWN] + "...",
                "error": exchange.error,
            },
        }
    )


def curl_line(exchange: Exchange, endpoint: str | None, region: str) -> str:
    """A command that resends the request; the token is left to the shell as $ACCESS_TOKEN."""
    url = endpoint or f"https://cognito-idp.{region}.amazonaws.com/"
    parts = ["curl", "-sS", "-i", "-X", "POST", shlex.quote(url)]
    for name, value in exchange.request_headers.items():
        if name.lower() in ("content-type", "x-amz-target"):
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = redact(exchange.request_body.decode("utf-8", "replace"))
    with contextlib.suppress(ValueError):
        body = json.dumps(json.loads(body), separators=(",", ":"))
    quoted = shlex.quote(body).replace("$ACCESS_TOKEN", "'\"$ACCESS_TOKEN\"'")
    parts += ["--data-raw", quoted]
    return redact(" ".join(parts))
