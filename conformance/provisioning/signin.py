"""Signing in with SRP over a Target, and confirming a device with a real verifier.

USER_SRP_AUTH -> PASSWORD_VERIFIER, and for a remembered device DEVICE_SRP_AUTH ->
DEVICE_PASSWORD_VERIFIER (specs/sources/srp.md); the math is conformance/srp.py. Every token, proof
and device password is registered with SECRETS the moment it exists. A target that refuses or answers
something unusable raises FixtureUnavailable with the target's own words.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import srp
from ..contract.awsjson import documented_errors
from ..secrets import SECRETS
from ..targets import Exchange, Target
from ..targets.target import throttled
from .model import Device, FixtureUnavailable, Pool, Tokens

SRP_FLOW = "USER_SRP_AUTH"
# Where USER_SRP_AUTH does not work, tokens from the password flows (never on AWS in practice: SRP works
# there); devices cannot come from them (no NewDeviceMetadata), so a device is then made by the suite.
PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
# The device-flow requirements whose FAIL explains a fixture the target broke (specs/requirements.toml).
SIGN_IN_REQUIREMENT = "FLOW-NEW-DEVICE-METADATA"
CONFIRM_REQUIREMENT = "FLOW-CONFIRM-DEVICE"
MAX_STEPS = 4  # PASSWORD_VERIFIER, DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER, and one to spare


def broken(exchange: Exchange) -> bool:
    """Whether an answer shows the target broken, not merely refusing: a 5xx, an error type its
    documentation does not list, or a success that is not a JSON object."""
    if not exchange.answered or exchange.operation is None:
        return False  # unreachable: the run's business, not a device-flow requirement's
    if exchange.ok:
        return exchange.body.strip() != b"" and not isinstance(exchange.json, dict)
    assert exchange.status is not None
    return exchange.status >= 500 or exchange.error_type not in documented_errors(exchange.operation)


def expect_ok(exchange: Exchange, what: str, requirement: str | None = None) -> dict[str, Any]:
    """The JSON answer of a successful provisioning call, or FixtureUnavailable with the target's words;
    where the target broke, naming the device-flow `requirement` whose case shows that FAIL."""
    if throttled(exchange):  # still throttled after the target's retries: its quota, not a fault
        raise FixtureUnavailable(f"{what} was throttled: {exchange.summary()}", limit=True)
    blame = requirement if broken(exchange) else None
    if not exchange.ok:
        silent = not exchange.answered and exchange.operation is not None
        raise FixtureUnavailable(f"{what} failed: {exchange.summary()}", requirement=blame, silent=silent)
    body = exchange.json
    if exchange.body.strip() and not isinstance(body, dict):
        raise FixtureUnavailable(f"{what} answered a body that is not a JSON object", requirement=blame)
    return body if isinstance(body, dict) else {}


def _secret_hash(pool: Pool, username: str) -> dict[str, str]:
    if not pool.client_secret:
        return {}
    value = srp.secret_hash(username, pool.client_id, pool.client_secret)
    SECRETS.add(value, "$SECRET_HASH")
    return {"SECRET_HASH": value}


def _signing_block(secret_block: str) -> str:
    """SECRET_BLOCK as the math wants it (base64). moto sends a non-base64 block and checks no proof:
    its raw bytes are signed instead, which a target that does check proofs would rightly refuse."""
    try:
        base64.b64decode(secret_block, validate=True)
        return secret_block
    except (binascii.Error, ValueError):
        return base64.b64encode(secret_block.encode()).decode()


def _claim(
    session: srp.SrpClientSession, params: dict[str, Any], *, pool_or_group: str, user_id: str, password: str
) -> tuple[str, str]:
    """(TIMESTAMP, PASSWORD_CLAIM_SIGNATURE) answering a verifier challenge."""
    try:
        timestamp = srp.cognito_timestamp()
        signature = srp.password_claim(
            session,
            pool_or_group=pool_or_group,
            user_id=user_id,
            password=password,
            salt_hex=str(params["SALT"]),
            srp_b_hex=str(params["SRP_B"]),
            secret_block_b64=_signing_block(str(params["SECRET_BLOCK"])),
            timestamp=timestamp,
        )
    except (KeyError, ValueError) as exc:
        raise FixtureUnavailable(
            f"the target's SRP challenge is unusable: {type(exc).__name__}: {exc}"
        ) from None
    SECRETS.add(signature, "$SRP_SIGNATURE")
    return timestamp, signature


def _tokens(result: dict[str, Any]) -> Tokens:
    access = result.get("AccessToken")
    if not isinstance(access, str) or not access:
        raise FixtureUnavailable("the sign-in answered without an AccessToken")
    id_token, refresh = result.get("IdToken"), result.get("RefreshToken")
    SECRETS.add(access, "$ACCESS_TOKEN")
    SECRETS.add(id_token, "$ID_TOKEN")
    SECRETS.add(refresh, "$REFRESH_TOKEN")
    meta = result.get("NewDeviceMetadata") or {}
    key, group = meta.get("DeviceKey"), meta.get("DeviceGroupKey")
    return Tokens(
        access_token=access,
        id_token=id_token if isinstance(id_token, str) else None,
        refresh_token=refresh if isinstance(refresh, str) else None,
        new_device=(key, group) if isinstance(key, str) and isinstance(group, str) else None,
    )


@dataclass
class SignInTrace:
    """A sign-in as it went: the challenges the target asked for, in order, then its tokens, or where
    it stopped (`stopped_at`: InitiateAuth or the challenge being answered) and why (`failure`)."""

    challenges: tuple[str, ...] = ()
    tokens: Tokens | None = None
    stopped_at: str | None = None
    failure: FixtureUnavailable | None = None
    last: Exchange | None = None  # the last exchange of the sign-in

    @property
    def answered(self) -> bool:
        """Whether the target answered every call (a refusal is an answer; a hang or reset is not)."""
        return self.last is None or self.last.answered


def srp_sign_in(
    target: Target, pool: Pool, username: str, password: str, *, device: Device | None = None
) -> Tokens:
    """USER_SRP_AUTH; with `device`, its DEVICE_KEY and the device challenges too."""
    trace = srp_sign_in_trace(target, pool, username, password, device=device)
    if trace.tokens is None:
        assert trace.failure is not None
        raise trace.failure
    return trace.tokens


def srp_sign_in_trace(
    target: Target, pool: Pool, username: str, password: str, *, device: Device | None = None
) -> SignInTrace:
    """USER_SRP_AUTH as it goes, never raising for what the target answered: the trace says it."""
    trace = SignInTrace(stopped_at="InitiateAuth")

    def call(operation: str, params: dict[str, Any]) -> Exchange:
        trace.last = target.provision_call(operation, params)
        return trace.last

    try:
        trace.tokens = _srp_steps(call, trace, pool, username, password, device)
        trace.stopped_at = None
    except FixtureUnavailable as failure:
        trace.failure = failure
    return trace


def _srp_steps(
    call: Callable[[str, dict[str, Any]], Exchange],
    trace: SignInTrace,
    pool: Pool,
    username: str,
    password: str,
    device: Device | None,
) -> Tokens:
    session = srp.new_client_session()
    params = {"USERNAME": username, "SRP_A": session.srp_a_hex, **_secret_hash(pool, username)}
    if device is not None:
        params["DEVICE_KEY"] = device.key
    answer = expect_ok(
        call("InitiateAuth", {"ClientId": pool.client_id, "AuthFlow": SRP_FLOW, "AuthParameters": params}),
        f"{SRP_FLOW} sign-in (InitiateAuth)",
        SIGN_IN_REQUIREMENT,
    )
    for _ in range(MAX_STEPS):
        if isinstance(answer.get("AuthenticationResult"), dict):
            tokens = _tokens(answer["AuthenticationResult"])
            tokens.challenges = trace.challenges
            return tokens
        name = answer.get("ChallengeName")
        trace.challenges += (str(name),)
        trace.stopped_at = str(name)
        challenge = answer.get("ChallengeParameters") or {}
        # The name to answer with: the challenge's USERNAME (AWS may canonicalise it), else ours.
        who = str(challenge.get("USERNAME") or challenge.get("USER_ID_FOR_SRP") or username)
        if name == "PASSWORD_VERIFIER":
            user_id = str(challenge.get("USER_ID_FOR_SRP") or who)
            timestamp, signature = _claim(
                session, challenge, pool_or_group=srp.pool_name(pool.id), user_id=user_id, password=password
            )
            responses = {
                "USERNAME": who,
                "PASSWORD_CLAIM_SECRET_BLOCK": str(challenge.get("SECRET_BLOCK")),
                "TIMESTAMP": timestamp,
                "PASSWORD_CLAIM_SIGNATURE": signature,
            }
            if device is not None:
                responses["DEVICE_KEY"] = device.key
        elif name == "DEVICE_SRP_AUTH" and device is not None:
            session = srp.new_client_session()  # a fresh A for the device exchange
            responses = {"USERNAME": who, "DEVICE_KEY": device.key, "SRP_A": session.srp_a_hex}
        elif name == "DEVICE_PASSWORD_VERIFIER" and device is not None:
            timestamp, signature = _claim(
                session,
                challenge,
                pool_or_group=device.group_key,
                user_id=device.key,
                password=device.password,
            )
            responses = {
                "USERNAME": who,
                "DEVICE_KEY": device.key,
                "PASSWORD_CLAIM_SECRET_BLOCK": str(challenge.get("SECRET_BLOCK")),
                "TIMESTAMP": timestamp,
                "PASSWORD_CLAIM_SIGNATURE": signature,
            }
        else:
            raise FixtureUnavailable(
                f"the sign-in stopped at challenge {name!r}, which the suite cannot answer "
                "(MFA, a new password, or a device challenge without a device)"
            )
        request: dict[str, Any] = {
            "ClientId": pool.client_id,
            "ChallengeName": name,
            "ChallengeResponses": {**responses, **_secret_hash(pool, who)},
        }
        if answer.get("Session"):
            request["Session"] = answer["Session"]
        answer = expect_ok(call("RespondToAuthChallenge", request), f"answering {name}", SIGN_IN_REQUIREMENT)
    raise FixtureUnavailable("the sign-in did not finish within the expected challenges")


def password_flow(target: Target, pool: Pool, username: str, password: str, flow: str) -> Tokens:
    """Tokens from one password flow (USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH)."""
    params: dict[str, Any] = {
        "ClientId": pool.client_id,
        "AuthFlow": flow,
        "AuthParameters": {"USERNAME": username, "PASSWORD": password, **_secret_hash(pool, username)},
    }
    admin = flow.startswith("ADMIN_")
    answer = target.provision_call(
        "AdminInitiateAuth" if admin else "InitiateAuth",
        {"UserPoolId": pool.id, **params} if admin else params,
    )
    body = answer.json if answer.ok and isinstance(answer.json, dict) else {}
    if not isinstance(body.get("AuthenticationResult"), dict):
        raise FixtureUnavailable(f"{flow}: {answer.summary() if not answer.ok else 'no tokens'}")
    tokens = _tokens(body["AuthenticationResult"])
    tokens.flow = flow
    return tokens


def password_sign_in(target: Target, pool: Pool, username: str, password: str) -> Tokens:
    """Tokens from USER_PASSWORD_AUTH, else ADMIN_USER_PASSWORD_AUTH: for targets without SRP."""
    failures = []
    for flow in PASSWORD_FLOWS:
        try:
            return password_flow(target, pool, username, password, flow)
        except FixtureUnavailable as failure:
            failures.append(failure.reason)
    raise FixtureUnavailable("no sign-in flow gave tokens (" + "; ".join(failures) + ")")


def seek_device_metadata(
    target: Target, pool: Pool, username: str, password: str, tokens: Tokens
) -> tuple[Tokens, str | None]:
    """Tokens with NewDeviceMetadata, sought through every sign-in flow the target offers after the one
    that gave `tokens` (SRP, then USER_PASSWORD_AUTH, then the admin flow) before a device is made up;
    and a note saying which flow gave it, when it was not `tokens`' own."""
    if tokens.new_device is not None:
        return tokens, None
    flows = (SRP_FLOW, *PASSWORD_FLOWS)
    for flow in flows[flows.index(tokens.flow) + 1 :]:
        try:
            other = password_flow(target, pool, username, password, flow)
        except FixtureUnavailable:
            continue
        if other.new_device is not None:
            return other, (
                f"NewDeviceMetadata from {flow}: the {tokens.flow} sign-in gave tokens without it"
                + (f" (the target FAILs {SIGN_IN_REQUIREMENT} here)" if tokens.flow == SRP_FLOW else "")
            )
    return tokens, None


