"""Deliberately faulty variants of the reference, one fault each.

They exist to prove the suite: against each, the case for the broken requirement must FAIL (or be
NON-STRICT for a SHOULD) and name that requirement. Emulator authors can also watch the suite
catch a fault: `cognito-conformance serve-reference --fault NAME`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .. import srp
from .backend import ReferenceBackend
from .errors import CognitoError
from .sessions import authorize
from .store import Device as StoredDevice

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
    device_ops = ("UpdateDeviceStatus", "GetDevice", "ListDevices", "ForgetDevice", "ConfirmDevice")
    if target and any(target.endswith("." + op) or target.endswith("Admin" + op) for op in device_ops):
        return 500, {"Content-Type": "text/html"}, b"<!doctype html><title>500 Internal Server Error</title>"
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
    "empty-body-invalid-parameter": ("PROTO-MALFORMED-JSON", empty_body_invalid_parameter),
    "unknown-target-serialization": ("PROTO-UNKNOWN-TARGET", unknown_target_serialization),
    "type-header-body-disagree": ("PROTO-ERROR-TYPE", type_header_body_disagree),
    # Broad faults: together with the ones above, every case that can fail has a fault that fails it.
    "accept-everything": ("(every rejection case)", accept_everything),
    "reject-everything": ("(every success case)", reject_everything),
    "unimplemented-device-operations": ("(every device case)", unimplemented_device_operations),
    "non-json-200": ("(no case may pass)", non_json_200),
}
