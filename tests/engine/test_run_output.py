"""What `run` says, and what it keeps for a report (issue 20, items 5 and 6): the suite's own lines only,
each progress line counted; the summary's first line after the counts names what to act on first (against
moto: the operations it does not implement); the missing operation as data in results.json; every FAIL of
the device flow with its exchange and a curl line, no secret in any of it; and errors outside the cases'
verdicts still on stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conformance.app.outputs import write_outputs
from conformance.contract import paths
from conformance.engine.registry import select
from conformance.secrets import SECRETS
from conformance.targets.exchange import Exchange
from tests.leaks import tokens_in

from .conftest import assert_no_secret_written, cli, faulty_endpoint, results_document, run_cases, session_for

SCHEMA = json.loads((paths.SPECS_DIR / "results.schema.json").read_text())
OPERATION = "UpdateDeviceStatus"
# pytest's own lines, which `run` does not show (its dots are gone with its terminal).
PYTEST_LINES = re.compile(r"\d+ (passed|failed|skipped|error)|={5,}|warnings summary|short test summary|^\.+")
PROGRESS = re.compile(r"^\[ *(\d+)/(\d+)\] (\S+) +(\S+) \((\d+\.\d|\d+) s\)$")


def valid(document: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(document), key=str)
    assert not errors, errors[0]
    return document


@pytest.fixture(scope="module")
def moto_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    report_dir = tmp_path_factory.mktemp("moto")
    result = cli("run", "--target", "moto", "--report-dir", str(report_dir))
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    return result, valid(json.loads((report_dir / "results.json").read_text()))


def test_against_moto_the_first_line_after_the_counts_names_the_missing_operations(
    moto_run: tuple[Any, dict[str, Any]],
) -> None:
    result, document = moto_run
    lines = result.stdout.splitlines()
    total = next(i for i, line in enumerate(lines) if line.startswith("  total "))
    first = next(line for line in lines[total + 1 :] if line.strip())
    missing = {c["unimplemented"]["operation"] for c in document["cases"] if c["verdict"] == "UNIMPLEMENTED"}
    assert {"UpdateDeviceStatus", "ConfirmDevice"} <= missing
    unimplemented = document["summary"]["UNIMPLEMENTED"]
    assert first.startswith(f"  {unimplemented} UNIMPLEMENTED: UpdateDeviceStatus, ")
    # The four that left the most requirements unjudged by name, then how many more (all nine are
    # missing on moto: each is named on a line of its own above and below).
    named = [op for op in missing if re.search(rf"\b{op}\b", first)]
    assert len(named) == min(4, len(missing))
    more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
    fails = document["summary"]["FAIL"]
    assert first.endswith(f"{more} missing; also {fails} FAIL" if fails else f"{more} missing")
    # Above the counts, each operation's line: those it does not implement at all say so.
    for op in missing - {OPERATION}:
        own = [c for c in document["cases"] if c.get("operation") == op]
        if own and all(c.get("unimplemented", {}).get("operation") == op for c in own):
            assert [line.split() for line in lines[:total] if line.startswith(f"  {op}: ")] == [
                [f"{op}:", "UNIMPLEMENTED", f"({len(own)}", "requirements)"]
            ]

    # Then the cases grouped by cause: each operation once, with the target's words and its count.
    def by(op: str) -> int:
        return sum(1 for c in document["cases"] if c.get("unimplemented", {}).get("operation") == op)

    assert (
        "  UNIMPLEMENTED: UpdateDeviceStatus not implemented (the target raised NotImplementedError: "
        f"The update_device_status action has not been implemented): {by(OPERATION)} requirements"
    ) in lines
    for op in missing:
        assert len([line for line in lines if line.startswith(f"  UNIMPLEMENTED: {op} not implemented")]) == 1
    assert any(
        line.startswith("  UNIMPLEMENTED: ConfirmDevice not implemented")
        and line.endswith(f"{by('ConfirmDevice')} requirements")
        for line in lines
    )
    confirm = [
        c["id"] for c in document["cases"] if c.get("unimplemented", {}).get("operation") == "ConfirmDevice"
    ]
    assert {"FLOW-CONFIRM-DEVICE", "FLOW-CONFIRM-UNKNOWN-KEY"} <= set(confirm)
    failed = [c["id"] for c in document["cases"] if c["verdict"] == "FAIL"]
    assert [line.split(":")[0] for line in lines if line.startswith("  FAIL ")] == [
        f"  FAIL {case_id}" for case_id in failed
    ]
    assert "FLOW-NEW-DEVICE-METADATA" in failed  # the listing follows the counts and their causes
    assert lines.index(first) < min(i for i, line in enumerate(lines) if line.startswith("  FAIL "))


def test_run_shows_only_its_own_lines_each_progress_line_counted(
    moto_run: tuple[Any, dict[str, Any]],
) -> None:
    result, document = moto_run
    lines = result.stdout.splitlines()
    progress = [PROGRESS.match(line) for line in lines if line.startswith("[")]
    assert progress and all(progress), [line for line in lines if line.startswith("[")][:3]
    counts = [(int(m.group(1)), int(m.group(2))) for m in progress if m]
    total = counts[0][1]
    assert counts == [(n, total) for n in range(1, total + 1)]  # every case once, counted in order
    assert total > len(document["cases"])  # the schemathesis phase's cases are tests of their own
    assert not [line for line in lines if PYTEST_LINES.search(line)], result.stdout[-2000:]
    assert result.stderr == ""
    # The progress, a blank line, then the summary: its title, then UpdateDeviceStatus's own score line.
    last = max(i for i, line in enumerate(lines) if PROGRESS.match(line))
    assert lines[last + 1] == ""
    assert lines[last + 2].startswith("Cognito device operations conformance: target moto")
    assert lines[last + 3] == "" and lines[last + 4].startswith("  UpdateDeviceStatus: ")


def test_unimplemented_is_data_in_results_json_only_on_unimplemented_rows(
    moto_run: tuple[Any, dict[str, Any]],
) -> None:
    _, document = moto_run
    for case in document["cases"]:
        if case["verdict"] == "UNIMPLEMENTED":
            missing = case["unimplemented"]
            assert case["reason"].endswith(
                f"{missing['operation']} is not implemented: {missing['evidence']}"
            )
            assert "NotImplementedError" in missing["evidence"]
        else:
            assert "unimplemented" not in case, case["id"]


def test_workers_count_their_progress_too(tmp_path: Path) -> None:
    result = cli(
        "run", "--target", "moto", "--report-dir", str(tmp_path), "--case", "VAL-*", "--workers", "2"
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    progress = [line for line in result.stdout.splitlines() if line.startswith("[")]
    total = len(select("VAL-*", schemathesis=True))
    assert len(progress) == total and all(PROGRESS.match(line) for line in progress), progress
    assert {line.split("]")[0] for line in progress} == {f"[{n:>2}/{total}" for n in range(1, total + 1)}
    # xdist says nothing either (the report's path may hold "popen-gw0": this test's own tmp_path).
    assert not PYTEST_LINES.search(result.stdout)
    assert not re.search(r"\[gw\d+\]|bringing up nodes|\bgw\d+ [A-Z\[]", result.stdout)


# --- the device flow's FAILs: their exchange and a curl line ------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "case_id", "check", "operation"),
    [
        # The sign-in goes through the provisioner: its last exchange (the tokens without metadata).
        (
            "no-new-device-metadata",
            "FLOW-NEW-DEVICE-METADATA",
            "new_device_metadata",
            "RespondToAuthChallenge",
        ),
        ("no-srp", "FLOW-SRP-PROOF", "wrong_password_refused", "InitiateAuth"),
        (
            "password-flows-take-any-password",
            "FLOW-SRP-PROOF",
            "no_tokens_for_a_wrong_password",
            "InitiateAuth",
        ),
        ("confirm-always-asks", "FLOW-CONFIRM-DEVICE", "confirmation_follows_pool", "ConfirmDevice"),
        # The device read back: the AdminGetDevice (of the watch, or of the case) the status came from.
        ("confirm-tracks-nothing", "FLOW-CONFIRM-DEVICE", "tracked", "AdminGetDevice"),
        # A fixture the target broke, in whichever case it was first needed.
        ("admin-create-user-fails", "FLOW-TEST-SUPPORT", "fixture_provided", "AdminCreateUser"),
    ],
)
def test_every_device_flow_fail_carries_its_exchange_and_a_curl_line(
    fault: str, case_id: str, check: str, operation: str, tmp_path: Path
) -> None:
    with faulty_endpoint(fault) as url, session_for(url, examples=3) as session:
        if fault == "admin-create-user-fails":  # the fixture it needs broke in another case first
            assert run_cases(session, "RES-UNKNOWN-DEVICE")["RES-UNKNOWN-DEVICE"].verdict.value == "BLOCKED"
        results = run_cases(session, "FLOW-*")
    result = results[case_id].as_json()
    assert result["verdict"] == "FAIL", result["reason"]
    failing = [o for o in result["outcomes"] if o["verdict"] == "FAIL"]
    assert check in {o["check"] for o in failing}
    assert all(o["exchange"] for o in failing), [o["check"] for o in failing if not o["exchange"]]
    decided = next(o for o in failing if o["check"] == check)
    assert decided["exchange"]["request"]["operation"] == operation
    if result["reason"].startswith(f"{case_id} {check}:"):  # the outcome that decided the case
        assert result["example"]["request"]["operation"] == operation
        assert result["curl"].startswith("curl -sS -i -X POST ")
        assert f"AWSCognitoIdentityProviderService.{operation}" in result["curl"]
    assert result["curl"] and result["example"]
    document = results_document(
        [r.as_json() for r in results.values()], {"spec": "faulty", "kind": "endpoint", "endpoint": None}
    )
    write_outputs(valid(document), tmp_path)
    assert_no_secret_written(tmp_path)


def test_a_sign_in_answer_is_shown_redacted_before_it_is_cut(tmp_path: Path) -> None:
    """A sign-in's answer (three tokens) is longer than an example body: cut after redaction, no token
    cut in half can slip through."""
    with faulty_endpoint("no-new-device-metadata") as url, session_for(url) as session:
        result = run_cases(session, "FLOW-NEW-DEVICE-METADATA")["FLOW-NEW-DEVICE-METADATA"].as_json()
    body = result["example"]["response"]["body"]
    assert "AuthenticationResult" in body and "$ACCESS_TOKEN" in body
    assert not tokens_in(json.dumps(result)) and "eyJ" not in body


# --- errors outside the verdicts: on stderr --------------------------------------------------------------


# pytest with `run`'s terminal (RunOutput) in place of its own, as run.py starts it, in a process of its
# own; pytest's own lines go to the null device.
PYTEST_WITH_RUN_OUTPUT = """
import contextlib, os, sys
import pytest
from conformance.app.session import RunOutput
with open(os.devnull, "w") as nowhere, contextlib.redirect_stdout(nowhere):
    code = pytest.main([sys.argv[1], "-q", "-p", "no:cacheprovider"], plugins=[RunOutput(sys.__stdout__)])