def sign_in(target: Target, pool: Pool, username: str, password: str) -> tuple[Tokens, str | None]:
    """USER_SRP_AUTH; where the target cannot do it, a password flow. The tokens, and a note saying
    how they were had when it was not the documented way."""
    try:
        return srp_sign_in(target, pool, username, password), None
    except FixtureUnavailable as srp_failure:
        try:
            tokens = password_sign_in(target, pool, username, password)
        except FixtureUnavailable as other:
            raise FixtureUnavailable(
                f"{srp_failure.reason}; and {other.reason}", requirement=srp_failure.requirement
            ) from None
        return tokens, f"tokens from {tokens.flow}, because {SRP_FLOW} failed ({srp_failure.reason})"


def device_confirmation(
    access_token: str, key: str, group_key: str, *, name: str
) -> tuple[dict[str, Any], Device]:
    """ConfirmDevice's parameters for a device key, with a fresh device password and a real verifier."""
    verifier = srp.new_device_verifier(group_key, key)
    SECRETS.add(verifier.password, "$DEVICE_PASSWORD")
    SECRETS.add(verifier.verifier_b64, "$DEVICE_VERIFIER")
    params = {
        "AccessToken": access_token,
        "DeviceKey": key,
        "DeviceSecretVerifierConfig": verifier.secret_verifier_config(),
        "DeviceName": name,
    }
    return params, Device(key=key, group_key=group_key, password=verifier.password, name=name)


