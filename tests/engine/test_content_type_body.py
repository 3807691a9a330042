"""PROTO-CONTENT-TYPE passes only when the body is what the header declares: JSON, or empty.

The empty body is an empty output as PROTO-SUCCESS-BODY has it (awsJson1_1: "Empty output: an empty
body or `{}`"); anything else must parse as JSON, trailing bytes included.
"""

from __future__ import annotations

import pytest

from conformance.contract import ids
from conformance.contract.catalog import catalog
from conformance.judge import checks
from conformance.judge.signals import CheckFailure
from conformance.targets.exchange import Exchange

AWSJSON = "application/x-amz-json-1.1"


def answer(body: bytes, content_type: str = AWSJSON, status: int = 200) -> Exchange:
    headers = {"content-type": content_type, "x-amzn-requestid": "id"}
    return Exchange("UpdateDeviceStatus", {}, b"{}", status=status, headers=headers, body=body)


@pytest.mark.parametrize(
    "body",
    [b"{}", b"", b"  \n", b'{"__type":"NotAuthorizedException","message":"Invalid Access Token"}', b"{}\n"],
)
def test_a_json_or_empty_body_under_the_awsjson_type_passes(body: bytes) -> None:
    assert checks.content_type(answer(body)) == AWSJSON
    assert checks.content_type(answer(body, f"{AWSJSON}; charset=utf-8", status=400))


@pytest.mark.parametrize("body", [b"{}}", b"OK", b"<html>error</html>", b'{"a": 1} trailing', b"\xff\xfe{"])
def test_a_body_that_is_not_json_under_the_awsjson_type_fails(body: bytes) -> None:
    for status in (200, 400, 500):
        with pytest.raises(CheckFailure) as caught:
            checks.content_type(answer(body, status=status))
        assert caught.value.requirement == ids.PROTO_CONTENT_TYPE
        assert "not JSON" in str(caught.value.actual) and AWSJSON in str(caught.value.expected)


def test_the_failure_is_at_the_catalog_level_of_the_requirement() -> None:
    # A SHOULD: NON-STRICT here; the same body on a 200 is a FAIL of PROTO-SUCCESS-BODY (a MUST).
    with pytest.raises(CheckFailure) as caught:
        checks.content_type(answer(b"{}}"))
    assert caught.value.level is None and catalog().get(ids.PROTO_CONTENT_TYPE).level == "SHOULD"
    with pytest.raises(CheckFailure) as success:
        checks.success_body(answer(b"{}}"))
    assert success.value.requirement == ids.PROTO_SUCCESS_BODY
    assert catalog().get(ids.PROTO_SUCCESS_BODY).level == "MUST"


def test_no_answer_is_nothing_for_this_check() -> None:
    assert checks.content_type(Exchange("UpdateDeviceStatus", {}, b"{}", error="timeout after 10s")) is None
