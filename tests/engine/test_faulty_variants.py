"""The oracle is proved on the reference and on deliberately faulty variants of it: the conformant
reference passes, and each fault makes the case for the broken requirement FAIL (NON-STRICT for a
SHOULD) and name that requirement."""

from __future__ import annotations

import json

import pytest

from conformance.contract.catalog import catalog
from conformance.engine.registry import select
from conformance.engine.verdicts import Verdict
from conformance.reference import ReferenceBackend, start_server
from conformance.reference.faults import FAULTS

from .conftest import faulty_endpoint, run_cases, session_for

FAMILIES = ("VAL", "AUTH", "RES", "STATE", "PROTO")
SINGLE_FAULTS = sorted((name, req) for name, (req, _) in FAULTS.items() if req.startswith(FAMILIES))


@pytest.mark.parametrize(("fault", "requirement"), SINGLE_FAULTS, ids=[f for f, _ in SINGLE_FAULTS])
def test_each_fault_is_caught_by_the_case_for_its_requirement(fault: str, requirement: str) -> None:
    level = catalog().get(requirement).level
    expected = Verdict.FAIL if level == "MUST" else Verdict.NON_STRICT
    with faulty_endpoint(fault) as url, session_for(url, examples=12) as session:
        results = run_cases(session, requirement)
    result = results[requirement]
    assert result.verdict is expected, f"{fault}: {result.verdict} {result.reason}"
    assert result.requirement == requirement
    assert result.reason and requirement in result.reason
    assert result.reproduce and f"--case {requirement}" in result.reproduce


def test_the_same_cases_pass_against_the_conformant_reference_served_the_same_way() -> None:
    requirements = sorted({req for _, req in SINGLE_FAULTS})
    with session_for("reference-http") as session:
        results = run_cases(session, ",".join(requirements))
    assert {r.verdict for r in results.values()} <= {Verdict.PASS, Verdict.INFORMATIONAL}, {
        r.case_id: (r.verdict, r.reason) for r in results.values() if r.verdict is not Verdict.PASS
    }


def test_a_target_that_implements_no_device_operation_never_passes() -> None:
    with faulty_endpoint("unimplemented-device-operations") as url, session_for(url) as session:
        results = run_cases(session, "*")
    verdicts = {r.verdict for r in results.values()}
    assert Verdict.PASS not in verdicts and Verdict.FAIL not in verdicts and Verdict.ERROR not in verdicts
    unimplemented = [r for r in results.values() if r.verdict is Verdict.UNIMPLEMENTED]
    assert len(unimplemented) >= 20
    assert all("HTML" in (r.reason or "") for r in unimplemented)


def test_every_requirement_family_has_a_fault() -> None:
    families = {catalog().get(req).family for _, req in SINGLE_FAULTS}
    assert families >= {"validation", "authorization", "resources", "state", "protocol"}


class FailsOnce(ReferenceBackend):
    """Answers the first real request for an unknown device with a 500, then behaves: a flaky target."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        key = json.loads(body or b"{}").get("DeviceKey") if body.startswith(b"{") else None
        unknown = b"eyJ" in body and key not in self.store.devices
        if target and target.endswith(".UpdateDeviceStatus") and unknown and not self.failed:
            self.failed = True
            return 500, {"Content-Type": "application/x-amz-json-1.1"}, b'{"__type":"InternalErrorException"}'
        return super().handle(target, body, headers, source_ip=source_ip)


def test_a_fail_that_does_not_reproduce_is_reported_as_flaky() -> None:
    running = start_server(FailsOnce(), "127.0.0.1", 0)
    try:
        with session_for(running.url) as session:
            result = run_cases(session, "RES-UNKNOWN-DEVICE")["RES-UNKNOWN-DEVICE"]
    finally:
        running.stop()
    assert result.verdict is Verdict.FAIL and result.flaky
    assert result.reason and result.reason.startswith("flaky: did not reproduce")


def test_every_case_that_can_fail_is_failed_by_some_fault() -> None:
    """The proof that no check is a check that cannot fail: across the faulty variants, every case
    with a MUST or SHOULD ends FAIL or NON-STRICT at least once (INFO cases only record)."""
    can_fail = {c.id for c in select("*") if catalog().get(c.requirement).level != "INFO"}
    remaining = set(can_fail)
    # The broad faults first; each later fault only runs the cases no fault has failed yet.
    order = [
        "accept-everything",
        "reject-everything",
        *sorted(set(FAULTS) - {"accept-everything", "reject-everything"}),
    ]
    for fault in order:
        if not remaining or fault == "unimplemented-device-operations":
            continue
        with faulty_endpoint(fault) as url, session_for(url, examples=12) as session:
            for result in run_cases(session, ",".join(sorted(remaining))).values():
                if result.verdict in (Verdict.FAIL, Verdict.NON_STRICT):
                    remaining.discard(result.case_id)
    assert remaining == set(), "cases no faulty variant makes fail"
