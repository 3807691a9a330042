"""The Java pattern dialect: our translation means what the model's Java regex means."""

import itertools
import re
import unicodedata

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from conformance.contract.javaregex import (
    CATEGORY_TABLE,
    UnsupportedPattern,
    category_runs,
    category_table,
    full_match,
    major_category_runs,
    read_category_table,
    schema_pattern,
    translate,
)
from conformance.contract.model import pinned

DEVICE_KEY = r"[\w-]+_[0-9a-f-]+"
TOKEN = "[A-Za-z0-9-_=.]+"


def java_reads(pattern: str, value: str) -> bool:
    """An independent reading: the `regex` package, ASCII mode (Java's \\w), the pattern as written."""
    return regex.fullmatch(pattern, value, flags=regex.ASCII) is not None


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (DEVICE_KEY, "us-east-1_0f8fad5b-d9cb-469f-a165-70867728950e", True),
        (DEVICE_KEY, "é_0", False),  # Python's \w would accept é; Java's does not
        (DEVICE_KEY, "a_0\n", False),  # full match: no trailing newline
        (DEVICE_KEY, "us-west-2_a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", False),  # the docs' own example!
        (DEVICE_KEY, "", False),
        (TOKEN, "a-b_c=.", True),
        (TOKEN, "a b", False),
        (TOKEN, "", False),
        ("(?s).*", "a\nb", True),
        (".*", "a\nb", False),  # Java's . stops at line terminators
        (".*", "a\u2028b", False),
        ("[\\S]+", "a\u00a0b", True),  # Java's \S is ASCII: a no-break space is not white space
        ("[\\p{L}]+", "éß", True),
        ("[\\x21\\x23-\\x5B]+", "!#[", True),
        ("[\\x21\\x23-\\x5B]+", '"', False),
    ],
)
def test_full_match_follows_java(pattern: str, value: str, expected: bool) -> None:
    assert full_match(pattern, value) is expected


def test_dash_in_a_class_is_escaped_and_ranges_kept() -> None:
    assert translate(TOKEN) == r"[A-Za-z0-9\-_=.]+"
    assert translate(DEVICE_KEY) == r"[A-Za-z0-9_\-]+_[0-9a-f\-]+"


def test_schema_pattern_is_a_full_match_under_search() -> None:
    compiled = re.compile(schema_pattern(DEVICE_KEY))
    assert compiled.search("a_0")
    assert not compiled.search("a_0\n")  # Python's $ would have matched here
    assert not compiled.search("xx é_0")


def test_every_pattern_of_the_pinned_model_translates_and_compiles() -> None:
    patterns = {s["pattern"] for s in pinned().model["shapes"].values() if "pattern" in s}
    assert patterns
    for pattern in patterns:
        re.compile(translate(pattern))


def test_unsupported_constructs_are_refused() -> None:
    with pytest.raises(UnsupportedPattern):
        translate("(?i)abc")
    with pytest.raises(UnsupportedPattern):
        translate("[a[b]]")


ascii_and_more = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.text(alphabet="abf09_-=.éÄ \n", max_size=12)


@given(ascii_and_more)
def test_device_key_translation_agrees_with_java_reading(value: str) -> None:
    assert full_match(DEVICE_KEY, value) == java_reads(DEVICE_KEY, value)


@given(ascii_and_more)
def test_token_translation_agrees_with_java_reading(value: str) -> None:
    assert full_match(TOKEN, value) == java_reads(TOKEN, value)


def test_the_committed_unicode_category_table_is_fresh() -> None:
    """\\p{L} and the like expand from a committed table of category runs (a pass over Unicode costs
    about half a second per run): for this Python's Unicode version it is exactly what unicodedata
    says; written for another version, it is not used."""
    table = read_category_table(CATEGORY_TABLE.read_text(encoding="ascii"))
    assert table is not None
    version, runs = table
    computed = category_runs(major=True)
    if version == unicodedata.unidata_version:
        assert runs == computed, (
            "stale: .venv/bin/python -c 'from conformance.contract.javaregex import write_category_table; "
            "write_category_table()'"
        )
    assert major_category_runs() == computed
    assert read_category_table(category_table(computed, "0.0.0")) == ("0.0.0", computed)


def test_categories_follow_unicodedata() -> None:
    for pattern, chars in (("[\\p{L}]+", "aÀßж中"), ("[\\p{Lu}]+", "AÀЖ"), ("[\\p{N}]+", "7٣½")):
        for char in chars:
            assert full_match(pattern, char), (pattern, char)
    assert not full_match("[\\p{Lu}]+", "a")
    assert not full_match("[\\p{L}]+", "7")
    runs = category_runs()
    assert runs[0][1] == 0 and runs[-1][2] == 0x10FFFF
    assert all(a[2] + 1 == b[1] and a[0] != b[0] for a, b in itertools.pairwise(runs))
    assert all(unicodedata.category(chr(first)) == name for name, first, _ in runs[::50])
