"""One result per requirement (conformance/engine/merge.py): the suite's case is the base, the
schemathesis phase's case and the outcomes other cases saw of the requirement are folded in, the worst
decides; and end to end, a fault only the phase catches is one FAIL row of its requirement."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

from conformance.cases.schemathesis_phase import PREFIX
from conformance.contract.catalog import catalog
from conformance.engine.merge import PHASE_PREFIX, ROW_ORDER, by_requirement
from conformance.judge.outcomes import SEVERITY
from conformance.reports.verdicts import OUTCOME_ORDER, RESULT_ORDER

from .conftest import CLI, ENV, cli


def outcome(check: str, requirement: str, verdict: str = "PASS", **fields: Any) -> dict[str, Any]:
    return {
        "check": check,
        "requirement": requirement,
        "verdict": verdict,
        "expected": f"{check} holds",
        "actual": f"{check} {verdict.lower()}",
        "count": 1,
        "exchange": None,
        **fields,
    }


def row(case_id: str, verdict: str = "PASS", *outcomes: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A case's row as the runner writes it (CaseResult.as_json), small."""
    requirement = case_id.removeprefix(PHASE_PREFIX)
    return {
        "id": case_id,
        "requirement": requirement,
        "level": "MUST",
        "title": requirement.lower(),
        "verdict": verdict,
        "reason": None if verdict == "PASS" else f"{case_id} said {verdict}",
        "expected": f"{requirement} holds",
        "actual": f"{case_id} saw it",
        "examples": 2,
        "reproduce": f"cognito-conformance run --case {case_id}",
        "curl": None if verdict == "PASS" else f"curl {case_id}",
        "example": {"request": case_id},
        "flaky": False,
        "duration_s": 0.5,
        "family": "protocol",
        "statement": "",
        "sources": [],
        "error_types": [f"{case_id}Error"],
        "outcomes": list(outcomes) or [outcome("check", requirement, verdict)],
        "provenance": [f"{case_id}: as documented"],
        **fields,
    }


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), f"duplicate rows: {ids}"
    return {r["id"]: r for r in rows}


def test_the_order_is_the_runners_and_the_reports_know_it() -> None:
    assert PHASE_PREFIX == PREFIX
    assert [v for v in ROW_ORDER if v in SEVERITY] == list(SEVERITY)  # the outcomes' own order kept
    assert ROW_ORDER[0] == "ERROR" and ROW_ORDER.index("UNIMPLEMENTED") < ROW_ORDER.index("BLOCKED")
    assert tuple(map(str, ROW_ORDER)) == RESULT_ORDER  # reports/verdicts.py keeps it as data
    assert tuple(map(str, SEVERITY)) == OUTCOME_ORDER


def test_the_phase_joins_its_requirement_one_row_judged_by_both() -> None:
    rows = by_id(by_requirement([row("PROTO-NO-5XX"), row("SCHEMATHESIS-PROTO-NO-5XX"), row("AUTH-NOT-JWT")]))
    assert list(rows) == ["PROTO-NO-5XX", "AUTH-NOT-JWT"]
    merged = rows["PROTO-NO-5XX"]
    assert merged["verdict"] == "PASS" and merged["judged_by"] == ["suite", "schemathesis"]
    assert merged["reason"] is None and merged["reproduce"].endswith("--case PROTO-NO-5XX")  # the suite's
    assert [o.get("case") for o in merged["outcomes"]] == [None, "SCHEMATHESIS-PROTO-NO-5XX"]
    assert merged["examples"] == 4 and merged["duration_s"] == 1.0
    assert merged["error_types"] == ["PROTO-NO-5XXError", "SCHEMATHESIS-PROTO-NO-5XXError"]
    assert merged["provenance"] == ["PROTO-NO-5XX: as documented", "SCHEMATHESIS-PROTO-NO-5XX: as documented"]
    assert rows["AUTH-NOT-JWT"]["judged_by"] == ["suite"]


