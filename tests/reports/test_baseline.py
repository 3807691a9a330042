"""Baselines: write, read back, apply; regressions and lost coverage exit 1, fixes are listed, bad files
exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.errors import SuiteError
from conformance.reports.baseline import (
    apply_baseline,
    compare,
    load_baseline,
    parse_baseline,
    toml_string,
    write_baseline,
)


def roundtrip(run: dict[str, Any], tmp_path: Path, note: str = "CI") -> Path:
    path = tmp_path / "baseline.toml"
    path.write_text(write_baseline(run, note), encoding="utf-8")
    return path


def test_moto_baseline_makes_the_same_moto_run_pass(moto: dict[str, Any], tmp_path: Path) -> None:
    baseline = load_baseline(roundtrip(moto, tmp_path, "moto 5.2.5 in CI"))
    assert baseline.target == "http://127.0.0.1:5000" and baseline.note == "moto 5.2.5 in CI"
    assert len(baseline.entries) == len(moto["cases"])
    outcome = apply_baseline(moto, baseline)
    assert outcome.exit_code == 0
    assert not outcome.regressions and not outcome.fixed and not outcome.new
    assert {c["baseline"] for c in moto["cases"]} == {"expected"}


def test_reference_regression_exits_1_and_names_the_case(reference: dict[str, Any], tmp_path: Path) -> None:
    baseline = load_baseline(roundtrip(reference, tmp_path))
    broken = next(c for c in reference["cases"] if c["id"] == "RES-OTHER-USER-DEVICE")
    broken.update(verdict="FAIL", reason="another user's device was changed")
    outcome = apply_baseline(reference, baseline)
    assert outcome.exit_code == 1
    assert [c.case_id for c in outcome.regressions] == ["RES-OTHER-USER-DEVICE"]
    assert broken["baseline"] == "unexpected"
    assert any("regression: RES-OTHER-USER-DEVICE: PASS -> FAIL" in line for line in outcome.lines())


def test_fixed_is_listed_and_does_not_fail(moto: dict[str, Any], tmp_path: Path) -> None:
    baseline = load_baseline(roundtrip(moto, tmp_path))
    moto["cases"][0]["verdict"] = "PASS"
    moto["cases"].append({**moto["cases"][1], "id": "VAL-BRAND-NEW", "verdict": "FAIL"})
    outcome = apply_baseline(moto, baseline)
    assert outcome.exit_code == 0
    assert [c.case_id for c in outcome.fixed] == [moto["cases"][0]["id"]]
    assert outcome.new == ["VAL-BRAND-NEW"] and moto["cases"][-1]["baseline"] == "new"
    assert any(line.startswith("  fixed: update the baseline:") for line in outcome.lines())


@pytest.mark.parametrize(
    ("verdict", "expected", "kind"),
    [
        ("PASS", ("PASS",), "expected"),
        ("FAIL", ("PASS",), "regression"),
        ("ERROR", ("FAIL",), "regression"),
        ("UNIMPLEMENTED", ("PASS",), "lost-coverage"),
        ("BLOCKED", ("FAIL",), "lost-coverage"),  # by tier alone (BLOCKED above FAIL) this was a fix
        ("UNIMPLEMENTED", ("FAIL",), "lost-coverage"),
        ("BLOCKED", ("NON-STRICT",), "lost-coverage"),
        ("BLOCKED", ("INFORMATIONAL",), "lost-coverage"),
        ("BLOCKED", ("PASS", "FAIL"), "lost-coverage"),
        ("BLOCKED", ("FAIL", "SKIPPED"), "lost-coverage"),  # SKIPPED says nothing about the target
        ("UNIMPLEMENTED", ("PASS", "BLOCKED"), "changed"),  # the baseline already accepts no judgement
        ("BLOCKED", ("SKIPPED",), "changed"),
        ("BLOCKED", ("ERROR",), "fixed"),  # the suite's bug is gone; it judged nothing before either
        ("PASS", ("BLOCKED",), "fixed"),
        ("NON-STRICT", ("UNIMPLEMENTED",), "fixed"),
        ("FAIL", ("BLOCKED",), "regression"),  # a failure newly seen
        ("NON-STRICT", ("PASS",), "regression"),
        ("BLOCKED", ("UNIMPLEMENTED",), "changed"),
        ("INFORMATIONAL", ("PASS",), "changed"),
        ("SKIPPED", ("PASS",), "changed"),
        ("FAIL", ("SKIPPED",), "changed"),
        ("PASS", ("FAIL",), "fixed"),
        ("FAIL", ("PASS", "FAIL"), "expected"),
        ("ERROR", ("PASS", "FAIL"), "regression"),
        ("NON-STRICT", ("PASS", "FAIL"), "changed"),
    ],
)
def test_verdict_order(verdict: str, expected: tuple[str, ...], kind: str) -> None:
    assert compare(verdict, expected) == kind


def test_hand_edited_list_of_verdicts(faulty: dict[str, Any]) -> None:
    text = """
