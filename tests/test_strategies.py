"""The strategies are honest: valid means valid, every label is true, every rule gets broken, and
failing examples shrink to minimal ones."""

import json

import pytest
import regex
from hypothesis import find, given, settings
from hypothesis import strategies as st

from conformance.contract.constraints import Kind, check, check_input, json_type_of
from conformance.contract.javaregex import full_match, translate
from conformance.contract.model import pinned
from conformance.contract.schemas import operation_schemas, schema_violations
from strategies import (
    Labelled,
    boundary_examples,
    draw_examples,
    from_shape,
    invalid_requests,
    valid_requests,
    wire_examples,
    wire_variants,
)
from strategies.requests import breaking, canonical_request, input_shape, several_rules
from strategies.shapes import pattern_strings, strings
from strategies.violations import UNKNOWN, bad_values, breakable, wrong_json_type
from strategies.wire import content_type, target

TOKEN_PATTERN = "[A-Za-z0-9-_=.]+"
REQUEST_SCHEMA = operation_schemas()["UpdateDeviceStatus.request.json"]
SHAPES = pinned().model["shapes"]


def java_facts(request: dict) -> set[tuple[str, str]]:
    """An independent reading of the string rules: raw Java patterns through `regex` in ASCII mode,
    bounds and enums straight from the model JSON (no botocore, no translation, no JSON Schema)."""
    found: set[tuple[str, str]] = set()
    members = SHAPES["UpdateDeviceStatusRequest"]["members"]
    for name, ref in members.items():
        value = request.get(name)
        if not isinstance(value, str):
            continue
        shape = SHAPES[ref["shape"]]
        if len(value) < shape.get("min", 0):
            found.add((name, "too_short"))
        if len(value) > shape.get("max", 10**9):
            found.add((name, "too_long"))
        if "pattern" in shape and not regex.fullmatch(shape["pattern"], value, flags=regex.ASCII):
            found.add((name, "pattern"))
        if "enum" in shape and value not in shape["enum"]:
            found.add((name, "enum"))
    return found


def string_facts(labelled: Labelled) -> set[tuple[str, str]]:
    kinds = {"too_short", "too_long", "pattern", "enum"}
    return {(v.path, str(v.kind)) for v in labelled.violations if str(v.kind) in kinds}


@given(valid_requests())
def test_valid_requests_satisfy_every_constraint(request: dict) -> None:
    assert check_input(pinned().operation(), request) == []
    assert schema_violations(REQUEST_SCHEMA, request) == set()
    assert java_facts(request) == set()


@given(
    valid_requests(
        {"AccessToken": "real.token", "DeviceKey": "us-east-1_0f8fad5b-d9cb-469f-a165-70867728950e"}
    )
)
def test_valid_requests_keep_the_real_token_and_device_key(request: dict) -> None:
    assert request["AccessToken"] == "real.token"
    assert request["DeviceKey"].startswith("us-east-1_")


@given(invalid_requests())
def test_invalid_labels_are_exactly_what_the_schema_and_the_java_reading_find(labelled: Labelled) -> None:
    label = {(v.path, str(v.kind)) for v in labelled.violations}
    assert label, "an invalid request breaks at least one rule"
    assert schema_violations(REQUEST_SCHEMA, labelled.request) == label
    assert java_facts(labelled.request) == string_facts(labelled)


def all_rules() -> set[tuple[str, str]]:
    return {(b.member, str(b.kind)) for b in breakable(input_shape())}


def covered(examples: list[Labelled]) -> set[tuple[str, str]]:
    return {
        (UNKNOWN if v.kind is Kind.UNKNOWN_MEMBER else v.path, str(v.kind))
        for ex in examples
        for v in ex.violations
    }


def test_every_rule_of_the_request_shape_is_broken_within_200_examples() -> None:
    rules = all_rules()
    assert rules >= {
        ("AccessToken", "missing"), ("AccessToken", "null"), ("AccessToken", "type"),
        ("AccessToken", "pattern"),
        ("DeviceKey", "missing"), ("DeviceKey", "null"), ("DeviceKey", "type"), ("DeviceKey", "too_short"),
        ("DeviceKey", "too_long"), ("DeviceKey", "pattern"), ("DeviceRememberedStatus", "type"),
        ("DeviceRememberedStatus", "enum"), (UNKNOWN, "unknown_member"),
    }  # fmt: skip
    assert covered(draw_examples(invalid_requests(), 200, 7)) == rules
    # Without the fixed boundary branch, random generation alone still gets there.
    assert covered(draw_examples(invalid_requests(boundaries=False), 200, 7)) == rules


