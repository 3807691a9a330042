"""Device state as the admin view reads it, and `Unread`: state that could not be read, which is never
compared ("unchanged" needs two readings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.targets.exchange import Exchange

from .signals import NothingToJudge


class Unread:
    """State that could not be read, and why: never equal to anything, so never 'unchanged'."""

    def __init__(self, reason: str, exchange: Exchange | None = None) -> None:
        self.reason = reason
        self.exchange = exchange

    def __repr__(self) -> str:
        return f"unreadable ({self.reason})"


ABSENT = "absent"  # the admin view answers ResourceNotFoundException: the device is gone
State = str | Unread


def readable(state: State, requirement: str, what: str = "the device") -> str:
    """The state as read, or NothingToJudge: what could not be read is never compared."""
    if isinstance(state, Unread):
        raise NothingToJudge(
            requirement, f"the state of {what} could not be read: {state.reason}", state.exchange
        )
    return state


STATUS_ATTRIBUTE = "dev:device_remembered_status"
# A device that is there and carries no status attribute: a state like any other, never "unreadable".
UNSET = "unset"


@dataclass(frozen=True)
class DeviceRecord:
    """A device as the admin view shows it (AdminGetDevice's `Device`): every attribute by name, and
    every other member (the key, the dates) as answered."""

    attributes: Mapping[str, Any]
    members: Mapping[str, Any]

    @property
    def status(self) -> str:
        value = self.attributes.get(STATUS_ATTRIBUTE)
        return UNSET if value is None else str(value)

    def differences(self, other: DeviceRecord, *, free: frozenset[str] = frozenset()) -> list[str]:
        """What differs from `other`, one line each ("attribute device_name: 'a' -> 'b'"), leaving out
        the attributes and members named in `free`."""
        lines = []
        for kind, mine, theirs in (
            ("attribute", self.attributes, other.attributes),
            ("", self.members, other.members),
        ):
            for name in sorted(set(mine) | set(theirs)):
                if name not in free and mine.get(name) != theirs.get(name):
                    what = f"{kind} {name}".strip()
                    lines.append(f"{what}: {_shown(mine.get(name))} -> {_shown(theirs.get(name))}")
        return lines


def _shown(value: Any) -> str:
    return "(none)" if value is None else repr(value)


# What reading a device gives: its record, ABSENT (not found), or Unread (no reading to compare).
Reading = DeviceRecord | str | Unread


def device_reading(exchange: Exchange) -> Reading:
    """The device in an AdminGetDevice answer: its record, ABSENT for ResourceNotFoundException, and
    Unread for anything else (an error, a 5xx, an answer without a device)."""
    if exchange.error_type == "ResourceNotFoundException":
        return ABSENT
    if not exchange.ok:
        return Unread(f"AdminGetDevice answered {exchange.summary()}", exchange)
    device = exchange.json.get("Device") if isinstance(exchange.json, dict) else None
    if not isinstance(device, dict):
        return Unread("AdminGetDevice answered no Device", exchange)
    listed = device.get("DeviceAttributes")
    attributes = {
        str(a.get("Name")): a.get("Value")
        for a in (listed if isinstance(listed, list) else [])
        if isinstance(a, dict)
    }
    members = {k: v for k, v in device.items() if k != "DeviceAttributes"}
    return DeviceRecord(attributes, members)
