"""The schemathesis phase's cases: one per requirement its answers are judged on (`SCHEMATHESIS-<id>`).

The phase runs once per run (`findings` below, `conformance/phase/`), and its findings are frozen; each case
judges its requirement on every answer that bears on it, with the suite's check for that requirement
and the schemathesis checks mapped to it (`phase.engine.CHECK_REQUIREMENTS`). Answers are judged
smallest request first, so the exchange a failure shows is its smallest example. A FAIL is run twice
like any case: the second attempt sends the failing requests again and judges the new answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from conformance.cases.common import TOKEN
from conformance.cases.validation import RULES
from conformance.contract import ids
from conformance.contract.extract import OPERATION
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.engine.watch import DeviceWatch, Plan
from conformance.judge import checks
from conformance.judge.check import Check, check, register
from conformance.judge.checks import (
    accepted,
    refused,
    refused_for_the_violation,
    wire_error_type,
    wire_refused,
)
from conformance.judge.signals import Blocked, CheckFailure, NothingToJudge, SuiteFailed
from conformance.phase.engine import (
    CHECK_REQUIREMENTS,
    SUCCESS_SCHEMA_REQUIREMENT,
    Answer,
    Findings,
    StResult,
    run_phase,
)
from conformance.phase.kinds import VALID_KINDS
from conformance.targets.exchange import Exchange

PREFIX = "SCHEMATHESIS-"
NOT_FOUND = "ResourceNotFoundException"
# Requirements every answer is judged on, each by the suite's check for it.
ANSWER_CHECKS: dict[str, Check[[Exchange]]] = {
    str(check.requirement): check
    for check in (
        checks.not_5xx,
        checks.content_type,
        checks.status_split,
        checks.error_type_known,
        checks.error_type_plain,
        checks.message,
        checks.request_id,
        checks.success_body,
    )
}
# Requirements judged on the answers to the requests that test them (`phase.kinds`).
KIND_REQUIREMENTS = (
    *RULES,
    ids.PROTO_UNKNOWN_TARGET,
    ids.PROTO_WRONG_CONTENT_TYPE,
    ids.PROTO_MALFORMED_JSON,
    *VALID_KINDS,
)


def findings(ctx: CaseContext) -> Findings:
    """The schemathesis phase, run once per run (on first use) with the phase user's real token and
    device; every phase case reads the same frozen findings."""
    return ctx.session.once("schemathesis phase", lambda: _run_phase(ctx))


def _run_phase(ctx: CaseContext) -> Findings:
    target = ctx.target
    if not target.wire_path:
        raise Blocked(f"the schemathesis phase needs the HTTP wire path, {target.kind} has none", limit=True)
    user = ctx.session.shared("user_phase")
    credentials = {"AccessToken": user.access_token, "DeviceKey": user.devices[0].key}
    examples = ctx.session.settings.schemathesis
    watch = PhaseWatch(DeviceWatch(ctx.session, everything=ctx.session.settings.shrink))
    with ctx.session.apart():  # the phase's answers are judged by every phase case, not the one running
        return run_phase(target, credentials, seed=ctx.seed, examples=examples, rules=RULES, watch=watch)


# Where the watch's check calls name the requirement of the refusal: the answer's own, filled in when a
# phase case judges the answer (`_judge_watched`).
ANSWERS_REQUIREMENT = "(the requirement the answer bears on)"


class PhaseWatch:
    """The engine's device watch around every request the phase sends (phase/bridge.py RequestWatch):
    what each request did to the devices is read at once, and kept with its answer as the checks to
    make, which the phase case the answer bears on makes (a refusal changes nothing; an accepted update
    changes only the status, to the one sent)."""

    def __init__(self, watch: DeviceWatch) -> None:
        self.watch = watch

    def before(self, params: Mapping[str, Any]) -> Plan | None:
        return self.watch.before(OPERATION, params, "a refusal changes nothing")

    def after(self, plan: Plan | None, params: Mapping[str, Any], exchange: Exchange) -> tuple[Any, ...]:
        if plan is None:
            return ()
        calls: list[tuple[Check[...], tuple[Any, ...]]] = []

        def keep(made: Check[...], *args: Any) -> bool:
            calls.append((made, args))
            return True

        self.watch.after(plan, OPERATION, params, exchange, ANSWERS_REQUIREMENT, keep)
        return tuple(calls)


def _judge_watched(ctx: CaseContext, answer: Answer) -> bool:
    """What the answer's request did to the devices, judged in this case: a refusal's under its
    requirement, an accepted update's under the state requirements its checks name."""
    held = True
    for made, args in answer.watched:
        named = tuple(ctx.requirement_id if a is ANSWERS_REQUIREMENT else a for a in args)
        held = ctx.verify(made, *named) and held
    return held


