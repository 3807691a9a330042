"""The device flow the fixtures rely on, judged on every target: NewDeviceMetadata from an SRP
sign-in, ConfirmDevice of that key (and not of a made-up one), a verified SRP proof, and the pool's
DeviceConfiguration. Where a target breaks one of these, the fixtures adapt (see provisioning) and the
UpdateDeviceStatus cases still get verdicts; the break is a FAIL here."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from conformance.contract import ids
from conformance.engine.context import CaseContext
from conformance.engine.registry import case
from conformance.judge.check import check
from conformance.judge.checks import accepted, proof_refused, refused
from conformance.judge.signals import Blocked, CheckFailure
from conformance.judge.state import readable
from conformance.provisioning import (
    DEVICE_TRACKING,
    FixtureUnavailable,
    device_confirmation,
    made_up_device_key,
)
from conformance.provisioning.signin import password_sign_in, seek_device_metadata
from conformance.secrets import SECRETS
from conformance.targets.exchange import Exchange, members
from strategies.requests import label

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _srp_tokens(ctx: CaseContext, user: Any) -> tuple[Any, str | None]:
    """A plain USER_SRP_AUTH sign-in: (tokens, None), or (None, what the target answered)."""
    try:
        return ctx.provisioner.sign_in(user), None
    except Blocked as exc:
        return None, exc.reason


def _decisive(seen: list[Exchange], operation: str | None = None, key: str | None = None) -> Exchange | None:
    """Of the exchanges a step made through the provisioner (`CaseContext.observed`), the one a check of
    it judges, so its outcome carries the exchange (and a FAIL its curl line): the last one, of
    `operation` and naming the device `key` when given."""
    for exchange in reversed(seen):
        if operation is not None and exchange.operation != operation:
            continue
        if key is not None and members(exchange.request_body).get("DeviceKey") != key:
            continue
        return exchange
    return None


def _with_exchange(failure: CheckFailure, answer: Exchange | None) -> CheckFailure:
    """A failure of a check that was given the answer it judged apart from its verdict's inputs."""
    if failure.exchange is None:
        failure.exchange = answer
    return failure


@check(ids.FLOW_NEW_DEVICE_METADATA)
def new_device_metadata(tokens: Any, error: str | None, region: str, answer: Exchange | None = None) -> str:
    """FLOW-NEW-DEVICE-METADATA: tokens, with a DeviceKey of the documented shape and a group key.
    `answer` is the sign-in's last exchange (the one that gave the tokens, or failed)."""
    requirement = ids.FLOW_NEW_DEVICE_METADATA
    if tokens is None:
        raise CheckFailure(
            requirement, "tokens and NewDeviceMetadata", f"the sign-in failed: {error}", answer
        )
    if tokens.new_device is None:
        raise CheckFailure(
            requirement, "NewDeviceMetadata with the tokens", "tokens without NewDeviceMetadata", answer
        )
    key, group = tokens.new_device
    shaped = re.fullmatch(rf"{re.escape(region)}_{UUID}", key) is not None
    if not shaped or label({"AccessToken": "x", "DeviceKey": key}).violations or not group:
        raise CheckFailure(
            requirement, f"a DeviceKey {region}_{{uuid}} and a DeviceGroupKey", f"{key!r}, {group!r}", answer
        )
    return f"NewDeviceMetadata with a DeviceKey {region}_{{uuid}} and a DeviceGroupKey"


@case(ids.FLOW_NEW_DEVICE_METADATA, ops=())
def new_device(ctx: CaseContext) -> None:
    user = ctx.shared("user_plain")
    with ctx.observed() as seen:  # the sign-in goes through the provisioner: its exchanges, kept
        tokens, error = _srp_tokens(ctx, user)
    ctx.verify(new_device_metadata, tokens, error, ctx.target.region, _decisive(seen))


@case(ids.FLOW_CONFIRM_DEVICE, ops=("ConfirmDevice", "AdminGetDevice"))
def confirm(ctx: CaseContext) -> None:
    _confirm_on(ctx, ctx.shared("user_plain"))
    if ctx.budgeted or not ctx.provisioner.pool().managed:
        return  # a live service's plan, or a staging pool: the run's own pool's configuration only
    # The other configuration too: a pool that remembers devices only on the user's prompt.
    _confirm_on(ctx, ctx.provisioner.user(devices=0, pool=ctx.provisioner.prompt_pool()))


