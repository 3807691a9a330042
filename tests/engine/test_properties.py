"""Property cases through Hypothesis's public API: values drawn from the seed, never the same value
twice, and a hard failure shrunk to the smallest value that fails."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import strategies as st

from conformance.engine.properties import for_all
from conformance.judge.outcomes import Outcome, Outcomes
from conformance.judge.verdicts import Verdict


def context(*, examples: int = 50, seed: int = 0, shrink: bool = True) -> Any:
    """What for_all reads of a case context."""
    settings = SimpleNamespace(shrink=shrink)
    return SimpleNamespace(
        outcomes=Outcomes(),
        examples=examples,
        seed=seed,
        session=SimpleNamespace(settings=settings),
        requirement_id="REQ",
    )


def judge(ctx: Any, seen: list[int], fails: Any) -> Any:
    """A check recording each value, failing (a MUST) where `fails(value)`."""

    def check(value: int) -> None:
        seen.append(value)
        verdict = Verdict.FAIL if fails(value) else Verdict.PASS
        ctx.outcomes.add(Outcome("value", "REQ", verdict, "below 1000", value))

    return check


def failures(ctx: Any) -> list[Any]:
    return [o.actual for o in ctx.outcomes if o.verdict is Verdict.FAIL]


def explored(strategy: Any, examples: int, seed: int) -> list[Any]:
    ctx, seen = context(examples=examples, seed=seed), []
    for_all(ctx, strategy, judge(ctx, seen, lambda v: False))
    return seen


def test_the_same_seed_draws_the_same_values_and_never_the_same_value_twice() -> None:
    values = st.integers(min_value=0, max_value=10**6)
    first = explored(values, 60, 3)
    assert len(first) == 60
    assert first == explored(values, 60, 3)
    assert first != explored(values, 60, 4)
    assert len(set(first)) == 60


def test_a_space_with_fewer_values_than_examples_gives_each_once() -> None:
    assert sorted(explored(st.sampled_from("abc"), 50, 0)) == ["a", "b", "c"]


def test_a_bug_of_the_suite_is_raised_as_it_is_and_never_shrunk() -> None:
    ctx, seen = context(), []

    def check(value: int) -> None:
        seen.append(value)
        raise ZeroDivisionError("a bug in a check")

    with pytest.raises(ZeroDivisionError):
        for_all(ctx, st.integers(min_value=0, max_value=999), check)
    assert len(seen) == 1


def test_every_example_is_checked_when_none_fails() -> None:
    ctx, seen = context(examples=40), []
    for_all(ctx, st.integers(min_value=0, max_value=999), judge(ctx, seen, lambda v: False), first=[7, 8])
    assert seen[:2] == [7, 8] and len(seen) == 42
    assert failures(ctx) == []


def test_a_hard_failure_is_shrunk_to_the_smallest_value_that_fails() -> None:
    ctx, seen = context(examples=200), []
    for_all(ctx, st.integers(min_value=0, max_value=10**6), judge(ctx, seen, lambda v: v >= 1000))
    assert failures(ctx) == [1000]  # only the minimal failing example's outcomes are kept
    assert 1000 in seen and seen[-1] == 1000  # Hypothesis ran the minimal one last


def test_without_shrinking_the_first_failing_value_is_kept() -> None:
    ctx, seen = context(examples=200, shrink=False), []
    for_all(ctx, st.integers(min_value=0, max_value=10**6), judge(ctx, seen, lambda v: v >= 1000))
    assert failures(ctx) == [seen[-1]] and seen[-1] >= 1000
    assert all(v < 1000 for v in seen[:-1])  # sending stopped at the failure


def test_a_failure_that_does_not_fail_again_keeps_its_outcomes() -> None:
    ctx, seen = context(examples=200), []
    failed: list[int] = []

    def once(value: int) -> bool:
        if value >= 1000 and not failed:
            failed.append(value)
            return True
        return False

    for_all(ctx, st.integers(min_value=0, max_value=10**6), judge(ctx, seen, once))
    assert failures(ctx) == failed


def test_a_failing_boundary_example_is_kept_as_it_is_and_nothing_is_generated() -> None:
    ctx, seen = context(examples=50), []
    for_all(
        ctx,
        st.integers(min_value=0, max_value=999),
        judge(ctx, seen, lambda v: v == 5000),
        first=[1, 5000, 2],
    )
    assert seen == [1, 5000] and failures(ctx) == [5000]


def test_another_requirements_failure_does_not_end_the_exploration() -> None:
    """What a property of another requirement saw (the watch, the secret scan) is kept, and the case
    goes on looking for a failure of its own."""
    ctx, seen = context(examples=30), []

    def check(value: int) -> None:
        seen.append(value)
        ctx.outcomes.add(Outcome("watch", "OTHER", Verdict.FAIL, "unchanged", value))
        ctx.outcomes.add(Outcome("value", "REQ", Verdict.PASS, "below 1000", value))

    for_all(ctx, st.integers(min_value=0, max_value=999), check)
    assert len(seen) == 30  # every example, though each broke another requirement
    assert [o.requirement for o in ctx.outcomes if o.verdict is Verdict.FAIL] == ["OTHER"]
