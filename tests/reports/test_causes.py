"""What to act on first (reports/causes.py), in the terminal summary and the HTML page: the worst class
present and its causes, the results grouped by cause, the top causes, the verdicts by family."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conformance.reports.causes import causes, headline, missing_operation, names, top_causes
from conformance.reports.html import render_html
from conformance.reports.results import validate_results
from conformance.reports.terminal import summary_lines

from .conftest import load_fixture
from .test_html import by_id, parse, text_of

UPDATE_EVIDENCE = "HTTP 500 with an HTML page for a well-formed UpdateDeviceStatus request"
CONFIRM_EVIDENCE = "the target raised NotImplementedError: The confirm_device action has not been implemented"


def moto_like() -> dict[str, Any]:
    """A run against moto's server as the engine writes it now: every device case UNIMPLEMENTED with the
    missing operation as data (UpdateDeviceStatus; ConfirmDevice for two device-flow cases), two FAILs,
    one BLOCKED the target caused and one limit outside it."""
    run = copy.deepcopy(load_fixture("engine-moto"))
    for case in run["cases"]:
        if case["verdict"] == "UNIMPLEMENTED":
            case["reason"] = f"UpdateDeviceStatus is not implemented: {UPDATE_EVIDENCE}"
            case["unimplemented"] = {"operation": "UpdateDeviceStatus", "evidence": UPDATE_EVIDENCE}
    by_id_ = {c["id"]: c for c in run["cases"]}
    for case_id in ("VAL-ACCESSTOKEN-MISSING", "VAL-ACCESSTOKEN-NULL"):
        by_id_[case_id]["reason"] = f"ConfirmDevice is not implemented: {CONFIRM_EVIDENCE}"
        by_id_[case_id]["unimplemented"] = {"operation": "ConfirmDevice", "evidence": CONFIRM_EVIDENCE}
    for case_id in ("PROTO-UNKNOWN-TARGET", "PROTO-WRONG-CONTENT-TYPE"):
        by_id_[case_id].update(verdict="FAIL", reason=f"{case_id} refused: expected a 4xx, got HTTP 500")
        by_id_[case_id].pop("unimplemented")
    by_id_["STATE-REMEMBERED"].update(
        verdict="BLOCKED",
        reason="fixture user_a unavailable (the target FAILs FLOW-TEST-SUPPORT here: see that case)",
        blocked={"cause": "target", "requirement": "FLOW-TEST-SUPPORT"},
    )
    by_id_["AUTH-EXPIRED"].update(
        verdict="BLOCKED", reason="no control path for expired tokens", blocked={"cause": "limit"}
    )
    for case in (by_id_["STATE-REMEMBERED"], by_id_["AUTH-EXPIRED"]):
        case.pop("unimplemented")
    run["summary"] = {v: sum(1 for c in run["cases"] if c["verdict"] == v) for v in run["summary"]}
    validate_results(run, "moto-like")  # `unimplemented` is in the schema, optional
    return run


def test_unimplemented_is_grouped_by_the_missing_operation() -> None:
    run = moto_like()
    found = causes(run["cases"])
    assert [(c.verdict, c.cause, c.count) for c in found] == [
        ("UNIMPLEMENTED", "UpdateDeviceStatus not implemented", run["summary"]["UNIMPLEMENTED"] - 2),
        ("UNIMPLEMENTED", "ConfirmDevice not implemented", 2),
        ("FAIL", "PROTO-WRONG-CONTENT-TYPE refused: expected a 4xx, got HTTP 500", 1),
        ("FAIL", "PROTO-UNKNOWN-TARGET refused: expected a 4xx, got HTTP 500", 1),
        ("BLOCKED", "explained by FLOW-TEST-SUPPORT", 1),
    ]  # the limit outside the target (AUTH-EXPIRED) is no cause to act on
    assert found[0].evidence == UPDATE_EVIDENCE and found[0].operation == "UpdateDeviceStatus"
    assert found[1].ids == ("VAL-ACCESSTOKEN-MISSING", "VAL-ACCESSTOKEN-NULL")
    assert [c.count for c in top_causes(found, 2)] == [found[0].count, 2]


def test_the_headline_names_the_worst_class_and_its_causes() -> None:
    run = moto_like()
    top = headline(run["cases"])
    n = run["summary"]["UNIMPLEMENTED"]
    assert (top.verdict, top.css) == ("UNIMPLEMENTED", "unimplemented")
    assert top.text == f"{n} UNIMPLEMENTED: UpdateDeviceStatus and ConfirmDevice missing"
    assert top.also == "2 FAIL, 1 BLOCKED by the target"
    # ERROR first (the suite's own bug), then what the target lacks, then what it gets wrong.
    faulty = headline(load_fixture("faulty")["cases"])
    assert faulty.text == "1 ERROR (the suite failed): STATE-MACHINE"
    assert faulty.also == "3 FAIL, 1 BLOCKED by the target, 2 NON-STRICT"
    reference = headline(load_fixture("reference")["cases"])
    assert (reference.verdict, reference.css) == (None, "pass")
    assert reference.text.startswith("Conformant: ")


def test_an_older_results_json_still_names_the_operation_from_the_reason() -> None:
    run = load_fixture("engine-moto")  # written before `unimplemented` existed
    assert not any("unimplemented" in c for c in run["cases"])
    assert (
        headline(run["cases"]).text
        == f"{run['summary']['UNIMPLEMENTED']} UNIMPLEMENTED: UpdateDeviceStatus missing"
    )
    phase = {
        "verdict": "UNIMPLEMENTED",
        "reason": "schemathesis phase: AdminGetDevice is not implemented: HTTP 501",
    }
    assert missing_operation(phase) == ("AdminGetDevice", "HTTP 501")
    assert missing_operation({"verdict": "UNIMPLEMENTED", "reason": "something else"}) is None
    assert names(["A", "B", "C", "D", "E"]) == "A, B, C and 2 more" and names(["A", "B"]) == "A and B"


def test_terminal_first_line_after_the_counts_names_the_missing_operations() -> None:
    run = moto_like()
    lines = summary_lines(run, None)
    total = next(i for i, line in enumerate(lines) if line.startswith("  total "))
    assert lines[total + 1] == ""
    n = run["summary"]["UNIMPLEMENTED"]
    assert lines[total + 2 : total + 8] == [
        f"  {n} UNIMPLEMENTED: UpdateDeviceStatus and ConfirmDevice missing;"
        " also 2 FAIL, 1 BLOCKED by the target",
        f"  UNIMPLEMENTED: UpdateDeviceStatus not implemented ({UPDATE_EVIDENCE}): {n - 2} requirements",
        f"  UNIMPLEMENTED: ConfirmDevice not implemented ({CONFIRM_EVIDENCE}):"
        " 2 requirements (VAL-ACCESSTOKEN-MISSING, VAL-ACCESSTOKEN-NULL)",
        "  FAIL PROTO-WRONG-CONTENT-TYPE: PROTO-WRONG-CONTENT-TYPE refused: expected a 4xx, got HTTP 500",
        "  FAIL PROTO-UNKNOWN-TARGET: PROTO-UNKNOWN-TARGET refused: expected a 4xx, got HTTP 500",
        "  BLOCKED by the target, explained by FLOW-TEST-SUPPORT: 1 requirement: STATE-REMEMBERED",
    ]
    assert lines[total + 8].startswith("  not testable here (a limit outside the target): AUTH-EXPIRED")


def test_terminal_headline_of_a_conformant_run() -> None:
    lines = summary_lines(load_fixture("reference"), None)
    total = next(i for i, line in enumerate(lines) if line.startswith("  total "))
    assert lines[total + 2].startswith("  Conformant: ") and lines[total + 3].startswith("  score: ")


def _counts_of(el: ET.Element) -> list[str]:
    return [str(s.get("data-verdict")) + ":" + text_of(s) for s in el.iter("span") if s.get("data-verdict")]


def test_html_header_top_causes_and_family_bars() -> None:
    run = moto_like()
    root = parse(render_html(run))
    n = run["summary"]["UNIMPLEMENTED"]
    status = by_id(root, "overall-status")
    assert text_of(status) == f"{n} UNIMPLEMENTED: UpdateDeviceStatus and ConfirmDevice missing"
    assert "unimplemented" in str(status.get("class"))
    assert text_of(by_id(root, "overall-also")) == "also 2 FAIL, 1 BLOCKED by the target"
    causes_ = [li for li in by_id(root, "top-causes").iter("li") if li.get("class") == "cause"]
    assert [li.get("data-verdict") for li in causes_] == [
        "UNIMPLEMENTED",
        "UNIMPLEMENTED",
        "FAIL",
        "FAIL",
        "BLOCKED",
    ]
    first = text_of(causes_[0])
    assert first.startswith(f"UNIMPLEMENTED {n - 2} UpdateDeviceStatus not implemented ({UPDATE_EVIDENCE})")
    links = [a.get("href") for a in causes_[1].iter("a")]
    assert links == ["#case-VAL-ACCESSTOKEN-MISSING", "#case-VAL-ACCESSTOKEN-NULL"]
    # One stacked bar per family, split by verdict with its counts; its words for assistive technology.
    rows = [el for el in by_id(root, "by-family").iter("div") if el.get("class") == "famrow"]
    assert [r.get("data-family") for r in rows] == [
        "validation",
        "authorization",
        "resources",
        "state",
        "protocol",
        "error-coverage",
    ]
    protocol = next(r for r in rows if r.get("data-family") == "protocol")
    assert _counts_of(protocol) == ["FAIL:2", "UNIMPLEMENTED:10"]
    stack = next(s for s in protocol.iter("span") if s.get("class") == "stack")
    assert (
        stack.get("role") == "img"
        and stack.get("aria-label") == "protocol: 12 cases, 2 FAIL, 10 UNIMPLEMENTED"
    )
    widths = [float(str(s.get("style")).split(":")[1].rstrip("%")) for s in stack if s.get("data-verdict")]
    assert sum(widths) == pytest.approx(100, abs=0.01)


def test_a_conformant_page_says_there_is_nothing_to_act_on() -> None:
    root = parse(render_html(load_fixture("reference")))
    assert text_of(by_id(root, "overall-status")).startswith("Conformant: ")
    assert "Nothing to act on" in text_of(by_id(root, "top-causes"))
    assert root.find(".//*[@id='overall-also']") is None


def test_the_page_says_the_cause_of_an_older_moto_run(tmp_path: Path) -> None:
    root = parse(render_html(load_fixture("engine-moto")))
    assert "UNIMPLEMENTED: UpdateDeviceStatus missing" in text_of(by_id(root, "overall-status"))