sys.exit(int(code))
"""


def _pytest_with_run_output(tmp_path: Path, source: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of pytest with `run`'s terminal on a test file made of `source`."""
    test_file = tmp_path / "test_broken.py"
    test_file.write_text(textwrap.dedent(source))
    done = subprocess.run(
        [sys.executable, "-c", PYTEST_WITH_RUN_OUTPUT, str(test_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    return done.returncode, done.stdout, done.stderr


def test_a_broken_fixture_is_said_once_on_stderr(tmp_path: Path) -> None:
    code, out, err = _pytest_with_run_output(
        tmp_path,
        """
        import pytest

        @pytest.fixture(scope="session")
        def broken():
            raise RuntimeError("the session could not be opened")

        @pytest.mark.parametrize("n", range(3))
        def test_case(broken, n):
            pass
        """,
    )
    assert code == 1 and out == ""
    assert err.count("RuntimeError: the session could not be opened") == 1, err
    assert "test_case[0] (setup) failed" in err
    assert "2 more test(s) failed with an error said above" in err


def test_a_collection_error_and_an_exit_are_said_on_stderr(tmp_path: Path) -> None:
    code, _, err = _pytest_with_run_output(tmp_path, "import no_such_module_here\n")
    assert code == 2 and "collecting" in err and "no_such_module_here" in err
    code, _, err = _pytest_with_run_output(
        tmp_path,
        """
        import pytest

        def test_stop():
            pytest.exit("cognito-conformance: the target could not be opened", returncode=3)
        """,
    )
    assert code == 3 and err.strip() == "cognito-conformance: the target could not be opened"


def test_a_sign_in_session_is_a_secret_once_seen() -> None:
    """A challenge's `Session` is in the sign-in exchanges a device-flow FAIL now shows: registered."""
    session_value = "AYABeEXAMPLE-session-0123456789abcdef"
    answer = Exchange(
        "RespondToAuthChallenge",
        {},
        b"{}",
        status=200,
        body=json.dumps({"ChallengeName": "DEVICE_SRP_AUTH", "Session": session_value}).encode(),
    )
    with session_for("reference") as session:
        session._observed(answer)
    assert SECRETS.redact(f"Session: {session_value}") == "Session: $SESSION"
