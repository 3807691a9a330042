"""The operations a run judged (issue 21): each result's operation, what each operation scored, and the
operation x family grid. UpdateDeviceStatus, the headline, comes first wherever operations are listed.

Read from results.json only: a result's `operation` is the operation whose contract its requirement is;
a document written before the device family was judged has none, and all of it is UpdateDeviceStatus's.

An operation's summary counts what the gate counts (verdicts.gate_fails): the classes to act on are
causes.CLASSES (ERROR, UNIMPLEMENTED, FAIL, BLOCKED by the target, then NON-STRICT, which alone does
not fail the gate); a BLOCKED by a limit outside the target is no class ("not testable here").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.contract.catalog import OPERATIONS

from .causes import CLASSES, LABELS, class_of, missing_operation, names
from .verdicts import Score, counts, gate_fails, score

HEADLINE = OPERATIONS[0]  # UpdateDeviceStatus
# The verdicts that are no cause to act on, in the order they color a cell with none of the causes.
CALM = ("PASS", "INFORMATIONAL", "BLOCKED", "SKIPPED")
# The terminal summary's and the HTML report's title: the nine device operations, the headline's score
# line first.
TITLE = "Cognito device operations conformance"


def operation_of(case: Mapping[str, Any]) -> str:
    """The operation whose contract the result's requirement is (absent: UpdateDeviceStatus)."""
    operation = case.get("operation")
    return operation if isinstance(operation, str) and operation else HEADLINE


def operation_order(operations: Iterable[str]) -> list[str]:
    """The device operations in the catalog's order (the headline first), then any others alphabetically."""
    seen = set(operations)
    return [o for o in OPERATIONS if o in seen] + sorted(seen - set(OPERATIONS))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class Tally:
    """The results of one operation, or of one family of it."""

    total: int  # results, SKIPPED ones included
    counts: dict[str, int]  # per verdict, every verdict present (verdicts.VERDICTS order)
    score: Score
    classes: tuple[tuple[str, int], ...]  # the classes to act on present, worst first, with their counts
    missing: tuple[str, ...]  # the operations the UNIMPLEMENTED results say the target lacks
    failing: int  # results that fail the gate

    @property
    def skipped(self) -> int:
        return self.counts.get("SKIPPED", 0)

    @property
    def unimplemented(self) -> bool:
        """Every result that ran is UNIMPLEMENTED: nothing of it could be judged on this target."""
        ran = self.total - self.skipped
        return ran > 0 and self.counts.get("UNIMPLEMENTED", 0) == ran

    @property
    def worst(self) -> str | None:
        """The verdict that colors it: its worst class to act on, as the gate and the headline rank
        them (an UNIMPLEMENTED before a FAIL, a NON-STRICT last); with none, PASS, INFORMATIONAL, a
        BLOCKED by a limit or SKIPPED, the first present. None: no result."""
        if self.classes:
            return self.classes[0][0]
        return next((v for v in CALM if self.counts.get(v, 0)), None)

    @property
    def clean(self) -> bool:
        """Nothing to act on: no class present."""
        return not self.classes

    def classes_text(self) -> str:
        """The classes to act on, worst first: "2 FAIL, 1 BLOCKED by the target"."""
        return ", ".join(f"{n} {LABELS.get(kind, kind)}" for kind, n in self.classes)


def tally(cases: Iterable[Mapping[str, Any]]) -> Tally:
    cases = list(cases)
    by_class: dict[str, int] = {}
    missing: list[str] = []
    for case in cases:
        kind = class_of(case)
        if kind is not None:
            by_class[kind] = by_class.get(kind, 0) + 1
        if case.get("verdict") == "UNIMPLEMENTED" and (found := missing_operation(case)) is not None:
            missing.append(found[0])
    return Tally(
        total=len(cases),
        counts=counts(cases),
        score=score(cases),
        classes=tuple((kind, by_class[kind]) for kind in CLASSES if by_class.get(kind)),
        missing=tuple(operation_order(missing)),
        failing=sum(1 for c in cases if gate_fails(c)),
    )


@dataclass(frozen=True)
class OperationSummary:
    operation: str
    tally: Tally

    @property
    def headline(self) -> bool:
        return self.operation == HEADLINE

    def status(self) -> str:
        """What the operation scored, without its name, in at most one line of a terminal: "9 of 11
        passed; 2 FAIL" (the worst class present, and how many more results are to act on),
        "UNIMPLEMENTED (3 requirements)". The headline's says "applicable requirements", as the run's
        score line does."""
        t = self.tally
        if t.unimplemented:
            others = [m for m in t.missing if m != self.operation]
            why = f"; {names(others)} missing" if others else ""
            return f"UNIMPLEMENTED ({_plural(t.total - t.skipped, 'requirement')}{why})"
        judged = t.score
        if not judged.applicable and not t.classes:
            unjudged = [f"{judged.informational} informational"] if judged.informational else []
            if judged.not_applicable:
                unjudged.append(f"{judged.not_applicable} not testable here")
            return "nothing judged" + (f" ({', '.join(unjudged)})" if unjudged else "")
        noun = " applicable requirements" if self.headline else ""
        text = f"{judged.passed} of {judged.applicable}{noun} passed"
        if t.classes:
            (worst, n), *rest = t.classes
            text += f"; {n} {LABELS.get(worst, worst)}"
            if rest:
                text += f" and {sum(k for _, k in rest)} more to act on"
        return text

    def line(self) -> str:
        """`ListDevices: 9 of 11 passed; 2 FAIL`."""
        return f"{self.operation}: {self.status()}"


def by_operation(cases: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The results grouped by operation, the headline first (results.json's order within each)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for case in cases:
        groups.setdefault(operation_of(case), []).append(case)
    return {o: groups[o] for o in operation_order(groups)}


def summaries(cases: Iterable[Mapping[str, Any]]) -> list[OperationSummary]:
    """One summary per operation with results, the headline first."""
    return [OperationSummary(o, tally(group)) for o, group in by_operation(cases).items()]
