"""The eight verdicts (docs/design.md, "Verdicts"): display order, colors, tiers and the score.

Tiers order verdicts from the target's point of view, for baselines: a change to a lower tier is a
regression, to a higher tier a fix. Verdicts in one tier are equally good (PASS and INFORMATIONAL:
nothing the documentation requires is violated; UNIMPLEMENTED and BLOCKED: the case could not judge
the target). SKIPPED has no tier: whether a case runs is the run's choice (--case, opt-ins), not the
target's behaviour, so a case that is skipped now, or was skipped in the baseline, is never a
regression nor a fix. ERROR is a bug in the suite and ranks lowest, so an ERROR the baseline does
not expect always fails the gate.

Lost coverage comes before the tiers: a case whose baseline verdicts all judged the target (PASS,
INFORMATIONAL, NON-STRICT, FAIL) and that is now UNIMPLEMENTED or BLOCKED no longer says anything
about the target. By tier alone FAIL -> BLOCKED would read as a fix, though the failure may well be
still there, unseen; so it is its own kind ("lost coverage"), and it fails the gate like a
regression. Coming back from BLOCKED or UNIMPLEMENTED is measured by tier as before (-> PASS is a fix,
-> FAIL a regression: a MUST violation newly seen).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.contract.catalog import FAMILIES as CATALOG_FAMILIES

# The order of results.schema.json's summary.
VERDICTS: tuple[str, ...] = (
    "PASS",
    "NON-STRICT",
    "FAIL",
    "UNIMPLEMENTED",
    "INFORMATIONAL",
    "BLOCKED",
    "SKIPPED",
    "ERROR",
)

TIER: dict[str, int] = {
    "PASS": 4,
    "INFORMATIONAL": 4,
    "NON-STRICT": 3,
    "UNIMPLEMENTED": 2,
    "BLOCKED": 2,
    "FAIL": 1,
    "ERROR": 0,
}

# Verdicts that judged the target, and the two that could not (the case saw nothing to judge by).
COVERING = frozenset({"PASS", "INFORMATIONAL", "NON-STRICT", "FAIL"})
NOT_COVERING = frozenset({"UNIMPLEMENTED", "BLOCKED"})

# A check outcome's verdicts, worst first: the engine's order (conformance/judge/outcomes.py
# SEVERITY), where a case's verdict is its worst outcome. Kept here as data so the reports need
# not import the engine.
OUTCOME_ORDER: tuple[str, ...] = ("FAIL", "NON-STRICT", "BLOCKED", "PASS", "INFORMATIONAL")
# A result's verdicts, worst first: the engine's order for one requirement judged in several cases
# (conformance/engine/merge.py ROW_ORDER), kept here as data for the same reason.
RESULT_ORDER: tuple[str, ...] = (
    "ERROR",
    "FAIL",
    "NON-STRICT",
    "UNIMPLEMENTED",
    "BLOCKED",
    "PASS",
    "INFORMATIONAL",
    "SKIPPED",
)
# Outcomes a failing testcase lists: the ones that deviate from the documentation.
DEVIATING = frozenset({"FAIL", "NON-STRICT"})

# (background, text) per verdict; accessible contrast on both.
COLORS: dict[str, tuple[str, str]] = {
    "PASS": ("#1a7f37", "#ffffff"),
    "NON-STRICT": ("#bf8700", "#1f2328"),
    "INFORMATIONAL": ("#0969da", "#ffffff"),
    "FAIL": ("#cf222e", "#ffffff"),
    "UNIMPLEMENTED": ("#57606a", "#ffffff"),
    "BLOCKED": ("#e16f24", "#1f2328"),
    "SKIPPED": ("#d0d7de", "#1f2328"),
    "ERROR": ("#8250df", "#ffffff"),
}

SHORT: dict[str, str] = {
    "PASS": "PASS",
    "NON-STRICT": "N-S",
    "INFORMATIONAL": "INFO",
    "FAIL": "FAIL",
    "UNIMPLEMENTED": "UNIM",
    "BLOCKED": "BLKD",
    "SKIPPED": "SKIP",
    "ERROR": "ERR",
}

# The score counts requirements: results.json has one row per requirement, whichever cases judged it.
# Applicable requirements are those with a pass/fail outcome on this target: not BLOCKED or
# SKIPPED (the target could not be judged on it) and not INFORMATIONAL (the documentation defines no
# behaviour, so there is nothing to pass; counting it would let a target that implements nothing score,
# since the error-coverage records are INFORMATIONAL everywhere). Passed: PASS, or NON-STRICT (only a
# SHOULD is missed, nothing a client relies on breaks).
NOT_APPLICABLE = frozenset({"SKIPPED", "BLOCKED"})
NOT_JUDGED = NOT_APPLICABLE | {"INFORMATIONAL"}
PASSED = frozenset({"PASS", "NON-STRICT"})
SCORE_RULE = (
    "Applicable: every requirement with a pass/fail outcome, i.e. not BLOCKED or SKIPPED (not testable here)"
    " and not INFORMATIONAL (nothing documented to pass). Passed: PASS or NON-STRICT."
)

FAMILIES: tuple[str, ...] = CATALOG_FAMILIES  # the catalog's order


def counts(cases: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Results (requirements) per verdict, every verdict present, in display order."""
    out = dict.fromkeys(VERDICTS, 0)
    for case in cases:
        verdict = str(case.get("verdict"))
        out[verdict] = out.get(verdict, 0) + 1
    return out


