"""The conformance cases as pytest tests (collected when pytest runs with --target)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.contract.catalog import catalog

from .plugin import PLUGIN_NAME, ConformanceRun, outcome_of
from .registry import CASES, select
from .runner import run_case


def _run(config: pytest.Config) -> ConformanceRun:
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    assert isinstance(plugin, ConformanceRun), "run pytest with --target=..."
    return plugin


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case_id" in metafunc.fixturenames:
        ids = [c.id for c in select(_run(metafunc.config).case_pattern)]
        metafunc.parametrize("case_id", ids, ids=ids)


@pytest.fixture(scope="session")
def conformance_session(request: pytest.FixtureRequest) -> Iterator[Any]:
    run = _run(request.config)
    try:
        yield run.session()
    finally:
        run.close()


def test_case(case_id: str, conformance_session: Any, request: pytest.FixtureRequest) -> None:
    result = run_case(conformance_session, CASES[case_id], catalog())
    _run(request.config).record(result)
    request.node.user_properties += [("case", case_id), ("verdict", str(result.verdict))]
    outcome = outcome_of(result)
    if outcome == "failed":
        pytest.fail(f"{result.verdict}: {result.reason}", pytrace=False)
    if outcome == "skipped":
        pytest.skip(f"{result.verdict}: {result.reason}")
