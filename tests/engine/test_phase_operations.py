"""The schemathesis phase on every device operation (issue 21, item 4): it sends each operation of
`specs/openapi.json` that the run judges, with real values of the phase's own users (the admin ones
signed), within its budget, and judges each answer on the requirements of the operation it was sent to.
A faulty variant that breaks only another operation's contract is caught by the phase on that
operation's requirement; the conformant reference gives no phase finding (test_schemathesis_phase.py)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from conformance.cases.schemathesis_phase import PREFIX, SORTING, phase_examples, phase_operations
from conformance.contract.catalog import OPERATIONS, catalog
from conformance.contract.extract import OPERATION
from conformance.contract.openapi import openapi_document
from conformance.engine.context import RunSession, RunSettings
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.phase.engine import Findings, phase_document
from conformance.phase.kinds import classify
from conformance.reference import ReferenceBackend
from conformance.reference.mutants import MutantBackend
from conformance.reference.protocol import TARGET_PREFIX
from conformance.targets.exchange import Exchange, members
from strategies.wire import proper_headers

from .conftest import serving, session_for

PHASE = PREFIX + "*"
ST = "schemathesis "
ADMIN = ("AdminGetDevice", "AdminListDevices", "AdminUpdateDeviceStatus", "AdminForgetDevice")
Handled = tuple[int, dict[str, str], bytes]


@contextmanager
def phase_session(spec: str, operation: str | None = None) -> Iterator[RunSession]:
    """A session as `run` makes it, with `--operation` when given (the phase then sends those only)."""
    with session_for(spec) as session:
        if operation is not None:
            session.settings = dataclasses.replace(session.settings, operation=operation)
        yield session


def run_phase_cases(session: RunSession) -> dict[str, CaseResult]:
    cases = select(PHASE, operations=session.settings.operations)
    return {c.id: run_case(session, c, catalog()) for c in cases}


def failing(results: Mapping[str, CaseResult]) -> dict[str, tuple[str, set[str]]]:
    """requirement -> (verdict, the checks that failed) of every phase case that FAILed or is NON-STRICT."""
    return {
        r.requirement: (
            str(r.verdict),
            {o["check"] for o in r.outcomes if o["verdict"] in ("FAIL", "NON-STRICT")},
        )
        for r in results.values()
        if r.verdict in (Verdict.FAIL, Verdict.NON_STRICT)
    }


def phase_findings(session: RunSession) -> Findings:
    run_case(session, select(PREFIX + "PROTO-NO-5XX")[0], catalog())
    found = session._once["schemathesis phase"]
    assert isinstance(found, Findings)
    return found


def _header(exchange: Exchange, name: str) -> str | None:
    return next((v for k, v in exchange.request_headers.items() if k.lower() == name.lower()), None)


# --- what the phase sends ----------------------------------------------------------------------------------


# Other cases' users, made before the phase runs: none of their devices may be gone after it.
OTHERS = ("user_a", "user_b", "user_forget")


@pytest.fixture(scope="module")
def reference_findings() -> Iterator[tuple[Findings, RunSession]]:
    with session_for("reference") as session:
        for name in OTHERS:
            session.shared(name)
        yield phase_findings(session), session


def test_every_device_operation_is_sent_the_admin_ones_signed(
    reference_findings: tuple[Findings, RunSession],
) -> None:
    found, _ = reference_findings
    sent = Counter(a.exchange.operation for a in found.answers if a.kind.operation is not None)
    assert set(sent) == set(OPERATIONS), sent
    for answer in found.answers:
        exchange, operation = answer.exchange, answer.kind.operation
        authorization = _header(exchange, "Authorization") or ""
        if operation in ADMIN:
            assert authorization.startswith("AWS4-HMAC-SHA256 "), (operation, exchange.request_headers)
        else:  # as schemathesis made it: never signed by the suite (its own headers may be anything)
            assert not authorization.startswith("AWS4-HMAC-SHA256 "), (operation, exchange.request_headers)
    # Each operation was accepted at least once: the real values make valid requests really valid.
    accepted = {a.kind.operation for a in found.answers if a.exchange.ok}
    assert accepted == set(OPERATIONS) - {"ConfirmDevice"}, accepted  # its device is confirmed already
    confirmed = {a.exchange.error_type for a in found.answers if a.kind.operation == "ConfirmDevice"}
    assert "DeviceKeyExistsException" in confirmed


def test_schemathesis_finds_every_answer_of_the_reference_as_documented(
    reference_findings: tuple[Findings, RunSession],
) -> None:
    # Every operation's successes included: their device attributes carry a sensitive Value, which the
    # document's response schemas must allow (conformance/contract/openapi.py, `_readable`).
    failed = {
        (a.kind.operation, r.check, r.failure)
        for a in found_answers(reference_findings)
        for r in a.results
        if r.failure is not None and r.check not in ("positive_data_acceptance", "negative_data_rejection")
    }
    assert failed == set()
    successes = Counter(a.kind.operation for a in found_answers(reference_findings) if a.exchange.ok)
    assert {"GetDevice", "ListDevices", "AdminGetDevice", "AdminListDevices"} <= set(successes)


def found_answers(reference_findings: tuple[Findings, RunSession]) -> tuple[Any, ...]:
    return reference_findings[0].answers


def test_each_operation_gets_the_real_values_of_the_phase_users(
    reference_findings: tuple[Findings, RunSession],
) -> None:
    found, session = reference_findings
    user, apart = session.shared("user_phase"), session.shared("user_phase_apart")
    assert found.credentials["UpdateDeviceStatus"] == {
        "AccessToken": user.access_token,
        "DeviceKey": user.devices[0].key,
    }
    assert found.credentials["AdminGetDevice"] == {
        "UserPoolId": user.pool.id,
        "Username": user.username,
        "DeviceKey": user.devices[0].key,
    }
    assert found.credentials["ListDevices"] == {"AccessToken": user.access_token}
    # What removes or changes a device names one of the phase's second user, one each.
    assert found.credentials["ForgetDevice"] == {
        "AccessToken": apart.access_token,
        "DeviceKey": apart.devices[0].key,
    }
    assert found.credentials["AdminForgetDevice"] == {
        "UserPoolId": apart.pool.id,
        "Username": apart.username,
        "DeviceKey": apart.devices[1].key,
    }
    assert found.credentials["AdminUpdateDeviceStatus"]["DeviceKey"] == apart.devices[2].key
    forgotten = {
        members(a.exchange.request_body).get("DeviceKey")
        for a in found.answers
        if a.kind.operation in ("ForgetDevice", "AdminForgetDevice") and a.exchange.ok
    }
    assert forgotten == {apart.devices[0].key, apart.devices[1].key}
    for name in (*OTHERS, "user_phase"):  # every other device is still there
        other = session.shared(name)
        for device in other.devices:
            exchange = session.target.call(
                "AdminGetDevice",
                {"UserPoolId": other.pool.id, "Username": other.username, "DeviceKey": device.key},
            )
            assert exchange.ok, (name, exchange.summary())


def test_every_answer_is_sorted_by_the_operation_it_was_sent_to(
    reference_findings: tuple[Findings, RunSession],
) -> None:
    found, _ = reference_findings
    by_requirement = Counter(r for a in found.answers for r in a.kind.requirements)
    for operation in OPERATIONS[1:]:
        for requirement in SORTING[operation].rules:
            assert by_requirement[requirement] > 0, requirement  # every validation requirement is tested
    for answer in found.answers:
        operation = answer.kind.operation
        if operation is not None and operation != OPERATION:
            prefix = SORTING[operation].valid.rsplit("-VAL-", 1)[0]  # type: ignore[union-attr]
            assert all(
                r.startswith(prefix + "-VAL-") or r.startswith("PROTO-") for r in answer.kind.requirements
            )


def test_the_other_operations_get_a_fifth_of_the_examples_at_least_two() -> None:
    assert phase_examples(25, OPERATIONS) == {op: 25 if op == OPERATION else 5 for op in OPERATIONS}
    assert phase_examples(5, ("UpdateDeviceStatus", "ListDevices")) == {
        "UpdateDeviceStatus": 5,
        "ListDevices": 2,
    }


def test_the_phase_sends_only_the_operations_the_run_judges() -> None:
    with phase_session("reference", "ListDevices,AdminListDevices") as session:
        results = run_phase_cases(session)
        found = session._once["schemathesis phase"]
    assert {r.requirement for r in results.values()} == {
        f"{prefix}-VAL-{name}"
        for prefix in ("LIST", "ADMIN-LIST")
        for name in ("REQUIRED", "CONSTRAINTS", "WRONG-TYPE")
    }
    assert {r.verdict for r in results.values()} == {Verdict.PASS}
    assert {a.kind.operation for a in found.answers} <= {"ListDevices", "AdminListDevices", None}
    assert "user_phase_apart" not in session._shared  # no operation that changes a device: no such user


@pytest.mark.parametrize(
    ("case", "operation", "sent"),
    [
        (None, None, OPERATIONS),
        (PREFIX + "PROTO-NO-5XX", None, OPERATIONS),  # judged on every operation's answers
        (PREFIX + "LIST-VAL-CONSTRAINTS", None, ("ListDevices",)),  # a reproduce command's
        (f"{PREFIX}VAL-STATUS-ENUM,{PREFIX}GET-VAL-REQUIRED", None, ("UpdateDeviceStatus", "GetDevice")),
        (None, "ListDevices,AdminListDevices", ("ListDevices", "AdminListDevices")),
    ],
)
def test_the_phase_sends_to_the_operations_its_selected_cases_judge(
    case: str | None, operation: str | None, sent: tuple[str, ...]
) -> None:
    settings = RunSettings(target_spec="reference", case=case, operation=operation)
    assert phase_operations(settings) == sent


def test_the_phase_document_leaves_out_what_it_need_not_generate() -> None:
    written, given = openapi_document(), phase_document()
    dropped = [
        (name, member)
        for name, schema in written["components"]["schemas"].items()
        for member, value in (schema.get("properties") or {}).items()
        if value != given["components"]["schemas"][name]["properties"][member]
    ]
    # The pattern Hypothesis cannot build in time; the member's length is still generated.
    assert dropped and {member for _, member in dropped} == {"Username"}
    for name, member in dropped:
        kept = given["components"]["schemas"][name]["properties"][member]
        assert "pattern" not in kept and kept["maxLength"] == 128
    # X-Amz-Target is varied on the headline's requests only; the others carry theirs as it is.
    varied = {
        op["operationId"]
        for path in given["paths"].values()
        for op in path.values()
        if any(p["name"] == "X-Amz-Target" for p in op["parameters"])
    }
    assert varied == {OPERATION}


@pytest.mark.parametrize(
    ("operation", "body", "requirements", "passes"),
    [
        ("ListDevices", {"AccessToken": "real", "Limit": 61}, ("LIST-VAL-CONSTRAINTS",), False),
        ("ListDevices", {"Limit": 1}, ("LIST-VAL-REQUIRED",), False),
        ("ListDevices", {"AccessToken": "real", "Limit": "1"}, ("LIST-VAL-WRONG-TYPE",), False),
        ("ListDevices", {"AccessToken": "real", "Limit": 60}, ("LIST-VAL-CONSTRAINTS",), True),
        ("ListDevices", {"AccessToken": "real", "Extra": 1}, (), False),  # unknown members are ignored
        (
            "AdminGetDevice",
            {"UserPoolId": "us-east-1_x", "Username": "a b", "DeviceKey": "k_1"},  # a space: no Username
            ("ADMIN-GET-VAL-CONSTRAINTS",),
            False,
        ),
        (
            "ConfirmDevice",
            {"AccessToken": "t", "DeviceKey": "k_1", "DeviceSecretVerifierConfig": {"Salt": 1}},
            ("CONFIRM-VAL-WRONG-TYPE",),
            False,
        ),
        (
            "ForgetDevice",
            {"AccessToken": "t", "DeviceKey": "k_1"},
            ("FORGET-VAL-CONSTRAINTS",),
            True,
        ),
    ],
)
def test_a_request_to_another_operation_tests_that_operations_requirements(
    operation: str, body: dict[str, Any], requirements: tuple[str, ...], passes: bool
) -> None:
    sent = Exchange(operation, proper_headers(operation), json.dumps(body).encode())
    kind = classify(sent, SORTING, {OPERATION: {"AccessToken": "real", "DeviceKey": "own_1"}})
    assert (kind.requirements, kind.passes, kind.operation) == (requirements, passes, operation)
    wrong_media = Exchange(operation, {**proper_headers(operation), "Content-Type": "text/plain"}, b"{}")
    assert classify(wrong_media, SORTING, {}).requirements == ("PROTO-WRONG-CONTENT-TYPE",)


# --- faults that break another operation only --------------------------------------------------------


class _Fault(ReferenceBackend):
    """The reference, with `answer` in front of it for one operation: `answer(params, reference)`
    returns what the fault answers instead (None: the reference's answer), `reference(body)` being the
    reference's answer to a body (the request's own by default)."""

    operation = ""

    def answer(self, params: dict[str, Any], reference: Callable[..., Handled]) -> Handled | None:
        return None

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        def reference(sent: bytes = body) -> Handled:
            return ReferenceBackend.handle(self, target, sent, headers, source_ip=source_ip)

        if target == TARGET_PREFIX + self.operation:
            changed = self.answer(members(body), reference)
            if changed is not None:
                return changed
        return reference()


class ListLimitOffByOne(_Fault):
    """ListDevices takes a Limit of 61 as if the model's maximum were 61 (it is 60)."""

    operation = "ListDevices"

    def answer(self, params: dict[str, Any], reference: Callable[..., Handled]) -> Handled | None:
        return reference(json.dumps({**params, "Limit": 60}).encode()) if params.get("Limit") == 61 else None


