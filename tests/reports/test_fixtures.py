"""The sample runs: valid against results.schema.json, every verdict present.

reference / moto / faulty are generated (fixtures/generate.py); engine-*.results.json are real runs of
the engine (`run --target moto` and `--target reference-http`, seed 0), kept to prove the reports
render what the engine writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.reports.results import SCHEMA_FILE, validate_results
from conformance.reports.verdicts import counts, score

from .conftest import FAKE_PASSWORD, load_fixture

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "results.schema.json"


@pytest.mark.parametrize("name", ["reference", "moto", "faulty", "engine-moto", "engine-reference-http"])
def test_fixture_is_valid_and_summary_matches(name: str) -> None:
    run = load_fixture(name)
    validate_results(run, name)
    assert run["summary"] == counts(run["cases"])


def test_fixtures_cover_every_verdict_and_a_flaky_case() -> None:
    ref, moto, faulty = (load_fixture(n) for n in ("reference", "moto", "faulty"))
    assert {c["verdict"] for c in ref["cases"]} == {"PASS", "INFORMATIONAL"}
    assert {"UNIMPLEMENTED", "BLOCKED", "FAIL"} <= {c["verdict"] for c in moto["cases"]}
    assert {"FAIL", "NON-STRICT", "ERROR", "SKIPPED"} <= {c["verdict"] for c in faulty["cases"]}
    assert any(c["flaky"] for c in faulty["cases"])


def test_a_target_that_implements_nothing_never_scores() -> None:
    """DESIGN.md: INFORMATIONAL records (error coverage) are not passes, so moto scores 0."""
    moto = score(load_fixture("engine-moto")["cases"])
    assert (moto.passed, moto.applicable, moto.informational) == (0, 25, 2)
    reference = score(load_fixture("engine-reference-http")["cases"])
    assert reference.passed == reference.applicable == 49


def test_faulty_fixture_really_carries_secrets() -> None:
    """Precondition of the leak tests: there is something to redact."""
    text = json.dumps(load_fixture("faulty"))
    assert "eyJ" in text and FAKE_PASSWORD in text


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="no shared/ next to the checkout")
def test_schema_copy_matches_shared() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == json.loads(SHARED_SCHEMA.read_text())