def test_the_worst_contribution_decides_and_explains_the_row() -> None:
    phase = row("SCHEMATHESIS-PROTO-NO-5XX", "FAIL", flaky=True, trail=["a", "b"])
    merged = by_requirement([row("PROTO-NO-5XX", "NON-STRICT"), phase])[0]
    assert merged["verdict"] == "FAIL"
    assert merged["reason"] == "schemathesis phase: SCHEMATHESIS-PROTO-NO-5XX said FAIL"
    assert merged["curl"] == "curl SCHEMATHESIS-PROTO-NO-5XX" and merged["flaky"] is True
    assert merged["example"] == {"request": "SCHEMATHESIS-PROTO-NO-5XX"}
    assert merged["reproduce"].endswith("--case SCHEMATHESIS-PROTO-NO-5XX")
    assert merged["actual"] == "SCHEMATHESIS-PROTO-NO-5XX saw it" and merged["trail"] == ["a", "b"]
    # The other way round, the suite's worse verdict stays with its own explanation.
    kept = by_requirement([row("PROTO-NO-5XX", "FAIL"), row("SCHEMATHESIS-PROTO-NO-5XX", "NON-STRICT")])[0]
    assert kept["verdict"] == "FAIL" and kept["reason"] == "PROTO-NO-5XX said FAIL"
    # Of two alike failures, the one that reproduced explains it.
    flaky = row("PROTO-NO-5XX", "FAIL", flaky=True)
    steady = by_requirement([flaky, row("SCHEMATHESIS-PROTO-NO-5XX", "FAIL")])[0]
    assert steady["flaky"] is False and steady["reason"].startswith("schemathesis phase: ")


def test_a_failure_seen_anywhere_is_a_failure() -> None:
    """A suite that could not judge (or was not run) does not hide a FAIL of the phase; ERROR outranks."""
    for suite in ("BLOCKED", "UNIMPLEMENTED", "SKIPPED", "PASS", "INFORMATIONAL"):
        merged = by_requirement([row("VAL-STATUS-ENUM", suite), row("SCHEMATHESIS-VAL-STATUS-ENUM", "FAIL")])
        assert merged[0]["verdict"] == "FAIL", suite
    assert by_requirement([row("X", "ERROR"), row("SCHEMATHESIS-X", "FAIL")])[0]["verdict"] == "ERROR"
    # A BLOCKED the target did not cause judged nothing: the PASS that judged stands; one it caused wins.
    assert by_requirement([row("X", "PASS"), row("SCHEMATHESIS-X", "BLOCKED")])[0]["verdict"] == "PASS"
    caused = row("SCHEMATHESIS-X", "BLOCKED", blocked={"cause": "target", "requirement": "FLOW-X"})
    assert by_requirement([row("X", "PASS"), caused])[0]["verdict"] == "BLOCKED"
    assert by_requirement([row("X", "BLOCKED"), row("SCHEMATHESIS-X", "UNIMPLEMENTED")])[0]["verdict"] == (
        "UNIMPLEMENTED"
    )


def test_what_blocked_a_result_goes_with_the_verdict() -> None:
    """A BLOCKED the target caused fails the gate (`blocked`): it outranks a neutral one, and is only
    on a row whose verdict it explains."""
    neutral = row("X", "BLOCKED", blocked={"cause": "limit", "requirement": None})
    caused = row("SCHEMATHESIS-X", "BLOCKED", blocked={"cause": "target", "requirement": "FLOW-X"})
    merged = by_requirement([neutral, caused])[0]
    assert merged["blocked"] == {"cause": "target", "requirement": "FLOW-X"}
    assert merged["reason"] == "schemathesis phase: SCHEMATHESIS-X said BLOCKED"
    assert by_requirement([row("X"), caused])[0]["blocked"]["cause"] == "target"
    failed = by_requirement([neutral, row("SCHEMATHESIS-X", "FAIL")])[0]
    assert failed["verdict"] == "FAIL" and "blocked" not in failed


