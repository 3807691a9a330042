"""Run one case and turn what happened into a verdict, explained (DESIGN.md, "Verdicts")."""

from __future__ import annotations

import contextlib
import json
import shlex
import time
from typing import Any

from conformance.contract.catalog import Catalog, Requirement
from conformance.provisioning import FixtureUnavailable
from conformance.secrets import redact, redact_obj
from conformance.targets.exchange import Exchange

from .checks import Blocked, CheckFailure, Skipped, Unimplemented
from .context import CaseContext, RunSession
from .registry import Case
from .verdicts import CaseResult, Verdict

MAX_BODY_SHOWN = 2000
# Credentials, and client noise that says nothing about the request.
HIDDEN_HEADERS = {
    "authorization",
    "x-amz-security-token",
    "user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
}


def run_case(session: RunSession, case: Case, catalog: Catalog) -> CaseResult:
    """Run a case; a FAIL is run once more, and reported as flaky when it does not reproduce."""
    requirement = catalog.get(case.requirement)
    started = time.monotonic()
    result = _attempt(session, case, requirement)
    if result.verdict is Verdict.FAIL:
        again = _attempt(session, case, requirement)
        if again.verdict is not Verdict.FAIL:
            result.flaky = True
            result.reason = (
                f"flaky: did not reproduce on a second run ({again.verdict}); first run: {result.reason}"
            )
    result.duration_s = time.monotonic() - started
    result.family = requirement.family
    result.statement = requirement.statement
    result.sources = [s.describe() for s in requirement.sources]
    spec = session.settings.target_spec
    result.reproduce = (
        f"cognito-conformance run --target {shlex.quote(spec)} --seed {session.seed} --case {case.id}"
    )
    return result


def _attempt(session: RunSession, case: Case, requirement: Requirement) -> CaseResult:
    ctx = CaseContext(session, case)

    def result(verdict: Verdict, reason: str | None = None, expected: Any = None) -> CaseResult:
        return CaseResult(
            case_id=case.id,
            requirement=requirement.id,
            level=requirement.level,
            title=requirement.title,
            verdict=verdict,
            reason=redact(reason) if reason else None,
            expected=expected,
        )

    try:
        ctx.require(*case.ops)  # an unimplemented operation outranks a missing fixture
        case.run(ctx)
    except CheckFailure as failure:
        verdict = _failure_verdict(requirement, failure)
        exchange = failure.exchange or (ctx.exchanges[-1] if ctx.exchanges else None)
        found = result(verdict, str(failure), failure.expected)
        return _finish(ctx, found, exchange, actual=failure.actual, with_curl=True)
    except Unimplemented as exc:
        return _finish(ctx, result(Verdict.UNIMPLEMENTED, str(exc)), None)
    except FixtureUnavailable as exc:
        return _finish(ctx, result(Verdict.BLOCKED, exc.reason), None)
    except Blocked as exc:
        return _finish(ctx, result(Verdict.BLOCKED, str(exc)), None)
    except Skipped as exc:
        return _finish(ctx, result(Verdict.SKIPPED, str(exc)), None)
    except Exception as exc:  # anything else is a bug in the suite: ERROR, explained
        return _finish(ctx, result(Verdict.ERROR, f"the suite failed: {type(exc).__name__}: {exc}"), None)
    last = ctx.exchanges[-1] if ctx.exchanges else None
    if requirement.level == "INFO":
        observed = ctx.observations if len(ctx.observations) != 1 else ctx.observations[0]
        return _finish(
            ctx, result(Verdict.INFORMATIONAL, "recorded what the target did"), last, actual=observed
        )
    return _finish(ctx, result(Verdict.PASS, expected=requirement.statement), last, actual="as documented")


def _failure_verdict(requirement: Requirement, failure: CheckFailure) -> Verdict:
    if requirement.level == "INFO":
        return Verdict.INFORMATIONAL
    if requirement.level == "MUST" and not failure.soft:
        return Verdict.FAIL
    return Verdict.NON_STRICT


def _finish(
    ctx: CaseContext,
    result: CaseResult,
    exchange: Exchange | None,
    *,
    actual: Any = None,
    with_curl: bool = False,
) -> CaseResult:
    result.examples = ctx.sent
    result.actual = redact_obj(actual) if actual is not None else result.actual
    result.error_types = sorted({e.error_type for e in ctx.exchanges if e.error_type and not e.ok})
    if exchange is not None:
        result.example = example_of(exchange)
        if with_curl:
            result.curl = curl_line(exchange, ctx.target.endpoint, ctx.target.region)
    return result


def example_of(exchange: Exchange) -> Any:
    """The exchange as a report shows it: redacted, credentials dropped, long bodies cut."""
    request_headers = {k: v for k, v in exchange.request_headers.items() if k.lower() not in HIDDEN_HEADERS}
    body = exchange.body.decode("utf-8", "replace")
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