def test_several_violations_at_once_are_generated() -> None:
    examples = draw_examples(invalid_requests(boundaries=False), 200, 3)
    assert any(len({v.path for v in ex.violations}) >= 3 for ex in examples)


def test_boundary_examples_probe_both_sides_of_every_length_bound() -> None:
    examples = boundary_examples(canonical_request())
    lengths = {
        len(ex.request["DeviceKey"]): ex for ex in examples if isinstance(ex.request.get("DeviceKey"), str)
    }
    assert {0, 1, 55, 56} <= set(lengths)
    assert {str(v.kind) for v in lengths[0].violations} == {"too_short", "pattern"}
    assert {str(v.kind) for v in lengths[1].violations} == {"pattern"}
    assert lengths[55].violations == ()
    assert {str(v.kind) for v in lengths[56].violations} == {"too_long"}
    statuses = {ex.request.get("DeviceRememberedStatus") for ex in examples}
    assert {"REMEMBERED", ""} <= statuses
    assert any("é" in str(ex.request.get("DeviceKey")) for ex in examples)


def test_boundaries_come_first_in_the_invalid_strategy() -> None:
    first = draw_examples(invalid_requests(), 1, 0)[0]
    assert first.violations  # Hypothesis starts from the simplest branch: a fixed boundary example


def test_generated_values_follow_the_java_dialect() -> None:
    for ex in draw_examples(invalid_requests(boundaries=False), 200, 11):
        key = ex.request.get("DeviceKey")
        if isinstance(key, str) and any(not c.isascii() for c in key):
            assert ("DeviceKey", Kind.PATTERN) in {(v.path, v.kind) for v in ex.violations}


def test_shrinking_gives_minimal_examples() -> None:
    quiet = settings(database=None, max_examples=300)
    device_key = input_shape().members["DeviceKey"]
    too_long = find(bad_values(device_key, Kind.TOO_LONG), lambda v: True, settings=quiet)
    assert len(too_long) == 56  # the smallest length that breaks max 55
    assert full_match(device_key.metadata["pattern"], too_long)  # and nothing else is broken
    off_pattern = find(bad_values(device_key, Kind.PATTERN), lambda v: True, settings=quiet)
    assert len(off_pattern) <= 2
    two = find(invalid_requests(boundaries=False), lambda ex: len(ex.violations) >= 2, settings=quiet)
    assert len(two.violations) == 2
    assert sum(len(json.dumps(v)) for v in two.request.values()) < 20  # small members, nothing else


def test_wire_examples_have_one_of_each_variant_and_are_what_they_say() -> None:
    base = canonical_request()
    variants = {w.variant for w in wire_examples(base)}
    assert variants == {
        "content_type_charset", "body_not_json", "body_empty", "json_not_object", "content_type_wrong",
        "content_type_missing", "target_missing", "target_unknown",
    }  # fmt: skip


@given(st.data())
def test_wire_variants_are_what_their_labels_say(data: st.DataObject) -> None:
    wire = data.draw(wire_variants(canonical_request()))
    ct = wire.headers.get("Content-Type")
    tgt = wire.headers.get("X-Amz-Target")
    if wire.variant == "content_type_charset":
        assert wire.violations == () and ct is not None
        assert ct.startswith(content_type()) and "charset" in ct.lower()
        assert json.loads(wire.body) == canonical_request()
    elif wire.variant in ("body_not_json", "body_empty"):
        with pytest.raises(ValueError):
            json.loads(wire.body)
    elif wire.variant == "json_not_object":
        assert not isinstance(json.loads(wire.body), dict)
    elif wire.variant == "content_type_wrong":
        assert ct is not None and not ct.startswith(content_type())
    elif wire.variant == "content_type_missing":
        assert ct is None
    elif wire.variant == "target_missing":
        assert tgt is None
    elif wire.variant == "target_unknown":
        assert tgt is not None and tgt != target()
    else:
        pytest.fail(f"unknown variant {wire.variant}")
    assert wire.violations == (() if wire.variant == "content_type_charset" else (wire.variant,))


