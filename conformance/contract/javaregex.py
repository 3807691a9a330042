"""botocore patterns are Java regexes, unanchored in the model and applied by AWS as a full match.

Java's `\\w`, `\\d`, `\\s` are ASCII-only and its `.` excludes every line terminator, while Python's
`\\w` is Unicode. `translate` rewrites a Java pattern into one whose meaning is the same under Python's
`re` and under ECMA-262 (JSON Schema): classes spelled out, `\\p{..}` expanded, `-` escaped in classes.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path

WORD = "A-Za-z0-9_"
DIGIT = "0-9"
SPACE = " \\t\\n\\x0B\\f\\r"
# Java's `.` without DOTALL: anything but a line terminator.
JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"
ANY = "[\\s\\S]"


class UnsupportedPattern(ValueError):
    """A Java construct this translator does not model; callers fall back to length-only generation."""


Run = tuple[str, int, int]  # a general category (or its first letter), first and last code point

# Where each run of code points with the same one-letter category starts, for the Unicode version of
# the Python that wrote it: reading it costs milliseconds, a pass over Unicode about half a second.
CATEGORY_TABLE = Path(__file__).with_name("unicode_categories.txt")


@cache
def _category_ranges(prefix: str) -> str:
    """A class body holding every code point whose general category starts with `prefix` (e.g. L)."""
    if len(prefix) == 1:
        return _major_category_ranges()[prefix]
    return _ranges_body([(first, last) for name, first, last in category_runs() if name == prefix])


@cache
def _major_category_ranges() -> dict[str, str]:
    """A class body for every one-letter category (L, M, N, P, S, Z, C)."""
    members: dict[str, list[tuple[int, int]]] = {}
    for major, first, last in major_category_runs():
        members.setdefault(major, []).append((first, last))
    return {major: _ranges_body(ranges) for major, ranges in members.items()}


def major_category_runs() -> list[Run]:
    """The runs of one-letter categories: from the committed table when it was written for this
    Python's Unicode version, else computed (`category_runs(major=True)`)."""
    table = read_category_table(CATEGORY_TABLE.read_text(encoding="ascii"))
    if table is not None and table[0] == unicodedata.unidata_version:
        return table[1]
    return category_runs(major=True)


def category_runs(*, major: bool = False) -> list[Run]:
    """Each run of consecutive code points sharing a general category (its first letter with `major`),
    in code point order, from `unicodedata`: one pass in C (map, groupby), Python only per run."""
    categories = map(unicodedata.category, map(chr, range(sys.maxunicode + 1)))
    names = map(itemgetter(0), categories) if major else categories
    runs: list[Run] = []
    start = 0
    for name, members in groupby(names):
        end = start + len(list(members))
        runs.append((name, start, end - 1))
        start = end
    return runs


def write_category_table() -> None:
    """Regenerate the committed table from this Python's `unicodedata` (after a Python upgrade)."""
    CATEGORY_TABLE.write_text(category_table(category_runs(major=True)), encoding="ascii")


def category_table(runs: list[Run], version: str = unicodedata.unidata_version) -> str:
    """The text of the committed table: the Unicode version, then `start category` per run (hex)."""
    lines = [f"unicode {version}", *(f"{first:x} {name}" for name, first, _ in runs)]
    return "\n".join(lines) + "\n"


def read_category_table(text: str) -> tuple[str, list[Run]] | None:
    """(Unicode version, runs) of a table `category_table` wrote; None if it is not one."""
    head, *rows = text.splitlines()
    if not head.startswith("unicode ") or not rows:
        return None
    starts = [(int(start, 16), name) for start, name in (row.split(" ") for row in rows)]
    ends = [start - 1 for start, _ in starts[1:]] + [sys.maxunicode]
    runs = [(name, start, end) for (start, name), end in zip(starts, ends, strict=True)]
    return head.removeprefix("unicode "), runs


def _ranges_body(ranges: list[tuple[int, int]]) -> str:
    """A class body for (first, last) ranges in order, adjacent ones merged."""
    merged: list[tuple[int, int]] = []
    for first, last in ranges:
        if merged and merged[-1][1] == first - 1:
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return "".join(_esc(a) if a == b else f"{_esc(a)}-{_esc(b)}" for a, b in merged)


