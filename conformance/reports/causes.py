"""What to act on first: a run's results grouped by cause, the worst class first. The terminal summary's
first lines after the counts, the HTML report's header and its "top causes" panel are made from these.

Read from results.json only. The classes, in the order a reader acts on them ("worst" first):

- ERROR: the suite itself failed (a bug in the suite: the other verdicts are in doubt), per requirement;
- UNIMPLEMENTED: the target lacks an operation the cases need, grouped by that operation
  (`unimplemented.operation`; in an older results.json, read from the engine's reason "X is not
  implemented: ..."). Nothing that needs the operation could be judged, so it comes before what was;
- FAIL: a MUST violated, per requirement;
- BLOCKED by the target: grouped by the requirement whose FAIL explains them;
- NON-STRICT: a SHOULD missed, per requirement.

A BLOCKED by a limit outside the target ("not testable here"), INFORMATIONAL, PASS and SKIPPED are no
cause to act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .verdicts import blocked_cause, score

CLASSES: tuple[str, ...] = ("ERROR", "UNIMPLEMENTED", "FAIL", "BLOCKED", "NON-STRICT")
# How a class is named in a count ("2 BLOCKED by the target"): a BLOCKED here is the target's doing.
LABELS = {"BLOCKED": "BLOCKED by the target"}
# The engine's reason for an UNIMPLEMENTED (conformance/engine/context.py, OperationMissing), possibly
# after "schemathesis phase: ": the fallback for a results.json without `unimplemented`.
_NOT_IMPLEMENTED = re.compile(r"(?:^|: )([A-Z][A-Za-z0-9]+) is not implemented: (.+)", re.DOTALL)
EVIDENCE_CUT = 110  # characters of the target's words shown with a cause


def _squeezed(text: Any) -> str:
    return " ".join(str(text or "").split())


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def missing_operation(case: Mapping[str, Any]) -> tuple[str, str] | None:
    """An UNIMPLEMENTED's missing operation and the target's words, or None (not said)."""
    data = case.get("unimplemented")
    if isinstance(data, Mapping) and isinstance(data.get("operation"), str) and data["operation"]:
        return str(data["operation"]), _squeezed(data.get("evidence"))
    found = _NOT_IMPLEMENTED.search(str(case.get("reason") or ""))
    return (found.group(1), _squeezed(found.group(2))) if found else None


@dataclass(frozen=True)
class Cause:
    """One cause and the requirements (results.json rows) it explains."""

    verdict: str  # the class: one of CLASSES
    cause: str  # "UpdateDeviceStatus not implemented", "explained by FLOW-TEST-SUPPORT", a FAIL's reason
    ids: tuple[str, ...]
    evidence: str = ""  # the target's words, for an operation it does not implement
    operation: str | None = None  # the missing operation (UNIMPLEMENTED)
    flaky: bool = False  # a FAIL that did not reproduce

    @property
    def count(self) -> int:
        return len(self.ids)

    def text(self) -> str:
        """The cause with the target's words, as one phrase."""
        evidence = f" ({cut(self.evidence, EVIDENCE_CUT)})" if self.evidence else ""
        return f"{self.cause}{evidence}"


def class_of(case: Mapping[str, Any]) -> str | None:
    """The class a result is a cause in (one of CLASSES), or None: nothing to act on."""
    verdict = str(case.get("verdict"))
    if verdict == "BLOCKED":
        return "BLOCKED" if blocked_cause(case) in ("target", "stopped") else None
    return verdict if verdict in CLASSES else None


