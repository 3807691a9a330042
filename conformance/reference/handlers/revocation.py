"""Revocation: GlobalSignOut, AdminUserGlobalSignOut, RevokeToken (AdminDisableUser lives in users.py)."""

from __future__ import annotations

import hmac
from typing import Any

from ..errors import CognitoError
from ..sessions import authorize
from ..state import BackendState
from ..tokens import TokenError, unverified_parts
from .common import Context, get_client, get_pool, get_user


def global_sign_out(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p["AccessToken"], ctx.operation)
    backend.store.revoke_user_sessions(caller.pool.id, caller.user.sub)
    return {}


def admin_user_global_sign_out(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    user = get_user(backend, ctx, pool, p["Username"])
    backend.store.revoke_user_sessions(pool.id, user.sub)
    return {}


def revoke_token(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Revoke a refresh token and every access/ID token of its sign-in (they share `origin_jti`)."""
    token = p["Token"]
    try:
        get_client(backend, p["ClientId"])
    except CognitoError:
        raise CognitoError("UnauthorizedException", "Invalid client") from None
    client = backend.store.clients[p["ClientId"]]
    if client.secret is not None and not hmac.compare_digest(
        str(p.get("ClientSecret") or "").encode(), client.secret.encode()
    ):
        raise CognitoError("UnauthorizedException", "Client authentication failed")
    if not client.enable_token_revocation:
        raise CognitoError("UnsupportedOperationException", "Token revocation is not enabled for this client")
    try:
        unverified_parts(token)
    except TokenError:
        pass
    else:
        # A JWT (access or ID token) is not a refresh token.
        raise CognitoError("UnsupportedTokenTypeException", "Unsupported token type")
    origin = backend.store.refresh_tokens.get(token)
    session = backend.store.sessions.get(origin) if origin else None
    if session is not None:
        if session.client_id != client.id:
            raise CognitoError("UnauthorizedException", "Invalid client")
        session.revoked = True
    # An unknown refresh token is answered with success, as RFC 7009 asks of revocation endpoints.
    return {}
