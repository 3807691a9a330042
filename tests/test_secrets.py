"""Tests for conformance.secrets: which text `redact` replaces, with what, and that it still does so with
thousands of secrets, secrets registered between calls, and several threads at once.

Two oracles: `per_secret_loop` is the implementation `redact` replaced (one scan per secret, longest
first, then the JWT shape), and `leftmost_longest` states the rule directly, position by position.
"""

from __future__ import annotations

import base64
import random
import re
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.secrets import JWT_SHAPE, MIN_SECRET_LENGTH, SecretRegistry


def per_secret_loop(text: str, secrets: dict[str, str]) -> str:
    """The redaction before the one-pass scan, kept as the baseline."""
    for value, placeholder in sorted(secrets.items(), key=lambda kv: -len(kv[0])):
        if value in text:
            text = text.replace(value, placeholder)
    return JWT_SHAPE.sub("$ACCESS_TOKEN", text)


def leftmost_longest(text: str, secrets: dict[str, str]) -> str:
    """Left to right: the longest secret starting here, else a JWT shape starting here, else keep one char."""
    out: list[str] = []
    i = 0
    while i < len(text):
        here = [s for s in secrets if text.startswith(s, i)]
        if here:
            longest = max(here, key=len)
            out.append(secrets[longest])
            i += len(longest)
        elif jwt := JWT_SHAPE.match(text, i):
            out.append("$ACCESS_TOKEN")
            i = jwt.end()
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def registry(secrets: dict[str, str]) -> SecretRegistry:
    reg = SecretRegistry()
    for value, placeholder in secrets.items():
        reg.add(value, placeholder)
    return reg


def b64url(rng: random.Random, n: int) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(n)).decode().rstrip("=")


def token(rng: random.Random, header: str) -> str:
    """JWT-shaped like the reference's tokens: every token of a pool shares the header."""
    return f"{header}.eyJ{b64url(rng, 500)}.{b64url(rng, 256)}"


# --- which secret wins -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x=abcdefghij;", "x=<long>;"),  # <short> is a prefix of it, <inner> inside it
        ("x=bcdefghijk;", "x=<mid>;"),  # <inner> inside it
        ("x=zzabcdefghijzz;", "x=zz<long>zz;"),
        ("abcdefg abcdefghij cdefgh", "<short> <long> <inner>"),  # each one on its own too
        ("abcdefghijabcdefghij", "<long><long>"),
        ("abcdefgz", "<short>z"),  # "abcdefghij" sorts between "abcdefg" and this text
        ("xabcdefgabcdefghijk", "x<short><long>k"),
    ],
)
def test_the_longest_secret_wins_when_one_contains_another(text: str, expected: str) -> None:
    secrets = {
        "abcdefg": "<short>",
        "abcdefghij": "<long>",
        "cdefgh": "<inner>",
        "bcdefghijk": "<mid>",
    }
    assert registry(secrets).redact(text) == expected
    assert per_secret_loop(text, secrets) == expected  # as before


def test_a_near_miss_does_not_hide_a_secret_one_character_later() -> None:
    reg = registry({"aaaaaaab": "<s>", "abcabcabd": "<t>"})
    assert reg.redact("aaaaaaaab abcabcabcabd") == "a<s> abc<t>"


def test_partly_overlapping_occurrences_leave_no_whole_secret() -> None:
    # Neither contains the other: the leftmost is replaced (the old loop replaced the longer one). What is
    # left of the other is a fragment, never the whole secret.
    secrets = {"abcdef": "<first>", "cdefghij": "<second>"}
    out = registry(secrets).redact("..abcdefghij..")
    assert out == "..<first>ghij.."
    assert not any(secret in out for secret in secrets)


