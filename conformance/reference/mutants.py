"""A generator of faulty variants of the reference: small transformations of its answers and state.

`faults.py` holds faulty variants written one by one; this module composes them instead. Each
transformation (a kind of mistake) is applied to every operation and requirement of the catalog
(specs/requirements.toml) it can break, and each product, a `Mutant`, names the one requirement whose
statement it breaks and the level it is judged at. Everything else is forwarded to the reference.

Kinds of mistake (`Mutant.kind`):
- refusal-applied: a documented refusal is answered as documented, but the change asked for is made;
- refusal-dropped: a request that must be refused is accepted (200 `{}`, or what the operation would
  show) and changes nothing;
- wrong-error-type: the refusal carries another modeled error type (same status and message);
- wrong-message: the right type, another message (a SHOULD);
- state: an accepted update (or a device view) gets the state wrong;
- secret-echo: an error answer repeats a secret of its request (message, another field, a header);
- protocol: awsJson1_1 framing of UpdateDeviceStatus's answers;
- valid-refused: a request the catalog says passes is refused;
- flow: the device flow around UpdateDeviceStatus shows its setup wrong.

Which request is the refusal of which requirement is told by `refused_for`, from the request and the
reference's own answer to it (the reference refuses them all as documented). `NOT_GENERATED` and
`SKIPPED` say where the catalog has no product, and why.

Written from the catalog, specs/sources/ and the reference alone (never from the suite's checks).
`MutantBackend(name)` answers through one product; `mutants()` lists them all, in a fixed order.
"""

from __future__ import annotations

import json
import re
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from .. import srp
from ..contract import ids
from ..contract.awsjson import MISSING_AUTHENTICATION
from ..contract.catalog import ID_PREFIXES, catalog
from ..contract.constraints import Kind, Violation, check_input
from ..contract.model import pinned
from . import errors
from .backend import ReferenceBackend
from .errors import CognitoError
from .faults import Answer, Forward, _loose_parts, _params, _refusal, _with_payload
from .handlers import signin
from .handlers.common import (
    INVALID_PAGINATION_TOKEN,
    Context,
    device_json,
    page_token,
    read_page_token,
)
from .handlers.devices import _listing, listing_scope
from .protocol import CONTENT_TYPE, IAM_DEVICE_OPERATIONS, TARGET_PREFIX
from .sessions import Caller, authorize
from .store import Device as StoredDevice
from .store import Pool, User
from .tokens import TokenError, unverified_parts

Apply = Callable[[ReferenceBackend, str | None, bytes, Mapping[str, str], Forward], Answer]

UPDATE = "UpdateDeviceStatus"
GET = "GetDevice"
LIST = "ListDevices"
FORGET = "ForgetDevice"
CONFIRM = "ConfirmDevice"
INITIATE = "InitiateAuth"
RESPOND = "RespondToAuthChallenge"
DESCRIBE_POOL = "DescribeUserPool"
ADMIN_UPDATE = "AdminUpdateDeviceStatus"
ANY_TARGET = "AnyTarget"  # the scope of a refusal that names no operation (an unknown X-Amz-Target)

_STATUSES = ("remembered", "not_remembered")
_STATUS_ATTRIBUTE = "dev:device_remembered_status"
_DEVICE_VIEWS = (GET, LIST, "AdminGetDevice", "AdminListDevices")
_FORGETS = (TARGET_PREFIX + FORGET, TARGET_PREFIX + "AdminForgetDevice")
_INVALID = "InvalidParameterException"
_NOT_FOUND = "ResourceNotFoundException"
_NOT_AUTHORIZED = "NotAuthorizedException"
# The modeled client errors a wrong type is picked from, each followed by the one it is mistaken for.
_ROTATION = (_INVALID, _NOT_FOUND, _NOT_AUTHORIZED)
_JSON = "application/json"
_TOKEN_ERRORS = (_NOT_AUTHORIZED, "UserNotFoundException", "PasswordResetRequiredException")


@dataclass(frozen=True)
class Mutant:
    """One faulty variant: `apply(backend, target, body, headers, forward)` answers instead of the
    reference (`forward()` is the reference's answer, `forward(target, body, headers)` another one's)."""

    name: str
    requirement: str  # the one requirement whose statement it breaks
    mistake: str  # one line
    apply: Apply
    kind: str
    operation: str
    # The level the mistake is judged at: the requirement's, except where the catalog says the part
    # broken is weaker (a message is a SHOULD; `expect_level` for the type of a framing error).
    level: str


class MutantBackend(ReferenceBackend):
    """The reference answering through one mutant. It also keeps the devices ForgetDevice removed, so
    that a mutant can tell a forgotten key from one never issued (and bring a forgotten device back)."""

    def __init__(self, mutant: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mutant not in MUTANTS:
            raise ValueError(f"unknown mutant {mutant!r}; see conformance.reference.mutants.mutants()")
        self.mutant = MUTANTS[mutant]
        self.forgotten: dict[str, StoredDevice] = {}

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> Answer:
        def forward(t: str | None = target, b: bytes = body, h: Mapping[str, str] = headers) -> Answer:
            return self._forward(t, b, h, source_ip)

        return self.mutant.apply(self, target, body, headers, forward)

    def _forward(self, target: str | None, body: bytes, headers: Mapping[str, str], source_ip: str) -> Answer:
        key = _params(body).get("DeviceKey") if target in _FORGETS else None
        with self.store.lock:
            device = self.store.devices.get(key) if isinstance(key, str) else None
            answer = ReferenceBackend.handle(self, target, body, headers, source_ip=source_ip)
            if device is not None and answer[0] == 200 and device.key not in self.store.devices:
                self.forgotten[device.key] = device
        return answer


# --- what a mutant sees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request and the reference's answer to it."""

    backend: ReferenceBackend
    target: str | None
    operation: str | None  # the X-Amz-Target's operation name, when it has the service's prefix
    body: bytes
    params: dict[str, Any]
    headers: Mapping[str, str]
    answer: Answer


def _seen(b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], answer: Answer) -> Seen:
    operation = target[len(TARGET_PREFIX) :] if target and target.startswith(TARGET_PREFIX) else None
    return Seen(b, target, operation, body, _params(body), h, answer)


def _scoped(seen: Seen, operation: str) -> bool:
    return operation == ANY_TARGET or seen.operation == operation


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def _media_type(headers: Mapping[str, str]) -> str:
    return _header(headers, "content-type").split(";", 1)[0].strip().lower()


def _signed(headers: Mapping[str, str]) -> bool:
    return _header(headers, "authorization").startswith("AWS4-HMAC-SHA256")


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _forgotten(b: ReferenceBackend) -> dict[str, StoredDevice]:
    return b.forgotten if isinstance(b, MutantBackend) else {}


def _caller(b: ReferenceBackend, params: dict[str, Any], operation: str) -> Caller | None:
    token = params.get("AccessToken")
    try:
        return authorize(b, token if isinstance(token, str) else None, operation)
    except CognitoError:
        return None


def _owned_device(b: ReferenceBackend, params: dict[str, Any], operation: str) -> StoredDevice | None:
    """The tracked device DeviceKey names, if the AccessToken authorizes its owner."""
    key = params.get("DeviceKey")
    caller = _caller(b, params, operation)
    device = b.store.devices.get(key) if isinstance(key, str) else None
    if caller is None or device is None or not device.confirmed:
        return None
    return device if (device.pool_id, device.owner_sub) == (caller.pool.id, caller.user.sub) else None


def _violations(params: dict[str, Any], operation: str = UPDATE) -> list[Violation]:
    found = check_input(pinned().operation(operation), params)
    return [v for v in found if v.kind is not Kind.UNKNOWN_MEMBER]


def _would_accept(b: ReferenceBackend, params: dict[str, Any], headers: Mapping[str, str]) -> bool:
    """The reference would accept this UpdateDeviceStatus (right framing, valid, the caller's device)."""
    if _media_type(headers) != CONTENT_TYPE or _violations(params):
        return False
    return _owned_device(b, params, UPDATE) is not None


def _pool_named(b: ReferenceBackend, issuer: Any) -> Pool | None:
    prefix = b.issuer("")
    if not isinstance(issuer, str) or not issuer.startswith(prefix):
        return None
    return b.store.pools.get(issuer[len(prefix) :])


def _token_user(b: ReferenceBackend, token: str) -> User | None:
    try:
        _, claims = unverified_parts(token)
    except TokenError:
        return None
    pool = _pool_named(b, claims.get("iss"))
    return pool.user_by_sub(str(claims.get("sub"))) if pool is not None else None


# --- answers -----------------------------------------------------------------------------------------------


def _answer(status: int, payload: Any, error_type: str | None = None) -> Answer:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(len(body)),
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    if error_type is not None:
        headers["x-amzn-ErrorType"] = error_type
    return status, headers, body


def _error(status: int, error_type: str, message: str) -> Answer:
    return _answer(status, {"__type": error_type, "message": message}, error_type)


def _error_body(answer: Answer) -> dict[str, Any] | None:
    return _json_object(answer[2]) if answer[0] >= 400 else None


def _rebuilt(answer: Answer, payload: dict[str, Any], header_type: str | None = None) -> Answer:
    """`answer` with another JSON body, and another X-Amzn-ErrorType where `header_type` is given."""
    status, headers, body = _with_payload(answer, payload)
    if header_type is not None:
        headers = {k: (header_type if k.lower() == "x-amzn-errortype" else v) for k, v in headers.items()}
    return status, headers, body


def _retyped(answer: Answer, error_type: str) -> Answer:
    body = _error_body(answer) or {}
    return _rebuilt(answer, {**body, "__type": error_type}, error_type)


def _reworded(answer: Answer, message: str) -> Answer:
    return _rebuilt(answer, {**(_error_body(answer) or {}), "message": message})


def _documented_messages() -> frozenset[str]:
    return frozenset(r.message for r in catalog().requirements if r.message)


# --- which requirement a refusal is ------------------------------------------------------------------------

# The one member rule a request breaks -> its requirement (a DeviceKey of length 0 breaks the pattern too:
# length is its rule).
_MEMBER_RULES: dict[tuple[str, Kind], str] = {
    ("AccessToken", Kind.MISSING): ids.VAL_ACCESSTOKEN_MISSING,
    ("AccessToken", Kind.NULL): ids.VAL_ACCESSTOKEN_NULL,
    ("AccessToken", Kind.PATTERN): ids.VAL_ACCESSTOKEN_PATTERN,
    ("AccessToken", Kind.TOO_SHORT): ids.VAL_ACCESSTOKEN_PATTERN,
    ("DeviceKey", Kind.MISSING): ids.VAL_DEVICEKEY_MISSING,
    ("DeviceKey", Kind.NULL): ids.VAL_DEVICEKEY_NULL,
    ("DeviceKey", Kind.TOO_SHORT): ids.VAL_DEVICEKEY_LENGTH,
    ("DeviceKey", Kind.TOO_LONG): ids.VAL_DEVICEKEY_LENGTH,
    ("DeviceKey", Kind.PATTERN): ids.VAL_DEVICEKEY_PATTERN,
    ("DeviceRememberedStatus", Kind.ENUM): ids.VAL_STATUS_ENUM,
}


def _validation_rule(params: dict[str, Any]) -> str | None:
    """The one VAL-* requirement an UpdateDeviceStatus request breaks; None if none, or several."""
    found = _violations(params)
    if not found:
        return None
    if all(v.kind is Kind.TYPE for v in found):
        return ids.VAL_WRONG_TYPE
    rules = {_MEMBER_RULES.get((v.path, v.kind)) for v in found}
    if rules == {ids.VAL_DEVICEKEY_LENGTH, ids.VAL_DEVICEKEY_PATTERN}:
        rules = {ids.VAL_DEVICEKEY_LENGTH}
    return next(iter(rules)) if len(rules) == 1 and None not in rules else None


# The other operations' validation requirements, by the kinds of rule a request breaks (one kind only).
_OTHER_VALIDATION: tuple[tuple[frozenset[Kind], str], ...] = (
    (frozenset({Kind.MISSING, Kind.NULL}), "VAL-REQUIRED"),
    (frozenset({Kind.TYPE}), "VAL-WRONG-TYPE"),
    (frozenset(Kind) - {Kind.MISSING, Kind.NULL, Kind.TYPE, Kind.UNKNOWN_MEMBER}, "VAL-CONSTRAINTS"),
)


