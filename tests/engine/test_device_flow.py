"""The device flow follows the pool's own configuration, device sign-in is judged in parts, and
NewDeviceMetadata is sought through every sign-in flow before a device is made up (issue 18, items 8-9).

The targets are faulty variants of the reference written from the contract (reference/faults.py):
each must FAIL its own requirement, and the cases that only rely on the device flow must still PASS,
with the provenance saying what provisioning had to do."""

from __future__ import annotations

from conformance.judge.verdicts import Verdict
from conformance.provisioning import Provisioner
from conformance.reference import ReferenceBackend
from conformance.targets import open_target

from .conftest import faulty_endpoint, run_cases, serving, session_for


def _provenance(result: object) -> str:
    return " | ".join(getattr(result, "provenance", []) or [])


def test_the_reference_confirms_on_both_pool_configurations() -> None:
    with session_for("reference") as session:
        result = run_cases(session, "FLOW-CONFIRM-DEVICE")["FLOW-CONFIRM-DEVICE"]
    assert result.verdict is Verdict.PASS, result.reason
    judged = {o["check"]: o["count"] for o in result.outcomes}
    # Once on the run's pool (remembered at once), once on a pool that asks the user first.
    assert judged["confirmation_follows_pool"] == 2 and judged["tracked"] == 2


def test_a_pool_that_remembers_on_prompt_is_judged_by_its_own_configuration() -> None:
    with faulty_endpoint("confirm-ignores-prompt-configuration") as url, session_for(url) as session:
        result = run_cases(session, "FLOW-CONFIRM-DEVICE")["FLOW-CONFIRM-DEVICE"]
    assert result.verdict is Verdict.FAIL
    failing = {o["check"] for o in result.outcomes if o["verdict"] == "FAIL"}
    assert failing == {"confirmation_follows_pool", "tracked"}
    assert "DeviceOnlyRememberedOnUserPrompt true" in (result.reason or "")


def test_a_repair_is_recorded_and_the_flow_requirement_fails() -> None:
    with faulty_endpoint("confirm-always-asks") as url, session_for(url) as session:
        results = run_cases(session, "FLOW-CONFIRM-DEVICE,STATE-REMEMBERED,RES-OTHER-USER-DEVICE")
    assert results["FLOW-CONFIRM-DEVICE"].verdict is Verdict.FAIL
    for case_id in ("STATE-REMEMBERED", "RES-OTHER-USER-DEVICE"):
        result = results[case_id]
        assert result.verdict is Verdict.PASS, (case_id, result.reason)
        said = _provenance(result)
        assert "repaired" in said and "FLOW-CONFIRM-DEVICE" in said, said


def test_a_correct_device_proof_refused_with_any_error_fails() -> None:
    with faulty_endpoint("device-proof-server-error") as url, session_for(url) as session:
        result = run_cases(session, "STATE-DEVICE-SIGNIN")["STATE-DEVICE-SIGNIN"]
    assert result.verdict is Verdict.FAIL, result.reason
    verdicts = {o["check"]: o["verdict"] for o in result.outcomes}
    assert verdicts["challenges"] == "PASS"  # the way there was right: only the proof's fate is wrong
    assert verdicts["device_signed_in"] == "FAIL"
    assert "InternalErrorException" in (result.reason or "")


def test_device_metadata_is_sought_through_the_other_sign_in_flows() -> None:
    with faulty_endpoint("device-metadata-only-from-password-flow") as url, session_for(url) as session:
        results = run_cases(session, "FLOW-NEW-DEVICE-METADATA,FLOW-CONFIRM-DEVICE,STATE-DEVICE-SIGNIN")
    assert results["FLOW-NEW-DEVICE-METADATA"].verdict is Verdict.FAIL
    for case_id in ("FLOW-CONFIRM-DEVICE", "STATE-DEVICE-SIGNIN"):
        result = results[case_id]
        assert result.verdict is Verdict.PASS, (case_id, result.reason)
        assert "NewDeviceMetadata from USER_PASSWORD_AUTH" in _provenance(result)
    # The device came from the target, not from the suite: its proof was judged too.
    assert "device_signed_in" in {o["check"] for o in results["STATE-DEVICE-SIGNIN"].outcomes}


def test_the_challenge_sequence_is_judged_on_a_synthesized_device() -> None:
    with faulty_endpoint("no-new-device-metadata") as url, session_for(url) as session:
        result = run_cases(session, "STATE-DEVICE-SIGNIN")["STATE-DEVICE-SIGNIN"]
    assert result.verdict is Verdict.PASS, result.reason
    checks = {o["check"]: o["verdict"] for o in result.outcomes}
    assert checks["challenges"] == "PASS" and checks["wrong_proof_refused"] == "PASS"
    assert "device_signed_in" not in checks  # the suite made the group key: that proof proves nothing
    said = _provenance(result)
    assert "synthesized device" in said and "not judged" in said


def test_a_staging_pool_is_read_for_its_device_configuration() -> None:
    backend = ReferenceBackend()
    with serving(backend) as url:
        target = open_target(url)
        try:
            pool = target.provision_call(
                "CreateUserPool",
                {
                    "PoolName": "staging",
                    "DeviceConfiguration": {"DeviceOnlyRememberedOnUserPrompt": True},
                },
            ).json["UserPool"]["Id"]
            client = target.provision_call(
                "CreateUserPoolClient",
                {"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]},
            ).json["UserPoolClient"]["ClientId"]
            provisioner = Provisioner(target, run_id="staging1", user_pool_id=pool, client_id=client)
            try:
                assert provisioner.pool().remember_on_prompt is True
                user = provisioner.user(devices=1)
                # The documented way on such a pool: remembered through the admin operation, no repair.
                assert not any("repaired" in line for line in user.provenance), user.provenance
            finally:
                provisioner.close()
        finally:
            target.close()
