"""The eight other operations' validation (conformance/cases/devices/validation.py) is proved as
UpdateDeviceStatus's is: the conformant reference passes it, and every generated faulty variant of it
(conformance/reference/mutants.py: a refusal dropped, retyped, or applied all the same, by operation)
FAILs on the requirement it names, and on no other requirement of that operation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.contract.catalog import catalog
from conformance.engine.context import RunSession
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.reference import ReferenceBackend
from conformance.reference.mutants import MUTANTS, MutantBackend

from .conftest import failing_requirements, serving, session_for

VALIDATION = {
    r.id for r in catalog().requirements if r.family == "validation" and r.operation != "UpdateDeviceStatus"
}
PRODUCTS = sorted(name for name, m in MUTANTS.items() if m.requirement in VALIDATION)


@pytest.fixture(scope="module")
def reference_session() -> Iterator[RunSession]:
    with serving(ReferenceBackend()) as url, session_for(url, examples=10) as session:
        yield session


def _run(session: RunSession, operation: str) -> dict[str, CaseResult]:
    return {c.id: run_case(session, c, catalog()) for c in select(None, operations=(operation,))}


def test_every_operation_has_its_three_validation_requirements_and_their_faults() -> None:
    operations = {catalog().get(r).operation for r in VALIDATION}
    assert len(operations) == 8 and len(VALIDATION) == 24
    assert {MUTANTS[p].requirement for p in PRODUCTS} == VALIDATION  # every one has a product
    kinds = {MUTANTS[p].kind for p in PRODUCTS}
    assert {"refusal-dropped", "wrong-error-type", "refusal-applied"} <= kinds


@pytest.mark.parametrize("operation", sorted({catalog().get(r).operation for r in VALIDATION}))
def test_the_reference_passes_each_operations_validation(
    reference_session: RunSession, operation: str
) -> None:
    results = {k: v for k, v in _run(reference_session, operation).items() if k.split("-VAL-")[0] != k}
    assert results and all(r.verdict is Verdict.PASS for r in results.values()), {
        k: (r.verdict, r.reason) for k, r in results.items() if r.verdict is not Verdict.PASS
    }


@pytest.mark.parametrize("name", PRODUCTS)
def test_each_generated_fault_fails_its_operations_requirement_alone(name: str) -> None:
    mutant = MUTANTS[name]
    with serving(MutantBackend(name)) as url, session_for(url, examples=6) as session:
        results = _run(session, mutant.operation)
    assert not [k for k, r in results.items() if r.verdict is Verdict.ERROR]
    assert results[mutant.requirement].verdict is Verdict.FAIL, (
        mutant.mistake,
        results[mutant.requirement].reason,
    )
    assert failing_requirements(results) == {mutant.requirement}, mutant.mistake
