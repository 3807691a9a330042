"""The reference's test-control path, wherever a target offers it.

In-process, `Controls(backend)`; over HTTP, `POST /_reference/access-token`, found by probing
`GET /_reference/` (conformance/reference/README.md). Tokens are registered as secrets on arrival.
Control requests are not Cognito API calls and are not counted in the call log.
"""

from __future__ import annotations

from typing import Any, Protocol

import requests

from ..secrets import SECRETS, redact
from .wire import RawHttp

REFERENCE_MARK = "cognito-conformance"
PROBE_PATH = "/_reference/"
VARIANTS = ("valid", "no-admin-scope", "expired", "other-pool")


class ControlError(Exception):
    """The control path refused (unknown pool or user, bad variant) or did not answer."""


class TargetControls(Protocol):
    def mint_access_token(self, pool_id: str, username: str, variant: str) -> str: ...


class InProcessControls:
    def __init__(self, controls: Any) -> None:
        self._controls = controls  # conformance.reference.Controls

    def mint_access_token(self, pool_id: str, username: str, variant: str) -> str:
        try:
            token = str(self._controls.mint_access_token(pool_id, username, variant=variant))
        except Exception as exc:  # the reference's CognitoError
            raise ControlError(redact(f"minting a {variant} token failed: {exc}")) from None
        SECRETS.add(token, "$ACCESS_TOKEN")
        return token


class HttpControls:
    def __init__(self, http: RawHttp) -> None:
        self._http = http

    def mint_access_token(self, pool_id: str, username: str, variant: str) -> str:
        payload = {"UserPoolId": pool_id, "Username": username, "Variant": variant}
        try:
            status, answer = self._http.post_json("/_reference/access-token", payload)
        except requests.RequestException as exc:
            raise ControlError(redact(f"the control path did not answer: {type(exc).__name__}")) from None
        token = answer.get("AccessToken") if isinstance(answer, dict) else None
        if status != 200 or not isinstance(token, str):
            detail = answer.get("message") if isinstance(answer, dict) else None
            raise ControlError(
                redact(f"minting a {variant} token failed: HTTP {status} {detail or ''}".rstrip())
            )
        SECRETS.add(token, "$ACCESS_TOKEN")
        return token


def probe_http_controls(http: RawHttp, timeout: float) -> HttpControls | None:
    """HttpControls when the endpoint answers the reference's probe; None for any other answer.

    Connection errors propagate (the caller decides whether the target is unreachable)."""
    try:
        answer = http.get_json(PROBE_PATH, timeout)
    except ValueError:  # not JSON: an emulator's HTML 404, say
        return None
    if isinstance(answer, dict) and answer.get("Reference") == REFERENCE_MARK:
        return HttpControls(http)
    return None
