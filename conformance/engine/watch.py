"""The devices a request could have changed, read before and after it: every requirement about state is a
property of every request a case sends, not only of the case written for it.

For each request that names a device and may change one (UpdateDeviceStatus, ForgetDevice, ConfirmDevice
and their admin forms), the watch reads the devices it could have changed through the admin view
(AdminGetDevice, the cheapest read): the device it names, the owner's other devices, and one device of
another user. A reading is reused while nothing else was sent that could change a device (the session
counts such requests: its `generation`), so a property case that sends many requests costs one read per
device per request. After the request:
- refused: every watched device is as it was, every attribute and every date (the case's requirement:
  a refusal changes nothing);
- an accepted UpdateDeviceStatus: the named device shows exactly the status sent, and nothing else of it
  changed but its modification date; the other devices did not change at all (STATE-ISOLATION);
- an accepted AdminUpdateDeviceStatus: the same, judged under its own ADMIN-UPDATE-STATE-AS-SENT.
A device that could not be read, or was not there before and after, is nothing to judge: no outcome.
On a live service (calls are budgeted: `run --dry-run` on aws stays within 400) the watch reads nothing
itself: in the cases whose requirement says a refusal leaves the device unchanged, it judges a refusal
from the readings the case makes anyway, before the request and the first after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from conformance.contract import ids
from conformance.contract.extract import OPERATION
from conformance.judge import checks
from conformance.judge.check import check
from conformance.judge.signals import CheckFailure
from conformance.judge.state import Reading, device_reading
from conformance.provisioning import Provisioner, User
from conformance.targets import Target
from conformance.targets.exchange import Exchange
from strategies.requests import label

# Operations that change no device: the session does not count them (its `generation`).
READ_ONLY = frozenset(
    {
        "GetDevice",
        "ListDevices",
        "AdminGetDevice",
        "AdminListDevices",
        "DescribeUserPool",
        "DescribeUserPoolClient",
        "AdminGetUser",
        "GetUser",
        "ListUsers",
        "ListUserPools",
        "ListUserPoolClients",
    }
)
# Operations that name a device and may change one: what they do to the devices is judged.
WATCHED = frozenset(
    {"UpdateDeviceStatus", "ForgetDevice", "ConfirmDevice", "AdminUpdateDeviceStatus", "AdminForgetDevice"}
)
STATUSES = ("remembered", "not_remembered")
# The requirement an accepted update's status answers to, by the status sent.
STATUS_REQUIREMENT = {"remembered": ids.STATE_REMEMBERED, "not_remembered": ids.STATE_NOT_REMEMBERED_KEEPS}
ADMIN_UPDATE = "AdminUpdateDeviceStatus"

Verify = Callable[..., bool]


class Session(Protocol):
    """What the watch needs of the run's session (engine/context.py)."""

    target: Target
    provisioner: Provisioner
    generation: int  # requests sent so far that may have changed a device


def says_unchanged(statement: str) -> bool:
    """Whether a requirement's statement says its refusal leaves the device as it was."""
    return any(words in statement for words in ("changes nothing", "nothing changes", "unchanged"))


@dataclass(frozen=True)
class Watched:
    user: User
    key: str
    what: str  # "the named device", "another device of its user", "another user's device"
    before: Reading


@dataclass(frozen=True)
class Plan:
    """What one request is watched for: the devices, read before it, and the count of requests then."""

    devices: tuple[Watched, ...]
    generation: int
    named: str | None


@dataclass(frozen=True)
class Judgement:
    """What one request did to one watched device, judged once its reading after the request is there."""

    exchange: Exchange
    operation: str | None
    sent: Any  # the DeviceRememberedStatus sent
    requirement: str  # the case's: a refusal under it changes nothing
    verify: Verify

    def judge(self, device: Watched, after: Reading, named: str | None) -> None:
        verify = self.verify
        if not self.exchange.ok:
            verify(checks.refusal_changed_nothing, self.requirement, device.before, after, device.what)
        elif self.operation == OPERATION:
            verify(checks.only_status_changed, device.before, after, device.what, device.key == named)
            if device.key == named and self.sent in STATUSES:
                status = str(self.sent)
                verify(checks.status_as_sent, STATUS_REQUIREMENT[status], after, status, device.what)
        elif self.operation == ADMIN_UPDATE:
            # The administrator's update owes what the user's does, under its own requirement.
            requirement = ids.ADMIN_UPDATE_STATE_AS_SENT
            named_one = device.key == named
            verify(only_status_changed_for, requirement, device.before, after, device.what, named_one)
            if device.key == named and self.sent in STATUSES:
                verify(checks.status_as_sent, requirement, after, str(self.sent), device.what)
        # Another operation accepted (a device forgotten, confirmed): what it does is its cases' to judge.


