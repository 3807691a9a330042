"""The suite's SRP client (conformance/provisioning/signin.py) against pycognito's AWSSRP, an independent
implementation, and end to end against the reference.

The cross-check scripts a fake target with Cognito-shaped challenges and makes both clients use the same
ephemeral `a` and the same timestamp: every answer must then be identical, field for field.
"""

from __future__ import annotations

import base64
import datetime as real_datetime
import json
import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from pycognito import aws_srp

from conformance import srp
from conformance.provisioning import (
    Device,
    FixtureUnavailable,
    Pool,
    Provisioner,
    confirm_device,
    srp_sign_in,
)
from conformance.provisioning.model import Tokens
from conformance.reference import reference_client
from conformance.targets import Exchange, open_target

POOL = Pool(
    id="us-east-1_Ab12CdEfG", client_id="3n4b5urk1ft4fl3mg5e62d9ado", client_secret="s3cr3t-client-secret"
)
USERNAME = "ccf-x-user-1"
PASSWORD = "Correct-Horse-7!battery"
FIXED = real_datetime.datetime(2025, 5, 7, 0, 9, 40)
FIXED_TEXT = "Wed May 7 00:09:40 UTC 2025"


def ok(body: dict[str, Any]) -> Exchange:
    return Exchange("x", {}, b"", status=200, body=json.dumps(body).encode())


class ScriptedTarget:
    """Answers provision_call from a list, recording what was asked."""

    kind = "scripted"

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def provision_call(self, operation: str, params: dict[str, Any]) -> Exchange:
        self.asked.append((operation, params))
        return ok(self.answers.pop(0))


def server_challenge(pool_or_group: str, user_id: str, password: str) -> dict[str, str]:
    salt = srp.new_salt_hex()
    v = srp.verifier_for_password(
        pool_or_group=pool_or_group, user_id=user_id, password=password, salt_hex=salt
    )
    server = srp.new_server_session(v, salt)
    return {
        "SALT": salt,
        "SRP_B": server.srp_b_hex,
        "SECRET_BLOCK": base64.b64encode(os.urandom(96)).decode(),
    }


@pytest.fixture
def pinned_randomness(monkeypatch: pytest.MonkeyPatch) -> Iterator[aws_srp.AWSSRP]:
    """A pycognito client whose `a` and clock the suite's client shares."""
    device = {
        "device_key": "us-east-1_1f2e3d4c-0000-4000-8000-123456789abc",
        "device_group_key": "-AbCdEfGh1",
    }
    theirs = aws_srp.AWSSRP(
        USERNAME,
        PASSWORD,
        POOL.id,
        POOL.client_id,
        client=object(),
        client_secret=POOL.client_secret,
        device_password=base64.b64encode(os.urandom(40)).decode(),
        **device,
    )
    shared = srp.SrpClientSession(a=theirs.small_a_value, A=theirs.large_a_value)
    monkeypatch.setattr(srp, "new_client_session", lambda *a, **k: shared)
    monkeypatch.setattr(srp, "cognito_timestamp", lambda *a, **k: FIXED_TEXT)
    fake_datetime = SimpleNamespace(datetime=SimpleNamespace(utcnow=lambda: FIXED))
    monkeypatch.setattr(aws_srp, "datetime", fake_datetime)
    yield theirs


