"""Geometry for the inline SVG charts; the templates draw them (no chart library, no script)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .verdicts import COLORS, VERDICTS

DONUT_RADIUS = 54.0
DONUT_CIRCUMFERENCE = 2 * math.pi * DONUT_RADIUS


@dataclass(frozen=True)
class Arc:
    verdict: str
    count: int
    color: str
    dash: float  # length of this arc along the circle
    gap: float  # the rest of the circle
    offset: float  # where it starts (negative: clockwise from the top)
    percent: float


def donut(counts: Mapping[str, int]) -> list[Arc]:
    """One arc per verdict with cases, in display order, together the whole circle."""
    total = sum(counts.values())
    arcs: list[Arc] = []
    start = 0.0
    for verdict in VERDICTS:
        n = counts.get(verdict, 0)
        if not n or not total:
            continue
        dash = DONUT_CIRCUMFERENCE * n / total
        arcs.append(
            Arc(
                verdict=verdict,
                count=n,
                color=COLORS[verdict][0],
                dash=round(dash, 3),
                gap=round(DONUT_CIRCUMFERENCE - dash, 3),
                offset=round(-start, 3),
                percent=round(100 * n / total, 1),
            )
        )
        start += dash
    return arcs


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float  # percent of the widest bar
    text: str


def bars(values: Mapping[str, float], unit: str = "", sort: bool = True) -> list[Bar]:
    """Horizontal bars scaled to the largest value (at least a sliver, so small values stay visible)."""
    items = sorted(values.items(), key=lambda kv: -kv[1]) if sort else list(values.items())
    top = max((v for _, v in items), default=0) or 1
    out = []
    for label, value in items:
        shown = f"{round(value, 1):g}" if isinstance(value, float) else str(value)
        out.append(Bar(label, value, max(round(100 * value / top, 2), 0.8), f"{shown}{unit}"))
    return out


@dataclass(frozen=True)
class Segment:
    """One verdict's part of a stacked bar."""

    verdict: str
    count: int
    width: float  # percent of the bar
    color: str
    text_color: str


def stacked(counts: Mapping[str, int]) -> list[Segment]:
    """One bar split by verdict, in display order: each verdict with results gets its share of 100%."""
    total = sum(n for n in counts.values() if n > 0)
    return [
        Segment(v, counts[v], round(100 * counts[v] / total, 3), COLORS[v][0], COLORS[v][1])
        for v in VERDICTS
        if counts.get(v, 0) > 0
    ]