@check()
def only_status_changed_for(
    requirement: str, before: Reading, after: Reading, what: str, named: bool
) -> str | None:
    """`checks.only_status_changed` (STATE-ISOLATION's), judged under another update's `requirement`."""
    try:
        return checks.only_status_changed(before, after, what, named)
    except CheckFailure as failure:
        raise CheckFailure(requirement, failure.expected, failure.actual, failure.exchange) from None


class DeviceWatch:
    """One per case: plans a request's watch, then judges what the request did (through `verify`)."""

    def __init__(self, session: Session, *, everything: bool = True) -> None:
        self.session = session
        # False on a live service, whose calls are budgeted: the watch reads nothing itself. It judges
        # a refusal, in a case whose requirement says it leaves the device unchanged, from the readings
        # the case makes anyway (before the request, and the first after it), of the device it names.
        self.everything = everything
        self._readings: dict[str, tuple[int, Reading]] = {}
        self._pending: tuple[Plan, Judgement] | None = None  # a live refusal waiting for its reading

    def known(self, key: str) -> Reading | None:
        """The latest reading of the device, if nothing that could change a device was sent since."""
        kept = self._readings.get(key)
        return kept[1] if kept is not None and kept[0] == self.session.generation else None

    def keep(self, key: str, reading: Reading) -> None:
        """A reading the case made itself (`CaseContext.read_status`), reused by the watch and the case;
        on a live service, the first one after a watched refusal judges it."""
        self._readings[key] = (self.session.generation, reading)
        if self._pending is not None:
            plan, judgement = self._pending
            if self.session.generation == plan.generation + 1:
                for device in plan.devices:
                    if device.key == key:
                        self._pending = None
                        judgement.judge(device, reading, plan.named)

    def before(self, operation: str | None, params: Mapping[str, Any], statement: str) -> Plan | None:
        if operation not in WATCHED or not (self.everything or says_unchanged(statement)):
            return None
        users = [u for u in self.session.provisioner.created.users if u.state == "active"]
        key = params.get("DeviceKey") if isinstance(params.get("DeviceKey"), str) else None
        owner = next((u for u in users if any(d.key == key for d in u.devices)), None)
        generation = self.session.generation
        if not self.everything:
            before = self.known(key) if owner is not None and isinstance(key, str) else None
            if owner is None or key is None or before is None:
                return None
            return Plan((Watched(owner, key, "the named device", before),), generation, key)
        caller = next(
            (u for u in users if u.access_token and u.access_token == params.get("AccessToken")), None
        )
        caller = caller or next((u for u in users if u.username == params.get("Username")), None)
        mine = owner or caller
        watched: list[tuple[User, str, str]] = []
        if mine is not None:
            for device in mine.devices:
                if not device.forgotten:
                    what = "the named device" if device.key == key else "another device of its user"
                    watched.append((mine, device.key, what))
            if isinstance(key, str) and key not in {k for _, k, _ in watched} and _could_be_a_device(key):
                # A forgotten device, or one never issued: a refusal must not bring it into being.
                watched.insert(0, (mine, key, "the named device"))
        other = next((u for u in users if u not in (owner, caller) and _live(u)), None)
        if other is not None:
            watched.append(
                (other, next(d.key for d in other.devices if not d.forgotten), "another user's device")
            )
        if not watched:
            return None
        devices = tuple(Watched(u, k, what, self._reading(u, k)) for u, k, what in watched)
        return Plan(devices, generation, key)

    def after(
        self,
        plan: Plan,
        operation: str | None,
        params: Mapping[str, Any],
        exchange: Exchange,
        requirement: str,
        verify: Verify,
    ) -> None:
        """Judge what the request did to the watched devices (nothing when another request came between)."""
        self._pending = None
        if not exchange.answered or self.session.generation != plan.generation + 1:
            return
        judgement = Judgement(exchange, operation, params.get("DeviceRememberedStatus"), requirement, verify)
        if not self.everything:
            if not exchange.ok:
                self._pending = (plan, judgement)  # judged by the case's next reading of the device
            return
        for device in plan.devices:
            after = self._read(device.user, device.key)
            self._readings[device.key] = (self.session.generation, after)
            judgement.judge(device, after, plan.named)

    def _reading(self, user: User, key: str) -> Reading:
        kept = self.known(key)
        if kept is not None:
            return kept
        reading = self._read(user, key)
        self._readings[key] = (self.session.generation, reading)
        return reading

    def _read(self, user: User, key: str) -> Reading:
        params = {"UserPoolId": user.pool.id, "Username": user.username, "DeviceKey": key}
        target = self.session.target
        # A recorded run's reads go as any call does (signed through botocore): a recording is replayed
        # elsewhere, where they must be sent again as they were (parity/).
        recorded = getattr(self.session, "recorder", None) is not None
        read = target.provision_call if recorded else target.read
        return device_reading(read("AdminGetDevice", params))


def _could_be_a_device(key: str) -> bool:
    """Whether a device could have this key (the model's pattern and length): else nothing to read."""
    return not label({"AccessToken": "x", "DeviceKey": key}).violations


def _live(user: User) -> bool:
    return any(not d.forgotten for d in user.devices)
