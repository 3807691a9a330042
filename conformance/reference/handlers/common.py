"""What every handler shares: the request context and lookups that answer AWS's not-found errors."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import invalid_parameter, resource_not_found
from ..sessions import user_not_found
from ..state import BackendState
from ..store import Client, Device, Pool, User

# Undocumented wording (ListUserPools answers the same here).
INVALID_PAGINATION_TOKEN = "Invalid pagination token."


@dataclass(frozen=True)
class Context:
    """Facts about the request that are not in its body."""

    operation: str
    source_ip: str = "127.0.0.1"
    user_agent: str = ""


Handler = Callable[[BackendState, dict[str, Any], Context], dict[str, Any]]


def get_pool(backend: BackendState, pool_id: str) -> Pool:
    pool = backend.store.pools.get(pool_id)
    if pool is None:
        raise resource_not_found(f"User pool {pool_id} does not exist.")
    return pool


def get_client(backend: BackendState, client_id: str, pool_id: str | None = None) -> Client:
    client = backend.store.clients.get(client_id)
    if client is None or (pool_id is not None and client.pool_id != pool_id):
        raise resource_not_found(f"User pool client {client_id} does not exist.")
    return client


def get_user(backend: BackendState, ctx: Context, pool: Pool, username: str) -> User:
    """The user, or UserNotFoundException (ResourceNotFoundException where the operation lacks the former)."""
    user = pool.user(username)
    if user is None:
        raise user_not_found(ctx.operation)
    return user


def device_json(backend: BackendState, device: Device) -> dict[str, Any]:
    """A DeviceType, with the attributes seen on AWS (get-device example in the AWS CLI reference)."""
    attributes = {
        "device_status": "valid",
        "dev:device_arn": (
            f"arn:aws:cognito-idp:{backend.region}:{backend.account_id}"
            f":owner/{device.owner_sub}.{device.pool_id}/device/{device.key}"
        ),
        "dev:device_owner": device.owner_sub,
        "dev:device_remembered_status": "remembered" if device.remembered else "not_remembered",
    }
    if device.name is not None:
        attributes["device_name"] = device.name
    if device.last_ip is not None:
        attributes["last_ip_used"] = device.last_ip
    if device.sdk:
        attributes["dev:device_sdk"] = device.sdk
    out: dict[str, Any] = {
        "DeviceKey": device.key,
        "DeviceAttributes": [{"Name": k, "Value": v} for k, v in sorted(attributes.items())],
        "DeviceCreateDate": device.created,
        "DeviceLastModifiedDate": device.last_modified,
    }
    if device.last_authenticated is not None:
        out["DeviceLastAuthenticatedDate"] = device.last_authenticated
    return out


def user_attributes(user: User) -> list[dict[str, str]]:
    return [{"Name": "sub", "Value": user.sub}] + [
        {"Name": k, "Value": v} for k, v in user.attributes.items() if k != "sub"
    ]


def page(
    items: list[Any], limit: int | None, token: str | None, default: int = 60, *, scope: str = ""
) -> tuple[list[Any], str | None]:
    """One page of `items` and the token for the next.

    The token is opaque to clients: the listing it belongs to (`scope`: the operation and whose items) and
    the offset, so a token is refused by any other listing (another user's, the other operation's) and a
    plain number is no token at all; a client presents it again "with the same parameters"."""
    start = 0
    if token is not None:
        start = _offset(token, scope)
    size = limit or default  # assumption (undocumented): Limit 0 reads as "the default"
    chunk = items[start : start + size]
    more = start + size < len(items)
    return chunk, (page_token(scope, start + size) if more else None)


def page_token(scope: str, offset: int) -> str:
    """The token of the page of `scope`'s listing that begins at `offset`."""
    raw = json.dumps(["page", scope, offset], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_page_token(token: str) -> tuple[str, int] | None:
    """(scope, offset) of a token `page_token` made; None for anything else."""
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or value[0] != "page"
        or not isinstance(value[1], str)
        or not isinstance(value[2], int)
        or isinstance(value[2], bool)
        or value[2] < 0
    ):
        return None
    return value[1], value[2]


def _offset(token: str, scope: str) -> int:
    read = read_page_token(token)
    if read is None or read[0] != scope:
        raise invalid_parameter(INVALID_PAGINATION_TOKEN)
    return read[1]
