"""What a request the phase sent tests, read from the request itself with the suite's own walker.

schemathesis says whether it meant a request to be valid or not, but by its JSON Schema reading; the
suite judges by the model (`contract/constraints.py`), so the walker decides. The kinds:

- framing: a wrong or missing X-Amz-Target, a Content-Type other than awsJson1_1, a body that is not
  a JSON object (the PROTO-* framing requirements, whose answer is a 4xx);
- broken rules: the VAL-* requirements whose rules the request breaks. A member of the wrong JSON type
  stops deserialisation before validation, so such a request tests VAL-WRONG-TYPE alone;
- valid: no rule broken. With a token that is not the real one, AUTH-NOT-JWT (the phase's tokens
  are generated strings); with the real token and a key of no device, RES-UNKNOWN-DEVICE; with both
  real and a documented status, AUTH-UNSIGNED (the phase sends no signature): it must be accepted.
  A valid request that omits the status or sends null tests what the catalog leaves INFORMATIONAL
  (VAL-STATUS-OMITTED), and one with an unknown member VAL-UNKNOWN-MEMBER: the phase judges neither.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.contract import ids
from conformance.contract.awsjson import content_type, target
from conformance.contract.constraints import Kind, Violation, check_input
from conformance.contract.extract import OPERATION
from conformance.contract.model import pinned
from conformance.targets.exchange import Exchange

TARGET_REQUIREMENT = ids.PROTO_UNKNOWN_TARGET
CONTENT_TYPE_REQUIREMENT = ids.PROTO_WRONG_CONTENT_TYPE
BODY_REQUIREMENT = ids.PROTO_MALFORMED_JSON
VALID_REQUIREMENT = ids.AUTH_UNSIGNED
NOT_JWT_REQUIREMENT = ids.AUTH_NOT_JWT
UNKNOWN_DEVICE_REQUIREMENT = ids.RES_UNKNOWN_DEVICE
VALID_KINDS = (NOT_JWT_REQUIREMENT, UNKNOWN_DEVICE_REQUIREMENT, VALID_REQUIREMENT)
WRONG_TYPE_REQUIREMENT = ids.VAL_WRONG_TYPE


@dataclass(frozen=True)
class RequestKind:
    """The requirements a request tests, how (`framing`: a 4xx is the MUST), and a short label."""

    requirements: tuple[str, ...]
    label: str
    framing: bool = False
    violations: tuple[Violation, ...] = field(default=())

    @property
    def valid(self) -> bool:
        return self.requirements == (VALID_REQUIREMENT,)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def classify(
    exchange: Exchange, rules: Mapping[str, tuple[tuple[str, Kind], ...]], real: Mapping[str, str]
) -> RequestKind:
    """The kind of the request in `exchange`. `rules` maps each VAL-* requirement to its broken rules;
    `real` holds the phase's real AccessToken and DeviceKey."""
    headers = exchange.request_headers
    sent_target = _header(headers, "X-Amz-Target")
    if sent_target != target(OPERATION):
        return RequestKind((TARGET_REQUIREMENT,), f"X-Amz-Target {sent_target!r}", framing=True)
    media = (_header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()
    if media != content_type():
        return RequestKind((CONTENT_TYPE_REQUIREMENT,), f"Content-Type {media or '(none)'}", framing=True)
    try:
        body: Any = json.loads(exchange.request_body)
    except ValueError:
        return RequestKind((BODY_REQUIREMENT,), "a body that is not JSON", framing=True)
    if not isinstance(body, dict):
        return RequestKind((BODY_REQUIREMENT,), f"a JSON {type(body).__name__} body", framing=True)
    violations = tuple(check_input(pinned().operation(OPERATION), body))
    broken = {(v.path.split(".", 1)[0].split("[", 1)[0], v.kind) for v in violations}
    if any(kind is Kind.TYPE for _, kind in broken):
        broken = {rule for rule in broken if rule[1] is Kind.TYPE}
    requirements = tuple(req for req, req_rules in rules.items() if broken & set(req_rules))
    if requirements:
        label = ", ".join(f"{member} {kind}" for member, kind in sorted(broken))
        return RequestKind(requirements, label, violations=violations)
    if violations:  # only unknown members: VAL-UNKNOWN-MEMBER, INFORMATIONAL
        return RequestKind((), "unknown members only")
    if body.get("AccessToken") != real["AccessToken"]:
        return RequestKind((NOT_JWT_REQUIREMENT,), "a well-formed token that is no JWT")
    if body.get("DeviceKey") != real["DeviceKey"]:
        return RequestKind((UNKNOWN_DEVICE_REQUIREMENT,), "a well-formed key of no device")
    status = body.get("DeviceRememberedStatus")
    if status is None:
        return RequestKind((), "valid, status omitted or null")
    return RequestKind((VALID_REQUIREMENT,), f"valid, {status}")
