"""One result per requirement: the rows of results.json, made from the cases' results.

A requirement is judged in up to three places: its own case (the suite's, whose id is the
requirement), the schemathesis phase's case for it (`SCHEMATHESIS-<requirement>`), and any other case
whose outcome names it (a property every request is judged by, the secret scan). `by_requirement`
folds them into one row per requirement, keyed by the requirement id:

- the suite's row is the base; the phase's row and the outcomes of other cases that name the
  requirement are added to it (`judged_by` says by what: "suite", "schemathesis", "case <id>"), each
  such outcome marked with the case it was seen in (`case`);
- the verdict is the worst contribution, in the order a case's own verdict is decided
  (`ROW_ORDER`). An outcome seen in another case counts when it is a failure (FAIL or NON-STRICT):
  a failure seen anywhere is a failure, while a PASS, BLOCKED or INFORMATIONAL outcome there says
  nothing of the requirement as a whole, and only joins the list;
- when a folded-in contribution decides, the row explains it: reason (saying where it was judged),
  expected, actual, example, curl, reproduce, flaky, trail and what blocked it come from it;
- the phase's requests count with the suite's (examples, duration, error types, provenance);
- a requirement judged by the phase alone keeps the phase's row, under the requirement's id. A
  requirement whose own case was not selected gets a row only when another case saw it fail;
- a BLOCKED that is not the target's doing (a limit outside it) yields to any contribution that judged.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from conformance.contract.catalog import Catalog
from conformance.judge.outcomes import SEVERITY, Outcome
from conformance.judge.verdicts import CaseResult, Verdict

# The phase's case ids (conformance/cases/schemathesis_phase.py, a layer above: named here as data).
PHASE_PREFIX = "SCHEMATHESIS-"
SUITE, PHASE = "suite", "schemathesis"

# A result's verdicts, worst first, as the runner decides a case's: ERROR outranks every outcome; a
# FAIL or NON-STRICT outcome decides even a case that then stopped; a stopped case (UNIMPLEMENTED,
# which outranks a missing fixture, or BLOCKED) ranks above the outcomes that held; SKIPPED judged
# nothing. Between them, the outcomes' own order (SEVERITY).
_FAILING = SEVERITY[: SEVERITY.index(Verdict.BLOCKED)]
ROW_ORDER: tuple[Verdict, ...] = (
    Verdict.ERROR,
    *_FAILING,
    Verdict.UNIMPLEMENTED,
    *SEVERITY[len(_FAILING) :],
    Verdict.SKIPPED,
)
# The fields that explain a verdict: they come from the contribution that decided it.
EXPLAINING = ("reason", "expected", "actual", "example", "curl", "reproduce", "flaky", "trail", "blocked")


def rank(result: Mapping[str, Any]) -> tuple[int, bool, bool]:
    """Lower is worse. A BLOCKED the target caused (it fails the gate) outranks a PASS; one it did not
    (a limit outside it, or it went silent) judged nothing and yields to any contribution that judged,
    as SKIPPED does. A failure that reproduced outranks a flaky one."""
    blocked = result.get("blocked") or {}
    caused = isinstance(blocked, Mapping) and blocked.get("cause") == "target"
    verdict = Verdict(result["verdict"])
    if verdict is Verdict.BLOCKED and not caused:
        verdict = Verdict.SKIPPED
    return ROW_ORDER.index(verdict), not caused, bool(result.get("flaky"))


def source(case_id: str, requirement: str) -> str:
    """What a case is in a requirement's `judged_by`: the suite's own case, the phase, or another."""
    if case_id == requirement:
        return SUITE
    if case_id == PHASE_PREFIX + requirement:
        return PHASE
    return f"case {case_id}"


def _where(case_id: str, requirement: str) -> str:
    """How a reason says where a folded-in contribution was judged."""
    return "schemathesis phase" if source(case_id, requirement) == PHASE else f"in case {case_id}"


def by_requirement(
    cases: Iterable[Mapping[str, Any]], catalog: Catalog | None = None
) -> list[dict[str, Any]]:
    """One row per requirement, in the order each requirement first appears (the inputs are not
    changed). With the `catalog`, a failure another case saw of a requirement whose own case did not
    run gets that requirement a row too: a failure seen anywhere counts, even under `--case`."""
    cases = list(cases)
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for case in cases:
        grouped.setdefault(str(case["requirement"]), []).append(case)
    rows = {requirement: _fold_cases(requirement, group) for requirement, group in grouped.items()}
    for case in cases:
        for outcome in case.get("outcomes") or []:
            requirement = str(outcome.get("requirement"))
            if requirement == case["requirement"]:
                continue
            if (
                requirement not in rows
                and catalog is not None
                and Verdict(str(outcome["verdict"])) in _FAILING
            ):
                rows[requirement] = _unrun(catalog, requirement)
            if requirement in rows:
                _fold_outcome(rows[requirement], case, outcome)
    return list(rows.values())


def _unrun(catalog: Catalog, requirement: str) -> dict[str, Any]:
    """The row of a requirement whose own case did not run: SKIPPED until another case's failure decides."""
    row = CaseResult.of(requirement, catalog.get(requirement), Verdict.SKIPPED).as_json()
    row["reason"] = "its own case did not run"
    row["judged_by"] = []
    return row


