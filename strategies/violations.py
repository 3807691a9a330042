"""Values that break one rule of the model each: the building blocks of invalid requests.

For a structure shape, `breakable` lists every (member, rule) the model lets a request break;
`bad_values` gives a strategy of values breaking that rule. Which rules a finished request really
breaks is then read back with the independent constraint checker, so a label is never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.model import Shape, StructureShape
from hypothesis import reject
from hypothesis import strategies as st

from conformance.contract.constraints import JSON_TYPES, Kind, json_type_of
from conformance.contract.javaregex import UnsupportedPattern, full_match

from .shapes import strings

UNKNOWN = "*"  # the member name of an UNKNOWN_MEMBER breakage: any name the shape does not have

# Characters that break ASCII-only patterns: non-ASCII word characters first (Python's \w would
# accept them, Java's does not), then white space, controls and punctuation.
PATTERN_BREAKERS = ("é", "ß", "Ω", "٣", "ｱ", "_\u0301", " ", "\t", "\n", "\x00", "/", "+", "!", "~", "%", "#")

# Values of every JSON type (as `json_type_of` names them), for "wrong type" breakages.
JSON_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "integer": st.integers(min_value=-(2**31), max_value=2**31),
    "boolean": st.booleans(),
    "number": st.floats(allow_nan=False, allow_infinity=False),
    "string": st.text(max_size=8),
    "array": st.lists(st.integers(min_value=0, max_value=9), max_size=2),
    "object": st.dictionaries(st.text(max_size=3), st.integers(min_value=0, max_value=9), max_size=1),
}


def wrong_json_type(expected: str | None) -> st.SearchStrategy[Any]:
    """JSON values of any type but `expected` (an integer is a number too), by construction: a filter
    on a `one_of` of every type goes into each of its branches, and the expected type's branch (one in
    six) would fail its filter every time, discarding the whole example."""
    excluded = {expected, "integer"} if expected == "number" else {expected}
    return st.one_of([values for name, values in JSON_VALUES.items() if name not in excluded])


class Remove:
    """Sentinel: the breakage removes the member (a required member left out)."""


REMOVE = Remove()


@dataclass(frozen=True)
class Breakage:
    member: str
    kind: Kind


def breakable(shape: StructureShape) -> list[Breakage]:
    """Every (member, rule) of `shape` that a request can break, in member order."""
    return list(_breakable(shape))


@cache
def _breakable(shape: StructureShape) -> tuple[Breakage, ...]:
    found: list[Breakage] = []
    required = set(shape.required_members)
    for name, member in shape.members.items():
        kinds: list[Kind] = [Kind.MISSING, Kind.NULL] if name in required else []
        kinds.append(Kind.TYPE)
        meta = member.metadata
        if member.type_name in ("string", "list", "map"):
            if meta.get("min", 0) > 0:
                kinds.append(Kind.TOO_SHORT)
            if "max" in meta:
                kinds.append(Kind.TOO_LONG)
        if member.type_name in ("integer", "long"):
            kinds += [k for k, key in ((Kind.TOO_SMALL, "min"), (Kind.TOO_LARGE, "max")) if key in meta]
        if "pattern" in meta and _pattern_supported(meta["pattern"]):
            kinds.append(Kind.PATTERN)
        if getattr(member, "enum", None):  # a structure member has none
            kinds.append(Kind.ENUM)
        found += [Breakage(name, k) for k in kinds]
    found.append(Breakage(UNKNOWN, Kind.UNKNOWN_MEMBER))
    return tuple(found)


def _pattern_supported(pattern: str) -> bool:
    try:
        full_match(pattern, "")
    except UnsupportedPattern:
        return False
    return True


def bad_values(shape: Shape, kind: Kind, min_length: int = 0) -> st.SearchStrategy[Any]:
    """Values of the member `shape` that break `kind` (REMOVE for a missing member); `min_length`:
    strings of at least that many characters, built so (only for a broken pattern).

    Cached per (shape, kind, min_length): invalid requests draw these once per example, and a strategy
    built anew each time is validated anew each time."""
    if min_length and kind is not Kind.PATTERN:
        raise ValueError(f"a minimum length applies to pattern breakers only, not to {kind}")
    return _bad_values(shape, kind, min_length)


@cache
def _bad_values(shape: Shape, kind: Kind, min_length: int = 0) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    if kind is Kind.MISSING:
        return st.just(REMOVE)
    if kind is Kind.NULL:
        return st.none()
    if kind is Kind.TYPE:
        return wrong_json_type(JSON_TYPES.get(shape.type_name))
    if kind is Kind.TOO_SHORT:
        return st.text(max_size=meta["min"] - 1)
    if kind is Kind.TOO_LONG:
        # A length and a valid seed, drawn side by side (a flatmap would build a strategy per draw).
        return st.tuples(st.integers(meta["max"] + 1, meta["max"] + 64), _unbounded_valid(shape)).map(
            lambda t: _grown(t[1], t[0])
        )
    if kind is Kind.TOO_SMALL:
        return st.integers(max_value=meta["min"] - 1)
    if kind is Kind.TOO_LARGE:
        return st.integers(min_value=meta["max"] + 1)
    if kind is Kind.PATTERN:
        return pattern_breakers(shape, min_length)
    if kind is Kind.ENUM:
        return off_enum(list(shape.enum))
    raise ValueError(f"no bad values for {kind}")


def simplest_bad(shape: Shape, kind: Kind, seed: str) -> Any:
    """One deterministic value breaking `kind`, derived from a valid value `seed` of the member."""
    meta = shape.metadata
    seed = seed or "a"
    if kind in (Kind.MISSING, Kind.NULL):
        return REMOVE if kind is Kind.MISSING else None
    if kind is Kind.TYPE:
        expected = JSON_TYPES.get(shape.type_name)
        candidates: tuple[Any, ...] = (0, "0", [], {})
        return next(v for v in candidates if json_type_of(v) != expected)
    if kind is Kind.TOO_SHORT:
        return (seed[0] * meta["min"])[: meta["min"] - 1]
    if kind is Kind.TOO_LONG:
        return (seed[0] * (meta["max"] + 1) + seed)[-(meta["max"] + 1) :]
    if kind is Kind.TOO_SMALL:
        return meta["min"] - 1
    if kind is Kind.TOO_LARGE:
        return meta["max"] + 1
    if kind is Kind.PATTERN:
        if meta.get("min", 0) == 0 and not full_match(meta["pattern"], ""):
            return ""
        return next(
            seed[:1] + b + seed[1:] for b in PATTERN_BREAKERS if not full_match(meta["pattern"], seed[:1] + b)
        )
    if kind is Kind.ENUM:
        return next(v for v in _near_enum(list(shape.enum)))
    raise ValueError(f"no bad value for {kind}")


def stretched(shape: Shape, length: int) -> st.SearchStrategy[str]:
    """A string of exactly `length` that still matches the pattern where the pattern allows it.

    A valid value is grown by repeating its first character (which keeps `[..]+`-style patterns
    matching), so a too-long value breaks the length rule alone.
    """

    return _unbounded_valid(shape).map(lambda seed: _grown(seed, length))


def _grown(seed: str, length: int) -> str:
    return (seed[0] * length + seed)[-length:]


@cache
def _unbounded_valid(shape: Shape) -> st.SearchStrategy[str]:
    """Pattern- and enum-valid strings, ignoring max (so a too-long value can be grown from them)."""
    meta = dict(shape.metadata)
    if "pattern" not in meta or not _pattern_supported(meta["pattern"]):
        return st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
    return strings(shape).filter(bool)


def pattern_breakers(shape: Shape, min_length: int = 0) -> st.SearchStrategy[str]:
    """Strings within the length bounds that fail the full-match pattern: a breaking character put
    into a valid value, a newline after one, or arbitrary text.

    With `min_length`, at least that long by construction (a filter on the length would reject most
    draws): a valid value grown by repeating its first character, as `stretched` does, before a
    breaking character goes in or a newline after it, and arbitrary text drawn that long."""
    high = shape.metadata.get("max", 256)
    low = max(shape.metadata.get("min", 0), min(min_length, high))
    arbitrary = st.text(min_size=low, max_size=max(low, min(high, 64)))
    return _pattern_breakers(shape, min_length, low, high, arbitrary)


_BRANCHES = st.integers(0, 2)  # a breaker inserted, a trailing newline, arbitrary text (as one_of orders)
_BREAKERS = st.sampled_from(PATTERN_BREAKERS)
_POSITIONS = st.integers(0, 64)


@st.composite
def _pattern_breakers(
    draw: st.DrawFn, shape: Shape, min_length: int, low: int, high: int, arbitrary: st.SearchStrategy[str]
) -> str:
    """One composite where `one_of`, `tuples`, `map` and `filter` would each add their own draw."""
    pattern = shape.metadata["pattern"]
    for _ in range(3):  # as a filter would try, then give the example up
        branch = draw(_BRANCHES)
        if branch == 2:
            value = draw(arbitrary)
        else:
            valid = draw(strings(shape))
            if min_length > 1 and valid:
                valid = _grown(valid, max(len(valid), min_length - 1))
            if branch == 0:
                breaker, at = draw(_BREAKERS), draw(_POSITIONS) % (len(valid) + 1)
                value = valid[:at] + breaker + valid[at:]
            else:
                value = valid + "\n"
        value = value[:high]
        if low <= len(value) <= high and not full_match(pattern, value):
            return value
    reject()


def off_enum(values: list[str]) -> st.SearchStrategy[str]:
    """Strings outside the enum, the near misses first: other case, padding, separators, empty."""
    return _off_enum(tuple(values))


@cache
def _off_enum(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(_near_enum(values)), st.text(max_size=20).filter(lambda s: s not in values)
    )


def _near_enum(values: Sequence[str]) -> list[str]:
    near = [v.upper() for v in values] + [v.title() for v in values] + [""]
    near += [f" {v}" for v in values] + [f"{v} " for v in values] + [v.replace("_", "-") for v in values]
    return [n for n in dict.fromkeys(near) if n not in values]


@cache
def unknown_member_names(shape: StructureShape) -> st.SearchStrategy[str]:
    """Names the structure does not have, the treacherous ones first (a member in lower camel case)."""
    known = set(shape.members)
    camel = [n[0].lower() + n[1:] for n in shape.members]
    near = [n for n in [*camel, "Extra", "__type"] if n not in known]
    return st.one_of(st.sampled_from(near), st.text(min_size=1, max_size=12).filter(lambda s: s not in known))
