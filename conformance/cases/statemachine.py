"""STATE-MACHINE: sequences of updates, forgets, gets and lists over two users with two devices each,
compared with a simple model after every step (the touched user's admin view) and at the end (both).

The sequences are drawn from the run's seed, with weighted rules; each sequence is
completed so that it updates statuses, forgets, reads both views and tries the other user's device.
The two users are made once per case run and put back before each sequence into the first sequence's
starting state (statuses through the admin API, a forgotten device replaced by a new one), so the
sequences stay independent without two sign-ins per device per sequence.
Assertions the evidence backs are MUST (STATE-MACHINE); the user view's hiding of not_remembered
devices is STATE-USER-VIEW's SHOULD; what no source says (is a forgotten device still listed?) is INFO.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from conformance.contract import ids
from conformance.engine.context import CaseContext, blocked_reason, provenance_of
from conformance.engine.registry import case
from conformance.judge.check import Check, check
from conformance.judge.checks import accepted, refused
from conformance.judge.signals import Blocked, CheckFailure, NothingToJudge
from conformance.judge.state import ABSENT, Unread, readable
from conformance.provisioning import User

REQ = ids.STATE_MACHINE
USER_VIEW = ids.STATE_USER_VIEW
FORGOTTEN = "forgotten"
NOT_FOUND = ("ResourceNotFoundException",)
STATUSES = ("remembered", "not_remembered")
# rule -> weight: updates dominate; every rule is likely in every sequence.
WEIGHTS = {"update": 5, "update_other": 1, "forget": 1, "get": 2, "list": 2}
OPS = ("UpdateDeviceStatus", "ForgetDevice", "GetDevice", "ListDevices", "AdminGetDevice", "AdminListDevices")


class _Diverged(Exception):
    """A MUST broke: the model no longer describes the target, so the sequence stops here."""


class Sequence:
    """One sequence against two users with two devices each: the model, the steps taken, the judging.

    The model starts from what the admin view reads."""

    def __init__(self, ctx: CaseContext, users: list[User]) -> None:
        self.ctx = ctx
        self.users = users
        self.trail: list[str] = []
        self.kept_forgotten = False  # the admin view still listed a forgotten device
        self.model: dict[tuple[int, int], str] = {}
        for u in (0, 1):
            for d in (0, 1):
                self.model[(u, d)] = self._initial(u, d)

    def _initial(self, u: int, d: int) -> str:
        """A confirmed device's status, as the model's start; a target that shows none (or no device)
        is judged, and the sequence cannot start."""
        seen = self.ctx.read_status(self.users[u], self.key(u, d))
        if not self.ctx.verify(new_device_status, seen, f"user {u} device {d}"):
            raise _Diverged
        return str(seen)

    def key(self, u: int, d: int) -> str:
        return str(self.users[u].devices[d].key)

    def token(self, u: int) -> str:
        return str(self.users[u].access_token)

    def judge(self, judged: Check[Any], *args: Any, hard: bool = True) -> bool:
        before = len(self.ctx.outcomes)
        held = self.ctx.verify(judged, *args)
        if not held:
            # The steps that led to it, as data: the first trail an outcome is seen with is the one kept.
            for outcome in list(self.ctx.outcomes)[before:] or list(self.ctx.outcomes):
                if outcome.actual is not None and outcome.trail is None:
                    outcome.trail = tuple(self.trail)
            if hard and self.ctx.outcomes.has_hard_failure():
                raise _Diverged
        return held

    # --- rules ---------------------------------------------------------------------------------

    def update(self, u: int, d: int, status: str) -> None:
        exchange = self.ctx.update(self.token(u), self.key(u, d), status)
        if self.model[(u, d)] == FORGOTTEN:
            self.judge(refused, REQ, exchange, NOT_FOUND)
        elif self.judge(accepted, REQ, exchange):
            self.model[(u, d)] = status

    def update_other(self, u: int, d: int, status: str) -> None:
        exchange = self.ctx.update(self.token(u), self.key(1 - u, d), status)
        self.judge(refused, REQ, exchange, NOT_FOUND)

    def forget(self, u: int, d: int) -> None:
        exchange = self.ctx.call("ForgetDevice", {"AccessToken": self.token(u), "DeviceKey": self.key(u, d)})
        if self.model[(u, d)] == FORGOTTEN:
            self.judge(refused, REQ, exchange, NOT_FOUND)
        elif self.judge(accepted, REQ, exchange):
            self.model[(u, d)] = FORGOTTEN

    def get(self, u: int, d: int) -> None:
        exchange = self.ctx.call("GetDevice", {"AccessToken": self.token(u), "DeviceKey": self.key(u, d)})
        state = self.model[(u, d)]
        if state == FORGOTTEN:
            self.judge(refused, REQ, exchange, NOT_FOUND)
        elif state == "remembered":
            self.judge(accepted, REQ, exchange)
        else:  # observed on AWS, a SHOULD (STATE-USER-VIEW)
            self.judge(refused, USER_VIEW, exchange, NOT_FOUND)

    def list(self, u: int) -> None:
        exchange = self.ctx.call("ListDevices", {"AccessToken": self.token(u)})
        if not self.judge(accepted, REQ, exchange):
            return
        body = exchange.json if isinstance(exchange.json, dict) else {}
        devices = body.get("Devices")
        listed = (
            {d.get("DeviceKey") for d in devices if isinstance(d, dict)}
            if isinstance(devices, list)
            else set()
        )
        self.judge(only_own_listed, listed, {self.key(1 - u, d) for d in (0, 1)}, exchange)
        for d in (0, 1):
            self.judge(user_lists, listed, self.key(u, d), self.model[(u, d)], exchange, hard=False)

    def admin_view(self, u: int) -> None:
        """The admin view of user u against the model: presence (AdminListDevices) and status."""
        devices = self.ctx.admin_devices(self.users[u])
        if isinstance(devices, Unread):
            self.judge(_unreadable, devices)
            return
        for d in (0, 1):
            key, state = self.key(u, d), self.model[(u, d)]
            if state == FORGOTTEN:
                self.kept_forgotten = self.kept_forgotten or key in devices
                self.judge(admin_forgets, key in devices, key, hard=False)
                continue
            seen = devices.get(key, {}).get("dev:device_remembered_status")
            if seen is None:  # not in the listing's attributes: ask for the device itself
                seen = self.ctx.read_status(self.users[u], key)
            self.judge(admin_status, seen, state, f"user {u} device {d}")


class Users:
    """The two users the sequences share, made once per case run.

    Before each sequence after the first they are put back into the first sequence's starting state:
    a status that moved is set back with AdminUpdateDeviceStatus, and a forgotten device (which cannot
    come back) is replaced at its index by a new one of the same user (a fresh sign-in, then
    ConfirmDevice), as the first devices were made. Where that cannot be done (no admin update, a
    target that keeps listing forgotten devices, which would pile up in the users' lists), the next
    sequence gets two fresh users instead."""

    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx
        self.users: list[User] = []
        self.start: dict[tuple[int, int], str] = {}  # the first sequence's starting statuses
        self.end: dict[tuple[int, int], str] | None = None  # the model after the latest sequence

    def for_sequence(self) -> list[User]:
        if self.users and self.end is not None and self._start_over(self.end):
            return self.users
        self.users = [self.ctx.fresh_user(devices=2), self.ctx.fresh_user(devices=2)]
        self.start = {}
        return self.users

    def started(self, model: dict[tuple[int, int], str]) -> None:
        self.start = self.start or dict(model)
        self.end = None  # until the sequence ends with both admin views judged

    def ended(self, machine: Sequence) -> None:
        self.end = None if machine.kept_forgotten else dict(machine.model)

    def _start_over(self, end: dict[tuple[int, int], str]) -> bool:
        """Each device back to its starting status; True when every one could be."""
        if self.ctx.session.unimplemented("AdminUpdateDeviceStatus") is not None:
            return False
        for (u, d), state in sorted(end.items()):
            wanted = self.start[(u, d)]
            if state == FORGOTTEN:
                self._replace(u, d)
                # A new device starts as a new device does; only a start that differs needs setting.
                if wanted != "remembered" and not self._set(u, d, wanted):
                    return False
            elif state != wanted and not self._set(u, d, wanted):
                return False
        return True

    def _set(self, u: int, d: int, status: str) -> bool:
        user = self.users[u]
        params = {
            "UserPoolId": user.pool.id,
            "Username": user.username,
            "DeviceKey": user.devices[d].key,
            "DeviceRememberedStatus": status,
        }
        return self.ctx.target.provision_call("AdminUpdateDeviceStatus", params).ok

    def _replace(self, u: int, d: int) -> None:
        """A new device for user u in place of its forgotten device d, made as Provisioner.user makes one."""
        ctx, user = self.ctx, self.users[u]
        try:
            device = ctx.provisioner.new_device(user)
        except Blocked as exc:
            raise Blocked(
                f"a new device in place of a forgotten one is unavailable: {blocked_reason(exc)}",
                exc.requirement,
                limit=exc.limit,
                silent=exc.silent,
            ) from None
        user.devices[d] = device
        line = provenance_of("fresh user", user)
        if line not in ctx.provenance:
            ctx.provenance.append(line)


@check(ids.STATE_MACHINE)
def only_own_listed(listed: set[Any], others: set[str], exchange: Any) -> str:
    """ListDevices never lists another user's device (MUST: the signed-in user's devices only)."""
    if listed & others:
        raise CheckFailure(REQ, "only the caller's devices listed", "another user's device listed", exchange)
    return "ListDevices lists only the caller's devices"


@check(ids.STATE_MACHINE)
def user_lists(listed: set[Any], key: str, state: str, exchange: Any) -> str:
    """ListDevices lists a remembered device (MUST) and hides a not_remembered one (SHOULD); a
    forgotten one no source speaks of (INFO)."""
    shown = key in listed
    requirement = {"remembered": REQ, "not_remembered": USER_VIEW}.get(state, REQ)
    if shown != (state == "remembered"):
        expected = f"a {state} device {'listed' if state == 'remembered' else 'not listed'} by ListDevices"
        level = "INFO" if state == FORGOTTEN else None
        raise CheckFailure(requirement, expected, "listed" if shown else "not listed", exchange, level=level)
    return f"ListDevices {'lists' if shown else 'does not list'} a {state} device"


@check(ids.STATE_MACHINE)
def admin_forgets(still_listed: bool, key: str) -> str:
    """AdminListDevices no longer lists a forgotten device (INFO: no source says so)."""
    if still_listed:
        raise CheckFailure(
            REQ, "a forgotten device not listed by AdminListDevices", "still listed", level="INFO"
        )
    return "a forgotten device is not listed"


@check(ids.STATE_MACHINE)
def admin_status(seen: Any, state: str, what: str) -> str:
    """The admin view shows the status the model predicts (MUST)."""
    if readable(seen, REQ, what) != state:
        shown = "gone" if seen == ABSENT else seen
        raise CheckFailure(REQ, f"{what} {state} (admin view)", f"{what} {shown}")
    return f"{what} {state}"


@check(ids.STATE_MACHINE)
def new_device_status(seen: Any, what: str) -> str:
    """A confirmed device shows remembered or not_remembered in the admin view (MUST): the model starts
    there. No device, or a device without a status ("unset"), is a failure; unreadable, nothing to judge."""
    if readable(seen, REQ, what) not in STATUSES:
        shown = "gone" if seen == ABSENT else seen
        raise CheckFailure(REQ, f"{what} remembered or not_remembered (admin view)", f"{what} {shown}")
    return f"{what} {seen}"


@check(ids.STATE_MACHINE)
def _unreadable(devices: Unread) -> str:
    raise NothingToJudge(REQ, f"the admin view could not be read: {devices.reason}")


def state_machine_shape(examples: int) -> tuple[int, int]:
    """(sequences, drawn steps per sequence): on live services (few examples) one long one."""
    return (max(4, examples // 5), 12) if examples >= 10 else (1, 15)


def _plan(rng: random.Random, steps: int) -> list[tuple[str, tuple[Any, ...]]]:
    """The sequence: `steps` weighted draws, then each rule not yet drawn, then updates up to a third."""
    names = [name for name, weight in WEIGHTS.items() for _ in range(weight)]

    def args(rule: str) -> tuple[Any, ...]:
        u, d = rng.randrange(2), rng.randrange(2)
        if rule == "list":
            return (u,)
        return (u, d, rng.choice(STATUSES)) if rule in ("update", "update_other") else (u, d)

    plan = [(rule, args(rule)) for rule in (rng.choice(names) for _ in range(steps))]
    plan += [(rule, args(rule)) for rule in WEIGHTS if rule not in {r for r, _ in plan}]
    while sum(r == "update" for r, _ in plan) < max(5, len(plan) // 3):
        plan.append(("update", args("update")))
    return plan


@case(ids.STATE_MACHINE, ops=OPS)
def state_machine(ctx: CaseContext) -> None:
    """Sequences drawn from the run's seed (a plain seeded generator: Hypothesis would start from its
    simplest example, the same sequence for every seed); a sequence stops at its first broken MUST,
    and the failure carries the steps that led to it."""
    runs, steps = state_machine_shape(ctx.examples)
    taken: Counter[str] = Counter()
    users = Users(ctx)
    for run in range(runs):
        rng = random.Random(f"{ctx.seed}/{run}")
        try:
            machine = Sequence(ctx, users.for_sequence())
        except _Diverged:
            break  # the starting state broke a MUST (or could not be read): judged, nothing to run
        users.started(machine.model)
        try:
            for rule, args in _plan(rng, steps):
                machine.trail.append(f"{rule}{args}")
                taken[rule] += 1
                getattr(machine, rule)(*args)
                machine.admin_view(args[0])
            for u in (0, 1):
                machine.admin_view(u)
            users.ended(machine)
        except _Diverged:
            break  # the verdict is FAIL; the failing sequence is in the outcome
    ctx.steps = dict(sorted(taken.items()))