def _confirm_on(ctx: CaseContext, user: Any) -> None:
    """ConfirmDevice of a fresh sign-in's device: UserConfirmationNecessary as the user's pool says,
    and the device remembered at once, or not until the user is asked, accordingly."""
    req = ctx.requirement
    tokens, error = _srp_tokens(ctx, user)
    if tokens is not None and tokens.new_device is None:  # the other sign-in flows may still give one
        pool = user.pool
        tokens, found = seek_device_metadata(ctx.target, pool, user.username, user.password, tokens)
        if found and found not in ctx.provenance:
            ctx.provenance.append(found)
    if tokens is None or tokens.new_device is None:
        raise Blocked(
            f"no NewDeviceMetadata to confirm ({error or 'no sign-in flow gave one'}): "
            "the target FAILs FLOW-NEW-DEVICE-METADATA here",
            ids.FLOW_NEW_DEVICE_METADATA,
        )
    params, _ = device_confirmation(tokens.access_token, *tokens.new_device, name="ccf-confirm")
    key = tokens.new_device[0]
    with ctx.observed() as exchanges:  # the watch's reading after ConfirmDevice may be the one read back
        answer = ctx.call("ConfirmDevice", params)
        if not ctx.verify(accepted, req.id, answer):
            return
        prompt = user.pool.remember_on_prompt
        ctx.verify(confirmation_follows_pool, req.id, answer, prompt)
        user.take(tokens)
        seen = ctx.read_status(user, key)
    reading = _decisive(exchanges, "AdminGetDevice", key)
    ctx.verify(tracked, req.id, seen, "not_remembered" if prompt else "remembered", reading)


@check()
def confirmation_follows_pool(requirement: str, answer: Exchange, prompt: bool) -> str:
    """UserConfirmationNecessary is the pool's DeviceOnlyRememberedOnUserPrompt: true where the user
    must be asked before the device is remembered, false where it is remembered at once."""
    said = (answer.json or {}).get("UserConfirmationNecessary") if isinstance(answer.json, dict) else None
    configuration = f"on a pool with DeviceOnlyRememberedOnUserPrompt {str(prompt).lower()}"
    if said is not prompt:
        raise CheckFailure(
            requirement, f"UserConfirmationNecessary {str(prompt).lower()} {configuration}", said, answer
        )
    return f"UserConfirmationNecessary {str(said).lower()} {configuration}"


@check()
def tracked(requirement: str, seen: Any, expected: str, reading: Exchange | None = None) -> str:
    """The confirmed device is found by AdminGetDevice with the status the pool's configuration implies.
    `reading` is the AdminGetDevice exchange `seen` was read from."""
    if readable(seen, requirement, "the confirmed device") != expected:
        raise CheckFailure(
            requirement, f"the confirmed device {expected}", f"the confirmed device {seen}", reading
        )
    return f"the confirmed device is {seen}"


@case(ids.FLOW_CONFIRM_UNKNOWN_KEY, ops=("ConfirmDevice",))
def confirm_unknown_key(ctx: CaseContext) -> None:
    req = ctx.requirement
    user = ctx.shared("user_plain")
    key, group = made_up_device_key(ctx.target.region)
    params, _ = device_confirmation(user.access_token, key, group, name="ccf-unknown")
    answer = ctx.call("ConfirmDevice", params)
    ctx.verify(refused, req.id, answer, req.expect, req.message)


@check()
def wrong_password_refused(requirement: str, error: str | None, answer: Exchange | None = None) -> str:
    """FLOW-SRP-PROOF: a proof from the wrong password gets NotAuthorizedException, no tokens.
    `answer` is the sign-in's last exchange (the refusal, or the answer that gave tokens)."""
    try:
        return proof_refused(requirement, error, "a wrong password")
    except CheckFailure as failure:
        raise _with_exchange(failure, answer) from None


