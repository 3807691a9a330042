"""Test controls: fixtures AWS makes hard to get, in the spirit of moto's `/moto-api/`.

In-process: `Controls(backend).mint_access_token(...)`. Over HTTP (see README.md):
  GET  /_reference/                   -> {"Reference": "cognito-conformance", "Controls": [...]}
  POST /_reference/access-token       {"UserPoolId", "Username", "Variant",
                                       optional "ClientId", "Scope", "ExpiresIn"} -> {"AccessToken": "..."}
  POST /_reference/settings           {"AccessTokenValiditySeconds": int | null} -> the settings
Variants: "valid", "no-admin-scope" (scope "openid email"), "expired" (expired a minute ago),
"other-pool" (signed by a pool this backend does not know). These endpoints exist only on the reference;
the suite probes `GET /_reference/` to find them.
"""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Any

from .errors import CognitoError, invalid_parameter, resource_not_found
from .sessions import ADMIN_SCOPE, access_claims
from .state import BackendState
from .store import SignInSession
from .tokens import SigningKey

PREFIX = "/_reference"
VARIANTS = ("valid", "no-admin-scope", "expired", "other-pool")


class Controls:
    def __init__(self, backend: BackendState) -> None:
        self.backend = backend

    def mint_access_token(
        self,
        user_pool_id: str,
        username: str,
        *,
        variant: str = "valid",
        client_id: str | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
    ) -> str:
        """An access token for an existing user, shaped by `variant` (see the module docstring)."""
        if variant not in VARIANTS:
            raise invalid_parameter(f"Variant must be one of {', '.join(VARIANTS)}")
        backend = self.backend
        with backend.store.lock:
            pool = backend.store.pools.get(user_pool_id)
            if pool is None:
                raise resource_not_found(f"User pool {user_pool_id} does not exist.")
            user = pool.user(username)
            if user is None:
                raise CognitoError("UserNotFoundException", "User does not exist.")
            client_id = client_id or next(iter(pool.clients), "reference-control")
            now = backend.now()
            session = SignInSession(
                origin_jti=str(uuid.uuid4()),
                pool_id=pool.id,
                client_id=client_id,
                sub=user.sub,
                device_key=None,
                auth_time=int(now),
                refresh_expires=now,
                refresh_token=secrets.token_urlsafe(32),
            )
            backend.store.sessions[session.origin_jti] = session  # registered, so only the variant fails it
            validity = expires_in if expires_in is not None else 3600
            issued_at = now
            if variant == "expired":
                validity, issued_at = 3600, now - 3660
            token_scope = (
                scope
                if scope is not None
                else ("openid email" if variant == "no-admin-scope" else ADMIN_SCOPE)
            )
            claims = access_claims(
                backend, pool, session, user, validity=validity, scope=token_scope, issued_at=issued_at
            )
            if variant != "other-pool":
                return pool.access_key.sign(claims)
        # Another pool: its own issuer and its own key, unknown to this backend.
        foreign_pool = backend.new_pool_id()
        claims["iss"] = backend.issuer(foreign_pool)
        return SigningKey.generate().sign(claims)

    def set_access_token_validity(self, seconds: int | None) -> None:
        """Override every client's access-token validity (None: back to each client's own)."""
        if seconds is not None and seconds < 1:
            raise invalid_parameter("AccessTokenValiditySeconds must be at least 1")
        self.backend.access_token_validity = seconds

    def describe(self) -> dict[str, Any]:
        return {
            "Reference": "cognito-conformance",
            "Region": self.backend.region,
            "Controls": [
                {"Method": "POST", "Path": f"{PREFIX}/access-token", "Variants": list(VARIANTS)},
                {"Method": "POST", "Path": f"{PREFIX}/settings"},
            ],
            "Settings": {"AccessTokenValiditySeconds": self.backend.access_token_validity},
        }

    # --- HTTP ---------------------------------------------------------------------------------------------

    def handle_http(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """(status, JSON answer) for a request under /_reference/."""
        try:
            if method == "GET" and path in (PREFIX, PREFIX + "/"):
                return 200, self.describe()
            if method == "POST" and path == PREFIX + "/access-token":
                p = _object(body)
                token = self.mint_access_token(
                    _str(p, "UserPoolId"),
                    _str(p, "Username"),
                    variant=str(p.get("Variant") or "valid"),
                    client_id=p.get("ClientId"),
                    scope=p.get("Scope"),
                    expires_in=p.get("ExpiresIn"),
                )
                return 200, {"AccessToken": token}
            if method == "POST" and path == PREFIX + "/settings":
                p = _object(body)
                if "AccessTokenValiditySeconds" in p:
                    value = p["AccessTokenValiditySeconds"]
                    if value is not None and not isinstance(value, int):
                        raise invalid_parameter("AccessTokenValiditySeconds must be an integer or null")
                    self.set_access_token_validity(value)
                return 200, self.describe()["Settings"]
            return 404, {"__type": "ResourceNotFoundException", "message": f"No control at {method} {path}"}
        except CognitoError as error:
            status = (
                404 if error.type in ("ResourceNotFoundException", "UserNotFoundException") else error.status
            )
            return status, {"__type": error.type, "message": error.message}


def _object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise CognitoError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise CognitoError("SerializationException", "The request body must be a JSON object.")
    return value


def _str(p: dict[str, Any], name: str) -> str:
    value = p.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"{name} is required")
    return value
