"""RS256 JSON Web Tokens and JWKS, with nothing but `cryptography` (no JWT library in the product).

Each user pool has two signing keys, one for access tokens and one for ID tokens, so their `kid`s differ
as on AWS. Verification here is deliberately strict: exactly three base64url parts, `alg` RS256, a known
`kid`, a valid signature. Claims (expiry, revocation, scope) are judged by `sessions.py`.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


class TokenError(ValueError):
    """The string is not a JWT this backend could have signed."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("bad base64url") from exc


def _int_b64(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass(frozen=True)
class SigningKey:
    """An RSA key pair and its key id."""

    kid: str
    private: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(kid=_b64url(uuid.uuid4().bytes), private=rsa.generate_private_key(65537, 2048))

    def jwk(self) -> dict[str, str]:
        """The public half, as Cognito publishes it in /.well-known/jwks.json."""
        numbers = self.private.public_key().public_numbers()
        return {
            "alg": "RS256",
            "e": _int_b64(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _int_b64(numbers.n),
            "use": "sig",
        }

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"kid": self.kid, "alg": "RS256"}
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = self.private.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"

    def verifies(self, token: str) -> bool:
        """True iff `token`'s signature was made by this key."""
        signing_input, _, signature = token.rpartition(".")
        try:
            self.private.public_key().verify(
                _b64url_decode(signature), signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, TokenError, UnicodeEncodeError):
            return False
        return True


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS, without checking the signature; TokenError if malformed."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise TokenError("not a compact JWS")
    try:
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenError("not JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise TokenError("not JSON objects")
    if header.get("alg") != "RS256":
        raise TokenError("not RS256")
    return header, claims


def jwks(*keys: SigningKey) -> dict[str, list[dict[str, str]]]:
    return {"keys": [key.jwk() for key in keys]}
