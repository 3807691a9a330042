"""Valid and invalid requests for an operation (UpdateDeviceStatus by default), built from the model.

An invalid request is a valid one with one or more breakages applied; its label is what the
independent constraint checker reads off the finished request. Boundary examples (lengths
min-1, min, max, max+1, and one example of every rule) come first, deterministically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from botocore.model import StructureShape
from hypothesis import strategies as st

from conformance.contract.constraints import Kind, Violation, check
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned

from .shapes import from_shape, frozen, simplest
from .violations import (
    PATTERN_BREAKERS,
    REMOVE,
    UNKNOWN,
    Breakage,
    bad_values,
    breakable,
    simplest_bad,
    stretched,
    unknown_member_names,
)


@dataclass(frozen=True)
class Labelled:
    """A request and the rules it breaks (empty for a valid request)."""

    request: dict[str, Any]
    violations: tuple[Violation, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {"request": self.request, "violations": [v.as_dict() for v in self.violations]}


def input_shape(operation: str = OPERATION) -> StructureShape:
    shape = pinned().operation(operation).input_shape
    assert isinstance(shape, StructureShape)
    return shape


# Strategies are built once per run and reused by every case (a run's overrides are its users' token
# and device key): Hypothesis validates a strategy the first time it draws from it, and a strategy built
# per case or per draw pays that again each time. Keyed by the overrides where they can be a key.
_PER_RUN = 256


def valid_requests(
    overrides: Mapping[str, Any] | None = None, operation: str = OPERATION
) -> st.SearchStrategy[dict[str, Any]]:
    """Requests that satisfy every constraint. `overrides` pins members (a real token, a real device key)."""
    key = frozen(overrides)
    if key is None:
        return _valid_requests(overrides, operation)
    return _cached_valid_requests(key, operation)


@lru_cache(maxsize=_PER_RUN)
def _cached_valid_requests(
    overrides: tuple[tuple[str, Any], ...], operation: str
) -> st.SearchStrategy[dict[str, Any]]:
    return _valid_requests(dict(overrides), operation)


def _valid_requests(overrides: Mapping[str, Any] | None, operation: str) -> st.SearchStrategy[dict[str, Any]]:
    shape = input_shape(operation)
    pinned_requests = _every_pinned_request(shape, overrides or {})
    if pinned_requests is not None:
        # Nothing left to generate: the valid ones of the few requests there are, checked once.
        valid = [r for r in pinned_requests if not check(shape, r)]
        return st.sampled_from(valid) if valid else st.nothing()
    return from_shape(shape, overrides).filter(lambda r: not check(shape, r))


def _every_pinned_request(shape: StructureShape, overrides: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Where every member is pinned to a constant: each request that can be made (every optional member
    present or absent, as `from_shape` draws them), required members first. None where any is drawn."""
    if any(name not in overrides or isinstance(overrides[name], st.SearchStrategy) for name in shape.members):
        return None
    required = [name for name in shape.members if name in shape.required_members]
    optional = [name for name in shape.members if name not in shape.required_members]
    requests = [{name: overrides[name] for name in required}]
    for name in optional:
        requests = [*requests, *({**r, name: overrides[name]} for r in requests)]
    return requests


def label(request: dict[str, Any], operation: str = OPERATION) -> Labelled:
    return Labelled(request, tuple(check(input_shape(operation), request)))