def _other_validation_rule(operation: str, params: dict[str, Any]) -> str | None:
    """The one {PREFIX}-VAL-* requirement a request to another operation than UpdateDeviceStatus breaks;
    None if it breaks none, or rules of two of them."""
    kinds = {v.kind for v in _violations(params, operation)}
    for group, name in _OTHER_VALIDATION:
        if kinds and kinds <= group:
            return f"{ID_PREFIXES[operation]}-{name}"
    return None


def _invalid_token_rule(b: ReferenceBackend, token: str) -> str:
    """Which kind of token the reference called "Invalid Access Token"."""
    parts = _loose_parts(token)
    if parts is None:
        return ids.AUTH_NOT_JWT
    header, claims, _ = parts
    pools = list(b.store.pools.values())
    if claims.get("token_use") == "id" and any(p.id_key.verifies(token) for p in pools):
        return ids.AUTH_ID_TOKEN
    kids = {key.kid for p in pools for key in (p.access_key, p.id_key)}
    if _pool_named(b, claims.get("iss")) is None and header.get("kid") not in kids:
        return ids.AUTH_OTHER_POOL  # genuinely signed by a pool this backend does not know
    return ids.AUTH_TAMPERED


def _token_rule(seen: Seen, error_type: str, message: str) -> str | None:
    token = seen.params.get("AccessToken")
    if error_type not in _TOKEN_ERRORS or not isinstance(token, str):
        return None
    if _signed(seen.headers):
        return ids.AUTH_IAM_ONLY  # SDKs send device operations unsigned; a signed one is the IAM case
    if error_type == "UserNotFoundException" or message == errors.USER_DOES_NOT_EXIST:
        return ids.AUTH_USER_DELETED
    if error_type == "PasswordResetRequiredException" or message == errors.PASSWORD_RESET_REQUIRED:
        return ids.AUTH_USER_RESET
    if message == errors.TOKEN_REVOKED:  # AdminDisableUser revokes the user's tokens too
        user = _token_user(seen.backend, token)
        return ids.AUTH_USER_DISABLED if user is not None and not user.enabled else ids.AUTH_REVOKED
    if message == errors.INVALID_ACCESS_TOKEN:
        return _invalid_token_rule(seen.backend, token)
    return {
        errors.USER_DISABLED: ids.AUTH_USER_DISABLED,
        errors.TOKEN_EXPIRED: ids.AUTH_EXPIRED,
        errors.TOKEN_SCOPES: ids.AUTH_NO_SCOPE,
    }.get(message)


def _requester(seen: Seen) -> tuple[Pool, User] | None:
    """The pool and user a request speaks for: its AccessToken's caller, or (the Admin operations) the
    user its UserPoolId and Username name."""
    if str(seen.operation).startswith("Admin"):
        pool = seen.backend.store.pools.get(str(seen.params.get("UserPoolId")))
        user = pool.user(str(seen.params.get("Username"))) if pool is not None else None
        return (pool, user) if pool is not None and user is not None else None
    caller = _caller(seen.backend, seen.params, str(seen.operation))
    return (caller.pool, caller.user) if caller is not None else None


def _device_rule(seen: Seen, error_type: str, message: str) -> str | None:
    if (error_type, message) != (_NOT_FOUND, errors.DEVICE_DOES_NOT_EXIST):
        return None
    b, key = seen.backend, seen.params.get("DeviceKey")
    requester = _requester(seen)
    if requester is None or not isinstance(key, str):
        return None
    pool, user = requester
    device = b.store.devices.get(key)
    if device is None:
        return ids.RES_FORGOTTEN_DEVICE if key in _forgotten(b) else ids.RES_UNKNOWN_DEVICE
    if device.pool_id != pool.id:
        other = b.store.pools.get(device.pool_id)
        owner = other.user_by_sub(device.owner_sub) if other is not None else None
        namesake = owner is not None and owner.username == user.username
        return ids.AUTH_OTHER_POOL if namesake else ids.RES_OTHER_POOL_DEVICE
    if device.owner_sub != user.sub:
        return ids.RES_OTHER_USER_DEVICE
    return None if device.confirmed else ids.RES_UNKNOWN_DEVICE


# How UpdateDeviceStatus's refusal classes read for the other operations (specs/requirements/access.toml):
# a token that does not authorize is the operation's AUTH-TOKEN, a key of no device of the user its
# RES-UNKNOWN, another's device its RES-NOT-OWNED. Where a statement of UpdateDeviceStatus's names the
# operation itself (AUTH-REVOKED: GetDevice and ListDevices; RES-OTHER-USER-DEVICE: GetDevice and
# ForgetDevice), that requirement keeps the class and its products stay as they were; the operation's own
# requirement judges the same requests all the same.
_OWN_CLASSES: dict[str, str] = {
    ids.AUTH_NOT_JWT: "AUTH-TOKEN",
    ids.AUTH_TAMPERED: "AUTH-TOKEN",
    ids.AUTH_ID_TOKEN: "AUTH-TOKEN",
    ids.AUTH_OTHER_POOL: "AUTH-TOKEN",
    ids.AUTH_REVOKED: "AUTH-TOKEN",
    ids.RES_UNKNOWN_DEVICE: "RES-UNKNOWN",
    ids.RES_FORGOTTEN_DEVICE: "RES-UNKNOWN",
    ids.RES_OTHER_USER_DEVICE: "RES-NOT-OWNED",
    ids.RES_OTHER_POOL_DEVICE: "RES-NOT-OWNED",
}
_KEPT_BY_UPDATE = frozenset(
    {(GET, ids.AUTH_REVOKED), (LIST, ids.AUTH_REVOKED), (GET, ids.RES_OTHER_USER_DEVICE)}
    | {(FORGET, ids.RES_OTHER_USER_DEVICE)}
)


def _operations_own(operation: str, rule: str | None, error_type: str) -> str | None:
    """`rule` (an UpdateDeviceStatus refusal class) as the operation's own requirement, where it has one."""
    if rule is None or operation == UPDATE or (operation, rule) in _KEPT_BY_UPDATE:
        return rule
    # A namesake in another pool: "another pool's token" when refused as a token, else another pool's device.
    namesake_device = rule == ids.AUTH_OTHER_POOL and error_type == _NOT_FOUND
    name = "RES-NOT-OWNED" if namesake_device else _OWN_CLASSES.get(rule)
    own = f"{ID_PREFIXES[operation]}-{name}" if name and operation in ID_PREFIXES else None
    return own if own in ids.ALL else rule


def _protocol_rule(seen: Seen, error_type: str) -> str | None:
    if error_type == "UnknownOperationException":
        return ids.PROTO_UNKNOWN_TARGET
    if error_type == "SerializationException" and _media_type(seen.headers) != CONTENT_TYPE:
        return ids.PROTO_WRONG_CONTENT_TYPE
    if error_type == "SerializationException" and _json_object(seen.body) is None:
        return ids.PROTO_MALFORMED_JSON
    return None


def refused_for(seen: Seen) -> str | None:
    """The requirement whose documented refusal the reference's answer to this request is, or None."""
    refusal = _refusal(seen.answer)
    if refusal is None:
        return None
    error_type, message = refusal
    rule = _protocol_rule(seen, error_type)
    if rule is not None:
        return rule
    if error_type == MISSING_AUTHENTICATION and seen.operation in IAM_DEVICE_OPERATIONS:
        return f"{ID_PREFIXES[seen.operation]}-AUTH-IAM"  # an Admin operation's request without a signature
    if seen.operation == UPDATE and error_type in (_INVALID, "SerializationException"):
        return _validation_rule(seen.params)
    if seen.operation in ID_PREFIXES and error_type in (_INVALID, "SerializationException"):
        rule = _other_validation_rule(seen.operation, seen.params)
        if rule is not None:
            return rule
    if seen.operation in (UPDATE, GET, LIST, FORGET, *IAM_DEVICE_OPERATIONS):
        rule = _token_rule(seen, error_type, message) or _device_rule(seen, error_type, message)
        return _operations_own(seen.operation, rule, error_type)
    if seen.operation == CONFIRM:
        token = _operations_own(CONFIRM, _token_rule(seen, error_type, message), error_type)
        return token or _confirm_rule(seen, refusal)
    if seen.operation == RESPOND:
        return _proof_rule(seen, refusal)
    return None


def _confirm_rule(seen: Seen, refusal: tuple[str, str]) -> str | None:
    """ConfirmDevice of a key no sign-in issued (FLOW-CONFIRM-UNKNOWN-KEY), or of a device of another user,
    of this pool or another (CONFIRM-RES-NOT-OWNED: that key was issued, to someone else)."""
    key, caller = seen.params.get("DeviceKey"), _caller(seen.backend, seen.params, CONFIRM)
    if refusal != (_INVALID, errors.INVALID_DEVICE_KEY) or caller is None or not isinstance(key, str):
        return None
    device = seen.backend.store.devices.get(key)
    if device is None:
        return ids.FLOW_CONFIRM_UNKNOWN_KEY
    mine = (device.pool_id, device.owner_sub) == (caller.pool.id, caller.user.sub)
    return None if mine else ids.CONFIRM_RES_NOT_OWNED


def _proof_rule(seen: Seen, refusal: tuple[str, str]) -> str | None:
    """A PASSWORD_VERIFIER answer whose proof did not verify."""
    proof = seen.params.get("ChallengeName") == "PASSWORD_VERIFIER"
    return (
        ids.FLOW_SRP_PROOF if proof and refusal == (_NOT_AUTHORIZED, errors.INCORRECT_CREDENTIALS) else None
    )


# The refusals the kinds below are composed with: every refusal the catalog documents for UpdateDeviceStatus
# (validation, authorization, resources), then the other operations its statements name, then the device
# flow's refusals and awsJson1_1's. VAL-MULTIPLE, VAL-MESSAGE-FORMAT and VAL-SENSITIVE-NOT-ECHOED carry an
# `expect` but are no class of request of their own: they have products of the message and echo kinds.
_NO_CLASS = (ids.VAL_MULTIPLE, ids.VAL_MESSAGE_FORMAT, ids.VAL_SENSITIVE_NOT_ECHOED)


def _update_refusals() -> list[str]:
    families = ("validation", "authorization", "resources")
    return [
        r.id
        for r in catalog().requirements
        if r.expect and r.family in families and r.id not in _NO_CLASS and r.operation == UPDATE
    ]


def _other_validation_refusals() -> list[tuple[str, str]]:
    """The other operations' validation requirements (conformance/cases/devices/validation.py)."""
    return [
        (r.operation, r.id)
        for r in catalog().requirements
        if r.expect and r.family == "validation" and r.operation in ID_PREFIXES
    ]


# The other operations whose requests name a device (their RES-UNKNOWN and RES-NOT-OWNED).
_KEYED = (GET, FORGET, "AdminGetDevice", ADMIN_UPDATE, "AdminForgetDevice")


def _access_refusals() -> list[tuple[str, str]]:
    """The other operations' authorization and resources refusals (conformance/cases/devices/access.py)."""
    return [
        (r.operation, r.id)
        for r in catalog().requirements
        if r.expect and r.family in ("authorization", "resources") and r.operation in ID_PREFIXES
    ]


def refusals() -> list[tuple[str, str]]:
    """(operation, requirement) of every refusal the generator composes with, in a fixed order."""
    return [
        *((UPDATE, r) for r in _update_refusals()),
        *_other_validation_refusals(),
        *_access_refusals(),
        (GET, ids.RES_OTHER_USER_DEVICE),
        (FORGET, ids.RES_OTHER_USER_DEVICE),
        (GET, ids.AUTH_REVOKED),
        (LIST, ids.AUTH_REVOKED),
        (CONFIRM, ids.FLOW_CONFIRM_UNKNOWN_KEY),
        (RESPOND, ids.FLOW_SRP_PROOF),
        (UPDATE, ids.PROTO_WRONG_CONTENT_TYPE),
        (UPDATE, ids.PROTO_MALFORMED_JSON),
        (ANY_TARGET, ids.PROTO_UNKNOWN_TARGET),
    ]