def _marked(outcomes: Iterable[Mapping[str, Any]], case_id: str, requirement: str) -> list[dict[str, Any]]:
    """Copies of a case's outcomes; those of a case other than the requirement's own name it."""
    mark = {} if case_id == requirement else {"case": case_id}
    return [{**copy.deepcopy(dict(o)), **mark} for o in outcomes]


def _fold_cases(requirement: str, group: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The requirement's cases, its own first: the base row, then every other one added to it."""
    group = sorted(group, key=lambda c: c["id"] != requirement)  # stable: the others keep their order
    base = group[0]
    row = copy.deepcopy(dict(base))
    row["id"] = requirement
    row["outcomes"] = _marked(base.get("outcomes") or [], str(base["id"]), requirement)
    row["judged_by"] = [source(str(base["id"]), requirement)]
    for other in group[1:]:
        case_id = str(other["id"])
        row["judged_by"].append(source(case_id, requirement))
        row["outcomes"] += _marked(other.get("outcomes") or [], case_id, requirement)
        row["examples"] = int(row.get("examples") or 0) + int(other.get("examples") or 0)
        row["duration_s"] = round(float(row.get("duration_s") or 0) + float(other.get("duration_s") or 0), 4)
        row["error_types"] = sorted({*row.get("error_types", []), *other.get("error_types", [])})
        row["provenance"] = list(dict.fromkeys([*row.get("provenance", []), *other.get("provenance", [])]))
        if rank(other) < rank(row):
            where = _where(case_id, requirement)
            reason = other.get("reason")
            _decided_by(row, {**other, "reason": f"{where}: {reason}" if reason else reason})
    return row


def _decided_by(row: dict[str, Any], other: Mapping[str, Any]) -> None:
    row["verdict"] = other["verdict"]
    for name in EXPLAINING:
        value = other.get(name)
        if name in ("trail", "blocked") and not value:
            row.pop(name, None)  # only there when they say something
        else:
            row[name] = bool(value) if name == "flaky" else copy.deepcopy(value)


def _fold_outcome(row: dict[str, Any], case: Mapping[str, Any], outcome: Mapping[str, Any]) -> None:
    """An outcome of `row`'s requirement seen in another case: listed, and deciding when it is a
    failure worse than the row's verdict."""
    case_id, requirement = str(case["id"]), str(row["requirement"])
    row["outcomes"].append({**copy.deepcopy(dict(outcome)), "case": case_id})
    label = source(case_id, requirement)
    if label not in row["judged_by"]:
        row["judged_by"].append(label)
    verdict = Verdict(str(outcome["verdict"]))
    if verdict not in _FAILING:
        return
    # Whether this outcome is the one that decided its case: then the case's example, curl and
    # flakiness are this outcome's (a state check has no exchange of its own; its case's is the one).
    decided = all(case.get(k) == outcome.get(k) for k in ("verdict", "expected", "actual"))
    trail = outcome.get("trail")
    seen = Outcome(
        str(outcome.get("check")),
        requirement,
        verdict,
        outcome.get("expected"),
        outcome.get("actual"),
        trail=tuple(trail) if trail else None,
    )
    contribution = {
        "verdict": str(verdict),
        "reason": f"{_where(case_id, requirement)}: {seen.describe()}",
        "expected": outcome.get("expected"),
        "actual": outcome.get("actual"),
        "example": case.get("example") if decided else outcome.get("exchange"),
        "curl": case.get("curl") if decided else outcome.get("curl"),
        "reproduce": case.get("reproduce"),
        "flaky": bool(case.get("flaky")) and decided,
        "trail": trail,
    }
    if rank(contribution) < rank(row):
        _decided_by(row, contribution)
