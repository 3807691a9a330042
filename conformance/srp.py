"""SRP-6a exactly as Amazon Cognito uses it, client side and server side.

The client side answers USER_SRP_AUTH / DEVICE_SRP_AUTH challenges (PASSWORD_VERIFIER and
DEVICE_PASSWORD_VERIFIER) and builds the DeviceSecretVerifierConfig for ConfirmDevice.  The server side
is the mirror image the reference mock needs to check those answers.  Formulas follow
specs/sources/srp.md; the tests cross-check them against pycognito's independent implementation.

Nothing here talks to the network, prints, or logs; secret fields are kept out of dataclass reprs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

try:  # GMP: 7 times faster than pow() at 3072 bits, where deep runs spent a third of their time
    from gmpy2 import mpz as _mpz
    from gmpy2 import powmod as _gmpy2
except ImportError:
    _gmpy2 = _mpz = None
# What modpow uses; None means pow(), the fallback (tests and benchmarks set None to compare the two).
_gmpy2_powmod: Callable[[int, int, int], Any] | None = _gmpy2

__all__ = [
    "DeviceVerifier",
    "G",
    "K",
    "N",
    "SrpClientSession",
    "SrpServerSession",
    "cognito_timestamp",
    "device_verifier_from_config",
    "hex_hash",
    "modpow",
    "new_client_session",
    "new_device_verifier",
    "new_salt_hex",
    "new_server_session",
    "pad_hex",
    "password_claim",
    "pool_name",
    "secret_hash",
    "verifier_for_password",
    "verify_claim",
]

Rng = Callable[[int], bytes]

# RFC 3526, 3072-bit MODP group.
N: int = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G: int = 2

_HEX = re.compile(r"[0-9a-fA-F]+")
_HKDF_INFO = b"Caldera Derived Key\x01"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pad_hex(value: int | str) -> str:
    """Hex the way Cognito hashes numbers: even length, and a leading 00 so it never reads as negative."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError("pad_hex takes non-negative integers")
        digits = f"{value:x}"
    else:
        if not _HEX.fullmatch(value):
            raise ValueError(f"not a hex string: {value!r}")
        digits = value.lower()
    if len(digits) % 2 == 1:
        return "0" + digits
    if digits[0] in "89abcdef":
        return "00" + digits
    return digits


def hex_hash(hex_string: str) -> str:
    """SHA-256 of the bytes a hex string encodes, as 64 lowercase hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_string)).hexdigest()


def modpow(base: int, exp: int, mod: int) -> int:
    """pow(base, exp, mod), through gmpy2 when it is installed. Always a plain int: gmpy2 returns an mpz,
    which is no `int` instance (pad_hex and the dataclasses here take ints).

    Powers of g modulo N (A = g^a, B's g^b, each verifier's g^x: five of a sign-in's eight) come from a
    table of g's powers instead (`_powers_of_g`), about four times faster than powmod for a 1024-bit
    exponent; larger exponents (none here) go to powmod."""
    if _gmpy2_powmod is None:
        return pow(base, exp, mod)
    if base == G and mod == N and 0 <= exp < 1 << _G_TABLE_BITS:
        return _g_pow(exp)
    return int(_gmpy2_powmod(base, exp, mod))


# g^e mod N with e read in 5-bit digits: g^e is the product of one table entry per digit,
# row i holding g^(d * 2^(5i)) for every digit d. 205 rows of 32 cover the exponents Cognito's clients
# draw (128 bytes, < 2^1024) and every x (a SHA-256); the table is 2.5 MB, made once in about 20 ms.
_G_DIGIT_BITS = 5
_G_TABLE_BITS = 1025


def _g_pow(exp: int) -> int:
    modulus, rows = _powers_of_g()
    mask = (1 << _G_DIGIT_BITS) - 1
    result = _mpz(1)
    for row in rows:
        if not exp:
            break
        digit = exp & mask
        if digit:
            result = result * row[digit] % modulus
        exp >>= _G_DIGIT_BITS
    return int(result)


@cache
def _powers_of_g() -> tuple[Any, list[list[Any]]]:
    """N as an mpz, and for each digit position i the row [1, g^(2^(5i)), g^(2*2^(5i)), ...] mod N."""
    modulus = _mpz(N)
    rows: list[list[Any]] = []
    power = _mpz(G)  # g^(2^(5i)) for the row being made
    for _ in range(-(-_G_TABLE_BITS // _G_DIGIT_BITS)):
        row = [_mpz(1)]
        for _ in range((1 << _G_DIGIT_BITS) - 1):
            row.append(row[-1] * power % modulus)
        rows.append(row)
        power = row[-1] * power % modulus
    return modulus, rows


def _hx(hex_string: str) -> int:
    return int(hex_hash(hex_string), 16)


def _parse_hex(hex_string: str, what: str) -> int:
    """Strict parsing: int(s, 16) alone would also accept '-', '0x' and '_'."""
    if not _HEX.fullmatch(hex_string):
        raise ValueError(f"{what} is not a hex string")
    return int(hex_string, 16)


# k = H(PAD(N) | PAD(g)), the SRP-6a multiplier.
K: int = _hx(pad_hex(N) + pad_hex(G))


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """SECRET_HASH for app clients that have a secret."""
    mac = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def cognito_timestamp(now: datetime | None = None) -> str:
    """TIMESTAMP as Cognito wants it ("Wed May 7 00:09:40 UTC 2025"); built by hand so locale cannot leak in.

    A naive datetime is taken to be UTC already.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is not None:
        now = now.astimezone(UTC)
    return (
        f"{_WEEKDAYS[now.weekday()]} {_MONTHS[now.month - 1]} {now.day} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} UTC {now.year}"
    )


def pool_name(user_pool_id: str) -> str:
    """The part of a user pool id after the region, e.g. "us-east-1_AbC123" -> "AbC123"."""
    _, sep, name = user_pool_id.partition("_")
    if not sep or not name:
        raise ValueError(f"not a user pool id: {user_pool_id!r}")
    return name


def _x(pool_or_group: str, user_id: str, password: str, salt_hex: str) -> int:
    """The private exponent x = H(PAD(salt) | H(pool_or_group | user_id | ":" | password))."""
    inner = hashlib.sha256(f"{pool_or_group}{user_id}:{password}".encode()).hexdigest()
    return _hx(pad_hex(salt_hex) + inner)


def _u(big_a: int, big_b: int) -> int:
    return _hx(pad_hex(big_a) + pad_hex(big_b))


def _session_key(u: int, s: int) -> bytes:
    """Cognito's one-block HKDF: salt = PAD(u), ikm = PAD(S), info = "Caldera Derived Key", 16 bytes."""
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, _HKDF_INFO, hashlib.sha256).digest()[:16]


