"""Every request is watched: a refusal changes nothing, an accepted update changes only the status it
sent, a device without a status attribute is the state "unset", and no error answer of any request
repeats a secret. Each property is shown failing on a target that breaks it alone, in cases that were
not written for it, and holding on the conformant reference."""

from __future__ import annotations

import json
from typing import Any

from conformance.contract import ids
from conformance.contract.catalog import catalog
from conformance.engine.merge import by_requirement
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.reference import ReferenceBackend

from .conftest import faulty_endpoint, run_cases, serving, session_for

UPDATE = "AWSCognitoIdentityProviderService.UpdateDeviceStatus"


def _params(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _failing(result: CaseResult) -> set[tuple[str, str]]:
    return {(o["check"], o["requirement"]) for o in result.outcomes if o["verdict"] in ("FAIL", "NON-STRICT")}


class StoresRefusedStatus(ReferenceBackend):
    """Refuses a status outside the enum exactly as documented, and flips the device anyway."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        p = _params(body)
        device = self.store.devices.get(p.get("DeviceKey")) if isinstance(p.get("DeviceKey"), str) else None
        if (
            target == UPDATE
            and device
            and p.get("DeviceRememberedStatus") not in (None, "remembered", "not_remembered")
        ):
            device.remembered = not device.remembered
        return super().handle(target, body, headers, source_ip=source_ip)


class RenamesOnUpdate(ReferenceBackend):
    """Accepts every valid update and also renames the device (a new name each time)."""

    updates = 0

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        answer = super().handle(target, body, headers, source_ip=source_ip)
        device = self.store.devices.get(_params(body).get("DeviceKey"))
        if target == UPDATE and answer[0] == 200 and device is not None:
            self.updates += 1
            device.name = f"renamed by update {self.updates}"
        return answer


class DropsRememberedStatus(ReferenceBackend):
    """Shows a remembered device without its dev:device_remembered_status attribute."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        status, out, payload = super().handle(target, body, headers, source_ip=source_ip)
        if target and target.endswith(".AdminGetDevice") and status == 200:
            document = json.loads(payload)
            document["Device"]["DeviceAttributes"] = [
                a
                for a in document["Device"]["DeviceAttributes"]
                if a != {"Name": "dev:device_remembered_status", "Value": "remembered"}
            ]
            payload = json.dumps(document).encode()
        return status, out, payload


class GetDeviceEchoesToken(ReferenceBackend):
    """GetDevice's refusals repeat the caller's access token in their message."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        status, out, payload = super().handle(target, body, headers, source_ip=source_ip)
        if target and target.endswith(".GetDevice") and status == 400:
            document = json.loads(payload)
            document["message"] += f" (token {_params(body).get('AccessToken')})"
            payload = json.dumps(document).encode()
        return status, out, payload


def test_a_refusal_that_changed_the_device_fails_the_requirement_of_the_refusal() -> None:
    with serving(StoresRefusedStatus()) as url, session_for(url) as session:
        result = run_cases(session, ids.VAL_STATUS_ENUM)[ids.VAL_STATUS_ENUM]
    assert result.verdict is Verdict.FAIL, result.reason
    assert _failing(result) == {("refusal_changed_nothing", ids.VAL_STATUS_ENUM)}, result.outcomes
    broken = next(o for o in result.outcomes if o["verdict"] == "FAIL")
    assert "dev:device_remembered_status" in str(broken["actual"])


def test_an_update_that_changed_more_than_the_status_fails_isolation_in_any_case() -> None:
    with serving(RenamesOnUpdate()) as url, session_for(url) as session:
        results = run_cases(session, f"{ids.STATE_REENABLE},{ids.AUTH_UNSIGNED}")
    for result in results.values():  # neither case was written for it
        assert ("only_status_changed", ids.STATE_ISOLATION) in _failing(result), result.case_id
    # Each case's verdict speaks of its own requirement; results.json gives the failure to its row.
    row = _rows(results)[ids.STATE_ISOLATION]
    assert row["verdict"] == "FAIL" and "attribute device_name" in row["reason"]
    assert {f"case {ids.STATE_REENABLE}", f"case {ids.AUTH_UNSIGNED}"} <= set(row["judged_by"])


def test_a_device_without_a_status_attribute_is_unset_not_unreadable() -> None:
    with serving(DropsRememberedStatus()) as url, session_for(url) as session:
        results = run_cases(session, f"{ids.STATE_REMEMBERED},{ids.STATE_MACHINE}")
    remembered = results[ids.STATE_REMEMBERED]
    assert remembered.verdict is Verdict.FAIL, remembered.reason
    assert "unset" in (remembered.reason or "")
    machine = results[ids.STATE_MACHINE]  # judged, never an ERROR of the suite
    assert machine.verdict is Verdict.FAIL, machine.reason


def test_a_secret_in_any_error_answer_fails_in_the_case_that_met_it() -> None:
    with serving(GetDeviceEchoesToken()) as url, session_for(url) as session:
        results = run_cases(session, ids.STATE_USER_VIEW)
    result = results[ids.STATE_USER_VIEW]
    assert ("no_secret_in_error", ids.VAL_SENSITIVE_NOT_ECHOED) in _failing(result)
    row = _rows(results)[ids.VAL_SENSITIVE_NOT_ECHOED]  # its own row, though its case did not run
    assert row["verdict"] == "FAIL" and row["judged_by"] == [f"case {ids.STATE_USER_VIEW}"]
    assert "$ACCESS_TOKEN" in row["reason"] and "eyJ" not in json.dumps(row) + json.dumps(result.as_json())


def test_the_conformant_reference_keeps_every_property_and_the_watch_looked() -> None:
    with session_for("reference") as session:
        results = run_cases(session, "VAL-STATUS-ENUM,AUTH-*,STATE-*,RES-*,PROTO-WRONG-CONTENT-TYPE")
    assert {r.verdict for r in results.values()} <= {Verdict.PASS, Verdict.BLOCKED}
    assert not [r.case_id for r in results.values() if _failing(r)]
    seen = {o["check"] for r in results.values() for o in r.outcomes if o["verdict"] == "PASS"}
    assert {"refusal_changed_nothing", "only_status_changed", "status_as_sent"} <= seen


class AdminIgnoresThePool(ReferenceBackend):
    """AdminUpdateDeviceStatus finds the device by its key alone, whatever pool and user it names."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        p = _params(body)
        device = self.store.devices.get(p.get("DeviceKey")) if isinstance(p.get("DeviceKey"), str) else None
        if target and target.endswith(".AdminUpdateDeviceStatus") and device is not None:
            device.remembered = p.get("DeviceRememberedStatus") == "remembered"
            return 200, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "t"}, b"{}"
        return super().handle(target, body, headers, source_ip=source_ip)


