"""Each check passes a conformant answer and fails a faulty one, naming its requirement."""

from __future__ import annotations

import json

import pytest

from conformance.contract.constraints import Kind, Violation
from conformance.judge import checks
from conformance.judge.check import Check
from conformance.judge.checks import unimplemented_reason
from conformance.judge.signals import CheckFailure, NothingToJudge
from conformance.judge.state import ABSENT, Unread
from conformance.targets.exchange import Exchange

JSON = "application/x-amz-json-1.1"


def answer(
    status: int | None = 400,
    error_type: str | None = "ResourceNotFoundException",
    message: str | None = "Device does not exist.",
    content_type: str | None = JSON,
    request_id: bool = True,
    body: bytes | None = None,
    error: str | None = None,
) -> Exchange:
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    if request_id:
        headers["x-amzn-requestid"] = "id"
    if body is None:
        payload = (
            {} if status == 200 else {k: v for k, v in (("__type", error_type), ("message", message)) if v}
        )
        body = json.dumps(payload).encode()
    return Exchange("UpdateDeviceStatus", {}, b"{}", status=status, headers=headers, body=body, error=error)


MOTO_WORDS = "NotImplementedError: The update_device_status action has not been implemented"
OK = answer(200)
NOT_FOUND = answer()

CASES: list[tuple[str, Check[[Exchange]], list[Exchange], list[Exchange]]] = [
    (
        "PROTO-NO-5XX",
        checks.not_5xx,
        [OK, NOT_FOUND],
        [answer(500, "InternalErrorException")],
    ),
    (
        "PROTO-ERROR-TYPE",
        checks.error_type_known,
        [OK, NOT_FOUND, answer(400, "SerializationException")],
        [answer(400, "DeviceNotFoundException"), answer(500, None, None, "text/html", body=b"<html/>")],
    ),
    (
        "PROTO-ERROR-TYPE-PLAIN",
        checks.error_type_plain,
        [NOT_FOUND, answer(400, "ResourceNotFoundException:http://internal.amazon.com/coral/x")],
        [answer(400, "aws.cognito#ResourceNotFoundException")],
    ),
    (
        "PROTO-STATUS-SPLIT",
        checks.status_split,
        [NOT_FOUND, answer(500, "InternalErrorException"), answer(400, "TooManyRequestsException")],
        [answer(500, "NotAuthorizedException"), answer(400, "InternalErrorException")],
    ),
    (
        "PROTO-CONTENT-TYPE",
        checks.content_type,
        [OK, NOT_FOUND, answer(content_type=JSON + "; charset=utf-8")],
        [
            answer(content_type="application/json"),
            answer(content_type=None),
            answer(content_type="text/html"),
        ],
    ),
    (
        "PROTO-ERROR-MESSAGE",
        checks.message,
        [OK, NOT_FOUND],
        [answer(message=None), answer(message="")],
    ),
    ("PROTO-REQUEST-ID", checks.request_id, [OK, NOT_FOUND], [answer(request_id=False)]),
    (
        "PROTO-SUCCESS-BODY",
        checks.success_body,
        [OK, answer(200, body=b""), NOT_FOUND],
        [answer(200, body=b"[]"), answer(200, body=b"not json"), answer(201), answer(200, body=b'{"x":1}')],
    ),
]


