"""No token and no password of the run in any output: every file written, and the terminal lines."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from conformance.reports import Progress, merge, summary_lines, write_baseline, write_html, write_junit
from conformance.reports.baseline import apply_baseline, parse_baseline
from conformance.reports.safety import scrub
from conformance.secrets import SECRETS

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


# JWT-shaped (what the redaction recognises), and a value the run registers as its own secret.
PLANTED_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvdXRjb21lIn0.c2lnLW5vdC1yZWFs"
PLANTED = "Outcome-Secret-8812"
UNREGISTERED = ("Unregistered-Pw-31", "sess-ion-value-77", "Bearer opaque-abc-99")


def plant(run: dict[str, Any]) -> None:
    """Secrets in an outcome's actual and expected and all over its exchange, and in a reason."""
    case = next(c for c in run["cases"] if c["id"] == "RES-OTHER-USER-DEVICE")
    refused = next(o for o in case["outcomes"] if o["check"] == "refused")
    refused["actual"] = f"HTTP 200: accepted; the body echoed {PLANTED} and {PLANTED_JWT}"
    refused["expected"] = {"AccessToken": PLANTED_JWT}
    request, answer = refused["exchange"]["request"], refused["exchange"]["response"]
    request["headers"]["Authorization"] = UNREGISTERED[2]  # a secret-named header
    request["body"] = json.dumps({"AccessToken": PLANTED_JWT, "Password": UNREGISTERED[0]})
    answer["body"] = json.dumps({"message": f"{PLANTED} {PLANTED_JWT}", "Session": UNREGISTERED[1]})
    answer["headers"]["x-echo"] = PLANTED
    case["reason"] = f"FAIL: echoed {PLANTED}"


def found_in(text: str) -> list[str]:
    return [s for s in (PLANTED, PLANTED_JWT, *UNREGISTERED) if s in text] + leaks(text)


def test_a_secret_in_an_outcome_is_redacted_in_every_output(tmp_path: Path) -> None:
    SECRETS.add(PLANTED, "<redacted>")  # as the run registers its own passwords
    run = load_fixture("engine-faulty")
    plant(run)
    assert all(s in json.dumps(run) for s in (PLANTED, PLANTED_JWT, *UNREGISTERED))  # the input has them
    report = tmp_path / "report"
    write_html(run, report / "index.html")
    write_junit(run, report / "junit.xml")
    (report / "baseline.toml").write_text(write_baseline(run, "note"), encoding="utf-8")
    (report / "results.copy.json").write_text(json.dumps(run))
    merge([report / "results.copy.json", FIXTURES / "engine-reference-http.results.json"], report / "matrix")
    (report / "results.copy.json").unlink()
    terminal = list(summary_lines(run, report / "index.html"))
    # The gate's lines: the case, blocked now with a secret in its reason, is lost coverage.
    baseline = parse_baseline(write_baseline(load_fixture("engine-faulty"), "note"))
    blocked = next(c for c in run["cases"] if c["id"] == "RES-OTHER-USER-DEVICE")
    blocked.update(verdict="BLOCKED", reason=f"could not sign in with {PLANTED}")
    gate = apply_baseline(run, baseline).lines()
    assert any("RES-OTHER-USER-DEVICE: FAIL -> BLOCKED" in line for line in gate)
    (report / "terminal.txt").write_text("\n".join(terminal + gate))
    files = list(p for p in report.rglob("*") if p.is_file())
    assert len(files) == 9  # 4 written here; the matrix: its page, and each target's page and results
    for path in files:
        assert found_in(path.read_text(encoding="utf-8")) == [], path
    # Redacted, not dropped: the outcome is still in the page and in the failure text.
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "the body echoed &lt;redacted&gt; and $ACCESS_TOKEN" in page
    assert "echoed &lt;redacted&gt; and $ACCESS_TOKEN" in (report / "junit.xml").read_text(encoding="utf-8")
