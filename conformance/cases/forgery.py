"""Forged access tokens of every kind a verifier has been fooled by (AUTH-TAMPERED): a payload edited
under the original signature, a broken signature, `alg: none`, a key that is not in the pool's JWKS
(named by an unknown `kid` and carried in a `jwk` header, or behind the real `kid`), another issuer, and
the payload of one genuine token under the header and signature of another. Each is registered as a
secret: it carries a user's claims, and a report shows none.

A recorded run (`run --record`) keeps how each forgery was made, never the token: the recipe (the
forging function's name in `RECIPES`) and the genuine tokens it was made of, by their names. A replay
forges its own token by the same recipe from its own target's tokens (a key of the suite's is made
anew in each process, as the recorded run made its own)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from conformance.secrets import SECRETS


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(segment: str) -> dict[str, Any]:
    value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return value if isinstance(value, dict) else {}


def _encoded(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def _kept(forged: str) -> str:
    SECRETS.add(forged, "<tampered-token>")
    return forged


@cache
def _foreign_key() -> rsa.RSAPrivateKey:
    """An RSA key of the suite's own, in no pool's JWKS (made once per process)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk() -> dict[str, str]:
    numbers = _foreign_key().public_key().public_numbers()

    def b64(n: int) -> str:
        return _b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))

    return {
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": "suite-forged",
        "n": b64(numbers.n),
        "e": b64(numbers.e),
    }


def _signed(header: dict[str, Any], claims: dict[str, Any]) -> str:
    signing_input = f"{_encoded(header)}.{_encoded(claims)}"
    signature = _foreign_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def tampered_payload(token: str, _other: str) -> str:
    """Another username and sub in the payload, under the original header and signature."""
    header, payload, signature = token.split(".")
    claims = _part(payload)
    claims["username"] = f"{claims.get('username', 'user')}-x"
    claims["sub"] = "00000000-0000-4000-8000-000000000000"
    return _kept(f"{header}.{_encoded(claims)}.{signature}")


def bad_signature(token: str, _other: str) -> str:
    """The genuine header and payload, one character of the signature changed."""
    header, payload, signature = token.split(".")
    return _kept(f"{header}.{payload}.{('A' if signature[0] != 'A' else 'B') + signature[1:]}")


def alg_none(token: str, _other: str) -> str:
    """The genuine claims, `alg: none`, no signature."""
    header, payload, _ = token.split(".")
    return _kept(f"{_encoded({**_part(header), 'alg': 'none'})}.{payload}.")


def unknown_key_in_jwk_header(token: str, _other: str) -> str:
    """The genuine claims signed by a key of the suite's, named by a `kid` the pool does not have and
    carried in a `jwk` header (a verifier that trusts the token's own key takes it)."""
    payload = token.split(".")[1]
    return _kept(_signed({"alg": "RS256", "kid": "suite-forged", "jwk": _jwk()}, _part(payload)))


def foreign_key_real_kid(token: str, _other: str) -> str:
    """The genuine claims and header (its real `kid`), signed by a key of the suite's."""
    header, payload, _ = token.split(".")
    return _kept(_signed(_part(header), _part(payload)))


def another_issuer(token: str, _other: str) -> str:
    """The genuine claims with the issuer of a pool that does not exist, signed by the suite's key
    (carried in a `jwk` header): an issuer the pool does not trust."""
    claims = _part(token.split(".")[1])
    issuer = str(claims.get("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x"))
    base, _, pool = issuer.rpartition("/")
    claims["iss"] = f"{base}/{pool.partition('_')[0]}_Forged000"  # the same region, no such pool
    return _kept(_signed({"alg": "RS256", "kid": "suite-forged", "jwk": _jwk()}, claims))


def payload_swap(token: str, other: str) -> str:
    """The payload of `token` (its user's claims) under the header and signature of `other`, a genuine
    token of another user of the same pool: the signature is genuine, of another payload."""
    _, payload, _ = token.split(".")
    other_header, _, other_signature = other.split(".")
    return _kept(f"{other_header}.{payload}.{other_signature}")


# name -> forge(token of the user whose device is named, a genuine token of another user of the pool)
FORGERIES: dict[str, Callable[[str, str], str]] = {
    "payload edited": tampered_payload,
    "signature broken": bad_signature,
    "alg none": alg_none,
    "a key not in the JWKS, in a jwk header": unknown_key_in_jwk_header,
    "a key not in the JWKS, behind the real kid": foreign_key_real_kid,
    "another issuer": another_issuer,
    "a payload swapped under another token's signature": payload_swap,
}

# recipe -> forge: the names a recording gives its forgeries' recipes, and all a replay may call.
RECIPES: dict[str, Callable[[str, str], str]] = {recipe.__name__: recipe for recipe in FORGERIES.values()}


@runtime_checkable
class ForgeryRecorder(Protocol):
    """What records a run (conformance/parity/recorder.py), as a case sees it: told how each forged
    token was made, so that its recording names the recipe instead of holding the token."""

    def forged(self, token: str, recipe: str, sources: tuple[str, str]) -> None: ...


def forge(kind: str, token: str, other: str, recorder: object = None) -> str:
    """`FORGERIES[kind]`'s forgery of `token` (`other`: another user's genuine token); a recorder that
    keeps forgeries is told the recipe and the genuine tokens it was made of."""
    recipe = FORGERIES[kind]
    forged = recipe(token, other)
    if isinstance(recorder, ForgeryRecorder):
        recorder.forged(forged, recipe.__name__, (token, other))
    return forged
