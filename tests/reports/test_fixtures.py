"""The sample runs: valid against results.schema.json, every verdict present.

reference / moto / faulty are generated (fixtures/generate.py); engine-*.results.json are real runs of
the engine, kept to prove the reports render what the engine writes (`cognito-conformance run --seed 0`,
results.json copied): engine-moto `--target moto`, engine-reference-http `--target reference-http`,
engine-faulty `--target URL` of `serve-reference --port 0 --fault other-users-device`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.errors import SuiteError
from conformance.reports.results import SCHEMA_FILE, validate_results
from conformance.reports.verdicts import OUTCOME_ORDER, counts, score

from .conftest import FAKE_PASSWORD, load_fixture

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "results.schema.json"
ALL = ["reference", "moto", "faulty", "engine-moto", "engine-reference-http", "engine-faulty"]


@pytest.mark.parametrize("name", ALL)
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
    assert (moto.passed, moto.applicable, moto.informational) == (0, 51, 2)
    reference = score(load_fixture("engine-reference-http")["cases"])
    assert reference.passed == reference.applicable == 49


def test_faulty_fixture_really_carries_secrets() -> None:
    """Precondition of the leak tests: there is something to redact."""
    text = json.dumps(load_fixture("faulty"))
    assert "eyJ" in text and FAKE_PASSWORD in text


@pytest.mark.parametrize("name", ALL)
def test_a_judged_verdict_is_the_worst_outcome(name: str) -> None:
    """As the engine decides it (conformance/judge/outcomes.py): the fixtures hold what the reports will
    be given."""
    for case in load_fixture(name)["cases"]:
        outcomes = case.get("outcomes", [])
        if case["verdict"] in ("PASS", "NON-STRICT", "FAIL") and outcomes:
            worst = min((o["verdict"] for o in outcomes), key=OUTCOME_ORDER.index)
            assert worst == case["verdict"], case["id"]


def test_fixtures_carry_outcomes_and_steps() -> None:
    for name in ("reference", "engine-reference-http", "faulty", "engine-faulty"):
        run = load_fixture(name)
        passes = [c for c in run["cases"] if c["verdict"] == "PASS"]
        assert passes and all(c["outcomes"] for c in passes), name
        # A PASS records what the target answered, not "as documented".
        assert all(c["actual"] and "as documented" not in json.dumps(c["actual"]) for c in passes), name
        machine = next(c for c in run["cases"] if c["id"] == "STATE-MACHINE")
        assert machine["steps"] and all(isinstance(n, int) for n in machine["steps"].values()), name
    faulty = [
        o for c in load_fixture("engine-faulty")["cases"] for o in c["outcomes"] if o["verdict"] == "FAIL"
    ]
    assert {o["check"] for o in faulty} >= {"refused", "unchanged"}


def test_faulty_fixture_plants_secrets_in_outcomes() -> None:
    """Precondition of the leak tests: an outcome's actual and exchange carry secrets."""
    case = next(c for c in load_fixture("faulty")["cases"] if c["id"] == "AUTH-NOT-JWT")
    refused = next(o for o in case["outcomes"] if o["check"] == "refused")
    assert FAKE_PASSWORD in refused["actual"]
    assert "eyJ" in json.dumps(refused["exchange"]["request"]) and FAKE_PASSWORD in json.dumps(
        refused["exchange"]
    )


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda c: c["outcomes"][0].pop("check"), "outcomes/0"),
        (lambda c: c["outcomes"][0].update(verdict="UNIMPLEMENTED"), "outcomes/0/verdict"),
        (lambda c: c["outcomes"][0].update(count=0), "outcomes/0/count"),
        (lambda c: c["outcomes"][0].update(exchange="GET /"), "outcomes/0/exchange"),
        (lambda c: c.update(outcomes={"check": "x"}), "outcomes"),
        (lambda c: c.update(steps={"update": -1}), "steps/update"),
        (lambda c: c.update(steps={"update": 1.5}), "steps/update"),
    ],
)
def test_malformed_outcomes_and_steps_are_refused(edit: Any, where: str) -> None:
    run = load_fixture("engine-faulty")
    index, case = next((i, c) for i, c in enumerate(run["cases"]) if c["id"] == "STATE-MACHINE")
    edit(case)
    with pytest.raises(SuiteError, match=f"at cases/{index}/{where}:"):
        validate_results(run, "engine-faulty")


def schema_changes(floor: Any, ours: Any, where: str = "") -> list[str]:
    """How `ours` departs from `floor`, other than by new members of a `properties` object (new
    optional fields: `required` lists must stay equal, so nothing new is required)."""
    if isinstance(floor, dict) and isinstance(ours, dict):
        out = [f"{where}/{k}: dropped" for k in floor if k not in ours]
        for key in floor.keys() & ours.keys():
            out += schema_changes(floor[key], ours[key], f"{where}/{key}")
        added = sorted(ours.keys() - floor.keys())
        if added and not where.endswith("/properties"):
            out.append(f"{where}: added {added}")
        return out
    return [] if floor == ours else [f"{where}: changed"]


def test_schema_change_detection() -> None:
    """The comparison below can fail: a dropped, changed or newly required field is caught."""
    ours = json.loads(SCHEMA_FILE.read_text())
    assert schema_changes(ours, ours) == []
    case = ["properties", "cases", "items"]

    def edited(edit: Any) -> list[str]:
        copy_ = copy.deepcopy(ours)
        node = copy_
        for key in case:
            node = node[key]
        edit(node)
        return schema_changes(ours, copy_)

    assert edited(lambda n: n["properties"].pop("reason")) == [
        "/properties/cases/items/properties/reason: dropped"
    ]
    assert edited(lambda n: n["required"].append("outcomes")) == ["/properties/cases/items/required: changed"]
    assert edited(lambda n: n["properties"]["verdict"]["enum"].pop()) != []
    assert edited(lambda n: n.update(additionalProperties=False)) == [
        "/properties/cases/items: added ['additionalProperties']"
    ]
    assert edited(lambda n: n["properties"].update(extra={"type": "string"})) == []


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="no shared/ next to the checkout")
def test_schema_only_adds_optional_fields_to_shared() -> None:
    """shared/results.schema.json is the floor: ours may add optional fields, never drop or change one."""
    floor = json.loads(SHARED_SCHEMA.read_text())
    ours = json.loads(SCHEMA_FILE.read_text())
    assert schema_changes(floor, ours) == []
    case = ours["properties"]["cases"]["items"]
    assert {"outcomes", "steps"} <= case["properties"].keys() and "outcomes" not in case["required"]
