"""Verdicts (docs/design.md, "Verdicts") and the outcome of one case."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.contract.catalog import Requirement


class Verdict(StrEnum):
    PASS = "PASS"
    NON_STRICT = "NON-STRICT"
    FAIL = "FAIL"
    UNIMPLEMENTED = "UNIMPLEMENTED"
    INFORMATIONAL = "INFORMATIONAL"
    BLOCKED = "BLOCKED"
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"


ALL_VERDICTS = tuple(Verdict)


@dataclass
class CaseResult:
    """What one case concluded, with everything a report needs to explain it."""

    case_id: str
    requirement: str
    level: str
    title: str
    verdict: Verdict
    reason: str | None = None
    expected: Any = None
    actual: Any = None
    examples: int = 0
    reproduce: str | None = None
    curl: str | None = None
    example: dict[str, Any] | None = None
    flaky: bool = False
    duration_s: float = 0.0
    family: str = ""
    operation: str = ""  # the operation whose contract the requirement is
    statement: str = ""
    sources: list[str] = field(default_factory=list)
    error_types: list[str] = field(default_factory=list)  # error types the target answered in this case
    outcomes: list[dict[str, Any]] = field(default_factory=list)  # every check's outcome (outcomes.py)
    steps: dict[str, int] | None = None  # a state machine's steps taken, by rule
    trail: list[str] | None = None  # the steps that led to the worst outcome, in order (a state machine)
    provenance: list[str] = field(default_factory=list)  # how each fixture the case used was had
    # A BLOCKED's cause: "target" (it broke something the case needed; `requirement` names the FAIL that
    # explains it, and the gate fails), "limit" (outside the target: neutral) or "stopped" (it went silent).
    blocked: dict[str, Any] | None = None

    @classmethod
    def of(cls, case_id: str, requirement: Requirement, verdict: Verdict, **fields: Any) -> CaseResult:
        """A result with its requirement's catalog fields (id, level, title, family, statement, sources)."""
        return cls(
            case_id=case_id,
            requirement=requirement.id,
            level=requirement.level,
            title=requirement.title,
            verdict=verdict,
            family=requirement.family,
            operation=requirement.operation,
            statement=requirement.statement,
            sources=[s.describe() for s in requirement.sources],
            **fields,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.case_id,
            "requirement": self.requirement,
            "level": self.level,
            "title": self.title,
            "verdict": str(self.verdict),
            "reason": self.reason,
            "expected": self.expected,
            "actual": self.actual,
            "examples": self.examples,
            "reproduce": self.reproduce,
            "curl": self.curl,
            "example": self.example,
            "flaky": self.flaky,
            "duration_s": round(self.duration_s, 4),
            "family": self.family,
            **({"operation": self.operation} if self.operation else {}),
            "statement": self.statement,
            "sources": self.sources,
            "error_types": self.error_types,
            "outcomes": self.outcomes,
            **({"steps": self.steps} if self.steps is not None else {}),
            **({"trail": self.trail} if self.trail is not None else {}),
            "provenance": self.provenance,
            **({"blocked": self.blocked} if self.blocked is not None else {}),
        }
