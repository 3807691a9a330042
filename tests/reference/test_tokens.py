"""Tokens verify against the served JWKS with a standard JWT library (pyjwt); tampering is caught."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from conformance.reference import RunningServer

from .conftest import http_client
from .helpers import SignedIn, World, make_world, srp_sign_in, user_with_device


@pytest.fixture(scope="module")
def signed(server: RunningServer) -> tuple[World, SignedIn, str]:
    world = make_world(http_client(server.url))
    first, device = user_with_device(world)
    # A device sign-in, so the access token carries device_key.
    return world, srp_sign_in(world, first.username, device=device), device.key


def _jwks_client(server: RunningServer, pool_id: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json")


def test_access_token_verifies_with_cognito_claims(
    server: RunningServer, signed: tuple[World, SignedIn, str]
) -> None:
    world, signed_in, device_key = signed
    token = signed_in.access_token
    key = _jwks_client(server, world.pool_id).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{world.pool_id}",
    )
    assert claims["token_use"] == "access"
    assert "aws.cognito.signin.user.admin" in claims["scope"].split()
    assert claims["client_id"] == world.client_id and claims["username"] == signed_in.username
    assert claims["device_key"] == device_key
    for name in ("sub", "exp", "iat", "jti", "origin_jti", "auth_time", "event_id"):
        assert name in claims
    assert claims["exp"] - claims["iat"] == signed_in.tokens["ExpiresIn"] == 3600


def test_id_token_verifies_and_has_its_own_kid(
    server: RunningServer, signed: tuple[World, SignedIn, str]
) -> None:
    world, signed_in, _ = signed
    id_token = signed_in.tokens["IdToken"]
    key = _jwks_client(server, world.pool_id).get_signing_key_from_jwt(id_token)
    claims = jwt.decode(id_token, key.key, algorithms=["RS256"], audience=world.client_id)
    assert claims["token_use"] == "id" and claims["cognito:username"] == signed_in.username
    access_kid = jwt.get_unverified_header(signed_in.access_token)["kid"]
    assert jwt.get_unverified_header(id_token)["kid"] != access_kid
    jwks = requests.get(f"{server.url}/{world.pool_id}/.well-known/jwks.json", timeout=10).json()
    assert {k["kid"] for k in jwks["keys"]} == {access_kid, jwt.get_unverified_header(id_token)["kid"]}


def test_tampered_token_is_rejected_by_pyjwt(
    server: RunningServer, signed: tuple[World, SignedIn, str]
) -> None:
    world, signed_in, _ = signed
    header, _payload, signature = signed_in.access_token.split(".")
    forged_payload = jwt.utils.base64url_encode(b'{"sub":"someone-else","token_use":"access"}').decode()
    forged = f"{header}.{forged_payload}.{signature}"
    key = _jwks_client(server, world.pool_id).get_signing_key_from_jwt(signed_in.access_token)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, key.key, algorithms=["RS256"])


def test_unknown_pool_has_no_jwks(server: RunningServer) -> None:
    assert (
        requests.get(f"{server.url}/us-east-1_NoSuchPool/.well-known/jwks.json", timeout=10).status_code
        == 404
    )


def test_refresh_keeps_the_origin_and_revoke_token_ends_it(signed: tuple[World, SignedIn, str]) -> None:
    world, _, _ = signed
    from .helpers import add_user

    fresh = srp_sign_in(world, add_user(world))
    refreshed = world.client.initiate_auth(
        ClientId=world.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": fresh.tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    origin = jwt.decode(fresh.access_token, options={"verify_signature": False})["origin_jti"]
    assert jwt.decode(refreshed["AccessToken"], options={"verify_signature": False})["origin_jti"] == origin
    world.client.revoke_token(Token=fresh.tokens["RefreshToken"], ClientId=world.client_id)
    for token in (fresh.access_token, refreshed["AccessToken"]):
        with pytest.raises(world.client.exceptions.NotAuthorizedException):
            world.client.get_user(AccessToken=token)
    with pytest.raises(world.client.exceptions.NotAuthorizedException):
        world.client.initiate_auth(
            ClientId=world.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": fresh.tokens["RefreshToken"]},
        )
