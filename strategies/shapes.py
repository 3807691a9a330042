"""A generic converter from botocore shapes to Hypothesis strategies of valid JSON values.

Every constraint comes from the model: required members, string min/max/pattern/enum, numeric
bounds, list and map sizes. Patterns are Java regexes applied as a full match, translated once by
`conformance.contract.javaregex` (so `\\w` stays ASCII, as AWS reads it).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import strategies as st

from conformance.contract.javaregex import UnsupportedPattern, translate

# Lists and maps stay small: the point is shape, not volume.
MAX_COLLECTION = 3
MAX_FREE_TEXT = 64


def strings(shape: Shape) -> st.SearchStrategy[str]:
    meta = shape.metadata
    low: int = meta.get("min", 0)
    high: int | None = meta.get("max")
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    if "pattern" in meta:
        try:
            base = st.from_regex(translate(meta["pattern"]), fullmatch=True)
        except UnsupportedPattern:
            base = st.text(min_size=low, max_size=high or MAX_FREE_TEXT)
        return base.filter(lambda s: low <= len(s) and (high is None or len(s) <= high))
    return st.text(min_size=low, max_size=high if high is not None else max(low, MAX_FREE_TEXT))


def from_shape(shape: Shape, overrides: Mapping[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Valid values of `shape`. `overrides` maps top-level member names to a strategy or a constant."""
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
    import re._parser as parser  # the stdlib's own reading of a pattern

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

    return walk(parser.parse(pattern))


def _first_in(items: Any) -> str:
    if items and str(items[0][0]) == "NEGATE":
        excluded = {chr(a) for op, a in items[1:] if str(op) == "LITERAL"}
        return next(c for c in "aA0_" if c not in excluded)
    op, arg = items[0]
    return chr(arg[0]) if str(op) == "RANGE" else chr(arg) if str(op) == "LITERAL" else "a"
