"""The schemathesis phase's cases: one per requirement its answers are judged on (`SCHEMATHESIS-<id>`).

The phase runs once per run (`findings` below, `conformance/phase/`), on every device operation the run
judges, and its findings are frozen; each case judges its requirement on every answer that bears on it,
with the suite's check for that requirement and the schemathesis checks mapped to it
(`phase.engine.CHECK_REQUIREMENTS`). The answer-wide requirements (PROTO-NO-5XX, PROTO-ERROR-TYPE, ...)
and VAL-SENSITIVE-NOT-ECHOED are judged on the answers of every operation, each against its own
operation's contract (its modeled errors); PROTO-SUCCESS-BODY, whose statement is UpdateDeviceStatus's
`{}`, on UpdateDeviceStatus's. A request that breaks a rule is judged by the validation requirement of
the operation it was sent to: UpdateDeviceStatus's VAL-* by rule, another operation's `-VAL-REQUIRED`,
`-VAL-CONSTRAINTS` or `-VAL-WRONG-TYPE` (one phase case each: `SCHEMATHESIS-LIST-VAL-CONSTRAINTS`).
Answers are judged smallest request first, so the exchange a failure shows is its smallest example. A
FAIL is run twice like any case: the second attempt sends the failing requests again and judges the
new answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from conformance.cases.common import TOKEN
from conformance.cases.devices.common import FORGETTING, SUBJECTS, requirement_id
from conformance.cases.validation import RULES
from conformance.contract import ids
from conformance.contract.catalog import OPERATIONS
from conformance.contract.constraints import Kind
from conformance.contract.extract import OPERATION
from conformance.engine.context import OTHER_OPERATIONS_MIN_EXAMPLES, OTHER_OPERATIONS_SHARE, CaseContext
from conformance.engine.registry import case, selected
from conformance.engine.settings import RunSettings
from conformance.engine.watch import DeviceWatch, Plan
from conformance.judge import checks
from conformance.judge.check import Check, check, register
from conformance.judge.checks import (
    COGNITO_VALIDATION,
    accepted,
    passes_validation,
    refused,
    refused_for_the_violation,
    wire_error_type,
    wire_refused,
)
from conformance.judge.signals import Blocked, CheckFailure, NothingToJudge, SuiteFailed
from conformance.phase.bridge import serialisable, signed
from conformance.phase.engine import (
    CHECK_REQUIREMENTS,
    SUCCESS_SCHEMA_REQUIREMENT,
    Answer,
    Findings,
    StResult,
    run_phase,
)
from conformance.phase.kinds import VALID_KINDS, Sorting
from conformance.provisioning import User
from conformance.targets.exchange import Exchange, members
from strategies.requests import input_shape
from strategies.violations import breakable

PREFIX = "SCHEMATHESIS-"
NOT_FOUND = "ResourceNotFoundException"
# Requirements every answer is judged on, each by the suite's check for it.
ANSWER_CHECKS: dict[str, Check[...]] = {
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
# Answer-wide checks judged on the answers to UpdateDeviceStatus's requests only: their statement is its
# own (another operation's success body, or a 2xx to a request that names no operation, is not).
HEADLINE_ONLY = frozenset({ids.PROTO_SUCCESS_BODY})
# The other operations' validation requirements, by the kinds of rule each is about
# (conformance/cases/devices/validation.py); the requests that break no rule are -VAL-CONSTRAINTS's
# ("a value at a bound passes validation").
_REQUIRED_KINDS = frozenset({Kind.MISSING, Kind.NULL})


def _sorting(operation: str) -> Sorting:
    """How the phase's requests to `operation` are sorted into its validation requirements."""
    if operation == OPERATION:
        return Sorting(RULES)
    rules = [
        (b.member, b.kind) for b in breakable(input_shape(operation)) if b.kind is not Kind.UNKNOWN_MEMBER
    ]
    constraints = requirement_id(operation, "VAL-CONSTRAINTS")
    return Sorting(
        {
            requirement_id(operation, "VAL-REQUIRED"): tuple(r for r in rules if r[1] in _REQUIRED_KINDS),
            constraints: tuple(r for r in rules if r[1] not in _REQUIRED_KINDS | {Kind.TYPE}),
            requirement_id(operation, "VAL-WRONG-TYPE"): tuple(r for r in rules if r[1] is Kind.TYPE),
        },
        valid=constraints,
    )