class ListLimitMaximumRefused(_Fault):
    """ListDevices refuses the model's maximum Limit (60) as if it were outside the range."""

    operation = "ListDevices"

    def answer(self, params: dict[str, Any], reference: Callable[..., Handled]) -> Handled | None:
        if params.get("Limit") != 60:
            return None
        message = (
            "1 validation error detected: Value '60' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 59"
        )
        return _error(400, "InvalidParameterException", message)


class GetDeviceUndocumentedError(_Fault):
    """GetDevice answers a device it does not find with an error type no document names."""

    operation = "GetDevice"

    def answer(self, params: dict[str, Any], reference: Callable[..., Handled]) -> Handled | None:
        status, headers, _ = reference()
        if status == 400 and headers.get("x-amzn-ErrorType") == "ResourceNotFoundException":
            return _error(400, "DeviceNotFoundException", "Device does not exist.")
        return None


class AdminListServerError(_Fault):
    """AdminListDevices fails with a 500 whenever it would list a page of a given Limit."""

    operation = "AdminListDevices"

    def answer(self, params: dict[str, Any], reference: Callable[..., Handled]) -> Handled | None:
        if "Limit" not in params or reference()[0] != 200:
            return None
        return _error(500, "InternalErrorException", "An internal error occurred.")


class AdminUpdateStoresRefusedStatus(_Fault):
    """AdminUpdateDeviceStatus refuses a status outside its enum as documented, but flips the stored
    status of the device it names."""

    operation = "AdminUpdateDeviceStatus"

    def answer(self, params: dict[str, Any], reference: Callable[..., Handled]) -> Handled | None:
        answer = reference()
        status = params.get("DeviceRememberedStatus")
        device = self.store.devices.get(str(params.get("DeviceKey")))
        invalid = isinstance(status, str) and status not in ("remembered", "not_remembered")
        if answer[0] == 400 and invalid and device is not None:
            with self.store.lock:
                device.remembered = not device.remembered
        return answer


