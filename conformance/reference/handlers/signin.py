"""Sign-in: InitiateAuth / AdminInitiateAuth and RespondToAuthChallenge / AdminRespondToAuthChallenge.

USER_SRP_AUTH really verifies the SRP proof (server side of ../srp.py): PASSWORD_VERIFIER, then, when the
client sends a DEVICE_KEY, DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER. A successful SRP sign-in without
a DEVICE_KEY in a pool that tracks devices gets NewDeviceMetadata (a new, unconfirmed device).
Every challenge can be answered once. USER_SRP_AUTH's PASSWORD_VERIFIER is found by its SECRET_BLOCK
(SDKs such as pycognito send no Session there); later challenges by their Session.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from ... import srp
from .. import errors
from ..errors import CognitoError, invalid_parameter, not_authorized, resource_not_found
from ..sessions import authentication_result, modeled_or, start_session, user_not_found
from ..state import BackendState
from ..store import CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, Challenge, Client, Device, Pool, User
from .common import Context, get_client, get_pool
from .users import check_policy, password_matches, set_password

CHALLENGE_SECONDS = 180  # AuthSessionValidity's default, 3 minutes

# Which ExplicitAuthFlows value allows a flow (the legacy names count too).
_FLOW_PERMISSIONS = {
    "USER_SRP_AUTH": {"ALLOW_USER_SRP_AUTH"},
    "USER_PASSWORD_AUTH": {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
    "ADMIN_USER_PASSWORD_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
    "ADMIN_NO_SRP_AUTH": {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
}
_PUBLIC_FLOWS = {"USER_SRP_AUTH", "USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}
_ADMIN_FLOWS = {
    "USER_SRP_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
}


# --- helpers -----------------------------------------------------------------------------------------------


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise invalid_parameter(f"Missing required parameter {name}")
    return value


def _check_secret_hash(client: Client, username: str, params: dict[str, Any]) -> None:
    if client.secret is None:
        return
    given = params.get("SECRET_HASH")
    if not given:
        raise not_authorized(f"Client {client.id} is configured for secret but secret was not received")
    expected = srp.secret_hash(username, client.id, client.secret)
    if not hmac.compare_digest(expected.encode(), str(given).encode()):
        raise not_authorized(f"Unable to verify secret hash for client {client.id}")


def _find_user(backend: BackendState, ctx: Context, pool: Pool, client: Client, username: str) -> User:
    user = pool.user(username)
    if user is None:
        if client.prevent_user_existence_errors == "ENABLED":
            raise not_authorized(errors.INCORRECT_CREDENTIALS)
        raise user_not_found(ctx.operation)
    return user


def _check_can_sign_in(ctx: Context, user: User) -> None:
    if not user.enabled:
        raise not_authorized(errors.USER_DISABLED)
    if user.status == RESET_REQUIRED:
        raise modeled_or(ctx.operation, "PasswordResetRequiredException", errors.PASSWORD_RESET_REQUIRED)


def _new_session_id() -> str:
    return "AYAB" + secrets.token_urlsafe(96)  # opaque, comfortably inside SessionType's 20..4096


def _new_secret_block() -> str:
    return base64.b64encode(secrets.token_bytes(96)).decode()


def _take(
    backend: BackendState,
    key: str | None,
    name: str,
    client: Client,
    fallback: Callable[[Challenge], bool] | None = None,
) -> Challenge:
    """The pending challenge `key` names (removed: one answer per challenge), or NotAuthorizedException.

    Without a Session, `fallback` picks the challenge from the answer itself. AWS's SDKs send the Session
    for the device challenges; pycognito does not, and whether AWS insists is undocumented, so the
    reference accepts both.
    """
    store = backend.store
    store.prune_challenges(backend.now())
    if not key and fallback is not None:
        key = next((k for k, c in store.challenges.items() if c.name == name and fallback(c)), None)
    challenge = store.challenges.pop(key, None) if key else None
    if challenge is None or challenge.name != name or challenge.client_id != client.id:
        raise not_authorized("Invalid session for the user.")
    return challenge


def _user_device(backend: BackendState, pool: Pool, user: User, device_key: str) -> Device:
    device = backend.store.devices.get(device_key)
    if device is None or device.pool_id != pool.id or device.owner_sub != user.sub or not device.confirmed:
        raise resource_not_found(errors.DEVICE_DOES_NOT_EXIST)
    return device


def _tokens(
    backend: BackendState,
    pool: Pool,
    client: Client,
    user: User,
    ctx: Context,
    *,
    device: Device | None = None,
    offer_device: bool = False,
) -> dict[str, Any]:
    """The final answer of a sign-in: tokens, and NewDeviceMetadata if a new device is to be tracked."""
    now = backend.now()
    new_device: Device | None = None
    if device is None and offer_device and pool.tracks_devices:
        new_device = Device(
            key=backend.new_device_key(),
            group_key=backend.new_device_group_key(),
            pool_id=pool.id,
            owner_sub=user.sub,
            created=now,
            last_modified=now,
            last_ip=ctx.source_ip,
            sdk=ctx.user_agent.split(" ", 1)[0][:64] or None,
        )
        backend.store.devices[new_device.key] = new_device
    if device is not None:
        device.last_authenticated = now
        device.last_ip = ctx.source_ip
    used = device or new_device
    session = start_session(backend, pool, client, user, used.key if used else None)
    result = authentication_result(backend, pool, client, user, session)
    if new_device is not None:
        result["NewDeviceMetadata"] = {"DeviceKey": new_device.key, "DeviceGroupKey": new_device.group_key}
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def _after_password(
    backend: BackendState,
    pool: Pool,
    client: Client,
    user: User,
    ctx: Context,
    device_key: str | None,
    srp_flow: bool,
) -> dict[str, Any]:
    """What follows a proven password: a new-password challenge, the device challenge, or tokens."""
    _check_can_sign_in(ctx, user)
    if user.status == FORCE_CHANGE_PASSWORD:
        session_id = _open_challenge(
            backend, "NEW_PASSWORD_REQUIRED", pool, client, user, device_key=device_key
        )
        return {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session_id,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": "[]",
                "userAttributes": "{}",
            },
        }
    if device_key:
        # A DEVICE_KEY of a device this user does not track is refused (assumption: AWS's wording for
        # devices elsewhere); a tracked one must prove itself with DEVICE_SRP_AUTH.
        device = _user_device(backend, pool, user, device_key)
        if srp_flow:
            session_id = _open_challenge(
                backend, "DEVICE_SRP_AUTH", pool, client, user, device_key=device.key
            )
            return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": session_id, "ChallengeParameters": {}}
        return _tokens(backend, pool, client, user, ctx, device=device)
    return _tokens(backend, pool, client, user, ctx, offer_device=srp_flow)


def _open_challenge(
    backend: BackendState,
    name: str,
    pool: Pool,
    client: Client,
    user: User,
    *,
    key: str | None = None,
    **details: Any,
) -> str:
    """Store a pending challenge for this user and client; returns the key it is found by (the Session)."""
    key = key or _new_session_id()
    backend.store.challenges[key] = Challenge(
        name, pool.id, client.id, user.username, backend.now() + CHALLENGE_SECONDS, **details
    )
    return key


# --- InitiateAuth ------------------------------------------------------------------------------------------


def initiate_auth(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    client = get_client(backend, p["ClientId"])
    return _initiate(backend, p, ctx, client, _PUBLIC_FLOWS)


def admin_initiate_auth(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    get_pool(backend, p["UserPoolId"])
    client = get_client(backend, p["ClientId"], p["UserPoolId"])
    return _initiate(backend, p, ctx, client, _ADMIN_FLOWS)


def _initiate(
    backend: BackendState, p: dict[str, Any], ctx: Context, client: Client, flows: set[str]
) -> dict[str, Any]:
    pool = get_pool(backend, client.pool_id)
    flow = p["AuthFlow"]
    params: dict[str, Any] = p.get("AuthParameters") or {}
    if flow not in flows:
        raise invalid_parameter("Initiate Auth method not supported.")
    if flow in _FLOW_PERMISSIONS and not _FLOW_PERMISSIONS[flow] & set(client.explicit_auth_flows):
        raise invalid_parameter(f"{flow} flow not enabled for this client")
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return _refresh(backend, pool, client, params)
    username = _required(params, "USERNAME")
    if flow == "USER_SRP_AUTH":
        srp_a = _required(params, "SRP_A")
        _check_secret_hash(client, username, params)
        user = _find_user(backend, ctx, pool, client, username)
        _check_can_sign_in(ctx, user)
        try:
            big_a = int(srp_a, 16)
        except ValueError:
            raise invalid_parameter("SRP_A is not a valid hexadecimal number") from None
        if big_a % srp.N == 0:
            raise not_authorized(errors.INCORRECT_CREDENTIALS)
        server = srp.new_server_session(user.verifier, user.salt_hex)
        secret_block = _new_secret_block()
        backend.store.prune_challenges(backend.now())
        # USER_SRP_AUTH answers without a Session: the challenge is found again by its secret block.
        _open_challenge(
            backend,
            "PASSWORD_VERIFIER",
            pool,
            client,
            user,
            key=secret_block,
            srp=server,
            srp_a_hex=srp_a,
            device_key=params.get("DEVICE_KEY"),
            secret_block=secret_block,
        )
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": server.salt_hex,
                "SRP_B": server.srp_b_hex,
                "SECRET_BLOCK": secret_block,
                "USER_ID_FOR_SRP": user.username,
                "USERNAME": user.username,
            },
        }
    # USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH: the password in the clear, checked against the verifier.
    password = _required(params, "PASSWORD")
    _check_secret_hash(client, username, params)
    user = _find_user(backend, ctx, pool, client, username)
    if not password_matches(pool, user, password):
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    # No NewDeviceMetadata here: reports say AWS issues it reliably only for SRP sign-ins.
    return _after_password(backend, pool, client, user, ctx, params.get("DEVICE_KEY"), srp_flow=False)


def _refresh(backend: BackendState, pool: Pool, client: Client, params: dict[str, Any]) -> dict[str, Any]:
    token = _required(params, "REFRESH_TOKEN")
    store = backend.store
    origin = store.refresh_tokens.get(token)
    session = store.sessions.get(origin) if origin else None
    if session is None or session.client_id != client.id or session.pool_id != pool.id:
        raise not_authorized("Invalid Refresh Token")
    if session.revoked:
        raise not_authorized("Refresh Token has been revoked")
    if backend.now() >= session.refresh_expires:
        raise not_authorized("Refresh Token has expired")
    user = pool.user_by_sub(session.sub)
    if user is None:
        raise not_authorized("Invalid Refresh Token")
    if client.secret is not None:
        _check_secret_hash(client, params.get("USERNAME") or user.username, params)
    if not user.enabled:
        raise not_authorized(errors.USER_DISABLED)
    result = authentication_result(backend, pool, client, user, session, with_refresh=False)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


# --- RespondToAuthChallenge --------------------------------------------------------------------------------


def respond_to_auth_challenge(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return _respond(backend, p, ctx, get_client(backend, p["ClientId"]))


def admin_respond_to_auth_challenge(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    get_pool(backend, p["UserPoolId"])
    return _respond(backend, p, ctx, get_client(backend, p["ClientId"], p["UserPoolId"]))


def _respond(backend: BackendState, p: dict[str, Any], ctx: Context, client: Client) -> dict[str, Any]:
    pool = get_pool(backend, client.pool_id)
    name = p["ChallengeName"]
    answers: dict[str, Any] = p.get("ChallengeResponses") or {}
    if name == "PASSWORD_VERIFIER":
        return _password_verifier(backend, pool, client, answers, ctx)
    if name == "DEVICE_SRP_AUTH":
        return _device_srp_auth(backend, pool, client, answers, p.get("Session"), ctx)
    if name == "DEVICE_PASSWORD_VERIFIER":
        return _device_password_verifier(backend, pool, client, answers, p.get("Session"), ctx)
    if name == "NEW_PASSWORD_REQUIRED":
        return _new_password(backend, pool, client, answers, p.get("Session"), ctx)
    raise invalid_parameter(f"Challenge {name} is not supported by this user pool.")


def _password_verifier(
    backend: BackendState, pool: Pool, client: Client, answers: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    username = _required(answers, "USERNAME")
    secret_block = _required(answers, "PASSWORD_CLAIM_SECRET_BLOCK")
    challenge = _take(backend, secret_block, "PASSWORD_VERIFIER", client)
    _check_secret_hash(client, username, answers)
    user = pool.user(username)
    if (
        user is None
        or user.username != challenge.username
        or challenge.srp is None
        or challenge.srp_a_hex is None
    ):
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    # The timestamp's freshness is not checked (AWS's tolerance is undocumented).
    proven = srp.verify_claim(
        challenge.srp,
        srp_a_hex=challenge.srp_a_hex,
        pool_or_group=srp.pool_name(pool.id),
        user_id=user.username,
        secret_block_b64=secret_block,
        timestamp=_required(answers, "TIMESTAMP"),
        signature_b64=_required(answers, "PASSWORD_CLAIM_SIGNATURE"),
    )
    if not proven:
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    device_key = answers.get("DEVICE_KEY") or challenge.device_key
    return _after_password(backend, pool, client, user, ctx, device_key, srp_flow=True)


def _device_srp_auth(
    backend: BackendState,
    pool: Pool,
    client: Client,
    answers: dict[str, Any],
    session: str | None,
    ctx: Context,
) -> dict[str, Any]:
    username = _required(answers, "USERNAME")
    device_key = _required(answers, "DEVICE_KEY")
    srp_a = _required(answers, "SRP_A")
    challenge = _take(
        backend,
        session,
        "DEVICE_SRP_AUTH",
        client,
        lambda c: c.client_id == client.id and c.device_key == device_key and c.username == username,
    )
    _check_secret_hash(client, username, answers)
    user = pool.user(username)
    if user is None or user.username != challenge.username or device_key != challenge.device_key:
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    device = _user_device(backend, pool, user, device_key)
    if device.verifier is None or device.salt_hex is None:
        # Confirmed without a DeviceSecretVerifierConfig: nothing to prove against.
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    server = srp.new_server_session(device.verifier, device.salt_hex)
    secret_block = _new_secret_block()
    session_id = _open_challenge(
        backend,
        "DEVICE_PASSWORD_VERIFIER",
        pool,
        client,
        user,
        srp=server,
        srp_a_hex=srp_a,
        device_key=device.key,
        secret_block=secret_block,
    )
    return {
        "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
        "Session": session_id,
        "ChallengeParameters": {
            "SRP_B": server.srp_b_hex,
            "SALT": server.salt_hex,
            "SECRET_BLOCK": secret_block,
            "USERNAME": user.username,
            "DEVICE_KEY": device.key,
        },
    }


def _device_password_verifier(
    backend: BackendState,
    pool: Pool,
    client: Client,
    answers: dict[str, Any],
    session: str | None,
    ctx: Context,
) -> dict[str, Any]:
    secret_block = answers.get("PASSWORD_CLAIM_SECRET_BLOCK")
    challenge = _take(
        backend,
        session,
        "DEVICE_PASSWORD_VERIFIER",
        client,
        lambda c: c.client_id == client.id and secret_block is not None and c.secret_block == secret_block,
    )
    username = _required(answers, "USERNAME")
    _check_secret_hash(client, username, answers)
    user = pool.user(username)
    device_key = answers.get("DEVICE_KEY") or challenge.device_key
    if (
        user is None
        or user.username != challenge.username
        or device_key != challenge.device_key
        or challenge.srp is None
        or challenge.srp_a_hex is None
        or device_key is None
    ):
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    device = _user_device(backend, pool, user, device_key)
    proven = srp.verify_claim(
        challenge.srp,
        srp_a_hex=challenge.srp_a_hex,
        pool_or_group=device.group_key,
        user_id=device.key,
        secret_block_b64=_required(answers, "PASSWORD_CLAIM_SECRET_BLOCK"),
        timestamp=_required(answers, "TIMESTAMP"),
        signature_b64=_required(answers, "PASSWORD_CLAIM_SIGNATURE"),
    )
    if not proven or answers.get("PASSWORD_CLAIM_SECRET_BLOCK") != challenge.secret_block:
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    _check_can_sign_in(ctx, user)
    return _tokens(backend, pool, client, user, ctx, device=device)


def _new_password(
    backend: BackendState,
    pool: Pool,
    client: Client,
    answers: dict[str, Any],
    session: str | None,
    ctx: Context,
) -> dict[str, Any]:
    challenge = _take(backend, session, "NEW_PASSWORD_REQUIRED", client)
    username = _required(answers, "USERNAME")
    password = _required(answers, "NEW_PASSWORD")
    _check_secret_hash(client, username, answers)
    user = pool.user(username)
    if user is None or user.username != challenge.username:
        raise not_authorized(errors.INCORRECT_CREDENTIALS)
    try:
        check_policy(pool, password)
    except CognitoError:
        # The challenge stays answerable after a weak password, as on AWS.
        backend.store.challenges[session or ""] = challenge
        raise
    set_password(pool, user, password)
    user.status = CONFIRMED
    user.last_modified = backend.now()
    return _after_password(backend, pool, client, user, ctx, challenge.device_key, srp_flow=True)
