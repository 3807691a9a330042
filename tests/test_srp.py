"""Tests for conformance.srp: constants, formats, a pycognito cross-check, client/server round trips."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycognito import aws_srp

from conformance import srp

K_FROM_EVIDENCE = 0x538282C4354742D7CBBDE2359FCF67F9F5B3A6B08791E5011B43B8A5B66D9EE6
POOL_ID = "us-east-1_Ab12CdEfG"
USER_ID = "7f1c2e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
PASSWORD = "Correct-Horse-7!"
SECRET_BLOCK = base64.b64encode(bytes(range(256)) * 3).decode()
TIMESTAMP = "Wed May 7 00:09:40 UTC 2025"


def seeded_rng(seed: str) -> Callable[[int], bytes]:
    """A deterministic byte stream (SHA-256 in counter mode) so tests are reproducible."""
    state = {"counter": 0}

    def rng(n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha256(f"{seed}:{state['counter']}".encode()).digest()
            state["counter"] += 1
        return out[:n]

    return rng


def user_server(password: str = PASSWORD, seed: str = "server") -> srp.SrpServerSession:
    salt_hex = srp.new_salt_hex(seeded_rng(seed + "-salt"))
    v = srp.verifier_for_password(
        pool_or_group=srp.pool_name(POOL_ID), user_id=USER_ID, password=password, salt_hex=salt_hex
    )
    return srp.new_server_session(v, salt_hex, seeded_rng(seed))


def claim(client: srp.SrpClientSession, server: srp.SrpServerSession, *, password: str = PASSWORD) -> str:
    return srp.password_claim(
        client,
        pool_or_group=srp.pool_name(POOL_ID),
        user_id=USER_ID,
        password=password,
        salt_hex=server.salt_hex,
        srp_b_hex=server.srp_b_hex,
        secret_block_b64=SECRET_BLOCK,
        timestamp=TIMESTAMP,
    )


def verify(server: srp.SrpServerSession, client_a_hex: str, signature: str, **overrides: str) -> bool:
    args: dict[str, str] = {
        "srp_a_hex": client_a_hex,
        "pool_or_group": srp.pool_name(POOL_ID),
        "user_id": USER_ID,
        "secret_block_b64": SECRET_BLOCK,
        "timestamp": TIMESTAMP,
        "signature_b64": signature,
    }
    args.update(overrides)
    return srp.verify_claim(server, **args)


# --- constants and formats ---------------------------------------------------------------------------------


def test_constants() -> None:
    assert srp.G == 2
    assert srp.N.bit_length() == 3072
    assert srp.K == K_FROM_EVIDENCE
    assert aws_srp.hex_to_long(aws_srp.N_HEX) == srp.N


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "00"),
        (1, "01"),
        (0xABC, "0abc"),
        (0x7F, "7f"),
        (0x80, "0080"),
        (0xFF01, "00ff01"),
        (0x1234, "1234"),
        ("abc", "0abc"),
        ("7f", "7f"),
        ("8f", "008f"),
        ("F0", "00f0"),
        ("00ab", "00ab"),
    ],
)
def test_pad_hex(value: int | str, expected: str) -> None:
    assert srp.pad_hex(value) == expected


@pytest.mark.parametrize("bad", [-1, "", "0x12", "-12", "1_0", "zz"])
def test_pad_hex_rejects_non_hex(bad: int | str) -> None:
    with pytest.raises(ValueError):
        srp.pad_hex(bad)


@given(st.integers(min_value=0, max_value=2**3100))
def test_pad_hex_matches_pycognito(value: int) -> None:
    assert srp.pad_hex(value) == aws_srp.pad_hex(value)
    padded = srp.pad_hex(value)
    assert len(padded) % 2 == 0 and padded[0] in "01234567"
    assert int(padded, 16) == value


def test_hex_hash() -> None:
    assert srp.hex_hash("") == hashlib.sha256(b"").hexdigest()
    assert srp.hex_hash("00ff") == hashlib.sha256(b"\x00\xff").hexdigest()
    assert len(srp.hex_hash("01")) == 64


def test_secret_hash() -> None:
    mac = hmac.new(b"s3cr3t", b"alice" + b"client123", hashlib.sha256).digest()
    assert srp.secret_hash("alice", "client123", "s3cr3t") == base64.b64encode(mac).decode()
    assert srp.secret_hash("alice", "client123", "s3cr3t") == aws_srp.AWSSRP.get_secret_hash(
        "alice", "client123", "s3cr3t"
    )


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2025, 5, 7, 0, 9, 40, tzinfo=UTC), "Wed May 7 00:09:40 UTC 2025"),
        (datetime(2024, 12, 25, 23, 5, 1), "Wed Dec 25 23:05:01 UTC 2024"),  # naive = UTC
        (datetime(2023, 1, 1, 1, 2, 3, tzinfo=timezone(timedelta(hours=2))), "Sat Dec 31 23:02:03 UTC 2022"),
        (datetime(2025, 2, 10, 9, 0, 0, tzinfo=UTC), "Mon Feb 10 09:00:00 UTC 2025"),
    ],
)
def test_cognito_timestamp(when: datetime, expected: str) -> None:
    assert srp.cognito_timestamp(when) == expected
    naive_utc = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    assert srp.cognito_timestamp(when) == aws_srp.AWSSRP.get_cognito_formatted_timestamp(naive_utc)


def test_cognito_timestamp_now() -> None:
    parts = srp.cognito_timestamp().split(" ")
    assert len(parts) == 6 and parts[4] == "UTC"
    assert not parts[2].startswith("0")


def test_pool_name() -> None:
    assert srp.pool_name(POOL_ID) == "Ab12CdEfG"
    with pytest.raises(ValueError):
        srp.pool_name("no-underscore")


# --- cross-check with pycognito ----------------------------------------------------------------------------


def pycognito_srp(client: srp.SrpClientSession, **kwargs: Any) -> aws_srp.AWSSRP:
    """An AWSSRP used only for its math: a dummy client object means boto3 is never asked for anything."""
    helper = aws_srp.AWSSRP(client_id="client123", client=object(), **kwargs)
    helper.small_a_value = client.a
    helper.large_a_value = client.A
    return helper


@pytest.mark.parametrize(
    "b_value", ["server", 0x1234567890ABCDEF, pytest.param(srp.N - 1, id="N-1")], ids=str
)
def test_password_claim_matches_pycognito(monkeypatch: pytest.MonkeyPatch, b_value: str | int) -> None:
    client = srp.new_client_session(seeded_rng("client"))
    server = user_server()
    salt_hex, srp_b_hex = server.salt_hex, server.srp_b_hex
    if isinstance(b_value, int):
        srp_b_hex = f"{b_value:x}"

    ours = srp.password_claim(
        client,
        pool_or_group=srp.pool_name(POOL_ID),
        user_id=USER_ID,
        password=PASSWORD,
        salt_hex=salt_hex,
        srp_b_hex=srp_b_hex,
        secret_block_b64=SECRET_BLOCK,
        timestamp=TIMESTAMP,
    )

    helper = pycognito_srp(client, username="alice", password=PASSWORD, pool_id=POOL_ID)
    assert helper.val_k == srp.K
    monkeypatch.setattr(
        aws_srp.AWSSRP, "get_cognito_formatted_timestamp", staticmethod(lambda _now: TIMESTAMP)
    )
    theirs = helper.process_challenge(
        {"USER_ID_FOR_SRP": USER_ID, "SALT": salt_hex, "SRP_B": srp_b_hex, "SECRET_BLOCK": SECRET_BLOCK},
        {"USERNAME": "alice"},
    )
    assert theirs["TIMESTAMP"] == TIMESTAMP
    assert ours == theirs["PASSWORD_CLAIM_SIGNATURE"]


def test_device_verifier_matches_pycognito(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = srp.new_device_verifier("group-key", "us-east-1_device-key", seeded_rng("device"))
    monkeypatch.setattr(aws_srp, "os", SimpleNamespace(urandom=seeded_rng("device")))
    password, config = aws_srp.generate_hash_device("group-key", "us-east-1_device-key")
    assert ours.password == password
    assert ours.secret_verifier_config() == config


def test_device_claim_matches_pycognito(monkeypatch: pytest.MonkeyPatch) -> None:
    group, device_key = "-abcDEF12", "us-east-1_11111111-2222-3333-4444-555555555555"
    device = srp.new_device_verifier(group, device_key, seeded_rng("device"))
    salt_hex, v = srp.device_verifier_from_config(device.salt_b64, device.verifier_b64)
    server = srp.new_server_session(v, salt_hex, seeded_rng("device-server"))
    client = srp.new_client_session(seeded_rng("device-client"))
    when = datetime(2025, 5, 7, 0, 9, 40)

    class FrozenDatetime(datetime):
        @classmethod
        def utcnow(cls) -> FrozenDatetime:
            return cls(when.year, when.month, when.day, when.hour, when.minute, when.second)

    monkeypatch.setattr(aws_srp, "datetime", SimpleNamespace(datetime=FrozenDatetime))
    helper = pycognito_srp(
        client,
        username="alice",
        password=PASSWORD,
        pool_id=POOL_ID,
        device_key=device_key,
        device_group_key=group,
        device_password=device.password,
    )
    theirs = helper.process_device_challenge(
        {"USERNAME": "alice", "SALT": salt_hex, "SRP_B": server.srp_b_hex, "SECRET_BLOCK": SECRET_BLOCK}
    )
    assert theirs["TIMESTAMP"] == srp.cognito_timestamp(when) == TIMESTAMP

    ours = srp.password_claim(
        client,
        pool_or_group=group,
        user_id=device_key,
        password=device.password,
        salt_hex=salt_hex,
        srp_b_hex=server.srp_b_hex,
        secret_block_b64=SECRET_BLOCK,
        timestamp=TIMESTAMP,
    )
    assert ours == theirs["PASSWORD_CLAIM_SIGNATURE"]


# --- round trips -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def session_pair() -> tuple[srp.SrpClientSession, srp.SrpServerSession, str]:
    client = srp.new_client_session()
    server = user_server()
    return client, server, claim(client, server)


def test_round_trip_accepts(session_pair: tuple[srp.SrpClientSession, srp.SrpServerSession, str]) -> None:
    client, server, signature = session_pair
    assert verify(server, client.srp_a_hex, signature)
    assert verify(server, client.srp_a_hex.upper(), signature)  # hex case does not matter


def test_round_trip_rejects_wrong_password(
    session_pair: tuple[srp.SrpClientSession, srp.SrpServerSession, str],
) -> None:
    client, server, _ = session_pair
    assert not verify(server, client.srp_a_hex, claim(client, server, password=PASSWORD + "x"))


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret_block_b64": base64.b64encode(b"\x01" + base64.b64decode(SECRET_BLOCK)[1:]).decode()},
        {"timestamp": "Wed May 7 00:09:41 UTC 2025"},
        {"timestamp": "Wed May 07 00:09:40 UTC 2025"},
        {"user_id": USER_ID + "x"},
        {"pool_or_group": "OtherPool"},
        {"srp_a_hex": "0"},
        {"srp_a_hex": f"{srp.N:x}"},
        {"srp_a_hex": f"{2 * srp.N:x}"},
        {"srp_a_hex": "2"},
        {"srp_a_hex": "-1"},
        {"srp_a_hex": "0x12"},
        {"srp_a_hex": ""},
        {"signature_b64": "not base64!"},
        {"secret_block_b64": "***"},
    ],
)
def test_round_trip_rejects(
    session_pair: tuple[srp.SrpClientSession, srp.SrpServerSession, str], overrides: dict[str, str]
) -> None:
    client, server, signature = session_pair
    assert not verify(server, client.srp_a_hex, signature, **overrides)


def test_rejects_tampered_signature(
    session_pair: tuple[srp.SrpClientSession, srp.SrpServerSession, str],
) -> None:
    client, server, signature = session_pair
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 1
    assert not verify(server, client.srp_a_hex, base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("srp_b_hex", ["0", f"{srp.N:x}", f"{3 * srp.N:x}"], ids=["0", "N", "3N"])
def test_client_rejects_b_multiple_of_n(srp_b_hex: str) -> None:
    client = srp.new_client_session(seeded_rng("client"))
    with pytest.raises(ValueError, match="B mod N"):
        srp.password_claim(
            client,
            pool_or_group="pool",
            user_id="user",
            password="pw",
            salt_hex="00",
            srp_b_hex=srp_b_hex,
            secret_block_b64=SECRET_BLOCK,
            timestamp=TIMESTAMP,
        )


def test_client_rejects_u_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    client = srp.new_client_session(seeded_rng("client"))
    monkeypatch.setattr(srp, "hex_hash", lambda _hex: "0" * 64)
    with pytest.raises(ValueError, match="u == 0"):
        srp.password_claim(
            client,
            pool_or_group="pool",
            user_id="user",
            password="pw",
            salt_hex="00",
            srp_b_hex="1234",
            secret_block_b64=SECRET_BLOCK,
            timestamp=TIMESTAMP,
        )


def test_sessions_are_fresh_and_secrets_not_in_repr() -> None:
    one, two = srp.new_client_session(), srp.new_client_session()
    assert one.A != two.A and 1 < one.A < srp.N
    assert str(one.a) not in repr(one)
    device = srp.new_device_verifier("g", "k")
    assert device.password not in repr(device)
    assert len(base64.b64decode(device.password)) == 40


def test_device_flow_round_trip() -> None:
    group, device_key = "-abcDEF12", "us-east-1_11111111-2222-3333-4444-555555555555"
    device = srp.new_device_verifier(group, device_key)
    salt_hex, v = srp.device_verifier_from_config(device.salt_b64, device.verifier_b64)
    server = srp.new_server_session(v, salt_hex)
    client = srp.new_client_session()
    args = {"pool_or_group": group, "user_id": device_key, "secret_block_b64": SECRET_BLOCK}
    signature = srp.password_claim(
        client,
        password=device.password,
        salt_hex=server.salt_hex,
        srp_b_hex=server.srp_b_hex,
        timestamp=TIMESTAMP,
        **args,
    )
    assert srp.verify_claim(
        server, srp_a_hex=client.srp_a_hex, timestamp=TIMESTAMP, signature_b64=signature, **args
    )
    # The user pool's name in place of the DeviceGroupKey does not verify.
    args["pool_or_group"] = srp.pool_name(POOL_ID)
    assert not srp.verify_claim(
        server, srp_a_hex=client.srp_a_hex, timestamp=TIMESTAMP, signature_b64=signature, **args
    )


@pytest.mark.parametrize(
    ("salt_b64", "verifier_b64"),
    [
        ("", base64.b64encode(b"\x05").decode()),
        (base64.b64encode(b"\x01").decode(), ""),
        (base64.b64encode(b"\x01").decode(), base64.b64encode(srp.N.to_bytes(384, "big")).decode()),
        ("%%%", base64.b64encode(b"\x05").decode()),
    ],
)
def test_device_verifier_from_config_rejects(salt_b64: str, verifier_b64: str) -> None:
    with pytest.raises(ValueError):
        srp.device_verifier_from_config(salt_b64, verifier_b64)


def test_device_verifier_from_config_keeps_leading_zero_bytes() -> None:
    salt = b"\x00\x00\x7f" + b"\x11" * 13
    salt_hex, v = srp.device_verifier_from_config(
        base64.b64encode(salt).decode(), base64.b64encode(b"\x00\x07").decode()
    )
    assert salt_hex == salt.hex() and v == 7


# --- property ----------------------------------------------------------------------------------------------

identifiers = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    user_id=identifiers,
    password=st.text(min_size=0, max_size=60),
    salt=st.binary(min_size=1, max_size=16),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_property_client_and_server_agree(user_id: str, password: str, salt: bytes, seed: int) -> None:
    pool = srp.pool_name(POOL_ID)
    salt_hex = salt.hex()
    v = srp.verifier_for_password(pool_or_group=pool, user_id=user_id, password=password, salt_hex=salt_hex)
    server = srp.new_server_session(v, salt_hex, seeded_rng(f"s{seed}"))
    client = srp.new_client_session(seeded_rng(f"c{seed}"))
    signature = srp.password_claim(
        client,
        pool_or_group=pool,
        user_id=user_id,
        password=password,
        salt_hex=salt_hex,
        srp_b_hex=server.srp_b_hex,
        secret_block_b64=SECRET_BLOCK,
        timestamp=TIMESTAMP,
    )
    assert srp.verify_claim(
        server,
        srp_a_hex=client.srp_a_hex,
        pool_or_group=pool,
        user_id=user_id,
        secret_block_b64=SECRET_BLOCK,
        timestamp=TIMESTAMP,
        signature_b64=signature,
    )


# --- modular exponentiation: gmpy2, and pow() as the fallback ----------------------------------------------


def sign_in_transcript() -> list[str]:
    """What a user sign-in and a device sign-in exchange, from seeded randomness (14 exponentiations)."""
    server = user_server()
    client = srp.new_client_session(seeded_rng("client"))
    signature = claim(client, server)
    group, device_key = "-abcDEF12", "us-east-1_11111111-2222-3333-4444-555555555555"
    device = srp.new_device_verifier(group, device_key, seeded_rng("device"))
    salt_hex, v = srp.device_verifier_from_config(device.salt_b64, device.verifier_b64)
    device_server = srp.new_server_session(v, salt_hex, seeded_rng("device-server"))
    device_client = srp.new_client_session(seeded_rng("device-client"))
    args = {"pool_or_group": group, "user_id": device_key, "secret_block_b64": SECRET_BLOCK}
    device_signature = srp.password_claim(
        device_client,
        password=device.password,
        salt_hex=salt_hex,
        srp_b_hex=device_server.srp_b_hex,
        timestamp=TIMESTAMP,
        **args,
    )
    accepted = verify(server, client.srp_a_hex, signature) and srp.verify_claim(
        device_server,
        srp_a_hex=device_client.srp_a_hex,
        timestamp=TIMESTAMP,
        signature_b64=device_signature,
        **args,
    )
    assert accepted
    return [
        client.srp_a_hex,
        server.srp_b_hex,
        signature,
        device.verifier_b64,
        device_client.srp_a_hex,
        device_server.srp_b_hex,
        device_signature,
    ]


def test_gmpy2_and_the_fallback_give_the_same_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    gmpy2 = pytest.importorskip("gmpy2")
    assert srp._gmpy2_powmod is gmpy2.powmod  # a dependency: installed, so in use
    calls: list[str] = []

    def counting(base: int, exp: int, mod: int) -> Any:
        assert mod == srp.N
        calls.append("powmod")
        return gmpy2.powmod(base, exp, mod)

    def table(exp: int) -> int:
        calls.append("powers of g")
        return real_table(exp)

    real_table = srp._g_pow
    monkeypatch.setattr(srp, "_gmpy2_powmod", counting)
    monkeypatch.setattr(srp, "_g_pow", table)
    fast = sign_in_transcript()
    # Every exponentiation went through gmpy2: g's powers (A, B's g^b, the verifiers' g^x) from its table.
    assert sorted(calls) == ["powers of g"] * 8 + ["powmod"] * 6
    monkeypatch.setattr(srp, "_gmpy2_powmod", None)
    assert sign_in_transcript() == fast


@settings(max_examples=60)
@given(
    exp=st.one_of(st.integers(min_value=0, max_value=2**1025 + 5), st.sampled_from([0, 1, 31, 32, 2**1024]))
)
def test_property_powers_of_g_from_the_table_are_pow(exp: int) -> None:
    assert srp.modpow(srp.G, exp, srp.N) == pow(srp.G, exp, srp.N)
    if exp < 2**1025:
        assert srp._g_pow(exp) == pow(srp.G, exp, srp.N)


@settings(max_examples=40)
@given(
    base=st.integers(min_value=-2 * srp.N, max_value=2 * srp.N),
    exp=st.integers(min_value=0, max_value=2**1100),
    mod=st.one_of(st.just(srp.N), st.integers(min_value=1, max_value=2**300)),
)
def test_property_modpow_is_pow_on_both_paths(base: int, exp: int, mod: int) -> None:
    # Negative bases happen: password_claim raises B - k*g^x to a power.
    expected = pow(base, exp, mod)
    fast = srp.modpow(base, exp, mod)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(srp, "_gmpy2_powmod", None)
        slow = srp.modpow(base, exp, mod)
    assert fast == slow == expected
    assert type(fast) is int and type(slow) is int  # no mpz escapes (pad_hex and f"{A:x}" take ints)
