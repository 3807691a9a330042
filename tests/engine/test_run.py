"""`cognito-conformance run` end to end: the acceptance items of the cases issue."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.app.outputs import write_outputs
from conformance.contract import paths
from conformance.contract.catalog import catalog
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.secrets import JWT_SHAPE

from .conftest import assert_no_secret_written, free_port, results_document, session_for

CLI = [sys.executable, "-m", "conformance.cli"]
SCHEMA = json.loads((paths.SPECS_DIR / "results.schema.json").read_text())
DEVICE_OPS = {
    "UpdateDeviceStatus",
    "GetDevice",
    "ListDevices",
    "ForgetDevice",
    "AdminGetDevice",
    "AdminListDevices",
}


def run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.run([*CLI, "run", *args], capture_output=True, text=True, timeout=timeout, env=env)


def load(report_dir: Path) -> dict:
    document = json.loads((report_dir / "results.json").read_text())
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(document), key=str)
    assert not errors, errors[0]
    return document


def verdicts(document: dict) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in document["cases"]}


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    report_dir = tmp_path_factory.mktemp("reference")
    return run("--target", "reference", "--report-dir", str(report_dir), "--examples", "15"), report_dir


def test_reference_run_is_conformant_and_complete(
    reference_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, report_dir = reference_run
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    document = load(report_dir)
    found = verdicts(document)
    assert set(found.values()) <= {"PASS", "INFORMATIONAL"}, {
        k: v for k, v in found.items() if v not in ("PASS", "INFORMATIONAL")
    }
    covered = {c["requirement"] for c in document["cases"]}
    assert covered == {r.id for r in catalog().requirements}
    assert document["calls"]["total"] > 100 and document["calls"]["by_operation"]["UpdateDeviceStatus"] > 50
    rows = {row["error"]: row for row in document["error_coverage"]}
    assert rows["ResourceNotFoundException"]["triggered_by"] and rows["ForbiddenException"]["why_not"]
    assert (report_dir / "junit.xml").exists() and (report_dir / "index.html").exists()
    assert "score:" in result.stdout and str(report_dir / "index.html") in result.stdout


def test_reference_run_reproduces_and_explains(
    reference_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, report_dir = reference_run
    for case in load(report_dir)["cases"]:
        assert case["reproduce"] == f"cognito-conformance run --target reference --seed 0 --case {case['id']}"
        assert case["statement"] and case["sources"]


def test_no_secret_in_any_output_of_a_run(
    reference_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, report_dir = reference_run
    for text in [
        result.stdout,
        result.stderr,
        *(p.read_text() for p in report_dir.rglob("*") if p.is_file()),
    ]:
        assert not JWT_SHAPE.search(text)


def test_in_process_run_leaks_no_registered_secret(tmp_path: Path) -> None:
    """Passwords and device secrets are only known inside the process: run there and scan for each."""
    with session_for("reference", examples=4) as session:
        cases = [
            run_case(session, c, catalog()).as_json() for c in select("AUTH-*,STATE-DEVICE-SIGNIN,VAL-D*")
        ]
    document = results_document(cases, {"spec": "reference", "kind": "reference", "endpoint": None})
    write_outputs(document, tmp_path)
    assert_no_secret_written(tmp_path)


def test_reference_http_gives_the_same_verdicts_as_in_process(tmp_path: Path) -> None:
    one, two = tmp_path / "in-process", tmp_path / "http"
    assert (
        run("--target", "reference", "--report-dir", str(one), "--examples", "5", "--seed", "3").returncode
        == 0
    )
    assert (
        run(
            "--target", "reference-http", "--report-dir", str(two), "--examples", "5", "--seed", "3"
        ).returncode
        == 0
    )
    assert verdicts(load(one)) == verdicts(load(two))


def test_moto_is_unimplemented_or_blocked_never_an_error(tmp_path: Path) -> None:
    result = run("--target", "moto", "--report-dir", str(tmp_path))
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    document = load(tmp_path)
    assert_no_device_pass(document)
    for case in document["cases"]:
        if case["family"] not in ("error-coverage", "device-flow"):
            assert case["verdict"] in ("UNIMPLEMENTED", "BLOCKED"), case
            assert case["reason"]
    assert any("NotImplementedError" in (c["reason"] or "") for c in document["cases"])
    # What the fixtures could not get, and why: the device flow's own verdicts say it.
    flow = {c["id"]: c for c in document["cases"] if c["family"] == "device-flow"}
    assert flow["FLOW-NEW-DEVICE-METADATA"]["verdict"] == "FAIL"
    assert "NewDeviceMetadata" in flow["FLOW-NEW-DEVICE-METADATA"]["reason"]


# Sign-in and the pool are not device behaviour: moto does them, and may pass them.
NOT_DEVICE_BEHAVIOUR = {"FLOW-DEVICE-CONFIGURATION", "FLOW-SRP-PROOF", "FLOW-NEW-DEVICE-METADATA"}


def assert_no_device_pass(document: dict[str, Any]) -> None:
    assert "ERROR" not in verdicts(document).values()
    passed = {c["id"] for c in document["cases"] if c["verdict"] == "PASS"}
    assert passed <= NOT_DEVICE_BEHAVIOUR, passed


def test_moto_server_endpoint_gives_verdicts_not_a_crash(tmp_path: Path, moto_server: str) -> None:
    result = run("--target", moto_server, "--report-dir", str(tmp_path))
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    document = load(tmp_path)
    assert_no_device_pass(document)
    assert any(c["verdict"] == "UNIMPLEMENTED" for c in document["cases"])
    assert "Traceback" not in result.stdout + result.stderr


def test_a_seed_makes_a_run_repeatable(tmp_path: Path) -> None:
    def signature(report_dir: Path) -> list[tuple[str, str, int]]:
        return [(c["id"], c["verdict"], c["examples"]) for c in load(report_dir)["cases"]]

    for name in ("a", "b"):
        assert (
            run(
                "--target",
                "reference",
                "--report-dir",
                str(tmp_path / name),
                "--seed",
                "7",
                "--case",
                "VAL-*,PROTO-NO-5XX",
            ).returncode
            == 0
        )
    assert signature(tmp_path / "a") == signature(tmp_path / "b")


def test_dry_run_prints_the_budget_and_sends_nothing(tmp_path: Path) -> None:
    result = run("--target", "aws:us-east-1", "--dry-run", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert 100 < plan["total"] <= 400  # the default profile for a live service stays within 400 calls
    assert re.search(rf"total\s+{plan['total']}", result.stdout)
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--target", "ftp://nowhere"], 2, "target"),
        (["--target", "reference", "--case", "NO-SUCH-CASE"], 2, "no case matches"),
        (["--target", "reference", "--user-pool-id", "us-east-1_abc"], 2, "staging mode needs both"),
        (["--target", f"http://127.0.0.1:{free_port()}"], 3, ""),
    ],
)
def test_bad_runs_are_one_line_with_the_documented_exit_code(
    args: list[str], code: int, words: str, tmp_path: Path
) -> None:
    result = run(*args, "--report-dir", str(tmp_path), timeout=120)
    assert result.returncode == code, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_the_live_profile_explores_one_long_state_machine_sequence() -> None:
    """On the aws profile (5 examples): one sequence of 15+ steps with 5+ updates, every rule taken."""
    with session_for("reference", examples=5, seed=3) as session:
        result = run_case(session, select("STATE-MACHINE")[0], catalog())
    assert result.verdict.value == "PASS", result.reason
    steps = result.steps or {}
    assert sum(steps.values()) >= 15 and steps["update"] >= 5
    assert set(steps) == {"update", "update_other", "forget", "get", "list"}


def test_error_coverage_counts_only_answers_of_the_operation_under_test() -> None:
    # STATE-USER-VIEW's GetDevice answers ResourceNotFoundException; its updates all succeed.
    with session_for("reference") as session:
        result = run_case(session, select("STATE-USER-VIEW")[0], catalog())
    assert result.verdict.value == "PASS"
    assert result.error_types == []