SORTING = {operation: _sorting(operation) for operation in OPERATIONS}
# The requirements the phase judges on one operation's requests only, and that operation (the others,
# PROTO-* and VAL-SENSITIVE-NOT-ECHOED, judge the answers of every operation).
OWN_OPERATIONS = {
    **{requirement: OPERATION for requirement in (*RULES, *VALID_KINDS)},
    **{requirement: operation for operation in SUBJECTS for requirement in SORTING[operation].rules},
}
# Requirements judged on the answers to the requests that test them (`phase.kinds`).
KIND_REQUIREMENTS = (
    *RULES,
    ids.PROTO_UNKNOWN_TARGET,
    ids.PROTO_WRONG_CONTENT_TYPE,
    ids.PROTO_MALFORMED_JSON,
    *VALID_KINDS,
    *(requirement for operation in SUBJECTS for requirement in SORTING[operation].rules),
)


def findings(ctx: CaseContext) -> Findings:
    """The schemathesis phase, run once per run (on first use) with the phase users' real tokens,
    devices, pool and usernames; every phase case reads the same frozen findings."""
    return ctx.session.once("schemathesis phase", lambda: _run_phase(ctx))


def phase_examples(settings_examples: int, operations: tuple[str, ...]) -> dict[str, int]:
    """Fuzzing examples per mode, by operation: `--schemathesis N` for the headline, a fifth of it (at
    least two) for the others, as their property cases draw a fifth of `--examples`. The coverage
    phase sends every boundary and negative value of each operation either way."""
    other = max(OTHER_OPERATIONS_MIN_EXAMPLES, settings_examples // OTHER_OPERATIONS_SHARE)
    return {op: settings_examples if op == OPERATION else other for op in operations}


# The operations whose valid requests remove or change the device they name, and the device of the
# phase's second user ("user_phase_apart") each names: its own, so that none removes or changes a device
# another request of the phase (UpdateDeviceStatus's sequence of statuses) or another case relies on.
APART = {**FORGETTING, "AdminUpdateDeviceStatus": 2}


def real_values(operation: str, user: User, apart: User | None) -> dict[str, str]:
    """The real member values of `operation`: the phase user's token, or pool and username, and their
    device; those of an operation in APART are "user_phase_apart"'s, with a device of its own."""
    index = APART.get(operation)
    owner = user if index is None or apart is None else apart
    if operation.startswith("Admin"):
        values = {"UserPoolId": owner.pool.id, "Username": owner.username}
    else:
        values = {TOKEN: owner.access_token}
    if "DeviceKey" in input_shape(operation).members:
        values["DeviceKey"] = owner.devices[index or 0].key
    return values


def phase_operations(settings: RunSettings) -> tuple[str, ...]:
    """The operations the phase sends to: those the run judges; only the operations of the phase cases
    selected when each of them judges one operation's requests (a reproduce command's `--case
    SCHEMATHESIS-LIST-VAL-CONSTRAINTS`). schemathesis seeds each operation by its own name, so an
    operation is sent the same requests either way."""
    judged = settings.operations or OPERATIONS
    cases = [c for c in selected(settings) if c.schemathesis]
    if not cases or not all(c.requirement in OWN_OPERATIONS for c in cases):
        return tuple(judged)
    wanted = {OWN_OPERATIONS[c.requirement] for c in cases}
    return tuple(op for op in judged if op in wanted)


def _run_phase(ctx: CaseContext) -> Findings:
    target = ctx.target
    if not target.wire_path:
        raise Blocked(f"the schemathesis phase needs the HTTP wire path, {target.kind} has none", limit=True)
    settings = ctx.session.settings
    # Those the target implements (a missing one's cases say so, once).
    operations = tuple(op for op in phase_operations(settings) if ctx.session.missing(op) is None)
    user = ctx.session.shared("user_phase")
    apart = ctx.session.shared("user_phase_apart") if set(APART) & set(operations) else None
    credentials = {op: real_values(op, user, apart) for op in operations}
    examples = phase_examples(settings.schemathesis, operations)
    sorting = {op: SORTING[op] for op in operations}
    watch = PhaseWatch(DeviceWatch(ctx.session, everything=settings.shrink))
    with ctx.session.apart():  # the phase's answers are judged by every phase case, not the one running
        return run_phase(target, credentials, seed=ctx.seed, examples=examples, sorting=sorting, watch=watch)


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

    def before(self, operation: str | None, params: Mapping[str, Any]) -> Plan | None:
        # A request that names none of the phase's operations is watched as UpdateDeviceStatus would be:
        # it must change nothing either (PROTO-UNKNOWN-TARGET's 4xx).
        return self.watch.before(operation or OPERATION, params, "a refusal changes nothing")

    def after(
        self, plan: Plan | None, operation: str | None, params: Mapping[str, Any], exchange: Exchange
    ) -> tuple[Any, ...]:
        if plan is None:
            return ()
        calls: list[tuple[Check[...], tuple[Any, ...]]] = []

        def keep(made: Check[...], *args: Any) -> bool:
            calls.append((made, args))
            return True

        self.watch.after(plan, operation or OPERATION, params, exchange, ANSWERS_REQUIREMENT, keep)
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
        # Negative by schemathesis's reading only: the model's walker found no rule broken (kinds.py).
        return () if answer.kind.passes else answer.kind.requirements
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


def breaks_a_must(check: Check[...], *args: Any) -> bool:
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


def _operation(answer: Answer) -> str:
    """The operation an answer is judged against: the one its request named, else the headline's."""
    return answer.kind.operation or OPERATION


def _judge_answer(ctx: CaseContext, answer: Answer) -> bool | None:
    """The suite's check for an answer-wide requirement (against the contract of the operation the
    request was sent to), then schemathesis's mapped to it."""
    check = ANSWER_CHECKS[ctx.requirement_id]
    operation = _operation(answer)
    if ctx.requirement_id in HEADLINE_ONLY and answer.kind.operation != OPERATION:
        return None  # another operation's answer, or one to a request that names none
    args: tuple[Any, ...] = (answer.exchange,)
    if check in (checks.error_type_known, checks.success_body):
        args = (answer.exchange, operation)
    held = ctx.verify(check, *args)
    soft = held or not breaks_a_must(check, *args)  # looked at again only when it failed
    return _judge_schemathesis(ctx, answer, soft=soft) and held


@check()
def authorized(requirement: str, exchange: Exchange) -> str | None:
    """A valid unsigned request with the real token is accepted. ResourceNotFoundException got past
    authorization and validation, but says the phase's device is gone: whether it should be is the
    STATE-* cases' to judge, so there is nothing to judge here."""
    if exchange.error_type == NOT_FOUND:
        raise NothingToJudge(requirement, "the phase's device is gone (ResourceNotFoundException)", exchange)
    return accepted(requirement, exchange)


def _looked_up(exchange: Exchange) -> tuple[str, ...] | None:
    """How a refusal of a request valid by the model is read (checks.passes_validation's `lookup`): an
    InvalidParameterException whose message, in Cognito's validation format, says a constraint failed is
    validation's (None); with any other message it is the refusal of something the request names that
    the service looked up after validation (a generated token, pool, user, device key to confirm or
    paging token: the empty tuple, any message)."""
    return None if COGNITO_VALIDATION.match(exchange.message or "") else ()


def _judge_kind(ctx: CaseContext, answer: Answer) -> bool | None:
    """The answer to a request that tests this case's requirement: refused as documented, or accepted."""
    req, kind, exchange = ctx.requirement, answer.kind, answer.exchange
    if req.id not in kind.requirements:
        return None
    if kind.valid:
        held = ctx.verify(authorized, req.id, exchange)
    elif kind.passes:  # another operation's request that breaks no rule: validation lets it through
        held = ctx.verify(passes_validation, req.id, exchange, kind.label, _looked_up(exchange))
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
    """A real token is never repeated in an answer, whichever operation it was sent to. Only a real
    one: schemathesis also sends strings it read from the document ("x-amzn-errortype"), which an
    answer may well contain."""
    body = answer.exchange.request_json()
    real = {values[TOKEN] for values in findings(ctx).credentials.values() if TOKEN in values}
    if not isinstance(body, dict) or not isinstance(body.get(TOKEN), str) or body[TOKEN] not in real:
        return None
    return ctx.verify(checks.secret_not_echoed, answer.exchange, body[TOKEN])


def _again(ctx: CaseContext, answer: Answer) -> Answer:
    """The same request sent once more (signed afresh when it was signed: bridge.signed).
    schemathesis's verdicts carry over only to the same answer."""
    sent = answer.exchange
    operation = sent.operation
    if signed(operation):
        assert operation is not None
        params = serialisable(operation, members(sent.request_body))
        exchange = ctx.call(operation, params, exact_body=sent.request_body)
    else:
        named = operation or OPERATION  # a request that names no operation goes as the headline's did
        exchange = ctx.raw(sent.request_headers, sent.request_body, framing_probe=True, operation=named)
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
