"""ListUserPools and ListUserPoolClients: what the reference holds, page by page, as AWS answers it.

Each test gets a fresh backend (in-process and over HTTP), so the listings hold only what it created.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.reference import ReferenceBackend, reference_client, start_server

from .conftest import http_client
from .helpers import error_of

POOL_KEYS = {"Id", "Name", "LambdaConfig", "Status", "LastModifiedDate", "CreationDate"}
LAMBDA = {"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"}


@pytest.fixture(params=["inprocess", "http"])
def fresh(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A client of a new, empty reference."""
    if request.param == "inprocess":
        yield reference_client(ReferenceBackend())
        return
    with start_server(ReferenceBackend(), "127.0.0.1", 0) as running:
        yield http_client(running.url)


def new_pools(client: Any, count: int, prefix: str = "pool") -> list[str]:
    return [client.create_user_pool(PoolName=f"{prefix}-{n}")["UserPool"]["Id"] for n in range(count)]


def new_clients(client: Any, pool_id: str, count: int) -> list[str]:
    return [
        client.create_user_pool_client(UserPoolId=pool_id, ClientName=f"app-{n}")["UserPoolClient"][
            "ClientId"
        ]
        for n in range(count)
    ]


def walk(call: Any, items: str, limit: int, token: str | None = None, **params: Any) -> list[list[Any]]:
    """Every page of a listing (from `token` on), following NextToken by hand; each page's items."""
    pages: list[list[Any]] = []
    while len(pages) < 50:
        answer = call(MaxResults=limit, **params, **({"NextToken": token} if token else {}))
        pages.append(answer[items])
        token = answer.get("NextToken")
        if token is None:
            return pages
        assert token, "an empty NextToken is not a token"
    raise AssertionError("the listing never ended")


def message_of(call: Any, **params: Any) -> str:
    error_type, message = error_of(call, **params)
    assert error_type == "InvalidParameterException", (error_type, message)
    return message


# --- ListUserPools -----------------------------------------------------------------------------------------


def test_an_empty_reference_lists_no_pools(fresh: Any) -> None:
    answer = fresh.list_user_pools(MaxResults=60)
    assert answer["UserPools"] == [] and "NextToken" not in answer


def test_pools_are_listed_page_by_page_in_creation_order(fresh: Any) -> None:
    ids = new_pools(fresh, 5)
    pages = walk(fresh.list_user_pools, "UserPools", 2)
    assert [len(p) for p in pages] == [2, 2, 1]  # MaxResults honoured; the last page has no NextToken
    assert [pool["Id"] for page in pages for pool in page] == ids
    assert walk(fresh.list_user_pools, "UserPools", 1)[3][0]["Id"] == ids[3]
    assert [len(p) for p in walk(fresh.list_user_pools, "UserPools", 5)] == [5]  # no empty last page
    assert [len(p) for p in walk(fresh.list_user_pools, "UserPools", 60)] == [5]


def test_a_pool_summary_has_the_modeled_members(fresh: Any) -> None:
    pool = fresh.create_user_pool(PoolName="with-lambda", LambdaConfig=LAMBDA)["UserPool"]
    (listed,) = fresh.list_user_pools(MaxResults=1)["UserPools"]
    assert set(listed) == POOL_KEYS
    assert listed["Id"] == pool["Id"] and listed["Name"] == "with-lambda"
    assert listed["LambdaConfig"] == LAMBDA and listed["Status"] == "Enabled"
    assert (
        listed["CreationDate"] == pool["CreationDate"]
        and listed["LastModifiedDate"] == pool["LastModifiedDate"]
    )


def test_botocore_paginator_follows_the_tokens(fresh: Any) -> None:
    ids = new_pools(fresh, 3)
    pages = list(fresh.get_paginator("list_user_pools").paginate(MaxResults=2))
    assert [pool["Id"] for page in pages for pool in page["UserPools"]] == ids
    assert len(pages) == 2


def test_a_deleted_pool_is_no_longer_listed(fresh: Any) -> None:
    ids = new_pools(fresh, 2)
    fresh.delete_user_pool(UserPoolId=ids[0])
    assert [p["Id"] for p in fresh.list_user_pools(MaxResults=60)["UserPools"]] == ids[1:]


def test_deleting_what_was_listed_skips_nothing_on_the_next_page(fresh: Any) -> None:
    """The leftover sweep deletes pools while it pages through them."""
    ids = new_pools(fresh, 5)
    first = fresh.list_user_pools(MaxResults=2)
    for pool in first["UserPools"]:
        fresh.delete_user_pool(UserPoolId=pool["Id"])
    rest = walk(fresh.list_user_pools, "UserPools", 2, first["NextToken"])
    assert [pool["Id"] for page in rest for pool in page] == ids[2:]