@pytest.mark.parametrize(
    ("secret", "pattern_reading_matches"),
    [
        ("a.b*c+d?", "axbbbccd"),
        ("(group)|[class]{2}", "group"),
        ("back\\slash\\d+", "back lash77"),
        ("^start|end$", "start here"),
        ("new\nline\ttab.", "new\nline\ttabs"),
        ("ünïcödé-秘密-🔑", None),
    ],
)
def test_regex_metacharacters_in_secrets_are_literal(
    secret: str, pattern_reading_matches: str | None
) -> None:
    reg = registry({secret: "<s>"})
    assert reg.redact(f"[{secret}]") == "[<s>]"
    assert reg.redact(f"{secret}{secret}") == "<s><s>"
    if pattern_reading_matches is not None:
        assert re.search(secret, pattern_reading_matches)  # the secret read as a pattern would take this
        assert reg.redact(pattern_reading_matches) == pattern_reading_matches


def test_many_secrets_of_regex_metacharacters() -> None:
    # Enough different first characters for the scan to match them by character class, where "]", "^",
    # "-" and "\\" mean something else again.
    specials = "()[]{}?*+-|^$\\.&~# \t"
    secrets = {f"{a}{b}-key-{c}": f"<{c}>" for a in specials for b in specials[::3] for c in "xy"}
    near_misses = [f"{a}{b}-kez-x" for a in specials for b in specials[::3]]
    text = "\n".join(list(secrets) + near_misses)
    out = registry(secrets).redact(text)
    assert out == per_secret_loop(text, secrets) == leftmost_longest(text, secrets)
    assert out.split("\n") == [*secrets.values(), *near_misses]


def test_min_secret_length() -> None:
    reg = SecretRegistry()
    short, enough = "x" * (MIN_SECRET_LENGTH - 1), "y" * MIN_SECRET_LENGTH
    for value in (short, enough, "", None):
        reg.add(value, "<s>")
    assert reg.redact(f"{short} {enough}") == f"{short} <s>"


# --- JWT shapes --------------------------------------------------------------------------------------------


def test_jwt_shapes_are_replaced_and_registered_tokens_keep_their_placeholder() -> None:
    rng = random.Random(7)
    header = "eyJraWQiOiJrZXkiLCJhbGciOiJSUzI1NiJ9"
    id_token, unregistered = token(rng, header), token(rng, header)  # the same first characters
    reg = registry({id_token: "$ID_TOKEN"})
    text = f'{{"IdToken": "{id_token}", "Other": "{unregistered}", "Minted": "eyJa.eyJb.c"}}'
    assert reg.redact(text) == '{"IdToken": "$ID_TOKEN", "Other": "$ACCESS_TOKEN", "Minted": "$ACCESS_TOKEN"}'
    assert reg.redact(f"Bearer {id_token[:-1]}") == "Bearer $ACCESS_TOKEN"  # a cut token is still a JWT
    assert SecretRegistry().redact(text).count("$ACCESS_TOKEN") == 3  # with nothing registered


def test_secrets_next_to_and_inside_a_jwt_shape() -> None:
    secrets = {"password-12": "$PASSWORD"}
    reg = registry(secrets)
    text = "password-12eyJa.eyJb.c and eyJa.eyJb.c password-12"
    assert (
        reg.redact(text)
        == "$PASSWORD$ACCESS_TOKEN and $ACCESS_TOKEN $PASSWORD"
        == per_secret_loop(text, secrets)
    )
    # Inside a JWT shape the whole shape goes (the old loop left "xyz", the end of the shape, behind).
    assert reg.redact("eyJa.eyJb.cpassword-12xyz") == "$ACCESS_TOKEN"


# --- a registry that changes -------------------------------------------------------------------------------


def test_secrets_added_after_a_first_redact_are_redacted() -> None:
    reg = registry({"first-secret": "<1>"})
    text = "first-secret second-secret first-sec"
    assert reg.redact(text) == "<1> second-secret first-sec"
    reg.add("second-secret", "<2>")
    assert reg.redact(text) == "<1> <2> first-sec"
    reg.add("first-secret", "<one>")  # a new placeholder for a known secret
    assert reg.redact(text) == "<one> <2> first-sec"
    reg.add("first-sec", "<prefix>")  # the prefix of a registered secret, added later
    assert reg.redact(text) == "<one> <2> <prefix>"


