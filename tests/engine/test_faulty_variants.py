"""The oracle is proved on the reference and on deliberately faulty variants of it: the conformant
reference passes, and each fault breaks one assertion, which the suite reports on the right
requirement, while the other assertions of that case still hold."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.contract.catalog import catalog
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.reference import ReferenceBackend
from conformance.reference.faults import FAULTS

from .conftest import faulty_endpoint, run_cases, serving, session_for
from .test_family_state import BREAKS as FAMILY_BREAKS
from .test_schemathesis_phase import PHASE_CAUGHT

FAIL, NON_STRICT = Verdict.FAIL, Verdict.NON_STRICT
# fault -> (the case that catches it, the check that breaks, the verdict, whether it is the only one)
CAUGHT_BY: dict[str, tuple[str, str, Verdict, bool]] = {
    "accept-invalid-enum": ("VAL-STATUS-ENUM", "refused", FAIL, True),
    "echo-token": ("VAL-SENSITIVE-NOT-ECHOED", "secret_not_echoed", FAIL, True),
    "capitalised-member-names": ("VAL-MESSAGE-FORMAT", "message_format", NON_STRICT, True),
    "expired-token-accepted": ("AUTH-EXPIRED", "refused", FAIL, False),
    "revoked-token-accepted": ("AUTH-REVOKED", "refused", FAIL, False),
    "other-users-device": ("RES-OTHER-USER-DEVICE", "refused", FAIL, False),
    "other-user-changed-anyway": ("RES-OTHER-USER-DEVICE", "unchanged", FAIL, True),
    "status-not-persisted": ("STATE-NOT-REMEMBERED-KEEPS", "state_is", FAIL, True),
    "remembered-not-stored": ("STATE-REMEMBERED", "state_is", FAIL, True),
    "not-remembered-deletes": ("STATE-NOT-REMEMBERED-KEEPS", "state_is", FAIL, False),
    "user-view-lists-all": ("STATE-USER-VIEW", "user_list", NON_STRICT, True),
    "device-sign-in-broken": ("STATE-DEVICE-SIGNIN", "device_signed_in", FAIL, True),
    "device-challenges-skipped": ("STATE-DEVICE-SIGNIN", "challenges", FAIL, False),
    "device-proof-unchecked": ("STATE-DEVICE-SIGNIN", "wrong_proof_refused", FAIL, True),
    "wrong-error-type": ("PROTO-ERROR-TYPE", "error_type_known", FAIL, True),
    "namespaced-error-type": ("PROTO-ERROR-TYPE-PLAIN", "error_type_plain", NON_STRICT, True),
    "type-header-body-disagree": ("PROTO-ERROR-TYPE", "error_type_known", NON_STRICT, True),
    "server-error-on-long-keys": ("PROTO-NO-5XX", "not_5xx", FAIL, True),
    "json-content-type": ("PROTO-CONTENT-TYPE", "content_type", NON_STRICT, True),
    "success-not-json": ("PROTO-CONTENT-TYPE", "content_type", NON_STRICT, True),
    "no-request-id": ("PROTO-REQUEST-ID", "request_id", NON_STRICT, True),
    "charset-rejected": ("PROTO-CHARSET", "body_read", FAIL, True),
    "unknown-target-accepted": ("PROTO-UNKNOWN-TARGET", "wire_refused", FAIL, True),
    "unknown-target-serialization": ("PROTO-UNKNOWN-TARGET", "wire_error_type", NON_STRICT, True),
    "malformed-json-crashes": ("PROTO-MALFORMED-JSON", "wire_refused", FAIL, True),
    "empty-body-invalid-parameter": ("PROTO-MALFORMED-JSON", "wire_error_type", NON_STRICT, True),
    "errors-as-403": ("PROTO-STATUS-SPLIT", "status_split", FAIL, True),
    "no-message": ("PROTO-ERROR-MESSAGE", "message", NON_STRICT, True),
    "content-type-ignored": ("PROTO-WRONG-CONTENT-TYPE", "wire_refused", FAIL, True),
    "updates-every-device": ("STATE-ISOLATION", "only_named_changed", FAIL, True),
    "repeat-fails": ("STATE-IDEMPOTENT", "accepted", NON_STRICT, True),
    "forget-keeps-device": ("STATE-MACHINE", "refused", FAIL, False),
    "list-shows-other-users": ("STATE-MACHINE", "only_own_listed", FAIL, True),
    "token-only": ("VAL-DEVICEKEY-PATTERN", "refused", FAIL, True),
    "not-found-for-malformed-keys": ("VAL-DEVICEKEY-PATTERN", "refused", FAIL, True),
    "validation-blames-token": ("VAL-DEVICEKEY-LENGTH", "refused_for_the_violation", FAIL, True),
    "valid-twin-refused": ("VAL-STATUS-ENUM", "twin_not_refused_alike", FAIL, False),
    "rejects-longest-key": ("VAL-DEVICEKEY-LENGTH", "passes_validation", FAIL, True),
    "counts-one-violation": ("VAL-MULTIPLE", "message_counts", NON_STRICT, True),
    "null-status-differs": ("VAL-NULL-AS-ABSENT", "same_as_omitted", FAIL, True),
    "success-body-extra": ("PROTO-SUCCESS-BODY", "success_body", FAIL, True),
    "admin-list-hides-not-remembered": ("STATE-NOT-REMEMBERED-KEEPS", "listed", FAIL, True),
    "no-new-device-metadata": ("FLOW-NEW-DEVICE-METADATA", "new_device_metadata", FAIL, True),
    "no-srp": ("FLOW-SRP-PROOF", "wrong_password_refused", FAIL, True),
    "device-configuration-dropped": ("FLOW-DEVICE-CONFIGURATION", "device_configuration", FAIL, True),
    # On a pool that asks the user first, its fixed answer is wrong too.
    "confirm-tracks-nothing": ("FLOW-CONFIRM-DEVICE", "tracked", FAIL, False),
    "password-flows-take-any-password": ("FLOW-SRP-PROOF", "no_tokens_for_a_wrong_password", FAIL, True),
    "confirm-always-asks": ("FLOW-CONFIRM-DEVICE", "confirmation_follows_pool", FAIL, False),
    "admin-create-user-fails": ("FLOW-TEST-SUPPORT", "fixture_provided", FAIL, True),
    "admin-get-device-broken": ("FLOW-TEST-SUPPORT", "read_back", FAIL, True),
}
# The properties every request is judged by (engine/watch.py, the secret scan): they see a fault of
# state or of secrets wherever it shows, so they may fail beside the case's own check.
PROPERTIES = {
    "refusal_changed_nothing",
    "only_status_changed",
    "status_as_sent",
    "no_secret_in_error",
    "not_5xx",
    "an_answer",
}
# fault -> (a case, the property check that fails in it, on which requirement): each property broken.
PROPERTY_CAUGHT: dict[str, tuple[str, str, str]] = {
    "other-user-changed-anyway": (
        "RES-OTHER-USER-DEVICE",
        "refusal_changed_nothing",
        "RES-OTHER-USER-DEVICE",
    ),
    "updates-every-device": ("STATE-REENABLE", "only_status_changed", "STATE-ISOLATION"),
    "remembered-not-stored": ("STATE-REENABLE", "status_as_sent", "STATE-REMEMBERED"),
    "echo-token": ("VAL-SENSITIVE-NOT-ECHOED", "no_secret_in_error", "VAL-SENSITIVE-NOT-ECHOED"),
    "confirm-tracks-nothing": ("STATE-MACHINE", "new_device_status", "STATE-MACHINE"),
    "wrong-type-not-implemented": ("VAL-WRONG-TYPE", "not_5xx", "PROTO-NO-5XX"),
}
# Faults written from the contract alone, by someone who had not read the checks (out of sample):
# fault -> (a case it shows in, the requirement it breaks, as FAULTS names it). No check is named: which
# one catches it is the suite's business; that it is caught on the right requirement is the test's.
CONTRACT_CAUGHT: dict[str, tuple[str, str]] = {
    "invalid-enum-stored": ("VAL-STATUS-ENUM", "VAL-STATUS-ENUM"),
    "tampered-token-still-updates": ("AUTH-TAMPERED", "AUTH-TAMPERED"),
    "not-jwt-touches-device": ("AUTH-NOT-JWT", "AUTH-NOT-JWT"),
    "remember-is-exclusive": ("STATE-ISOLATION", "STATE-ISOLATION"),
    "reenable-ignored": ("STATE-REENABLE", "STATE-REENABLE"),
    "update-drops-name": ("STATE-ISOLATION", "STATE-ISOLATION"),
    "remembered-drops-status-attribute": ("STATE-REMEMBERED", "STATE-REMEMBERED"),
    "not-remembered-drops-status-attribute": ("STATE-NOT-REMEMBERED-KEEPS", "STATE-NOT-REMEMBERED-KEEPS"),
    "device-key-case-folded": ("VAL-DEVICEKEY-PATTERN", "VAL-DEVICEKEY-PATTERN"),
    "device-key-region-ignored": ("RES-UNKNOWN-DEVICE", "RES-UNKNOWN-DEVICE"),
    "device-key-prefix-match": ("RES-UNKNOWN-DEVICE", "RES-UNKNOWN-DEVICE"),
    "list-devices-echoes-token": ("AUTH-REVOKED", "VAL-SENSITIVE-NOT-ECHOED"),
    "get-device-echoes-request": ("STATE-USER-VIEW", "VAL-SENSITIVE-NOT-ECHOED"),
    "confirm-device-echoes-request": ("FLOW-CONFIRM-UNKNOWN-KEY", "VAL-SENSITIVE-NOT-ECHOED"),
    "alg-none-accepted": ("AUTH-TAMPERED", "AUTH-TAMPERED"),
    "any-key-accepted": ("AUTH-TAMPERED", "AUTH-TAMPERED"),
    "payload-swap-accepted": ("AUTH-TAMPERED", "AUTH-TAMPERED"),
    "issuer-not-checked": ("AUTH-OTHER-POOL", "AUTH-OTHER-POOL"),
    "confirm-ignores-prompt-configuration": ("FLOW-CONFIRM-DEVICE", "FLOW-CONFIRM-DEVICE"),
    "confirm-always-asks": ("FLOW-CONFIRM-DEVICE", "FLOW-CONFIRM-DEVICE"),
    "device-proof-server-error": ("STATE-DEVICE-SIGNIN", "STATE-DEVICE-SIGNIN"),
    "device-metadata-only-from-password-flow": ("FLOW-NEW-DEVICE-METADATA", "FLOW-NEW-DEVICE-METADATA"),
    "wrong-type-not-implemented": ("VAL-WRONG-TYPE", "PROTO-NO-5XX"),
}
BROAD = {"accept-everything", "reject-everything", "unimplemented-device-operations", "non-json-200"}
# Emulators without the device operations: every device case UNIMPLEMENTED (test_emulators_without_devices).
BROAD |= {"cognito-local-5.3", "ministack-1.5"}
ADAPTED = {"email-usernames-only"}  # breaks no requirement: provisioning adapts (test_partial_emulators.py)


def _failing(result: CaseResult) -> set[tuple[str, str]]:
    return {(o["check"], o["requirement"]) for o in result.outcomes if o["verdict"] in ("FAIL", "NON-STRICT")}


def test_every_fault_names_the_check_that_catches_it() -> None:
    assert set(CAUGHT_BY) | set(CONTRACT_CAUGHT) | BROAD | ADAPTED == set(FAULTS)
    assert all(FAULTS[fault][0] == requirement for fault, (_, requirement) in CONTRACT_CAUGHT.items())
    for fault, (case_id, _, _, _) in CAUGHT_BY.items():
        assert FAULTS[fault][0] == catalog().get(case_id).id or FAULTS[fault][0].startswith("(")


@pytest.mark.parametrize("fault", sorted(CAUGHT_BY))
def test_each_fault_breaks_its_assertion_and_the_suite_names_the_requirement(fault: str) -> None:
    case_id, check, verdict, alone = CAUGHT_BY[fault]
    with faulty_endpoint(fault) as url, session_for(url, examples=12) as session:
        result = run_cases(session, case_id)[case_id]
    assert result.verdict is verdict, f"{fault}: {result.verdict} {result.reason}"
    assert (check, case_id) in _failing(result), result.outcomes
    if alone:  # the fault breaks that assertion only: every other check of the case still holds
        own = {f for f in _failing(result) if f[0] not in PROPERTIES or f == (check, case_id)}
        assert own == {(check, case_id)}, result.outcomes
    assert result.reason and case_id in result.reason
    named = {check, *PROPERTIES}  # the reason names the worst outcome's check
    assert any(c in result.reason for c in named) or not alone
    assert result.reproduce and f"--case {case_id}" in result.reproduce
    if result.example:  # a command that resends the request that decided the verdict
        assert result.curl


def test_the_same_cases_pass_against_the_conformant_reference_served_the_same_way() -> None:
    cases = ",".join(sorted({case_id for case_id, _, _, _ in CAUGHT_BY.values()}))
    with session_for("reference-http") as session:
        results = run_cases(session, cases)
    assert {r.verdict for r in results.values()} == {Verdict.PASS}, {
        r.case_id: (r.verdict, r.reason) for r in results.values() if r.verdict is not Verdict.PASS
    }
    for result in results.values():  # a PASS records what the target answered, check by check
        assert result.outcomes and all(o["verdict"] == "PASS" for o in result.outcomes)
        assert result.actual and result.actual != "as documented"


def test_a_target_answering_non_json_200_to_everything_never_passes() -> None:
    with faulty_endpoint("non-json-200") as url, session_for(url) as session:
        results = run_cases(session, "*")
    assert not [r.case_id for r in results.values() if r.verdict is Verdict.PASS]
    assert Verdict.ERROR not in {r.verdict for r in results.values()}
    # What cannot be judged says why; nothing is BLOCKED without a reason.
    assert all(r.reason for r in results.values() if r.verdict is Verdict.BLOCKED)


def test_a_target_that_implements_no_device_operation_never_passes() -> None:
    with faulty_endpoint("unimplemented-device-operations") as url, session_for(url) as session:
        results = run_cases(session, "*")
    # Sign-in and the pool are not device operations: those requirements can still hold.
    not_devices = {"FLOW-NEW-DEVICE-METADATA", "FLOW-SRP-PROOF", "FLOW-DEVICE-CONFIGURATION"}
    passed = {r.case_id for r in results.values() if r.verdict is Verdict.PASS}
    assert passed <= not_devices
    verdicts = {r.verdict for r in results.values()}
    assert Verdict.FAIL not in verdicts and Verdict.ERROR not in verdicts
    unimplemented = [r for r in results.values() if r.verdict is Verdict.UNIMPLEMENTED]
    assert len(unimplemented) >= 20
    assert all("HTML" in (r.reason or "") for r in unimplemented)


class AdminViewBroken(ReferenceBackend):
    """AdminGetDevice answers a 500: the state of a device cannot be read."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        if target and target.endswith(".AdminGetDevice"):
            return 500, {"Content-Type": "application/x-amz-json-1.1"}, b'{"__type":"InternalErrorException"}'
        return super().handle(target, body, headers, source_ip=source_ip)


