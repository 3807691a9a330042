"""The other operations' state, pagination and attributes (specs/requirements/state.toml; cases in
conformance/cases/devices/state.py, listing.py, attributes.py) are proved as UpdateDeviceStatus's are: the
conformant reference passes every one of them, and every generated faulty variant of them
(conformance/reference/mutants.py: a view, a forget, an update, a page or a date got wrong) FAILs on the
requirement it names (NON-STRICT where the part it breaks is a SHOULD), with no ERROR, and on no other
requirement but the few each product explains below."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.contract.catalog import catalog
from conformance.engine.context import RunSession
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.check import CHECKS
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.reference import ReferenceBackend
from conformance.reference.mutants import MUTANTS, NOT_GENERATED, MutantBackend

from .conftest import failing_requirements, serving, session_for

FAMILIES = ("state", "pagination", "attributes")
NEW = {r.id for r in catalog().requirements if r.family in FAMILIES and r.operation != "UpdateDeviceStatus"}
INFO = {r for r in NEW if catalog().get(r).level == "INFO"}
PRODUCTS = sorted(name for name, m in MUTANTS.items() if m.requirement in NEW)
# product -> the other requirements it also FAILs, and why (each a consequence of the one mistake).
ALSO: dict[str, tuple[set[str], str]] = {
    "state:ListDevices:lists-pool-devices": (
        {"LIST-PAGE-EXACTLY-ONCE"},
        "with Limit 1 the walk pages through the pool's devices, more than four pages",
    ),
    "state:AdminGetDevice:shows-remembered": (
        {"STATE-NOT-REMEMBERED-KEEPS"},
        "the watch reads every accepted UpdateDeviceStatus back through AdminGetDevice",
    ),
    "state:AdminForgetDevice:kept-not-remembered": (
        {"ADMIN-FORGET-RES-UNKNOWN"},
        "the forgotten device is still there, so forgetting it again (a forgotten key) is accepted",
    ),
    "attributes:GetDevice:year-one-last-authenticated": (
        {"GET-STATE-VIEW"},
        "GetDevice's dates then differ from AdminGetDevice's",
    ),
    "attributes:GetDevice:dates-as-text": (
        {"GET-STATE-VIEW"},
        "GetDevice's dates then differ from AdminGetDevice's",
    ),
}


# product -> the checks it breaks on its requirement: together, every check of these cases (and the watch's
# for AdminUpdateDeviceStatus) is broken by some product: none is a check that cannot fail.
BREAKS: dict[str, set[str]] = {
    "attributes:AdminGetDevice:dates-in-milliseconds": {"device_shape"},
    "attributes:AdminGetDevice:year-one-last-authenticated": {"device_shape"},
    "attributes:AdminListDevices:created-after-modified": {"device_shape"},
    "attributes:AdminListDevices:year-one-last-authenticated": {"device_shape"},
    "attributes:GetDevice:dates-as-text": {"device_shape"},
    "attributes:GetDevice:year-one-last-authenticated": {"device_shape"},
    "attributes:ListDevices:attributes-as-map": {"device_shape"},
    "attributes:ListDevices:year-one-last-authenticated": {"device_shape"},
    "paging:AdminListDevices:integer-token": {"foreign_token_refused"},
    "paging:AdminListDevices:limit-ignored": {"within_limit"},
    "paging:AdminListDevices:token-names-owner": {"foreign_token_refused"},
    "paging:AdminListDevices:token-skips": {"each_once"},
    "paging:ListDevices:first-token-repeats": {"each_once"},
    "paging:ListDevices:integer-token": {"foreign_token_refused"},
    "paging:ListDevices:last-page-token": {"each_once"},
    "paging:ListDevices:page-over-limit": {"within_limit"},
    "paging:ListDevices:token-names-owner": {"foreign_token_refused"},
    "state:AdminForgetDevice:forgets-users-devices": {"as_it_was"},
    "state:AdminForgetDevice:kept-not-remembered": {"listing_holds", "refused"},
    "state:AdminGetDevice:shows-remembered": {"admin_shows"},
    "state:AdminListDevices:omits-not-remembered": {"listing_holds"},
    "state:AdminListDevices:status-dropped": {"statuses_listed"},
    "state:AdminUpdateDeviceStatus:name-dropped": {"only_status_changed_for", "status_only"},
    "state:AdminUpdateDeviceStatus:status-on-users-devices": {"as_it_was", "only_status_changed_for"},
    "state:AdminUpdateDeviceStatus:stored-inverted": {
        "status_as_sent",
        "status_only",
        "user_list_agrees",
        "user_view_agrees",
    },
    "state:ForgetDevice:forgets-users-devices": {"as_it_was"},
    "state:ForgetDevice:kept-not-remembered": {"listing_holds", "refused"},
    "state:ForgetDevice:still-admin-listed": {"listing_holds"},
    "state:GetDevice:name-dropped": {"view_matches_admin"},
    "state:GetDevice:not-remembered-shown": {"refused"},
    "state:GetDevice:shows-first-device": {"view_matches_admin"},
    "state:ListDevices:lists-pool-devices": {"listing_holds"},
    "state:ListDevices:not-remembered-listed": {"listing_holds"},
}
MODULES = {f"conformance.cases.devices.{m}" for m in ("state", "listing", "attributes")}


def _run(session: RunSession, operation: str) -> dict[str, CaseResult]:
    """Every case of the operation (the schemathesis phase aside: it judges no requirement of these)."""
    cases = select(None, schemathesis=False, operations=(operation,))
    return {c.id: run_case(session, c, catalog()) for c in cases}


@pytest.fixture(scope="module")
def reference_session() -> Iterator[RunSession]:
    with serving(ReferenceBackend()) as url, session_for(url, examples=6) as session:
        yield session


def test_every_requirement_has_a_case_and_every_judged_one_its_faults() -> None:
    assert len(NEW) >= 20
    operations = {catalog().get(r).operation for r in NEW}
    assert operations == {
        "ConfirmDevice",
        "GetDevice",
        "ListDevices",
        "ForgetDevice",
        "AdminGetDevice",
        "AdminListDevices",
        "AdminUpdateDeviceStatus",
        "AdminForgetDevice",
    }
    cases = {c.requirement for c in select(None)}
    assert cases >= NEW
    assert {MUTANTS[p].requirement for p in PRODUCTS} == NEW - INFO  # every judged one has a product
    assert set(NOT_GENERATED) >= INFO  # what only records has none, and says why
    assert {MUTANTS[p].kind for p in PRODUCTS} == {"state", "paging", "attributes"}
    assert set(ALSO) <= set(PRODUCTS)


@pytest.mark.parametrize("operation", sorted({catalog().get(r).operation for r in NEW}))
def test_the_reference_passes_each_operations_state_paging_and_attributes(
    reference_session: RunSession, operation: str
) -> None:
    results = {k: r for k, r in _run(reference_session, operation).items() if k in NEW}
    assert results
    wanted = {k: Verdict.INFORMATIONAL if k in INFO else Verdict.PASS for k in results}
    assert {k: r.verdict for k, r in results.items()} == wanted, {
        k: r.reason for k, r in results.items() if r.verdict is not wanted[k]
    }
    for key, result in results.items():  # a PASS saw answers, and says what each check saw
        if key not in INFO:
            assert [o for o in result.outcomes if o["requirement"] == key and o["verdict"] == "PASS"]


@pytest.mark.parametrize("name", PRODUCTS)
def test_each_generated_fault_fails_its_requirement_and_only_what_it_explains(name: str) -> None:
    mutant = MUTANTS[name]
    with serving(MutantBackend(name)) as url, session_for(url, examples=6) as session:
        results = _run(session, mutant.operation)
    assert not [k for k, r in results.items() if r.verdict is Verdict.ERROR], {
        k: r.reason for k, r in results.items() if r.verdict is Verdict.ERROR
    }
    wanted = Verdict.FAIL if mutant.level == "MUST" else Verdict.NON_STRICT
    own = results[mutant.requirement]
    assert own.verdict is wanted, (mutant.mistake, own.verdict, own.reason)
    also, _ = ALSO.get(name, (set(), ""))
    assert failing_requirements(results) == {mutant.requirement} | also, mutant.mistake
    broken = {
        o["check"]
        for r in results.values()
        for o in r.outcomes
        if o["requirement"] == mutant.requirement and o["verdict"] in ("FAIL", "NON-STRICT")
    }
    assert broken >= BREAKS[name], (mutant.mistake, broken)


def test_every_check_of_these_cases_is_broken_by_some_product() -> None:
    assert set(BREAKS) == set(PRODUCTS)
    defined = {name for name, c in CHECKS.items() if getattr(c.fn, "__module__", "") in MODULES}
    assert len(defined) >= 10
    assert defined | {"only_status_changed_for"} <= set().union(*BREAKS.values())


def test_an_accepted_admin_update_is_judged_wherever_it_is_sent() -> None:
    """The watch (engine/watch.py) judges every accepted AdminUpdateDeviceStatus, as it does
    UpdateDeviceStatus: the one that stores the opposite status FAILs in the validation cases too, whose
    valid twins it accepts."""
    name = "state:AdminUpdateDeviceStatus:stored-inverted"
    with serving(MutantBackend(name)) as url, session_for(url, examples=6) as session:
        results = _run(session, "AdminUpdateDeviceStatus")
    elsewhere = {
        (case_id, o["check"])
        for case_id, r in results.items()
        if case_id != "ADMIN-UPDATE-STATE-AS-SENT"
        for o in r.outcomes
        if o["requirement"] == "ADMIN-UPDATE-STATE-AS-SENT" and o["verdict"] == "FAIL"
    }
    assert ("ADMIN-UPDATE-VAL-REQUIRED", "status_as_sent") in elsewhere, elsewhere
