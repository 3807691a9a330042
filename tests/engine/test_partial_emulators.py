"""Emulators that implement the device operations before the sign-in (evidence/emulators.md): the
fixtures adapt and say how, the device-flow requirement the target breaks FAILs, and every other case
still gets the verdict it gets on the conformant reference."""

from __future__ import annotations

import pytest

from conformance.judge.verdicts import Verdict

from .conftest import faulty_endpoint, run_cases, session_for

# fault -> (the FLOW requirements it breaks, what the provenance of an adapted fixture says)
PARTIAL = {
    "no-new-device-metadata": (
        {"FLOW-NEW-DEVICE-METADATA", "FLOW-CONFIRM-UNKNOWN-KEY"},
        "synthesized device",
    ),
    "email-usernames-only": (set(), "email-shaped usernames"),
    # Without SRP no device can sign in (DEVICE_SRP_AUTH is SRP): judged, not BLOCKED.
    "no-srp": (
        {"FLOW-NEW-DEVICE-METADATA", "FLOW-CONFIRM-UNKNOWN-KEY", "FLOW-SRP-PROOF", "STATE-DEVICE-SIGNIN"},
        "tokens from USER_PASSWORD_AUTH",
    ),
}


@pytest.mark.parametrize("fault", sorted(PARTIAL))
def test_a_partial_emulator_gets_verdicts_and_fails_the_broken_device_flow(fault: str) -> None:
    broken, adapted = PARTIAL[fault]
    with faulty_endpoint(fault) as url, session_for(url) as session:
        results = run_cases(session, "*")
    by_verdict: dict[Verdict, set[str]] = {}
    for result in results.values():
        by_verdict.setdefault(result.verdict, set()).add(result.case_id)
    assert by_verdict.get(Verdict.FAIL, set()) == broken, by_verdict
    assert Verdict.ERROR not in by_verdict and Verdict.UNIMPLEMENTED not in by_verdict
    assert Verdict.NON_STRICT not in by_verdict
    # BLOCKED only where a device-flow FAIL is behind it, and it says which.
    for case_id in by_verdict.get(Verdict.BLOCKED, set()):
        reason = results[case_id].reason or ""
        named = [req for req in broken if req in reason]
        assert named and "FAILs" in reason, (case_id, reason)
    assert by_verdict.get(Verdict.BLOCKED, set()) <= {"FLOW-CONFIRM-DEVICE", "STATE-DEVICE-SIGNIN"}
    # The UpdateDeviceStatus cases were judged on adapted fixtures, and say so.
    judged = results["RES-OTHER-USER-DEVICE"]
    assert judged.verdict is Verdict.PASS
    assert any(adapted in line for line in judged.provenance), judged.provenance


def test_on_the_conformant_reference_every_fixture_is_had_the_documented_way() -> None:
    with session_for("reference") as session:
        result = run_cases(session, "RES-OTHER-USER-DEVICE")["RES-OTHER-USER-DEVICE"]
    assert result.provenance == [
        "user_a: USER_SRP_AUTH sign-in, devices from NewDeviceMetadata",
        "user_b: USER_SRP_AUTH sign-in, devices from NewDeviceMetadata",
    ]
