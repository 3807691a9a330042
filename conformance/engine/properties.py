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

from collections.abc import Callable, Iterator, Sequence
from random import Random
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.control import BuildContext
from hypothesis.errors import Flaky, StopTest, UnsatisfiedAssumption
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.internal.conjecture.providers import AVAILABLE_PROVIDERS, HypothesisProvider

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
    replays what such a backend found on its own provider, then shrinks it."""

    pending: ClassVar[list[Any]] = []

    def _replayed(self) -> Any:
        return type(self).pending.pop(0)

    def draw_boolean(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self._replayed()) if self.pending else super().draw_boolean(*args, **kwargs)

    def draw_integer(self, *args: Any, **kwargs: Any) -> int:
        return int(self._replayed()) if self.pending else super().draw_integer(*args, **kwargs)

    def draw_float(self, *args: Any, **kwargs: Any) -> float:
        return float(self._replayed()) if self.pending else super().draw_float(*args, **kwargs)

    def draw_string(self, *args: Any, **kwargs: Any) -> str:
        return str(self._replayed()) if self.pending else super().draw_string(*args, **kwargs)

    def draw_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return bytes(self._replayed()) if self.pending else super().draw_bytes(*args, **kwargs)


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
        if mine.has_hard_failure():
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