def st_requirements(result: StResult, answer: Answer) -> tuple[str, ...]:
    """The requirements a schemathesis check's verdict on `answer` bears on."""
    if result.check == "positive_data_acceptance":
        # Schema-valid is not valid: a generated token or key is refused by design (kinds.py), and a
        # refusal for a device that is gone is not the phase's to judge (authorized()).
        kind = answer.kind
        return kind.requirements if kind.valid and answer.exchange.error_type != NOT_FOUND else ()
    if result.check == "negative_data_rejection":
        return answer.kind.requirements
    if result.check == "response_schema_conformance" and answer.exchange.ok:
        return (SUCCESS_SCHEMA_REQUIREMENT,)
    return (CHECK_REQUIREMENTS[result.check],)


@cache
def schemathesis_check(name: str) -> Check[[str, StResult, Exchange, bool]]:
    """schemathesis's check `name` as one of the suite's, registered once: its failure breaks the
    requirement it is given, as a SHOULD when `soft` (the suite's own check of that requirement saw no
    MUST broken: the catalog's reading decides the level, e.g. a body `__type` that disagrees with
    X-Amzn-ErrorType)."""

    def judged(requirement: str, result: StResult, exchange: Exchange, soft: bool) -> str:
        if result.failure is not None:
            expected = f"schemathesis's {name} to hold"
            raise CheckFailure(requirement, expected, result.failure, exchange, soft=soft)
        return f"schemathesis's {name} held"

    return register(f"schemathesis {name}", None, judged)


def breaks_a_must(check: Check[[Exchange]], *args: Exchange) -> bool:
    """Whether the suite's `check` finds a MUST broken (a hard failure) in what it is given."""
    try:
        check(*args)
    except CheckFailure as failure:
        return not failure.soft and failure.level is None
    except NothingToJudge:
        return False
    return False


def _judge_schemathesis(ctx: CaseContext, answer: Answer, *, soft: bool = False) -> bool:
    """schemathesis's checks that bear on this case's requirement; False when one failed."""
    held = True
    for result in answer.results:
        if ctx.requirement_id in st_requirements(result, answer):
            check = schemathesis_check(result.check)
            held = ctx.verify(check, ctx.requirement_id, result, answer.exchange, soft) and held
    return held


def _judge_answer(ctx: CaseContext, answer: Answer) -> bool:
    """The suite's check for an answer-wide requirement, then schemathesis's mapped to it."""
    check = ANSWER_CHECKS[ctx.requirement_id]
    held = ctx.verify(check, answer.exchange)
    soft = held or not breaks_a_must(check, answer.exchange)  # looked at again only when it failed
    return _judge_schemathesis(ctx, answer, soft=soft) and held


@check()
def authorized(requirement: str, exchange: Exchange) -> str | None:
    """A valid unsigned request with the real token is accepted. ResourceNotFoundException got past
    authorization and validation, but says the phase's device is gone: whether it should be is the
    STATE-* cases' to judge, so there is nothing to judge here."""
    if exchange.error_type == NOT_FOUND:
        raise NothingToJudge(requirement, "the phase's device is gone (ResourceNotFoundException)", exchange)
    return accepted(requirement, exchange)