def test_state_that_cannot_be_read_is_never_unchanged() -> None:
    with serving(AdminViewBroken()) as url, session_for(url) as session:
        results = run_cases(session, "RES-OTHER-USER-DEVICE,AUTH-NOT-JWT,STATE-REMEMBERED")
    for result in results.values():
        assert result.verdict is Verdict.BLOCKED, (result.case_id, result.verdict, result.reason)
        assert "could not be read" in (result.reason or "")
        # The refusal itself was judged and held; only the state part could not be.
        assert {o["verdict"] for o in result.outcomes} >= {"BLOCKED"}


class TypeSuffix(ReferenceBackend):
    """Conformant, with the `:`-suffix AWS services put after the type in X-Amzn-ErrorType."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        status, out, payload = super().handle(target, body, headers, source_ip=source_ip)
        if "x-amzn-ErrorType" in out:
            out = {**out, "x-amzn-ErrorType": out["x-amzn-ErrorType"] + ":http://internal.amazon.com/coral/"}
        return status, out, payload


def test_the_protocol_suffix_after_the_error_type_is_not_a_deviation() -> None:
    with serving(TypeSuffix()) as url, session_for(url) as session:
        results = run_cases(session, "PROTO-ERROR-TYPE*,RES-UNKNOWN-DEVICE")
    assert {r.verdict for r in results.values()} == {Verdict.PASS}, {
        r.case_id: r.reason for r in results.values()
    }


class NoNewDevice(ReferenceBackend):
    """Signs in without NewDeviceMetadata: no user with a device can be provisioned."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        status, out, payload = super().handle(target, body, headers, source_ip=source_ip)
        if b"NewDeviceMetadata" in payload:
            data = json.loads(payload)
            data["AuthenticationResult"].pop("NewDeviceMetadata", None)
            payload = json.dumps(data).encode()
        return status, out, payload