def apply(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    request = dict(base)
    for name, value in changes.items():
        if value is REMOVE:
            request.pop(name, None)
        else:
            request[name] = value
    return request


# The value of an unknown member: any JSON scalar.
_UNKNOWN_VALUES: st.SearchStrategy[Any] = st.one_of(st.text(max_size=8), st.integers(), st.none())


@cache
def _rule_lists(
    shape: StructureShape, counts: tuple[int, int], rules: tuple[Breakage, ...] | None = None
) -> st.SearchStrategy[list[Breakage]]:
    """Between counts[0] and counts[1] rules to break (of `rules`, else every one), at most one per member."""
    low, high = counts
    return st.lists(
        st.sampled_from(rules or breakable(shape)), min_size=low, max_size=high, unique_by=lambda b: b.member
    )


@st.composite
def _broken(
    draw: st.DrawFn,
    base: st.SearchStrategy[dict[str, Any]],
    shape: StructureShape,
    counts: tuple[int, int],
    only: tuple[Breakage, ...] | None = None,
) -> Labelled:
    rules = draw(_rule_lists(shape, counts, only))
    changes: dict[str, Any] = {}
    for rule in rules:
        if rule.member == UNKNOWN:
            changes[draw(unknown_member_names(shape))] = draw(_UNKNOWN_VALUES)
        else:
            changes[rule.member] = draw(bad_values(shape.members[rule.member], rule.kind))
    labelled = label(apply(draw(base), changes))
    intended = {(r.member, r.kind) for r in rules if r.member != UNKNOWN}
    got = {(v.path, v.kind) for v in labelled.violations}
    # A drawn value may break more than it was drawn for (an empty key is also off-pattern), never less.
    assert intended <= got and labelled.violations, (intended, got)
    return labelled


def invalid_requests(
    overrides: Mapping[str, Any] | None = None,
    operation: str = OPERATION,
    max_rules: int = 3,
    *,
    boundaries: bool = True,
) -> st.SearchStrategy[Labelled]:
    """Requests breaking at least one rule, labelled; the boundary examples are the simplest branch."""
    key = frozen(overrides)
    if key is None:
        return _invalid_requests(overrides, operation, max_rules, boundaries)
    return _cached_invalid_requests(key, operation, max_rules, boundaries)


@lru_cache(maxsize=_PER_RUN)
def _cached_invalid_requests(
    overrides: tuple[tuple[str, Any], ...], operation: str, max_rules: int, boundaries: bool
) -> st.SearchStrategy[Labelled]:
    return _invalid_requests(dict(overrides), operation, max_rules, boundaries)


def _invalid_requests(
    overrides: Mapping[str, Any] | None, operation: str, max_rules: int, boundaries: bool
) -> st.SearchStrategy[Labelled]:
    shape = input_shape(operation)
    base = valid_requests(overrides, operation)
    # One rule broken, or several at once (one rule is the first branch's: the second starts at two).
    drawn = st.one_of(_broken(base, shape, (1, 1)), _broken(base, shape, (min(2, max_rules), max_rules)))
    if not boundaries:
        return drawn
    fixed = [
        ex for ex in boundary_examples(canonical_request(overrides, operation), operation) if ex.violations
    ]
    return st.one_of(st.sampled_from(fixed), drawn)


# Breakages no "N validation errors detected" message counts: a value of the wrong JSON type cannot be
# deserialised (a SerializationException), and unknown members are ignored.
NOT_COUNTED = (Kind.TYPE, Kind.UNKNOWN_MEMBER)


def several_rules(
    overrides: Mapping[str, Any] | None = None, operation: str = OPERATION, max_rules: int = 3
) -> st.SearchStrategy[Labelled]:
    """Requests breaking two to `max_rules` counted rules at once (on as many members), and nothing
    else: every violation is one a validation message counts. By construction, where a filter on
    `invalid_requests` would keep about one draw in four."""
    key = frozen(overrides)
    if key is None:
        return _several_rules(overrides, operation, max_rules)
    return _cached_several_rules(key, operation, max_rules)


@lru_cache(maxsize=_PER_RUN)
def _cached_several_rules(
    overrides: tuple[tuple[str, Any], ...], operation: str, max_rules: int
) -> st.SearchStrategy[Labelled]:
    return _several_rules(dict(overrides), operation, max_rules)


def _several_rules(
    overrides: Mapping[str, Any] | None, operation: str, max_rules: int
) -> st.SearchStrategy[Labelled]:
    shape = input_shape(operation)
    counted = tuple(b for b in breakable(shape) if b.kind not in NOT_COUNTED)
    if len({b.member for b in counted}) < 2 or max_rules < 2:
        raise ValueError(f"{operation} has no two members whose rules a request can break together")
    return _broken(valid_requests(overrides, operation), shape, (2, max_rules), counted)


def canonical_request(
    overrides: Mapping[str, Any] | None = None, operation: str = OPERATION
) -> dict[str, Any]:
    """A fixed valid request: the overrides, else a reproducible valid value of each required member."""
    shape = input_shape(operation)
    overrides = dict(overrides or {})
    request: dict[str, Any] = {}
    for name in shape.required_members:
        given = overrides.get(name)
        request[name] = given if isinstance(given, str) else simplest(shape.members[name])
    return request


def boundary_examples(base: dict[str, Any], operation: str = OPERATION) -> list[Labelled]:
    """Deterministic examples: every rule broken once, and every length bound probed on both sides."""
    shape = input_shape(operation)
    out: list[Labelled] = []
    for name, member in shape.members.items():
        meta = member.metadata
        if member.type_name == "string" and ("min" in meta or "max" in meta):
            low, high = meta.get("min", 0), meta.get("max")
            lengths = [n for n in (low - 1, low, high, (high or 0) + 1) if n is not None and n >= 0]
            seed = str(base.get(name) or "a")
            for n in dict.fromkeys(lengths):
                value = (seed[0] * n + seed)[-n:] if n else ""
                out.append(label(apply(base, {name: value}), operation))
    for rule in breakable(shape):
        if rule.member == UNKNOWN:
            out.append(label({**base, _first_unknown(shape): "x"}, operation))
            continue
        member = shape.members[rule.member]
        out.append(
            label(
                apply(base, {rule.member: simplest_bad(member, rule.kind, str(base.get(rule.member) or ""))}),
                operation,
            )
        )
        if rule.kind is Kind.PATTERN:
            # A non-ASCII word character: Python's \w accepts it, Java's (and so AWS's) does not.
            seed = str(base.get(rule.member) or "a")
            out.append(
                label(apply(base, {rule.member: seed[:1] + PATTERN_BREAKERS[0] + seed[1:]}), operation)
            )
        if rule.kind is Kind.ENUM:
            out.append(label(apply(base, {rule.member: ""}), operation))
    # Everything at once: each member broken by its first rule.
    firsts: dict[str, Any] = {}
    for rule in breakable(shape):
        if rule.member != UNKNOWN and rule.member not in firsts and rule.kind not in (Kind.MISSING,):
            firsts[rule.member] = simplest_bad(
                shape.members[rule.member], rule.kind, str(base.get(rule.member) or "")
            )
    out.append(label(apply(base, firsts), operation))
    return _unique(out)


def boundary_valid(base: dict[str, Any], operation: str = OPERATION) -> list[tuple[str, dict[str, Any]]]:
    """The other side of every boundary: (what, request) pairs that satisfy every rule of the model.

    Each string member with length bounds at its shortest and its longest valid length (the shortest
    the pattern allows when that is longer than `min`: a DeviceKey needs `x_0`), and each enum value.
    """
    shape = input_shape(operation)
    out: list[tuple[str, dict[str, Any]]] = []
    for name, member in shape.members.items():
        meta = member.metadata
        if member.type_name != "string":
            continue
        values: list[str] = []
        if member.enum:
            values = list(member.enum)
        elif "min" in meta or "max" in meta:
            seed = str(base.get(name) or simplest(member))
            shortest = str(simplest(member))
            values = [shortest]
            if meta.get("max") is not None:
                values.append((seed[0] * int(meta["max"]) + seed)[-int(meta["max"]) :])
        for value in dict.fromkeys(values):
            request = apply(base, {name: value})
            if not label(request, operation).violations:
                what = f"{name} {value!r}" if member.enum else f"{name} of length {len(value)}"
                out.append((what, request))
    return out


def _first_unknown(shape: StructureShape) -> str:
    camel: list[str] = [str(n)[0].lower() + str(n)[1:] for n in shape.members]
    return next(n for n in camel if n not in shape.members)


def _unique(examples: list[Labelled]) -> list[Labelled]:
    seen: set[str] = set()
    out = []
    for ex in examples:
        key = json.dumps(ex.request, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(ex)
    return out


def breaking(
    rules: list[tuple[str, Kind]],
    overrides: Mapping[str, Any] | None = None,
    operation: str = OPERATION,
    *,
    min_length: int = 0,
) -> st.SearchStrategy[Labelled]:
    """Requests breaking exactly one of `rules` (member, kind) on top of a valid request; `min_length`:
    the broken value is a string at least that long (pattern rules only, see `bad_values`)."""
    key = frozen(overrides)
    if key is None:
        return _breaking(tuple(rules), overrides, operation, min_length)
    return _cached_breaking(tuple(rules), key, operation, min_length)


@lru_cache(maxsize=_PER_RUN)
def _cached_breaking(
    rules: tuple[tuple[str, Kind], ...],
    overrides: tuple[tuple[str, Any], ...],
    operation: str,
    min_length: int,
) -> st.SearchStrategy[Labelled]:
    return _breaking(rules, dict(overrides), operation, min_length)


def _breaking(
    rules: tuple[tuple[str, Kind], ...], overrides: Mapping[str, Any] | None, operation: str, min_length: int
) -> st.SearchStrategy[Labelled]:
    shape = input_shape(operation)
    base = valid_requests(overrides, operation)

    def one(rule: tuple[str, Kind]) -> st.SearchStrategy[Labelled]:
        member, kind = rule
        return _with_value(base, member, bad_values(shape.members[member], kind, min_length), operation)

    return st.one_of([one(r) for r in rules])


@st.composite
def _with_value(
    draw: st.DrawFn,
    base: st.SearchStrategy[dict[str, Any]],
    member: str,
    values: st.SearchStrategy[Any],
    operation: str,
) -> Labelled:
    """A valid request with `member` set to a drawn value, labelled (one draw where `tuples` and `map`
    would each add their own around it)."""
    request = draw(base)
    return label(apply(request, {member: draw(values)}), operation)


def boundary_breaking(
    rules: list[tuple[str, Kind]], overrides: Mapping[str, Any] | None = None, operation: str = OPERATION
) -> list[Labelled]:
    """The boundary examples whose violations all fall under `rules`."""
    wanted = {(m, str(k)) for m, k in rules}
    examples = boundary_examples(canonical_request(overrides, operation), operation)
    return [
        ex for ex in examples if ex.violations and {(v.path, str(v.kind)) for v in ex.violations} <= wanted
    ]


__all__ = [
    "Breakage",
    "Labelled",
    "apply",
    "boundary_breaking",
    "boundary_examples",
    "boundary_valid",
    "breaking",
    "invalid_requests",
    "label",
    "several_rules",
    "stretched",
    "valid_requests",
]
