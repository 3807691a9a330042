"""Check outcomes, and how a case's verdict follows from them (docs/design.md, "How a verdict is earned").

A case runs every one of its checks; each check gives an Outcome (the check, the requirement it
judges, a verdict, expected and actual, the exchange it looked at). The case's verdict is the worst
outcome: FAIL over NON-STRICT over BLOCKED over PASS. A case with no outcome judged nothing, and
that is never a PASS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from conformance.judge.verdicts import Verdict
from conformance.targets.exchange import Exchange

# Worst first. BLOCKED ranks above PASS: a part of the requirement that could not be judged means
# the requirement as a whole was not seen to hold. INFORMATIONAL (an INFO assumption that did not
# hold) only records, so it ranks last.
SEVERITY: tuple[Verdict, ...] = (
    Verdict.FAIL,
    Verdict.NON_STRICT,
    Verdict.BLOCKED,
    Verdict.PASS,
    Verdict.INFORMATIONAL,
)


@dataclass
class Outcome:
    """What one check concluded. Repeated alike outcomes (a property's examples) are counted once."""

    check: str
    requirement: str
    verdict: Verdict
    expected: Any
    actual: Any
    exchange: Exchange | None = None
    count: int = 1
    trail: tuple[str, ...] | None = None  # a state machine's steps that led to it, in order

    def key(self) -> str:
        return json.dumps([self.check, self.requirement, str(self.verdict), str(self.expected)])

    def describe(self) -> str:
        if self.verdict is Verdict.PASS:
            return f"{self.requirement} {self.check}: {self.actual}"
        steps = f"; steps: {' | '.join(self.trail)}" if self.trail else ""
        return f"{self.requirement} {self.check}: expected {self.expected}, got {self.actual}{steps}"


@dataclass
class Outcomes:
    """The outcomes of one case, alike ones merged (the first exchange kept as the example)."""

    items: dict[str, Outcome] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        key = outcome.key()
        if key in self.items:
            self.items[key].count += outcome.count
        else:
            self.items[key] = outcome

    def merge(self, other: Outcomes) -> None:
        for outcome in other.items.values():
            self.add(outcome)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    def worst(self, own: str | None = None) -> Outcome | None:
        """The worst outcome (the first seen of alike verdicts); with `own`, of that requirement's only:
        a case's verdict speaks of its own requirement, and what it saw of another requirement is that
        requirement's (results.json folds it into that row: engine/merge.py)."""
        items = [o for o in self.items.values() if own is None or o.requirement == own]
        ranked = sorted(items, key=lambda o: SEVERITY.index(o.verdict))
        return ranked[0] if ranked else None

    def has_hard_failure(self, own: str | None = None) -> bool:
        """Whether a MUST broke; with `own`, one of that requirement's (what another requirement's
        property saw is recorded, and does not end the exploration of this one)."""
        return any(o.verdict is Verdict.FAIL and own in (None, o.requirement) for o in self.items.values())