@pytest.mark.parametrize(
    "operation",
    ["ConfirmDevice", "GetDevice", "ListDevices", "ForgetDevice", "AdminGetDevice", "AdminListDevices",
     "AdminUpdateDeviceStatus", "AdminForgetDevice", "InitiateAuth", "RespondToAuthChallenge", "RevokeToken"],
)  # fmt: skip
def test_the_generic_converter_makes_valid_inputs_for_other_operations(operation: str) -> None:
    shape = pinned().operation(operation).input_shape
    for value in draw_examples(from_shape(shape), 15, 1):
        json.dumps(value)
        assert check(shape, value) == []


STRING_PATTERNS = sorted(
    name for name, shape in SHAPES.items() if shape.get("type") == "string" and "pattern" in shape
)


@pytest.mark.parametrize("name", STRING_PATTERNS)
def test_pattern_strings_match_the_java_pattern_within_the_bounds(name: str) -> None:
    """Built by construction or by from_regex, every value is valid as the raw Java pattern reads it."""
    raw = SHAPES[name]
    shape = pinned().service.shape_for(name)
    ascii_classes = regex.ASCII if "\\p{" not in raw["pattern"] else 0  # Java's \p{..} is Unicode
    for value in draw_examples(strings(shape), 20, 2):
        assert regex.fullmatch(raw["pattern"], value, flags=ascii_classes)
        assert raw.get("min", 0) <= len(value) <= raw.get("max", 10**9)
        assert check(shape, value) == []


def test_the_patterns_of_the_operation_under_test_are_built_by_construction() -> None:
    """from_regex is several times slower per example; the request's members never need it."""
    for member in input_shape().members.values():
        if "pattern" in member.metadata:
            built = pattern_strings(translate(member.metadata["pattern"]), member.metadata.get("max"))
            assert "from_regex" not in repr(built)


def test_a_class_too_large_to_spell_out_is_drawn_range_first() -> None:
    """A translated \\p{L} (thousands of ranges, an AdminGetDevice Username): built by construction, where
    `st.from_regex` spent seconds per case building its character class."""
    pattern = translate("[\\p{L}]+")
    category = pattern_strings(pattern)
    assert "from_regex" not in repr(category)[:200] and "_in_ranges" in repr(category)[:200]
    values = draw_examples(category, 30, 1)
    assert all(regex.fullmatch(pattern, v) for v in values)
    assert any(ord(c) > 0x24F for v in values for c in v)  # beyond Latin: the ranges are all drawn from


def test_a_pattern_that_cannot_be_constructed_goes_to_from_regex() -> None:
    negated = pattern_strings("[^a]b")
    assert "from_regex" in repr(negated)[:200]
    assert all(regex.fullmatch("[^a]b", v) for v in draw_examples(negated, 10, 1))


def test_strategies_are_built_once_per_run() -> None:
    """What depends only on the model and the fixed base request is made once and reused by every case."""
    base = {
        "AccessToken": "real.token",
        "DeviceKey": "us-east-1_0f8fad5b",
        "DeviceRememberedStatus": "remembered",
    }
    assert valid_requests(base) is valid_requests(dict(base))
    assert invalid_requests(base, boundaries=False) is invalid_requests(dict(base), boundaries=False)
    assert breaking([("DeviceKey", Kind.PATTERN)], base) is breaking(
        [("DeviceKey", Kind.PATTERN)], dict(base)
    )
    assert wire_variants(base) is wire_variants(dict(base))
    assert several_rules(base) is several_rules(dict(base))
    assert breaking([("AccessToken", Kind.PATTERN)], base, min_length=8) is breaking(
        [("AccessToken", Kind.PATTERN)], dict(base), min_length=8
    )
    device_key = input_shape().members["DeviceKey"]
    assert bad_values(device_key, Kind.TOO_LONG) is bad_values(device_key, Kind.TOO_LONG)
    assert valid_requests(base) is not valid_requests({**base, "AccessToken": "other.token"})


def test_only_some_variants_are_drawn_from_their_branches_alone() -> None:
    """The protocol cases ask for their variants: no other variant is ever drawn (or drawn and rejected)."""
    base = canonical_request()
    wanted = frozenset({"target_missing", "target_unknown"})
    examples = draw_examples(wire_variants(base, only=wanted), 100, 4)
    assert {w.variant for w in examples} == wanted
    assert wire_variants(base, only=wanted) is wire_variants(dict(base), only=wanted)


def test_a_filter_reading_more_than_the_variant_filters_each_request() -> None:
    base = canonical_request()
    examples = draw_examples(wire_variants(base).filter(lambda w: w.body == b""), 10, 1)
    assert examples and all(w.body == b"" and w.variant == "body_empty" for w in examples)