def _error(status: int, error_type: str, message: str) -> Handled:
    payload = json.dumps({"__type": error_type, "message": message}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
        "x-amzn-ErrorType": error_type,
    }
    return status, headers, payload


# fault -> {the requirement it breaks: (verdict, the checks that catch it)}: every phase case the fault
# makes fail, no more (the phase's other cases still pass).
CAUGHT: dict[str, tuple[type[ReferenceBackend] | str, dict[str, tuple[str, set[str]]]]] = {
    "list-limit-61": (
        ListLimitOffByOne,
        # The one Limit of 61 (the coverage phase's) carries a generated token: refused for it, not accepted.
        {"LIST-VAL-CONSTRAINTS": ("FAIL", {"refused"})},
    ),
    "list-limit-60-refused": (
        ListLimitMaximumRefused,
        {"LIST-VAL-CONSTRAINTS": ("FAIL", {"passes_validation"})},
    ),
    "get-device-undocumented-error": (
        GetDeviceUndocumentedError,
        {
            "PROTO-ERROR-TYPE": (
                "FAIL",
                {"error_type_known", ST + "response_headers_conformance", ST + "response_schema_conformance"},
            )
        },
    ),
    "admin-list-server-error": (
        AdminListServerError,
        {
            "PROTO-NO-5XX": ("FAIL", {"not_5xx", ST + "not_a_server_error"}),
            # A valid request with a server error did not pass validation either (as in the suite's case).
            "ADMIN-LIST-VAL-CONSTRAINTS": ("FAIL", {"passes_validation"}),
        },
    ),
    "admin-update-stores-refused-status": (
        AdminUpdateStoresRefusedStatus,
        {"ADMIN-UPDATE-VAL-CONSTRAINTS": ("FAIL", {"refusal_changed_nothing"})},
    ),
    # Generated from the contract (conformance/reference/mutants.py).
    "refusal-dropped:AdminGetDevice:ADMIN-GET-VAL-REQUIRED": (
        "refusal-dropped:AdminGetDevice:ADMIN-GET-VAL-REQUIRED",
        {"ADMIN-GET-VAL-REQUIRED": ("FAIL", {"refused", ST + "negative_data_rejection"})},
    ),
    "wrong-error-type:ConfirmDevice:CONFIRM-VAL-WRONG-TYPE": (
        "wrong-error-type:ConfirmDevice:CONFIRM-VAL-WRONG-TYPE",
        {"CONFIRM-VAL-WRONG-TYPE": ("FAIL", {"refused"})},
    ),
    "secret-echo:GetDevice:access-token-in-message": (
        "secret-echo:GetDevice:access-token-in-message",
        {"VAL-SENSITIVE-NOT-ECHOED": ("FAIL", {"secret_not_echoed"})},
    ),
}


