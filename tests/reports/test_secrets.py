"""No token and no password of the run in any output: every file written, and the terminal lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conformance.reports import Progress, merge, summary_lines, write_baseline, write_html, write_junit
from conformance.reports.safety import scrub

from .conftest import FIXTURES, assert_no_secrets, leaks, load_fixture


def test_every_output_of_a_run_with_planted_secrets(tmp_path: Path) -> None:
    run = load_fixture("faulty")
    assert leaks(json.dumps(run))  # the input does carry them
    report = tmp_path / "report"
    write_html(run, report / "index.html")
    write_junit(run, report / "junit.xml")
    (report / "baseline.toml").write_text(write_baseline(run, "note"), encoding="utf-8")
    (report / "results.copy.json").write_text(json.dumps(run))  # a leaky input for merge to read
    merge([report / "results.copy.json", FIXTURES / "moto.results.json"], report / "matrix")
    (report / "results.copy.json").unlink()
    terminal = io.StringIO()
    progress = Progress(len(run["cases"]), terminal)
    for case in run["cases"]:
        progress.case_done(case["id"], case["verdict"])
    terminal.write("\n".join(summary_lines(run, report / "index.html")))
    (report / "terminal.txt").write_text(terminal.getvalue())
    assert assert_no_secrets(report) == 9


def test_secret_members_are_scrubbed_even_if_never_registered() -> None:
    body = json.dumps(
        {"Password": "Unregistered-Secret-42", "Username": "u", "AuthParameters": {"SRP_A": "abc"}}
    )
    doc = {
        "example": {
            "request": {"headers": {"Authorization": "AWS4-HMAC-SHA256 Credential=..."}, "body": body}
        },
        "calls": {"by_operation": {"AdminSetUserPassword": 2}},
    }
    clean = scrub(doc)
    text = json.dumps(clean)
    assert "Unregistered-Secret-42" not in text and "AWS4-HMAC" not in text and '"abc"' not in text
    assert clean["calls"]["by_operation"] == {"AdminSetUserPassword": 2}  # operation names are not secrets
    untouched = {"body": '{"DeviceKey": "k",  "x": 1}'}
    assert scrub(untouched) == untouched  # no secret member: the body keeps its exact bytes