# What each refused request is, for the products' one-line mistakes.
_WHAT: dict[str, str] = {
    ids.VAL_ACCESSTOKEN_MISSING: "a request without AccessToken",
    ids.VAL_ACCESSTOKEN_NULL: "a null AccessToken",
    ids.VAL_DEVICEKEY_MISSING: "a request without DeviceKey",
    ids.VAL_DEVICEKEY_NULL: "a null DeviceKey",
    ids.VAL_ACCESSTOKEN_PATTERN: "an AccessToken breaking its pattern",
    ids.VAL_DEVICEKEY_LENGTH: "a DeviceKey of length 0 or over 55",
    ids.VAL_DEVICEKEY_PATTERN: "a DeviceKey breaking its pattern",
    ids.VAL_STATUS_ENUM: "a DeviceRememberedStatus outside the enum",
    ids.VAL_WRONG_TYPE: "a member of the wrong JSON type",
    ids.AUTH_NOT_JWT: "a token that is no JWT",
    ids.AUTH_TAMPERED: "a tampered or badly signed token",
    ids.AUTH_EXPIRED: "an expired access token",
    ids.AUTH_REVOKED: "a revoked access token",
    ids.AUTH_ID_TOKEN: "an ID token",
    ids.AUTH_NO_SCOPE: "a token without the admin scope",
    ids.AUTH_OTHER_POOL: "another pool's token",
    ids.AUTH_IAM_ONLY: "a SigV4-signed request with an invalid token",
    ids.AUTH_USER_DISABLED: "a disabled user's token",
    ids.AUTH_USER_DELETED: "a deleted user's token",
    ids.AUTH_USER_RESET: "the token of a user whose password was reset",
    ids.RES_UNKNOWN_DEVICE: "an unknown DeviceKey",
    ids.RES_OTHER_USER_DEVICE: "another user's device",
    ids.RES_FORGOTTEN_DEVICE: "a forgotten device",
    ids.RES_OTHER_POOL_DEVICE: "a device of another pool",
    ids.FLOW_CONFIRM_UNKNOWN_KEY: "a device key no sign-in issued",
    ids.FLOW_SRP_PROOF: "a PASSWORD_VERIFIER proof made from a wrong password",
    ids.PROTO_WRONG_CONTENT_TYPE: "a wrong or missing Content-Type",
    ids.PROTO_MALFORMED_JSON: "a body that is no JSON object",
    ids.PROTO_UNKNOWN_TARGET: "an unknown X-Amz-Target",
    # The other operations' validation, by operation.
    **{
        f"{prefix}-{name}": what
        for prefix in ID_PREFIXES.values()
        for name, what in (
            ("VAL-REQUIRED", "a request without a required member, or with it null"),
            ("VAL-CONSTRAINTS", "a member breaking its length, pattern, range or enum"),
            ("VAL-WRONG-TYPE", "a member of the wrong JSON type"),
        )
    },
    # The other operations' authorization and resources (a revoked token on GetDevice and ListDevices, and
    # another user's device of the pool on GetDevice and ForgetDevice, stay UpdateDeviceStatus's).
    **{
        f"{ID_PREFIXES[op]}-AUTH-TOKEN": "a token that is no JWT, a forged one"
        + (" or an ID token" if op in (GET, LIST) else ", an ID token or a revoked one")
        for op in (CONFIRM, GET, LIST, FORGET)
    },
    **{f"{ID_PREFIXES[op]}-AUTH-IAM": "a request without a SigV4 signature" for op in IAM_DEVICE_OPERATIONS},
    **{f"{ID_PREFIXES[op]}-RES-UNKNOWN": "a DeviceKey of no device of the user" for op in _KEYED},
    **{
        f"{ID_PREFIXES[op]}-RES-NOT-OWNED": "a device of another pool"
        if op in (GET, FORGET)
        else "another user's or another pool's device"
        for op in (*_KEYED, CONFIRM)
    },
}


# --- refusal-applied: the change the refused request asked for is made anyway ------------------------------


@dataclass(frozen=True)
class _Change:
    how: str  # "... and {how}"
    make: Callable[[Seen, Forward], None]


def _lenient_status(value: Any) -> bool | None:
    """The status a careless reader takes from a value (True: remembered); None: nothing to store."""
    if isinstance(value, str):
        return value.strip().lower() == "remembered"
    if isinstance(value, bool | int | float):
        return bool(value)
    if isinstance(value, list) and value:
        return _lenient_status(value[0])
    return None


def _confirmed(b: ReferenceBackend, key: Any) -> StoredDevice | None:
    device = b.store.devices.get(key) if isinstance(key, str) else None
    return device if device is not None and device.confirmed else None


def _named(seen: Seen) -> StoredDevice | None:
    return _confirmed(seen.backend, seen.params.get("DeviceKey"))


def _named_loosely(seen: Seen) -> StoredDevice | None:
    key = seen.params.get("DeviceKey")
    candidates = (key.strip(), key.strip().lower()) if isinstance(key, str) else ()
    return next((d for d in (_confirmed(seen.backend, k) for k in candidates) if d is not None), None)


def _named_in_list(seen: Seen) -> StoredDevice | None:
    key = seen.params.get("DeviceKey")
    return _confirmed(seen.backend, key[0] if isinstance(key, list) and key else key)


def _near(seen: Seen) -> StoredDevice | None:
    """The caller's device a loose lookup finds: the same UUID under another prefix, or a key one is a
    prefix of the other."""
    key, caller = seen.params.get("DeviceKey"), _caller(seen.backend, seen.params, UPDATE)
    if caller is None or not isinstance(key, str):
        return None
    uuid_part = key.rpartition("_")[2]
    found = [
        d
        for d in seen.backend.store.devices_of(caller.pool.id, caller.user.sub)
        if d.key.rpartition("_")[2] == uuid_part or key.startswith(d.key) or d.key.startswith(key)
    ]
    return max(found, key=lambda d: len(d.key)) if found else None


def _resurrected(seen: Seen) -> StoredDevice | None:
    key = seen.params.get("DeviceKey")
    device = _forgotten(seen.backend).pop(key, None) if isinstance(key, str) else None
    if device is not None:
        seen.backend.store.devices[device.key] = device
    return device


def _status_on(find: Callable[[Seen], StoredDevice | None], where: str) -> _Change:
    def make(seen: Seen, fwd: Forward) -> None:
        wanted = _lenient_status(seen.params.get("DeviceRememberedStatus"))
        if wanted is None:
            return
        device = find(seen)
        if device is not None:
            device.remembered = wanted
            device.last_modified = seen.backend.now()

    return _Change(f"the status it sent is stored on {where}", make)


def _forget_anyway(seen: Seen, fwd: Forward) -> None:
    device = _named(seen)
    if device is not None:
        del seen.backend.store.devices[device.key]


def _forget_loosely(seen: Seen, fwd: Forward) -> None:
    device = _named_loosely(seen)
    if device is not None:
        del seen.backend.store.devices[device.key]


def _take_verifier(device: StoredDevice, config: Any) -> None:
    """The device verifier a ConfirmDevice carried, stored as the reference stores it (if it is one)."""
    if isinstance(config, dict):
        try:
            salt, verifier = str(config.get("Salt") or ""), str(config.get("PasswordVerifier") or "")
            device.salt_hex, device.verifier = srp.device_verifier_from_config(salt, verifier)
        except ValueError:
            pass


def _track_anyway(seen: Seen, fwd: Forward) -> None:
    b, key = seen.backend, seen.params.get("DeviceKey")
    caller = _caller(b, seen.params, CONFIRM)
    if caller is None or not isinstance(key, str) or key in b.store.devices:
        return
    now = b.now()
    device = StoredDevice(key, "-unissued", caller.pool.id, caller.user.sub, now, now, confirmed=True)
    device.remembered = not caller.pool.remember_only_on_prompt
    config = seen.params.get("DeviceSecretVerifierConfig")
    _take_verifier(device, config)
    b.store.devices[key] = device


def _near_device(seen: Seen) -> StoredDevice | None:
    """The device of the user the request speaks for (token or UserPoolId and Username) that a loose lookup
    takes its key for: the key in another case, or a key one is a prefix of the other."""
    key, requester = seen.params.get("DeviceKey"), _requester(seen)
    if requester is None or not isinstance(key, str):
        return None
    pool, user = requester
    folded = key.lower()

    def near(device: StoredDevice) -> bool:
        mine = device.key.lower()
        return folded.startswith(mine) or mine.startswith(folded)

    found = [d for d in seen.backend.store.devices_of(pool.id, user.sub) if near(d)]
    return max(found, key=lambda d: len(d.key)) if found else None


def _resurrected_or_near(seen: Seen) -> StoredDevice | None:
    return _resurrected(seen) or _near_device(seen)


def _forgets(find: Callable[[Seen], StoredDevice | None]) -> Callable[[Seen, Forward], None]:
    def make(seen: Seen, fwd: Forward) -> None:
        device = find(seen)
        if device is not None:
            seen.backend.store.devices.pop(device.key, None)

    return make


def _reconfirm(seen: Seen, fwd: Forward) -> None:
    """The device the key names is confirmed again for the request: its name and verifier replaced."""
    device = _named(seen)
    if device is None:
        return
    config, name = seen.params.get("DeviceSecretVerifierConfig"), seen.params.get("DeviceName")
    _take_verifier(device, config)
    if isinstance(name, str):
        device.name = name
    device.last_modified = seen.backend.now()


# A SigV4 Authorization header of the reference's form: the reference verifies no signature.
_SIGNATURE = (
    "AWS4-HMAC-SHA256 Credential=mutant/20260101/us-east-1/cognito-idp/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, Signature=0"
)


def _as_signed(seen: Seen, fwd: Forward) -> Answer:
    """The reference's answer to the same request, had it carried a signature."""
    return fwd(seen.target, seen.body, {**seen.headers, "Authorization": _SIGNATURE})


def _processed_as_signed(seen: Seen, fwd: Forward) -> None:
    _as_signed(seen, fwd)


def _process_anyway(seen: Seen, fwd: Forward) -> None:
    others = {k: v for k, v in seen.headers.items() if k.lower() != "content-type"}
    fwd(seen.target, seen.body, {**others, "Content-Type": CONTENT_TYPE})


_EXACT = "the device its DeviceKey names"
_LOOSELY = "the user's device a loose key lookup finds"
_ADMIN_FORGET = "AdminForgetDevice"