@pytest.mark.parametrize(("requirement", "check", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_check_passes_conformant_answers_and_fails_faulty_ones(
    requirement: str, check: Check[[Exchange]], good: list[Exchange], bad: list[Exchange]
) -> None:
    assert check.requirement == requirement
    for exchange in good:
        check(exchange)
    for exchange in bad:
        with pytest.raises(CheckFailure) as caught:
            check(exchange)
        assert caught.value.requirement == requirement


def test_a_check_with_nothing_to_look_at_returns_none_and_a_pass_says_what_it_saw() -> None:
    assert checks.error_type_known(OK) is None  # no error: not its business, never a PASS
    assert checks.message(OK) is None
    assert checks.success_body(NOT_FOUND) is None
    assert checks.error_type_known(NOT_FOUND) == "ResourceNotFoundException"


def test_a_body_type_that_disagrees_with_the_header_is_soft() -> None:
    exchange = answer(400, "InvalidParameterException")
    exchange.headers["x-amzn-errortype"] = "ResourceNotFoundException"
    with pytest.raises(CheckFailure) as caught:
        checks.error_type_known(exchange)
    assert caught.value.soft and caught.value.requirement == "PROTO-ERROR-TYPE"


def test_secret_not_echoed_reads_json_strings_and_headers() -> None:
    token = "the-token-välue"
    checks.secret_not_echoed(NOT_FOUND, token)
    escaped = answer(body=json.dumps({"__type": "X", "message": f"bad {token}"}).encode())  # \u00e4
    assert token.encode() not in escaped.body
    for leaking in (answer(message=f"bad token {token}"), escaped):
        with pytest.raises(CheckFailure):
            checks.secret_not_echoed(leaking, token)
    in_header = answer()
    in_header.headers["x-debug"] = token
    with pytest.raises(CheckFailure):
        checks.secret_not_echoed(in_header, token)


def test_refused_grades_type_as_must_and_message_as_should() -> None:
    documented = ("ResourceNotFoundException",)
    checks.refused("R", NOT_FOUND, documented, "Device does not exist.")
    for wrong in (OK, answer(500, "InternalErrorException"), answer(400, "NotAuthorizedException")):
        with pytest.raises(CheckFailure) as caught:
            checks.refused("R", wrong, documented)
        assert not caught.value.soft  # accepted, a 5xx, or another type: the MUST is broken
    with pytest.raises(CheckFailure) as worded:
        checks.refused("R", NOT_FOUND, documented, "Other words.")
    assert worded.value.soft


def _violation(path: str) -> Violation:
    return Violation(path=path, kind=Kind.PATTERN)


def test_refused_for_the_violation_needs_the_member_named_in_cognitos_format() -> None:
    named = answer(
        400, "InvalidParameterException", "1 validation error detected: Value 'x' at 'deviceKey' ..."
    )
    assert checks.refused_for_the_violation("R", named, [_violation("DeviceKey")])
    with pytest.raises(CheckFailure):
        checks.refused_for_the_violation("R", named, [_violation("AccessToken")])
    free_text = answer(400, "InvalidParameterException", "bad request")
    assert checks.refused_for_the_violation("R", free_text, [_violation("AccessToken")]) is None


def test_twin_refused_alike_means_the_violation_did_not_cause_the_refusal() -> None:
    invalid = answer(400, "InvalidParameterException")
    assert checks.twin_not_refused_alike("R", invalid, OK)
    assert checks.twin_not_refused_alike("R", invalid, NOT_FOUND)
    with pytest.raises(CheckFailure):
        checks.twin_not_refused_alike("R", invalid, answer(400, "InvalidParameterException"))
    with pytest.raises(NothingToJudge):
        checks.twin_not_refused_alike("R", invalid, answer(None, error="timeout"))


def test_passes_validation_takes_any_answer_but_a_validation_error_or_a_fault() -> None:
    for fine in (OK, NOT_FOUND, answer(400, "NotAuthorizedException")):
        checks.passes_validation("R", fine, "x")
    for wrong in (answer(400, "InvalidParameterException"), answer(500, "InternalErrorException")):
        with pytest.raises(CheckFailure):
            checks.passes_validation("R", wrong, "x")


def test_wire_checks_want_a_4xx_and_grade_the_type_softly() -> None:
    serialization = answer(400, "SerializationException")
    checks.wire_refused("R", serialization, "body_not_json")
    for wrong in (OK, answer(500, "InternalErrorException")):
        with pytest.raises(CheckFailure):
            checks.wire_refused("R", wrong, "body_not_json")
    checks.wire_error_type("R", serialization, ("SerializationException",), "v")
    with pytest.raises(CheckFailure) as caught:
        checks.wire_error_type(
            "R", answer(400, "InvalidParameterException"), ("SerializationException",), "v"
        )
    assert caught.value.soft


def test_state_that_cannot_be_read_is_never_unchanged() -> None:
    unread = Unread("AdminGetDevice answered HTTP 500")
    assert checks.unchanged("R", "remembered", "remembered")
    with pytest.raises(CheckFailure):
        checks.unchanged("R", "remembered", ABSENT)
    for before, after in ((unread, "remembered"), ("remembered", unread), (unread, unread)):
        with pytest.raises(NothingToJudge):
            checks.unchanged("R", before, after)
    with pytest.raises(NothingToJudge):
        checks.state_is("R", unread, "remembered")
    with pytest.raises(CheckFailure):
        checks.state_is("R", "not_remembered", "remembered")


@pytest.mark.parametrize(
    ("exchange", "words"),
    [
        (Exchange("UpdateDeviceStatus", {}, b"", error=MOTO_WORDS), "NotImplementedError"),
        (answer(500, "CognitoLocal#Unsupported", "Cognito Local unsupported feature"), "Unsupported"),
        (answer(400, "InvalidAction", "Unknown Cognito IDP action: UpdateDeviceStatus"), "InvalidAction"),
        (answer(501, "InternalFailure", "not yet been emulated"), "501"),
    ],
)  # fmt: skip
def test_unimplemented_operations_are_recognised_in_the_targets_words(exchange: Exchange, words: str) -> None:
    reason = unimplemented_reason(exchange)
    assert reason is not None and words in reason


def test_unknown_operation_is_unimplemented_only_for_a_correct_target_header() -> None:
    proper = {"X-Amz-Target": "AWSCognitoIdentityProviderService.UpdateDeviceStatus"}
    body = b'{"__type": "UnknownOperationException", "message": "no such operation"}'
    headers = {"content-type": JSON}
    answered = Exchange("UpdateDeviceStatus", proper, b"{}", status=400, headers=headers, body=body)
    assert unimplemented_reason(answered) is not None
    probe = Exchange(
        "UpdateDeviceStatus", {"X-Amz-Target": "Bogus.Op"}, b"{}", status=400, headers=headers, body=body
    )
    assert unimplemented_reason(probe) is None  # the expected answer to a wire-level probe


def test_ordinary_errors_are_not_unimplemented() -> None:
    assert unimplemented_reason(NOT_FOUND) is None
    assert unimplemented_reason(answer(500, "InternalErrorException")) is None


def test_no_answer_is_nothing_for_an_answer_check_and_a_failure_of_an_answer() -> None:
    """A request without an answer: the checks that read answers have nothing to judge; `an_answer`
    (which the context runs on the first such request after answers) is the FAIL of PROTO-NO-5XX."""
    silent = answer(None, error="timeout after 10s")
    with pytest.raises(NothingToJudge):
        checks.not_5xx(silent)
    with pytest.raises(CheckFailure) as caught:
        checks.an_answer(silent)
    assert caught.value.requirement == "PROTO-NO-5XX" and "timeout" in str(caught.value.actual)
