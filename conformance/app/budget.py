"""The call budget, known before anything is sent (`run --dry-run`), and the plan that keeps a run in it.

The plan is measured, not guessed: the selected cases run with the same settings (seed, examples)
against an in-process reference, whose call log says how many calls of each operation a conformant
target costs, provisioning included. A target that fails a case costs that case again (a FAIL is
re-run once); shrinking a failure is off on live services.

The rehearsal meters what each case costs by itself and what it shares with others: a shared user,
a pool (its deletion at cleanup included), an operation's probe is paid by the first case of the run
that needs it. So the cost of any subset of the cases is known from one rehearsal, as far as a case
costs the same whatever ran before it; one that does not (a device already in the status a case needs
takes no update) is why the planned cases are rehearsed again, unless they are the rehearsal's first
(the headline's are). The plan is then exact for a conformant target.

With a budget (`--budget N`; 400 on aws, none elsewhere), the cases are planned by priority until it
is spent: UpdateDeviceStatus's MUSTs first (the headline), then one case of each other operation, then
the others (the headline's SHOULD and INFO cases among them) by level, then family (`FAMILY_PRIORITY`),
then the catalog's order. A case that does not fit
is left out and the next is tried. The cases left out are SKIPPED in the run, with the reason
(`Plan.reason`). One rehearsal per process and settings: the dry run's plan is the run's.
"""

from __future__ import annotations

import shlex
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from conformance.contract.catalog import LEVELS, OPERATIONS, catalog
from conformance.engine.context import OperationMissing, RunSession
from conformance.engine.registry import CASES, Case
from conformance.engine.runner import run_case
from conformance.engine.settings import RunSettings
from conformance.errors import SuiteError
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.provisioning import Provisioner
from conformance.provisioning.model import Pool
from conformance.targets import open_target
from conformance.targets.calllog import CallLog

T = TypeVar("T")
HEADLINE = OPERATIONS[0]
# Which cases go first when not all fit: the families that judge what a device operation does to
# whose device before the shape of its requests (issue 21, item 5); unknown families last.
FAMILY_PRIORITY = (
    "authorization",
    "resources",
    "state",
    "pagination",
    "device-flow",
    "protocol",
    "validation",
    "attributes",
    "error-coverage",
)


# --- the rehearsal, metered ---------------------------------------------------------------------


class _Meter:
    """Splits the rehearsal's call log into what each case sent itself and what it made once for every
    case after it (a "resource": a shared user, a pool, a probe), with the resources each one used."""

    def __init__(self, calls: CallLog) -> None:
        self.calls = calls
        self.own: dict[str, Counter[str]] = {}  # case or resource -> its own calls, by operation
        self.needs: dict[str, set[str]] = {}  # case or resource -> the resources it used
        self._made: set[str] = set()
        self._stack: list[tuple[str, int, Counter[str]]] = []  # (name, first call, calls of nested makes)

    @contextmanager
    def frame(self, name: str) -> Iterator[None]:
        self._stack.append((name, self.calls.total(), Counter()))
        self.needs.setdefault(name, set())
        try:
            yield
        finally:
            _, first, nested = self._stack.pop()
            spent = Counter(r.operation for r in self.calls.records()[first:])
            self.own[name] = self.own.get(name, Counter()) + (spent - nested)
            if self._stack:
                self._stack[-1][2].update(spent)

    def use(self, resource: str, make: Callable[[], T]) -> T:
        """A resource used by what runs now; the first use makes it, and pays for it."""
        if self._stack:
            self.needs[self._stack[-1][0]].add(resource)
        if resource in self._made:
            return make()
        self._made.add(resource)
        with self.frame(resource):
            return make()


class _MeteredSession(RunSession):
    meter: _Meter
    aws: bool  # rehearsing a run on AWS, which is not probed (RunSession._probe)

    def _probe(self, operation: str) -> str | None:
        return None if self.aws else super()._probe(operation)

    def shared(self, name: str) -> Any:
        return self.meter.use(f"user {name}", lambda: super(_MeteredSession, self).shared(name))

    def missing(self, operation: str) -> OperationMissing | None:
        return self.meter.use(f"probe {operation}", lambda: super(_MeteredSession, self).missing(operation))

    def once(self, name: str, make: Callable[[], T]) -> T:
        return self.meter.use(f"once {name}", lambda: super(_MeteredSession, self).once(name, make))


