"""The life of a token: issuing Cognito's tokens for a sign-in, and judging an access token presented back.

The checks in `authorize` run in this order (AWS does not document one): a JWT signed by a pool of this
backend -> an access token -> not expired -> not revoked -> has the admin scope -> the user still exists
and may act. Revocation is by sign-in session (`origin_jti`), so GlobalSignOut, AdminUserGlobalSignOut,
RevokeToken and AdminDisableUser revoke exactly the tokens issued before them.
"""

from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from ..contract.model import pinned
from . import errors
from .errors import CognitoError, not_authorized
from .state import BackendState
from .store import RESET_REQUIRED, Client, Pool, SignInSession, User
from .tokens import TokenError, unverified_parts

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


def access_token_seconds(backend: BackendState, client: Client) -> int:
    return (
        backend.access_token_validity
        if backend.access_token_validity is not None
        else client.access_token_seconds
    )


def start_session(
    backend: BackendState, pool: Pool, client: Client, user: User, device_key: str | None
) -> SignInSession:
    now = backend.now()
    session = SignInSession(
        origin_jti=str(uuid.uuid4()),
        pool_id=pool.id,
        client_id=client.id,
        sub=user.sub,
        device_key=device_key,
        auth_time=int(now),
        refresh_expires=now + client.refresh_token_seconds,
        # AWS's refresh tokens are opaque JWEs (five dot-separated parts); this one is opaque too.
        refresh_token=".".join(secrets.token_urlsafe(n) for n in (32, 64, 12, 256, 16)),
    )
    backend.store.sessions[session.origin_jti] = session
    backend.store.refresh_tokens[session.refresh_token] = session.origin_jti
    return session


def access_claims(
    backend: BackendState,
    pool: Pool,
    session: SignInSession,
    user: User,
    *,
    validity: int,
    scope: str = ADMIN_SCOPE,
    issued_at: float | None = None,
) -> dict[str, Any]:
    iat = int(backend.now() if issued_at is None else issued_at)
    claims: dict[str, Any] = {
        "sub": user.sub,
        "iss": backend.issuer(pool.id),
        "client_id": session.client_id,
        "origin_jti": session.origin_jti,
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": scope,
        "auth_time": session.auth_time,
        "exp": iat + validity,
        "iat": iat,
        "jti": str(uuid.uuid4()),
        "username": user.username,
    }
    if session.device_key:
        claims["device_key"] = session.device_key
    return claims


def id_claims(
    backend: BackendState, pool: Pool, session: SignInSession, user: User, validity: int
) -> dict[str, Any]:
    iat = int(backend.now())
    claims: dict[str, Any] = {k: v for k, v in user.attributes.items() if k != "sub"}
    claims.update(
        {
            "sub": user.sub,
            "iss": backend.issuer(pool.id),
            "cognito:username": user.username,
            "origin_jti": session.origin_jti,
            "aud": session.client_id,
            "event_id": str(uuid.uuid4()),
            "token_use": "id",
            "auth_time": session.auth_time,
            "exp": iat + validity,
            "iat": iat,
            "jti": str(uuid.uuid4()),
        }
    )
    for flag in ("email_verified", "phone_number_verified"):
        if flag in claims:
            claims[flag] = claims[flag] == "true"
    return claims


def authentication_result(
    backend: BackendState,
    pool: Pool,
    client: Client,
    user: User,
    session: SignInSession,
    *,
    with_refresh: bool = True,
) -> dict[str, Any]:
    """The AuthenticationResult of a sign-in (or of a refresh, which gets no new refresh token)."""
    validity = access_token_seconds(backend, client)
    result: dict[str, Any] = {
        "AccessToken": pool.access_key.sign(access_claims(backend, pool, session, user, validity=validity)),
        "ExpiresIn": validity,
        "TokenType": "Bearer",
        "IdToken": pool.id_key.sign(id_claims(backend, pool, session, user, client.id_token_seconds)),
    }
    if with_refresh:
        result["RefreshToken"] = session.refresh_token
    return result


@dataclass(frozen=True)
class Caller:
    """Who an access token speaks for."""

    pool: Pool
    user: User
    session: SignInSession | None
    claims: dict[str, Any]


def authorize(backend: BackendState, token: str | None, operation: str) -> Caller:
    """The caller an access token stands for, or the NotAuthorizedException (etc.) AWS answers."""
    if not token:
        # AccessToken is optional in the model for GetDevice/ForgetDevice; without one there is no caller.
        raise not_authorized(errors.INVALID_ACCESS_TOKEN)
    try:
        header, claims = unverified_parts(token)
    except TokenError:
        raise not_authorized(errors.INVALID_ACCESS_TOKEN) from None
    pool = _pool_of(backend, claims.get("iss"))
    if pool is None or header.get("kid") != pool.access_key.kid or not pool.access_key.verifies(token):
        raise not_authorized(errors.INVALID_ACCESS_TOKEN)
    if claims.get("token_use") != "access":
        raise not_authorized(errors.INVALID_ACCESS_TOKEN)
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or math.floor(backend.now()) >= exp:
        raise not_authorized(errors.TOKEN_EXPIRED)
    session = backend.store.sessions.get(str(claims.get("origin_jti")))
    if session is None or session.revoked:
        raise not_authorized(errors.TOKEN_REVOKED)
    if ADMIN_SCOPE not in str(claims.get("scope", "")).split():
        raise not_authorized(errors.TOKEN_SCOPES)
    user = pool.user_by_sub(str(claims.get("sub")))
    if user is None:
        # Evidence is mixed (UserNotFoundException vs NotAuthorizedException); we answer the former
        # where the operation models it.
        raise user_not_found(operation, fallback="NotAuthorizedException")
    if not user.enabled:
        raise not_authorized(errors.USER_DISABLED)
    if user.status == RESET_REQUIRED:
        raise modeled_or(operation, "PasswordResetRequiredException", errors.PASSWORD_RESET_REQUIRED)
    return Caller(pool=pool, user=user, session=session, claims=claims)


def _pool_of(backend: BackendState, issuer: Any) -> Pool | None:
    prefix = backend.issuer("")
    if not isinstance(issuer, str) or not issuer.startswith(prefix):
        return None
    return backend.store.pools.get(issuer[len(prefix) :])


def modeled_or(
    operation: str, type_: str, message: str, fallback: str = "NotAuthorizedException"
) -> CognitoError:
    """`type_` if the operation's model lists it, else `fallback`: answers stay within the modeled errors."""
    modeled = {shape.name for shape in pinned().operation(operation).error_shapes}
    return CognitoError(type_ if type_ in modeled else fallback, message)


def user_not_found(operation: str, fallback: str = "ResourceNotFoundException") -> CognitoError:
    return modeled_or(operation, "UserNotFoundException", errors.USER_DOES_NOT_EXIST, fallback)