def _signature(key: bytes, pool_or_group: str, user_id: str, secret_block: bytes, timestamp: str) -> bytes:
    msg = pool_or_group.encode() + user_id.encode() + secret_block + timestamp.encode()
    return hmac.new(key, msg, hashlib.sha256).digest()


def _b64decode(text: str) -> bytes:
    """Strict standard base64 (a lenient decoder would silently drop stray characters)."""
    return base64.b64decode(text, validate=True)


def _random_exponent(rng: Rng) -> int:
    """128 random bytes mod N, as Cognito's clients draw a and b."""
    value = int.from_bytes(rng(128), "big") % N
    if value == 0:
        raise ValueError("random source returned a zero exponent")
    return value


# --- client side -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SrpClientSession:
    """The client's ephemeral pair; a new one for every InitiateAuth / DEVICE_SRP_AUTH answer."""

    a: int = field(repr=False)
    A: int

    @property
    def srp_a_hex(self) -> str:
        """SRP_A as the client sends it (plain lowercase hex, like the AWS SDKs)."""
        return f"{self.A:x}"


def new_client_session(rng: Rng = os.urandom) -> SrpClientSession:
    """Draw a and compute A = g^a mod N."""
    a = _random_exponent(rng)
    big_a = modpow(G, a, N)
    if big_a % N == 0:  # cannot happen for prime N; kept because SRP-6a requires the check
        raise ValueError("SRP safety check failed: A mod N == 0")
    return SrpClientSession(a=a, A=big_a)


def password_claim(
    session: SrpClientSession,
    *,
    pool_or_group: str,
    user_id: str,
    password: str,
    salt_hex: str,
    srp_b_hex: str,
    secret_block_b64: str,
    timestamp: str,
) -> str:
    """PASSWORD_CLAIM_SIGNATURE (base64) answering PASSWORD_VERIFIER or DEVICE_PASSWORD_VERIFIER.

    For a user: pool_or_group = pool_name(pool id), user_id = USER_ID_FOR_SRP.
    For a device: pool_or_group = DeviceGroupKey, user_id = DeviceKey, password = the device password.
    """
    big_b = _parse_hex(srp_b_hex, "SRP_B")
    if big_b % N == 0:
        raise ValueError("SRP safety check failed: B mod N == 0")
    u = _u(session.A, big_b)
    if u == 0:
        raise ValueError("SRP safety check failed: u == 0")
    x = _x(pool_or_group, user_id, password, salt_hex)
    s = modpow(big_b - K * modpow(G, x, N), session.a + u * x, N)
    key = _session_key(u, s)
    sig = _signature(key, pool_or_group, user_id, _b64decode(secret_block_b64), timestamp)
    return base64.b64encode(sig).decode()


