"""The CI gate end to end: baselines, a faulty reference caught through the command line, and a run
interrupted with Ctrl-C that still deletes what it created."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from conformance.errors import EXIT_INTERRUPTED
from conformance.judge.verdicts import Verdict
from conformance.reference import start_server
from conformance.reference.faults import FaultyBackend
from tests.holding import Holding, nth, signal_when_held

from .conftest import CLI, ENV, cli
from .test_faulty_variants import CAUGHT_BY, CONTRACT_CAUGHT


def test_a_moto_baseline_makes_the_next_moto_run_pass_the_gate(tmp_path: Path) -> None:
    first = cli("run", "--target", "moto", "--report-dir", str(tmp_path / "one"))
    assert first.returncode == 1  # unimplemented everywhere
    baseline = tmp_path / "moto.baseline.toml"
    wrote = cli("baseline", "write", str(tmp_path / "one" / "results.json"), "-o", str(baseline))
    assert wrote.returncode == 0, wrote.stderr
    second = cli(
        "run", "--target", "moto", "--report-dir", str(tmp_path / "two"), "--baseline", str(baseline)
    )
    assert second.returncode == 0, second.stdout[-1500:] + second.stderr[-1500:]
    marks = {c["baseline"] for c in json.loads((tmp_path / "two" / "results.json").read_text())["cases"]}
    assert marks == {"expected"}


def test_a_regression_against_a_reference_baseline_exits_1_and_names_the_case(tmp_path: Path) -> None:
    case = "RES-OTHER-USER-DEVICE"
    good = cli("run", "--target", "reference", "--case", case, "--report-dir", str(tmp_path / "good"))
    assert good.returncode == 0, good.stdout[-1500:]
    baseline = tmp_path / "reference.baseline.toml"
    assert (
        cli("baseline", "write", str(tmp_path / "good" / "results.json"), "-o", str(baseline)).returncode == 0
    )
    running = start_server(FaultyBackend("other-users-device"), "127.0.0.1", 0)
    try:
        where = ["--report-dir", str(tmp_path / "bad"), "--baseline", str(baseline)]
        bad = cli("run", "--target", running.url, "--case", case, *where)
    finally:
        running.stop()
    assert bad.returncode == 1, bad.stdout[-1500:] + bad.stderr[-1500:]
    assert "regression" in bad.stdout and case in bad.stdout


def test_a_malformed_baseline_is_exit_2_before_anything_runs(tmp_path: Path) -> None:
    baseline = tmp_path / "broken.toml"
    baseline.write_text("[cases.X\nverdict = 'PASS'\n")
    result = cli(
        "run", "--target", "reference", "--report-dir", str(tmp_path / "r"), "--baseline", str(baseline)
    )
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "results.json").exists()


def test_report_merge_of_two_targets(tmp_path: Path) -> None:
    for name, target in (("ref", "reference"), ("moto", "moto")):
        cli(
            "run",
            "--target",
            target,
            "--case",
            "VAL-D*,STATE-REMEMBERED",
            "--report-dir",
            str(tmp_path / name),
        )
    merged = cli(
        "report",
        "merge",
        str(tmp_path / "ref" / "results.json"),
        str(tmp_path / "moto" / "results.json"),
        "-o",
        str(tmp_path / "m"),
    )
    assert merged.returncode == 0, merged.stderr
    page = (tmp_path / "m" / "index.html").read_text()
    assert "PASS" in page and "UNIMPLEMENTED" in page


# The faults that break a MUST: each, served by `serve-reference --fault`, makes a run exit 1 with a FAIL
# on the requirement it breaks (the case that catches it, from the faulty-variant table).
MUST_FAULTS = sorted(
    (fault, case_id) for fault, (case_id, _, verdict, _) in CAUGHT_BY.items() if verdict is Verdict.FAIL
)
# The faults written from the contract alone: each FAILs where it shows, on the requirement it breaks.
CONTRACT_FAULTS = sorted((fault, case_id, req) for fault, (case_id, req) in CONTRACT_CAUGHT.items())


@pytest.mark.parametrize(("fault", "case_id"), MUST_FAULTS, ids=[f for f, _ in MUST_FAULTS])
def test_serve_reference_with_a_fault_is_caught_by_a_run(fault: str, case_id: str, tmp_path: Path) -> None:
    command = [*CLI, "serve-reference", "--port", "0", "--fault", fault]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split("listening on ")[1].split()[0]
        result = cli("run", "--target", url, "--case", case_id, "--report-dir", str(tmp_path))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert fault in line
    assert result.returncode == 1, result.stdout[-800:]
    case = json.loads((tmp_path / "results.json").read_text())["cases"][0]
    assert case["verdict"] == "FAIL" and case_id in case["reason"]
    if not case_id.startswith("FLOW-"):  # the device flow's requests are provisioning's, not resent
        assert "AdminGetDevice" not in case["curl"]  # the request that decided it, not a read-back
    assert "eyJ" not in (case["curl"] or "") + result.stdout + result.stderr


def test_ctrl_c_during_a_run_leaves_no_pool_or_user(tmp_path: Path) -> None:
    # Held at the 20th UpdateDeviceStatus a case sends through botocore: mid-run, with pools and users
    # made, whatever the speed. (A Ctrl-C during the schemathesis phase: test_phase_interrupt.py.)
    backend = Holding(nth("UpdateDeviceStatus", 20, agent="Botocore/"))
    running = start_server(backend, "127.0.0.1", 0)
    store = backend.store
    try:
        command = [*CLI, "run", "--target", running.url, "--report-dir", str(tmp_path)]

        def made_a_pool_and_a_user() -> None:
            with store.lock:
                assert store.pools and any(p.users for p in store.pools.values()), "a pool and a user"

        code, output, _ = signal_when_held(
            backend, command, signal.SIGINT, env=ENV, at_hold=made_a_pool_and_a_user, merge_stderr=True
        )
        assert code == EXIT_INTERRUPTED, output[-2000:]
        assert not store.pools, f"left behind: {list(store.pools)}"
        assert "Traceback" not in output and "eyJ" not in output
    finally:
        running.stop()


def test_pace_aws_keeps_the_user_resource_update_peak_within_its_quota(tmp_path: Path) -> None:
    result = cli(
        "run", "--target", "reference-http", "--pace", "aws", "--case", "VAL-STATUS-ENUM", "--examples", "60",
        "--report-dir", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-1500:]
    calls = json.loads((tmp_path / "results.json").read_text())["calls"]
    assert calls["by_operation"]["UpdateDeviceStatus"] >= 60
    assert 0 < calls["peak_rps_by_quota_category"]["UserResourceUpdate"] <= 25


@pytest.mark.parametrize(
    ("fault", "case_id", "requirement"), CONTRACT_FAULTS, ids=[f for f, _, _ in CONTRACT_FAULTS]
)
def test_a_fault_written_from_the_contract_fails_a_run_on_its_requirement(
    fault: str, case_id: str, requirement: str, tmp_path: Path
) -> None:
    server = subprocess.Popen(
        [*CLI, "serve-reference", "--port", "0", "--fault", fault], stdout=subprocess.PIPE, text=True, env=ENV
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split("listening on ")[1].split()[0]
        result = cli("run", "--target", url, "--case", case_id, "--report-dir", str(tmp_path))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert result.returncode == 1, result.stdout[-800:]
    rows = {c["id"]: c for c in json.loads((tmp_path / "results.json").read_text())["cases"]}
    row = rows[requirement]  # the requirement's own row, wherever the failure was seen
    failing = {o["requirement"] for o in row["outcomes"] if o["verdict"] == "FAIL"}
    assert row["verdict"] == "FAIL" and requirement in failing, row["outcomes"]
    assert "eyJ" not in json.dumps(rows) + result.stdout + result.stderr