def _judge_kind(ctx: CaseContext, answer: Answer) -> bool | None:
    """The answer to a request that tests this case's requirement: refused as documented, or accepted."""
    req, kind, exchange = ctx.requirement, answer.kind, answer.exchange
    if req.id not in kind.requirements:
        return None
    if kind.valid:
        held = ctx.verify(authorized, req.id, exchange)
    elif req.id in VALID_KINDS:  # a valid request refused for its token or its device
        held = ctx.verify(refused, req.id, exchange, req.expect)
    elif kind.framing:
        held = ctx.verify(wire_refused, req.id, exchange, kind.label)
        if held:
            soft = req.expect_level == "SHOULD"
            held = ctx.verify(wire_error_type, req.id, exchange, req.expect, kind.label, soft=soft)
    else:
        held = ctx.verify(refused, req.id, exchange, req.expect)
        held = ctx.verify(refused_for_the_violation, req.id, exchange, kind.violations) and held
    held = _judge_watched(ctx, answer) and held
    return _judge_schemathesis(ctx, answer) and held


def _judge_echo(ctx: CaseContext, answer: Answer) -> bool | None:
    """The real token is never repeated in an answer. Only the real one: schemathesis also sends
    strings it read from the document ("x-amzn-errortype"), which an answer may well contain."""
    body = answer.exchange.request_json()
    real = findings(ctx).credentials[TOKEN]
    if not isinstance(body, dict) or body.get(TOKEN) != real:
        return None
    return ctx.verify(checks.secret_not_echoed, answer.exchange, real)


def _again(ctx: CaseContext, answer: Answer) -> Answer:
    """The same request sent once more. schemathesis's verdicts carry over only to the same answer."""
    sent = answer.exchange
    exchange = ctx.raw(sent.request_headers, sent.request_body, framing_probe=True)
    same = (exchange.status, exchange.content_type, exchange.body) == (
        sent.status,
        sent.content_type,
        sent.body,
    )
    return Answer(exchange, answer.phase, answer.mode, answer.kind, answer.results if same else ())


class PhaseError(SuiteFailed):
    """schemathesis reported an error of its own: a suite ERROR, never a verdict on the target."""


# A judge: False when the answer broke something, None when it does not bear on the requirement.
Judge = Callable[[CaseContext, Answer], "bool | None"]


def _phase_case(judge: Judge) -> Callable[[CaseContext], None]:
    def run(ctx: CaseContext) -> None:
        found = findings(ctx)
        if found.errors:  # schemathesis itself failed (not the target): the phase judged part of it
            raise PhaseError(f"schemathesis failed: {found.errors[0]}")
        again: list[Answer] | None = ctx.carried  # the first attempt's failing answers, on a re-run
        if again is None:
            answers = sorted(found.answers, key=lambda a: len(a.exchange.request_body))
        else:  # the second attempt of a FAIL sends them again
            answers = [_again(ctx, a) for a in again]
        failing = []
        for answer in answers:
            held = judge(ctx, answer)
            if held is False:
                failing.append(answer)
            if held is not None and again is None:
                ctx.sent += 1  # the answers this case judged (the phase sent them)
        ctx.carry = failing

    run.__doc__ = f"The schemathesis phase's answers, judged by {judge.__name__}."
    return run


def _register() -> None:
    judges: dict[str, Judge] = dict.fromkeys(ANSWER_CHECKS, _judge_answer)
    judges |= dict.fromkeys(KIND_REQUIREMENTS, _judge_kind)
    judges[ids.VAL_SENSITIVE_NOT_ECHOED] = _judge_echo
    for requirement, judge in judges.items():
        case(PREFIX + requirement, requirement=requirement, schemathesis=True)(_phase_case(judge))


_register()
