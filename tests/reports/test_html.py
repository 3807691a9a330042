"""The HTML report: valid HTML5, self-contained, with the summary, case table and error coverage."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import html5lib
import pytest

from conformance.reports.html import render_html, write_html
from conformance.reports.safety import redact_markup
from conformance.secrets import SECRETS

from .conftest import assert_no_secrets, load_fixture

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    """Strict HTML5 parsing: any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    root: ET.Element = parser.parse(text)
    return root


def by_id(root: ET.Element, ident: str) -> ET.Element:
    found = root.find(f".//*[@id='{ident}']")
    assert found is not None, f"no element with id {ident}"
    return found


def text_of(el: ET.Element) -> str:
    return " ".join(" ".join(el.itertext()).split())


@pytest.mark.parametrize(
    "name", ["reference", "moto", "faulty", "engine-moto", "engine-reference-http", "engine-faulty"]
)
def test_valid_html5_and_self_contained(name: str, tmp_path: Path) -> None:
    out = tmp_path / "index.html"
    write_html(load_fixture(name), out)
    text = out.read_text(encoding="utf-8")
    root = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    # Nothing is loaded from elsewhere: no external src/href, no stylesheet links, no script src.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.IGNORECASE)
    assert root.find(".//link") is None
    assert all(s.get("src") is None for s in root.iter("script"))
    assert root.find(".//style") is not None and root.find(".//script") is not None
    # Every in-page link points at an element of the page.
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for a in root.iter("a"):
        href = a.get("href", "")
        assert href.startswith("#"), href
        assert unquote(href[1:]) in ids, href