[baseline]
format = 1
target = "x"
[cases."AUTH-NOT-JWT"]
verdict = ["PASS", "FAIL"]  # flaky
reason = "HTTP 500 under load"
"""
    outcome = apply_baseline(faulty, parse_baseline(text))
    assert "AUTH-NOT-JWT" in outcome.expected
    assert len(outcome.new) == len(faulty["cases"]) - 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[baseline\nformat = 1", "not valid TOML"),
        ("[cases.X]\nverdict = 'PASS'\nreason = ''", "format = 1"),
        ("[baseline]\nformat = 2", "format = 1"),
        ("[baseline]\nformat = 1\n[cases.X]\nverdict = 'PASSED'\nreason = ''", "has verdict 'PASSED'"),
        ("[baseline]\nformat = 1\n[cases.X]\nverdict = []\nreason = ''", "has verdict []"),
        ("[baseline]\nformat = 1\n[cases.X]\nverdict = 'PASS'", "needs a `reason`"),
        ("[baseline]\nformat = 1\n[cases.X]\nverdit = 'PASS'\nreason = ''", "unknown key(s): verdit"),
        ("[baseline]\nformat = 1\n[cases]\nX = 'PASS'", "must be a table"),
        ("cases = 3\n[baseline]\nformat = 1", "must be tables"),
        ("[baseline]\nformat = 1\ncases = 3", "unknown key(s) in [baseline]: cases"),
        ("[baseline]\nformat = 1\n[extra]", "unknown top-level"),
    ],
)
def test_malformed_baseline_is_a_one_line_usage_error(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError) as info:
        load_baseline(path)
    assert info.value.exit_code == 2
    assert message in str(info.value) and "\n" not in str(info.value) and str(path) in str(info.value)


def test_missing_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="cannot read baseline"):
        load_baseline(tmp_path / "nope.toml")


def test_written_file_reads_well(faulty: dict[str, Any]) -> None:
    text = write_baseline(faulty, "my emulator 1.2")
    assert '[cases."VAL-DEVICEKEY-LENGTH[56]"]\nverdict = "FAIL"\nreason = "a 56-character DeviceKey' in text
    assert "flaky in the run this baseline was written from" in text
    assert "eyJ" not in text and "Passw0rd" not in text
    data = tomllib.loads(text)
    assert data["cases"]['VAL-STATUS-ENUM[""]']["verdict"] == "PASS"


def test_fail_to_blocked_is_lost_coverage_not_a_fix(faulty: dict[str, Any], tmp_path: Path) -> None:
    baseline = load_baseline(roundtrip(faulty, tmp_path))
    case = next(c for c in faulty["cases"] if c["id"] == "RES-OTHER-USER-DEVICE")
    assert case["verdict"] == "FAIL"
    case.update(verdict="BLOCKED", reason="no second signed-in user on this target", outcomes=[])
    outcome = apply_baseline(faulty, baseline)
    assert outcome.exit_code == 1
    assert [c.case_id for c in outcome.lost_coverage] == ["RES-OTHER-USER-DEVICE"]
    assert not outcome.fixed and not outcome.regressions and not outcome.changed
    assert case["baseline"] == "unexpected"
    lines = outcome.lines()
    assert "1 lost coverage, 0 fixed" in lines[0]
    heading = lines.index("  lost coverage: the case could no longer judge the target")
    assert lines[heading + 1].startswith("    RES-OTHER-USER-DEVICE: FAIL -> BLOCKED (baseline: another user")
    assert lines[heading + 1].endswith("; now: no second signed-in user on this target")
    assert not any("fixed" in line for line in lines[1:])


def test_pass_to_blocked_and_unimplemented_are_lost_coverage(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    baseline = load_baseline(roundtrip(reference, tmp_path))
    moved = {"STATE-MACHINE": "BLOCKED", "AUTH-EXPIRED": "UNIMPLEMENTED"}
    for case in reference["cases"]:
        if case["id"] in moved:
            case["verdict"] = moved[case["id"]]
    outcome = apply_baseline(reference, baseline)
    assert outcome.exit_code == 1
    assert sorted(c.case_id for c in outcome.lost_coverage) == sorted(moved)
    assert not outcome.regressions and not outcome.fixed
    text = "\n".join(outcome.lines())
    assert "AUTH-EXPIRED: PASS -> UNIMPLEMENTED" in text and "STATE-MACHINE: PASS -> BLOCKED" in text


def test_blocked_to_pass_is_a_fix(moto: dict[str, Any], tmp_path: Path) -> None:
    baseline = load_baseline(roundtrip(moto, tmp_path))
    case = next(c for c in moto["cases"] if c["verdict"] == "BLOCKED")
    case["verdict"] = "PASS"
    outcome = apply_baseline(moto, baseline)
    assert outcome.exit_code == 0
    assert [c.case_id for c in outcome.fixed] == [case["id"]] and not outcome.lost_coverage
    assert f"  fixed: update the baseline: {case['id']}: BLOCKED -> PASS" in "\n".join(outcome.lines())
    assert not any("lost coverage:" in line for line in outcome.lines())


def test_the_gate_exits_1_on_lost_coverage_end_to_end(tmp_path: Path) -> None:
    """Through `run --baseline`: a baseline expecting a FAIL, a target (moto) that cannot judge the case."""
    baseline = tmp_path / "b.toml"
    baseline.write_text(
        '[baseline]\nformat = 1\n[cases."RES-OTHER-USER-DEVICE"]\nverdict = "FAIL"\nreason = "known bug"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    argv = ["run", "--target", "moto", "--case", "RES-OTHER-USER-DEVICE", "--baseline", str(baseline)]
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", *argv, "--report-dir", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 1, done.stdout[-1500:] + done.stderr[-1500:]
    lines = done.stdout.splitlines()
    assert "  lost coverage: the case could no longer judge the target" in lines
    assert any(line.startswith("    RES-OTHER-USER-DEVICE: FAIL -> ") for line in lines)
    assert not any(line.startswith("  fixed:") for line in lines)


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_toml_string_roundtrip(value: str) -> None:
    assert tomllib.loads(f"k = {toml_string(value)}")["k"] == value


# --- baselines written when the schemathesis phase had rows of its own -----------------------------


def _baseline(*entries: tuple[str, str, str]) -> str:
    """A baseline file with one [cases."ID"] table per (id, verdict as TOML, reason)."""
    tables = [
        f'[cases."{cid}"]\nverdict = {verdict}\nreason = "{reason}"' for cid, verdict, reason in entries
    ]
    return "[baseline]\nformat = 1\n\n" + "\n\n".join(tables) + "\n"


def test_a_schemathesis_entry_alone_is_read_as_its_requirement() -> None:
    baseline = parse_baseline(_baseline(("SCHEMATHESIS-PROTO-NO-5XX", '"FAIL"', "a 5xx on long keys")))
    assert set(baseline.entries) == {"PROTO-NO-5XX"}
    assert baseline.entries["PROTO-NO-5XX"].verdicts == ("FAIL",)
    assert baseline.entries["PROTO-NO-5XX"].reason == "a 5xx on long keys"


def test_a_schemathesis_entry_beside_its_requirements_expects_the_more_severe_verdict() -> None:
    baseline = parse_baseline(
        _baseline(
            ("SCHEMATHESIS-PROTO-NO-5XX", '"FAIL"', "a 5xx on long keys"),
            ("PROTO-NO-5XX", '"PASS"', ""),
            ("VAL-STATUS-ENUM", '["PASS", "NON-STRICT"]', "flaky"),
            ("SCHEMATHESIS-VAL-STATUS-ENUM", '["PASS", "FAIL"]', "flaky too"),
        )
    )
    assert list(baseline.entries) == ["PROTO-NO-5XX", "VAL-STATUS-ENUM"]
    five = baseline.entries["PROTO-NO-5XX"]
    assert five.verdicts == ("FAIL",) and five.reason == "schemathesis phase: a 5xx on long keys"
    # Each pair the two entries allow, the worse of the two: what the requirement's one row can be.
    enum = baseline.entries["VAL-STATUS-ENUM"]
    assert enum.verdicts == ("PASS", "FAIL", "NON-STRICT")
    assert enum.reason == "flaky; schemathesis phase: flaky too"


def test_an_old_baseline_gates_the_merged_rows_as_it_gated_the_cases(reference: dict[str, Any]) -> None:
    """The phase's known FAIL now shows on its requirement's row: expected, not a regression."""
    case = next(c for c in reference["cases"] if c["id"] == "PROTO-NO-5XX")
    case.update(verdict="FAIL", reason="schemathesis phase: a 5xx", judged_by=["suite", "schemathesis"])
    text = _baseline(
        ("PROTO-NO-5XX", '"PASS"', ""),
        ("SCHEMATHESIS-PROTO-NO-5XX", '"FAIL"', "a 5xx on long keys"),
    )
    outcome = apply_baseline(reference, parse_baseline(text))
    assert outcome.expected == ["PROTO-NO-5XX"] and outcome.exit_code == 0
    assert not outcome.missing


def test_a_baseline_written_from_a_run_uses_requirement_ids(reference: dict[str, Any]) -> None:
    """Also from a results.json of before, with the phase's rows: one table per requirement."""
    own = next(c for c in reference["cases"] if c["id"] == "PROTO-NO-5XX")
    reference["cases"].append({**own, "id": "SCHEMATHESIS-PROTO-NO-5XX", "verdict": "NON-STRICT"})
    text = write_baseline(reference, "CI")
    assert "SCHEMATHESIS-" not in text
    entry = parse_baseline(text).entries["PROTO-NO-5XX"]
    assert entry.verdicts == ("NON-STRICT",)
    assert len(parse_baseline(text).entries) == len(reference["cases"]) - 1
