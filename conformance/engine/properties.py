"""Property-based cases: Hypothesis draws requests, each is sent and judged by the case's checks.

Every example's outcomes are collected (a soft outcome never stops the exploration); an example with
a hard failure (FAIL) ends it, and Hypothesis shrinks it to the smallest request that still fails,
whose outcomes are the ones kept.

The boundary examples (`first`) go first, then `examples` values drawn from the strategy by
Hypothesis's own provider, each from a fresh choice sequence seeded by the run's seed; a sequence
already drawn is drawn again, as Hypothesis's engine never runs one twice. This loop replaces `@given`
for generating: around each draw its engine saves and restores the random states, records the example
in its tree and mutates it, about two thirds of a property case on the in-process reference. A hard
failure goes to Hypothesis's engine to be shrunk: a seeded `@given` run whose first example replays the
failing choice sequence (`ReplayProvider`), which the engine then shrinks as any failure it found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from random import Random
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.errors import Flaky, StopTest, UnsatisfiedAssumption
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.internal.conjecture.providers import AVAILABLE_PROVIDERS, HypothesisProvider
from hypothesis.internal.intervalsets import IntervalSet

from conformance.judge.outcomes import Outcomes
from conformance.judge.signals import CaseStopped

from .context import CaseContext

T = TypeVar("T")

# Draws per example before a strategy is taken to have no new values left (a tiny space, or a filter
# that keeps almost nothing): Hypothesis's engine stops early in both cases too.
DRAWS_PER_EXAMPLE = 10
REPLAY_BACKEND = "cognito-conformance-replay"


class ReplayProvider(HypothesisProvider):
    """Hypothesis's provider, except that the first draws give back `pending` (a failing example's choice
    sequence), so that the engine's first example is that failure. Registered as a backend: the engine
    replays what such a backend found on its own provider, then shrinks it.

    A replayed choice that does not fit the draw asked for (the sequence no longer lines up with the
    strategy's draws) ends the replay: the rest is drawn as usual, never handed over out of its range."""

    pending: ClassVar[list[Any]] = []

    def _replayed(self, fits: Callable[[Any], bool]) -> tuple[bool, Any]:
        if not self.pending:
            return False, None
        value = type(self).pending.pop(0)
        if fits(value):
            return True, value
        type(self).pending.clear()
        return False, None

    def draw_boolean(self, p: float = 0.5) -> bool:
        found, value = self._replayed(lambda v: isinstance(v, bool))
        return bool(value) if found else super().draw_boolean(p)

    def draw_integer(
        self,
        min_value: int | None = None,
        max_value: int | None = None,
        *,
        weights: dict[int, float] | None = None,
        shrink_towards: int = 0,
    ) -> int:
        def fits(v: Any) -> bool:
            inside = (min_value is None or v >= min_value) and (max_value is None or v <= max_value)
            return isinstance(v, int) and not isinstance(v, bool) and inside

        found, value = self._replayed(fits)
        if found:
            return int(value)
        return super().draw_integer(min_value, max_value, weights=weights, shrink_towards=shrink_towards)

    def draw_float(self, **constraints: Any) -> float:
        low, high = constraints.get("min_value", -math.inf), constraints.get("max_value", math.inf)
        found, value = self._replayed(lambda v: isinstance(v, float) and (math.isnan(v) or low <= v <= high))
        return float(value) if found else super().draw_float(**constraints)

    def draw_string(self, intervals: IntervalSet, *, min_size: int = 0, max_size: int = 10**10) -> str:
        def fits(v: Any) -> bool:
            return (
                isinstance(v, str) and min_size <= len(v) <= max_size and all(ord(c) in intervals for c in v)
            )

        found, value = self._replayed(fits)
        return str(value) if found else super().draw_string(intervals, min_size=min_size, max_size=max_size)

    def draw_bytes(self, min_size: int = 0, max_size: int = 10**10) -> bytes:
        found, value = self._replayed(lambda v: isinstance(v, bytes) and min_size <= len(v) <= max_size)
        return bytes(value) if found else super().draw_bytes(min_size, max_size)


AVAILABLE_PROVIDERS.setdefault(REPLAY_BACKEND, ReplayProvider)


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
        for choices, value in drawn(strategy, max_examples or ctx.examples, ctx.seed):
            failed = attempt(value)
            if failed is not None:
                if ctx.session.settings.shrink:
                    failed = shrunk(strategy, choices, attempt, ctx.seed) or failed
                break
            if stopped:
                break
    if failed is not None:
        kept.merge(failed)
    if stopped:
        raise stopped[0]


def drawn(strategy: st.SearchStrategy[T], count: int, seed: int) -> Iterator[tuple[tuple[Any, ...], T]]:
    """`count` values of `strategy` (fewer if it runs out of new ones), with the choice sequence each
    was drawn from: the same values for the same seed."""
    random = Random(seed)
    seen: set[tuple[Any, ...]] = set()
    for _ in range(count * DRAWS_PER_EXAMPLE):
        if len(seen) >= count:
            return
        data = ConjectureData(random=random)
        try:
            with BuildContext(data, is_final=False, wrapped_test=drawn):
                value = data.draw(strategy)
        except (StopTest, UnsatisfiedAssumption):
            continue  # a filter gave up (or the draw grew too large): Hypothesis discards it too
        choices = tuple(data.choices)
        if choices not in seen:
            seen.add(choices)
            yield choices, value


def shrunk(
    strategy: st.SearchStrategy[T],
    choices: tuple[Any, ...],
    attempt: Callable[[T], Outcomes | None],
    seed_value: int,
) -> Outcomes | None:
    """The outcomes of the smallest value Hypothesis's shrinker finds that still breaks a MUST, starting
    from the failing choice sequence; None when it does not fail again (a flaky target)."""
    failing: list[Outcomes] = []  # the latest failing value's: Hypothesis runs the minimal one last

    @seed(seed_value)
    @settings(
        max_examples=2,  # the engine's simplest example first, then the replayed failure
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,  # a falsifying example may hold a real token: never printed
        print_blob=False,
        backend=REPLAY_BACKEND,
    )
    @given(strategy)
    def breaks(value: T) -> None:
        outcomes = attempt(value)
        if outcomes is not None:
            failing[:] = [outcomes]
            raise _HardFailure

    ReplayProvider.pending = list(choices)
    try:
        breaks()
    except (_HardFailure, Flaky):
        pass  # a failure that did not fail again on replay keeps the outcomes it had
    finally:
        ReplayProvider.pending = []
    return failing[0] if failing else None
