"""Listing what a target holds, to check cleanup by looking, not by trusting the provisioner.

Both helpers ask the target's own API (ListUserPools, ListUsers, ListUserPoolClients) and follow every
page, so they see what any outside client would; neither reads the reference's internal store.
`held` goes through the suite's Target; `held_at` through plain boto3, independent of the suite's
transport, for checking a served endpoint after a run.
"""

from __future__ import annotations

from typing import Any

from conformance.targets import Target
from tests.clients import plain_client


def _pages(target: Target, operation: str, params: dict[str, Any], items: str, token: str) -> list[Any]:
    """Every item of a paginated listing through `target.call`, following `token` to the end."""
    found: list[Any] = []
    next_token: str | None = None
    for _ in range(100):  # a listing that never ends is a bug of the target: fail, do not hang
        answer = target.call(operation, {**params, **({token: next_token} if next_token else {})})
        assert answer.ok, answer.summary()
        found += answer.json.get(items) or []
        next_token = answer.json.get(token)
        if not next_token:
            return found
    raise AssertionError(f"{operation} still had a {token} after 100 pages")


def held(target: Target, prefix: str) -> list[str]:
    """Names of pools and users on the target that start with `prefix` (users of every pool listed)."""
    names: list[str] = []
    for pool in _pages(target, "ListUserPools", {"MaxResults": 60}, "UserPools", "NextToken"):
        if pool["Name"].startswith(prefix):
            names.append(pool["Name"])
        users = _pages(target, "ListUsers", {"UserPoolId": pool["Id"]}, "Users", "PaginationToken")
        names += [u["Username"] for u in users if u["Username"].startswith(prefix)]
    return names


def held_at(url: str, prefix: str = "") -> list[str]:
    """Names starting with `prefix` of the pools at `url`, and of the app clients and users of every
    pool still there, through plain boto3 and its paginators (which follow NextToken/PaginationToken)."""
    client = plain_client(url)
    names: list[str] = []
    for page in client.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            names += [pool["Name"]] if pool["Name"].startswith(prefix) else []
            for clients in client.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool["Id"]):
                names += [
                    c["ClientName"] for c in clients["UserPoolClients"] if c["ClientName"].startswith(prefix)
                ]
            for users in client.get_paginator("list_users").paginate(UserPoolId=pool["Id"]):
                names += [u["Username"] for u in users["Users"] if u["Username"].startswith(prefix)]
    return names