def test_header_summary_cases_and_coverage(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    root = parse(render_html(run))
    header = text_of(by_id(root, "run-header"))
    for expected in ("http://127.0.0.1:9229", "botocore 1.44.8", "Seed 7", "21.7 s", "Requests sent 455"):
        assert expected in header
    assert "OperationNotEnabledException is new" in text_of(by_id(root, "drift"))
    # Summary: the SVG chart has one arc per verdict present, and the counts match.
    svg = root.find(f".//section[@class='summary']/{SVG}svg")
    assert svg is not None
    arcs = [c.get("data-verdict") for c in svg.iter(f"{SVG}circle") if c.get("data-verdict")]
    assert arcs == [v for v, n in run["summary"].items() if n]
    for verdict, n in run["summary"].items():
        assert text_of(root.find(f".//*[@data-count='{verdict}']")) == str(n)  # type: ignore[arg-type]
    assert "47 of 51 applicable requirements passed" in text_of(by_id(root, "score"))
    # Case table: one row per case with its verdict, grouped by family, each with a details row.
    table = by_id(root, "cases")
    rows = [tr for tr in table.iter("tr") if tr.get("class") == "case"]
    assert [r.get("data-verdict") for r in rows] != []
    assert sorted(str(r.get("id")) for r in rows) == sorted(f"case-{c['id']}" for c in run["cases"])
    families = [tb.get("data-family") for tb in table.findall("tbody[@class='family']")]
    assert families == ["validation", "authorization", "resources", "state", "protocol", "error-coverage"]
    # A document without `operation`: one operation, UpdateDeviceStatus, heading its families.
    headings = [tb.get("data-operation") for tb in table.findall("tbody[@class='operation']")]
    assert headings == ["UpdateDeviceStatus"]
    assert table.findall("tbody")[0].get("class") == "operation"
    fail = by_id(root, "case-VAL-DEVICEKEY-LENGTH[56]-details")
    details = text_of(fail)
    for expected in (
        "maximum length is 55",
        "Expected",
        "InvalidParameterException (HTTP 400)",
        "HTTP 200 {}",
        "POST http://127.0.0.1:9229/",
        "X-Amz-Target",
        "--seed 7 --case",
        "curl -sS",
    ):
        assert expected in details
    assert "$ACCESS_TOKEN" in details
    assert "flaky" in text_of(by_id(root, "case-AUTH-NOT-JWT"))
    # Error coverage: every modeled error, triggered or with the reason why not.
    cov = by_id(root, "coverage")
    cov_rows = cov.findall("./tbody/tr")
    assert len(cov_rows) == len(run["error_coverage"]) == 11
    cov_text = text_of(cov)
    assert "needs an AWS WAF web ACL" in cov_text and "RES-UNKNOWN-DEVICE" in cov_text
    # Call statistics.
    assert "UpdateDeviceStatus" in text_of(by_id(root, "by-operation"))
    assert "UserResourceUpdate" in text_of(by_id(root, "peak-rps"))
    assert "1250 ms" in text_of(by_id(root, "latency"))


def outcome_rows(root: ET.Element, case_id: str) -> list[list[str]]:
    """The case's outcome table: per row, the text of each cell (verdict, check, requirement, ...)."""
    table = by_id(root, f"case-{case_id}-outcomes")
    return [
        [text_of(td) for td in tr.findall("td")] for tr in table.iter("tr") if tr.get("class") == "outcome"
    ]


def test_outcomes_worst_first_with_their_exchange() -> None:
    run = load_fixture("faulty")
    root = parse(render_html(run))
    rows = outcome_rows(root, "AUTH-NOT-JWT")
    # The fixture lists the NON-STRICT one first (the engine's order); the page puts the FAIL first.
    assert [r[:3] for r in rows] == [
        ["FAIL", "refused", "AUTH-NOT-JWT"],
        ["NON-STRICT", "error_type_header", "PROTO-ERROR-TYPE other"],  # another requirement, tagged
    ]
    assert rows[0][3:] == ["NotAuthorizedException", "HTTP 500 InternalError: bad password <password>", "2×"]
    table = by_id(root, "case-AUTH-NOT-JWT-outcomes")
    badges = [span.get("class") for span in table.iter("span") if "badge" in (span.get("class") or "")]
    assert badges == ["badge v-fail", "badge v-non-strict"]
    # The exchange folds under its outcome: a <details> with the request and the response.
    folded = table.findall(".//tr[@class='exchange']//details")
    assert len(folded) == 1
    exchange = text_of(folded[0])
    assert exchange.startswith("Exchange of refused")
    assert (
        "POST http://127.0.0.1:9229/" in exchange and "HTTP 500" in exchange and "$ACCESS_TOKEN" in exchange
    )
    assert [r[:2] for r in outcome_rows(root, "VAL-DEVICEKEY-LENGTH[56]")] == [
        ["FAIL", "refused"],
        ["PASS", "twin_not_refused_alike"],
    ]
    # A case without outcomes (SKIPPED) has no table.
    assert root.find(".//*[@id='case-AUTH-EXPIRED-outcomes']") is None


def test_engine_outcomes_render() -> None:
    """A real run of a faulty target: both failing checks, a shared exchange shown once."""
    root = parse(render_html(load_fixture("engine-faulty")))
    rows = outcome_rows(root, "RES-OTHER-USER-DEVICE")
    assert [r[:3] for r in rows] == [
        ["FAIL", "refused", "RES-OTHER-USER-DEVICE"],
        ["FAIL", "unchanged", "RES-OTHER-USER-DEVICE"],
    ]
    assert rows[1][3:] == [
        "the other user's device still remembered",
        "the other user's device now not_remembered",
        "1×",
    ]
    validation = by_id(root, "case-VAL-ACCESSTOKEN-MISSING-outcomes")
    # The three checks of a validation case looked at one exchange: it is shown once.
    assert len(validation.findall(".//details")) == 1
    same = [text_of(td) for td in validation.iter("td") if td.get("class") == "same"]
    assert same == ["Exchange: the one of refused above"] * 2


def test_a_pass_shows_what_the_target_answered() -> None:
    run = load_fixture("engine-reference-http")
    root = parse(render_html(run))
    details = text_of(by_id(root, "case-RES-UNKNOWN-DEVICE-details"))
    assert "Actual · what the target answered" in details
    assert "refused: HTTP 400 ResourceNotFoundException: Device does not exist." in details
    # Several checks: one line each, not a JSON list.
    case = next(c for c in run["cases"] if c["id"] == "VAL-ACCESSTOKEN-MISSING")
    assert isinstance(case["actual"], list) and len(case["actual"]) == 3
    pres = [pre for pre in by_id(root, "case-VAL-ACCESSTOKEN-MISSING-details").iter("pre")]
    actual = next(pre.text or "" for pre in pres if (pre.text or "").startswith("refused: "))
    assert actual.splitlines() == case["actual"]


@pytest.mark.parametrize(("name", "total"), [("engine-reference-http", 69), ("reference", 69)])
def test_state_machine_steps_by_rule(name: str, total: int) -> None:
    run = load_fixture(name)
    steps = next(c for c in run["cases"] if c["id"] == "STATE-MACHINE")["steps"]
    assert sum(steps.values()) == total
    root = parse(render_html(run))
    box = by_id(root, "case-STATE-MACHINE-steps")
    assert text_of(box).startswith(f"Steps taken, by rule · {total} in all")
    bars = [[text_of(span) for span in row.findall("span")] for row in box.findall("div")]
    shown = [(label, int(n)) for label, _, n in bars]
    assert sorted(shown) == sorted(steps.items())
    assert [n for _, n in shown] == sorted(steps.values(), reverse=True)  # most taken first
    # Only the state machine has steps.
    assert len([el for el in root.iter() if (el.get("id") or "").endswith("-steps")]) == 1


def test_search_finds_a_case_by_its_checks() -> None:
    root = parse(render_html(load_fixture("engine-faulty")))
    row = by_id(root, "case-RES-OTHER-USER-DEVICE")
    assert "unchanged" in (row.get("data-search") or "").split()


def test_hostile_values_are_escaped() -> None:
    run: dict[str, Any] = load_fixture("reference")
    case = run["cases"][0]
    case["title"] = "<script>alert(1)</script>"
    case["reason"] = "</script><img src=x onerror=alert(1)>"
    case["actual"] = {"body": "<b>&amp;</b>"}
    case["outcomes"] = [
        {
            "check": "<i>c</i>",
            "requirement": "R",
            "verdict": "FAIL",
            "expected": "<u>",
            "actual": "</td></tr>",
        },
        {
            "check": "x",
            "requirement": "R",
            "verdict": "PASS",
            "exchange": {"request": {"body": "</pre><script>"}},
        },
    ]
    case["steps"] = {"<b>rule</b>": 3}
    text = render_html(run)
    parse(text)
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<i>c</i>" not in text and "</pre><script>" not in text and "<b>rule</b>" not in text
    assert "&lt;/td&gt;&lt;/tr&gt;" in text


def test_minimal_results_render() -> None:
    """Only the schema's required fields (no extras from the engine): still a valid page."""
    run = load_fixture("moto")
    for key in ("error_coverage",):
        run.pop(key)
    run["calls"] = {"total": 0, "by_operation": {}}
    run["model"].pop("drift")
    run["cases"] = [
        {k: c[k] for k in ("id", "requirement", "level", "verdict", "title")} for c in run["cases"]
    ]
    root = parse(render_html(run))
    assert "This run recorded no error coverage." in text_of(root)
    assert len([tr for tr in root.iter("tr") if tr.get("class") == "case"]) == len(run["cases"])


def test_final_pass_keeps_markup_valid() -> None:
    SECRETS.add("LeakedValue-991", "<redacted>")
    out = redact_markup("<p>LeakedValue-991 and eyJabc.eyJdef.ghi</p>")
    assert out == "<p>&lt;redacted&gt; and $ACCESS_TOKEN</p>"


def test_no_secret_in_the_page(tmp_path: Path) -> None:
    write_html(load_fixture("faulty"), tmp_path / "index.html")
    assert assert_no_secrets(tmp_path) == 1


def test_each_case_shows_how_its_fixtures_were_had() -> None:
    run: dict[str, Any] = load_fixture("reference")
    case = next(c for c in run["cases"] if c["id"] == "RES-OTHER-USER-DEVICE")
    case["provenance"] = [
        "user_a: tokens from USER_PASSWORD_AUTH, because USER_SRP_AUTH failed (<b>HTTP 400</b>)",
        "user_b: synthesized device",
    ]
    root = parse(render_html(run))
    box = by_id(root, "case-RES-OTHER-USER-DEVICE-provenance")
    shown = [text_of(li) for li in box.iter() if li.tag.endswith("li")]
    assert shown == case["provenance"]  # escaped, not markup


def test_a_result_says_what_judged_it_and_where_each_outcome_was_seen() -> None:
    """One row per requirement: `judged_by`, and an outcome seen in another case names that case."""
    run = load_fixture("faulty")
    case = next(c for c in run["cases"] if c["id"] == "AUTH-NOT-JWT")
    case["judged_by"] = ["suite", "schemathesis", "case STATE-MACHINE"]
    case["outcomes"][0]["case"] = "SCHEMATHESIS-AUTH-NOT-JWT"
    root = parse(render_html(run))
    details = text_of(by_id(root, "case-AUTH-NOT-JWT-details"))
    assert "Judged by: suite, schemathesis, case STATE-MACHINE" in details
    rows = {r[1]: r[2] for r in outcome_rows(root, "AUTH-NOT-JWT")}
    assert rows[case["outcomes"][0]["check"]].endswith("SCHEMATHESIS-AUTH-NOT-JWT")