class _MeteredProvisioner(Provisioner):
    meter: _Meter
    _pools: dict[str, str]  # pool id -> its resource

    def _metered_pool(self, kind: str, make: Callable[[], Pool]) -> Pool:
        pool = self.meter.use(f"pool {kind}", make)
        self._pools[pool.id] = f"pool {kind}"
        return pool

    def pool(self) -> Pool:
        return self._metered_pool("main", super().pool)

    def second_pool(self) -> Pool:
        return self._metered_pool("second", super().second_pool)

    def prompt_pool(self) -> Pool:
        return self._metered_pool("prompt", super().prompt_pool)

    def _delete_pool(self, pool: Pool) -> bool:
        # Cleanup's calls are the pool's: a plan that makes no such pool deletes none. (Another's are
        # fixed calls, in every plan.)
        if pool.id not in self._pools:
            return super()._delete_pool(pool)
        with self.meter.frame(self._pools[pool.id]):
            return super()._delete_pool(pool)


@dataclass(frozen=True)
class Costs:
    """What the rehearsal measured: each case's and each resource's own calls, and who needs what."""

    own: dict[str, Counter[str]]
    needs: dict[str, frozenset[str]]
    fixed: Counter[str]  # calls no case nor resource made (none expected)

    def resources(self, names: Iterable[str]) -> set[str]:
        """Every resource the named cases need, directly or through another resource."""
        found: set[str] = set()
        todo = [r for n in names for r in self.needs.get(n, ())]
        while todo:
            resource = todo.pop()
            if resource not in found:
                found.add(resource)
                todo.extend(self.needs.get(resource, ()))
        return found

    def calls(self, case_ids: Iterable[str]) -> Counter[str]:
        """Calls by operation of a run of these cases, provisioning and cleanup included."""
        ids = list(case_ids)
        out = Counter(self.fixed)
        for name in [*ids, *self.resources(ids)]:
            out.update(self.own.get(name, Counter()))
        return out


def rehearse(cases: list[Case], settings: RunSettings) -> Costs:
    """Run the cases against an in-process reference with the run's settings, metered."""
    rehearsal = replace(settings, target_spec="reference", pace=None, user_pool_id=None, client_id=None)
    target = open_target("reference")
    meter = _Meter(target.calls)
    provisioner = _MeteredProvisioner(target, run_id="dry-run")
    provisioner.meter, provisioner._pools = meter, {}
    try:
        session = _MeteredSession(rehearsal, target, provisioner)
        session.meter, session.aws = meter, settings.target_spec.startswith("aws")
        for c in cases:
            with meter.frame(c.id):
                run_case(session, c, catalog())
    finally:
        provisioner.close()
        target.close()
    spent = Counter(r.operation for r in target.calls.records())
    metered: Counter[str] = Counter()
    for calls in meter.own.values():
        metered.update(calls)
    needs = {name: frozenset(used) for name, used in meter.needs.items()}
    return Costs(own=dict(meter.own), needs=needs, fixed=spent - metered)


# --- the plan -----------------------------------------------------------------------------------


def priority(case: Case) -> tuple[int, int, int, int, str]:
    """Lower first: the headline's MUSTs, then by level, family and the catalog's order."""
    requirement = catalog().get(case.requirement)
    family = requirement.family
    return (
        0 if _headline_must(case) else 1,
        LEVELS.index(requirement.level),
        FAMILY_PRIORITY.index(family) if family in FAMILY_PRIORITY else len(FAMILY_PRIORITY),
        catalog().requirements.index(requirement),
        case.id,
    )


def _headline_must(case: Case) -> bool:
    requirement = catalog().get(case.requirement)
    return requirement.operation == HEADLINE and requirement.level == "MUST"


