"""Wire-level variants of a request, for raw HTTP: what awsJson1_1 says about framing, not members.

The protocol values (the Content-Type's JSON version and the X-Amz-Target prefix) come from the
model's metadata. Each variant names itself; `violations` is empty for the ones a server must accept
(a Content-Type carrying `; charset=utf-8`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from conformance.contract.awsjson import content_type, target
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned


@dataclass(frozen=True)
class WireRequest:
    variant: str
    headers: dict[str, str]
    body: bytes
    violations: tuple[str, ...] = field(default=())
    method: str = "POST"
    path: str = "/"

    def as_json(self) -> dict[str, Any]:
        try:
            body: dict[str, str] = {"body": self.body.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"body_hex": self.body.hex()}
        request = {"method": self.method, "path": self.path, "headers": self.headers, **body}
        return {"variant": self.variant, "request": request, "violations": list(self.violations)}


def proper_headers(operation: str = OPERATION) -> dict[str, str]:
    return {"Content-Type": content_type(), "X-Amz-Target": target(operation)}


NOT_JSON = [
    b"{",
    b'{"AccessToken": ',
    b"not json",
    b"{'AccessToken': 'x'}",
    b'{"a":1,}',
    b"\xff\xfe\x00",
    b"<xml/>",
]
NOT_OBJECT = [b"[]", b'"x"', b"1", b"null", b"true"]
WRONG_TYPES = [
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    "application/x-amz-json-1.0",
]


def _unknown_targets(operation: str) -> list[str]:
    prefix = pinned().service.metadata["targetPrefix"]
    lower = operation[0].lower() + operation[1:]
    return [
        f"{prefix}.{operation[:-1]}",
        f"{prefix}.{lower}",
        f"CognitoIdentityProvider.{operation}",
        f"{prefix}.",
        operation,
    ]


def wire_examples(request: dict[str, Any], operation: str = OPERATION) -> list[WireRequest]:
    """One deterministic example of every variant, for a (valid) request."""
    body = json.dumps(request).encode()
    good = proper_headers(operation)
    no_type = {k: v for k, v in good.items() if k != "Content-Type"}
    no_target = {k: v for k, v in good.items() if k != "X-Amz-Target"}
    unknown = _unknown_targets(operation)
    return [
        WireRequest(
            "content_type_charset", {**good, "Content-Type": f"{content_type()}; charset=utf-8"}, body
        ),
        WireRequest("body_not_json", good, NOT_JSON[0], ("body_not_json",)),
        WireRequest("body_empty", good, b"", ("body_empty",)),
        WireRequest("json_not_object", good, NOT_OBJECT[0], ("json_not_object",)),
        WireRequest(
            "content_type_wrong", {**good, "Content-Type": WRONG_TYPES[0]}, body, ("content_type_wrong",)
        ),
        WireRequest("content_type_missing", no_type, body, ("content_type_missing",)),
        WireRequest("target_missing", no_target, body, ("target_missing",)),
        WireRequest("target_unknown", {**good, "X-Amz-Target": unknown[0]}, body, ("target_unknown",)),
    ]


def wire_variants(
    request: dict[str, Any], operation: str = OPERATION, *, only: frozenset[str] | None = None
) -> st.SearchStrategy[WireRequest]:
    """Variants of the framing around `request`: the examples above first, then random ones; `only`
    these variants where given (built from just their branches: a filter on the variant would draw and
    reject the others). Built once per (request, operation, only): several cases ask for the same."""
    return _wire_variants(json.dumps(request), operation, only)


@lru_cache(maxsize=64)
def _wire_variants(
    request_json: str, operation: str, only: frozenset[str] | None
) -> st.SearchStrategy[WireRequest]:
    request = json.loads(request_json)
    body = json.dumps(request).encode()
    good = proper_headers(operation)
    garbage = st.binary(min_size=1, max_size=32).filter(_not_json)
    charset = st.sampled_from(["; charset=utf-8", ";charset=UTF-8", '; charset="utf-8"']).map(
        lambda p: WireRequest("content_type_charset", {**good, "Content-Type": content_type() + p}, body)
    )
    not_json = st.one_of(st.sampled_from(NOT_JSON), garbage).map(
        lambda b: WireRequest("body_not_json", good, b, ("body_not_json",))
    )
    not_object = st.one_of(
        st.sampled_from(NOT_OBJECT), st.lists(st.integers(), max_size=3).map(lambda v: json.dumps(v).encode())
    ).map(lambda b: WireRequest("json_not_object", good, b, ("json_not_object",)))
    wrong_type = st.one_of(
        st.sampled_from(WRONG_TYPES), st.text("abcdefghijklmnopqrstuvwxyz/-.", min_size=1, max_size=20)
    )
    wrong = wrong_type.filter(lambda t: not t.startswith(content_type())).map(
        lambda t: WireRequest(
            "content_type_wrong", {**good, "Content-Type": t}, body, ("content_type_wrong",)
        )
    )
    # Printable ASCII by construction (a header value must be): random text would mostly be filtered out.
    printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
    unknown_target = st.one_of(st.sampled_from(_unknown_targets(operation)), printable).filter(
        lambda t: t != target(operation) and t.isascii() and t.isprintable()
    )
    unknown = unknown_target.map(
        lambda t: WireRequest("target_unknown", {**good, "X-Amz-Target": t}, body, ("target_unknown",))
    )
    generated = {
        "content_type_charset": charset,
        "body_not_json": not_json,
        "json_not_object": not_object,
        "content_type_wrong": wrong,
        "target_unknown": unknown,
    }
    fixed = [w for w in wire_examples(request, operation) if only is None or w.variant in only]
    branches = [s for name, s in generated.items() if only is None or name in only]
    return st.one_of(st.sampled_from(fixed), *branches) if fixed else st.one_of(*branches)


def _not_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return True
    return False
