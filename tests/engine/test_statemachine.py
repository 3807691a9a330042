"""STATE-MACHINE makes its two users once per case run and puts them back before each sequence: the
sequences stay independent (each starts where the first did), and the steps are the seeded plan's."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from conformance.cases import statemachine
from conformance.cases.statemachine import state_machine_shape
from conformance.contract.catalog import catalog
from conformance.engine.context import CaseContext, RunSession
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.reference import ReferenceBackend
from conformance.reports.junit import failing_outcomes
from conformance.reports.view import case_view

from .conftest import faulty_endpoint, run_cases, serving, session_for

CASE = select("STATE-MACHINE")[0]
EXAMPLES = 20  # four sequences of twelve drawn steps


class Recorded(statemachine.Sequence):
    """A sequence that keeps what it started from: the model, the users and their device keys."""

    made: ClassVar[list[Recorded]] = []

    def __init__(self, ctx: CaseContext, users: list[Any]) -> None:
        super().__init__(ctx, users)
        self.start = dict(self.model)
        self.usernames = [u.username for u in users]
        self.keys = {(u, d): self.key(u, d) for u in (0, 1) for d in (0, 1)}
        Recorded.made.append(self)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[Recorded]:
    Recorded.made = []
    monkeypatch.setattr(statemachine, "Sequence", Recorded)
    return Recorded.made


def run_machine(session: RunSession) -> tuple[CaseResult, Counter[str]]:
    """The case's result, and the calls it made by operation (provisioning included)."""
    before = Counter(session.target.calls.by_operation())
    result = run_case(session, CASE, catalog())
    return result, Counter(session.target.calls.by_operation()) - before


def test_each_sequence_starts_where_the_first_did(recorded: list[Recorded]) -> None:
    with session_for("reference", examples=EXAMPLES, seed=5) as session:
        result, calls = run_machine(session)
    assert result.verdict is Verdict.PASS, result.reason
    runs, _ = state_machine_shape(EXAMPLES)
    assert len(recorded) == runs
    first = recorded[0]
    assert set(first.start.values()) == {"remembered"}
    forgotten = 0
    for previous, sequence in itertools.pairwise(recorded):
        assert sequence.start == first.start  # the model read from the admin view, as the first's
        assert sequence.usernames == first.usernames  # the same two users
        for place, state in previous.model.items():
            if state == statemachine.FORGOTTEN:  # a forget in one sequence does not reach the next
                forgotten += 1
                assert sequence.keys[place] != previous.keys[place]
            else:
                assert sequence.keys[place] == previous.keys[place]
    assert forgotten > 0, "no sequence forgot a device: the test proves nothing"
    # Two users, once: four sign-ins for their devices, then one per forgotten device replaced.
    assert calls["AdminCreateUser"] == 2
    assert calls["InitiateAuth"] == calls["ConfirmDevice"] == 4 + forgotten


def test_the_steps_are_the_seeded_plan() -> None:
    runs, steps = state_machine_shape(EXAMPLES)
    planned: Counter[str] = Counter()
    for run in range(runs):
        planned.update(rule for rule, _ in statemachine._plan(random.Random(f"9/{run}"), steps))
    with session_for("reference", examples=EXAMPLES, seed=9) as session:
        result, _ = run_machine(session)
    assert result.verdict is Verdict.PASS, result.reason
    assert result.steps == dict(sorted(planned.items()))


def test_without_an_admin_update_every_sequence_gets_fresh_users(
    recorded: list[Recorded], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_for("reference", examples=EXAMPLES, seed=5) as session:
        probe = session.unimplemented
        monkeypatch.setattr(
            session,
            "unimplemented",
            lambda op: (
                "AdminUpdateDeviceStatus is not implemented" if op == "AdminUpdateDeviceStatus" else probe(op)
            ),
        )
        result, calls = run_machine(session)
    assert result.verdict is Verdict.PASS, result.reason
    runs, _ = state_machine_shape(EXAMPLES)
    assert calls["AdminCreateUser"] == 2 * runs
    assert len({tuple(s.usernames) for s in recorded}) == runs


class ListsForgottenDevices(ReferenceBackend):
    """The reference, except that AdminListDevices still lists the devices the users forgot."""

    def __init__(self) -> None:
        super().__init__()
        self.ghosts: dict[str, Any] = {}

    def handle(  # type: ignore[override]
        self, target: str | None, body: bytes, headers: Mapping[str, str], **kwargs: Any
    ) -> tuple[int, dict[str, str], bytes]:
        operation = (target or "").rpartition(".")[2]
        kept = dict(self.store.devices)
        if operation == "AdminListDevices":
            with self.store.lock:
                self.store.devices.update(self.ghosts)
                try:
                    return super().handle(target, body, headers, **kwargs)
                finally:
                    for key in self.ghosts:
                        self.store.devices.pop(key, None)
        answer = super().handle(target, body, headers, **kwargs)
        if operation == "ForgetDevice":
            self.ghosts.update({k: d for k, d in kept.items() if k not in self.store.devices})
        return answer


def test_a_target_that_keeps_listing_forgotten_devices_gets_fresh_users_each_sequence(
    recorded: list[Recorded],
) -> None:
    """Reused users would pile up forgotten devices in their lists there: the sequences would differ."""
    with serving(ListsForgottenDevices()) as url, session_for(url, examples=EXAMPLES, seed=5) as session:
        result, calls = run_machine(session)
    assert result.verdict is Verdict.INFORMATIONAL or result.verdict is Verdict.PASS, result.reason
    assert any(o["check"] == "admin_forgets" and o["verdict"] == "INFORMATIONAL" for o in result.outcomes)
    runs, _ = state_machine_shape(EXAMPLES)
    assert calls["AdminCreateUser"] == 2 * runs
    assert all(s.start == recorded[0].start for s in recorded)


def test_a_failing_sequence_keeps_its_steps_as_data_and_the_reports_show_them() -> None:
    with faulty_endpoint("forget-keeps-device") as url, session_for(url, examples=EXAMPLES) as session:
        result = run_cases(session, "STATE-MACHINE")["STATE-MACHINE"]
    assert result.verdict is Verdict.FAIL
    failing = [o for o in result.outcomes if o["verdict"] == "FAIL"]
    assert failing and all(o.get("trail") for o in failing)
    assert all("steps:" not in str(o["actual"]) for o in result.outcomes)  # data, not text in `actual`
    assert result.trail in [o["trail"] for o in failing]
    assert result.trail and all(
        re.fullmatch(r"(update|update_other|forget|get|list)\(.*\)", s) for s in result.trail
    )
    assert result.reason and f"steps: {' | '.join(result.trail)}" in result.reason
    case = result.as_json()
    assert case["trail"] == result.trail
    assert any(f"steps: {result.trail[0]}" in line for line in failing_outcomes(case))
    view = case_view(case)
    assert view.trail == result.trail and any(o.trail for o in view.outcomes)