def _changes() -> dict[tuple[str, str], _Change]:
    exact = _status_on(_named, _EXACT)
    reconfirmed = _Change("the device is confirmed again (its name and verifier replaced)", _reconfirm)
    as_signed = _Change("the request is processed as if it were signed", _processed_as_signed)
    forgets_near = _Change(_LOOSELY + " is forgotten", _forgets(_near_device))
    tokens = (
        ids.AUTH_NOT_JWT,
        ids.AUTH_TAMPERED,
        ids.AUTH_EXPIRED,
        ids.AUTH_REVOKED,
        ids.AUTH_ID_TOKEN,
        ids.AUTH_NO_SCOPE,
        ids.AUTH_OTHER_POOL,
        ids.AUTH_IAM_ONLY,
        ids.AUTH_USER_DISABLED,
        ids.AUTH_USER_RESET,
    )
    return {
        (UPDATE, ids.VAL_ACCESSTOKEN_MISSING): exact,
        (UPDATE, ids.VAL_ACCESSTOKEN_NULL): exact,
        (UPDATE, ids.VAL_ACCESSTOKEN_PATTERN): exact,
        (UPDATE, ids.VAL_DEVICEKEY_PATTERN): _status_on(
            _named_loosely, _EXACT + " once trimmed and lower-cased"
        ),
        (UPDATE, ids.VAL_STATUS_ENUM): _status_on(_named, _EXACT + ", read case-insensitively"),
        (UPDATE, ids.VAL_WRONG_TYPE): _status_on(_named_in_list, _EXACT + ", the value coerced"),
        **{(UPDATE, r): exact for r in tokens},
        (UPDATE, ids.RES_UNKNOWN_DEVICE): _status_on(_near, "the caller's device a loose key lookup finds"),
        (UPDATE, ids.RES_OTHER_USER_DEVICE): exact,
        (UPDATE, ids.RES_FORGOTTEN_DEVICE): _status_on(
            _resurrected, "the forgotten device, which comes back"
        ),
        (UPDATE, ids.RES_OTHER_POOL_DEVICE): exact,
        (FORGET, ids.RES_OTHER_USER_DEVICE): _Change("the other user's device is forgotten", _forget_anyway),
        # The other operations' validation: a malformed key or status read loosely, and acted on.
        (ADMIN_UPDATE, "ADMIN-UPDATE-VAL-CONSTRAINTS"): _status_on(
            _named_loosely, _EXACT + " once trimmed and lower-cased, the status read case-insensitively"
        ),
        (FORGET, "FORGET-VAL-CONSTRAINTS"): _Change(
            "the device its DeviceKey names once trimmed and lower-cased is forgotten", _forget_loosely
        ),
        ("AdminForgetDevice", "ADMIN-FORGET-VAL-CONSTRAINTS"): _Change(
            "the device its DeviceKey names once trimmed and lower-cased is forgotten", _forget_loosely
        ),
        (CONFIRM, ids.FLOW_CONFIRM_UNKNOWN_KEY): _Change("the key becomes a tracked device", _track_anyway),
        # The other operations' authorization and resources: the refused request acted on all the same.
        **{(CONFIRM, r): reconfirmed for r in (ids.CONFIRM_AUTH_TOKEN, ids.CONFIRM_RES_NOT_OWNED)},
        (FORGET, ids.FORGET_AUTH_TOKEN): _Change("the device is forgotten", _forget_anyway),
        (ADMIN_UPDATE, ids.ADMIN_UPDATE_AUTH_IAM): as_signed,
        (_ADMIN_FORGET, ids.ADMIN_FORGET_AUTH_IAM): as_signed,
        (FORGET, ids.FORGET_RES_UNKNOWN): forgets_near,
        (_ADMIN_FORGET, ids.ADMIN_FORGET_RES_UNKNOWN): forgets_near,
        (ADMIN_UPDATE, ids.ADMIN_UPDATE_RES_UNKNOWN): _status_on(
            _resurrected_or_near, "a forgotten device, which comes back, or " + _LOOSELY
        ),
        (FORGET, ids.FORGET_RES_NOT_OWNED): _Change("the other pool's device is forgotten", _forget_anyway),
        (_ADMIN_FORGET, ids.ADMIN_FORGET_RES_NOT_OWNED): _Change("that device is forgotten", _forget_anyway),
        (ADMIN_UPDATE, ids.ADMIN_UPDATE_RES_NOT_OWNED): exact,
        (UPDATE, ids.PROTO_WRONG_CONTENT_TYPE): _Change(
            "the request is processed all the same", _process_anyway
        ),
    }


def _refusal_applied(operation: str, requirement: str, change: _Change) -> Apply:
    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            answer = fwd()
            seen = _seen(b, target, body, h, answer)
            if _scoped(seen, operation) and refused_for(seen) == requirement:
                change.make(seen, fwd)
            return answer

    return apply


# --- refusal-dropped: accepted (and nothing changes) -------------------------------------------------------


def _empty_ok(seen: Seen, fwd: Forward) -> Answer:
    return _answer(200, {})


def _device_shown(seen: Seen, fwd: Forward) -> Answer:
    device = _named(seen)
    return _answer(200, {"Device": device_json(seen.backend, device)}) if device else seen.answer


def _unrevoked(seen: Seen, fwd: Forward) -> Answer:
    """The reference's answer to the same request had the token's sign-in not been revoked."""
    token = seen.params.get("AccessToken")
    try:
        _, claims = unverified_parts(str(token))
    except TokenError:
        return seen.answer
    session = seen.backend.store.sessions.get(str(claims.get("origin_jti")))
    if session is None:
        return seen.answer
    session.revoked = False
    try:
        return fwd()
    finally:
        session.revoked = True


def _signed_in_anyway(seen: Seen, fwd: Forward) -> Answer:
    """What follows a proven password (tokens, or the device challenge), the proof unchecked."""
    b, answers = seen.backend, seen.params.get("ChallengeResponses") or {}
    client = b.store.clients.get(str(seen.params.get("ClientId")))
    pool = b.store.pools.get(client.pool_id) if client is not None else None
    user = pool.user(str(answers.get("USERNAME"))) if pool is not None else None
    if client is None or pool is None or user is None:
        return seen.answer
    device_key = answers.get("DEVICE_KEY")
    try:
        result = signin._after_password(
            b,
            pool,
            client,
            user,
            Context(operation=RESPOND),
            device_key if device_key else None,
            srp_flow=True,
        )
    except CognitoError as error:
        return _error(error.status, error.type, error.message)
    return _answer(200, result)


def _confirmed_nothing(seen: Seen, fwd: Forward) -> Answer:
    return _answer(200, {"UserConfirmationNecessary": False})


def _near_shown(seen: Seen, fwd: Forward) -> Answer:
    """The user's device a loose key lookup finds is shown; with none near, 200 `{}`."""
    device = _near_device(seen)
    return _answer(200, {"Device": device_json(seen.backend, device)} if device else {})


def _listed_unverified(seen: Seen, fwd: Forward) -> Answer:
    """The remembered devices of the user the token's claims name, read without verifying it (none when
    it is no JWT)."""
    b, token = seen.backend, seen.params.get("AccessToken")
    try:
        _, claims = unverified_parts(str(token))
    except TokenError:
        claims = {}
    pool = _pool_named(b, claims.get("iss"))
    user = pool.user_by_sub(str(claims.get("sub"))) if pool is not None else None
    devices = [d for d in b.store.devices_of(pool.id, user.sub) if d.remembered] if pool and user else []
    return _answer(200, {"Devices": [device_json(b, d) for d in devices]})


# How each operation "accepts" a request it should have refused (default: 200 `{}`).
_ACCEPTED: dict[tuple[str, str], tuple[str, Callable[[Seen, Forward], Answer]]] = {
    (GET, ids.RES_OTHER_USER_DEVICE): ("the other user's device is shown", _device_shown),
    (GET, ids.AUTH_REVOKED): ("it answers as for a live token", _unrevoked),
    (LIST, ids.AUTH_REVOKED): ("it answers as for a live token", _unrevoked),
    (CONFIRM, ids.FLOW_CONFIRM_UNKNOWN_KEY): ("200, and no device is tracked", _confirmed_nothing),
    (RESPOND, ids.FLOW_SRP_PROOF): ("the sign-in goes on as if the proof held", _signed_in_anyway),
    # The other operations' authorization and resources (specs/requirements/access.toml).
    (GET, ids.GET_AUTH_TOKEN): ("the device is shown", _device_shown),
    (LIST, ids.LIST_AUTH_TOKEN): ("the devices of the user its claims name are listed", _listed_unverified),
    (CONFIRM, ids.CONFIRM_AUTH_TOKEN): ("200, and no device is confirmed", _confirmed_nothing),
    (CONFIRM, ids.CONFIRM_RES_NOT_OWNED): ("200, and no device is confirmed", _confirmed_nothing),
    ("AdminGetDevice", ids.ADMIN_GET_AUTH_IAM): ("it answers as for a signed request", _as_signed),
    ("AdminListDevices", ids.ADMIN_LIST_AUTH_IAM): ("it answers as for a signed request", _as_signed),
    (GET, ids.GET_RES_UNKNOWN): ("the user's device a loose key lookup finds is shown", _near_shown),
    ("AdminGetDevice", ids.ADMIN_GET_RES_UNKNOWN): ("the device a loose lookup finds is shown", _near_shown),
    (GET, ids.GET_RES_NOT_OWNED): ("the other pool's device is shown", _device_shown),
    ("AdminGetDevice", ids.ADMIN_GET_RES_NOT_OWNED): ("that device is shown", _device_shown),
}


def _refusal_dropped(operation: str, requirement: str, accept: Callable[[Seen, Forward], Answer]) -> Apply:
    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            answer = fwd()
            seen = _seen(b, target, body, h, answer)
            if _scoped(seen, operation) and refused_for(seen) == requirement:
                return accept(seen, fwd)
            return answer

    return apply


# --- wrong-error-type and wrong-message ---------------------------------------------------------------------


def other_error_type(operation: str, requirement: str) -> str:
    """The modeled client error a refusal of `requirement` is mistaken for: the next in _ROTATION after
    the first expected one, that `operation` models and the requirement does not accept."""
    expected = catalog().get(requirement).expect
    model = pinned().operation(UPDATE if operation == ANY_TARGET else operation)
    modeled = {shape.name for shape in model.error_shapes}
    start = next((i + 1 for i, t in enumerate(_ROTATION) if t in expected), 0)
    for candidate in _ROTATION[start:] + _ROTATION[:start]:
        if candidate in modeled and candidate not in expected:
            return candidate
    raise ValueError(f"no other modeled error type for {requirement} on {operation}")


def _answer_rewritten(operation: str, requirement: str, rewrite: Callable[[Answer], Answer]) -> Apply:
    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            answer = fwd()
            seen = _seen(b, target, body, h, answer)
            if _scoped(seen, operation) and refused_for(seen) == requirement:
                return rewrite(answer)
            return answer

    return apply


# Another wording for each documented message, as implementations write them.
_REWORDED: dict[str, str] = {
    "1 validation error detected: Value null at 'deviceKey' failed to satisfy constraint: Member must not be "
    "null": "DeviceKey is required.",
    errors.INVALID_ACCESS_TOKEN: "Access token is invalid.",
    errors.TOKEN_EXPIRED: errors.INVALID_ACCESS_TOKEN,
    errors.TOKEN_REVOKED: errors.INVALID_ACCESS_TOKEN,
    errors.TOKEN_SCOPES: errors.INVALID_ACCESS_TOKEN,
    errors.DEVICE_DOES_NOT_EXIST: "Device not found.",
    errors.INVALID_DEVICE_KEY: "Device key is not valid.",
}

_COUNT = re.compile(r"^([2-9]|[1-9][0-9]+) validation errors detected")
_MEMBER_IN_MESSAGE = re.compile(r"at '([a-z])")


def _message_mistake(reword: Callable[[str], str]) -> Apply:
    """UpdateDeviceStatus's InvalidParameterExceptions with an undocumented message `reword` changes."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        answer = fwd()
        refusal = _refusal(answer)
        if target != TARGET_PREFIX + UPDATE or refusal is None or refusal[0] != "InvalidParameterException":
            return answer
        other = reword(refusal[1])
        return (
            answer
            if refusal[1] in _documented_messages() or other == refusal[1]
            else _reworded(answer, other)
        )

    return apply


# --- state mistakes -----------------------------------------------------------------------------------------

# mistake(backend, device, remembered before, remembered wanted), after an accepted update.
StateMistake = Callable[[ReferenceBackend, StoredDevice, bool, bool], None]


def _accepted_update(mistake: StateMistake, operation: str = UPDATE) -> Apply:
    """An accepted update (`operation`: UpdateDeviceStatus, or the admin form) with a status, then
    `mistake`."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        params = _params(body)
        wanted = params.get("DeviceRememberedStatus")
        with b.store.lock:
            device = _confirmed(b, params.get("DeviceKey"))
            before = device.remembered if device is not None else False
            answer = fwd()
            if target == TARGET_PREFIX + operation and answer[0] == 200 and device and wanted in _STATUSES:
                mistake(b, device, before, wanted == "remembered")
            return answer

    return apply


def _inverted_when(when: Callable[[bool, bool], bool]) -> StateMistake:
    def mistake(b: ReferenceBackend, device: StoredDevice, before: bool, wanted: bool) -> None:
        if when(before, wanted):
            device.remembered = not wanted

    return mistake


def _also_on(others: Callable[[ReferenceBackend, StoredDevice], Iterable[StoredDevice]]) -> StateMistake:
    def mistake(b: ReferenceBackend, device: StoredDevice, before: bool, wanted: bool) -> None:
        for other in others(b, device):
            if other is not device:
                other.remembered = wanted
                other.last_modified = b.now()

    return mistake


def _users_devices(b: ReferenceBackend, device: StoredDevice) -> Iterable[StoredDevice]:
    return b.store.devices_of(device.pool_id, device.owner_sub)


def _pools_devices(b: ReferenceBackend, device: StoredDevice) -> Iterable[StoredDevice]:
    return [d for d in b.store.devices.values() if d.pool_id == device.pool_id and d.confirmed]


def _changed(change: Callable[[ReferenceBackend, StoredDevice], None]) -> StateMistake:
    def mistake(b: ReferenceBackend, device: StoredDevice, before: bool, wanted: bool) -> None:
        change(b, device)

    return mistake