def test_pools_created_in_the_same_instant_are_each_listed_once() -> None:
    client = reference_client(ReferenceBackend(clock=lambda: 1_700_000_000.0))
    ids = new_pools(client, 4)
    listed = [pool["Id"] for page in walk(client.list_user_pools, "UserPools", 1) for pool in page]
    assert sorted(listed) == sorted(ids) and len(listed) == 4


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "Value null at 'maxResults' failed to satisfy constraint: Member must not be null"),
        ({"MaxResults": 0}, "Member must have value greater than or equal to 1"),
        ({"MaxResults": 61}, "Member must have value less than or equal to 60"),
        ({"MaxResults": 10, "NextToken": ""}, "Member must have length greater than or equal to 1"),
    ],
)
def test_list_user_pools_out_of_range_is_refused(fresh: Any, params: dict[str, Any], words: str) -> None:
    new_pools(fresh, 1)
    assert words in message_of(fresh.list_user_pools, **params)


def forged(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "p-2",  # ListUsers' token shape is not ListUserPools'
        forged("pools", "yesterday", "us-east-1_abc"),
        forged("pools", 1.0),
        forged("clients:us-east-1_abc", 1.0, "x"),  # another listing's token
    ],
)
def test_an_invalid_next_token_is_refused(fresh: Any, token: str) -> None:
    new_pools(fresh, 3)
    assert message_of(fresh.list_user_pools, MaxResults=1, NextToken=token) == "Invalid pagination token."


# --- ListUserPoolClients -----------------------------------------------------------------------------------


def test_clients_of_one_pool_page_by_page(fresh: Any) -> None:
    pool_id, other = new_pools(fresh, 2)
    ids = new_clients(fresh, pool_id, 3)
    new_clients(fresh, other, 2)  # never listed for pool_id
    pages = walk(fresh.list_user_pool_clients, "UserPoolClients", 2, UserPoolId=pool_id)
    assert [len(p) for p in pages] == [2, 1]
    listed = [c for page in pages for c in page]
    assert listed == [
        {"ClientId": i, "UserPoolId": pool_id, "ClientName": f"app-{n}"} for n, i in enumerate(ids)
    ]
    # Without MaxResults: a full page (the reference's 60).
    assert [c["ClientId"] for c in fresh.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]] == ids
    fresh.delete_user_pool_client(UserPoolId=pool_id, ClientId=ids[1])
    remaining = fresh.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    assert [c["ClientId"] for c in remaining["UserPoolClients"]] == [ids[0], ids[2]]
    assert "NextToken" not in remaining


def test_a_pool_without_clients_lists_none(fresh: Any) -> None:
    (pool_id,) = new_pools(fresh, 1)
    assert fresh.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"] == []
    new_clients(fresh, pool_id, 1)
    dcr = fresh.list_user_pool_clients(UserPoolId=pool_id, ClientType="DCR")  # the reference makes none
    assert dcr["UserPoolClients"] == []
    regular = fresh.list_user_pool_clients(UserPoolId=pool_id, ClientType="REGULAR")
    assert len(regular["UserPoolClients"]) == 1


def test_clients_of_an_unknown_or_deleted_pool(fresh: Any) -> None:
    assert error_of(fresh.list_user_pool_clients, UserPoolId="us-east-1_nothere12") == (
        "ResourceNotFoundException",
        "User pool us-east-1_nothere12 does not exist.",
    )
    (pool_id,) = new_pools(fresh, 1)
    new_clients(fresh, pool_id, 1)
    fresh.delete_user_pool(UserPoolId=pool_id)
    assert error_of(fresh.list_user_pool_clients, UserPoolId=pool_id)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"),
        ({"MaxResults": 0}, "Member must have value greater than or equal to 1"),
        ({"MaxResults": 61}, "Member must have value less than or equal to 60"),
        ({"ClientType": "OTHER"}, "Member must satisfy enum value set: [REGULAR, DCR]"),
    ],
)
def test_list_user_pool_clients_out_of_range_is_refused(
    fresh: Any, params: dict[str, Any], words: str
) -> None:
    (pool_id,) = new_pools(fresh, 1)
    given = {"UserPoolId": pool_id, **params} if params else {}
    assert words in message_of(fresh.list_user_pool_clients, **given)


def test_a_client_token_belongs_to_its_pool(fresh: Any) -> None:
    first, second = new_pools(fresh, 2)
    new_clients(fresh, first, 2)
    new_clients(fresh, second, 2)
    token = fresh.list_user_pool_clients(UserPoolId=first, MaxResults=1)["NextToken"]
    assert message_of(fresh.list_user_pool_clients, UserPoolId=second, NextToken=token) == (
        "Invalid pagination token."
    )
    assert message_of(fresh.list_user_pools, MaxResults=1, NextToken=token) == "Invalid pagination token."
    pools_token = fresh.list_user_pools(MaxResults=1)["NextToken"]
    assert message_of(fresh.list_user_pool_clients, UserPoolId=first, NextToken=pools_token) == (
        "Invalid pagination token."
    )