def test_several_rules_break_two_or_more_counted_rules_and_nothing_else() -> None:
    """VAL-MULTIPLE's requests, by construction: no wrong type, no unknown member (no message counts
    them), at least two violations; every pair of the counted rules' members comes up."""
    base = canonical_request({"AccessToken": "real.token", "DeviceKey": "us-east-1_0f8fad5b"})
    examples = draw_examples(several_rules(base), 200, 5)
    for ex in examples:
        kinds = {v.kind for v in ex.violations}
        assert len(ex.violations) >= 2 and not kinds & {Kind.TYPE, Kind.UNKNOWN_MEMBER}, ex
        assert {(v.path, str(v.kind)) for v in ex.violations} == {
            (v.path, str(v.kind)) for v in check_input(pinned().operation(), ex.request)
        }
    members = {frozenset(v.path for v in ex.violations) for ex in examples}
    assert {
        frozenset({"AccessToken", "DeviceKey"}),
        frozenset({"DeviceKey", "DeviceRememberedStatus"}),
    } <= members


def test_pattern_breakers_of_a_minimum_length_are_that_long_by_construction() -> None:
    base = canonical_request({"AccessToken": "real.token"})
    examples = draw_examples(breaking([("AccessToken", Kind.PATTERN)], base, min_length=8), 200, 2)
    assert len(examples) == 200
    for ex in examples:
        token = ex.request["AccessToken"]
        assert isinstance(token, str) and len(token) >= 8 and not full_match(TOKEN_PATTERN, token)
        assert [(v.path, v.kind) for v in ex.violations] == [("AccessToken", Kind.PATTERN)]
    with pytest.raises(ValueError, match="pattern breakers only"):
        bad_values(input_shape().members["DeviceKey"], Kind.TOO_LONG, 8)


def test_wrong_types_are_drawn_from_the_other_json_types_only() -> None:
    seen = {json_type_of(v) for v in draw_examples(wrong_json_type("string"), 200, 1)}
    assert seen == {"integer", "boolean", "number", "array", "object"}
    assert {json_type_of(v) for v in draw_examples(wrong_json_type("number"), 200, 1)} == {
        "boolean", "string", "array", "object"
    }  # fmt: skip


def test_a_request_pinned_member_by_member_is_drawn_among_its_valid_forms() -> None:
    """Every member a constant: nothing to generate, the valid forms (the optional status in or out)."""
    pinned_base = {
        "AccessToken": "real.token",
        "DeviceKey": "us-east-1_0f8fad5b",
        "DeviceRememberedStatus": "x",
    }
    forms = {json.dumps(r, sort_keys=True) for r in draw_examples(valid_requests(pinned_base), 20, 1)}
    assert forms == {json.dumps({"AccessToken": "real.token", "DeviceKey": "us-east-1_0f8fad5b"})}
    pinned_base["DeviceRememberedStatus"] = "remembered"
    forms = {json.dumps(r, sort_keys=True) for r in draw_examples(valid_requests(pinned_base), 20, 1)}
    assert len(forms) == 2


BASE = {"AccessToken": "eyJ.a.b", "DeviceKey": "us-east-1_0000", "DeviceRememberedStatus": "remembered"}
CASE_STRATEGIES = {
    "valid requests": lambda: valid_requests(BASE),
    "invalid requests": lambda: invalid_requests(BASE, boundaries=False),
    "several rules (VAL-MULTIPLE)": lambda: several_rules(BASE),
    "long pattern breakers (VAL-SENSITIVE-NOT-ECHOED)": lambda: breaking(
        [("AccessToken", Kind.PATTERN)], BASE, min_length=8
    ),
    "DeviceKey lengths": lambda: breaking(
        [("DeviceKey", Kind.TOO_SHORT), ("DeviceKey", Kind.TOO_LONG)], BASE
    ),
    "wire variants": lambda: wire_variants(BASE),
}


@pytest.mark.parametrize("name", sorted(CASE_STRATEGIES))
def test_the_cases_strategies_pass_hypothesis_health_checks(name: str) -> None:
    """Every health check on (the suite's test profile turns too_slow off; not here): a strategy that
    filters too much, draws too much or is too slow to draw fails this test, not a run."""

    @settings(max_examples=60, suppress_health_check=[], deadline=None, database=None)
    @given(CASE_STRATEGIES[name]())
    def draws(value: object) -> None:
        assert value is not None

    draws()
