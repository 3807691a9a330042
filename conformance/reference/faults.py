"""Deliberately faulty variants of the reference, one fault each.

They exist to prove the suite: against each, the case for the broken requirement must FAIL (or be
NON-STRICT for a SHOULD) and name that requirement. Emulator authors can also watch the suite
catch a fault: `cognito-conformance serve-reference --fault NAME`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any
from unittest import mock

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .. import srp
from ..contract.extract import DEVICE_OPERATIONS
from . import errors
from .backend import ReferenceBackend
from .errors import CognitoError
from .handlers import signin as signin_handlers
from .sessions import authorize
from .store import Device as StoredDevice
from .store import Pool
from .tokens import TokenError, unverified_parts

Answer = tuple[int, dict[str, str], bytes]
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
UPDATE = TARGET_PREFIX + "UpdateDeviceStatus"


class FaultyBackend(ReferenceBackend):
    """The reference with one fault: `fault(backend, target, body, headers, forward)` answers instead."""

    def __init__(self, fault: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(FAULTS))}")
        self.fault = fault

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> Answer:
        def forward(t: str | None = target, b: bytes = body, h: Mapping[str, str] = headers) -> Answer:
            return ReferenceBackend.handle(self, t, b, h, source_ip=source_ip)

        return FAULTS[self.fault][1](self, target, body, headers, forward)


Forward = Callable[..., Answer]
Fault = Callable[[FaultyBackend, "str | None", bytes, Mapping[str, str], Forward], Answer]


def _params(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _error(
    status: int, error_type: str, message: str, content_type: str = "application/x-amz-json-1.1"
) -> Answer:
    payload = json.dumps({"__type": error_type, "message": message}).encode()
    headers = {"Content-Type": content_type, "x-amzn-ErrorType": error_type, "x-amzn-RequestId": "fault"}
    return status, headers, payload


def _rewrite_type(answer: Answer, old: str, new: str) -> Answer:
    status, headers, body = answer
    if old.encode() not in body:
        return answer
    headers = {k: (new if k.lower() == "x-amzn-errortype" and v == old else v) for k, v in headers.items()}
    return status, headers, body.replace(old.encode(), new.encode())


def accept_invalid_enum(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    params = _params(body)
    if target == UPDATE and params.get("DeviceRememberedStatus") not in (
        None,
        "remembered",
        "not_remembered",
    ):
        body = json.dumps({**params, "DeviceRememberedStatus": "remembered"}).encode()
    return fwd(target, body, h)


def wrong_error_type(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    return _rewrite_type(fwd(), "ResourceNotFoundException", "DeviceNotFoundException")


def namespaced_error_type(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    kind = headers.get("x-amzn-ErrorType")
    if not kind:
        return status, headers, payload
    namespaced = f"com.amazonaws.cognito.identityprovider#{kind}"
    return _rewrite_type((status, headers, payload), kind, namespaced)


def status_not_persisted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    # Pretend: the answer is right, but the stored status goes back to what it was.
    params = _params(body)
    if target == UPDATE and status == 200:
        device = b.store.devices.get(str(params.get("DeviceKey")))
        if device is not None:
            device.remembered = True
    return status, headers, payload


def not_remembered_deletes(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    params = _params(body)
    if target == UPDATE and answer[0] == 200 and params.get("DeviceRememberedStatus") == "not_remembered":
        with b.store.lock:
            b.store.devices.pop(str(params.get("DeviceKey")), None)
    return answer


def other_users_device(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    params = _params(body)
    device = b.store.devices.get(str(params.get("DeviceKey")))
    if target == UPDATE and answer[0] == 400 and b"ResourceNotFoundException" in answer[2] and device:
        # The caller does not own the device, but the fault changes it anyway.
        device.remembered = params.get("DeviceRememberedStatus") == "remembered"
        return 200, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"}, b"{}"
    return answer


def server_error_on_long_keys(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    key = _params(body).get("DeviceKey")
    if target == UPDATE and isinstance(key, str) and len(key) > 50:
        return _error(500, "InternalErrorException", "index out of range")
    return fwd()


def json_content_type(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    return status, {**headers, "Content-Type": "application/json"}, payload


def no_request_id(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    return status, {k: v for k, v in headers.items() if k.lower() != "x-amzn-requestid"}, payload


def expired_token_accepted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    if b"Access Token has expired" in answer[2]:
        real_clock = b.clock
        b.clock = lambda: real_clock() - 7200  # judge the token two hours ago, when it was valid
        try:
            return fwd()
        finally:
            b.clock = real_clock
    return answer


def revoked_token_accepted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    if target == UPDATE and b"Access Token has been revoked" in answer[2]:
        with b.store.lock:
            revoked = [s for s in b.store.sessions.values() if s.revoked]
            for s in revoked:
                s.revoked = False
            try:
                return fwd()
            finally:
                for s in revoked:
                    s.revoked = True
    return answer


def echo_token(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    token = _params(body).get("AccessToken")
    if status == 400 and isinstance(token, str) and b"InvalidParameterException" in payload:
        data = json.loads(payload)
        data["message"] = f"{data.get('message')} (token was {token!r})"
        payload = json.dumps(data).encode()
    return status, headers, payload


def capitalised_member_names(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    return (
        status,
        headers,
        payload.replace(b"at 'deviceKey'", b"at 'DeviceKey'").replace(
            b"at 'deviceRememberedStatus'", b"at 'DeviceRememberedStatus'"
        ),
    )


def charset_rejected(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    content_type = next((v for k, v in h.items() if k.lower() == "content-type"), "")
    if "charset" in content_type.lower():
        return _error(400, "SerializationException", "Unsupported Content-Type")
    return fwd()


def unknown_target_accepted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    if b"UnknownOperationException" in answer[2]:
        return 200, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"}, b"{}"
    return answer


def malformed_json_crashes(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    if b"SerializationException" in answer[2]:
        return 500, {"Content-Type": "text/html"}, b"<html><body>Internal Server Error</body></html>"
    return answer


def user_view_lists_all(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    if target == TARGET_PREFIX + "ListDevices":
        remembered: dict[str, bool] = {}
        with b.store.lock:
            for key, device in b.store.devices.items():
                remembered[key] = device.remembered
                device.remembered = True
            try:
                return fwd()
            finally:
                for key, was in remembered.items():
                    if key in b.store.devices:
                        b.store.devices[key].remembered = was
    return fwd()


def device_sign_in_broken(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    params = _params(body)
    if params.get("ChallengeName") == "DEVICE_PASSWORD_VERIFIER":
        return _error(400, "NotAuthorizedException", "Incorrect username or password.")
    return fwd()


def unimplemented_device_operations(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Every device operation (user and admin) answers an HTML 500 page, as a server without them would."""
    device_ops = ("UpdateDeviceStatus", "GetDevice", "ListDevices", "ForgetDevice", "ConfirmDevice")
    if target and any(target.endswith("." + op) or target.endswith("Admin" + op) for op in device_ops):
        return 500, {"Content-Type": "text/html"}, b"<!doctype html><title>500 Internal Server Error</title>"
    return fwd()


