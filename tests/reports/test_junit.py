"""JUnit XML: valid, one testcase per case, the right failure / error / skipped counts: it fails what
the gate fails, and skips what judged nothing or the baseline expects."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.reports.junit import write_junit
from conformance.reports.verdicts import gate_fails

from .conftest import assert_no_secrets, load_fixture


def junit(run: dict[str, Any], tmp_path: Path) -> ET.Element:
    out = tmp_path / "junit.xml"
    write_junit(run, out)
    return ET.parse(out).getroot()


def test_counts_and_shape(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    root = junit(run, tmp_path)
    s = run["summary"]
    assert root.tag == "testsuites"
    assert int(root.get("tests", -1)) == len(run["cases"])
    # A BLOCKED the target caused (the fixture's say no cause: the target's) and UNIMPLEMENTED fail the
    # gate, so they are failures here too.
    assert int(root.get("failures", -1)) == s["FAIL"] + s["BLOCKED"] + s["UNIMPLEMENTED"] == 4
    assert int(root.get("errors", -1)) == s["ERROR"] == 1
    assert int(root.get("skipped", -1)) == s["SKIPPED"]
    cases = root.findall("./testsuite/testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (c["family"], c["id"]) for c in run["cases"]
    ]
    assert sum(int(s.get("tests", 0)) for s in root.findall("testsuite")) == len(run["cases"])
    by_name = {c.get("name"): c for c in cases}
    failure = by_name["VAL-DEVICEKEY-LENGTH[56]"].find("failure")
    assert failure is not None and "maximum length is 55" in failure.get("message", "")
    assert "expected: InvalidParameterException (HTTP 400)" in (failure.text or "")
    assert "actual: HTTP 200 {}" in (failure.text or "")
    error = by_name["STATE-MACHINE"].find("error")
    assert error is not None and "KeyError" in error.get("message", "")
    blocked = by_name["STATE-DEVICE-SIGNIN"].find("failure")
    assert blocked is not None and blocked.get("message", "").startswith("BLOCKED: DEVICE_SRP_AUTH")
    nonstrict = by_name["PROTO-CONTENT-TYPE"]
    assert len(nonstrict) == 1 and "application/json" in (nonstrict.findtext("system-out") or "")
    assert len(by_name["VAL-ACCESSTOKEN-MISSING"]) == 0  # a plain pass


def test_moto_failures_carry_the_reason(tmp_path: Path) -> None:
    root = junit(load_fixture("moto"), tmp_path)
    messages = [f.get("message", "") for f in root.iter("failure")]
    assert any(m.startswith("UNIMPLEMENTED: UpdateDeviceStatus answered HTTP 500") for m in messages)
    assert any(m.startswith("BLOCKED: no confirmed device") for m in messages)


def test_a_known_deviation_and_a_limit_are_skipped_saying_so(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    by_id = {c["id"]: c for c in run["cases"]}
    by_id["VAL-DEVICEKEY-LENGTH[56]"]["baseline"] = "expected"  # `run --baseline` marked it
    by_id["STATE-DEVICE-SIGNIN"]["blocked"] = {"cause": "limit"}
    root = junit(run, tmp_path)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    known = cases["VAL-DEVICEKEY-LENGTH[56]"]
    assert known.find("failure") is None
    skipped = known.find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("known deviation (baseline): FAIL: ")
    assert "maximum length is 55" in (known.findtext("system-out") or "")
    limit = cases["STATE-DEVICE-SIGNIN"]
    assert limit.find("failure") is None and limit.find("skipped") is not None
    s = run["summary"]
    assert int(root.get("failures", -1)) == s["FAIL"] + s["BLOCKED"] + s["UNIMPLEMENTED"] - 2


def failure_lines(root: ET.Element, name: str, tag: str = "failure") -> list[str]:
    case = next(c for c in root.iter("testcase") if c.get("name") == name)
    found = case.find(tag)
    assert found is not None, f"{name} has no <{tag}>"
    return (found.text or "").splitlines()


def test_a_failure_lists_its_failing_outcomes(tmp_path: Path) -> None:
    root = junit(load_fixture("faulty"), tmp_path)
    lines = failure_lines(root, "AUTH-NOT-JWT")
    start = lines.index("failing outcomes (2):")
    # Worst first, one a line: check, requirement, expected, actual (the fixture has them the other way).
    assert lines[start + 1 : start + 3] == [
        "  FAIL refused [AUTH-NOT-JWT]: expected NotAuthorizedException;"
        " actual HTTP 500 InternalError: bad password <password> (seen 2 times)",
        "  NON-STRICT error_type_header [PROTO-ERROR-TYPE]: expected a header; actual no X-Amzn-ErrorType",
    ]
    # A passing outcome of a failing case is not listed.
    lines = failure_lines(root, "VAL-DEVICEKEY-LENGTH[56]")
    assert "failing outcomes (1):" in lines and not any("twin_not_refused_alike" in line for line in lines)
    # NON-STRICT cases list theirs in <system-out>.
    out = failure_lines(root, "PROTO-CONTENT-TYPE", "system-out")
    assert (
        "  NON-STRICT content_type [PROTO-CONTENT-TYPE]: expected application/x-amz-json-1.1;"
        " actual application/json" in out
    )


def test_a_real_failure_lists_both_of_its_checks(tmp_path: Path) -> None:
    root = junit(load_fixture("engine-faulty"), tmp_path)
    lines = failure_lines(root, "RES-OTHER-USER-DEVICE")
    assert lines[lines.index("failing outcomes (2):") + 1 :][:2] == [
        "  FAIL refused [RES-OTHER-USER-DEVICE]: expected ResourceNotFoundException;"
        " actual HTTP 200: accepted",
        "  FAIL unchanged [RES-OTHER-USER-DEVICE]: expected the other user's device still remembered;"
        " actual the other user's device now not_remembered",
    ]


def test_structured_and_long_outcome_values_stay_on_one_line(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    case = next(c for c in run["cases"] if c["id"] == "RES-OTHER-USER-DEVICE")
    case["outcomes"] = [
        {
            "check": "state",
            "requirement": "R",
            "verdict": "FAIL",
            "expected": {"a": [1, 2]},
            "actual": "x\ny",
        },
        {"check": "long", "requirement": "R", "verdict": "FAIL", "expected": None, "actual": "z" * 1000},
    ]
    lines = failure_lines(junit(run, tmp_path), "RES-OTHER-USER-DEVICE")
    start = lines.index("failing outcomes (2):")
    assert lines[start + 1] == '  FAIL state [R]: expected {"a": [1, 2]}; actual x y'
    assert lines[start + 2].startswith("  FAIL long [R]: expected —; actual zzz") and lines[
        start + 2
    ].endswith("…")
    assert len(lines[start + 2]) < 500


@pytest.mark.parametrize(
    "name", ["reference", "moto", "engine-moto", "engine-reference-http", "engine-faulty"]
)
def test_every_fixture_gives_valid_junit(name: str, tmp_path: Path) -> None:
    run = load_fixture(name)
    root = junit(run, tmp_path)
    assert len(list(root.iter("testcase"))) == len(run["cases"])
    failing = [c for c in run["cases"] if gate_fails(c) and c["verdict"] != "ERROR"]
    assert int(root.get("failures", -1)) == len(failing)


def test_characters_xml_cannot_hold(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    run["cases"][0].update(verdict="FAIL", reason="nul \x00 esc \x1b bell \x07 <&>\"'", actual="\ud800?")
    root = junit(run, tmp_path)  # parses
    first = root.find("./testsuite/testcase/failure")
    assert first is not None and "<&>\"'" in first.get("message", "")


def test_no_secret_in_junit(tmp_path: Path) -> None:
    junit(load_fixture("faulty"), tmp_path)
    assert assert_no_secrets(tmp_path) == 1


def test_a_failure_says_what_judged_it_and_where_each_outcome_was_seen(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    case = next(c for c in run["cases"] if c["id"] == "AUTH-NOT-JWT")
    case["judged_by"] = ["suite", "schemathesis"]
    refused = next(o for o in case["outcomes"] if o["check"] == "refused")
    refused["case"] = "SCHEMATHESIS-AUTH-NOT-JWT"
    lines = failure_lines(junit(run, tmp_path), "AUTH-NOT-JWT")
    assert "judged by: suite, schemathesis" in lines
    assert any(
        line.startswith("  FAIL refused [AUTH-NOT-JWT] in case SCHEMATHESIS-AUTH-NOT-JWT: ") for line in lines
    )