def test_user_and_device_answers_match_pycognito(pinned_randomness: aws_srp.AWSSRP) -> None:
    theirs = pinned_randomness
    device = Device(key=theirs.device_key, group_key=theirs.device_group_key, password=theirs.device_password)
    user_challenge = {
        **server_challenge(srp.pool_name(POOL.id), USERNAME, PASSWORD),
        "USER_ID_FOR_SRP": USERNAME,
        "USERNAME": USERNAME,
    }
    device_challenge = {
        **server_challenge(device.group_key, device.key, device.password),
        "USERNAME": USERNAME,
        "DEVICE_KEY": device.key,
    }
    target = ScriptedTarget(
        [
            {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": user_challenge},
            {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "s1", "ChallengeParameters": {}},
            {
                "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
                "Session": "s2",
                "ChallengeParameters": device_challenge,
            },
            {
                "AuthenticationResult": {
                    "AccessToken": "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln",
                    "IdToken": "id-token-x",
                }
            },
        ]
    )
    tokens = srp_sign_in(target, POOL, USERNAME, PASSWORD, device=device)  # type: ignore[arg-type]
    assert tokens.access_token.startswith("eyJ") and tokens.new_device is None

    (op1, initiate), (op2, answer1), (op3, answer2), (op4, answer3) = target.asked
    assert (op1, op2, op3, op4) == ("InitiateAuth",) + ("RespondToAuthChallenge",) * 3
    their_params = theirs.get_auth_params()
    assert initiate["AuthFlow"] == "USER_SRP_AUTH"
    assert initiate["AuthParameters"] == {**their_params, "DEVICE_KEY": device.key}
    assert answer1["ChallengeResponses"] == theirs.process_challenge(user_challenge, their_params)
    assert answer2["ChallengeName"] == "DEVICE_SRP_AUTH" and answer2["Session"] == "s1"
    assert {k: answer2["ChallengeResponses"][k] for k in ("USERNAME", "DEVICE_KEY", "SRP_A")} == {
        "USERNAME": USERNAME,
        "DEVICE_KEY": device.key,
        "SRP_A": aws_srp.long_to_hex(theirs.large_a_value),
    }
    assert answer3["Session"] == "s2"
    assert answer3["ChallengeResponses"] == theirs.process_device_challenge(device_challenge)


def test_device_verifier_matches_pycognito_formula() -> None:
    target = ScriptedTarget([{}])
    key, group = "us-east-1_1f2e3d4c-0000-4000-8000-123456789abc", "-AbCdEfGh1"
    tokens = Tokens(access_token="eyJ.x.y", new_device=(key, group))
    device = confirm_device(target, POOL, USERNAME, tokens, name="d")  # type: ignore[arg-type]
    config = target.asked[0][1]["DeviceSecretVerifierConfig"]
    # pycognito's generate_hash_device, with our password and salt in place of its random ones.
    salt = aws_srp.pad_hex(base64.b64decode(config["Salt"]).hex())
    x = aws_srp.hex_to_long(
        aws_srp.hex_hash(salt + aws_srp.hash_sha256(f"{group}{key}:{device.password}".encode()))
    )
    verifier = aws_srp.pad_hex(pow(aws_srp.hex_to_long(aws_srp.G_HEX), x, aws_srp.hex_to_long(aws_srp.N_HEX)))
    assert config["PasswordVerifier"] == base64.b64encode(bytes.fromhex(verifier)).decode()


def test_a_device_confirmed_by_us_signs_in_with_pycognito() -> None:
    """End to end on the reference: our verifier is standard enough for an independent client."""
    with open_target("reference") as target:
        provisioner = Provisioner(target, run_id="srp-e2e")
        try:
            user = provisioner.user(devices=1)
            device = user.devices[0]
            theirs = aws_srp.AWSSRP(
                user.username,
                user.password,
                user.pool.id,
                user.pool.client_id,
                client=reference_client(target.reference_backend),
                device_key=device.key,
                device_group_key=device.group_key,
                device_password=device.password,
            )
            result = theirs.authenticate_user()["AuthenticationResult"]
            assert "NewDeviceMetadata" not in result
            # And ours through the device challenges too.
            tokens = provisioner.sign_in(user, device=device)
            assert tokens.new_device is None and tokens.access_token != user.access_token
        finally:
            provisioner.close()


def test_wrong_password_is_the_targets_words() -> None:
    with open_target("reference") as target:
        provisioner = Provisioner(target, run_id="srp-wrong")
        try:
            user = provisioner.user(devices=0)
            right = user.password
            user.password = "Not-the-password-1!"
            with pytest.raises(FixtureUnavailable, match="Incorrect username or password"):
                provisioner.sign_in(user)
            wrong_device = Device(
                key="us-east-1_00000000-0000-4000-8000-000000000000", group_key="-x", password="p"
            )
            user.password = right
            with pytest.raises(FixtureUnavailable, match="Device does not exist"):
                provisioner.sign_in(user, device=wrong_device)
        finally:
            provisioner.close()


def test_unusable_challenges_block_with_a_reason() -> None:
    target = ScriptedTarget([{"ChallengeName": "SOFTWARE_TOKEN_MFA", "ChallengeParameters": {}}])
    with pytest.raises(FixtureUnavailable, match="SOFTWARE_TOKEN_MFA"):
        srp_sign_in(target, POOL, USERNAME, PASSWORD)  # type: ignore[arg-type]
    target = ScriptedTarget([{"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {"SALT": "zz"}}])
    with pytest.raises(FixtureUnavailable, match="SRP challenge is unusable"):
        srp_sign_in(target, POOL, USERNAME, PASSWORD)  # type: ignore[arg-type]
