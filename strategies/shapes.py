"""A generic converter from botocore shapes to Hypothesis strategies of valid JSON values.

Every constraint comes from the model: required members, string min/max/pattern/enum, numeric
bounds, list and map sizes. Patterns are Java regexes applied as a full match, translated once by
`conformance.contract.javaregex` (so `\\w` stays ASCII, as AWS reads it).
"""

from __future__ import annotations

import base64
import re._parser as re_parser  # the stdlib's own reading of a pattern
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import strategies as st

from conformance.contract.javaregex import UnsupportedPattern, translate

# Lists and maps stay small: the point is shape, not volume.
MAX_COLLECTION = 3
MAX_FREE_TEXT = 64
# A character class with more members than this (an expanded \p{L}) is left to `st.from_regex`.
MAX_ALPHABET = 512


def strings(shape: Shape) -> st.SearchStrategy[str]:
    """Valid strings of a string shape: enum values, pattern matches within the length bounds, or text.

    Cached per shape (shapes of the pinned model are made once): a strategy built once per run is
    validated once, not once per case or per draw."""
    return _strings(shape)


@cache
def _strings(shape: Shape) -> st.SearchStrategy[str]:
    meta = shape.metadata
    low: int = meta.get("min", 0)
    high: int | None = meta.get("max")
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    if "pattern" in meta:
        try:
            base = pattern_strings(translate(meta["pattern"]), high)
        except UnsupportedPattern:
            base = st.text(min_size=low, max_size=high or MAX_FREE_TEXT)
        if not low and high is None:
            return base  # no bounds to keep (an AccessToken): no filter to run on every draw
        return base.filter(lambda s: low <= len(s) and (high is None or len(s) <= high))
    return st.text(min_size=low, max_size=high if high is not None else max(low, MAX_FREE_TEXT))


@cache
def pattern_strings(pattern: str, cap: int | None = None) -> st.SearchStrategy[str]:
    """Full matches of a (translated) pattern. Built by construction where the pattern is a sequence
    of literals, character classes and their repetitions (every botocore pattern of the operations the
    suite sends): `st.from_regex` is several times slower per example. Anything else goes to it.

    `cap` bounds each repetition (a value longer than the shape's max is filtered out anyway)."""
    try:
        return _constructed(re_parser.parse(pattern), cap)
    except UnsupportedPattern:
        return st.from_regex(pattern, fullmatch=True)


