"""User pools and app clients: CreateUserPool ... DeleteUserPoolClient, ListUserPools, ListUserPoolClients."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..errors import invalid_parameter
from ..state import BackendState
from ..store import Client, Pool
from ..tokens import SigningKey
from .common import Context, get_client, get_pool

DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
# What a client gets without ExplicitAuthFlows (AWS's current default).
DEFAULT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
INVALID_NEXT_TOKEN = "Invalid pagination token."  # undocumented wording; ListUsers answers the same here
_Item = TypeVar("_Item")


def create_user_pool(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    now = backend.now()
    pool_id = backend.new_pool_id()
    policy = {**DEFAULT_PASSWORD_POLICY, **((p.get("Policies") or {}).get("PasswordPolicy") or {})}
    device_configuration = p.get("DeviceConfiguration")
    pool = Pool(
        id=pool_id,
        name=p["PoolName"],
        arn=f"arn:aws:cognito-idp:{backend.region}:{backend.account_id}:userpool/{pool_id}",
        created=now,
        last_modified=now,
        access_key=SigningKey.generate(),
        id_key=SigningKey.generate(),
        device_configuration=dict(device_configuration) if device_configuration else None,
        case_sensitive=bool((p.get("UsernameConfiguration") or {}).get("CaseSensitive", True)),
        description={
            "Policies": {"PasswordPolicy": policy},
            "DeletionProtection": p.get("DeletionProtection") or "INACTIVE",
            "LambdaConfig": p.get("LambdaConfig") or {},
            "AutoVerifiedAttributes": p.get("AutoVerifiedAttributes") or [],
            "MfaConfiguration": p.get("MfaConfiguration") or "OFF",
            "UserPoolTags": p.get("UserPoolTags") or {},
            "AdminCreateUserConfig": p.get("AdminCreateUserConfig") or {"AllowAdminCreateUserOnly": False},
            "UserPoolTier": p.get("UserPoolTier") or "ESSENTIALS",
            **({"UsernameAttributes": p["UsernameAttributes"]} if p.get("UsernameAttributes") else {}),
            **({"AliasAttributes": p["AliasAttributes"]} if p.get("AliasAttributes") else {}),
            **(
                {"UsernameConfiguration": p["UsernameConfiguration"]}
                if p.get("UsernameConfiguration")
                else {}
            ),
        },
    )
    backend.store.pools[pool_id] = pool
    return {"UserPool": _pool_json(pool)}


def _pool_json(pool: Pool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool.arn,
        "CreationDate": pool.created,
        "LastModifiedDate": pool.last_modified,
        "EstimatedNumberOfUsers": len(pool.users),
        **pool.description,
    }
    if pool.device_configuration is not None:
        out["DeviceConfiguration"] = pool.device_configuration
    return out


def describe_user_pool(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {"UserPool": _pool_json(get_pool(backend, p["UserPoolId"]))}


def delete_user_pool(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    if pool.description.get("DeletionProtection") == "ACTIVE":
        raise invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    store = backend.store
    del store.pools[pool.id]
    for client_id in pool.clients:
        store.clients.pop(client_id, None)
    for key in [k for k, d in store.devices.items() if d.pool_id == pool.id]:
        del store.devices[key]
    for session in store.sessions.values():
        if session.pool_id == pool.id:
            session.revoked = True
    return {}


def _validity(p: dict[str, Any], member: str, unit_key: str, default: int) -> tuple[int, int, str]:
    """(seconds, value, unit) of one token validity. AWS: units default to hours for access and ID tokens
    when a value is given, days for refresh tokens; without a value, 60 minutes / 30 days."""
    refresh = unit_key == "RefreshToken"
    if p.get(member) is None:
        value, unit = default, "days" if refresh else "minutes"
    else:
        given_unit = (p.get("TokenValidityUnits") or {}).get(unit_key)
        value, unit = int(p[member]), given_unit or ("days" if refresh else "hours")
    return value * _UNIT_SECONDS[unit], value, unit


def create_user_pool_client(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    access, access_value, access_unit = _validity(p, "AccessTokenValidity", "AccessToken", 60)
    id_token, id_value, id_unit = _validity(p, "IdTokenValidity", "IdToken", 60)
    refresh, refresh_value, refresh_unit = _validity(p, "RefreshTokenValidity", "RefreshToken", 30)
    # AWS's bounds; tests that need a shorter access token use BackendState.access_token_validity.
    if not 300 <= access <= 86400:
        raise invalid_parameter("Access token validity must be between 5 minutes and 1 day.")
    if not 300 <= id_token <= 86400:
        raise invalid_parameter("ID token validity must be between 5 minutes and 1 day.")
    if not 3600 <= refresh <= 315360000:
        raise invalid_parameter("Refresh token validity must be between 60 minutes and 10 years.")
    secret = p.get("ClientSecret") or (backend.new_client_secret() if p.get("GenerateSecret") else None)
    now = backend.now()
    client = Client(
        id=backend.new_client_id(),
        pool_id=pool.id,
        name=p["ClientName"],
        secret=secret,
        explicit_auth_flows=list(p.get("ExplicitAuthFlows") or DEFAULT_AUTH_FLOWS),
        access_token_seconds=access,
        id_token_seconds=id_token,
        refresh_token_seconds=refresh,
        created=now,
        enable_token_revocation=p.get("EnableTokenRevocation") is not False,
        prevent_user_existence_errors=p.get("PreventUserExistenceErrors") or "LEGACY",
        description={
            "RefreshTokenValidity": refresh_value,
            "AccessTokenValidity": access_value,
            "IdTokenValidity": id_value,
            "TokenValidityUnits": {
                "AccessToken": access_unit,
                "IdToken": id_unit,
                "RefreshToken": refresh_unit,
            },
            "AllowedOAuthFlowsUserPoolClient": bool(p.get("AllowedOAuthFlowsUserPoolClient")),
            "AuthSessionValidity": p.get("AuthSessionValidity", 3),
            "EnablePropagateAdditionalUserContextData": bool(
                p.get("EnablePropagateAdditionalUserContextData")
            ),
            **{
                k: p[k]
                for k in (
                    "ReadAttributes",
                    "WriteAttributes",
                    "SupportedIdentityProviders",
                    "CallbackURLs",
                    "LogoutURLs",
                    "AllowedOAuthFlows",
                    "AllowedOAuthScopes",
                )
                if p.get(k)
            },
        },
    )
    pool.clients[client.id] = client
    backend.store.clients[client.id] = client
    return {"UserPoolClient": _client_json(client, now)}


def _client_json(client: Client, modified: float) -> dict[str, Any]:
    out: dict[str, Any] = {
        "UserPoolId": client.pool_id,
        "ClientName": client.name,
        "ClientId": client.id,
        "CreationDate": client.created,
        "LastModifiedDate": modified,
        "ExplicitAuthFlows": client.explicit_auth_flows,
        "EnableTokenRevocation": client.enable_token_revocation,
        "PreventUserExistenceErrors": client.prevent_user_existence_errors,
        **client.description,
    }
    if client.secret is not None:
        out["ClientSecret"] = client.secret  # AWS returns it too; the caller is the pool's administrator
    return out


def describe_user_pool_client(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    get_pool(backend, p["UserPoolId"])
    client = get_client(backend, p["ClientId"], p["UserPoolId"])
    return {"UserPoolClient": _client_json(client, client.created)}


def delete_user_pool_client(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    client = get_client(backend, p["ClientId"], pool.id)
    del pool.clients[client.id]
    del backend.store.clients[client.id]
    return {}


# --- listing ----------------------------------------------------------------------------------------------


def _cursor_page(
    items: Sequence[_Item],
    key: Callable[[_Item], tuple[float, str]],
    scope: str,
    limit: int,
    token: str | None,
) -> tuple[list[_Item], str | None]:
    """One page of `items` (oldest first) after the cursor in `token`, and the token for the next page.

    The token names the last item returned (its creation time and id), not an offset: a caller that
    deletes what it has just listed (the provisioner's leftover sweep does) neither skips nor repeats
    anything. It is bound to `scope`, so one listing's token is refused by another.
    """
    ordered = sorted(items, key=key)
    if token is not None:
        after = _decode_token(token, scope)
        ordered = [item for item in ordered if key(item) > after]
    chunk = ordered[:limit]
    more = len(ordered) > limit
    return chunk, (_encode_token(scope, key(chunk[-1])) if more else None)


def _encode_token(scope: str, after: tuple[float, str]) -> str:
    raw = json.dumps([scope, after[0], after[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str, scope: str) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        raise invalid_parameter(INVALID_NEXT_TOKEN) from None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or value[0] != scope
        or not isinstance(value[1], int | float)
        or isinstance(value[1], bool)
        or not isinstance(value[2], str)
    ):
        raise invalid_parameter(INVALID_NEXT_TOKEN)
    return float(value[1]), value[2]


def _pool_summary(pool: Pool) -> dict[str, Any]:
    """A UserPoolDescriptionType. Status is deprecated in the model but still answered: always Enabled."""
    return {
        "Id": pool.id,
        "Name": pool.name,
        "LambdaConfig": pool.description.get("LambdaConfig") or {},
        "Status": "Enabled",
        "LastModifiedDate": pool.last_modified,
        "CreationDate": pool.created,
    }


def list_user_pools(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    # MaxResults is required and 1..60 in the model; validation refused anything else before this.
    chunk, token = _cursor_page(
        list(backend.store.pools.values()),
        lambda pool: (pool.created, pool.id),
        "pools",
        int(p["MaxResults"]),
        p.get("NextToken"),
    )
    out: dict[str, Any] = {"UserPools": [_pool_summary(pool) for pool in chunk]}
    if token:
        out["NextToken"] = token
    return out


def list_user_pool_clients(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    # Every client the reference makes is a regular one: a filter on DCR (dynamic registration) lists none.
    clients = [] if p.get("ClientType") == "DCR" else list(pool.clients.values())
    chunk, token = _cursor_page(
        clients,
        lambda client: (client.created, client.id),
        f"clients:{pool.id}",
        # Optional here (1..60); without it, a full page (assumption: AWS does not document the default).
        int(p.get("MaxResults") or 60),
        p.get("NextToken"),
    )
    out: dict[str, Any] = {
        "UserPoolClients": [
            {"ClientId": client.id, "UserPoolId": client.pool_id, "ClientName": client.name}
            for client in chunk
        ]
    }
    if token:
        out["NextToken"] = token
    return out
