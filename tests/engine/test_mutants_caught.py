"""The generated catalog of faulty variants (conformance/reference/mutants.py: small transformations of
the reference's answers and state, by operation and by kind of mistake, written from the contract by
someone who had not read the checks). A fixed sample of its products, each served like any endpoint:
each must end in a FAIL (a NON-STRICT will do under a SHOULD) on the requirement it names, with no ERROR;
the conformant reference gives no finding at all."""

from __future__ import annotations

import pytest

from conformance.contract.catalog import catalog
from conformance.judge.verdicts import Verdict
from conformance.reference import ReferenceBackend
from conformance.reference.mutants import MUTANTS, MutantBackend

from .conftest import run_cases, serving, session_for

# Every fourth product in name order (every kind of mistake, most requirements), and the products the
# suite once missed (each an item of "Verdicts that generalize" it now judges).
ONCE_MISSED = (
    "refusal-applied:ConfirmDevice:FLOW-CONFIRM-UNKNOWN-KEY",
    "refusal-applied:UpdateDeviceStatus:RES-FORGOTTEN-DEVICE",
    "secret-echo:ConfirmDevice:device-verifier-in-message",
    "secret-echo:GetDevice:access-token-in-message",
    "secret-echo:InitiateAuth:password-in-header",
    "secret-echo:ListDevices:access-token-in-message",
)
# The headline's products (a whole run each); the other operations' are each run against their
# operation's cases in tests/engine/test_family_{validation,access,state}.py.
HEADLINE = sorted(
    n for n, m in MUTANTS.items() if catalog().get(m.requirement).operation == "UpdateDeviceStatus"
)
SAMPLE = sorted(set(HEADLINE[::4]) | set(ONCE_MISSED))


def _findings(backend: ReferenceBackend) -> tuple[set[tuple[str, str]], list[str]]:
    """(requirement, verdict) of every FAIL or NON-STRICT outcome of a whole run, and the ERROR cases."""
    with serving(backend) as url, session_for(url, examples=6) as session:
        results = run_cases(session, "*")
    found = {
        (o["requirement"], o["verdict"])
        for r in results.values()
        for o in r.outcomes
        if o["verdict"] in ("FAIL", "NON-STRICT")
    }
    return found, [r.case_id for r in results.values() if r.verdict is Verdict.ERROR]


def test_the_sample_is_large_and_spans_every_kind() -> None:
    assert len(SAMPLE) >= 40
    assert {MUTANTS[name].kind for name in SAMPLE} == {MUTANTS[name].kind for name in HEADLINE}


@pytest.mark.parametrize("name", SAMPLE)
def test_each_generated_fault_is_caught_on_the_requirement_it_names(name: str) -> None:
    mutant = MUTANTS[name]
    found, errors = _findings(MutantBackend(name))
    wanted = {"FAIL"} if mutant.level == "MUST" else {"FAIL", "NON-STRICT"}
    assert {v for r, v in found if r == mutant.requirement} & wanted, (mutant.mistake, sorted(found))
    assert errors == []


def test_the_conformant_reference_gives_no_finding() -> None:
    found, errors = _findings(ReferenceBackend())
    assert found == set() and errors == []