def _constructed(items: Any, cap: int | None) -> st.SearchStrategy[str]:
    parts: list[str | st.SearchStrategy[str]] = []  # literals as they are, the rest drawn
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            parts.append(chr(arg))
        elif name == "IN":
            parts.append(_characters(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            bound = None if high == re_parser.MAXREPEAT else int(high)
            if cap is not None:
                bound = max(int(low), cap if bound is None else min(bound, cap))
            if len(sub) == 1 and str(sub[0][0]) in ("IN", "LITERAL"):  # a class repeated: one string
                op_, arg_ = sub[0]
                alphabet = _characters(arg_) if str(op_) == "IN" else st.just(chr(arg_))
                parts.append(st.text(alphabet=alphabet, min_size=int(low), max_size=bound))
            else:  # a group repeated (or made optional): its matches, joined
                each = _constructed(sub, cap)
                parts.append(st.lists(each, min_size=int(low), max_size=bound).map("".join))
        elif name == "SUBPATTERN" and not arg[1] and not arg[2]:  # a group without inline flags
            parts.append(_constructed(arg[-1], cap))
        elif name == "BRANCH":
            parts.append(st.one_of([_constructed(branch, cap) for branch in arg[1]]))
        else:
            raise UnsupportedPattern(name)
    if all(isinstance(part, str) for part in parts):
        return st.just("".join(str(part) for part in parts))
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]
    return _joined(tuple(parts))


@st.composite
def _joined(draw: st.DrawFn, parts: tuple[str | st.SearchStrategy[str], ...]) -> str:
    """The parts in order, literals as they are: one draw where `tuples` and `map` would add theirs."""
    return "".join(part if isinstance(part, str) else draw(part) for part in parts)


def _characters(items: Any) -> st.SearchStrategy[str]:
    """One character of a class body (literals and ranges only: a negation or a category is left to
    `st.from_regex`). A small class is spelled out; a large one (a translated `\\p{L}`, thousands of
    ranges) is drawn range first, then a code point in it: `st.from_regex` spends seconds building it."""
    ranges: list[tuple[int, int]] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            ranges.append((arg, arg))
        elif name == "RANGE":
            ranges.append((arg[0], arg[1]))
        else:
            raise UnsupportedPattern(name)
    if sum(high - low + 1 for low, high in ranges) <= MAX_ALPHABET:
        return st.sampled_from(
            list(dict.fromkeys(chr(c) for low, high in ranges for c in range(low, high + 1)))
        )
    return _in_ranges(tuple(ranges))


@st.composite
def _in_ranges(draw: st.DrawFn, ranges: tuple[tuple[int, int], ...]) -> str:
    low, high = ranges[draw(st.integers(0, len(ranges) - 1))]
    return chr(draw(st.integers(low, high)))


def from_shape(shape: Shape, overrides: Mapping[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Valid values of `shape`. `overrides` maps top-level member names to a strategy or a constant.

    Cached per (shape, overrides) when the overrides can be a key (constants and strategies)."""
    key = frozen(overrides)
    if key is None:
        return _from_shape(shape, overrides)
    return _cached_from_shape(shape, key)


def frozen(overrides: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    """Overrides as a cache key, or None when a value cannot be one (a list, a dict)."""
    items = tuple(sorted((overrides or {}).items()))
    try:
        hash(items)
    except TypeError:
        return None
    return items


@lru_cache(maxsize=256)  # a run has a few overrides (its users' tokens); the suite's tests make more
def _cached_from_shape(shape: Shape, overrides: tuple[tuple[str, Any], ...]) -> st.SearchStrategy[Any]:
    return _from_shape(shape, dict(overrides))


def _from_shape(shape: Shape, overrides: Mapping[str, Any] | None) -> st.SearchStrategy[Any]:
    overrides = overrides or {}
    if isinstance(shape, StructureShape):
        required = set(shape.required_members)
        fields = {name: _member(name, m, overrides) for name, m in shape.members.items()}
        return st.fixed_dictionaries(
            {n: s for n, s in fields.items() if n in required},
            optional={n: s for n, s in fields.items() if n not in required},
        )
    if isinstance(shape, ListShape):
        low, high = _sizes(shape, MAX_COLLECTION)
        return st.lists(from_shape(shape.member), min_size=low, max_size=high)
    if isinstance(shape, MapShape):
        low, high = _sizes(shape, MAX_COLLECTION)
        return st.dictionaries(from_shape(shape.key), from_shape(shape.value), min_size=low, max_size=high)
    kind = shape.type_name
    if kind == "string":
        return strings(shape)
    if kind in ("integer", "long"):
        return st.integers(min_value=shape.metadata.get("min"), max_value=shape.metadata.get("max"))
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "timestamp":
        return st.integers(min_value=0, max_value=4_102_444_800)  # epoch seconds, as awsJson sends them
    if kind == "blob":
        return st.binary(max_size=MAX_FREE_TEXT).map(lambda b: base64.b64encode(b).decode())
    raise ValueError(f"shape type {kind!r} of {shape.name} is not supported")


def _member(name: str, shape: Shape, overrides: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if name not in overrides:
        return from_shape(shape)
    given = overrides[name]
    return given if isinstance(given, st.SearchStrategy) else st.just(given)


def _sizes(shape: Shape, cap: int) -> tuple[int, int]:
    low = int(shape.metadata.get("min", 0))
    return low, max(low, min(int(shape.metadata.get("max", cap)), cap))


def simplest(shape: Shape) -> Any:
    """A deterministic, minimal valid value of `shape`, computed without running Hypothesis.

    Strategies call this while they are being built, possibly inside a running test, where drawing
    an example is not allowed. Strings take the shortest match of their pattern (first character of
    each class), lengthened to `min` where needed.
    """
    if isinstance(shape, StructureShape):
        return {name: simplest(shape.members[name]) for name in shape.required_members}
    if isinstance(shape, ListShape):
        return [simplest(shape.member)] * int(shape.metadata.get("min", 0))
    if isinstance(shape, MapShape):
        return {}
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        low = int(shape.metadata.get("min", 0))
        value = _shortest_match(translate(shape.metadata["pattern"])) if "pattern" in shape.metadata else ""
        return value[:1] * max(0, low - len(value)) + value if value or not low else "a" * low
    if kind in ("integer", "long"):
        return max(0, int(shape.metadata.get("min", 0)))
    if kind == "boolean":
        return False
    return 0 if kind in ("float", "double", "timestamp") else ""


def _shortest_match(pattern: str) -> str:
    def walk(items: Any) -> str:
        out = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "IN":
                out.append(_first_in(arg))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, _high, sub = arg
                out.append(walk(sub) * low)
            elif name == "SUBPATTERN":
                out.append(walk(arg[-1]))
            elif name == "BRANCH":
                out.append(min((walk(b) for b in arg[1]), key=len))
            elif name == "ANY":
                out.append("a")
            elif name in ("AT", "ASSERT", "ASSERT_NOT"):
                continue
            else:
                raise UnsupportedPattern(f"{name} in {pattern!r}")
        return "".join(out)

    return walk(re_parser.parse(pattern))


def _first_in(items: Any) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = {chr(a) for op, a in items[1:] if str(op) == "LITERAL"}
        return next(c for c in "aA0_" if c not in excluded)
    op, arg = items[0]
    return chr(arg[0]) if str(op) == "RANGE" else chr(arg) if str(op) == "LITERAL" else "a"