@case(ids.FLOW_SRP_PROOF, ops=())
def srp_proof(ctx: CaseContext) -> None:
    user = ctx.shared("user_plain")
    impostor = replace(user, password=user.password[::-1])  # the right name, the wrong secret
    SECRETS.add(impostor.password, "$PASSWORD")  # a password the suite sends: no answer may repeat it
    with ctx.observed() as seen:  # the sign-ins go through the provisioner: their exchanges, kept
        error = _srp_tokens(ctx, impostor)[1]
    ctx.verify(wrong_password_refused, ctx.requirement.id, error, _decisive(seen))
    if not ctx.budgeted:
        # The password flows too (the password itself goes over the wire there): no tokens for it.
        with ctx.observed() as seen:
            try:
                password_sign_in(ctx.target, user.pool, user.username, impostor.password)
                issued = True
            except FixtureUnavailable:
                issued = False
        ctx.verify(no_tokens_for_a_wrong_password, ctx.requirement.id, issued, _decisive(seen))


@check()
def no_tokens_for_a_wrong_password(requirement: str, issued: bool, answer: Exchange | None = None) -> str:
    """No sign-in flow gives tokens for a wrong password (a flow the client does not allow refuses too).
    `answer` is the last exchange of the password flows (the one that gave tokens, when one did)."""
    if issued:
        raise CheckFailure(
            requirement, "no tokens for a wrong password", "tokens from a password flow", answer
        )
    return "no password flow gave tokens for a wrong password"


@check()
def device_configuration(requirement: str, answer: Any, wanted: dict[str, Any] | None) -> str:
    """FLOW-DEVICE-CONFIGURATION: DescribeUserPool shows the DeviceConfiguration (as set, when we set it)."""
    pool = (answer.json or {}).get("UserPool") if answer.ok and isinstance(answer.json, dict) else None
    if not isinstance(pool, dict):
        raise CheckFailure(requirement, "DescribeUserPool answering the pool", answer.summary(), answer)
    shown = pool.get("DeviceConfiguration")
    if not shown or (wanted is not None and {k: shown.get(k) for k in wanted} != wanted):
        raise CheckFailure(
            requirement, f"DeviceConfiguration {wanted or '(device tracking on)'}", shown, answer
        )
    return f"DeviceConfiguration {shown}"


@case(ids.FLOW_DEVICE_CONFIGURATION, ops=("DescribeUserPool",))
def device_configuration_kept(ctx: CaseContext) -> None:
    pool = ctx.provisioner.pool()
    answer = ctx.call("DescribeUserPool", {"UserPoolId": pool.id})
    # A staging pool was configured by its owners: only that tracking is on can be asked of it.
    wanted = dict(DEVICE_TRACKING) if pool.managed else None
    ctx.verify(device_configuration, ctx.requirement.id, answer, wanted)


@check()
def fixture_provided(requirement: str, user: Any, error: str | None, answer: Exchange | None = None) -> str:
    """FLOW-TEST-SUPPORT: a user made with AdminCreateUser and AdminSetUserPassword signs in, with a
    confirmed device. `answer`: the exchange the making of that user broke on, if it did."""
    if user is None or not user.devices:
        raise CheckFailure(
            requirement, "a signed-in user with a confirmed device", error or "no device", answer
        )
    return "a user made, signed in and given a confirmed device"


@check()
def read_back(requirement: str, answer: Exchange, key: str) -> str:
    """An admin read (AdminGetDevice, AdminListDevices) answers, and shows the device."""
    if not answer.ok or key not in answer.body.decode("utf-8", "replace"):
        raise CheckFailure(requirement, f"{answer.operation} showing the device", answer.summary(), answer)
    return f"{answer.operation} shows the device"


@case(ids.FLOW_TEST_SUPPORT, ops=("AdminGetDevice", "AdminListDevices"))
def test_support(ctx: CaseContext) -> None:
    req = ctx.requirement
    try:
        user, error = ctx.shared("user_a"), None
    except Blocked as exc:
        if exc.limit or exc.requirement:
            raise  # outside the target, or already named by the device-flow requirement it breaks
        user, error = None, exc.reason
    broke_on = ctx.session.broke_on("user_a") if user is None else None  # made (or not) in any case
    if not ctx.verify(fixture_provided, req.id, user, error, broke_on) or ctx.budgeted:
        return  # a live service's plan: every case's own reads show a broken admin view (BLOCKED, named)
    key = user.devices[0].key
    identity = {"UserPoolId": user.pool.id, "Username": user.username}
    ctx.verify(read_back, req.id, ctx.call("AdminGetDevice", {**identity, "DeviceKey": key}), key)
    ctx.verify(read_back, req.id, ctx.call("AdminListDevices", identity), key)