def test_an_admin_operation_of_one_pool_reaching_another_pools_device_fails() -> None:
    with serving(AdminIgnoresThePool()) as url, session_for(url) as session:
        result = run_cases(session, ids.RES_OTHER_POOL_DEVICE)[ids.RES_OTHER_POOL_DEVICE]
    assert result.verdict is Verdict.FAIL, result.reason
    assert _failing(result) == {("refused", ids.RES_OTHER_POOL_DEVICE)}, result.outcomes
    assert "AdminUpdateDeviceStatus" in json.dumps(result.example)


def test_a_property_that_fails_in_every_example_is_shrunk_never_an_error() -> None:
    """The replay that hands a failure to Hypothesis's shrinker stops when its choices no longer fit the
    strategy's draws (a list of unique rules), instead of feeding them out of range."""
    with faulty_endpoint("echo-token") as url, session_for(url) as session:
        results = run_cases(session, ids.VAL_MULTIPLE)
    result = results[ids.VAL_MULTIPLE]
    assert result.verdict is not Verdict.ERROR, result.reason
    assert ("no_secret_in_error", ids.VAL_SENSITIVE_NOT_ECHOED) in _failing(result)
    assert _rows(results)[ids.VAL_SENSITIVE_NOT_ECHOED]["verdict"] == "FAIL"


def _rows(results: dict[str, CaseResult]) -> dict[str, dict[str, Any]]:
    """results.json's rows (one per requirement) for these case results."""
    return {r["id"]: r for r in by_requirement([c.as_json() for c in results.values()], catalog())}
