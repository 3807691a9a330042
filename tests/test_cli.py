"""The command line: the acceptance commands of the Foundation issue, exit codes, one-line errors."""

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from conformance.cli import main
from conformance.contract import paths
from conformance.contract.catalog import FAMILIES, OPERATIONS, catalog
from conformance.contract.constraints import check_input
from conformance.contract.extract import load_botocore_model
from conformance.contract.model import pinned
from conformance.contract.schemas import operation_schemas, schema_violations

CLI = [sys.executable, "-m", "conformance.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300
    )


def lines_of(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert main(list(args)) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_cases_lists_every_family_with_id_level_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases"]) == 0
    out = capsys.readouterr().out
    for family in FAMILIES:
        assert f"[{family}]" in out
    assert (
        "VAL-DEVICEKEY-LENGTH" in out and "MUST" in out and "source: model: shapes.DeviceKeyType.max" in out
    )


def test_cases_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    families = {r["family"] for r in data["requirements"]}
    assert families == set(FAMILIES)
    assert all(r["id"] and r["level"] and r["sources"] for r in data["requirements"])
    # Each requirement names its operation; by operation, UpdateDeviceStatus (the headline) first.
    operations = [r["operation"] for r in data["requirements"]]
    assert set(operations) == set(OPERATIONS)
    assert operations == sorted(operations, key=OPERATIONS.index)
    assert {r["id"]: r["operation"] for r in data["requirements"]} == {
        r.id: r.operation for r in catalog().requirements
    }


def test_cases_lists_every_operation_under_a_heading_then_its_families(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["cases"]) == 0
    lines = capsys.readouterr().out.splitlines()
    cat = catalog()
    headings = [line for line in lines[:-1] if line and not line.startswith(" ")]
    assert [h.split(":")[0] for h in headings] == list(OPERATIONS)  # all nine, the headline first
    listed: dict[str, str] = {}  # requirement id -> the heading it is listed under
    operation = family = ""
    for line in lines[:-1]:
        if not line.startswith(" "):
            operation = line.split(":")[0]
            assert line == heading(operation), line
        elif line.startswith("  [") and line.endswith("]"):
            family = line.strip("[] ")
        elif not line.lstrip().startswith("source: "):
            requirement = cat.get(line.split()[0])
            assert (requirement.operation, requirement.family) == (operation, family), line
            listed[requirement.id] = operation
    assert sorted(listed) == sorted(r.id for r in cat.requirements)  # each once, under its operation
    # Every requirement with its sources, each source on a line of its own.
    sources = sum(1 for line in lines if line.lstrip().startswith("source: "))
    assert sources == sum(len(r.sources) for r in cat.requirements)
    assert lines[-1] == (
        f"{len(cat.requirements)} requirements of {len(OPERATIONS)} operations"
        f" in {len(cat.families())} families"
    )


def test_cases_of_some_operations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cases", "--operation", "AdminListDevices,ListDevices", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    wanted = [r.id for r in catalog().requirements if r.operation in ("ListDevices", "AdminListDevices")]
    assert wanted and [r["id"] for r in data["requirements"]] == wanted
    assert main(["cases", "--operation", "GetDevice"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == heading("GetDevice")
    assert not [line for line in lines[1:-1] if not line.startswith(" ")]  # no other operation
    assert lines[-1] == heading("GetDevice").replace("GetDevice: ", "").replace(" in ", " of 1 operation in ")


def heading(operation: str) -> str:
    """`cases`' heading of an operation: "GetDevice: 3 requirements in 1 family"."""
    mine = [r for r in catalog().requirements if r.operation == operation]
    families = len({r.family for r in mine})
    return (
        f"{operation}: {len(mine)} requirement{'s' if len(mine) != 1 else ''} in "
        f"{families} famil{'ies' if families != 1 else 'y'}"
    )


def test_generate_invalid_500_covers_every_rule_with_true_labels(capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(capsys, "generate", "--kind", "invalid", "--count", "500", "--seed", "1")
    assert len(lines) == 500
    schema = operation_schemas()["UpdateDeviceStatus.request.json"]
    op = pinned().operation()
    seen = set()
    for line in lines:
        label = {(v["member"], v["kind"]) for v in line["violations"]}
        assert label and label == {(v.path, str(v.kind)) for v in check_input(op, line["request"])}
        assert label == schema_violations(schema, line["request"])
        seen |= {("*" if k == "unknown_member" else m, k) for m, k in label}
    members = {"AccessToken", "DeviceKey", "DeviceRememberedStatus"}
    expected = {(m, "type") for m in members} | {("*", "unknown_member"), ("DeviceRememberedStatus", "enum")}
    expected |= {(m, k) for m in ("AccessToken", "DeviceKey") for k in ("missing", "null", "pattern")}
    expected |= {("DeviceKey", "too_short"), ("DeviceKey", "too_long")}
    assert seen == expected
    # Boundaries first: lengths 0, 1, 55 (valid, so not here), 56 of DeviceKey.
    firsts = [len(line["request"]["DeviceKey"]) for line in lines[:3]]
    assert firsts == [0, 1, 56]


def test_generate_valid_lines_satisfy_every_constraint(capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(capsys, "generate", "--kind", "valid", "--count", "200", "--seed", "3")
    assert len(lines) == 200
    schema = operation_schemas()["UpdateDeviceStatus.request.json"]
    for line in lines:
        assert line["violations"] == []
        assert check_input(pinned().operation(), line["request"]) == []
        assert schema_violations(schema, line["request"]) == set()
        assert regex.fullmatch(r"[\w-]+_[0-9a-f-]+", line["request"]["DeviceKey"], flags=regex.ASCII)
    assert len(lines[0]["request"]["DeviceKey"]) == 55  # the upper boundary comes first


def test_generate_wire(capsys: pytest.CaptureFixture[str]) -> None:
    lines = lines_of(capsys, "generate", "--kind", "wire", "--count", "40", "--seed", "2")
    assert {line["variant"] for line in lines} >= {"content_type_charset", "body_not_json", "target_unknown"}
    assert all({"method", "path", "headers"} <= set(line["request"]) for line in lines)


def test_generate_same_seed_same_lines_in_separate_processes() -> None:
    first = run("generate", "--kind", "invalid", "--count", "60", "--seed", "5")
    second = run("generate", "--kind", "invalid", "--count", "60", "--seed", "5")
    other = run("generate", "--kind", "invalid", "--count", "60", "--seed", "6")
    assert first.returncode == 0 and first.stdout == second.stdout
    assert first.stdout != other.stdout


def older_botocore(tmp_path: Path) -> Path:
    """A botocore package directory whose cognito-idp model predates OperationNotEnabledException."""
    full, _ = load_botocore_model()
    old = copy.deepcopy(full)
    for op in old["operations"].values():
        op["errors"] = [e for e in op.get("errors", []) if e["shape"] != "OperationNotEnabledException"]
    del old["shapes"]["OperationNotEnabledException"]
    data = tmp_path / "botocore" / "data" / "cognito-idp" / "2016-04-18"
    data.mkdir(parents=True)
    (data / "service-2.json").write_text(json.dumps(old))
    (tmp_path / "botocore" / "__init__.py").write_text("__version__ = '1.35.0'\n")
    return tmp_path


def test_drift_against_an_older_botocore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift", "--against", str(older_botocore(tmp_path))]) == 1
    out = capsys.readouterr().out
    head, _, rest = out.partition("other operations and shapes:")
    assert "botocore 1.35.0" in head
    assert (
        "- operations.UpdateDeviceStatus.errors: OperationNotEnabledException only in the pinned model"
        in head
    )
    assert "operations.GetDevice.errors" in rest  # the others are listed apart


def test_drift_against_the_installed_botocore_prints_no_difference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["drift"]) == 0
    assert capsys.readouterr().out.startswith("no drift")


def test_contract_writes_what_exists_and_says_what_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contract", "--report-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "catalog:" in out and "schemas: up to date" in out
    document = json.loads((tmp_path / "contract.json").read_text())
    assert document["drift"] == [] and document["stale_schemas"] == []
    assert not (tmp_path / "results.json").exists()  # no pretend report


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--kind", "bogus"],
        ["generate", "--kind", "invalid", "--count", "0"],
        ["generate", "--kind", "invalid", "--count", "many"],
        ["drift", "--against", "/nonexistent/botocore"],
        ["serve-reference", "--port", "70000"],
        ["cases", "--operation", "Listdevices"],
        ["no-such-command"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_malformed_catalog_is_one_line_and_exit_2(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(paths.SPECS_DIR, specs)
    catalog = specs / "requirements.toml"
    catalog.write_text(catalog.read_text().replace('level = "SHOULD"', 'level = "SHOUT"', 1))
    result = run("cases", env={"COGNITO_CONFORMANCE_SPECS": str(specs)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SHOUT" in result.stderr and "Traceback" not in result.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "cognito-conformance"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "cognito-conformance" in result.stdout