def test_without_a_signed_in_user_a_refusal_cannot_be_shown_to_have_the_right_reason() -> None:
    with serving(NoNewDevice()) as url, session_for(url) as session:
        result = run_cases(session, "VAL-DEVICEKEY-PATTERN")["VAL-DEVICEKEY-PATTERN"]
    assert result.verdict is Verdict.BLOCKED
    assert "no valid twin" in (result.reason or "")


def test_a_soft_outcome_does_not_stop_the_exploration() -> None:
    with faulty_endpoint("counts-one-violation") as url, session_for(url, examples=10) as session:
        result = run_cases(session, "VAL-MULTIPLE")["VAL-MULTIPLE"]
    judged = sum(o["count"] for o in result.outcomes if o["check"] == "message_counts")
    assert result.verdict is NON_STRICT
    assert judged >= 10  # every example was sent and judged, not just the first


def _verdicts(seed: int) -> tuple[dict[str, str], Any]:
    with session_for("reference", seed=seed) as session:
        results = run_cases(session, "STATE-MACHINE,VAL-DEVICEKEY-*")
    machine = results["STATE-MACHINE"]
    trail = [o["count"] for o in machine.outcomes]
    return {k: str(r.verdict) for k, r in results.items()}, (machine.steps, trail)


def test_same_seed_same_verdicts_and_another_seed_other_sequences() -> None:
    first, again, other = _verdicts(1), _verdicts(1), _verdicts(2)
    assert first == again
    assert first[0] == other[0]
    assert first[1] != other[1]  # the state machine explored other sequences
    steps = first[1][0]
    assert set(steps) == {"update", "update_other", "forget", "get", "list"}


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
    with serving(FailsOnce()) as url, session_for(url) as session:
        result = run_cases(session, "RES-UNKNOWN-DEVICE")["RES-UNKNOWN-DEVICE"]
    assert result.verdict is Verdict.FAIL and result.flaky
    assert result.reason and result.reason.startswith("flaky: did not reproduce")


