"""Build results.json (specs/results.schema.json, a copy of the shared format) from the cases' results:
one row per requirement (merge.py), which the summary and every report count."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conformance import __version__
from conformance.contract import ids
from conformance.contract.catalog import Catalog
from conformance.contract.extract import OPERATION, SERVICE
from conformance.contract.model import PinnedModel
from conformance.judge.checks import modeled_errors
from conformance.judge.verdicts import ALL_VERDICTS
from conformance.secrets import redact_obj

from .merge import by_requirement

TOOL_NAME = "cognito-conformance"


def error_coverage(cases: list[dict[str, Any]], catalog: Catalog) -> list[dict[str, Any]]:
    """Each modeled error of the operation: the cases that got it, or why none could on this target."""
    why = {e.error: e for e in catalog.errors}
    rows = []
    for error in sorted(modeled_errors(OPERATION)):
        triggered = sorted(c["id"] for c in cases if error in c.get("error_types", []))
        why_not = None
        if not triggered:
            entry = why.get(error)
            why_not = (
                (entry.why_not or f"no case triggered it on this target (expected from: {entry.trigger})")
                if entry
                else None
            )
        rows.append({"error": error, "triggered_by": triggered, "why_not": why_not})
    return rows


def _unimplemented_rows(rows: list[dict[str, Any]], cases: list[dict[str, Any]]) -> None:
    """`unimplemented` (the missing operation and the target's words) on the UNIMPLEMENTED rows only: a
    row's own case is its base, so an UNIMPLEMENTED another case decided (the schemathesis phase's) takes
    that case's, and a row another contribution decided otherwise keeps none."""
    missing: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        if case.get("verdict") == "UNIMPLEMENTED" and isinstance(case.get("unimplemented"), dict):
            missing.setdefault(str(case["requirement"]), []).append(case)
    for row in rows:
        row.pop("unimplemented", None)
        found = missing.get(str(row["requirement"]), []) if row["verdict"] == "UNIMPLEMENTED" else []
        if found:
            own = [c for c in found if c["id"] == row["requirement"]]
            row["unimplemented"] = dict((own or found)[0]["unimplemented"])


def summary(cases: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Rows per verdict: given the merged rows, requirements per verdict."""
    counts = {str(v): 0 for v in ALL_VERDICTS}
    for c in cases:
        counts[c["verdict"]] += 1
    return counts


def build(
    *,
    cases: list[dict[str, Any]],
    catalog: Catalog,
    model: PinnedModel,
    drift: list[str],
    target: dict[str, Any],
    started_at: str,
    duration_s: float,
    seed: int,
    calls: dict[str, Any],
    settings: dict[str, Any],
) -> Any:
    order = {r.id: i for i, r in enumerate(catalog.requirements)}
    # One row per requirement: the phase's cases and outcomes seen in other cases folded in.
    rows = by_requirement(cases, catalog)
    _unimplemented_rows(rows, cases)
    cases = sorted(rows, key=lambda c: (order.get(c["requirement"], len(order)), c["id"]))
    coverage = error_coverage(cases, catalog)
    for c in cases:
        if c["id"] == ids.ERR_COVERAGE and c["verdict"] == "INFORMATIONAL":
            c["actual"] = {row["error"]: row["triggered_by"] or row["why_not"] for row in coverage}
    return redact_obj(
        {
            "schema_version": 1,
            "tool": {"name": TOOL_NAME, "version": __version__},
            "model": {
                "service": SERVICE,
                "api_version": model.api_version,
                "operation": OPERATION,
                "botocore_version": model.botocore_version,
                "sha256": model.sha256,
                "drift": drift,
            },
            "target": target,
            "started_at": started_at,
            "duration_s": round(duration_s, 3),
            "seed": seed,
            "settings": settings,
            "summary": summary(cases),
            "cases": cases,
            "calls": calls,
            "error_coverage": coverage,
        }
    )