def made_up_device_key(region: str) -> tuple[str, str]:
    """A device key of the documented shape `{region}_{uuid}` and a fresh group key, made here."""
    return f"{region}_{uuid.uuid4()}", "-" + secrets.token_urlsafe(7).replace("_", "a").replace("-", "b")


def confirm_device(
    target: Target, pool: Pool, username: str, tokens: Tokens, *, name: str, synthesize: bool = False
) -> Device:
    """ConfirmDevice for the sign-in's NewDeviceMetadata, with a fresh device password and verifier.

    Without NewDeviceMetadata, and where `synthesize` allows it (never on AWS), a key the suite made
    (`{region}_{uuid}`) is confirmed instead and the device is marked synthesized. A pool that remembers
    devices only on the user's prompt answers UserConfirmationNecessary; the device is then remembered
    with AdminUpdateDeviceStatus, not with the operation under test. An answer that does not follow the
    pool's DeviceOnlyRememberedOnUserPrompt is noted on the device (`device.notes`)."""
    if tokens.new_device is None and not synthesize:
        raise FixtureUnavailable(
            f"the {target.kind} target answered a {tokens.flow} sign-in without NewDeviceMetadata, "
            "so it cannot provide a confirmed device",
            requirement=SIGN_IN_REQUIREMENT if tokens.flow == SRP_FLOW else None,
        )
    key, group_key = tokens.new_device or made_up_device_key(target.region)
    params, device = device_confirmation(tokens.access_token, key, group_key, name=name)
    device.synthesized = tokens.new_device is None
    if device.synthesized:
        what = f"no NewDeviceMetadata came with the {tokens.flow} sign-in, and ConfirmDevice of a made-up key"
        try:
            answer = expect_ok(target.provision_call("ConfirmDevice", params), what)
        except FixtureUnavailable as exc:  # the missing NewDeviceMetadata is what the target got wrong
            blame = SIGN_IN_REQUIREMENT if tokens.flow == SRP_FLOW else None
            raise FixtureUnavailable(exc.reason, requirement=blame) from None
    else:
        answer = expect_ok(
            target.provision_call("ConfirmDevice", params), "ConfirmDevice", CONFIRM_REQUIREMENT
        )
    prompt = answer.get("UserConfirmationNecessary") is True
    if prompt != pool.remember_on_prompt:
        # What the target got wrong is said, never repaired silently: FLOW-CONFIRM-DEVICE FAILs on it.
        device.notes.append(
            f"ConfirmDevice answered UserConfirmationNecessary {str(prompt).lower()} on a pool with "
            f"DeviceOnlyRememberedOnUserPrompt {str(pool.remember_on_prompt).lower()} "
            f"(the target FAILs {CONFIRM_REQUIREMENT} here)"
            + ("; repaired: the device was remembered with AdminUpdateDeviceStatus" if prompt else "")
        )
    if prompt:
        expect_ok(
            target.provision_call(
                "AdminUpdateDeviceStatus",
                {
                    "UserPoolId": pool.id,
                    "Username": username,
                    "DeviceKey": key,
                    "DeviceRememberedStatus": "remembered",
                },
            ),
            "AdminUpdateDeviceStatus (remembering the new device)",
        )
    return device
