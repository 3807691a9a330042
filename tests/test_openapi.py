"""The OpenAPI document: fresh, valid OpenAPI 3.1, true to the model, and usable by schemathesis."""

import copy
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from schemathesis.errors import FailureGroup

from conformance.cli import main
from conformance.contract.awsjson import SERVER_ERRORS, documented_errors
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned
from conformance.contract.openapi import (
    OPENAPI_FILE,
    OPENAPI_OPERATIONS,
    content_type,
    error_type_pattern,
    openapi_document,
    openapi_is_stale,
    operation_path,
    register_schemathesis,
    render_openapi,
    target,
)
from conformance.contract.schemas import operation_schemas, schema_violations
from conformance.reference import ReferenceBackend
from conformance.reference.controls import Controls
from conformance.reference.faults import FaultyBackend
from conformance.reference.server import start_server
from conformance.targets.exchange import Exchange
from strategies.requests import Labelled, invalid_requests, valid_requests

DOCUMENT = openapi_document()
SCHEMAS = DOCUMENT["components"]["schemas"]
A_DEVICE_KEY = "us-east-1_0f8fad5b-d9cb-469f-a165-70867728950e"
# A few dozen generated requests per property: enough to cross every rule, quick enough for `make unit`.
A_FEW_DOZEN = settings(max_examples=40)


def post(operation: str) -> dict[str, Any]:
    return DOCUMENT["paths"][operation_path(operation)]["post"]


def component(reference: dict[str, str]) -> dict[str, Any]:
    return SCHEMAS[reference["$ref"].rsplit("/", 1)[1]]


def request_schema(operation: str) -> dict[str, Any]:
    return component(post(operation)["requestBody"]["content"][content_type()]["schema"])


def error_names(response: dict[str, Any]) -> set[str]:
    return {ref["$ref"].rsplit("/", 1)[1] for ref in response["content"][content_type()]["schema"]["anyOf"]}


# --- freshness and validity --------------------------------------------------------------------------


def test_committed_document_is_what_the_generator_makes_now() -> None:
    assert OPENAPI_FILE.read_text() == render_openapi()
    assert not openapi_is_stale()


def test_a_stale_or_missing_document_is_detected(tmp_path: Path) -> None:
    edited = copy.deepcopy(DOCUMENT)
    edited["components"]["schemas"]["UpdateDeviceStatusRequest"]["properties"]["DeviceKey"]["maxLength"] = 56
    stale = tmp_path / "openapi.json"
    stale.write_text(json.dumps(edited, indent=2) + "\n")
    assert openapi_is_stale(stale)
    assert openapi_is_stale(tmp_path / "missing.json")