def test_a_fail_in_another_cases_outcome_fails_the_requirement_naming_the_case() -> None:
    echoed = outcome("no_secret_in_error", "VAL-SENSITIVE-NOT-ECHOED", "FAIL", exchange={"request": "r"})
    auth = row("AUTH-REVOKED", "FAIL", outcome("refused", "AUTH-REVOKED"), echoed)
    auth.update(expected=echoed["expected"], actual=echoed["actual"])  # the outcome that decided its case
    rows = by_id(by_requirement([row("VAL-SENSITIVE-NOT-ECHOED"), auth]))
    merged = rows["VAL-SENSITIVE-NOT-ECHOED"]
    assert merged["verdict"] == "FAIL"
    assert merged["reason"] == (
        "in case AUTH-REVOKED: VAL-SENSITIVE-NOT-ECHOED no_secret_in_error:"
        " expected no_secret_in_error holds, got no_secret_in_error fail"
    )
    assert merged["judged_by"] == ["suite", "case AUTH-REVOKED"]
    assert merged["outcomes"][-1] == {**echoed, "case": "AUTH-REVOKED"}
    assert merged["expected"] == echoed["expected"] and merged["actual"] == echoed["actual"]
    assert merged["curl"] == "curl AUTH-REVOKED" and merged["example"] == {"request": "AUTH-REVOKED"}
    assert merged["reproduce"].endswith("--case AUTH-REVOKED")
    assert merged["examples"] == 2  # the other case's requests are its own
    # The case it was seen in keeps its outcomes and its verdict.
    assert rows["AUTH-REVOKED"]["outcomes"] == auth["outcomes"] and rows["AUTH-REVOKED"]["verdict"] == "FAIL"
    assert rows["AUTH-REVOKED"]["judged_by"] == ["suite"]


def test_an_outcome_that_did_not_decide_its_case_shows_its_own_exchange_and_curl() -> None:
    seen = outcome(
        "only_status_changed", "STATE-ISOLATION", "NON-STRICT", exchange={"request": "own"}, curl="curl own"
    )
    other = row("STATE-MACHINE", "FAIL", outcome("model", "STATE-MACHINE", "FAIL"), seen)
    merged = by_id(by_requirement([row("STATE-ISOLATION", "BLOCKED"), other]))["STATE-ISOLATION"]
    assert merged["verdict"] == "NON-STRICT" and merged["reason"].startswith("in case STATE-MACHINE: ")
    assert merged["example"] == {"request": "own"} and merged["curl"] == "curl own"


def test_passing_and_blocked_outcomes_of_another_case_only_join_the_list() -> None:
    outcomes = [
        outcome("only_status_changed", "STATE-ISOLATION", "PASS"),
        outcome("state_read", "STATE-ISOLATION", "BLOCKED"),
    ]
    other = row("VAL-STATUS-ENUM", "BLOCKED", outcome("refused", "VAL-STATUS-ENUM"), *outcomes)
    rows = by_id(by_requirement([row("STATE-ISOLATION"), other]))
    merged = rows["STATE-ISOLATION"]
    assert merged["verdict"] == "PASS" and merged["reason"] is None
    assert merged["judged_by"] == ["suite", "case VAL-STATUS-ENUM"]
    assert [(o["check"], o.get("case")) for o in merged["outcomes"]] == [
        ("check", None),
        ("only_status_changed", "VAL-STATUS-ENUM"),
        ("state_read", "VAL-STATUS-ENUM"),
    ]


def test_an_outcome_of_a_requirement_without_a_row_makes_none() -> None:
    """Its case was not selected: what another case saw of it stays in that case's outcomes."""
    echoed = outcome("no_secret_in_error", "VAL-SENSITIVE-NOT-ECHOED", "FAIL")
    rows = by_requirement([row("AUTH-REVOKED", "FAIL", echoed)])
    assert [r["id"] for r in rows] == ["AUTH-REVOKED"]


def test_the_phase_alone_keeps_its_row_under_the_requirements_id() -> None:
    merged = by_requirement([row("SCHEMATHESIS-PROTO-NO-5XX", "FAIL")])
    assert [r["id"] for r in merged] == ["PROTO-NO-5XX"]
    assert merged[0]["judged_by"] == ["schemathesis"] and merged[0]["verdict"] == "FAIL"
    assert merged[0]["reason"] == "SCHEMATHESIS-PROTO-NO-5XX said FAIL"
    assert merged[0]["outcomes"][0]["case"] == "SCHEMATHESIS-PROTO-NO-5XX"