def _esc(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


_SIMPLE_IN_CLASS = {"w": WORD, "d": DIGIT, "s": SPACE}
_NEGATED = {"W": WORD, "D": DIGIT, "S": SPACE}


def translate(java: str) -> str:
    """The body of a full-match pattern for Python's `re` (use with `re.fullmatch`)."""
    out: list[str] = []
    dotall = False
    i = 0
    if java.startswith("(?s)"):
        dotall, i = True, 4
    n = len(java)
    while i < n:
        c = java[i]
        if c == "\\":
            i, piece = _escape(java, i, in_class=False)
            out.append(piece)
        elif c == "[":
            i, piece = _char_class(java, i)
            out.append(piece)
        elif c == ".":
            out.append(ANY if dotall else JAVA_DOT)
            i += 1
        elif c == "(" and java.startswith("(?", i) and not java.startswith(("(?:", "(?=", "(?!"), i):
            raise UnsupportedPattern(f"inline construct at {i} in {java!r}")
        else:
            out.append(c)
            i += 1
    body = "".join(out)
    # Anchors written in the model are redundant under a full match; drop them so the body nests.
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    return body


def schema_pattern(java: str) -> str:
    """An ECMA-262 / Python pattern for JSON Schema's `pattern` (which searches) that means a full match.

    `(?![\\s\\S])` is the end of input in both dialects; Python's `$` would also match before a
    trailing newline.
    """
    return f"^(?:{translate(java)})(?![\\s\\S])"


@cache
def compiled(java: str) -> re.Pattern[str]:
    return re.compile(translate(java))


def full_match(java: str, value: str) -> bool:
    return compiled(java).fullmatch(value) is not None


def _escape(java: str, i: int, *, in_class: bool) -> tuple[int, str]:
    nxt = java[i + 1] if i + 1 < len(java) else ""
    if nxt in _SIMPLE_IN_CLASS:
        body = _SIMPLE_IN_CLASS[nxt]
        return i + 2, body if in_class else f"[{body}]"
    if nxt in _NEGATED:
        if in_class:
            raise UnsupportedPattern(f"negated class escape \\{nxt} inside a class in {java!r}")
        return i + 2, f"[^{_NEGATED[nxt]}]"
    if nxt in "pP" and java[i + 2 : i + 3] == "{":
        end = java.index("}", i)
        name = java[i + 3 : end]
        if len(name) not in (1, 2) or not name.isalpha():
            raise UnsupportedPattern(f"property \\p{{{name}}} in {java!r}")
        if nxt == "P" or not in_class:
            body = _category_ranges(name)
            return end + 1, (f"[^{body}]" if nxt == "P" else f"[{body}]")
        return end + 1, _category_ranges(name)
    if nxt == "x":
        return i + 4, java[i : i + 4]
    if nxt in "tnrf":
        return i + 2, java[i : i + 2]
    if nxt.isalnum():
        raise UnsupportedPattern(f"escape \\{nxt} in {java!r}")
    # An escaped punctuation character: keep it escaped (valid in both dialects).
    return i + 2, "\\" + nxt


def _char_class(java: str, i: int) -> tuple[int, str]:
    """Translate `[...]` starting at i; returns the index after `]` and the Python class."""
    j = i + 1
    negate = java.startswith("^", j)
    if negate:
        j += 1
    # `[\\S]` alone: Java's non-space, spelled as a negated class.
    if java[j] == "\\" and java[j + 1 : j + 2] in _NEGATED and java[j + 2 : j + 3] == "]" and not negate:
        return j + 3, f"[^{_NEGATED[java[j + 1]]}]"
    body: list[str] = []
    first = True
    while j < len(java) and (java[j] != "]" or first):
        first = False
        j, atom, single = _class_atom(java, j)
        # A '-' between two single characters makes a range; elsewhere it is a literal.
        if single and java.startswith("-", j) and java[j + 1 : j + 2] not in ("]", ""):
            k, upper, upper_single = _class_atom(java, j + 1)
            if upper_single:
                body.append(f"{atom}-{upper}")
                j = k
                continue
        body.append(atom)
    if j >= len(java):
        raise UnsupportedPattern(f"unterminated class in {java!r}")
    return j + 1, "[" + ("^" if negate else "") + "".join(body) + "]"


def _class_atom(java: str, j: int) -> tuple[int, str, bool]:
    """One item of a class: (next index, its Python spelling, whether it is a single character)."""
    c = java[j]
    if c == "\\":
        k, piece = _escape(java, j, in_class=True)
        # One character: an escaped literal (\- or \t) or a hex escape (\x21), not an expanded class.
        return k, piece, piece.startswith("\\x") or (len(piece) == 2 and piece.startswith("\\"))
    if c == "[":
        raise UnsupportedPattern(f"nested class in {java!r}")
    return j + 1, ("\\" + c if c in "-^\\]" else c), True