@dataclass(frozen=True)
class DeviceVerifier:
    """What ConfirmDevice needs (salt and verifier) plus the password the device keeps for DEVICE_SRP_AUTH."""

    password: str = field(repr=False)
    salt_b64: str
    verifier_b64: str

    def secret_verifier_config(self) -> dict[str, str]:
        """The DeviceSecretVerifierConfig member of a ConfirmDevice request."""
        return {"PasswordVerifier": self.verifier_b64, "Salt": self.salt_b64}


def new_device_verifier(device_group_key: str, device_key: str, rng: Rng = os.urandom) -> DeviceVerifier:
    """A fresh device password and its verifier; draws 40 bytes (password) then 16 bytes (salt)."""
    password = base64.b64encode(rng(40)).decode()
    salt_hex = pad_hex(int.from_bytes(rng(16), "big"))
    v = verifier_for_password(
        pool_or_group=device_group_key, user_id=device_key, password=password, salt_hex=salt_hex
    )
    return DeviceVerifier(
        password=password,
        salt_b64=base64.b64encode(bytes.fromhex(salt_hex)).decode(),
        verifier_b64=base64.b64encode(bytes.fromhex(pad_hex(v))).decode(),
    )


# --- server side (reference mock) --------------------------------------------------------------------------


def verifier_for_password(*, pool_or_group: str, user_id: str, password: str, salt_hex: str) -> int:
    """v = g^x mod N, what the server stores instead of the password."""
    return modpow(G, _x(pool_or_group, user_id, password, salt_hex), N)


def new_salt_hex(rng: Rng = os.urandom) -> str:
    """A 16-byte salt in the padded hex form sent as SALT."""
    return pad_hex(int.from_bytes(rng(16), "big"))


@dataclass(frozen=True)
class SrpServerSession:
    """The server's ephemeral pair for one PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER challenge."""

    b: int = field(repr=False)
    B: int
    v: int = field(repr=False)
    salt_hex: str

    @property
    def srp_b_hex(self) -> str:
        """SRP_B as sent in the challenge parameters."""
        return f"{self.B:x}"


def new_server_session(verifier: int, salt_hex: str, rng: Rng = os.urandom) -> SrpServerSession:
    """Draw b and compute B = k*v + g^b mod N."""
    if not 0 < verifier < N:
        raise ValueError("verifier must be in 1..N-1")
    b = _random_exponent(rng)
    big_b = (K * verifier + modpow(G, b, N)) % N
    if big_b == 0:
        raise ValueError("SRP safety check failed: B mod N == 0")
    return SrpServerSession(b=b, B=big_b, v=verifier, salt_hex=salt_hex)


def verify_claim(
    server: SrpServerSession,
    *,
    srp_a_hex: str,
    pool_or_group: str,
    user_id: str,
    secret_block_b64: str,
    timestamp: str,
    signature_b64: str,
) -> bool:
    """True iff the client proved knowledge of the password behind server.v.

    Malformed hex or base64 and A mod N == 0 are rejections, not exceptions.  Checking that the
    timestamp is fresh and that the secret block is the one issued is the caller's job.
    """
    try:
        big_a = _parse_hex(srp_a_hex, "SRP_A")
        secret_block = _b64decode(secret_block_b64)
        claimed = _b64decode(signature_b64)
    except ValueError:  # binascii.Error is a ValueError
        return False
    if big_a % N == 0:
        return False
    u = _u(big_a, server.B)
    if u == 0:
        return False
    s = modpow(big_a * modpow(server.v, u, N), server.b, N)
    expected = _signature(_session_key(u, s), pool_or_group, user_id, secret_block, timestamp)
    return hmac.compare_digest(expected, claimed)


def device_verifier_from_config(salt_b64: str, verifier_b64: str) -> tuple[str, int]:
    """(salt_hex, v) from ConfirmDevice's DeviceSecretVerifierConfig, ready for new_server_session."""
    salt = _b64decode(salt_b64)
    if not salt:
        raise ValueError("empty Salt")
    v = int.from_bytes(_b64decode(verifier_b64), "big")
    if not 0 < v < N:
        raise ValueError("PasswordVerifier must encode a number in 1..N-1")
    return salt.hex(), v