@dataclass(frozen=True)
class Plan:
    """The cases a run sends (in the run's order) and those it leaves out, with what each costs."""

    target: str
    budget: int | None  # None: no budget, every case is planned
    by_operation: dict[str, int]  # the planned calls by operation called, provisioning included
    cases: tuple[str, ...]
    left_out: tuple[str, ...]  # in priority order
    calls: dict[str, int]  # per case: what it added to the plan, or would have added to it
    every_case: int  # calls with every case planned: the --budget that runs them all
    one_each: int  # calls with the headline's cases and one of each other operation
    judged: dict[str, str] = field(default_factory=dict)  # case -> the operation it judges

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    @property
    def reason(self) -> str:
        """Why a case left out is SKIPPED."""
        return f"not in the {self.budget}-call plan for {self.target}; --budget N runs more"

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_operation": self.by_operation,
            "target": self.target,
            "budget": self.budget,
            "every_case": self.every_case,
            "one_each": self.one_each,
            "priority": PRIORITY_TEXT,
            "cases": list(self.cases),
            "left_out": list(self.left_out),
            "calls": self.calls,
            "judged": self.judged,
            **({"reason": self.reason} if self.left_out else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            target=str(data["target"]),
            budget=data["budget"],
            by_operation=dict(data["by_operation"]),
            cases=tuple(data["cases"]),
            left_out=tuple(data["left_out"]),
            calls=dict(data["calls"]),
            every_case=int(data["every_case"]),
            one_each=int(data["one_each"]),
            judged=dict(data["judged"]),
        )

    def lines(self) -> list[str]:
        """How the plan was made, for the dry run: the budget, the priority, per judged operation the
        cases in and their calls, each case left out and why, how to plan more."""
        if self.budget is None:
            return ["plan: no call budget on this target, every case is planned (--budget N sets one)"]
        out = [
            f"plan: at most {self.budget} calls on {self.target}, provisioning included "
            f"(--budget N changes it): {self.total} planned",
            *_wrapped(f"priority: {PRIORITY_TEXT}"),
        ]
        operations = [o for o in OPERATIONS if o in self.judged.values()]
        width = max(len(o) for o in [*operations, "judged operation"])
        out.append(f"  {'judged operation':<{width}}  {'cases':>7}  {'calls':>5}")
        empty: list[str] = []
        for op in operations:
            planned = [c for c in self.cases if self.judged[c] == op]
            count = len(planned) + sum(1 for c in self.left_out if self.judged[c] == op)
            calls = sum(self.calls[c] for c in planned)
            out.append(f"  {op:<{width}}  {f'{len(planned)}/{count}':>7}  {calls:>5}")
            if not planned:
                empty.append(op)
        out.append("  (a shared user, a pool or a probe counts with the first planned case that needs it)")
        if not self.left_out:
            out.append("  every case fits")
            return out
        out.append(f'  left out, by priority, SKIPPED in the run ("{self.reason}"):')
        width = max(len(c) for c in self.left_out)
        for case_id in self.left_out:
            requirement = catalog().get(CASES[case_id].requirement)
            out.append(
                f"    {case_id:<{width}}  {requirement.level:<6}  {requirement.family:<14}"
                f"  would add {self.calls[case_id]} calls"
            )
        if empty and self.one_each > self.budget:
            headline = sum(self.calls[c] for c in self.cases if self.judged[c] == HEADLINE)
            beside = (
                f" in what {HEADLINE}'s cases leave ({headline} of {self.budget} calls)" if headline else ""
            )
            out += _wrapped(
                f"no case of {', '.join(empty)} fits{beside}: "
                f"--budget {self.one_each} plans one case of each operation"
            )
        out.append(f"  --budget {self.every_case} plans every case")
        return out


def _wrapped(text: str) -> list[str]:
    return textwrap.wrap(text, width=LINE_WIDTH, initial_indent="  ", subsequent_indent="    ")


LINE_WIDTH = 100
PRIORITY_TEXT = (
    f"{HEADLINE}'s MUST cases first (the headline), then one case of each other operation, then the "
    f"others ({HEADLINE}'s SHOULD and INFO among them) by level ({' > '.join(LEVELS)}), "
    f"then family ({' > '.join(FAMILY_PRIORITY)}), then the catalog's order; a case that does not fit "
    "is left out and the next one is tried"
)


