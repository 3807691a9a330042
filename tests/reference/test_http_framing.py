"""What the served reference answers to requests that are not awsJson1_1 calls: another method than POST,
a body over the limit, a broken Content-Length or request line. Always awsJson1_1's error form (a JSON
`__type` and `message`, its media type, a request id), never http.server's HTML page, and a 4xx."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from conformance.reference import ReferenceBackend, RunningServer, start_server
from conformance.reference.faults import FaultyBackend
from conformance.reference.server import DRAIN_LIMIT, MAX_BODY

JSON11 = "application/x-amz-json-1.1"
UPDATE = {"Content-Type": JSON11, "X-Amz-Target": "AWSCognitoIdentityProviderService.UpdateDeviceStatus"}


def assert_awsjson_error(response: requests.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == JSON11
    assert response.headers["x-amzn-RequestId"]
    assert response.headers["x-amzn-ErrorType"] == type_
    body = response.json()
    assert body["__type"] == type_ and isinstance(body["message"], str)
    return dict(body)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY", "FROB"])
def test_another_method_than_post_is_a_400_in_awsjson_form(server: RunningServer, method: str) -> None:
    response = requests.request(method, server.url + "/", data=b"{}", headers=UPDATE, timeout=10)
    body = assert_awsjson_error(response, 400, "UnknownOperationException")
    assert method in body["message"]


def test_head_gets_the_same_status_and_headers_without_a_body(server: RunningServer) -> None:
    response = requests.head(server.url + "/", headers=UPDATE, timeout=10)
    assert response.status_code == 400 and response.headers["Content-Type"] == JSON11
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException" and not response.content


def test_a_body_over_the_limit_is_a_400_serialization_exception(server: RunningServer) -> None:
    oversized = json.dumps({"DeviceKey": "x" * MAX_BODY}).encode()
    with requests.Session() as session:  # one keep-alive connection
        body = assert_awsjson_error(
            session.post(server.url + "/", data=oversized, headers=UPDATE, timeout=30),
            400,
            "SerializationException",
        )
        assert str(MAX_BODY) in body["message"]
        # The refused body was read and dropped: the same connection still frames the next request.
        after = session.post(server.url + "/", data=b"{}", headers=UPDATE, timeout=10)
        assert_awsjson_error(after, 400, "InvalidParameterException")


def test_a_body_at_the_limit_is_read(server: RunningServer) -> None:
    padding = MAX_BODY - len(json.dumps({"DeviceKey": ""}))
    at_limit = json.dumps({"DeviceKey": "x" * padding}).encode()
    assert len(at_limit) == MAX_BODY
    response = requests.post(server.url + "/", data=at_limit, headers=UPDATE, timeout=30)
    assert_awsjson_error(response, 400, "InvalidParameterException")  # validated, not refused unread


def test_a_body_past_the_drain_limit_is_refused_and_the_connection_closed(server: RunningServer) -> None:
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=10) as s:
        head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {DRAIN_LIMIT + 1}\r\n\r\n"
        s.sendall(head.encode())  # and no body: the answer must not wait for one
        answer = _read_all(s)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in answer and b'"__type": "SerializationException"' in answer


@pytest.mark.parametrize("length", ["-5", "abc", "1e3"])
def test_a_content_length_that_is_not_a_length_is_a_400(server: RunningServer, length: str) -> None:
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=10) as s:
        s.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode())
        answer = _read_all(s)
    assert answer.startswith(b"HTTP/1.1 400 ") and JSON11.encode() in answer
    assert b'"__type": "SerializationException"' in answer


def test_a_chunked_body_is_refused_and_the_connection_closed(server: RunningServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"{}"

    response = requests.post(server.url + "/", data=chunks(), headers=UPDATE, timeout=10)
    assert_awsjson_error(response, 400, "SerializationException")
    assert response.headers["Connection"] == "close"


def test_http_servers_own_refusals_are_json_not_html(server: RunningServer) -> None:
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=10) as s:
        s.sendall(b"POST / HTTP/9.9\r\n\r\n")
        answer = _read_all(s)
    assert b"<html" not in answer.lower()
    assert json.loads(answer.split(b"\r\n\r\n", 1)[-1])["__type"] == "SerializationException"


def test_other_paths_are_404_in_awsjson_form(server: RunningServer) -> None:
    for method in ("GET", "POST", "PUT"):
        response = requests.request(method, server.url + "/nowhere", timeout=10)
        assert_awsjson_error(response, 404, "UnknownOperationException")


def test_a_map_key_of_digits_is_not_a_list_index() -> None:
    # Found by schemathesis: a ChallengeResponses key of 131073 digits with a non-string value was read as
    # a list index, and int() of it raised (a 500). A map key is named as it came.
    backend = ReferenceBackend()
    for key in ("0" * 131073, "5"):
        request = {"ClientId": "00", "ChallengeName": "SMS_MFA", "ChallengeResponses": {key: []}}
        status, _, payload = backend.handle(
            UPDATE["X-Amz-Target"].replace("UpdateDeviceStatus", "RespondToAuthChallenge"),
            json.dumps(request).encode(),
            {"Content-Type": JSON11},
        )
        body = json.loads(payload)
        assert status == 400 and body["__type"] == "SerializationException"
        assert f"'challengeResponses[{key}]'" in body["message"]


def _port(server: RunningServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _read_all(s: socket.socket) -> bytes:
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


class _Broken(ReferenceBackend):
    def handle(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
        raise RuntimeError("a bug outside protocol.handle's own catch")


def test_an_exception_outside_the_protocol_is_a_500_in_awsjson_form() -> None:
    with start_server(_Broken(), host="127.0.0.1", port=0) as running:
        response = requests.post(running.url + "/", data=b"{}", headers=UPDATE, timeout=10)
    body = assert_awsjson_error(response, 500, "InternalErrorException")
    assert "bug" not in body["message"]


@pytest.mark.parametrize("fault", ["no-srp", "no-new-device-metadata"])
def test_a_fault_that_makes_up_device_keys_takes_a_token_of_the_wrong_type(fault: str) -> None:
    # Found by schemathesis: `"AccessToken": [...]` made these faults raise (the connection dropped).
    request = {"AccessToken": ["x"], "DeviceKey": "us-east-1_0-0"}
    status, _, payload = FaultyBackend(fault).handle(
        UPDATE["X-Amz-Target"].replace("UpdateDeviceStatus", "ConfirmDevice"),
        json.dumps(request).encode(),
        {"Content-Type": JSON11},
    )
    assert status == 400 and json.loads(payload)["__type"] == "SerializationException"