def test_cli_prints_the_document_and_checks_the_committed_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    assert capsys.readouterr().out == render_openapi()
    assert main(["openapi", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_document_validates_as_openapi_3_1() -> None:
    assert DOCUMENT["openapi"].startswith("3.1.")
    validate(DOCUMENT, cls=OpenAPIV31SpecValidator)


def broken_parameter(document: dict[str, Any]) -> None:
    document["paths"][operation_path(OPERATION)]["post"]["parameters"][0]["in"] = "body"  # OpenAPI 2 only


def broken_path(document: dict[str, Any]) -> None:
    document["paths"]["X-Amz-Target"] = document["paths"].pop(operation_path(OPERATION))


@pytest.mark.parametrize("breaking", [broken_parameter, broken_path])
def test_the_validator_catches_a_broken_document(breaking: Callable[[dict[str, Any]], None]) -> None:
    # The validity test means something only if the validator reads what this generator writes.
    broken = copy.deepcopy(DOCUMENT)
    breaking(broken)
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_reference_resolves() -> None:
    # openapi-spec-validator does not follow a dangling $ref; schemathesis would fail on it at run time.
    found = set(refs(DOCUMENT))
    assert found and all(ref.startswith("#/components/schemas/") for ref in found)
    assert {ref.rsplit("/", 1)[1] for ref in found} <= set(SCHEMAS)


# --- the awsJson1_1 face -----------------------------------------------------------------------------


def test_every_operation_is_post_root_told_apart_by_its_target_header() -> None:
    metadata = pinned().service.metadata
    assert set(DOCUMENT["paths"]) == {operation_path(op) for op in OPENAPI_OPERATIONS}
    for operation in OPENAPI_OPERATIONS:
        path = operation_path(operation)
        assert pinned().operation(operation).http == {"method": "POST", "requestUri": "/"}
        # Everything after '#' is a fragment: the request line says `POST /`, as the model's `http` does.
        assert urlsplit(f"http://h{path}").path == "/"
        assert list(DOCUMENT["paths"][path]) == ["post"]
        op = post(operation)
        assert op["operationId"] == operation
        (header,) = op["parameters"]
        assert header["in"] == "header" and header["required"] is True
        assert header["schema"]["const"] == f"{metadata['targetPrefix']}.{operation}" == target(operation)
        assert list(op["requestBody"]["content"]) == [f"application/x-amz-json-{metadata['jsonVersion']}"]
        assert set(op["responses"]) == {"200", "400", "500"}


def test_device_flow_operations_are_all_there() -> None:
    needed = {
        "UpdateDeviceStatus",
        "ConfirmDevice",
        "GetDevice",
        "ListDevices",
        "ForgetDevice",
        "AdminGetDevice",
        "AdminListDevices",
        "InitiateAuth",
        "RespondToAuthChallenge",
    }
    assert needed <= set(OPENAPI_OPERATIONS)


def test_request_and_response_schemas_are_the_derived_json_schemas() -> None:
    files = operation_schemas()
    document_keys = {"$schema", "$id", "title", "$comment"}
    request = {k: v for k, v in files[f"{OPERATION}.request.json"].items() if k not in document_keys}
    response = {k: v for k, v in files[f"{OPERATION}.response.json"].items() if k not in document_keys}
    assert request_schema(OPERATION) == request
    assert component(post(OPERATION)["responses"]["200"]["content"][content_type()]["schema"]) == response
    assert request["additionalProperties"] is False


@pytest.mark.parametrize("operation", OPENAPI_OPERATIONS)
def test_errors_are_the_modeled_and_common_ones_split_by_status(operation: str) -> None:
    responses = post(operation)["responses"]
    client, server = error_names(responses["400"]), error_names(responses["500"])
    assert client | server == documented_errors(operation)
    assert server == documented_errors(operation) & SERVER_ERRORS
    assert not client & server
    # The model marks its server errors as faults; the split agrees with it.
    faults = {e.name for e in pinned().operation(operation).error_shapes if e.metadata.get("fault")}
    assert faults <= server
    for status in ("200", "400", "500"):
        assert "x-amzn-RequestId" in responses[status]["headers"]
    assert "x-amzn-ErrorType" in responses["400"]["headers"]


def test_error_schemas_keep_modeled_members() -> None:
    invalid = Draft202012Validator(SCHEMAS["InvalidParameterException"])
    assert "reasonCode" in SCHEMAS["InvalidParameterException"]["properties"]
    assert invalid.is_valid({"__type": "InvalidParameterException", "message": "1 validation error detected"})
    assert invalid.is_valid({"message": "the type is in x-amzn-ErrorType"})
    assert not invalid.is_valid({"__type": "ResourceNotFoundException", "message": "x"})
    assert not invalid.is_valid({"__type": "InvalidParameterException", "message": 1})


NAMES = sorted(documented_errors(OPERATION))


def sanitised(raw: str) -> str | None:
    return Exchange(
        operation=None, request_headers={}, request_body=b"", headers={"x-amzn-errortype": raw}
    ).error_type


@given(
    st.one_of(st.just(""), st.text(max_size=6).map(lambda s: s + "#")),
    st.sampled_from([*NAMES, "DeviceNotFoundException", "NotAuthorizedExceptio", ""]),
    st.one_of(st.just(""), st.text(max_size=6)),
)
def test_error_type_pattern_accepts_exactly_what_sanitises_to_a_documented_type(
    prefix: str, name: str, suffix: str
) -> None:
    raw = prefix + name + suffix
    assert bool(re.search(error_type_pattern(NAMES), raw)) == (sanitised(raw) in NAMES)


def test_error_type_pattern_examples() -> None:
    pattern = re.compile(error_type_pattern(NAMES))
    for raw in (
        "NotAuthorizedException",
        "aws.cognito#NotAuthorizedException",
        "NotAuthorizedException:http://internal.amazon.com/coral/com.amazon.coral.service/",
    ):
        assert pattern.search(raw), raw
    for raw in (
        "DeviceNotFoundException",
        "NotAuthorizedException\n",
        "XNotAuthorizedException",
        "a:b#NotAuthorizedException",
    ):
        assert not pattern.search(raw), raw


# --- the suite's generated requests against the document's request schemas ---------------------------


@pytest.mark.parametrize("operation", OPENAPI_OPERATIONS)
def test_request_schema_accepts_the_suites_valid_requests(operation: str) -> None:
    validator = Draft202012Validator(request_schema(operation))

    @A_FEW_DOZEN
    @given(valid_requests(operation=operation))
    def accepted(request: dict[str, Any]) -> None:
        assert not list(validator.iter_errors(request)), request

    accepted()


@A_FEW_DOZEN
@given(invalid_requests())
def test_request_schema_rejects_the_suites_invalid_requests_for_what_they_break(labelled: Labelled) -> None:
    # strategies.requests labels invalid requests of UpdateDeviceStatus; its shape is what they break.
    schema = request_schema(OPERATION)
    assert not Draft202012Validator(schema).is_valid(labelled.request)
    assert schema_violations(schema, labelled.request) == {(v.path, str(v.kind)) for v in labelled.violations}


# --- schemathesis --------------------------------------------------------------------------------------


def test_schemathesis_loads_it_and_finds_every_operation() -> None:
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(op.label for op in operations) == sorted(
        f"POST {operation_path(o)}" for o in OPENAPI_OPERATIONS
    )
    for name in OPENAPI_OPERATIONS:
        assert schema.find_operation_by_id(name).method.upper() == "POST"


def signed_in(backend: ReferenceBackend) -> str:
    """A real access token of a user in a new pool of `backend`."""

    def call(operation: str, body: dict[str, Any]) -> dict[str, Any]:
        status, _, payload = backend.handle(
            target(operation), json.dumps(body).encode(), {"Content-Type": content_type()}
        )
        assert status == 200, payload
        return dict(json.loads(payload))

    pool = call("CreateUserPool", {"PoolName": "openapi"})["UserPool"]["Id"]
    call("AdminCreateUser", {"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS"})
    return Controls(backend).mint_access_token(pool, "alice")


@pytest.fixture
def st_schema() -> schemathesis.BaseSchema:
    register_schemathesis()  # idempotent: the awsJson1_1 media type is JSON for schemathesis
    return schemathesis.openapi.from_dict(DOCUMENT)


def answer(
    schema: schemathesis.BaseSchema, backend: ReferenceBackend, operation: str, body: dict[str, Any]
) -> None:
    """Send one request through schemathesis to `backend` over HTTP, and validate the answer."""
    with start_server(backend) as server:
        case = schema.find_operation_by_id(operation).Case(
            body=body, headers={"X-Amz-Target": target(operation)}, media_type=content_type()
        )
        response = case.call(base_url=server.url)
        # A 404 would mean the fragment reached the server: the reference routes only `POST /`.
        assert response.status_code in (200, 400), response.text
        case.validate_response(response)


def test_schemathesis_reaches_post_root_and_the_reference_answers_as_documented(
    st_schema: schemathesis.BaseSchema,
) -> None:
    backend = ReferenceBackend()
    token = signed_in(backend)
    answer(st_schema, backend, "ListDevices", {"AccessToken": token})  # 200 {"Devices": []}
    answer(st_schema, backend, OPERATION, {"AccessToken": token, "DeviceKey": A_DEVICE_KEY})  # 400 not found
    answer(st_schema, backend, OPERATION, {"AccessToken": "not-a-token", "DeviceKey": A_DEVICE_KEY})


@pytest.mark.parametrize(
    ("fault", "code"),
    [("wrong-error-type", "ST108"), ("json-content-type", "ST105")],  # schema violation, undocumented type
)
def test_schemathesis_with_the_document_catches_a_faulty_answer(
    st_schema: schemathesis.BaseSchema, fault: str, code: str
) -> None:
    backend = FaultyBackend(fault)
    token = signed_in(backend)
    with pytest.raises(FailureGroup) as caught:
        answer(st_schema, backend, OPERATION, {"AccessToken": token, "DeviceKey": A_DEVICE_KEY})
    assert code in {failure.code for failure in caught.value.exceptions}


def test_a_namespaced_error_type_is_not_a_schema_failure(st_schema: schemathesis.BaseSchema) -> None:
    # PROTO-ERROR-TYPE-PLAIN is a SHOULD: clients read `ns#Type`, so the document accepts it.
    backend = FaultyBackend("namespaced-error-type")
    answer(st_schema, backend, OPERATION, {"AccessToken": signed_in(backend), "DeviceKey": A_DEVICE_KEY})


@pytest.mark.parametrize("hooks", [True, False])
def test_st_run_sends_awsjson_bodies_with_the_readme_hooks_module(hooks: bool, tmp_path: Path) -> None:
    """The documented `SCHEMATHESIS_HOOKS=conformance.contract.openapi st run ...`, on one operation."""
    env = {k: v for k, v in os.environ.items() if k != "SCHEMATHESIS_HOOKS"}
    if hooks:
        env["SCHEMATHESIS_HOOKS"] = "conformance.contract.openapi"
    with start_server() as server:
        command = [sys.executable, "-m", "schemathesis.cli", "run", str(OPENAPI_FILE), "--url", server.url]
        command += ["--include-operation-id", OPERATION, "--phases", "fuzzing", "--mode", "negative"]
        command += ["-n", "10", "--seed", "1", "--no-color", "--generation-database", "none"]
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False
        )
    if hooks:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "10 passed" in done.stdout
    else:
        # Without the hook schemathesis cannot send application/x-amz-json-1.1 at all.
        assert done.returncode != 0
        assert "Serialization not possible" in done.stdout