@dataclass(frozen=True)
class Score:
    passed: int
    applicable: int
    informational: int
    not_applicable: int
    blocked_by_target: int = 0  # of not_applicable: BLOCKED by what the target broke (fails the gate)

    @property
    def total(self) -> int:
        return self.applicable + self.informational + self.not_applicable

    def line(self) -> str:
        return (
            f"{self.passed} of {self.applicable} applicable requirements passed"
            f" ({self.total} requirements, {self.applicable + self.informational} judged:"
            f" {self.informational} informational;"
            f" {self.not_applicable} not judged: {self.blocked_by_target} BLOCKED by the target,"
            f" {self.not_applicable - self.blocked_by_target} not testable here)"
        )


def blocked_cause(case: Mapping[str, Any]) -> str | None:
    """A BLOCKED's cause: "target", "limit" (outside the target) or "stopped"; None for another verdict.
    A BLOCKED that does not say (an older results.json) counts as the target's."""
    if case.get("verdict") != "BLOCKED":
        return None
    blocked = case.get("blocked")
    cause = blocked.get("cause") if isinstance(blocked, Mapping) else None
    return str(cause) if cause in ("target", "limit", "stopped") else "target"


FAILING = frozenset({"FAIL", "ERROR", "UNIMPLEMENTED"})


def gate_fails(case: Mapping[str, Any]) -> bool:
    """Whether a result fails the gate (`run`'s exit code, the plugin's, JUnit's failures): a FAIL,
    ERROR or UNIMPLEMENTED, or a BLOCKED the target caused (it broke something the case needed, or gave
    it no answer at all). Only a limit outside the target (no control path, the call budget, a staging
    pool, the target's quota) stays neutral."""
    return case.get("verdict") in FAILING or blocked_cause(case) not in (None, "limit")


def score(cases: Iterable[Mapping[str, Any]]) -> Score:
    cases = list(cases)
    verdicts = [str(c.get("verdict")) for c in cases]
    return Score(
        passed=sum(1 for v in verdicts if v in PASSED),
        applicable=sum(1 for v in verdicts if v not in NOT_JUDGED),
        informational=verdicts.count("INFORMATIONAL"),
        not_applicable=sum(1 for v in verdicts if v in NOT_APPLICABLE),
        blocked_by_target=sum(1 for c in cases if blocked_cause(c) in ("target", "stopped")),
    )


def blocked_groups(cases: Iterable[Mapping[str, Any]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The BLOCKED requirements, apart: those the target caused, by the requirement whose FAIL explains
    them (or "no answer"); and those outside the target (limits), by their reason."""
    caused: dict[str, list[str]] = {}
    limits: dict[str, list[str]] = {}
    for case in cases:
        cause = blocked_cause(case)
        if cause is None:
            continue
        blocked = case.get("blocked")
        named = blocked.get("requirement") if isinstance(blocked, Mapping) else None
        if cause == "limit":
            why = " ".join(str(case.get("reason") or "").split())
            limits.setdefault(why, []).append(str(case.get("id")))
        else:
            caused.setdefault(str(named or "no answer from the target"), []).append(str(case.get("id")))
    return caused, limits


def family_of(case: Mapping[str, Any]) -> str:
    """The case's family (an extra field), else guessed from its requirement id's prefix."""
    family = case.get("family")
    if isinstance(family, str) and family:
        return family
    prefix = str(case.get("requirement") or case.get("id") or "").split("-", 1)[0].upper()
    return {
        "FLOW": "device-flow",
        "VAL": "validation",
        "AUTH": "authorization",
        "RES": "resources",
        "STATE": "state",
        "PROTO": "protocol",
        "ERR": "error-coverage",
    }.get(prefix, "other")


def family_order(families: Iterable[str]) -> list[str]:
    """Known families in catalog order, then any others alphabetically."""
    seen = set(families)
    return [f for f in FAMILIES if f in seen] + sorted(seen - set(FAMILIES))