def _drop_name(b: ReferenceBackend, device: StoredDevice) -> None:
    device.name = None


def _reset_created(b: ReferenceBackend, device: StoredDevice) -> None:
    device.created = b.now()


def _move_last_authenticated(b: ReferenceBackend, device: StoredDevice) -> None:
    device.last_authenticated = b.now()


def _drop_verifier(b: ReferenceBackend, device: StoredDevice) -> None:
    device.salt_hex, device.verifier = None, None


def _forget_if_not_remembered(b: ReferenceBackend, device: StoredDevice, before: bool, wanted: bool) -> None:
    if not wanted:
        b.store.devices.pop(device.key, None)


# Keys whose status attribute a mutant of this backend dropped (shown without dev:device_remembered_status).
_UNSET: weakref.WeakKeyDictionary[ReferenceBackend, set[str]] = weakref.WeakKeyDictionary()


def _status_attribute_dropped(on_remembered: bool) -> Apply:
    """UpdateDeviceStatus with this status deletes the status attribute instead of writing it; any other
    accepted update (or AdminUpdateDeviceStatus) writes it again."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        params = _params(body)
        status = params.get("DeviceRememberedStatus")
        with b.store.lock:
            answer = fwd()
            unset = _UNSET.setdefault(b, set())
            updated = target in (TARGET_PREFIX + UPDATE, TARGET_PREFIX + ADMIN_UPDATE) and answer[0] == 200
            if updated and status in _STATUSES:
                dropped = target == TARGET_PREFIX + UPDATE and (status == "remembered") == on_remembered
                (unset.add if dropped else unset.discard)(str(params.get("DeviceKey")))
            if target not in [TARGET_PREFIX + v for v in _DEVICE_VIEWS] or answer[0] != 200 or not unset:
                return answer
            data = json.loads(answer[2])
            for device in [data["Device"]] if "Device" in data else data.get("Devices", []):
                if device.get("DeviceKey") in unset:
                    kept = [
                        a for a in device.get("DeviceAttributes", []) if a.get("Name") != _STATUS_ATTRIBUTE
                    ]
                    device["DeviceAttributes"] = kept
            return _with_payload(answer, data)

    return apply


def _lists_not_remembered(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ListDevices lists every tracked device of the caller, not_remembered ones included."""
    with b.store.lock:
        answer = fwd()
        caller = _caller(b, _params(body), LIST)
        if target != TARGET_PREFIX + LIST or answer[0] != 200 or caller is None:
            return answer
        devices = b.store.devices_of(caller.pool.id, caller.user.sub)
        scope = listing_scope(LIST, caller.pool, caller.user)
        return _with_payload(answer, _listing(b, devices, _params(body), scope))