def _broken(result: CaseResult) -> set[str]:
    """The checks an outcome shows broken (an INFO assumption broken shows as INFORMATIONAL)."""
    return {o["check"] for o in result.outcomes if o["verdict"] in ("FAIL", "NON-STRICT", "INFORMATIONAL")}


def test_every_kind_of_check_is_broken_by_some_fault() -> None:
    """The proof that no check is a check that cannot fail: every kind of check the conformant
    reference passes is broken by the fault that names it above, or, inside the state machine, by a
    state fault run against it."""
    with session_for("reference", examples=6) as session:
        used: dict[str, set[str]] = {}
        for result in run_cases(session, "*").values():
            for outcome in result.outcomes:
                used.setdefault(outcome["check"], set()).add(result.case_id)
    remaining = set(used) - {check for _, check, _, _ in CAUGHT_BY.values()}
    remaining -= {check for _, check, _ in PROPERTY_CAUGHT.values()}
    remaining -= {
        check for broken in PHASE_CAUGHT.values() for _, checks in broken.values() for check in checks
    }
    # The other operations' own checks, each broken by a generated product (test_family_state.py).
    remaining -= set().union(*FAMILY_BREAKS.values())
    for fault in ("user-view-lists-all", "forget-keeps-device", "status-not-persisted"):
        cases = ",".join(sorted({c for check in remaining for c in used[check]}))
        if not cases:
            break
        with faulty_endpoint(fault) as url, session_for(url, examples=6) as session:
            for result in run_cases(session, cases).values():
                remaining -= _broken(result)
    assert remaining == set(), "kinds of check no faulty variant breaks"


