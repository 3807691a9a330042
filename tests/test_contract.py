"""The pinned model extract, drift, and the derived JSON Schemas."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conformance.contract import paths
from conformance.contract.drift import drift_report
from conformance.contract.extract import DEVICE_OPERATIONS, canonical_sha256, extract, load_botocore_model
from conformance.contract.model import load_pinned, pinned
from conformance.contract.schemas import operation_schemas, schema_violations, stale_schemas
from conformance.errors import ContractError

SEED_ERRORS = [
    "InvalidParameterException",
    "ResourceNotFoundException",
    "NotAuthorizedException",
    "InvalidUserPoolConfigurationException",
    "TooManyRequestsException",
    "PasswordResetRequiredException",
    "UserNotFoundException",
    "UserNotConfirmedException",
    "InternalErrorException",
    "ForbiddenException",
]


def test_pinned_extract_loads_with_its_hash_and_version() -> None:
    model = pinned()
    assert model.botocore_version.startswith("1.44.")
    assert canonical_sha256(model.model) == model.sha256
    assert set(DEVICE_OPERATIONS) <= set(model.model["operations"])
    assert model.operation().input_shape.required_members == ["AccessToken", "DeviceKey"]


def test_pinned_extract_is_what_the_extract_command_makes_from_the_installed_botocore() -> None:
    full, version = load_botocore_model()
    assert version == pinned().botocore_version
    assert extract(full) == pinned().model


def test_model_has_the_seed_errors_plus_operation_not_enabled() -> None:
    errors = [e.name for e in pinned().operation().error_shapes]
    assert sorted(errors) == sorted([*SEED_ERRORS, "OperationNotEnabledException"])


def test_tampered_extract_is_refused(tmp_path: Path) -> None:
    document = json.loads(paths.EXTRACT_FILE.read_text())
    document["model"]["shapes"]["DeviceKeyType"]["max"] = 56
    altered = tmp_path / "extract.json"
    altered.write_text(json.dumps(document))
    with pytest.raises(ContractError, match="does not match its sha256"):
        load_pinned(altered)


@pytest.mark.parametrize("content", ["", "{", "[]", '{"model": {}}'])
def test_malformed_extract_is_a_clear_error(tmp_path: Path, content: str) -> None:
    broken = tmp_path / "extract.json"
    broken.write_text(content)
    with pytest.raises(ContractError):
        load_pinned(broken)


def test_no_drift_against_the_installed_botocore() -> None:
    version, lines = drift_report()
    assert version == pinned().botocore_version
    assert lines == []


def older_model(tmp_path: Path) -> Path:
    """A botocore model as it was before OperationNotEnabledException (a shape and its references gone)."""
    full, _ = load_botocore_model()
    old = copy.deepcopy(full)
    for op in old["operations"].values():
        op["errors"] = [e for e in op.get("errors", []) if e["shape"] != "OperationNotEnabledException"]
    del old["shapes"]["OperationNotEnabledException"]
    old["shapes"]["DeviceKeyType"]["max"] = 60
    path = tmp_path / "service-2.json"
    path.write_text(json.dumps(old))
    return path


def test_drift_names_the_operation_not_enabled_difference(tmp_path: Path) -> None:
    _, lines = drift_report(older_model(tmp_path))
    assert (
        "- operations.UpdateDeviceStatus.errors: OperationNotEnabledException only in the pinned model"
        in lines
    )
    assert "- shapes.OperationNotEnabledException: only in the pinned model" in lines
    assert "~ shapes.DeviceKeyType.max: 55 -> 60" in lines


def test_drift_ignores_error_order(tmp_path: Path) -> None:
    full, _ = load_botocore_model()
    full["operations"]["UpdateDeviceStatus"]["errors"].reverse()
    path = tmp_path / "service-2.json"
    path.write_text(json.dumps(full))
    assert drift_report(path)[1] == []


def test_committed_schemas_are_what_the_generator_makes_now() -> None:
    assert stale_schemas(paths.SCHEMAS_DIR) == []


def test_stale_schema_is_detected(tmp_path: Path) -> None:
    for name, schema in operation_schemas().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(json.dumps(schema))  # not the rendered form
    (tmp_path / "errors" / "Bogus.json").write_text("{}")
    stale = stale_schemas(tmp_path)
    assert "UpdateDeviceStatus.request.json" in stale
    assert "errors/Bogus.json" in stale


def test_schemas_are_valid_draft_2020_12_and_cover_each_modeled_error() -> None:
    schemas = operation_schemas()
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    errors = {n.split("/")[1][: -len(".json")] for n in schemas if n.startswith("errors/")}
    assert errors == {e.name for e in pinned().operation().error_shapes}


def test_request_schema_reads_constraints_as_the_model_does() -> None:
    schema = operation_schemas()["UpdateDeviceStatus.request.json"]
    ok = {"AccessToken": "abc", "DeviceKey": "us-east-1_0f8fad5b", "DeviceRememberedStatus": None}
    assert schema_violations(schema, ok) == set()
    bad = {"AccessToken": None, "DeviceKey": "é_0", "DeviceRememberedStatus": "REMEMBERED", "deviceKey": 1}
    assert schema_violations(schema, bad) == {
        ("AccessToken", "null"),
        ("DeviceKey", "pattern"),
        ("DeviceRememberedStatus", "enum"),
        ("deviceKey", "unknown_member"),
    }
    assert schema_violations(schema, {"DeviceKey": "a" * 56}) == {
        ("AccessToken", "missing"),
        ("DeviceKey", "too_long"),
        ("DeviceKey", "pattern"),
    }


def test_response_and_error_schemas() -> None:
    schemas = operation_schemas()
    response = Draft202012Validator(schemas["UpdateDeviceStatus.response.json"])
    assert response.is_valid({})
    assert not response.is_valid([])
    error = Draft202012Validator(schemas["errors/ResourceNotFoundException.json"])
    assert error.is_valid({"__type": "ResourceNotFoundException", "message": "Device does not exist."})
    assert not error.is_valid({"__type": "ResourceNotFoundException", "message": 5})
