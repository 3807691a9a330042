"""The schemathesis phase's requests are watched like every other request (issue "Verdicts that
generalize", item 1): a refusal among them changes nothing, an accepted update changes only the status."""

from __future__ import annotations

from conformance.contract import ids
from conformance.judge.verdicts import Verdict

from .conftest import faulty_endpoint, run_cases, session_for

WATCH = ("refusal_changed_nothing", "only_status_changed", "status_as_sent")
CASES = "SCHEMATHESIS-AUTH-NOT-JWT,SCHEMATHESIS-AUTH-UNSIGNED"


def _watched(outcomes: list[dict[str, object]]) -> dict[tuple[str, str], set[str]]:
    """(check, requirement) -> the verdicts the watch's checks gave (a device that changed and one
    that did not, in one case, give both)."""
    found: dict[tuple[str, str], set[str]] = {}
    for o in outcomes:
        if o["check"] in WATCH:
            found.setdefault((str(o["check"]), str(o["requirement"])), set()).add(str(o["verdict"]))
    return found


def test_on_the_reference_the_phase_watch_looked_and_everything_held() -> None:
    with session_for("reference") as session:
        results = run_cases(session, CASES)
    refusals = _watched(results["SCHEMATHESIS-AUTH-NOT-JWT"].outcomes)
    updates = _watched(results["SCHEMATHESIS-AUTH-UNSIGNED"].outcomes)
    assert refusals == {("refusal_changed_nothing", ids.AUTH_NOT_JWT): {"PASS"}}
    assert updates[("only_status_changed", ids.STATE_ISOLATION)] == {"PASS"}
    assert {r.verdict for r in results.values()} == {Verdict.PASS}


def test_a_refusal_the_phase_provoked_that_changed_the_device_fails_its_requirement() -> None:
    with faulty_endpoint("not-jwt-touches-device") as url, session_for(url) as session:
        result = run_cases(session, "SCHEMATHESIS-AUTH-NOT-JWT")["SCHEMATHESIS-AUTH-NOT-JWT"]
    assert result.verdict is Verdict.FAIL, result.reason
    watched = _watched(result.outcomes)
    assert set(watched) == {("refusal_changed_nothing", ids.AUTH_NOT_JWT)}
    assert "FAIL" in watched[("refusal_changed_nothing", ids.AUTH_NOT_JWT)]
