"""Draw a reproducible list of examples from a strategy outside a test: same seed, same examples.

Hypothesis is driven through `@given` with a fixed seed, no example database and only the generate
phase, which is what makes the output a function of (strategy, count, seed, Hypothesis version).
"""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

T = TypeVar("T")


def draw_examples(strategy: st.SearchStrategy[T], count: int, seed_value: int) -> list[T]:
    found: list[T] = []
    attempt = 0
    while len(found) < count and attempt < 10:
        # A small space can run dry before `count`; a derived seed draws again, still reproducibly.
        found += _one_run(strategy, count - len(found), seed_value + attempt)
        attempt += 1
    return found[:count]


def _one_run(strategy: st.SearchStrategy[T], count: int, seed_value: int) -> list[T]:
    found: list[T] = []

    @seed(seed_value)
    @settings(
        database=None,
        max_examples=count,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found
