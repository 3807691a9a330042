"""What a request the phase sent tests, read from the request itself with the suite's own walker.

schemathesis says whether it meant a request to be valid or not, but by its JSON Schema reading; the
suite judges by the model (`contract/constraints.py`), so the walker decides. The kinds:

- framing: an X-Amz-Target that names none of the phase's operations (or none at all), a Content-Type
  other than awsJson1_1, a body that is not a JSON object (the PROTO-* framing requirements, whose
  answer is a 4xx), whichever operation the request was made for;
- broken rules: the validation requirements of the operation its X-Amz-Target names whose rules the
  request breaks (`Sorting.rules`). A member of the wrong JSON type stops deserialisation before
  validation, so such a request tests the wrong-type requirement alone;
- valid, to UpdateDeviceStatus: no rule broken. With a token that is not the real one, AUTH-NOT-JWT
  (the phase's tokens are generated strings); with the real token and a key of no device,
  RES-UNKNOWN-DEVICE; with both real and a documented status, AUTH-UNSIGNED (the phase sends no
  signature): it must be accepted. A valid request that omits the status or sends null tests what the
  catalog leaves INFORMATIONAL (VAL-STATUS-OMITTED), and one with an unknown member VAL-UNKNOWN-MEMBER:
  the phase judges neither;
- valid, to another operation: no rule broken, so validation must let it through (`Sorting.valid`, the
  operation's `-VAL-CONSTRAINTS`: "a value at a bound passes validation"; no 5xx, no refusal in
  Cognito's validation format). What else its answer should be (accepted, or refused for a generated
  token, pool or key) is no requirement of the phase's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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

# Requirement -> the (member, kind) rules it is about.
Rules = Mapping[str, tuple[tuple[str, Kind], ...]]


@dataclass(frozen=True)
class Sorting:
    """How the requests to one operation are sorted: the rules of each of its validation requirements,
    and the requirement a request that breaks none is judged on (None: UpdateDeviceStatus's own kinds)."""

    rules: Rules
    valid: str | None = None


@dataclass(frozen=True)
class RequestKind:
    """The requirements a request tests, how (`framing`: a 4xx is the MUST; `passes`: validation lets it
    through), a short label, and the operation its X-Amz-Target names (None: none of the phase's)."""

    requirements: tuple[str, ...]
    label: str
    framing: bool = False
    violations: tuple[Violation, ...] = field(default=())
    operation: str | None = None
    passes: bool = False

    @property
    def valid(self) -> bool:
        return self.requirements == (VALID_REQUIREMENT,)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def operation_named(headers: Mapping[str, str], operations: Iterable[str]) -> str | None:
    """The operation among `operations` the request's X-Amz-Target names exactly, if any."""
    sent = _header(headers, "X-Amz-Target")
    return next((op for op in operations if target(op) == sent), None)


def classify(
    exchange: Exchange, sorting: Mapping[str, Sorting], real: Mapping[str, Mapping[str, str]]
) -> RequestKind:
    """The kind of the request in `exchange`. `sorting` says, for each operation of the phase, how its
    requests are sorted; `real` holds the real member values the phase gave each operation."""
    headers = exchange.request_headers
    operation = operation_named(headers, sorting)
    if operation is None:
        sent_target = _header(headers, "X-Amz-Target")
        return RequestKind((TARGET_REQUIREMENT,), f"X-Amz-Target {sent_target!r}", framing=True)
    media = (_header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()
    if media != content_type():
        label = f"Content-Type {media or '(none)'}"
        return RequestKind((CONTENT_TYPE_REQUIREMENT,), label, framing=True, operation=operation)
    try:
        body: Any = json.loads(exchange.request_body)
    except ValueError:
        return RequestKind((BODY_REQUIREMENT,), "a body that is not JSON", framing=True, operation=operation)
    if not isinstance(body, dict):
        label = f"a JSON {type(body).__name__} body"
        return RequestKind((BODY_REQUIREMENT,), label, framing=True, operation=operation)
    # Unknown members are ignored (as AWS's JSON services do): no refusal is for them.
    found = check_input(pinned().operation(operation), body)
    violations = tuple(v for v in found if v.kind is not Kind.UNKNOWN_MEMBER)
    broken = {(v.path.split(".", 1)[0].split("[", 1)[0], v.kind) for v in violations}
    if any(kind is Kind.TYPE for _, kind in broken):
        broken = {rule for rule in broken if rule[1] is Kind.TYPE}
    sorted_by = sorting[operation]
    requirements = tuple(req for req, req_rules in sorted_by.rules.items() if broken & set(req_rules))
    if requirements:
        label = ", ".join(f"{member} {kind}" for member, kind in sorted(broken))
        return RequestKind(requirements, label, violations=violations, operation=operation)
    if found:  # unknown members only (UpdateDeviceStatus's VAL-UNKNOWN-MEMBER is INFO), or no rule here
        label = "rules no requirement of the phase is about" if violations else "unknown members only"
        return RequestKind((), label, operation=operation)
    if sorted_by.valid is not None:
        label = f"a {operation} request valid by the model"
        return RequestKind((sorted_by.valid,), label, operation=operation, passes=True)
    return _valid_update(body, real[operation])


def _valid_update(body: Mapping[str, Any], real: Mapping[str, str]) -> RequestKind:
    """What a valid UpdateDeviceStatus request tests, by the real values it carries."""
    if body.get("AccessToken") != real["AccessToken"]:
        return RequestKind((NOT_JWT_REQUIREMENT,), "a well-formed token that is no JWT", operation=OPERATION)
    if body.get("DeviceKey") != real["DeviceKey"]:
        return RequestKind(
            (UNKNOWN_DEVICE_REQUIREMENT,), "a well-formed key of no device", operation=OPERATION
        )
    status = body.get("DeviceRememberedStatus")
    if status is None:
        return RequestKind((), "valid, status omitted or null", operation=OPERATION)
    return RequestKind((VALID_REQUIREMENT,), f"valid, {status}", operation=OPERATION)
