"""awsJson1_1 on the server side: bytes in, (status, headers, bytes) out.

The order of checks follows what AWS's JSON services do: Content-Type, then X-Amz-Target, then the
credentials of an IAM-authorized operation, then the body must parse as a JSON object, then the model's
constraints, then the operation itself. Every response has `Content-Type: application/x-amz-json-1.1` and
`x-amzn-RequestId`; errors are `{"__type", "message"}` (also named in `x-amzn-ErrorType`), 400 for client
errors and 500 for faults. Nothing here logs bodies.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from ..contract.awsjson import MISSING_AUTHENTICATION
from ..contract.model import pinned
from .errors import CognitoError
from .handlers import OPERATIONS, Context
from .state import BackendState
from .validation import validate

CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# The Admin device operations are authorized by IAM credentials (SigV4), never by a token: a request that
# carries no signature at all is refused as AWS refuses one (specs/sources/iam-auth.md). A signature is
# not verified: the reference knows no secret. The other IAM operations (pools, users) are left
# unchecked: the reference's own tests set up their state with unsigned calls.
IAM_DEVICE_OPERATIONS = frozenset(
    {"AdminGetDevice", "AdminListDevices", "AdminUpdateDeviceStatus", "AdminForgetDevice"}
)
_log = logging.getLogger(__name__)


def handle(
    backend: BackendState,
    target: str | None,
    body: bytes,
    headers: Mapping[str, str],
    *,
    source_ip: str = "127.0.0.1",
) -> tuple[int, dict[str, str], bytes]:
    request_id = str(uuid.uuid4())
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        operation = _operation(target, lowered)
        if operation in IAM_DEVICE_OPERATIONS and not lowered.get("authorization"):
            raise CognitoError(MISSING_AUTHENTICATION, "Missing Authentication Token")
        params = _parse(body)
        validate(pinned().operation(operation), params)
        ctx = Context(operation=operation, source_ip=source_ip, user_agent=lowered.get("user-agent", ""))
        with backend.store.lock:  # one operation at a time: each is atomic
            output = OPERATIONS[operation](backend, params, ctx)
        return _respond(200, output, request_id)
    except CognitoError as error:
        return _error(error, request_id)
    except Exception as exc:  # a bug in the reference: answered like AWS's fault, logged without the request
        _log.error("reference: unexpected %s in %s (request %s)", type(exc).__name__, target, request_id)
        return _error(CognitoError("InternalErrorException", "Internal server error.", 500), request_id)


def _operation(target: str | None, headers: Mapping[str, str]) -> str:
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != CONTENT_TYPE:
        # AWS does not document the answer; a 4xx SerializationException is the closest common error.
        raise CognitoError("SerializationException", f"Content-Type must be {CONTENT_TYPE}")
    name = target[len(TARGET_PREFIX) :] if target and target.startswith(TARGET_PREFIX) else None
    if name is None or name not in OPERATIONS:
        raise CognitoError("UnknownOperationException", "The requested operation is not recognized.")
    return name


def _parse(body: bytes) -> dict[str, Any]:
    if not body.strip():
        # Not a JSON object: awsJson1_1's SerializationException (SDKs send `{}` for an empty input).
        raise CognitoError("SerializationException", "The request body is empty; a JSON object is required.")
    try:
        params = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CognitoError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(params, dict):
        raise CognitoError("SerializationException", "The request body must be a JSON object.")
    return params


def _respond(
    status: int, payload: dict[str, Any], request_id: str, extra: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": CONTENT_TYPE, "Content-Length": str(len(body)), "x-amzn-RequestId": request_id}
    return status, {**headers, **(extra or {})}, body


def _error(error: CognitoError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    return _respond(
        error.status,
        {"__type": error.type, "message": error.message},
        request_id,
        {"x-amzn-ErrorType": error.type},
    )
