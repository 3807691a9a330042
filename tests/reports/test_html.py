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


@pytest.mark.parametrize("name", ["reference", "moto", "faulty", "engine-moto", "engine-reference-http"])
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
    assert "47 of 51 applicable cases passed" in text_of(by_id(root, "score"))
    # Case table: one row per case with its verdict, grouped by family, each with a details row.
    table = by_id(root, "cases")
    rows = [tr for tr in table.iter("tr") if tr.get("class") == "case"]
    assert [r.get("data-verdict") for r in rows] != []
    assert sorted(str(r.get("id")) for r in rows) == sorted(f"case-{c['id']}" for c in run["cases"])
    families = [tb.get("data-family") for tb in table.iter("tbody")]
    assert families == ["validation", "authorization", "resources", "state", "protocol", "error-coverage"]
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


def test_hostile_values_are_escaped() -> None:
    run: dict[str, Any] = load_fixture("reference")
    case = run["cases"][0]
    case["title"] = "<script>alert(1)</script>"
    case["reason"] = "</script><img src=x onerror=alert(1)>"
    case["actual"] = {"body": "<b>&amp;</b>"}
    text = render_html(run)
    parse(text)
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


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