@pytest.mark.parametrize("fault", sorted(CAUGHT))
def test_a_fault_of_another_operation_fails_exactly_its_phase_cases(fault: str) -> None:
    made, expected = CAUGHT[fault]
    backend = MutantBackend(made) if isinstance(made, str) else made()
    with serving(backend) as url, phase_session(url) as session:
        results = run_phase_cases(session)
    assert failing(results) == expected
    for requirement, (_, checks) in expected.items():
        result = results[PREFIX + requirement]
        if checks != {"refusal_changed_nothing"}:  # the watch's finding is a reading, not an answer
            assert result.curl and result.example  # the smallest failing request, to send again
        assert "eyJ" not in json.dumps(result.as_json())
    assert Verdict.ERROR not in {r.verdict for r in results.values()}


class SignatureRequired(ReferenceBackend):
    """The reference, refusing an admin request that carries no signature as AWS does (the reference
    itself may or may not: this one always does)."""

    def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
        signed = any(k.lower() == "authorization" for k in headers)
        if target in {TARGET_PREFIX + op for op in ADMIN} and not signed:
            return _error(400, "MissingAuthenticationTokenException", "Missing Authentication Token")
        return super().handle(target, body, headers, source_ip=source_ip)


def test_a_target_that_checks_signatures_first_passes_every_phase_case() -> None:
    # The admin requests go out signed, whatever schemathesis made: a missing signature is never the
    # reason one of them is refused.
    with serving(SignatureRequired()) as url, phase_session(url) as session:
        results = run_phase_cases(session)
    assert failing(results) == {}
    assert {r.verdict for r in results.values()} == {Verdict.PASS}


def test_an_operation_the_target_lacks_is_left_out_of_the_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoAdminList(ReferenceBackend):
        def handle(self, target, body, headers, *, source_ip="127.0.0.1"):  # type: ignore[no-untyped-def]
            if target == TARGET_PREFIX + "AdminListDevices":
                return 501, {"Content-Type": "application/x-amz-json-1.1"}, b'{"__type":"NotImplemented"}'
            return super().handle(target, body, headers, source_ip=source_ip)

    with serving(NoAdminList()) as url, phase_session(url) as session:
        results = run_phase_cases(session)
        found = session._once["schemathesis phase"]
    assert "AdminListDevices" not in {a.kind.operation for a in found.answers}
    verdicts = {r.requirement: r.verdict for r in results.values()}
    assert {v for r, v in verdicts.items() if r.startswith("ADMIN-LIST-")} == {Verdict.UNIMPLEMENTED}
    assert {v for r, v in verdicts.items() if not r.startswith("ADMIN-LIST-")} == {Verdict.PASS}
