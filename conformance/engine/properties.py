"""Property-based cases: Hypothesis draws requests, each is sent and judged by the case's checks.

Every example's outcomes are collected (a soft outcome never stops the exploration); an example with
a hard failure (FAIL) ends it, and Hypothesis shrinks it to the smallest request that still fails,
whose outcomes are the ones kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from conformance.provisioning import FixtureUnavailable

from .checks import Blocked, Unimplemented
from .context import CaseContext
from .outcomes import Outcomes

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
    failing: list[Outcomes] = []  # the outcomes of the latest failing example: the minimal one at the end
    stopped: list[Exception] = []

    @seed(ctx.seed)
    @settings(
        max_examples=max_examples or ctx.examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if ctx.session.settings.shrink else [])],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,  # a falsifying example may hold a real token: never printed
        print_blob=False,
    )
    @given(strategy)
    def holds(value: T) -> None:
        if stopped:
            return  # the case cannot go on (not implemented, blocked): send nothing more
        ctx.outcomes = Outcomes()
        try:
            check(value)
        except (Blocked, Unimplemented, FixtureUnavailable) as exc:
            stopped.append(exc)  # not a failure of the example: no shrinking
        finally:
            mine, ctx.outcomes = ctx.outcomes, kept
        if mine.has_hard_failure():
            failing[:] = [mine]
            raise _HardFailure
        kept.merge(mine)

    test = holds
    for value in reversed(list(first)):
        test = example(value)(test)
    try:
        test()
    except (_HardFailure, Flaky):
        pass  # a failure that did not reproduce on replay keeps the outcomes it had
    finally:
        ctx.outcomes = kept
    if failing:
        kept.merge(failing[0])
    if stopped:
        raise stopped[0]