def plan(cases: list[Case], settings: RunSettings) -> Plan:
    """The plan for these cases: all of them without a budget, else the most important that fit."""
    costs = _rehearsed(cases, settings)
    ordered = sorted(cases, key=priority)
    chosen = _select(ordered, costs, settings.budget)
    # What a case costs may depend on what the cases before it left (a device already in the status it
    # needs takes no update): unless they are the first cases of the rehearsal (as the headline's are),
    # the planned cases are rehearsed again as the run will send them, and the last taken is left out
    # until they fit. Their calls are then those of the run.
    while True:
        in_order = [c for c in cases if c.id in chosen]  # the run's order
        run = costs if in_order == cases[: len(in_order)] else _rehearsed(in_order, settings)
        total = sum(run.calls(c.id for c in in_order).values())
        if settings.budget is None or total <= settings.budget or not chosen:
            break
        chosen.pop()
    if not chosen:
        cheapest = min(sum(costs.calls([c.id]).values()) for c in cases)
        raise SuiteError(
            f"--budget {settings.budget} plans no case: the cheapest costs {cheapest} calls "
            f"on {settings.target_spec} (provisioning included)"
        )
    ids = [c.id for c in in_order]
    paid = costs.resources(ids)
    return Plan(
        target=settings.target_spec,
        budget=settings.budget,
        by_operation=dict(sorted(run.calls(ids).items())),
        cases=tuple(ids),
        left_out=tuple(c.id for c in ordered if c.id not in chosen),
        # Each planned case's calls as the run sends it; what one left out would add, by the first
        # rehearsal, to the plan as made.
        calls={**_charged(ids, run), **{c.id: _adds(costs, c.id, paid) for c in ordered if c.id not in ids}},
        every_case=sum(costs.calls(c.id for c in cases).values()),
        one_each=sum(costs.calls(_select(ordered, costs, None, rest=False)).values()),
        judged={c.id: c.operation for c in cases},
    )


def _adds(costs: Costs, case_id: str, paid: set[str]) -> int:
    """What a case adds to a plan whose cases pay for `paid`: its own calls and the resources not yet
    paid for."""
    unpaid = costs.resources([case_id]) - paid
    return sum(sum(costs.own.get(n, Counter()).values()) for n in [case_id, *unpaid])


def _charged(ids: list[str], costs: Costs) -> dict[str, int]:
    """Each case's calls in a run of these cases in this order: a resource counts with the first."""
    paid: set[str] = set()
    out = {}
    for case_id in ids:
        out[case_id] = _adds(costs, case_id, paid)
        paid |= costs.resources([case_id])
    return out


def _select(ordered: list[Case], costs: Costs, budget: int | None, *, rest: bool = True) -> list[str]:
    """The cases planned, in the order taken: the headline's MUSTs by priority (`ordered`), then the first
    of each other operation that fits, then (`rest`) the others by priority (the headline's SHOULD and
    INFO cases among them, by level), each where it fits."""
    chosen: list[str] = []
    paid: set[str] = set()  # resources a planned case already pays for
    spent = sum(costs.fixed.values())

    def take(c: Case) -> bool:
        nonlocal spent
        cost = _adds(costs, c.id, paid)
        if budget is not None and spent + cost > budget:
            return False
        chosen.append(c.id)
        paid.update(costs.resources([c.id]))
        spent += cost
        return True

    for c in ordered:
        if _headline_must(c):
            take(c)
    for op in OPERATIONS[1:]:
        for c in ordered:
            if c.operation == op and take(c):
                break
    for c in ordered if rest else ():
        if c.id not in chosen:
            take(c)
    return chosen


_REHEARSALS: dict[tuple[Any, ...], Costs] = {}


def _rehearsed(cases: list[Case], settings: RunSettings) -> Costs:
    """The rehearsal of these cases with these settings, made once per process: the dry run's plan
    and the run's are made from one (and plans for other budgets cost no second one)."""
    key = (
        tuple(c.id for c in cases),
        settings.seed,
        settings.examples,
        settings.shrink,
        settings.schemathesis,
    )
    if key not in _REHEARSALS:
        _REHEARSALS[key] = rehearse(cases, settings)
    return _REHEARSALS[key]


def planned(cases: list[Case], settings: RunSettings) -> Plan | None:
    """The plan of a run with a budget; None without one: every case runs, nothing is rehearsed."""
    return plan(cases, settings) if settings.budget is not None else None


def left_out(case_id: str, plan: Plan, settings: RunSettings) -> CaseResult:
    """A case the plan leaves out: SKIPPED, nothing sent; its command runs it alone."""
    spec = shlex.quote(settings.target_spec)
    return CaseResult.of(
        case_id,
        catalog().get(CASES[case_id].requirement),
        Verdict.SKIPPED,
        reason=plan.reason,
        reproduce=f"cognito-conformance run --target {spec} --seed {settings.seed} --case {case_id}",
    )
