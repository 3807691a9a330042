"""Coverage of documented errors: computed from every case's answers when the run ends."""

from __future__ import annotations

import re

from conformance.contract import ids, paths
from conformance.contract.catalog import SEED_FILE
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.checks import modeled_errors

# Filled in by the results builder from all cases' error types (see results.error_coverage).
COVERAGE_PENDING = "computed from all cases when the run ends"


@case(ids.ERR_COVERAGE, ops=())
def coverage(ctx: CaseContext) -> None:
    ctx.observe(COVERAGE_PENDING)


@case(ids.ERR_MODEL_DRIFT, ops=())
def model_drift(ctx: CaseContext) -> None:
    seed_text = (paths.SPECS_DIR / "sources" / SEED_FILE).read_text()
    documented = set(re.findall(r"exceptions\.(\w+Exception)", seed_text))
    modeled = set(modeled_errors())
    ctx.observe(
        {
            "modeled_not_documented": sorted(modeled - documented),
            "documented_not_modeled": sorted(documented - modeled),
        }
    )