def _shows_not_remembered(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """GetDevice shows the caller's not_remembered device instead of answering ResourceNotFoundException."""
    with b.store.lock:
        answer = fwd()
        device = _owned_device(b, _params(body), GET) if target == TARGET_PREFIX + GET else None
        if device is not None and not device.remembered and answer[0] == 400:
            return _answer(200, {"Device": device_json(b, device)})
        return answer


def _forget_marks_not_remembered(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ForgetDevice of the caller's device answers 200 and only makes it not_remembered."""
    with b.store.lock:
        device = _owned_device(b, _params(body), FORGET) if target == TARGET_PREFIX + FORGET else None
        if device is None or _media_type(h) != CONTENT_TYPE:
            return fwd()
        device.remembered = False
        device.last_modified = b.now()
        return _answer(200, {})


# --- secret echoes ------------------------------------------------------------------------------------------


def _member(params: dict[str, Any], group: str, name: str) -> Any:
    inner = params.get(group)
    return inner.get(name) if isinstance(inner, dict) else None


def _access_token(params: dict[str, Any]) -> Any:
    return params.get("AccessToken")


def _device_verifier(params: dict[str, Any]) -> Any:
    return _member(params, "DeviceSecretVerifierConfig", "PasswordVerifier")


def _password(params: dict[str, Any]) -> Any:
    return _member(params, "AuthParameters", "PASSWORD")


def _password_claim(params: dict[str, Any]) -> Any:
    return _member(params, "ChallengeResponses", "PASSWORD_CLAIM_SIGNATURE")


# secret -> (the member it is sent as, how to read it from the request)
_SECRETS: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "access-token": ("AccessToken", _access_token),
    "device-verifier": ("PasswordVerifier", _device_verifier),
    "password": ("PASSWORD", _password),
    "password-claim": ("PASSWORD_CLAIM_SIGNATURE", _password_claim),
}
# Which operation receives which secret (InitiateAuth's PASSWORD in the password flows; the PASSWORD_VERIFIER
# answer carries the SRP proof, not the password).
_ECHOES = (
    (UPDATE, "access-token"),
    (GET, "access-token"),
    (LIST, "access-token"),
    (FORGET, "access-token"),
    (CONFIRM, "access-token"),
    (CONFIRM, "device-verifier"),
    (INITIATE, "password"),
    (RESPOND, "password-claim"),
)


def _echo_in_message(answer: Answer, secret: str, member: str, value: str) -> Answer:
    body = _error_body(answer) or {}
    message = str(body.get("message", ""))
    if message in _documented_messages():
        return answer  # a documented message stays as it is: only the echo is the mistake
    return _rebuilt(answer, {**body, "message": f"{message} ({member}: {value})"})


def _echo_in_field(answer: Answer, secret: str, member: str, value: str) -> Answer:
    return _rebuilt(answer, {**(_error_body(answer) or {}), "request": {member: value}})


def _echo_in_header(answer: Answer, secret: str, member: str, value: str) -> Answer:
    status, headers, body = answer
    return status, {**headers, f"x-debug-{secret}": value}, body


_PLACES: dict[str, tuple[str, Callable[[Answer, str, str, str], Answer]]] = {
    "message": ("in its message", _echo_in_message),
    "field": ("in a `request` field", _echo_in_field),
    "header": ("in an x-debug header", _echo_in_header),
}


def _echo(operation: str, secret: str, place: Callable[[Answer, str, str, str], Answer]) -> Apply:
    member, read = _SECRETS[secret]

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        answer = fwd()
        value = read(_params(body))
        if target != TARGET_PREFIX + operation or _error_body(answer) is None:
            return answer
        return place(answer, secret, member, value) if isinstance(value, str) and value else answer

    return apply


# --- protocol -----------------------------------------------------------------------------------------------


def _update_answer(select: Callable[[Seen], bool], change: Callable[[Seen], Answer]) -> Apply:
    """UpdateDeviceStatus's answers that `select`s, changed."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            answer = fwd()
            seen = _seen(b, target, body, h, answer)
            return change(seen) if seen.operation == UPDATE and select(seen) else answer

    return apply


def _is_error(seen: Seen) -> bool:
    return _error_body(seen.answer) is not None


def _is_success(seen: Seen) -> bool:
    return seen.answer[0] == 200


def _undocumented_error(seen: Seen) -> bool:
    refusal = _refusal(seen.answer)
    return refusal is not None and refusal[1] not in _documented_messages()


def _error_of(error_type: str) -> Callable[[Seen], bool]:
    def select(seen: Seen) -> bool:
        refusal = _refusal(seen.answer)
        return refusal is not None and refusal[0] == error_type

    return select


def _content_type(value: str) -> Callable[[Seen], Answer]:
    def change(seen: Seen) -> Answer:
        status, headers, body = seen.answer
        return (
            status,
            {**{k: v for k, v in headers.items() if k.lower() != "content-type"}, "Content-Type": value},
            body,
        )

    return change


def _no_request_id(seen: Seen) -> Answer:
    status, headers, body = seen.answer
    return status, {k: v for k, v in headers.items() if k.lower() != "x-amzn-requestid"}, body


def _message_dropped(seen: Seen) -> Answer:
    body = _error_body(seen.answer) or {}
    return _rebuilt(seen.answer, {k: v for k, v in body.items() if k != "message"})


def _no_message(seen: Seen) -> Answer:
    return _reworded(seen.answer, "")


def _body(payload: bytes, content_type: str = CONTENT_TYPE) -> Callable[[Seen], Answer]:
    def change(seen: Seen) -> Answer:
        status, headers, _ = seen.answer
        headers = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
        return status, {**headers, "Content-Type": content_type, "Content-Length": str(len(payload))}, payload

    return change


def _device_body(seen: Seen) -> Answer:
    device = _named(seen)
    return (
        _with_payload(seen.answer, {"Device": device_json(seen.backend, device)}) if device else seen.answer
    )


def _status(code: int) -> Callable[[Seen], Answer]:
    def change(seen: Seen) -> Answer:
        return code, seen.answer[1], seen.answer[2]

    return change


def _namespaced(seen: Seen) -> Answer:
    body = _error_body(seen.answer) or {}
    kind = f"com.amazonaws.cognitoidentityprovider#{body.get('__type')}"
    return _rebuilt(seen.answer, {**body, "__type": kind}, kind)


def _body_type_disagrees(seen: Seen) -> Answer:
    """The body's __type names another modeled error than X-Amzn-ErrorType (which stays right)."""
    body = _error_body(seen.answer) or {}
    stated = str(body.get("__type"))
    other = next(t for t in _ROTATION if t != stated)
    return _with_payload(seen.answer, {**body, "__type": other})


def _short_circuit(
    select: Callable[[ReferenceBackend, dict[str, Any], Mapping[str, str]], bool],
    answer: Callable[[], Answer],
) -> Apply:
    """UpdateDeviceStatus requests that `select`s get `answer()`, and the reference never sees them."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            if target == TARGET_PREFIX + UPDATE and select(b, _params(body), h):
                return answer()
            return fwd()

    return apply


def _valid_with_unknown_member(b: ReferenceBackend, params: dict[str, Any], h: Mapping[str, str]) -> bool:
    members = pinned().operation(UPDATE).input_shape.members
    return any(name not in members for name in params) and _would_accept(b, params, h)


def _valid_without_status(b: ReferenceBackend, params: dict[str, Any], h: Mapping[str, str]) -> bool:
    return params.get("DeviceRememberedStatus") is None and _would_accept(b, params, h)


def _wrong_content_type(b: ReferenceBackend, params: dict[str, Any], h: Mapping[str, str]) -> bool:
    return _media_type(h) != CONTENT_TYPE


def _charset(b: ReferenceBackend, params: dict[str, Any], h: Mapping[str, str]) -> bool:
    return _media_type(h) == CONTENT_TYPE and "charset" in _header(h, "content-type").lower()


def _valid_null_status(b: ReferenceBackend, params: dict[str, Any], h: Mapping[str, str]) -> bool:
    return "DeviceRememberedStatus" in params and _valid_without_status(b, params, h)


def _valid_longest_key(b: ReferenceBackend, params: dict[str, Any], h: Mapping[str, str]) -> bool:
    key = params.get("DeviceKey")
    return (
        isinstance(key, str)
        and len(key) == 55
        and not _violations(params)
        and _caller(b, params, UPDATE) is not None
    )


def _internal_error() -> Answer:
    return _error(500, "InternalErrorException", "Internal server error.")


def _html_400() -> Answer:
    page = b"<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1></body></html>"
    return 400, {"Content-Type": "text/html", "x-amzn-RequestId": str(uuid.uuid4())}, page


def _charset_refused() -> Answer:
    return _error(400, "SerializationException", f"Content-Type must be {CONTENT_TYPE}")


def _null_refused() -> Answer:
    message = (
        "1 validation error detected: Value null at 'deviceRememberedStatus' failed to satisfy constraint: "
        "Member must not be null"
    )
    return _error(400, "InvalidParameterException", message)


def _longest_key_refused(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Off by one: a pattern-valid DeviceKey of length 55 (the model's maximum) is refused."""
    params = _params(body)
    with b.store.lock:
        if target != TARGET_PREFIX + UPDATE or not _valid_longest_key(b, params, h):
            return fwd()
    key = params["DeviceKey"]
    message = f"1 validation error detected: Value '{key}' at 'deviceKey' failed to satisfy constraint: "
    return _error(
        400, "InvalidParameterException", message + "Member must have length less than or equal to 54"
    )


# --- the device flow ----------------------------------------------------------------------------------------


def _configuration_dropped(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    if target != TARGET_PREFIX + DESCRIBE_POOL or answer[0] != 200:
        return answer
    data = json.loads(answer[2])
    data.get("UserPool", {}).pop("DeviceConfiguration", None)
    return _with_payload(answer, data)


def _confirmation_always_necessary(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    if target != TARGET_PREFIX + CONFIRM or answer[0] != 200:
        return answer
    return _with_payload(answer, {"UserConfirmationNecessary": True})


# --- the generator ------------------------------------------------------------------------------------------


def _wanted(before: bool, wanted: bool) -> bool:
    return wanted


def _unwanted(before: bool, wanted: bool) -> bool:
    return not wanted


def _re_enabling(before: bool, wanted: bool) -> bool:
    return wanted and not before


def _repeated(before: bool, wanted: bool) -> bool:
    return before == wanted


# detail -> (requirement, what goes wrong after an accepted UpdateDeviceStatus)
_STATE_UPDATES: dict[str, tuple[str, StateMistake]] = {
    "remembered-stored-inverted": (ids.STATE_REMEMBERED, _inverted_when(_wanted)),
    "not-remembered-stored-inverted": (ids.STATE_NOT_REMEMBERED_KEEPS, _inverted_when(_unwanted)),
    "re-enable-ignored": (ids.STATE_REENABLE, _inverted_when(_re_enabling)),
    "repeat-toggles": (ids.STATE_IDEMPOTENT, _inverted_when(_repeated)),
    "status-on-users-other-devices": (ids.STATE_ISOLATION, _also_on(_users_devices)),
    "status-on-pools-devices": (ids.STATE_ISOLATION, _also_on(_pools_devices)),
    "device-name-dropped": (ids.STATE_ISOLATION, _changed(_drop_name)),
    "create-date-reset": (ids.STATE_ISOLATION, _changed(_reset_created)),
    "last-authenticated-moved": (ids.STATE_ISOLATION, _changed(_move_last_authenticated)),
    "not-remembered-forgets": (ids.STATE_NOT_REMEMBERED_KEEPS, _forget_if_not_remembered),
    "verifier-dropped": (ids.STATE_DEVICE_SIGNIN, _changed(_drop_verifier)),
}
# (operation, detail) -> (requirement, the mutant's answer)
_STATE_VIEWS: dict[tuple[str, str], tuple[str, Apply]] = {
    (UPDATE, "remembered-unset"): (ids.STATE_REMEMBERED, _status_attribute_dropped(True)),
    (UPDATE, "not-remembered-unset"): (ids.STATE_NOT_REMEMBERED_KEEPS, _status_attribute_dropped(False)),
    (LIST, "lists-not-remembered"): (ids.STATE_USER_VIEW, _lists_not_remembered),
    (GET, "shows-not-remembered"): (ids.STATE_USER_VIEW, _shows_not_remembered),
    (FORGET, "marks-not-remembered"): (ids.STATE_MACHINE, _forget_marks_not_remembered),
}
_PROTOCOL: dict[str, tuple[str, Apply]] = {
    "5xx-for-unknown-member": (ids.PROTO_NO_5XX, _short_circuit(_valid_with_unknown_member, _internal_error)),
    "5xx-for-absent-status": (ids.PROTO_NO_5XX, _short_circuit(_valid_without_status, _internal_error)),
    "error-content-type-json": (ids.PROTO_CONTENT_TYPE, _update_answer(_is_error, _content_type(_JSON))),
    "success-content-type-json": (ids.PROTO_CONTENT_TYPE, _update_answer(_is_success, _content_type(_JSON))),
    "error-without-request-id": (ids.PROTO_REQUEST_ID, _update_answer(_is_error, _no_request_id)),
    "success-without-request-id": (ids.PROTO_REQUEST_ID, _update_answer(_is_success, _no_request_id)),
    "error-without-message": (ids.PROTO_ERROR_MESSAGE, _update_answer(_undocumented_error, _message_dropped)),
    "error-with-empty-message": (ids.PROTO_ERROR_MESSAGE, _update_answer(_undocumented_error, _no_message)),
    "success-body-device": (ids.PROTO_SUCCESS_BODY, _update_answer(_is_success, _device_body)),
    "success-body-null": (ids.PROTO_SUCCESS_BODY, _update_answer(_is_success, _body(b"null"))),
    "success-body-text": (ids.PROTO_SUCCESS_BODY, _update_answer(_is_success, _body(b"OK", "text/plain"))),
    "not-authorized-as-401": (
        ids.PROTO_STATUS_SPLIT,
        _update_answer(_error_of(_NOT_AUTHORIZED), _status(401)),
    ),
    "not-found-as-404": (ids.PROTO_STATUS_SPLIT, _update_answer(_error_of(_NOT_FOUND), _status(404))),
    "invalid-parameter-as-422": (ids.PROTO_STATUS_SPLIT, _update_answer(_error_of(_INVALID), _status(422))),
    "error-type-namespaced": (ids.PROTO_ERROR_TYPE_PLAIN, _update_answer(_is_error, _namespaced)),
    "error-type-disagrees": (ids.PROTO_ERROR_TYPE, _update_answer(_is_error, _body_type_disagrees)),
    "wrong-content-type-html": (ids.PROTO_ERROR_TYPE, _short_circuit(_wrong_content_type, _html_400)),
    "charset-refused": (ids.PROTO_CHARSET, _short_circuit(_charset, _charset_refused)),
}
# The statement makes a disagreement of the header and the body NON-STRICT.
_PROTOCOL_LEVELS = {"error-type-disagrees": "SHOULD"}
# (kind, operation, requirement, answer): the few products of their own kind.
_OTHERS: tuple[tuple[str, str, str, Apply], ...] = (
    ("valid-refused", UPDATE, ids.VAL_NULL_AS_ABSENT, _short_circuit(_valid_null_status, _null_refused)),
    ("valid-refused", UPDATE, ids.VAL_DEVICEKEY_LENGTH, _longest_key_refused),
    ("flow", DESCRIBE_POOL, ids.FLOW_DEVICE_CONFIGURATION, _configuration_dropped),
    ("flow", CONFIRM, ids.FLOW_CONFIRM_DEVICE, _confirmation_always_necessary),
)

# One line per product of the tables above (by detail).
_SAYS: dict[str, str] = {
    "remembered-stored-inverted": "remembered is stored as not_remembered",
    "not-remembered-stored-inverted": "not_remembered is stored as remembered",
    "re-enable-ignored": "remembered on a not_remembered device leaves it not_remembered",
    "repeat-toggles": "the status the device already has toggles it",
    "status-on-users-other-devices": "the status is stored on the user's other devices too",
    "status-on-pools-devices": "the status is stored on every device of the pool too",
    "device-name-dropped": "the device loses its device_name",
    "create-date-reset": "the device's DeviceCreateDate is reset",
    "last-authenticated-moved": "the device's DeviceLastAuthenticatedDate moves",
    "not-remembered-forgets": "not_remembered deletes the device",
    "verifier-dropped": "the device loses its verifier, so DEVICE_SRP_AUTH then fails",
    "remembered-unset": "remembered deletes dev:device_remembered_status instead of writing it",
    "not-remembered-unset": "not_remembered deletes dev:device_remembered_status instead of writing it",
    "lists-not-remembered": "not_remembered devices are listed too",
    "shows-not-remembered": "a not_remembered device is shown, not ResourceNotFoundException",
    "marks-not-remembered": "the device is kept, only made not_remembered",
    "5xx-for-unknown-member": "a valid request with an extra member gets a 500",
    "5xx-for-absent-status": "a valid request without status (omitted or null) gets a 500",
    "error-content-type-json": "errors carry Content-Type application/json",
    "success-content-type-json": "success carries Content-Type application/json",
    "error-without-request-id": "errors carry no x-amzn-RequestId",
    "success-without-request-id": "success carries no x-amzn-RequestId",
    "error-without-message": "errors whose message is not documented carry none",
    "error-with-empty-message": 'errors whose message is not documented carry ""',
    "success-body-device": "success answers the updated device, not {}",
    "success-body-null": "success answers the JSON null",
    "success-body-text": "success answers the text OK",
    "not-authorized-as-401": "NotAuthorizedException answers HTTP 401",
    "not-found-as-404": "ResourceNotFoundException answers HTTP 404",
    "invalid-parameter-as-422": "InvalidParameterException answers HTTP 422",
    "error-type-namespaced": "error types are namespaced (com.amazonaws.cognitoidentityprovider#X)",
    "error-type-disagrees": "the body's __type names another modeled error than X-Amzn-ErrorType",
    "wrong-content-type-html": "a wrong or missing Content-Type gets a 400 HTML page without an error type",
    "charset-refused": "Content-Type with '; charset=utf-8' is refused with SerializationException",
    ids.VAL_NULL_AS_ABSENT: "a null DeviceRememberedStatus is refused as missing, unlike an omitted one",
    ids.VAL_DEVICEKEY_LENGTH: "a pattern-valid DeviceKey of length 55 is refused (the maximum off by one)",
    ids.FLOW_DEVICE_CONFIGURATION: "the pool's DeviceConfiguration is not shown (devices are still tracked)",
    ids.FLOW_CONFIRM_DEVICE: "UserConfirmationNecessary is true although the device is remembered at once",
}


def _level(requirement: str, kind: str) -> str:
    r = catalog().get(requirement)
    if kind == "wrong-message":
        return "SHOULD"
    if kind == "wrong-error-type" and r.expect_level:
        return r.expect_level
    return r.level


def _mutant(kind: str, operation: str, detail: str, requirement: str, mistake: str, apply: Apply) -> Mutant:
    level = _PROTOCOL_LEVELS.get(detail) if kind == "protocol" else None
    name = f"{kind}:{operation}:{detail}"
    return Mutant(name, requirement, mistake, apply, kind, operation, level or _level(requirement, kind))


def _retype_to(error_type: str) -> Callable[[Answer], Answer]:
    def rewrite(answer: Answer) -> Answer:
        return _retyped(answer, error_type)

    return rewrite


def _reword_to(message: str) -> Callable[[Answer], Answer]:
    def rewrite(answer: Answer) -> Answer:
        return _reworded(answer, message)

    return rewrite


def _applied_products(table: list[tuple[str, str]]) -> list[Mutant]:
    changes = _changes()
    return [
        _mutant(
            "refusal-applied",
            op,
            r,
            r,
            f"{op}: {_WHAT[r]} is refused as documented, and {changes[op, r].how}",
            _refusal_applied(op, r, changes[op, r]),
        )
        for op, r in table
        if (op, r) in changes
    ]


def _dropped_products(table: list[tuple[str, str]]) -> list[Mutant]:
    products = []
    for op, r in table:
        how, accept = _ACCEPTED.get((op, r), ("200 {}, and nothing changes", _empty_ok))
        says = f"{op}: {_WHAT[r]} is accepted: {how}"
        products.append(_mutant("refusal-dropped", op, r, r, says, _refusal_dropped(op, r, accept)))
    return products


def _retyped_products(table: list[tuple[str, str]]) -> list[Mutant]:
    products = []
    for op, r in table:
        expect = catalog().get(r).expect
        if not expect:
            continue
        other = other_error_type(op, r)
        says = f"{op}: {_WHAT[r]} is refused with {other}, not {'|'.join(expect)} (same status and message)"
        products.append(
            _mutant("wrong-error-type", op, r, r, says, _answer_rewritten(op, r, _retype_to(other)))
        )
    return products


def _count_as_one(message: str) -> str:
    return _COUNT.sub("1 validation error detected", message)


def _member_capitalised(message: str) -> str:
    return _MEMBER_IN_MESSAGE.sub(lambda found: f"at '{found.group(1).upper()}", message)


def _reworded_products(table: list[tuple[str, str]]) -> list[Mutant]:
    products = []
    for op, r in table:
        documented = catalog().get(r).message
        if documented is None:
            continue
        other = _REWORDED[documented]
        says = f"{op}: {_WHAT[r]} is refused with the right type, the message {other!r}, not {documented!r}"
        products.append(_mutant("wrong-message", op, r, r, says, _answer_rewritten(op, r, _reword_to(other))))
    formats = (
        (ids.VAL_MULTIPLE, "several violations are reported as '1 validation error detected'", _count_as_one),
        (ids.VAL_MESSAGE_FORMAT, "members are named in upper camel case ('DeviceKey')", _member_capitalised),
    )
    for r, says, reword in formats:
        products.append(_mutant("wrong-message", UPDATE, r, r, f"{UPDATE}: {says}", _message_mistake(reword)))
    return products


def _state_products() -> list[Mutant]:
    updates = [
        _mutant("state", UPDATE, detail, r, f"{UPDATE} (accepted): {_SAYS[detail]}", _accepted_update(act))
        for detail, (r, act) in _STATE_UPDATES.items()
    ]
    views = [
        _mutant("state", op, detail, r, f"{op}: {_SAYS[detail]}", apply)
        for (op, detail), (r, apply) in _STATE_VIEWS.items()
    ]
    return updates + views


def _echo_products() -> list[Mutant]:
    return [
        _mutant(
            "secret-echo",
            op,
            f"{secret}-in-{place}",
            ids.VAL_SENSITIVE_NOT_ECHOED,
            f"{op}: an error answer repeats the request's {_SECRETS[secret][0]} {_PLACES[place][0]}",
            _echo(op, secret, _PLACES[place][1]),
        )
        for op, secret in _ECHOES
        for place in _PLACES
    ]


def _protocol_products() -> list[Mutant]:
    return [
        _mutant("protocol", UPDATE, detail, r, f"{UPDATE}: {_SAYS[detail]}", apply)
        for detail, (r, apply) in _PROTOCOL.items()
    ]


def _other_products() -> list[Mutant]:
    return [_mutant(kind, op, r, r, f"{op}: {_SAYS[r]}", apply) for kind, op, r, apply in _OTHERS]


# --- the other operations' views, paging and attributes (specs/requirements/state.toml) --------------------

_VIEW_GET, _VIEW_LIST = "AdminGetDevice", "AdminListDevices"
_VIEW_FORGET = "AdminForgetDevice"
_YEAR_ONE = -62135596800.0  # 0001-01-01T00:00:00Z in epoch seconds
# Devices ForgetDevice deleted in a backend whose AdminListDevices keeps listing them (by owner's sub).
_GHOSTS: weakref.WeakKeyDictionary[ReferenceBackend, list[StoredDevice]] = weakref.WeakKeyDictionary()
# JSON of a successful answer -> the same answer changed (None: as it was), with the backend and request.
Rewrite = Callable[[ReferenceBackend, dict[str, Any], dict[str, Any]], dict[str, Any] | None]


def _answered(operation: str, rewrite: Rewrite) -> Apply:
    """`operation`'s successful answers, their JSON rewritten; everything else as the reference answers."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            answer = fwd()
            data = _json_object(answer[2]) if answer[0] == 200 else None
            if target != TARGET_PREFIX + operation or data is None:
                return answer
            changed = rewrite(b, _params(body), data)
            return answer if changed is None else _with_payload(answer, changed)

    return apply


def _shown_devices(data: dict[str, Any]) -> list[dict[str, Any]]:
    listed = [data["Device"]] if "Device" in data else data.get("Devices", [])
    return [d for d in listed if isinstance(d, dict)]


def _each_device(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    def rewrite(b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        for device in _shown_devices(data):
            change(device)
        return data

    return rewrite


def _without_attribute(name: str) -> Rewrite:
    def drop(device: dict[str, Any]) -> None:
        device["DeviceAttributes"] = [a for a in device.get("DeviceAttributes", []) if a.get("Name") != name]

    return _each_device(drop)


def _shown_remembered(device: dict[str, Any]) -> None:
    for attribute in device.get("DeviceAttributes", []):
        if attribute.get("Name") == _STATUS_ATTRIBUTE:
            attribute["Value"] = "remembered"


def _year_one_when_never(device: dict[str, Any]) -> None:
    device.setdefault("DeviceLastAuthenticatedDate", _YEAR_ONE)


def _dates_as_text(device: dict[str, Any]) -> None:
    for name in ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"):
        if isinstance(device.get(name), int | float):
            device[name] = datetime.fromtimestamp(device[name], UTC).isoformat()


def _dates_in_milliseconds(device: dict[str, Any]) -> None:
    for name in ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"):
        if isinstance(device.get(name), int | float):
            device[name] = int(device[name] * 1000)


def _attributes_as_map(device: dict[str, Any]) -> None:
    device["DeviceAttributes"] = {a.get("Name"): a.get("Value") for a in device.get("DeviceAttributes", [])}


def _created_after_modified(device: dict[str, Any]) -> None:
    if isinstance(device.get("DeviceLastModifiedDate"), int | float):
        device["DeviceCreateDate"] = device["DeviceLastModifiedDate"] + 86400


def _first_device_shown(b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """GetDevice answers the caller's oldest remembered device, whatever key it names."""
    caller = _caller(b, params, GET)
    if caller is None:
        return data
    remembered = [d for d in b.store.devices_of(caller.pool.id, caller.user.sub) if d.remembered]
    return {"Device": device_json(b, remembered[0])} if remembered else data


def _pools_remembered_listed(
    b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any] | None:
    """ListDevices pages through every remembered device of the caller's pool, not the caller's only."""
    caller = _caller(b, params, LIST)
    if caller is None:
        return None
    pool = [d for d in b.store.devices.values() if d.pool_id == caller.pool.id and d.confirmed]
    ordered = sorted((d for d in pool if d.remembered), key=lambda d: (d.created, d.key))
    return _listing(b, ordered, params, listing_scope(LIST, caller.pool, caller.user))


def _admin_user(b: ReferenceBackend, params: dict[str, Any]) -> tuple[Pool, User] | None:
    pool = b.store.pools.get(str(params.get("UserPoolId")))
    user = pool.user(str(params.get("Username"))) if pool is not None else None
    return (pool, user) if pool is not None and user is not None else None


def _remembered_only_listed(
    b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]
) -> dict[str, Any] | None:
    """AdminListDevices pages through the user's remembered devices only."""
    found = _admin_user(b, params)
    if found is None:
        return None
    pool, user = found
    remembered = [d for d in b.store.devices_of(pool.id, user.sub) if d.remembered]
    return _listing(b, remembered, params, listing_scope(_VIEW_LIST, pool, user))


def _forget_keeps(how: Callable[[ReferenceBackend, StoredDevice], None], operation: str) -> Apply:
    """An accepted forget by `operation` of a device, then `how(backend, device)`: what the forget does
    besides (or instead of) deleting it."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        with b.store.lock:
            device = _confirmed(b, _params(body).get("DeviceKey"))
            answer = fwd()
            forgot = target == TARGET_PREFIX + operation and answer[0] == 200
            if forgot and device is not None and device.key not in b.store.devices:
                how(b, device)
            return answer

    return apply


def _kept_not_remembered(b: ReferenceBackend, device: StoredDevice) -> None:
    device.remembered, device.last_modified = False, b.now()
    b.store.devices[device.key] = device


def _owners_devices_forgotten(b: ReferenceBackend, device: StoredDevice) -> None:
    for other in b.store.devices_of(device.pool_id, device.owner_sub):
        del b.store.devices[other.key]


def _ghost(b: ReferenceBackend, device: StoredDevice) -> None:
    _GHOSTS.setdefault(b, []).append(device)


def _forgotten_still_admin_listed(
    b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ForgetDevice deletes the device, but AdminListDevices keeps listing it (on its last page)."""
    if target == TARGET_PREFIX + FORGET:
        return _forget_keeps(_ghost, FORGET)(b, target, body, h, fwd)

    def rewrite(b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
        found = _admin_user(b, params)
        if found is None or data.get("PaginationToken"):
            return None
        ghosts = [d for d in _GHOSTS.get(b, []) if (d.pool_id, d.owner_sub) == (found[0].id, found[1].sub)]
        return {**data, "Devices": [*data.get("Devices", []), *(device_json(b, d) for d in ghosts)]}

    return _answered(_VIEW_LIST, rewrite)(b, target, body, h, fwd)


def _admin_updated(mistake: StateMistake) -> Apply:
    """An accepted AdminUpdateDeviceStatus with a status, then `mistake`."""
    return _accepted_update(mistake, ADMIN_UPDATE)


def _with_body(operation: str, change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Apply:
    """`operation`'s requests forwarded with their body changed (None: as sent)."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        params = _params(body)
        changed = change(params) if target == TARGET_PREFIX + operation and params else None
        return fwd(target, json.dumps(changed).encode(), h) if changed is not None else fwd()

    return apply


def _limit_plus_one(params: dict[str, Any]) -> dict[str, Any] | None:
    limit = params.get("Limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit < 60:
        return None
    return {**params, "Limit": limit + 1}


def _limit_dropped(params: dict[str, Any]) -> dict[str, Any] | None:
    """A valid Limit left out (an invalid one is still refused)."""
    limit = params.get("Limit")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 60:
        return None
    return {k: v for k, v in params.items() if k != "Limit"}


def _token_moved(operation: str, move: Callable[[int, bool], int]) -> Apply:
    """`operation`'s next-page tokens point `move(offset, first page)` instead of at the offset."""

    def rewrite(b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
        read = read_page_token(str(data.get("PaginationToken") or ""))
        if read is None:
            return None
        scope, offset = read
        return {**data, "PaginationToken": page_token(scope, move(offset, "PaginationToken" not in params))}

    return _answered(operation, rewrite)


def _back_on_first(offset: int, first: bool) -> int:
    return offset - 1 if first else offset  # the second page begins with the first page's last device


def _one_skipped(offset: int, first: bool) -> int:
    return offset + 1


def _endless(b: ReferenceBackend, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
    """ListDevices' last page carries a token back to the first page."""
    caller = _caller(b, params, LIST)
    if caller is None or data.get("PaginationToken") or not data.get("Devices"):
        return None
    return {**data, "PaginationToken": page_token(listing_scope(LIST, caller.pool, caller.user), 0)}


def _integer_tokens(operation: str) -> Apply:
    """`operation`'s tokens are the plain offset ("1"), which any caller may send for any listing."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        params = _params(body)
        if target != TARGET_PREFIX + operation:
            return fwd()
        with b.store.lock:
            sent = params.get("PaginationToken")
            scope = _listing_scope_of(b, operation, params)
            if isinstance(sent, str) and sent.isdigit() and scope is not None:
                params = {**params, "PaginationToken": page_token(scope, int(sent))}
                body = json.dumps(params).encode()
            answer = fwd(target, body, h)
            data = _json_object(answer[2]) if answer[0] == 200 else None
            read = read_page_token(str(data.get("PaginationToken") or "")) if data else None
            if data is None or read is None:
                return answer
            return _with_payload(answer, {**data, "PaginationToken": str(read[1])})

    return apply


def _listing_scope_of(b: ReferenceBackend, operation: str, params: dict[str, Any]) -> str | None:
    """The scope the reference gives this listing request's tokens (whose devices, which operation)."""
    if operation == LIST:
        caller = _caller(b, params, LIST)
        return listing_scope(LIST, caller.pool, caller.user) if caller is not None else None
    found = _admin_user(b, params)
    return listing_scope(operation, *found) if found is not None else None


def _token_owner_followed(operation: str) -> Apply:
    """A token names whose devices it pages through, and `operation` follows it, whoever asks."""

    def apply(
        b: ReferenceBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
    ) -> Answer:
        params = _params(body)
        read = read_page_token(str(params.get("PaginationToken") or ""))
        with b.store.lock:
            answer = fwd()
            refused = _refusal(answer) == (_INVALID, INVALID_PAGINATION_TOKEN)
            if target != TARGET_PREFIX + operation or read is None or not refused:
                return answer
            issuer, pool_id, sub = [*read[0].split(":"), "", "", ""][:3]
            pool = b.store.pools.get(pool_id)
            owner = pool.user_by_sub(sub) if pool is not None else None
            if pool is None or owner is None or _listing_scope_of(b, operation, params) is None:
                return answer
            devices = b.store.devices_of(pool.id, owner.sub)
            if issuer == LIST:
                devices = [d for d in devices if d.remembered]
            return _answer(200, _listing(b, devices, params, read[0]))

    return apply


# (kind, operation, detail, requirement, what goes wrong, the mistake's answer)
_VIEW_MISTAKES: tuple[tuple[str, str, str, str, str, Apply], ...] = (
    (
        "state",
        GET,
        "shows-first-device",
        ids.GET_STATE_VIEW,
        "the caller's oldest remembered device is shown, whatever key is named",
        _answered(GET, _first_device_shown),
    ),
    (
        "state",
        GET,
        "name-dropped",
        ids.GET_STATE_VIEW,
        "the device is shown without its device_name",
        _answered(GET, _without_attribute("device_name")),
    ),
    (
        "state",
        GET,
        "not-remembered-shown",
        ids.GET_STATE_NOT_REMEMBERED,
        "a not_remembered device is shown, not ResourceNotFoundException",
        _shows_not_remembered,
    ),
    (
        "state",
        LIST,
        "lists-pool-devices",
        ids.LIST_STATE_OWN,
        "every remembered device of the pool is listed, other users' too",
        _answered(LIST, _pools_remembered_listed),
    ),
    (
        "state",
        LIST,
        "not-remembered-listed",
        ids.LIST_STATE_REMEMBERED_ONLY,
        "not_remembered devices are listed too",
        _lists_not_remembered,
    ),
    (
        "state",
        _VIEW_GET,
        "shows-remembered",
        ids.ADMIN_GET_STATE_VIEW,
        "every device is shown remembered, a not_remembered one too",
        _answered(_VIEW_GET, _each_device(_shown_remembered)),
    ),
    (
        "state",
        _VIEW_LIST,
        "omits-not-remembered",
        ids.ADMIN_LIST_STATE_EVERY,
        "only remembered devices are listed",
        _answered(_VIEW_LIST, _remembered_only_listed),
    ),
    (
        "state",
        _VIEW_LIST,
        "status-dropped",
        ids.ADMIN_LIST_STATE_EVERY,
        f"devices are listed without {_STATUS_ATTRIBUTE}",
        _answered(_VIEW_LIST, _without_attribute(_STATUS_ATTRIBUTE)),
    ),
    (
        "state",
        FORGET,
        "kept-not-remembered",
        ids.FORGET_STATE_GONE,
        "the device is kept, made not_remembered",
        _forget_keeps(_kept_not_remembered, FORGET),
    ),
    (
        "state",
        FORGET,
        "forgets-users-devices",
        ids.FORGET_STATE_GONE,
        "every device of the user is deleted",
        _forget_keeps(_owners_devices_forgotten, FORGET),
    ),
    (
        "state",
        FORGET,
        "still-admin-listed",
        ids.FORGET_STATE_GONE,
        "the device is deleted, but AdminListDevices keeps listing it",
        _forgotten_still_admin_listed,
    ),
    (
        "state",
        _VIEW_FORGET,
        "kept-not-remembered",
        ids.ADMIN_FORGET_STATE_GONE,
        "the device is kept, made not_remembered",
        _forget_keeps(_kept_not_remembered, _VIEW_FORGET),
    ),
    (
        "state",
        _VIEW_FORGET,
        "forgets-users-devices",
        ids.ADMIN_FORGET_STATE_GONE,
        "every device of the user is deleted",
        _forget_keeps(_owners_devices_forgotten, _VIEW_FORGET),
    ),
    (
        "state",
        ADMIN_UPDATE,
        "stored-inverted",
        ids.ADMIN_UPDATE_STATE_AS_SENT,
        "(accepted) the opposite status is stored",
        _admin_updated(_inverted_when(_wanted)),
    ),
    (
        "state",
        ADMIN_UPDATE,
        "status-on-users-devices",
        ids.ADMIN_UPDATE_STATE_AS_SENT,
        "(accepted) the status is stored on every device of the user",
        _admin_updated(_also_on(_users_devices)),
    ),
    (
        "state",
        ADMIN_UPDATE,
        "name-dropped",
        ids.ADMIN_UPDATE_STATE_AS_SENT,
        "(accepted) the device loses its device_name",
        _admin_updated(_changed(_drop_name)),
    ),
    (
        "paging",
        LIST,
        "page-over-limit",
        ids.LIST_PAGE_LIMIT,
        "a page holds Limit + 1 devices",
        _with_body(LIST, _limit_plus_one),
    ),
    (
        "paging",
        _VIEW_LIST,
        "limit-ignored",
        ids.ADMIN_LIST_PAGE_LIMIT,
        "Limit is ignored: one page holds every device",
        _with_body(_VIEW_LIST, _limit_dropped),
    ),
    (
        "paging",
        LIST,
        "first-token-repeats",
        ids.LIST_PAGE_EXACTLY_ONCE,
        "the second page begins with the first page's last device again",
        _token_moved(LIST, _back_on_first),
    ),
    (
        "paging",
        LIST,
        "last-page-token",
        ids.LIST_PAGE_EXACTLY_ONCE,
        "the last page carries a token back to the first page: the walk never ends",
        _answered(LIST, _endless),
    ),
    (
        "paging",
        _VIEW_LIST,
        "token-skips",
        ids.ADMIN_LIST_PAGE_EXACTLY_ONCE,
        "each token skips one device",
        _token_moved(_VIEW_LIST, _one_skipped),
    ),
    (
        "paging",
        LIST,
        "integer-token",
        ids.LIST_PAGE_FOREIGN_TOKEN,
        "tokens are plain offsets ('1'), which any caller may send",
        _integer_tokens(LIST),
    ),
    (
        "paging",
        _VIEW_LIST,
        "integer-token",
        ids.ADMIN_LIST_PAGE_FOREIGN_TOKEN,
        "tokens are plain offsets ('1'), which any caller may send",
        _integer_tokens(_VIEW_LIST),
    ),
    (
        "paging",
        LIST,
        "token-names-owner",
        ids.LIST_PAGE_FOREIGN_TOKEN,
        "a token names whose devices it pages through, and is followed whoever sends it",
        _token_owner_followed(LIST),
    ),
    (
        "paging",
        _VIEW_LIST,
        "token-names-owner",
        ids.ADMIN_LIST_PAGE_FOREIGN_TOKEN,
        "a token names whose devices it pages through, and is followed whoever sends it",
        _token_owner_followed(_VIEW_LIST),
    ),
    *(
        (
            "attributes",
            view,
            "year-one-last-authenticated",
            f"{ID_PREFIXES[view]}-ATTR-SHAPE",
            "a device that never signed in shows DeviceLastAuthenticatedDate 0001-01-01",
            _answered(view, _each_device(_year_one_when_never)),
        )
        for view in (GET, LIST, _VIEW_GET, _VIEW_LIST)
    ),
    (
        "attributes",
        GET,
        "dates-as-text",
        ids.GET_ATTR_SHAPE,
        "dates are ISO 8601 text, not epoch seconds",
        _answered(GET, _each_device(_dates_as_text)),
    ),
    (
        "attributes",
        LIST,
        "attributes-as-map",
        ids.LIST_ATTR_SHAPE,
        "DeviceAttributes is an object of names to values, not a list of {Name, Value}",
        _answered(LIST, _each_device(_attributes_as_map)),
    ),
    (
        "attributes",
        _VIEW_GET,
        "dates-in-milliseconds",
        ids.ADMIN_GET_ATTR_SHAPE,
        "dates are epoch milliseconds",
        _answered(_VIEW_GET, _each_device(_dates_in_milliseconds)),
    ),
    (
        "attributes",
        _VIEW_LIST,
        "created-after-modified",
        ids.ADMIN_LIST_ATTR_SHAPE,
        "DeviceCreateDate is a day after DeviceLastModifiedDate",
        _answered(_VIEW_LIST, _each_device(_created_after_modified)),
    ),
)
# Products judged at a weaker level than their requirement's: the part they break is its SHOULD (an
# integer token that pages only through the caller's own devices is accepted where it should be refused).
_VIEW_MISTAKE_LEVELS = {"integer-token": "SHOULD"}


def _device_view_products() -> list[Mutant]:
    products = []
    for kind, op, detail, r, says, apply in _VIEW_MISTAKES:
        product = _mutant(kind, op, detail, r, f"{op}: {says}", apply)
        level = _VIEW_MISTAKE_LEVELS.get(detail)
        products.append(replace(product, level=level) if level else product)
    return products


def mutants() -> list[Mutant]:
    """Every product of the generator, in a fixed order: by kind, then as the tables list them."""
    table = refusals()
    return [
        *_applied_products(table),
        *_dropped_products(table),
        *_retyped_products(table),
        *_reworded_products(table),
        *_state_products(),
        *_echo_products(),
        *_protocol_products(),
        *_other_products(),
        *_device_view_products(),
    ]


# Requirements of the catalog with no product at all, and why.
NOT_GENERATED: dict[str, str] = {
    ids.FLOW_TEST_SUPPORT: "what every test relies on (AdminCreateUser, AdminSetUserPassword, the admin "
    "reads): a break blocks nearly every case at once; faults.py's admin-create-user-fails and "
    "admin-get-device-broken break it on purpose",
    ids.FLOW_NEW_DEVICE_METADATA: "every device case is provisioned from it: a missing or misshapen "
    "NewDeviceMetadata blocks them all, so no mistake breaks this requirement alone",
    ids.AUTH_UNSIGNED: "every accepted update is unsigned (authtype none): refusing unsigned requests breaks "
    "every success case, not this one",
    ids.VAL_STATUS_OMITTED: "INFO: the outcome is recorded, nothing is judged",
    ids.VAL_UNKNOWN_MEMBER: "INFO: the outcome is recorded (its 5xx is a PROTO-NO-5XX product)",
    ids.ERR_COVERAGE: "INFO: which case triggered which error",
    ids.ERR_MODEL_DRIFT: "INFO: documentation drift, nothing a target does",
    ids.CONFIRM_STATE_NAME: "INFO: the outcome is recorded, nothing is judged",
    ids.LIST_PAGE_NO_LIMIT: "INFO: the outcome is recorded, nothing is judged",
    ids.ADMIN_LIST_PAGE_NO_LIMIT: "INFO: the outcome is recorded, nothing is judged",
    ids.GET_AUTH_NO_TOKEN: "INFO: the outcome is recorded, nothing is judged",
    ids.FORGET_AUTH_NO_TOKEN: "INFO: the outcome is recorded, nothing is judged",
}

# (kind, operation, requirement, why) where a kind leaves out a refusal it is composed with.
SKIPPED: tuple[tuple[str, str, str, str], ...] = (
    ("refusal-applied", UPDATE, ids.VAL_DEVICEKEY_MISSING, "no device is named"),
    ("refusal-applied", UPDATE, ids.VAL_DEVICEKEY_NULL, "no device is named"),
    (
        "refusal-applied",
        UPDATE,
        ids.VAL_DEVICEKEY_LENGTH,
        "keys of length 0 or over 55 name none",
    ),
    ("refusal-applied", UPDATE, ids.AUTH_USER_DELETED, "AdminDeleteUser deletes the user's devices with it"),
    (
        "refusal-applied",
        GET,
        ids.RES_OTHER_USER_DEVICE,
        "GetDevice changes nothing",
    ),
    ("refusal-applied", GET, ids.AUTH_REVOKED, "GetDevice changes nothing"),
    ("refusal-applied", LIST, ids.AUTH_REVOKED, "ListDevices changes nothing"),
    ("refusal-applied", RESPOND, ids.FLOW_SRP_PROOF, "a refused sign-in has no change to make"),
    ("refusal-applied", UPDATE, ids.PROTO_MALFORMED_JSON, "an unparseable body asks for nothing"),
    ("refusal-applied", ANY_TARGET, ids.PROTO_UNKNOWN_TARGET, "no operation to perform"),
    ("wrong-error-type", UPDATE, ids.PROTO_WRONG_CONTENT_TYPE, "the catalog documents a 4xx, no type"),
    (
        "refusal-dropped",
        UPDATE,
        ids.VAL_MULTIPLE,
        "it breaks each violation's requirement",
    ),
    (
        "wrong-error-type",
        UPDATE,
        ids.VAL_MULTIPLE,
        "it breaks each violation's requirement",
    ),
    (
        "state",
        UPDATE,
        ids.STATE_ISOLATION,
        "no statement makes the date move",
    ),
)


MUTANTS: dict[str, Mutant] = {m.name: m for m in mutants()}
if len(MUTANTS) != len(mutants()):
    raise RuntimeError("mutants(): two products share a name")

__all__ = [
    "MUTANTS",
    "NOT_GENERATED",
    "SKIPPED",
    "Mutant",
    "MutantBackend",
    "mutants",
    "refusals",
    "refused_for",
]
