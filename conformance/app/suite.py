"""The conformance cases as pytest tests (collected when pytest runs with --target)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.app.budget import left_out
from conformance.app.session import PLUGIN_NAME, ConformanceRun, not_run, outcome_of
from conformance.contract.catalog import catalog
from conformance.engine.registry import CASES, selected
from conformance.engine.runner import run_case
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.targets.target import STOPPED


def _run(config: pytest.Config) -> ConformanceRun:
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    assert isinstance(plugin, ConformanceRun), "run pytest with --target=..."
    return plugin


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case_id" in metafunc.fixturenames:
        run = _run(metafunc.config)
        cases = selected(run.settings)
        # The schemathesis phase runs once per process: its cases go to one xdist worker (--dist loadgroup).
        params = [
            pytest.param(c.id, marks=[pytest.mark.xdist_group("schemathesis")] if c.schemathesis else [])
            for c in cases
        ]
        metafunc.parametrize("case_id", params, ids=[c.id for c in cases])


@pytest.fixture(scope="session")
def conformance_session(request: pytest.FixtureRequest) -> Iterator[Any]:
    run = _run(request.config)
    try:
        yield run.session()
    finally:
        run.close()


def _judge_or_block(run: ConformanceRun, session: Any, case_id: str) -> CaseResult:
    """Run the case, unless the call budget's plan leaves it out (SKIPPED) or the target has stopped
    answering (BLOCKED): then nothing is sent."""
    if run.plan is not None and case_id not in run.plan.cases:
        return left_out(case_id, run.plan, session.settings)
    target = session.target
    if target.stopped is not None:
        detail = target.stopped.removeprefix(STOPPED).strip()
        after = f"after case {run.stopped_after}" if run.stopped_after else "before any case ran"
        return not_run(session, case_id, f"{STOPPED} {after} {detail}".rstrip())
    result = run_case(session, CASES[case_id], catalog())
    if target.stopped is not None:
        run.stopped_after = case_id
    if target.stopped is not None and result.verdict not in (Verdict.ERROR, Verdict.FAIL):
        # It went silent during this case: the answers that never came judge nothing (they are no FAIL);
        # a FAIL stays (the request it broke on is one: PROTO-NO-5XX), as does a suite bug.
        result.verdict = Verdict.BLOCKED
        result.reason = f"{STOPPED} during this case {target.stopped.removeprefix(STOPPED).strip()}"
        result.blocked = {"cause": "stopped", "requirement": None}
        result.curl = None
    return result


def test_case(case_id: str, conformance_session: Any, request: pytest.FixtureRequest) -> None:
    run = _run(request.config)
    result = _judge_or_block(run, conformance_session, case_id)
    run.record(result)
    request.node.user_properties += [("case", case_id), ("verdict", str(result.verdict))]
    outcome = outcome_of(result, run.known(result))
    if outcome == "failed":
        pytest.fail(f"{result.verdict}: {result.reason}", pytrace=False)
    if outcome == "xfailed":
        pytest.xfail(f"{result.verdict} (expected by the baseline): {result.reason}")
    if outcome == "skipped":
        pytest.skip(f"{result.verdict}: {result.reason}")