def test_thousands_of_secrets_with_shared_prefixes() -> None:
    rng = random.Random(13)
    headers = [f"eyJraWQiOiJ{b64url(rng, 12)}" for _ in range(3)]
    secrets: dict[str, str] = {}
    for i in range(1000):
        secrets[token(rng, headers[i % 3])] = "$ACCESS_TOKEN" if i % 2 else "$ID_TOKEN"
        secrets[base64.b64encode(rng.randbytes(384)).decode()] = "$DEVICE_VERIFIER"
        secrets[f"Ccf-{b64url(rng, 9)}!"] = "$PASSWORD"
        secrets[f"user-{i:05d}-device-password"] = "$DEVICE_PASSWORD"  # apart only in the digits
    assert len(secrets) == 4000
    chosen = rng.sample(list(secrets), 300)
    noise = [b64url(rng, rng.randrange(1, 40)) for _ in range(300)]
    # Whole occurrences in JSON, and first halves, which are no secret (not even a JWT shape: one dot).
    parts = [f'{{"v": "{c}", "n": "{n}"}} {c[: len(c) // 2]}{n}' for c, n in zip(chosen, noise, strict=True)]
    text = "\n".join(parts)
    out = registry(secrets).redact(text)
    assert out == per_secret_loop(text, secrets)
    assert not any(value in out for value in chosen)
    assert all(value[: len(value) // 2] in out for value in chosen)


_SECRET_CHARS = "abcdx.!"  # few, so that secrets share prefixes and contain one another
_NOISE_CHARS = "XYZ019"


@given(
    secrets=st.dictionaries(
        st.text(_SECRET_CHARS, min_size=MIN_SECRET_LENGTH, max_size=12),
        st.sampled_from(["<a>", "<b>", "$PASSWORD"]),
        max_size=30,
    ),
    items=st.lists(st.one_of(st.integers(min_value=0), st.text(_NOISE_CHARS, min_size=1, max_size=8))),
    joint=st.sampled_from([" ", "~"]),  # sorting before and after every secret character
)
def test_property_same_as_the_per_secret_loop(
    secrets: dict[str, str], items: list[int | str], joint: str
) -> None:
    """Secrets (containing one another) and noise, apart: the scan and the old loop agree."""
    values = list(secrets)
    words = [
        values[i % len(values)] if isinstance(i, int) else i for i in items if values or isinstance(i, str)
    ]
    text = joint.join(words)
    out = registry(secrets).redact(text)
    assert out == per_secret_loop(text, secrets)
    assert out == leftmost_longest(text, secrets)


@given(
    secrets=st.dictionaries(
        st.text("eyJab.-", min_size=MIN_SECRET_LENGTH, max_size=10), st.just("<s>"), max_size=20
    ),
    text=st.text("eyJab.- ", max_size=80),
)
def test_property_leftmost_longest_with_jwt_shapes(secrets: dict[str, str], text: str) -> None:
    """Any text, overlapping occurrences and JWT shapes included: the rule as stated, no secret left."""
    out = registry(secrets).redact(text)
    assert out == leftmost_longest(text, secrets)
    assert not any(secret in out for secret in secrets)
    assert not JWT_SHAPE.search(out)


# --- threads -----------------------------------------------------------------------------------------------


def test_threads_adding_and_redacting_see_their_own_secrets() -> None:
    reg = SecretRegistry()
    added: list[str] = []
    failures: list[str] = []
    start = threading.Barrier(8)

    def work(n: int) -> None:
        rng = random.Random(n)
        start.wait()
        for i in range(150):
            secret = f"thread-{n}-secret-{i}-{b64url(rng, 9)}"
            reg.add(secret, f"<{n}>")
            added.append(secret)
            # Other threads register secrets meanwhile; whichever matcher this call uses must have ours.
            if reg.redact(f"before {secret} after") != f"before <{n}> after":
                failures.append(secret)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(added) == 8 * 150
    assert reg.redact(" ".join(added)).split() == [f"<{s.split('-')[1]}>" for s in added]
