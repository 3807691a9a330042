"""Property-based cases: Hypothesis draws requests, each is sent and judged by the case's checks.

Every example's outcomes are collected (a soft outcome never stops the exploration); an example with
a hard failure (FAIL) ends it, and Hypothesis shrinks it to the smallest request that still fails,
whose outcomes are the ones kept.

The boundary examples (`first`) go first, as they are; then Hypothesis's own engine, through its public
API only (`@given` with a seed, no database): it draws up to `examples` values, never the same choice
sequence twice, and shrinks the first one that breaks a MUST. No internals are reached into, so every
later Hypothesis release is admitted (pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, Unsatisfiable

from conformance.judge.outcomes import Outcomes
from conformance.judge.signals import CaseStopped

from .context import CaseContext

T = TypeVar("T")


class _HardFailure(Exception):
    """One example broke a MUST: Hypothesis shrinks it."""


def for_all(
    ctx: CaseContext,
    strategy: st.SearchStrategy[T],
    check: Callable[[T], None],
    *,
    first: Sequence[T] = (),
    max_examples: int | None = None,
) -> None:
    """Run `check` on `first` (boundaries), then on generated values; keep the minimal hard failure."""
    kept = ctx.outcomes
    stopped: list[CaseStopped] = []

    def attempt(value: T) -> Outcomes | None:
        """Check one value: its outcomes when it broke a MUST (kept aside), else None (merged)."""
        if stopped:
            return None  # the case cannot go on (not implemented, blocked): send nothing more
        ctx.outcomes = Outcomes()
        try:
            check(value)
        except CaseStopped as exc:
            stopped.append(exc)  # not a failure of the example: no shrinking
        finally:
            mine, ctx.outcomes = ctx.outcomes, kept
        if mine.has_hard_failure(ctx.requirement_id):
            return mine
        kept.merge(mine)
        return None

    failed: Outcomes | None = None
    for value in first:  # as explicit examples: a failing one is kept as it is
        failed = attempt(value)
        if failed is not None or stopped:
            break
    else:
        failed = explored(
            strategy,
            attempt,
            examples=max_examples or ctx.examples,
            seed_value=ctx.seed,
            shrink=ctx.session.settings.shrink,
            stop=lambda: bool(stopped),
        )
    if failed is not None:
        kept.merge(failed)
    if stopped:
        raise stopped[0]


def explored(
    strategy: st.SearchStrategy[T],
    attempt: Callable[[T], Outcomes | None],
    *,
    examples: int,
    seed_value: int,
    shrink: bool,
    stop: Callable[[], bool],
) -> Outcomes | None:
    """Up to `examples` values of `strategy`, the same ones for the same seed: the outcomes of the
    smallest value that breaks a MUST (or of the first, when `shrink` is off), None when none does."""
    failing: list[Outcomes] = []  # the latest failing value's: Hypothesis runs the minimal one last
    crashed: list[Exception] = []  # the suite's own error: raised as it is, never shrunk

    @seed(seed_value)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,  # a falsifying example may hold a real token: never printed
        print_blob=False,
    )
    @given(strategy)
    def breaks(value: T) -> None:
        if stop() or crashed:
            return  # nothing more is sent; Hypothesis's remaining draws cost no call
        if failing and not shrink:
            raise _HardFailure  # Hypothesis's final replay of the failure: not sent again
        try:
            outcomes = attempt(value)
        except Exception as exc:  # shrinking it would send requests for a bug of ours
            crashed.append(exc)
            return
        if outcomes is not None:
            failing[:] = [outcomes]
            raise _HardFailure

    try:
        breaks()
    except (_HardFailure, Flaky):
        pass  # a failure that did not fail again while shrinking keeps the outcomes it had
    except Unsatisfiable:
        pass  # a filter kept (almost) nothing: the values drawn were judged, there are no more
    if crashed:
        raise crashed[0]
    return failing[0] if failing else None