_DEVICE_TARGETS = frozenset(TARGET_PREFIX + op for op in DEVICE_OPERATIONS)


def cognito_local(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """cognito-local 5.3.0 as measured (specs/sources/emulators.md): none of the nine device operations
    (HTTP 500 CognitoLocal#Unsupported), and USER_SRP_AUTH unsupported, password sign-in only."""
    if target in _DEVICE_TARGETS or (
        target == TARGET_PREFIX + "InitiateAuth" and _params(body).get("AuthFlow") == "USER_SRP_AUTH"
    ):
        name = target if target not in _DEVICE_TARGETS else str(target)[len(TARGET_PREFIX) :]
        message = f'Cognito Local unsupported feature: Unsupported x-amz-target header "{name}"'
        payload = json.dumps({"__type": "CognitoLocal#Unsupported", "message": message}).encode()
        return 500, {"Content-Type": "application/json"}, payload  # no request id, no error-type header
    return fwd()


def ministack(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """MiniStack 1.5.33 as measured (specs/sources/emulators.md): none of the nine device operations
    (HTTP 400 InvalidAction "Unknown Cognito IDP action: ...")."""
    if target in _DEVICE_TARGETS:
        name = str(target)[len(TARGET_PREFIX) :]
        return _error(400, "InvalidAction", f"Unknown Cognito IDP action: {name}")
    return fwd()


def remembered_not_stored(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    params = _params(body)
    if target == UPDATE and params.get("DeviceRememberedStatus") == "remembered":
        return 200, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"}, b"{}"
    return fwd()


def _ok() -> Answer:
    return 200, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"}, b"{}"


def accept_everything(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Every UpdateDeviceStatus 'succeeds' and changes nothing: no validation, no authorization."""
    return _ok() if target == UPDATE else fwd()


def reject_everything(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Every UpdateDeviceStatus is refused with NotAuthorizedException, valid or not."""
    if target == UPDATE:
        return _error(400, "NotAuthorizedException", "Access Token has been revoked")
    return fwd()


def errors_as_403(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    return (403 if status == 400 else status), headers, payload


def no_message(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    status, headers, payload = fwd()
    if status >= 400 and payload.startswith(b"{"):
        data = json.loads(payload)
        data.pop("message", None)
        payload = json.dumps(data).encode()
    return status, headers, payload


def content_type_ignored(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    others = {k: v for k, v in h.items() if k.lower() != "content-type"}
    return fwd(target, body, {**others, "Content-Type": "application/x-amz-json-1.1"})


def updates_every_device(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    answer = fwd()
    params = _params(body)
    device = b.store.devices.get(str(params.get("DeviceKey")))
    if target == UPDATE and answer[0] == 200 and device is not None and "DeviceRememberedStatus" in params:
        with b.store.lock:
            for other in b.store.devices.values():
                if other.pool_id == device.pool_id and other.owner_sub == device.owner_sub:
                    other.remembered = params["DeviceRememberedStatus"] == "remembered"
    return answer


def repeat_fails(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    params = _params(body)
    device = b.store.devices.get(str(params.get("DeviceKey")))
    wanted = params.get("DeviceRememberedStatus")
    known = target == UPDATE and device is not None and wanted in ("remembered", "not_remembered")
    if known and device is not None and device.remembered == (wanted == "remembered"):
        return _error(400, "InvalidParameterException", "The device already has this status.")
    return fwd()


def forget_keeps_device(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    return _ok() if target == TARGET_PREFIX + "ForgetDevice" else fwd()


def _strip_device_key(body: bytes) -> bytes:
    params = _params(body)
    for group in ("AuthParameters", "ChallengeResponses"):
        if isinstance(params.get(group), dict):
            params[group] = {k: v for k, v in params[group].items() if k != "DEVICE_KEY"}
    return json.dumps(params).encode()


def other_user_changed_anyway(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Refuses another user's device exactly as documented, and changes it anyway."""
    answer = fwd()
    params = _params(body)
    device = b.store.devices.get(str(params.get("DeviceKey")))
    if target == UPDATE and b"ResourceNotFoundException" in answer[2] and device is not None:
        device.remembered = params.get("DeviceRememberedStatus") == "remembered"
    return answer


def token_only(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Checks nothing but the token: an invalid request with a good token 'succeeds' and does nothing."""
    answer = fwd()
    if target != UPDATE or b"InvalidParameterException" not in answer[2]:
        return answer
    token = _params(body).get("AccessToken")
    probe = {"AccessToken": token if isinstance(token, str) else "", "DeviceKey": "us-east-1_0-0"}
    judged = fwd(target, json.dumps(probe).encode(), h)  # the reference's answer for the token alone
    return judged if b"NotAuthorizedException" in judged[2] else _ok()


def non_json_200(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Answers `200 this is not json` to every request, as a bare web server would."""
    return 200, {"Content-Type": "text/plain"}, b"this is not json"


def not_found_for_malformed_keys(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A malformed DeviceKey answered as an unknown device: clients then forget good devices."""
    answer = fwd()
    if target == UPDATE and b"at 'deviceKey'" in answer[2]:
        return _error(400, "ResourceNotFoundException", "Device does not exist.")
    return answer


def validation_blames_token(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Every validation message names accessToken, whatever was wrong: refused, for the wrong reason."""
    status, headers, payload = fwd()
    if target == UPDATE and b"InvalidParameterException" in payload:
        message = "1 validation error detected: Value at 'accessToken' failed to satisfy constraint: invalid"
        return _error(status, "InvalidParameterException", message)
    return status, headers, payload


def valid_twin_refused(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Refuses every UpdateDeviceStatus with InvalidParameterException, valid or not."""
    if target == UPDATE:
        return _error(400, "InvalidParameterException", "Invalid request.")
    return fwd()


def rejects_longest_key(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """An off-by-one maximum: a DeviceKey of the model's maximum length (55) is refused."""
    key = _params(body).get("DeviceKey")
    if target == UPDATE and isinstance(key, str) and len(key) == 55:
        message = f"1 validation error detected: Value '{key}' at 'deviceKey' failed to satisfy constraint: "
        return _error(
            400, "InvalidParameterException", message + "Member must have length less than or equal to 54"
        )
    return fwd()


def counts_one_violation(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Several violations reported as '1 validation error detected'."""
    status, headers, payload = fwd()
    for n in range(2, 10):
        payload = payload.replace(f"{n} validation errors detected".encode(), b"1 validation error detected")
    return status, headers, payload


def null_status_differs(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """`"DeviceRememberedStatus": null` read as not_remembered, unlike an omitted status."""
    params = _params(body)
    if target == UPDATE and "DeviceRememberedStatus" in params and params["DeviceRememberedStatus"] is None:
        body = json.dumps({**params, "DeviceRememberedStatus": "not_remembered"}).encode()
    return fwd(target, body, h)


def device_challenges_skipped(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A sign-in with DEVICE_KEY gets tokens right after PASSWORD_VERIFIER: the device proves nothing."""
    if target in (TARGET_PREFIX + "InitiateAuth", TARGET_PREFIX + "RespondToAuthChallenge"):
        return fwd(target, _strip_device_key(body), h)
    return fwd()


def device_proof_unchecked(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """DEVICE_PASSWORD_VERIFIER accepts any proof (the password verifier is still checked)."""
    if _params(body).get("ChallengeName") != "DEVICE_PASSWORD_VERIFIER":
        return fwd()
    with _PATCH_LOCK:
        real = srp.verify_claim
        srp.verify_claim = lambda *a, **k: True  # the handler looks it up at call time
        try:
            return fwd()
        finally:
            srp.verify_claim = real


def list_shows_other_users(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ListDevices lists every remembered device of the pool, other users' included."""
    status, headers, payload = fwd()
    if target != TARGET_PREFIX + "ListDevices" or status != 200:
        return status, headers, payload
    listing = json.loads(payload)
    listed = {d.get("DeviceKey") for d in listing.get("Devices", [])}
    with b.store.lock:
        extra = [d for d in b.store.devices.values() if d.remembered and d.key not in listed]
    listing["Devices"] = listing.get("Devices", []) + [
        {"DeviceKey": d.key, "DeviceAttributes": []} for d in extra
    ]
    return status, headers, json.dumps(listing).encode()


def success_body_extra(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A successful update answers `{"Status": "updated"}`, not the documented `{}`."""
    status, headers, payload = fwd()
    if target == UPDATE and status == 200:
        return status, headers, b'{"Status": "updated"}'
    return status, headers, payload


def empty_body_invalid_parameter(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """An empty body read as an empty request: InvalidParameterException, not SerializationException."""
    if not body.strip():
        return fwd(target, b"{}", h)
    return fwd()


def unknown_target_serialization(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A missing or unknown X-Amz-Target answered SerializationException, not UnknownOperationException."""
    status, headers, payload = fwd()
    if b"UnknownOperationException" in payload:
        return _error(status, "SerializationException", "Unknown target.")
    return status, headers, payload


def type_header_body_disagree(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The body's __type names another error than X-Amzn-ErrorType."""
    status, headers, payload = fwd()
    if status >= 400 and b'"__type"' in payload:
        data = json.loads(payload)
        data["__type"] = "InternalErrorException" if data["__type"] != "InternalErrorException" else "X"
        payload = json.dumps(data).encode()
    return status, headers, payload


def admin_list_hides_not_remembered(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """AdminListDevices answers like ListDevices: a not_remembered device is missing from it."""
    status, headers, payload = fwd()
    if target != TARGET_PREFIX + "AdminListDevices" or status != 200:
        return status, headers, payload
    listing = json.loads(payload)
    with b.store.lock:
        kept = [
            d
            for d in listing.get("Devices", [])
            if getattr(b.store.devices.get(d.get("DeviceKey")), "remembered", True)
        ]
    listing["Devices"] = kept
    return status, headers, json.dumps(listing).encode()


def _accept_any_device_key(b: FaultyBackend, body: bytes) -> None:
    """Before ConfirmDevice: a key the caller made up becomes a device of the caller, as the emulators
    that issue no NewDeviceMetadata do (specs/sources/emulators.md)."""
    params = _params(body)
    key, token = params.get("DeviceKey"), params.get("AccessToken")
    if not isinstance(key, str) or not isinstance(token, str) or key in b.store.devices:
        return  # the reference answers a malformed request itself
    try:
        caller = authorize(b, token, "ConfirmDevice")
    except CognitoError:
        return  # the reference answers the bad token itself
    now = b.now()
    with b.store.lock:
        b.store.devices[key] = StoredDevice(
            key=key,
            group_key="-made-up",
            pool_id=caller.pool.id,
            owner_sub=caller.user.sub,
            created=now,
            last_modified=now,
        )


def no_new_device_metadata(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Sign-ins never carry NewDeviceMetadata; ConfirmDevice takes any key the client makes up."""
    if target == TARGET_PREFIX + "ConfirmDevice":
        _accept_any_device_key(b, body)
        return fwd()
    status, headers, payload = fwd()
    if b"NewDeviceMetadata" in payload:
        data = json.loads(payload)
        data["AuthenticationResult"].pop("NewDeviceMetadata", None)
        payload = json.dumps(data).encode()
    return status, headers, payload


def email_usernames_only(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Pools take only email-shaped usernames, as some emulators' CreateUserPool defaults."""
    if target == TARGET_PREFIX + "AdminCreateUser" and "@" not in str(_params(body).get("Username")):
        return _error(400, "InvalidParameterException", "Username should be an email.")
    return fwd()


def no_srp(b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward) -> Answer:
    """No SRP at all: USER_SRP_AUTH is refused, password sign-in works (without NewDeviceMetadata),
    and ConfirmDevice takes any key the client makes up."""
    if target == TARGET_PREFIX + "InitiateAuth" and _params(body).get("AuthFlow") == "USER_SRP_AUTH":
        return _error(400, "InvalidParameterException", "USER_SRP_AUTH is not supported.")
    if target == TARGET_PREFIX + "ConfirmDevice":
        _accept_any_device_key(b, body)
    return fwd()


def device_configuration_dropped(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """DescribeUserPool forgets the pool's DeviceConfiguration."""
    status, headers, payload = fwd()
    if target == TARGET_PREFIX + "DescribeUserPool" and status == 200:
        data = json.loads(payload)
        data.get("UserPool", {}).pop("DeviceConfiguration", None)
        payload = json.dumps(data).encode()
    return status, headers, payload


def confirm_tracks_nothing(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ConfirmDevice answers success and tracks nothing."""
    if target == TARGET_PREFIX + "ConfirmDevice":
        return (
            200,
            {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault"},
            (b'{"UserConfirmationNecessary": false}'),
        )
    return fwd()


_PATCH_LOCK = threading.Lock()


def password_flows_take_any_password(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The password flows (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH) never check the password."""
    flows = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
    if _params(body).get("AuthFlow") not in flows:
        return fwd()
    # The handler looks the check up at call time: any password matches while this request is answered.
    with _PATCH_LOCK, mock.patch.object(signin_handlers, "password_matches", lambda *a, **k: True):
        return fwd()


# --- Written from the contract alone (issue "Verdicts that generalize") -------------------------------------
# Each fault below was written from specs/requirements.toml and specs/sources/ only, without reading how the
# suite checks anything. Each breaks one documented behaviour and forwards everything else to the reference.

ADMIN_UPDATE = TARGET_PREFIX + "AdminUpdateDeviceStatus"
# The user-level operations that look a device up by its DeviceKey (the reference shares one lookup).
_USER_DEVICE_LOOKUPS = (UPDATE, TARGET_PREFIX + "GetDevice", TARGET_PREFIX + "ForgetDevice")
_DEVICE_VIEWS = tuple(
    TARGET_PREFIX + op for op in ("GetDevice", "ListDevices", "AdminGetDevice", "AdminListDevices")
)
_STATUSES = ("remembered", "not_remembered")
_STATUS_ATTRIBUTE = "dev:device_remembered_status"
# The model's DeviceKeyType pattern, Java's \w read as ASCII, applied as a full match; length 1..55.
_DEVICE_KEY = re.compile(r"[A-Za-z0-9_-]+_[0-9a-f-]+")


def _refusal(answer: Answer) -> tuple[str, str] | None:
    """(error type, message) of an error answer; None for a success or a body that is no JSON object."""
    status, _, payload = answer
    if status < 400:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    return (str(data.get("__type")), str(data.get("message"))) if isinstance(data, dict) else None


def _with_payload(answer: Answer, payload: dict[str, Any]) -> Answer:
    """`answer` with another JSON body (and its Content-Length, where the answer carries one)."""
    status, headers, _ = answer
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {k: (str(len(body)) if k.lower() == "content-length" else v) for k, v in headers.items()}
    return status, headers, body


def _callers_device(b: FaultyBackend, params: dict[str, Any]) -> StoredDevice | None:
    """The tracked device DeviceKey names, if the AccessToken authorizes its owner (as the reference
    judges)."""
    token, key = params.get("AccessToken"), params.get("DeviceKey")
    if not isinstance(token, str) or not isinstance(key, str):
        return None
    with b.store.lock:
        device = b.store.devices.get(key)
        if device is None or not device.confirmed:
            return None
        try:
            caller = authorize(b, token, "UpdateDeviceStatus")
        except CognitoError:
            return None
        return device if (caller.pool.id, caller.user.sub) == (device.pool_id, device.owner_sub) else None


def invalid_enum_stored(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A status outside the enum is refused as documented, but only after it was stored, read
    case-insensitively ("REMEMBERED" remembers the device, "bogus" or "" makes it not_remembered)."""
    answer = fwd()
    params = _params(body)
    status = params.get("DeviceRememberedStatus")
    refusal = _refusal(answer)
    if target != UPDATE or not isinstance(status, str) or status in _STATUSES or refusal is None:
        return answer
    if refusal[0] == "InvalidParameterException":
        with b.store.lock:
            device = _callers_device(b, params)
            if device is not None:
                device.remembered = status.lower() == "remembered"
                device.last_modified = b.now()
    return answer


def tampered_token_still_updates(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The update is applied for the user the token's claims name before its signature is checked: a
    tampered access token is refused as documented, and the device has changed anyway."""
    answer = fwd()
    params = _params(body)
    token, key, status = (params.get(m) for m in ("AccessToken", "DeviceKey", "DeviceRememberedStatus"))
    refusal = _refusal(answer)
    if target != UPDATE or not isinstance(token, str) or not isinstance(key, str) or status not in _STATUSES:
        return answer
    if refusal != ("NotAuthorizedException", errors.INVALID_ACCESS_TOKEN):
        return answer
    try:
        _, claims = unverified_parts(token)
    except TokenError:
        return answer  # no claims to act on
    if claims.get("token_use") != "access":
        return answer
    with b.store.lock:
        pool = b.store.pools.get(str(claims.get("iss")).removeprefix(b.issuer("")))
        if pool is None:
            return answer
        named = (pool.user(str(claims.get("username"))), pool.user_by_sub(str(claims.get("sub"))))
        device = b.store.devices.get(key)
        owners = {u.sub for u in named if u is not None}
        ours = device is not None and device.pool_id == pool.id and device.owner_sub in owners
        if ours and device is not None and device.confirmed:
            device.remembered = status == "remembered"
            device.last_modified = b.now()
    return answer


def not_jwt_touches_device(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A token that is no JWT is refused as documented, but only after the device named was saved back:
    its DeviceLastModifiedDate moves (its status does not)."""
    answer = fwd()
    params = _params(body)
    token, key = params.get("AccessToken"), params.get("DeviceKey")
    if target != UPDATE or not isinstance(token, str) or not isinstance(key, str):
        return answer
    if _refusal(answer) != ("NotAuthorizedException", errors.INVALID_ACCESS_TOKEN):
        return answer
    try:
        unverified_parts(token)
    except TokenError:
        with b.store.lock:
            device = b.store.devices.get(key)
            if device is not None and device.confirmed:
                device.last_modified = b.now()
    return answer


def remember_is_exclusive(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """One remembered device per user, as a "this device" flag would be: remembering a device makes the
    user's other devices not_remembered."""
    params = _params(body)
    with b.store.lock:
        answer = fwd()
        device = b.store.devices.get(str(params.get("DeviceKey")))
        if target == UPDATE and answer[0] == 200 and params.get("DeviceRememberedStatus") == "remembered":
            for other in b.store.devices_of(device.pool_id, device.owner_sub) if device else []:
                if other is not device and other.remembered:
                    other.remembered = False
                    other.last_modified = b.now()
    return answer


def reenable_ignored(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The update looks the device up among the remembered ones and quietly skips a miss: remembered on a
    not_remembered device answers 200 and the device stays not_remembered."""
    params = _params(body)
    with b.store.lock:
        device = b.store.devices.get(str(params.get("DeviceKey")))
        wants_remembered = target == UPDATE and params.get("DeviceRememberedStatus") == "remembered"
        if wants_remembered and device is not None and device.confirmed and not device.remembered:
            # The reference's answer to the same request without a status: 200, nothing changed.
            without = {k: v for k, v in params.items() if k != "DeviceRememberedStatus"}
            return fwd(target, json.dumps(without).encode(), h)
        return fwd()


def update_drops_name(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The update writes the device's attributes anew from the request, which has no DeviceName: 200 and
    the status is right, but the device loses its device_name."""
    params = _params(body)
    with b.store.lock:
        answer = fwd()
        device = b.store.devices.get(str(params.get("DeviceKey")))
        if target == UPDATE and answer[0] == 200 and device is not None:
            device.name = None
    return answer


_UNSET_STATUS: weakref.WeakKeyDictionary[FaultyBackend, set[str]] = weakref.WeakKeyDictionary()


def _status_attribute_dropped_on(
    dropped_for: str, b: FaultyBackend, target: str | None, body: bytes, fwd: Forward
) -> Answer:
    """UpdateDeviceStatus(`dropped_for`) deletes the device's status attribute instead of writing it; any
    other accepted update (or AdminUpdateDeviceStatus) writes it again."""
    params = _params(body)
    with b.store.lock:
        answer = fwd()
        unset = _UNSET_STATUS.setdefault(b, set())
        status = params.get("DeviceRememberedStatus")
        if target in (UPDATE, ADMIN_UPDATE) and answer[0] == 200 and status in _STATUSES:
            key = str(params.get("DeviceKey"))
            if target == UPDATE and status == dropped_for:
                unset.add(key)
            else:
                unset.discard(key)
        if target not in _DEVICE_VIEWS or answer[0] != 200 or not unset:
            return answer
        data = json.loads(answer[2])
        for device in [data["Device"]] if "Device" in data else data.get("Devices", []):
            if device.get("DeviceKey") in unset:
                attributes = device.get("DeviceAttributes", [])
                device["DeviceAttributes"] = [a for a in attributes if a.get("Name") != _STATUS_ATTRIBUTE]
        return _with_payload(answer, data)


def remembered_drops_status_attribute(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """remembered taken as the default: UpdateDeviceStatus(remembered) deletes the device's
    dev:device_remembered_status attribute instead of setting it (200; AdminGetDevice shows none)."""
    return _status_attribute_dropped_on("remembered", b, target, body, fwd)


def not_remembered_drops_status_attribute(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """not_remembered read as "no status": UpdateDeviceStatus(not_remembered) deletes the device's
    dev:device_remembered_status attribute instead of writing not_remembered (the device is kept)."""
    return _status_attribute_dropped_on("not_remembered", b, target, body, fwd)


def _key_pattern_valid(key: str) -> bool:
    return 1 <= len(key) <= 55 and _DEVICE_KEY.fullmatch(key) is not None


def _loose_key(
    b: FaultyBackend,
    target: str | None,
    body: bytes,
    h: Mapping[str, str],
    fwd: Forward,
    loose: Callable[[str], str | None],
) -> Answer:
    """The user-level lookups forward the request with the DeviceKey `loose(key)` gives (None: as it came)."""
    params = _params(body)
    key = params.get("DeviceKey")
    if target in _USER_DEVICE_LOOKUPS and isinstance(key, str):
        with b.store.lock:
            found = loose(key)
            if found is not None and found != key:
                return fwd(target, json.dumps({**params, "DeviceKey": found}).encode(), h)
    return fwd()


def _stored_key(b: FaultyBackend, key: str, matches: Callable[[str], bool]) -> str | None:
    """The longest stored device key other than `key` that `matches`, when `key` itself names no device."""
    if key in b.store.devices or not _key_pattern_valid(key):
        return None  # the reference answers it itself: found, or refused by validation
    found = [k for k in b.store.devices if matches(k)]
    return max(found, key=len) if found else None


def device_key_case_folded(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The device lookup ignores the case of the key's hex part: an upper-case hex DeviceKey, which
    breaks the model's pattern, is looked up (and finds the device) instead of being refused."""

    def folded(key: str) -> str | None:
        region, underscore, hex_part = key.rpartition("_")
        key_folded = region + underscore + (hex_part.lower() if hex_part.isascii() else hex_part)
        return key_folded if _key_pattern_valid(key_folded) else None

    return _loose_key(b, target, body, h, fwd, folded)


def device_key_region_ignored(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Devices are looked up by their UUID alone: a DeviceKey with another region prefix finds the device
    instead of answering "Device does not exist."."""

    def same_uuid(key: str) -> str | None:
        uuid_part = key.rpartition("_")[2]
        return _stored_key(b, key, lambda k: k.rpartition("_")[2] == uuid_part)

    return _loose_key(b, target, body, h, fwd, same_uuid)


def device_key_prefix_match(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The device lookup is a prefix match: a DeviceKey that merely starts with a device's key (an extra
    trailing hex digit) finds that device instead of answering "Device does not exist."."""
    return _loose_key(b, target, body, h, fwd, lambda key: _stored_key(b, key, key.startswith))


def list_devices_echoes_token(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ListDevices' NotAuthorizedException repeats the AccessToken it refused in its message."""
    answer = fwd()
    token = _params(body).get("AccessToken")
    refusal = _refusal(answer)
    listing = target == TARGET_PREFIX + "ListDevices"
    if listing and refusal and refusal[0] == "NotAuthorizedException" and isinstance(token, str) and token:
        return _with_payload(answer, {"__type": refusal[0], "message": f"{refusal[1]}: {token}"})
    return answer


def get_device_echoes_request(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """GetDevice's ResourceNotFoundException carries the request it refused (AccessToken included) in an
    extra `request` field, for debugging."""
    answer = fwd()
    refusal = _refusal(answer)
    if target == TARGET_PREFIX + "GetDevice" and refusal and refusal[0] == "ResourceNotFoundException":
        data = {"__type": refusal[0], "message": refusal[1], "request": _params(body)}
        return _with_payload(answer, data)
    return answer


def confirm_device_echoes_request(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """ConfirmDevice's errors quote the whole request in their message: the AccessToken and the
    DeviceSecretVerifierConfig (PasswordVerifier, Salt) come back to the caller."""
    answer = fwd()
    refusal = _refusal(answer)
    params = _params(body)
    if target == TARGET_PREFIX + "ConfirmDevice" and refusal and 400 <= answer[0] < 500 and params:
        message = f"{refusal[1]} Request: {json.dumps(params, sort_keys=True)}"
        return _with_payload(answer, {"__type": refusal[0], "message": message})
    return answer


# --- Forged tokens, written from the contract alone ---------------------------------------------------------
# Access-token verification mistakes that JWT libraries and emulators have made, each written from
# specs/requirements.toml (AUTH-TAMPERED, AUTH-OTHER-POOL) and specs/sources/ only. Each fault reads the
# AccessToken of an UpdateDeviceStatus its own (wrong) way, and only where the reference refused it. A token
# its reading passes is handed back to the reference re-signed by the pool its claims name, so every later
# check (token_use, expiry, revocation, scope, the user's state, the device's owner) is still the
# reference's own; everything else, genuine tokens included, is forwarded unchanged.

# Signatures of the access tokens a backend issued (sign-in answers) or accepted (payload-swap-accepted).
_ISSUED_SIGNATURES: weakref.WeakKeyDictionary[FaultyBackend, set[str]] = weakref.WeakKeyDictionary()


def _b64url_bytes(text: str) -> bytes:
    """base64url without padding, decoded; ValueError (binascii.Error) if it is none."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _loose_parts(token: object) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    """(header, claims, signature text) of a three-part token, whatever its alg and signature (which may be
    empty); None if it is no such token."""
    if not isinstance(token, str):
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    try:
        header, claims = (json.loads(_b64url_bytes(part)) for part in parts[:2])
    except (ValueError, RecursionError):  # UnicodeDecodeError and binascii.Error are ValueErrors
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, parts[2]


def _refused_as_invalid(answer: Answer) -> bool:
    """The reference refused the request's token itself (bad form, unknown key or issuer, bad signature)."""
    return _refusal(answer) == ("NotAuthorizedException", errors.INVALID_ACCESS_TOKEN)


def _as_claimed_user(
    b: FaultyBackend,
    pool: Pool,
    claims: dict[str, Any],
    params: dict[str, Any],
    h: Mapping[str, str],
    fwd: Forward,
) -> Answer | None:
    """The reference's answer to UpdateDeviceStatus with the AccessToken that `pool` would sign for
    `claims`, as the user of `pool` their `username` or `sub` names (the one owning the DeviceKey's device
    if they name two); None if they name no user of `pool`. Call with the store's lock held."""
    username, sub = claims.get("username"), claims.get("sub")
    named = (
        pool.user(username) if isinstance(username, str) else None,
        pool.user_by_sub(sub) if isinstance(sub, str) else None,
    )
    users = [u for u in named if u is not None]
    device = b.store.devices.get(str(params.get("DeviceKey")))
    owners = [
        u for u in users if device is not None and (device.pool_id, device.owner_sub) == (pool.id, u.sub)
    ]
    user = next(iter(owners or users), None)
    if user is None:
        return None
    resigned = {**claims, "iss": b.issuer(pool.id), "sub": user.sub, "username": user.username}
    forwarded = {**params, "AccessToken": pool.access_key.sign(resigned)}
    return fwd(UPDATE, json.dumps(forwarded).encode(), h)


def _claims_trusted(
    b: FaultyBackend, claims: dict[str, Any], params: dict[str, Any], h: Mapping[str, str], fwd: Forward
) -> Answer | None:
    """`_as_claimed_user` for the pool the claims' `iss` names; None if it names no pool of this backend."""
    issuer, prefix = claims.get("iss"), b.issuer("")
    if not isinstance(issuer, str) or not issuer.startswith(prefix):
        return None
    with b.store.lock:
        pool = b.store.pools.get(issuer[len(prefix) :])
        return None if pool is None else _as_claimed_user(b, pool, claims, params, h, fwd)


def alg_none_accepted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """An unsecured JWT (header "alg": "none" in any case, signature ignored) is accepted on its claims."""
    answer = fwd()
    params = _params(body)
    if target != UPDATE or not _refused_as_invalid(answer):
        return answer
    parts = _loose_parts(params.get("AccessToken"))
    if parts is None or str(parts[0].get("alg")).lower() != "none":
        return answer
    trusted = _claims_trusted(b, parts[1], params, h, fwd)
    return answer if trusted is None else trusted


def _embedded_rsa_key(header: dict[str, Any]) -> rsa.RSAPublicKey | None:
    """The RSA public key of the token's own `jwk` header, if it carries one."""
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != "RSA":
        return None
    n, e = jwk.get("n"), jwk.get("e")
    if not isinstance(n, str) or not isinstance(e, str):
        return None
    try:
        numbers = rsa.RSAPublicNumbers(int.from_bytes(_b64url_bytes(e)), int.from_bytes(_b64url_bytes(n)))
        return numbers.public_key()
    except ValueError:
        return None


def any_key_accepted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """An RS256 token is verified with the key its own `jwk` header carries (its kid is never looked up in
    the pool's JWKS): a token signed by anyone's key is accepted on its claims."""
    answer = fwd()
    params = _params(body)
    if target != UPDATE or not _refused_as_invalid(answer):
        return answer
    token = params.get("AccessToken")
    parts = _loose_parts(token)
    if not isinstance(token, str) or parts is None or parts[0].get("alg") != "RS256":
        return answer
    key = _embedded_rsa_key(parts[0])
    if key is None:
        return answer
    signing_input = token.rpartition(".")[0]
    try:
        key.verify(
            _b64url_bytes(parts[2]), signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):  # binascii.Error and UnicodeEncodeError are ValueErrors
        return answer
    trusted = _claims_trusted(b, parts[1], params, h, fwd)
    return answer if trusted is None else trusted


def issuer_not_checked(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """A verified token's `iss` is never compared with the device's pool: a genuine token of another pool
    acts as the device pool's user its `username` (or `sub`) names."""
    answer = fwd()
    params = _params(body)
    refusal = _refusal(answer)
    if target != UPDATE or refusal != ("ResourceNotFoundException", errors.DEVICE_DOES_NOT_EXIST):
        return answer
    token = params.get("AccessToken")
    with b.store.lock:
        device = b.store.devices.get(str(params.get("DeviceKey")))
        pool = b.store.pools.get(device.pool_id) if device is not None and device.confirmed else None
        try:
            caller = authorize(b, token if isinstance(token, str) else None, "UpdateDeviceStatus")
        except CognitoError:
            return answer
        if pool is None or caller.pool.id == pool.id:
            return answer  # the device's own pool: the reference's refusal stands
        trusted = _as_claimed_user(b, pool, caller.claims, params, h, fwd)
    return answer if trusted is None else trusted


def _remember_issued(answer: Answer, signatures: set[str]) -> None:
    """Adds the signature of the access token a sign-in answer carries, if any."""
    if answer[0] != 200 or b'"AccessToken"' not in answer[2]:
        return
    try:
        result = json.loads(answer[2]).get("AuthenticationResult")
    except (ValueError, AttributeError):
        return
    token = result.get("AccessToken") if isinstance(result, dict) else None
    if isinstance(token, str):
        signatures.add(token.rpartition(".")[2])


def payload_swap_accepted(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Tokens are recognised by their signature alone (a cache of issued tokens keyed by it, never
    recomputed): any header and payload with an issued access token's signature are accepted."""
    answer = fwd()
    params = _params(body)
    token = params.get("AccessToken")
    with b.store.lock:
        signatures = _ISSUED_SIGNATURES.setdefault(b, set())
        _remember_issued(answer, signatures)
        if answer[0] == 200 and isinstance(token, str) and token.count(".") == 2:
            signatures.add(token.rpartition(".")[2])  # accepted by the reference: a token it issued
    if target != UPDATE or not _refused_as_invalid(answer):
        return answer
    parts = _loose_parts(token)
    if parts is None or not parts[2] or parts[2] not in signatures or parts[0].get("alg") != "RS256":
        return answer
    trusted = _claims_trusted(b, parts[1], params, h, fwd)
    return answer if trusted is None else trusted


# --- The device flow and the pool's configuration, written from the contract alone ------------------------
# Written from specs/requirements.toml (FLOW-*, STATE-DEVICE-SIGNIN) and the ConfirmDevice and sign-in
# pages in specs/sources/ only.


def _confirmed_as(b: FaultyBackend, body: bytes, answer: Answer, prompt: bool) -> Answer:
    """A successful ConfirmDevice answered as if the pool's DeviceOnlyRememberedOnUserPrompt were
    `prompt`: UserConfirmationNecessary `prompt`, and the device remembered unless the user is asked."""
    if answer[0] != 200:
        return answer
    with b.store.lock:
        device = b.store.devices.get(str(_params(body).get("DeviceKey")))
        if device is not None:
            device.remembered = not prompt
    return _with_payload(answer, {"UserConfirmationNecessary": prompt})


def confirm_ignores_prompt_configuration(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Every pool remembers a confirmed device at once: DeviceOnlyRememberedOnUserPrompt is ignored."""
    answer = fwd()
    return _confirmed_as(b, body, answer, False) if target == TARGET_PREFIX + "ConfirmDevice" else answer


def confirm_always_asks(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """Every pool asks the user first (UserConfirmationNecessary true, the device not remembered),
    as if DeviceOnlyRememberedOnUserPrompt were always true."""
    answer = fwd()
    return _confirmed_as(b, body, answer, True) if target == TARGET_PREFIX + "ConfirmDevice" else answer


def device_proof_server_error(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """The answer to DEVICE_PASSWORD_VERIFIER, right proof or wrong, is an internal error."""
    if _params(body).get("ChallengeName") == "DEVICE_PASSWORD_VERIFIER":
        return _error(500, "InternalErrorException", "An internal error occurred.")
    return fwd()


def device_metadata_only_from_password_flow(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """An SRP sign-in ends without NewDeviceMetadata; a USER_PASSWORD_AUTH sign-in carries it (a new
    device of the user, as an SRP sign-in's would be)."""
    answer = fwd()
    if answer[0] != 200 or b'"AuthenticationResult"' not in answer[2]:
        return answer
    data = json.loads(answer[2])
    result = data["AuthenticationResult"]
    if target == TARGET_PREFIX + "RespondToAuthChallenge":
        result.pop("NewDeviceMetadata", None)
    elif target == TARGET_PREFIX + "InitiateAuth" and _params(body).get("AuthFlow") == "USER_PASSWORD_AUTH":
        params = _params(body)
        username = str((params.get("AuthParameters") or {}).get("USERNAME"))
        with b.store.lock:
            client = b.store.clients.get(str(params.get("ClientId")))
            pool = b.store.pools.get(client.pool_id) if client is not None else None
            user = pool.users.get(pool.user_key(username)) if pool is not None else None
            if pool is None or user is None:
                return answer
            now = b.now()
            device = StoredDevice(
                key=b.new_device_key(),
                group_key=b.new_device_group_key(),
                pool_id=pool.id,
                owner_sub=user.sub,
                created=now,
                last_modified=now,
            )
            b.store.devices[device.key] = device
        result["NewDeviceMetadata"] = {"DeviceKey": device.key, "DeviceGroupKey": device.group_key}
    else:
        return answer
    return _with_payload(answer, data)


# --- The gate: what a missing operation looks like, and what it does not ------------------------------------


def wrong_type_not_implemented(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """UpdateDeviceStatus works, but a member of the wrong JSON type gets HTTP 501 (a code path the
    implementation never wrote): the operation exists, this input breaks it."""
    params = _params(body)
    typed = ("AccessToken", "DeviceKey", "DeviceRememberedStatus")
    if target == UPDATE and any(k in params and not isinstance(params[k], str | None) for k in typed):
        return _error(501, "NotImplementedException", "This feature is not implemented.")
    return fwd()


def admin_create_user_fails(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """AdminCreateUser always refuses: no test can have a user (the operations the cases judge work)."""
    if target == TARGET_PREFIX + "AdminCreateUser":
        return _error(400, "InvalidParameterException", "Cannot create users.")
    return fwd()


def success_not_json(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """An accepted UpdateDeviceStatus is answered `{}` and one stray `}` under the awsJson1_1
    Content-Type, as a template that writes one brace too many would: the header says JSON, the body is
    none (awsJson1_1: "Every response carries `Content-Type: application/x-amz-json-1.1`"; "Empty
    output: an empty body or `{}`"). The update itself is made."""
    status, headers, payload = fwd()
    if target != UPDATE or status != 200:
        return status, headers, payload
    kept = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
    return status, {**kept, "Content-Type": "application/x-amz-json-1.1"}, b"{}}"


def admin_get_device_broken(
    b: FaultyBackend, target: str | None, body: bytes, h: Mapping[str, str], fwd: Forward
) -> Answer:
    """AdminGetDevice answers a server error: no test can read a device back through it."""
    if target == TARGET_PREFIX + "AdminGetDevice":
        return _error(500, "InternalErrorException", "An internal error occurred.")
    return fwd()


# name -> (the requirement it breaks, the fault). The suite's tests also name the check each one breaks
# (tests/engine/test_faulty_variants.py).
FAULTS: dict[str, tuple[str, Fault]] = {
    "accept-invalid-enum": ("VAL-STATUS-ENUM", accept_invalid_enum),
    "echo-token": ("VAL-SENSITIVE-NOT-ECHOED", echo_token),
    "capitalised-member-names": ("VAL-MESSAGE-FORMAT", capitalised_member_names),
    "expired-token-accepted": ("AUTH-EXPIRED", expired_token_accepted),
    "revoked-token-accepted": ("AUTH-REVOKED", revoked_token_accepted),
    "other-users-device": ("RES-OTHER-USER-DEVICE", other_users_device),
    "status-not-persisted": ("STATE-NOT-REMEMBERED-KEEPS", status_not_persisted),
    "remembered-not-stored": ("STATE-REMEMBERED", remembered_not_stored),
    "not-remembered-deletes": ("STATE-NOT-REMEMBERED-KEEPS", not_remembered_deletes),
    "user-view-lists-all": ("STATE-USER-VIEW", user_view_lists_all),
    "device-sign-in-broken": ("STATE-DEVICE-SIGNIN", device_sign_in_broken),
    "wrong-error-type": ("PROTO-ERROR-TYPE", wrong_error_type),
    "namespaced-error-type": ("PROTO-ERROR-TYPE-PLAIN", namespaced_error_type),
    "server-error-on-long-keys": ("PROTO-NO-5XX", server_error_on_long_keys),
    "json-content-type": ("PROTO-CONTENT-TYPE", json_content_type),
    "no-request-id": ("PROTO-REQUEST-ID", no_request_id),
    "charset-rejected": ("PROTO-CHARSET", charset_rejected),
    "unknown-target-accepted": ("PROTO-UNKNOWN-TARGET", unknown_target_accepted),
    "malformed-json-crashes": ("PROTO-MALFORMED-JSON", malformed_json_crashes),
    "errors-as-403": ("PROTO-STATUS-SPLIT", errors_as_403),
    "no-message": ("PROTO-ERROR-MESSAGE", no_message),
    "content-type-ignored": ("PROTO-WRONG-CONTENT-TYPE", content_type_ignored),
    "updates-every-device": ("STATE-ISOLATION", updates_every_device),
    "repeat-fails": ("STATE-IDEMPOTENT", repeat_fails),
    "forget-keeps-device": ("STATE-MACHINE", forget_keeps_device),
    "other-user-changed-anyway": ("RES-OTHER-USER-DEVICE", other_user_changed_anyway),
    "token-only": ("VAL-DEVICEKEY-PATTERN", token_only),
    "not-found-for-malformed-keys": ("VAL-DEVICEKEY-PATTERN", not_found_for_malformed_keys),
    "validation-blames-token": ("VAL-DEVICEKEY-LENGTH", validation_blames_token),
    "valid-twin-refused": ("VAL-STATUS-ENUM", valid_twin_refused),
    "rejects-longest-key": ("VAL-DEVICEKEY-LENGTH", rejects_longest_key),
    "counts-one-violation": ("VAL-MULTIPLE", counts_one_violation),
    "null-status-differs": ("VAL-NULL-AS-ABSENT", null_status_differs),
    "device-challenges-skipped": ("STATE-DEVICE-SIGNIN", device_challenges_skipped),
    "device-proof-unchecked": ("STATE-DEVICE-SIGNIN", device_proof_unchecked),
    "list-shows-other-users": ("STATE-MACHINE", list_shows_other_users),
    "success-body-extra": ("PROTO-SUCCESS-BODY", success_body_extra),
    "admin-list-hides-not-remembered": ("STATE-NOT-REMEMBERED-KEEPS", admin_list_hides_not_remembered),
    # Emulators that implement the device operations before the sign-in (specs/sources/emulators.md).
    "no-new-device-metadata": ("FLOW-NEW-DEVICE-METADATA", no_new_device_metadata),
    "email-usernames-only": ("(provisioning adapts: no requirement broken)", email_usernames_only),
    "no-srp": ("FLOW-SRP-PROOF", no_srp),
    "device-configuration-dropped": ("FLOW-DEVICE-CONFIGURATION", device_configuration_dropped),
    "confirm-tracks-nothing": ("FLOW-CONFIRM-DEVICE", confirm_tracks_nothing),
    "password-flows-take-any-password": ("FLOW-SRP-PROOF", password_flows_take_any_password),
    "empty-body-invalid-parameter": ("PROTO-MALFORMED-JSON", empty_body_invalid_parameter),
    "unknown-target-serialization": ("PROTO-UNKNOWN-TARGET", unknown_target_serialization),
    "type-header-body-disagree": ("PROTO-ERROR-TYPE", type_header_body_disagree),
    # Broad faults: together with the ones above, every case that can fail has a fault that fails it.
    "accept-everything": ("(every rejection case)", accept_everything),
    "reject-everything": ("(every success case)", reject_everything),
    "unimplemented-device-operations": ("(every device case)", unimplemented_device_operations),
    # Emulators as measured, without the device operations: UNIMPLEMENTED by operation, never a PASS.
    "cognito-local-5.3": ("(every device case: UNIMPLEMENTED)", cognito_local),
    "ministack-1.5": ("(every device case: UNIMPLEMENTED)", ministack),
    "non-json-200": ("(no case may pass)", non_json_200),
    "success-not-json": ("PROTO-CONTENT-TYPE", success_not_json),
    # Written from the contract alone (issue "Verdicts that generalize")
    "invalid-enum-stored": ("VAL-STATUS-ENUM", invalid_enum_stored),
    "tampered-token-still-updates": ("AUTH-TAMPERED", tampered_token_still_updates),
    "not-jwt-touches-device": ("AUTH-NOT-JWT", not_jwt_touches_device),
    "remember-is-exclusive": ("STATE-ISOLATION", remember_is_exclusive),
    "reenable-ignored": ("STATE-REENABLE", reenable_ignored),
    "update-drops-name": ("STATE-ISOLATION", update_drops_name),
    "remembered-drops-status-attribute": ("STATE-REMEMBERED", remembered_drops_status_attribute),
    "not-remembered-drops-status-attribute": (
        "STATE-NOT-REMEMBERED-KEEPS",
        not_remembered_drops_status_attribute,
    ),
    "device-key-case-folded": ("VAL-DEVICEKEY-PATTERN", device_key_case_folded),
    "device-key-region-ignored": ("RES-UNKNOWN-DEVICE", device_key_region_ignored),
    "device-key-prefix-match": ("RES-UNKNOWN-DEVICE", device_key_prefix_match),
    "list-devices-echoes-token": ("VAL-SENSITIVE-NOT-ECHOED", list_devices_echoes_token),
    "get-device-echoes-request": ("VAL-SENSITIVE-NOT-ECHOED", get_device_echoes_request),
    "confirm-device-echoes-request": ("VAL-SENSITIVE-NOT-ECHOED", confirm_device_echoes_request),
    # Forged tokens, written from the contract alone
    "alg-none-accepted": ("AUTH-TAMPERED", alg_none_accepted),
    "any-key-accepted": ("AUTH-TAMPERED", any_key_accepted),
    "issuer-not-checked": ("AUTH-OTHER-POOL", issuer_not_checked),
    "payload-swap-accepted": ("AUTH-TAMPERED", payload_swap_accepted),
    "wrong-type-not-implemented": ("PROTO-NO-5XX", wrong_type_not_implemented),
    "admin-create-user-fails": ("FLOW-TEST-SUPPORT", admin_create_user_fails),
    "admin-get-device-broken": ("FLOW-TEST-SUPPORT", admin_get_device_broken),
    # The device flow and the pool's configuration, written from the contract alone
    "confirm-ignores-prompt-configuration": ("FLOW-CONFIRM-DEVICE", confirm_ignores_prompt_configuration),
    "confirm-always-asks": ("FLOW-CONFIRM-DEVICE", confirm_always_asks),
    "device-proof-server-error": ("STATE-DEVICE-SIGNIN", device_proof_server_error),
    "device-metadata-only-from-password-flow": (
        "FLOW-NEW-DEVICE-METADATA",
        device_metadata_only_from_password_flow,
    ),
}
