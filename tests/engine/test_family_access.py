"""The other operations' authorization and resources (specs/requirements/access.toml, judged by
conformance/cases/devices/access.py) are proved as UpdateDeviceStatus's are: the conformant reference
passes every one of them, and every generated faulty variant of them (conformance/reference/mutants.py: a
refusal dropped, retyped, reworded, or applied all the same, by operation) FAILs on the requirement it
names (NON-STRICT under a SHOULD), with no ERROR, and on no other requirement its operation's validation,
authorization and resources cases judge, but where EXPLAINED says why. The other families (state,
pagination, attributes) and the schemathesis phase are left out: their own tests prove their faults, and
the phase alone costs more than this whole file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from conformance.contract.catalog import catalog
from conformance.engine.context import RunSession, RunSettings
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.provisioning import Provisioner
from conformance.reference import Controls, ReferenceBackend, reference_client
from conformance.reference.mutants import MUTANTS, MutantBackend
from conformance.targets.controls import InProcessControls
from conformance.targets.pacing import Pacer
from conformance.targets.target import Target

from .conftest import serving, session_for

FAMILIES = ("authorization", "resources")
ACCESS = {
    r.id for r in catalog().requirements if r.family in FAMILIES and r.operation != "UpdateDeviceStatus"
}
PRODUCTS = sorted(name for name, m in MUTANTS.items() if m.requirement in ACCESS)
# The families whose cases run under each product, on its operation.
JUDGED = (*FAMILIES, "validation")
# (kind, operation) -> the other requirements a product of that kind may FAIL too, and why.
EXPLAINED: dict[tuple[str, str], set[str]] = {
    # A refused AdminUpdateDeviceStatus "accepted" as 200 {} is an accepted update that did not store the
    # status it sent: the watch (engine/watch.py) judges every accepted update under that requirement.
    ("refusal-dropped", "AdminUpdateDeviceStatus"): {"ADMIN-UPDATE-STATE-AS-SENT"},
}


def _run(session: RunSession, operation: str, families: tuple[str, ...] = JUDGED) -> dict[str, CaseResult]:
    """The operation's cases of these families (not the schemathesis phase's), in the catalog's order."""
    cases = select(None, schemathesis=False, operations=(operation,))
    judged = [c for c in cases if catalog().get(c.requirement).family in families]
    return {c.id: run_case(session, c, catalog()) for c in judged}


@contextmanager
def in_process(backend: ReferenceBackend) -> Iterator[RunSession]:
    """A run against `backend` answering in this process, as `--target reference` answers (botocore's real
    serializer and parser, no socket): a product's run costs a third of one served over HTTP."""
    client = reference_client(backend, backend.region)
    controls = InProcessControls(Controls(backend))
    target = Target(
        spec="reference",
        kind="reference",
        region=backend.region,
        endpoint=None,
        client=client,
        timeout=10.0,
        pacer=Pacer(enabled=False),
        controls=controls,
        reference_backend=backend,
    )
    provisioner = Provisioner(target, run_id="test0")
    try:
        yield RunSession(RunSettings(target_spec="reference", seed=0, examples=2), target, provisioner)
    finally:
        provisioner.close()
        target.close()


def _findings(results: dict[str, CaseResult]) -> dict[str, set[str]]:
    """The requirements some outcome FAILed or was NON-STRICT on, with those verdicts."""
    found: dict[str, set[str]] = {}
    for result in results.values():
        for outcome in result.outcomes:
            if outcome["verdict"] in ("FAIL", "NON-STRICT"):
                found.setdefault(outcome["requirement"], set()).add(outcome["verdict"])
    return found


@pytest.fixture(scope="module")
def reference_session() -> Iterator[RunSession]:
    with serving(ReferenceBackend()) as url, session_for(url, examples=2) as session:
        yield session


def test_every_requirement_has_a_case_and_every_judged_one_its_faults() -> None:
    registered = {c.requirement for c in select(None)}
    assert registered >= ACCESS and len(ACCESS) == 21
    judged = {r for r in ACCESS if catalog().get(r).level != "INFO"}
    assert {MUTANTS[p].requirement for p in PRODUCTS} == judged
    kinds = {MUTANTS[p].kind for p in PRODUCTS}
    assert kinds == {"refusal-dropped", "refusal-applied", "wrong-error-type", "wrong-message"}


@pytest.mark.parametrize("operation", sorted({catalog().get(r).operation for r in ACCESS}))
def test_the_reference_passes_each_operations_authorization_and_resources(
    reference_session: RunSession, operation: str
) -> None:
    results = _run(reference_session, operation, FAMILIES)
    expected = {k: Verdict.INFORMATIONAL if r.level == "INFO" else Verdict.PASS for k, r in results.items()}
    assert results and {k: r.verdict for k, r in results.items()} == expected, {
        k: r.reason for k, r in results.items() if r.verdict is not expected[k]
    }
    assert _findings(results) == {}


@pytest.mark.parametrize("name", PRODUCTS)
def test_each_generated_fault_fails_its_operations_requirement_alone(name: str) -> None:
    mutant = MUTANTS[name]
    with in_process(MutantBackend(name)) as session:
        results = _run(session, mutant.operation)
    assert not [k for k, r in results.items() if r.verdict is Verdict.ERROR]
    wanted = {Verdict.FAIL} if mutant.level == "MUST" else {Verdict.FAIL, Verdict.NON_STRICT}
    assert results[mutant.requirement].verdict in wanted, (mutant.mistake, results[mutant.requirement].reason)
    allowed = {mutant.requirement} | EXPLAINED.get((mutant.kind, mutant.operation), set())
    found = _findings(results)
    assert mutant.requirement in found and set(found) <= allowed, (mutant.mistake, found)
