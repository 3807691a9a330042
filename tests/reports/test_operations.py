"""A run that judges several operations (issue 21): the terminal's first score line is UpdateDeviceStatus's,
then one line per other operation; the HTML report's operation x family matrix and its cases grouped by
operation; `report merge` by operation. Documents written before results named their operation still
render, as UpdateDeviceStatus's."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from conformance.reports.html import render_html
from conformance.reports.matrix import merge
from conformance.reports.operations import summaries
from conformance.reports.results import validate_results
from conformance.reports.terminal import summary_lines
from conformance.reports.verdicts import gate_fails

from .conftest import FIXTURES, load_fixture
from .test_html import by_id, parse, text_of

GET_EVIDENCE = "the target raised NotImplementedError: The get_device action has not been implemented"
# The crafted operations, in the order every report lists them (the catalog's: the headline first).
JUDGED = [
    "UpdateDeviceStatus",
    "GetDevice",
    "ListDevices",
    "ForgetDevice",
    "AdminGetDevice",
    "AdminListDevices",
]


def result(case_id: str, operation: str, family: str, verdict: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": case_id,
        "requirement": case_id,
        "level": "MUST",
        "title": f"{operation} {family} {case_id}",
        "operation": operation,
        "family": family,
        "verdict": verdict,
        "reason": None if verdict == "PASS" else f"{case_id}: {verdict}",
        **extra,
    }


def missing(operation: str, evidence: str) -> dict[str, Any]:
    return {"unimplemented": {"operation": operation, "evidence": evidence}}


def several_operations() -> dict[str, Any]:
    """The reference's UpdateDeviceStatus results (53 PASS, 4 INFORMATIONAL), each naming its operation,
    beside five other operations: GetDevice not implemented at all, ListDevices with two FAILs,
    ForgetDevice with a BLOCKED the target caused, a NON-STRICT and a limit outside the target,
    AdminGetDevice clean with an INFORMATIONAL, AdminListDevices with only a NON-STRICT."""
    run = copy.deepcopy(load_fixture("reference"))
    for case in run["cases"]:
        case["operation"] = "UpdateDeviceStatus"
    run["cases"] += [
        *(
            result(
                f"GET-VAL-{n}",
                "GetDevice",
                "validation",
                "UNIMPLEMENTED",
                **missing("GetDevice", GET_EVIDENCE),
            )
            for n in ("REQUIRED", "CONSTRAINTS", "WRONG-TYPE")
        ),
        result(
            "GET-RES-UNKNOWN", "GetDevice", "resources", "UNIMPLEMENTED", **missing("GetDevice", GET_EVIDENCE)
        ),
        result("LIST-VAL-REQUIRED", "ListDevices", "validation", "PASS"),
        result("LIST-VAL-CONSTRAINTS", "ListDevices", "validation", "FAIL"),
        result("LIST-VAL-WRONG-TYPE", "ListDevices", "validation", "PASS"),
        result("LIST-PAGE-LIMIT", "ListDevices", "pagination", "PASS"),
        result("LIST-PAGE-FORGED-TOKEN", "ListDevices", "pagination", "FAIL"),
        result("FORGET-VAL-REQUIRED", "ForgetDevice", "validation", "PASS"),
        result("FORGET-VAL-CONSTRAINTS", "ForgetDevice", "validation", "PASS"),
        result("FORGET-RES-UNKNOWN", "ForgetDevice", "resources", "NON-STRICT"),
        result(
            "FORGET-STATE-GONE",
            "ForgetDevice",
            "state",
            "BLOCKED",
            blocked={"cause": "target", "requirement": "FLOW-TEST-SUPPORT"},
        ),
        result("FORGET-AUTH-EXPIRED", "ForgetDevice", "authorization", "BLOCKED", blocked={"cause": "limit"}),
        result("ADMIN-GET-VAL-REQUIRED", "AdminGetDevice", "validation", "PASS"),
        result("ADMIN-GET-ATTR-DATES", "AdminGetDevice", "attributes", "INFORMATIONAL"),
        result("ADMIN-LIST-VAL-REQUIRED", "AdminListDevices", "validation", "PASS"),
        result("ADMIN-LIST-PAGE-LIMIT", "AdminListDevices", "pagination", "NON-STRICT"),
    ]
    run["settings"] = {**run.get("settings", {}), "operations": JUDGED}
    run["summary"] = {v: sum(1 for c in run["cases"] if c["verdict"] == v) for v in run["summary"]}
    validate_results(run, "several operations")
    return run


# --- the terminal -----------------------------------------------------------------------------------


def test_the_first_score_line_is_update_device_status_then_one_line_per_operation() -> None:
    run = several_operations()
    lines = summary_lines(run, None)
    assert lines[0].startswith(
        f"Cognito device operations conformance: target reference (reference), seed {run['seed']}, "
        f"{len(run['cases'])} requirements of 6 operations in "
    )
    assert lines[1] == ""
    assert lines[2:8] == [
        "  UpdateDeviceStatus: 53 of 53 applicable requirements passed",
        "  GetDevice:        UNIMPLEMENTED (4 requirements)",
        "  ListDevices:      3 of 5 passed; 2 FAIL",
        "  ForgetDevice:     3 of 3 passed; 1 BLOCKED by the target and 1 more to act on",
        "  AdminGetDevice:   1 of 1 passed",
        "  AdminListDevices: 2 of 2 passed; 1 NON-STRICT",
    ]
    assert lines[8] == "" and lines[9].split() == [
        "PASS",
        "N-S",
        "FAIL",
        "UNIM",
        "INFO",
        "BLKD",
        "SKIP",
        "ERR",
    ]
    assert all(len(line) <= 100 for line in lines[1:9])
    # The family table follows, with the other operations' families; the lines CI greps are as they were.
    families = [line.split()[0] for line in lines[10:] if line.startswith("  ") and line.split()[1:2]]
    assert families[: families.index("total")] == [
        "validation",
        "authorization",
        "resources",
        "state",
        "pagination",
        "attributes",
        "protocol",
        "error-coverage",
    ]
    total = next(i for i, line in enumerate(lines) if line.startswith("  total "))
    assert lines[total + 1] == "" and lines[total + 2].startswith(
        "  4 UNIMPLEMENTED: GetDevice missing; also "
    )
    score = next(line for line in lines if line.startswith("  score: "))
    assert re.match(r"  score: \d+ of \d+ applicable requirements passed \(\d+ requirements, ", score)


def test_an_operation_line_names_a_class_that_fails_the_gate_exactly_when_the_gate_fails_on_it() -> None:
    run = several_operations()
    gate_classes = re.compile(r"; \d+ (ERROR|UNIMPLEMENTED|FAIL|BLOCKED by the target)\b|: UNIMPLEMENTED \(")
    for summary in summaries(run["cases"]):
        mine = [c for c in run["cases"] if c.get("operation") == summary.operation]
        assert bool(gate_classes.search(summary.line())) == any(gate_fails(c) for c in mine), summary.line()
        assert summary.tally.failing == sum(1 for c in mine if gate_fails(c))


def test_an_operation_every_result_of_which_needs_another_missing_operation() -> None:
    run = several_operations()
    for case in run["cases"]:
        if case["operation"] == "GetDevice":
            case.update(missing("ConfirmDevice", "HTTP 501"))
    lines = summary_lines(run, None)
    assert "  GetDevice:        UNIMPLEMENTED (4 requirements; ConfirmDevice missing)" in lines


def test_an_older_document_is_all_update_device_status() -> None:
    run = load_fixture("faulty")
    assert not any("operation" in c for c in run["cases"])
    lines = summary_lines(run, None)
    assert "of 1 operation in" in lines[0]
    assert lines[2].startswith("  UpdateDeviceStatus: 47 of 51 applicable requirements passed; 1 ERROR")
    assert lines[3] == ""  # no other operation
    root = parse(render_html(run))
    assert [tr.get("data-operation") for tr in operation_rows(root)] == ["UpdateDeviceStatus"]


# --- the HTML report --------------------------------------------------------------------------------


def operation_rows(root: ET.Element) -> list[ET.Element]:
    return [tr for tr in by_id(root, "operation-matrix").iter("tr") if tr.get("class") == "oprow"]


def cells_of(row: ET.Element) -> dict[str, ET.Element]:
    return {str(td.get("data-family")): td for td in row.findall("td") if td.get("class") == "opcell"}


def test_the_matrix_has_a_row_per_operation_with_each_family_counted() -> None:
    run = several_operations()
    root = parse(render_html(run))
    rows = {str(tr.get("data-operation")): tr for tr in operation_rows(root)}
    assert list(rows) == JUDGED
    header = [text_of(th) for th in by_id(root, "operation-matrix").find("thead").iter("th")]  # type: ignore[union-attr]
    families = header[1:]
    assert header[0] == "Operation" and "pagination" in families and "attributes" in families
    # Every cell counts exactly the results of its operation and family (GetDevice: one cell, below).
    for operation, row in rows.items():
        if operation == "GetDevice":
            continue
        cells = cells_of(row)
        assert list(cells) == families
        for family, td in cells.items():
            mine = [c for c in run["cases"] if c["operation"] == operation and c["family"] == family]
            assert int(str(td.get("data-total"))) == len(mine), (operation, family)
            if not mine:
                assert text_of(td) == "·" and td.find("a") is None
                continue
            passed = sum(1 for c in mine if c["verdict"] in ("PASS", "NON-STRICT"))
            applicable = sum(1 for c in mine if c["verdict"] not in ("BLOCKED", "SKIPPED", "INFORMATIONAL"))
            assert (td.get("data-passed"), td.get("data-applicable")) == (str(passed), str(applicable))
    lists = cells_of(rows["ListDevices"])
    assert text_of(lists["validation"]) == "2/3 1 FAIL" and lists["validation"].get("data-verdict") == "FAIL"
    assert text_of(lists["pagination"]) == "1/2 1 FAIL"
    forget = cells_of(rows["ForgetDevice"])
    assert (text_of(forget["state"]), forget["state"].get("data-verdict")) == ("— 1 BLKD", "BLOCKED")
    assert text_of(forget["resources"]) == "1/1 1 N-S"
    assert text_of(cells_of(rows["AdminGetDevice"])["attributes"]) == "— 1 INFO"
    assert text_of(cells_of(rows["UpdateDeviceStatus"])["validation"]) == "17/17 2 INFO"
    # Each row says what its operation scored; UpdateDeviceStatus's own score line heads the summary.
    assert text_of(rows["ListDevices"].find("th")) == "ListDevices 3 of 5 passed; 2 FAIL"  # type: ignore[arg-type]
    assert (
        text_of(by_id(root, "headline-score"))
        == "UpdateDeviceStatus: 53 of 53 applicable requirements passed"
    )


def test_an_operation_not_implemented_is_unimplemented_across_its_row() -> None:
    root = parse(render_html(several_operations()))
    families = len(by_id(root, "operation-matrix").findall("thead/tr/th")) - 1
    row = next(tr for tr in operation_rows(root) if tr.get("data-operation") == "GetDevice")
    assert row.get("data-unimplemented") == "true"
    assert text_of(row.find("th")) == "GetDevice UNIMPLEMENTED (4 requirements)"  # type: ignore[arg-type]
    # One cell across every family, with the target's words, that leads to the operation's cases.
    [cell] = row.findall("td")
    assert (cell.get("colspan"), cell.get("data-verdict"), cell.get("data-total")) == (
        str(families),
        "UNIMPLEMENTED",
        "4",
    )
    assert text_of(cell) == f"UNIMPLEMENTED GetDevice not implemented: {GET_EVIDENCE}"
    link = cell.find("a")
    assert link is not None and link.get("href") == "#op-GetDevice" and link.get("class") == "v-unimplemented"
    assert by_id(root, "op-GetDevice").get("class") == "operation"
    others = [tr for tr in operation_rows(root) if tr.get("data-operation") != "GetDevice"]
    assert all(tr.get("data-unimplemented") == "false" for tr in others)
    assert all(len(cells_of(tr)) == families for tr in others)
    # An operation the target implements, whose results of a family could all not be judged: counted.
    run = several_operations()
    for case in run["cases"]:
        if case["id"] in ("LIST-PAGE-LIMIT", "LIST-PAGE-FORGED-TOKEN"):
            case.update(verdict="UNIMPLEMENTED", **missing("ListDevices", "HTTP 501"))
    row = next(
        tr for tr in operation_rows(parse(render_html(run))) if tr.get("data-operation") == "ListDevices"
    )
    assert row.get("data-unimplemented") == "false"
    pagination = cells_of(row)["pagination"]
    assert (text_of(pagination), pagination.get("data-verdict")) == ("0/2 2 UNIM", "UNIMPLEMENTED")


def test_each_cell_links_to_its_cases_listed_by_operation_then_family() -> None:
    run = several_operations()
    root = parse(render_html(run))
    table = by_id(root, "cases")
    # The case list: each operation's heading, then its families; the headline first.
    bodies = [
        (tb.get("class"), tb.get("data-operation"), tb.get("data-family")) for tb in table.findall("tbody")
    ]
    headings = [op for kind, op, _ in bodies if kind == "operation"]
    assert headings == JUDGED
    current = None
    for kind, operation, family in bodies:
        if kind == "operation":
            current = operation
        else:
            assert operation == current, (operation, family)
    for tb in table.findall("tbody[@class='family']"):
        rows = [tr for tr in tb.findall("tr") if tr.get("class") == "case"]
        assert {tr.get("data-operation") for tr in rows} == {tb.get("data-operation")}
        assert {tr.get("data-family") for tr in rows} == {tb.get("data-family")}
    assert [tb.get("data-family") for tb in table.findall("tbody[@data-operation='ListDevices']")] == [
        None,
        "validation",
        "pagination",
    ]
    # A matrix cell's link leads to its family's group, which holds exactly the cell's cases.
    for row in operation_rows(root):
        for td in cells_of(row).values():
            link = td.find("a")
            if link is None:
                continue
            group = by_id(root, unquote(str(link.get("href")).removeprefix("#")))
            body = next(tb for tb in table.findall("tbody") if group in list(tb))
            cases = [tr for tr in body.findall("tr") if tr.get("class") == "case"]
            assert len(cases) == int(str(td.get("data-total")))
            assert body.get("data-operation") == row.get("data-operation")
        name_link = row.find("th/a")
        assert (
            name_link is not None and by_id(root, str(name_link.get("href"))[1:]).get("class") == "operation"
        )
    # The matrix is near the top: after the summary, before the top causes and the cases.
    order = [el.get("id") for el in root.iter() if el.get("id")]
    assert order.index("score") < order.index("operation-matrix") < order.index("top-causes")
    # An operation filter beside the family filter.
    options = [o.get("value") for o in by_id(root, "operation").iter("option")]
    assert options == ["", *JUDGED]


@pytest.mark.parametrize("name", ["reference", "moto", "faulty", "engine-moto", "engine-faulty"])
def test_older_documents_still_render_as_update_device_status(name: str) -> None:
    run = load_fixture(name)
    root = parse(render_html(run))
    row = operation_rows(root)
    assert [tr.get("data-operation") for tr in row] == ["UpdateDeviceStatus"]
    totals = sum(int(str(td.get("data-total"))) for td in row[0].findall("td"))
    assert totals == len(run["cases"])
    assert root.find(".//*[@id='operation']") is None  # one operation: no operation filter


# --- report merge -----------------------------------------------------------------------------------


def test_merge_groups_by_operation_and_shows_what_each_target_implements(tmp_path: Path) -> None:
    several = tmp_path / "several.json"
    several.write_text(json.dumps(several_operations()))
    index = merge([several, FIXTURES / "moto.results.json"], tmp_path / "out", ["emulator", "older"])
    root = parse(index.read_text(encoding="utf-8"))
    table = by_id(root, "operations")
    rows = {
        str(tr.get("data-operation")): [(td.get("data-verdict"), text_of(td)) for td in tr.findall("td")[1:]]
        for tr in table.iter("tr")
        if tr.get("class") == "oprow"
    }
    assert list(rows) == JUDGED
    moto = load_fixture("moto")
    assert rows["UpdateDeviceStatus"][0] == ("PASS", "53/53")
    assert rows["UpdateDeviceStatus"][1][1].startswith(
        f"{sum(1 for c in moto['cases'] if c['verdict'] == 'PASS')}/"
    )
    assert rows["GetDevice"] == [("UNIMPLEMENTED", "UNIMPLEMENTED"), ("", "not run")]
    assert rows["ListDevices"][0] == ("FAIL", "3/5 2 FAIL")
    assert rows["ForgetDevice"][0] == ("BLOCKED", "3/3 1 BLKD")
    # A cell opens the operation's heading in that target's report; an operation's name, its case rows.
    opened = 0
    for a in table.iter("a"):
        page, _, fragment = str(a.get("href")).partition("#")
        if not fragment:
            continue
        shown = parse((index.parent / page).read_text(encoding="utf-8")) if page else root
        assert by_id(shown, unquote(fragment)).get("class") == "operation"
        opened += 1 if page else 0
    assert opened == len(JUDGED) + 1  # the emulator judged six operations, the older run one
    # The case rows, by operation (the headline first) then family, under each operation's heading.
    matrix = by_id(root, "matrix")
    bodies = [(tb.get("class"), tb.get("data-operation")) for tb in matrix.findall("tbody")]
    assert [op for kind, op in bodies if kind == "operation"] == JUDGED
    current = None
    for kind, operation in bodies:
        current = operation if kind == "operation" else current
        assert operation == current
    listed = [
        "".join(tr.find("td/span").itertext())  # type: ignore[union-attr]
        for tb in matrix.findall("tbody[@data-operation='ListDevices']")
        for tr in tb.findall("tr")
        if tr.get("class") == "mrow"
    ]
    assert listed == [
        "LIST-VAL-REQUIRED",
        "LIST-VAL-CONSTRAINTS",
        "LIST-VAL-WRONG-TYPE",
        "LIST-PAGE-LIMIT",
        "LIST-PAGE-FORGED-TOKEN",
    ]