@pytest.mark.parametrize("fault", sorted(PROPERTY_CAUGHT))
def test_each_property_is_broken_by_a_fault_and_names_its_requirement(fault: str) -> None:
    case_id, check, requirement = PROPERTY_CAUGHT[fault]
    with faulty_endpoint(fault) as url, session_for(url, examples=12) as session:
        result = run_cases(session, case_id)[case_id]
    assert (check, requirement) in _failing(result), result.outcomes
    # A case's verdict speaks of its own requirement; results.json gives the failure to its own row.
    if requirement == case_id:
        assert result.verdict is FAIL, f"{fault}: {result.verdict} {result.reason}"


@pytest.mark.parametrize("fault", sorted(CONTRACT_CAUGHT))
def test_each_fault_written_from_the_contract_fails_on_the_requirement_it_breaks(fault: str) -> None:
    case_id, requirement = CONTRACT_CAUGHT[fault]
    with faulty_endpoint(fault) as url, session_for(url, examples=8) as session:
        result = run_cases(session, case_id)[case_id]
    assert requirement in {r for _, r in _failing(result)}, result.outcomes
    if requirement == case_id:  # the case's verdict speaks of its own requirement
        assert result.verdict is FAIL, f"{fault}: {result.verdict} {result.reason}"
        assert result.reason and f"first run: {requirement}" in f"first run: {result.reason}"