def test_no_duplicate_ids_and_the_inputs_are_left_as_they_were() -> None:
    cases = [
        row("PROTO-NO-5XX", "PASS", outcome("x", "STATE-ISOLATION", "FAIL")),
        row("SCHEMATHESIS-PROTO-NO-5XX", "FAIL", outcome("y", "PROTO-NO-5XX", "FAIL")),
        row("STATE-ISOLATION"),
        row("SCHEMATHESIS-AUTH-UNSIGNED"),
    ]
    before = json.dumps(cases, sort_keys=True)
    rows = by_id(by_requirement(cases))
    assert set(rows) == {"PROTO-NO-5XX", "STATE-ISOLATION", "AUTH-UNSIGNED"}
    assert json.dumps(cases, sort_keys=True) == before
    assert rows["STATE-ISOLATION"]["verdict"] == "FAIL"
    assert rows["STATE-ISOLATION"]["judged_by"] == ["suite", "case PROTO-NO-5XX"]
    # Merging merged rows again changes nothing but the marks it already made.
    again = by_id(by_requirement(rows.values()))
    assert {k: r["verdict"] for k, r in again.items()} == {k: r["verdict"] for k, r in rows.items()}


# --- end to end -------------------------------------------------------------------------------------

# The suite's own RES-UNKNOWN-DEVICE passes this fault (a 55-character key is refused as if malformed);
# only the phase sends a kept 55-character key of no device (test_schemathesis_phase.PHASE_CAUGHT).
PHASE_ONLY = ("rejects-longest-key", "RES-UNKNOWN-DEVICE")


def test_a_fault_only_the_phase_catches_is_one_fail_row_judged_by_the_phase(tmp_path: Path) -> None:
    fault, requirement = PHASE_ONLY
    server = subprocess.Popen(
        [*CLI, "serve-reference", "--port", "0", "--fault", fault], stdout=subprocess.PIPE, text=True, env=ENV
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split("listening on ")[1].split()[0]
        selected = f"{requirement},{PREFIX}{requirement}"
        done = cli("run", "--target", url, "--case", selected, "--report-dir", str(tmp_path))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert done.returncode == 1, done.stdout[-1500:] + done.stderr[-1500:]
    document = json.loads((tmp_path / "results.json").read_text())
    assert not [c["id"] for c in document["cases"] if c["id"].startswith(PREFIX)]
    rows = [c for c in document["cases"] if c["requirement"] == requirement]
    assert len(rows) == 1 and rows[0]["id"] == requirement
    result = rows[0]
    assert result["verdict"] == "FAIL" and result["judged_by"] == ["suite", "schemathesis"]
    assert result["reason"].startswith("schemathesis phase: ")
    assert result["curl"] and result["reproduce"].endswith(f"--case {PREFIX}{requirement}")
    assert {o.get("case") for o in result["outcomes"] if o["verdict"] == "FAIL"} == {PREFIX + requirement}
    assert document["summary"]["FAIL"] == 1 and sum(document["summary"].values()) == 1
    assert "score: 0 of 1 applicable requirements passed" in done.stdout
    assert "eyJ" not in json.dumps(document) + done.stdout + done.stderr


def test_a_failure_of_a_requirement_whose_case_did_not_run_gets_it_a_row() -> None:
    echoed = outcome("no_secret_in_error", "VAL-SENSITIVE-NOT-ECHOED", "FAIL")
    passed = outcome("not_5xx", "PROTO-NO-5XX", "PASS")
    rows = by_id(
        by_requirement(
            [row("AUTH-REVOKED", "PASS", outcome("refused", "AUTH-REVOKED"), echoed, passed)], catalog()
        )
    )
    assert rows["VAL-SENSITIVE-NOT-ECHOED"]["verdict"] == "FAIL"
    assert rows["VAL-SENSITIVE-NOT-ECHOED"]["judged_by"] == ["case AUTH-REVOKED"]
    assert "PROTO-NO-5XX" not in rows  # a PASS seen elsewhere makes no partial row
