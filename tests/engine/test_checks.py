"""Each check passes a conformant answer and fails a faulty one, naming its requirement."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from conformance.engine import checks
from conformance.engine.checks import CheckFailure, unimplemented_reason
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

CASES: list[tuple[str, Callable[[Exchange], None], list[Exchange], list[Exchange]]] = [
    (
        "PROTO-NO-5XX",
        checks.check_not_5xx,
        [OK, NOT_FOUND],
        [answer(500, "InternalErrorException"), answer(None, error="timeout")],
    ),
    (
        "PROTO-ERROR-TYPE",
        checks.check_error_type_known,
        [OK, NOT_FOUND, answer(400, "SerializationException")],
        [answer(400, "DeviceNotFoundException"), answer(500, None, None, "text/html", body=b"<html/>")],
    ),
    (
        "PROTO-ERROR-TYPE-PLAIN",
        checks.check_error_type_plain,
        [NOT_FOUND],
        [
            answer(400, "aws.cognito#ResourceNotFoundException"),
            answer(400, "ResourceNotFoundException:http://x"),
        ],
    ),
    (
        "PROTO-STATUS-SPLIT",
        checks.check_status_split,
        [NOT_FOUND, answer(500, "InternalErrorException"), answer(400, "TooManyRequestsException")],
        [answer(500, "NotAuthorizedException"), answer(400, "InternalErrorException")],
    ),
    (
        "PROTO-CONTENT-TYPE",
        checks.check_content_type,
        [OK, NOT_FOUND, answer(content_type=JSON + "; charset=utf-8")],
        [
            answer(content_type="application/json"),
            answer(content_type=None),
            answer(content_type="text/html"),
        ],
    ),
    (
        "PROTO-ERROR-MESSAGE",
        checks.check_message,
        [OK, NOT_FOUND],
        [answer(message=None), answer(message="")],
    ),
    ("PROTO-REQUEST-ID", checks.check_request_id, [OK, NOT_FOUND], [answer(request_id=False)]),
    (
        "PROTO-SUCCESS-BODY",
        checks.check_success_body,
        [OK, answer(200, body=b""), NOT_FOUND],
        [answer(200, body=b"[]"), answer(200, body=b"not json"), answer(201)],
    ),
]


@pytest.mark.parametrize(("requirement", "check", "good", "bad"), CASES, ids=[c[0] for c in CASES])
def test_check_passes_conformant_answers_and_fails_faulty_ones(
    requirement: str, check: Callable[[Exchange], None], good: list[Exchange], bad: list[Exchange]
) -> None:
    for exchange in good:
        check(exchange)
    for exchange in bad:
        with pytest.raises(CheckFailure) as caught:
            check(exchange)
        assert caught.value.requirement == requirement


def test_secret_not_echoed() -> None:
    checks.check_secret_not_echoed(NOT_FOUND, "the-token-value")
    with pytest.raises(CheckFailure):
        checks.check_secret_not_echoed(answer(message="bad token the-token-value"), "the-token-value")


def test_expect_rejected_grades_the_answer() -> None:
    checks.expect_rejected(NOT_FOUND, "R", ("ResourceNotFoundException",), message="Device does not exist.")
    with pytest.raises(CheckFailure) as accepted:
        checks.expect_rejected(OK, "R", ("ResourceNotFoundException",))
    assert not accepted.value.soft  # accepting is breaking the MUST
    with pytest.raises(CheckFailure) as five:
        checks.expect_rejected(answer(500, "InternalErrorException"), "R", ("ResourceNotFoundException",))
    assert not five.value.soft
    with pytest.raises(CheckFailure) as other:
        checks.expect_rejected(answer(400, "NotAuthorizedException"), "R", ("ResourceNotFoundException",))
    assert other.value.soft  # refused, but not as documented: NON-STRICT
    with pytest.raises(CheckFailure) as worded:
        checks.expect_rejected(NOT_FOUND, "R", ("ResourceNotFoundException",), message="Other words.")
    assert worded.value.soft


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