def causes(cases: Iterable[Mapping[str, Any]]) -> list[Cause]:
    """Every cause, in class order (CLASSES); within a class, the biggest group first (ties: the order
    they were first seen in). ERROR, FAIL and NON-STRICT are one cause per requirement."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for case in cases:
        kind = class_of(case)
        if kind is None:
            continue
        case_id = str(case.get("id"))
        operation, evidence = None, ""
        if kind == "UNIMPLEMENTED" and (missing := missing_operation(case)) is not None:
            operation, evidence = missing
            cause = f"{operation} not implemented"
        elif kind == "UNIMPLEMENTED":
            cause = _squeezed(case.get("reason")) or "not implemented"
        elif kind == "BLOCKED":
            blocked = case.get("blocked")
            named = blocked.get("requirement") if isinstance(blocked, Mapping) else None
            if named:
                cause = f"explained by {named}"
            elif blocked_cause(case) == "stopped" or isinstance(blocked, Mapping):
                cause = "no answer from the target"
            else:  # an older results.json, which does not say: its reason
                cause = _squeezed(case.get("reason")) or "(no reason given)"
        else:
            cause = _squeezed(case.get("reason")) or "(no reason given)"
        key = (kind, cause if kind in ("UNIMPLEMENTED", "BLOCKED") else case_id)
        group = groups.setdefault(
            key,
            {"cause": cause, "ids": [], "evidence": evidence, "operation": operation, "flaky": False},
        )
        group["ids"].append(case_id)
        group["flaky"] = group["flaky"] or bool(case.get("flaky"))
    out = [
        Cause(kind, g["cause"], tuple(g["ids"]), g["evidence"], g["operation"], g["flaky"])
        for (kind, _), g in groups.items()
    ]
    order = {c: i for i, c in enumerate(out)}
    return sorted(out, key=lambda c: (CLASSES.index(c.verdict), -c.count, order[c]))


def top_causes(found: Sequence[Cause], n: int = 5) -> list[Cause]:
    """The `n` biggest groups (ties: the worse class first)."""
    ranked = sorted(enumerate(found), key=lambda ic: (-ic[1].count, ic[0]))
    return [c for _, c in ranked[:n]]


def names(items: Sequence[str], limit: int = 3) -> str:
    """Items as a phrase: "A, B and C", or "A, B, C and 4 more"."""
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) > 1:
        return ", ".join(items[:-1]) + f" and {items[-1]}"
    return items[0] if items else ""


@dataclass(frozen=True)
class Headline:
    """The run in one phrase: the worst class present and its causes (`text`), the other classes to
    act on with their counts (`also`), and the CSS class the report colors it with."""

    verdict: str | None  # the worst class present; None: nothing to act on
    text: str
    also: str
    css: str

    def line(self) -> str:
        return self.text + (f"; also {self.also}" if self.also else "")


def headline(cases: Iterable[Mapping[str, Any]]) -> Headline:
    cases = list(cases)
    found = causes(cases)
    tally = {kind: sum(c.count for c in found if c.verdict == kind) for kind in CLASSES}
    present = [kind for kind in CLASSES if tally[kind]]
    if not present:
        judged = score(cases)
        if judged.applicable:
            text = f"Conformant: {judged.passed} of {judged.applicable} applicable requirements passed"
            return Headline(None, text, "", "pass")
        return Headline(None, "Nothing judged: no requirement had a pass/fail outcome here", "", "neutral")
    worst = present[0]
    mine = [c for c in found if c.verdict == worst]
    n = tally[worst]
    if worst == "UNIMPLEMENTED":
        operations = [c.operation for c in mine if c.operation]
        unnamed = sum(c.count for c in mine if not c.operation)
        what = names(operations, limit=4) + " missing" if operations else cut(mine[0].cause, 90)
        if operations and unnamed:
            what += f" ({unnamed} for another reason)"
        text = f"{n} UNIMPLEMENTED: {what}"
    elif worst == "BLOCKED":
        named = [c.cause.removeprefix("explained by ") for c in mine if c.cause.startswith("explained by ")]
        parts = [f"explained by {names(named)}"] if named else []
        parts += [c.cause for c in mine if not c.cause.startswith("explained by ")]
        text = f"{n} BLOCKED by the target, " + "; ".join(parts)
    elif worst == "ERROR":
        text = f"{n} ERROR (the suite failed): {names([i for c in mine for i in c.ids])}"
    else:
        text = f"{n} {worst}: {names([i for c in mine for i in c.ids])}"
    also = ", ".join(f"{tally[kind]} {LABELS.get(kind, kind)}" for kind in present[1:])
    css = {"ERROR": "error", "UNIMPLEMENTED": "unimplemented", "FAIL": "fail", "BLOCKED": "blocked"}
    return Headline(worst, text, also, css.get(worst, "nonstrict"))
