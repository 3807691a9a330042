"""The call budget (conformance/app/budget.py): on aws the run stays within 400 calls by default,
UpdateDeviceStatus's MUST cases all planned, one case of each other operation, the rest by priority;
`--budget N` plans more or fewer; the cases left out are SKIPPED in the run (neutral for the gate,
never a PASS); the dry run says how the plan was made. The plan is measured, so a conformant target
costs exactly what it says."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import conformance.cases  # noqa: F401  (registers every case)
from conformance.app.budget import FAMILY_PRIORITY, HEADLINE, Plan, plan, planned, priority
from conformance.cli import build_parser, main
from conformance.contract.catalog import LEVELS, OPERATIONS, catalog
from conformance.engine.context import RunSession
from conformance.engine.registry import select, selected
from conformance.engine.runner import run_case
from conformance.engine.settings import LIVE_BUDGET, RunSettings
from conformance.errors import EXIT_USAGE
from conformance.provisioning import Provisioner
from conformance.targets import open_target

CLI = [sys.executable, "-m", "conformance.cli"]
AWS = RunSettings.of({"target_spec": "aws"})


def dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict[str, Any], str]:
    """`run --dry-run` in this process (a rehearsal is made once per process): plan.json and the text."""
    code = main(["run", "--dry-run", "--report-dir", str(tmp_path), *argv])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads((tmp_path / "plan.json").read_text()), captured.out


def headline_cases(*levels: str) -> set[str]:
    found = select(None, schemathesis=False, operations=(HEADLINE,))
    return {c.id for c in found if not levels or catalog().get(c.requirement).level in levels}


def test_the_aws_dry_run_fits_400_calls_with_every_headline_must_and_each_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no configuration file
    document, text = dry_run(tmp_path, capsys, "--target", "aws")
    assert document["budget"] == LIVE_BUDGET == 400
    assert 0 < document["total"] <= 400
    assert sum(document["by_operation"].values()) == document["total"]
    assert headline_cases("MUST") <= set(document["cases"])
    assert {document["judged"][c] for c in document["cases"]} == set(OPERATIONS)  # one of each, at least
    assert document["every_case"] > 400 and document["left_out"]  # the other operations' cases cost more
    total = document["total"]
    # The text: the total, how the plan was made (priority), what is in, what is left out and why.
    assert (
        f"plan: at most 400 calls on aws, provisioning included (--budget N changes it): {total} planned"
        in text
    )
    flat = " ".join(text.split())
    assert "priority: UpdateDeviceStatus's MUST cases first (the headline)" in flat
    assert "(UpdateDeviceStatus's SHOULD and INFO among them) by level" in flat
    assert "by level (MUST > SHOULD > MAY > INFO)" in flat
    assert "family (authorization > resources > state > pagination >" in flat
    assert '"not in the 400-call plan for aws; --budget N runs more"' in text
    assert f"--budget {document['every_case']} plans every case" in text
    planned_headline = len(set(document["cases"]) & headline_cases())
    assert f"{planned_headline}/{len(headline_cases())}" in text
    for case_id in document["left_out"]:
        assert f"    {case_id} " in text


def test_each_operation_has_a_case_wherever_one_fits() -> None:
    """At the default budget, an operation without a planned case is one none of whose cases fits in
    what is left (the dry run says which budget plans one of each); at that budget, all nine have one."""
    cases = selected(AWS)
    default = planned(cases, AWS)
    assert default is not None
    room = LIVE_BUDGET - default.total
    for op in OPERATIONS:
        mine = [c.id for c in cases if c.operation == op]
        if not any(c in default.cases for c in mine):
            assert min(default.calls[c] for c in mine) > room, op
    assert default.one_each <= LIVE_BUDGET  # the headline's MUSTs and one case of each fit the default
    wider = planned(cases, replace(AWS, budget=max(default.one_each, LIVE_BUDGET)))
    assert wider is not None and wider.total <= max(default.one_each, LIVE_BUDGET)
    assert {wider.judged[c] for c in wider.cases} == set(OPERATIONS)
    assert headline_cases("MUST") <= set(wider.cases)


def test_a_larger_budget_plans_more_and_the_whole_cost_plans_every_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    default, _ = dry_run(tmp_path / "default", capsys, "--target", "aws")
    more, text = dry_run(tmp_path / "800", capsys, "--target", "aws", "--budget", "800")
    assert default["total"] < more["total"] <= 800
    assert set(default["cases"]) < set(more["cases"])
    assert "plan: at most 800 calls on aws" in text
    every = str(default["every_case"])
    whole, text = dry_run(tmp_path / "all", capsys, "--target", "aws", "--budget", every)
    assert whole["left_out"] == [] and whole["total"] == default["every_case"]
    assert "every case fits" in text


def test_a_budget_applies_on_any_target_and_none_is_the_default_there() -> None:
    assert RunSettings.of({"target_spec": "reference"}).budget is None
    assert RunSettings.of({"target_spec": "http://127.0.0.1:9229", "budget": 50}).budget == 50
    assert RunSettings.of({"target_spec": "aws:eu-west-1"}).budget == LIVE_BUDGET
    reference = RunSettings.of({"target_spec": "reference"})
    assert planned(selected(reference), reference) is None  # no budget: nothing is rehearsed


def test_priority_orders_the_headline_musts_then_level_then_family() -> None:
    ordered = sorted(select(None, schemathesis=False), key=priority)
    musts = headline_cases("MUST")
    first = [c.id in musts for c in ordered]
    assert first == sorted(first, reverse=True)  # every headline MUST first
    for group in ([c for c in ordered if c.id in musts], [c for c in ordered if c.id not in musts]):
        keys = [catalog().get(c.requirement) for c in group]
        levels = [LEVELS.index(r.level) for r in keys]
        assert levels == sorted(levels)
        for level in set(levels):
            families = [FAMILY_PRIORITY.index(r.family) for r in keys if LEVELS.index(r.level) == level]
            assert families == sorted(families)


def test_the_plan_is_exact_for_a_conformant_target() -> None:
    """A run of the planned cases alone costs, call by call, what the plan says, though cases it left
    out made, in the rehearsal, fixtures that the planned ones share (users, pools, probes)."""
    cases = selected(AWS)
    budget = 800  # a mix of the other operations' cases left out (as in the test above: one rehearsal)
    made = plan(cases, replace(AWS, budget=budget))
    assert made.left_out and made.total <= budget
    target = open_target("reference")
    provisioner = Provisioner(target, run_id="exact")
    try:
        session = RunSession(replace(AWS, target_spec="reference"), target, provisioner)
        session._probe = lambda operation: None  # type: ignore[method-assign]  # as on AWS: not probed
        for c in cases:
            if c.id in made.cases:
                verdict = run_case(session, c, catalog()).verdict.value
                assert verdict in ("PASS", "INFORMATIONAL"), c.id
    finally:
        provisioner.close()
        target.close()
    assert dict(sorted(Counter(r.operation for r in target.calls.records()).items())) == made.by_operation


def test_the_plan_survives_the_trip_to_an_xdist_worker() -> None:
    made = planned(selected(AWS), AWS)
    assert made is not None
    assert Plan.from_json(json.loads(json.dumps(made.as_json()))) == made


def test_a_budget_below_one_or_that_fits_no_case_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["run", "--budget", "0"])
    assert exited.value.code == EXIT_USAGE
    assert "must be at least 1" in capsys.readouterr().err
    code = main(["run", "--dry-run", "--case", "GET-VAL-REQUIRED", "--budget", "1", "--report-dir", "x"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_USAGE and len(lines) == 1, lines
    assert "--budget 1 plans no case: the cheapest costs" in lines[0]


def test_the_run_help_says_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--budget N the most calls the run may make, provisioning included" in text
    assert "(default 400 on aws; none elsewhere)" in text


def test_cases_left_out_are_skipped_in_a_budgeted_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run path, on the reference (no network): the plan the dry run shows is the one the run
    applies; the cases it leaves out are SKIPPED with the reason, nothing sent for them; the gate passes;
    the run costs exactly the plan."""
    scope = [
        "--target",
        "reference",
        "--case",
        "GET-VAL-*,LIST-VAL-*",
        "--examples",
        "5",
        "--schemathesis",
        "0",
    ]
    settings = RunSettings.of(
        {"target_spec": "reference", "case": "GET-VAL-*,LIST-VAL-*", "examples": 5, "schemathesis": 0}
    )
    budget = plan(selected(settings), settings).total - 1  # every case but (at least) one
    monkeypatch.chdir(tmp_path)
    shown, _ = dry_run(tmp_path, capsys, *scope, "--budget", str(budget))
    # The run itself in a process of its own, as a user runs it (its plan made there again).
    args = [*scope, "--budget", str(budget), "--report-dir", str(tmp_path)]
    result = subprocess.run([*CLI, "run", *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(shown['left_out'])} SKIPPED (--dry-run shows the plan" in result.stdout
    document = json.loads((tmp_path / "results.json").read_text())
    verdicts = {c["id"]: c for c in document["cases"]}
    assert shown["left_out"]
    for case_id in shown["left_out"]:
        skipped = verdicts[case_id]
        assert skipped["verdict"] == "SKIPPED" and skipped["examples"] == 0 and skipped["outcomes"] == []
        assert skipped["reason"] == f"not in the {budget}-call plan for reference; --budget N runs more"
    for case_id in shown["cases"]:  # judged, as the reference is judged (PASS or INFORMATIONAL)
        assert verdicts[case_id]["verdict"] in ("PASS", "INFORMATIONAL")
    summary = document["summary"]
    assert summary["SKIPPED"] == len(shown["left_out"])  # never counted as a PASS
    assert summary["PASS"] + summary["INFORMATIONAL"] == len(shown["cases"])
    assert document["calls"]["total"] == shown["total"] <= budget
