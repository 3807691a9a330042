"""The gate: which results fail a run, and its exit code, with or without a baseline. `run` and the
pytest plugin both decide here, so `pytest --cognito-target=...` passes or fails exactly as `run` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conformance.errors import EXIT_FAILURES, EXIT_OK, SuiteError
from conformance.reports.baseline import Baseline, BaselineOutcome, apply_baseline, load_baseline
from conformance.reports.verdicts import gate_fails


def found_failures(document: dict[str, Any]) -> bool:
    """Whether the target was seen failing (a FAIL): a run it then stopped answering still exits 1."""
    return any(c["verdict"] == "FAIL" for c in document["cases"])


def read_baseline(path: str | Path) -> Baseline:
    """A baseline file; a missing or malformed one is a usage error (exit 2, one line)."""
    if not Path(path).exists():
        raise SuiteError(f"baseline not found: {path}")
    return load_baseline(Path(path))


def gate(document: dict[str, Any], baseline: Baseline | None) -> tuple[int, BaselineOutcome | None]:
    """The exit code for a run's results.json: with a baseline, 1 only on a regression or lost coverage
    against it (each case is marked in place); without, 1 when any result fails the gate."""
    if baseline is not None:
        outcome = apply_baseline(document, baseline)
        return int(outcome.exit_code), outcome
    return (EXIT_FAILURES if any(gate_fails(c) for c in document["cases"]) else EXIT_OK), None
