"""The call budget, known before anything is sent (`run --dry-run`).

The plan is measured, not guessed: the selected cases run with the same settings (seed, examples)
against an in-process reference, whose call log then says how many calls of each operation a
conformant target costs, provisioning included. A target that fails a case costs that case again
(a FAIL is re-run once); shrinking a failure is off on live services.
"""

from __future__ import annotations

from dataclasses import replace

from conformance.contract.catalog import catalog
from conformance.engine.context import RunSession
from conformance.engine.registry import Case
from conformance.engine.runner import run_case
from conformance.engine.settings import RunSettings
from conformance.provisioning import Provisioner
from conformance.targets import open_target


def plan(cases: list[Case], settings: RunSettings) -> dict[str, object]:
    rehearsal = replace(settings, target_spec="reference", pace=None, user_pool_id=None, client_id=None)
    target = open_target("reference")
    provisioner = Provisioner(target, run_id="dry-run")
    try:
        session = RunSession(rehearsal, target, provisioner)
        for c in cases:
            run_case(session, c, catalog())
    finally:
        provisioner.close()
        target.close()
    by_operation = target.calls.by_operation()
    return {"total": sum(by_operation.values()), "by_operation": by_operation}
