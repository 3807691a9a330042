"""Property-based cases: Hypothesis draws requests, each is sent, a check judges the answer, and a
failure comes back shrunk to the smallest request that still fails."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, example, given, seed, settings
from hypothesis import strategies as st

from .context import CaseContext

T = TypeVar("T")


def for_all(
    ctx: CaseContext,
    strategy: st.SearchStrategy[T],
    check: Callable[[T], None],
    *,
    first: Sequence[T] = (),
    max_examples: int | None = None,
) -> None:
    """Run `check` on `first` (boundaries), then on generated values; re-raise the minimal failure."""

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
        check(value)

    test = holds
    for value in reversed(list(first)):
        test = example(value)(test)
    test()
