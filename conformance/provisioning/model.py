"""What provisioning hands to cases: pools, users, devices, tokens; and the BLOCKED signal.

Secret fields stay out of reprs, and every secret is registered with SECRETS where it is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..secrets import redact


class FixtureUnavailable(Exception):
    """The target cannot provide a fixture; the engine reports the cases needing it as BLOCKED."""

    def __init__(self, reason: str) -> None:
        self.reason = redact(reason)
        super().__init__(self.reason)


@dataclass
class Pool:
    id: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    name: str | None = None
    managed: bool = True  # created (and deleted) by this run; False for a staging pool


@dataclass
class Device:
    key: str
    group_key: str
    password: str = field(repr=False)  # the device's SRP password (DEVICE_SRP_AUTH)
    name: str | None = None
    remembered: bool = True
    forgotten: bool = False


@dataclass
class Tokens:
    access_token: str = field(repr=False)
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    # (DeviceKey, DeviceGroupKey) of NewDeviceMetadata, when the sign-in offered a new device.
    new_device: tuple[str, str] | None = None
    # The challenges the sign-in answered, in order (PASSWORD_VERIFIER, DEVICE_SRP_AUTH, ...).
    challenges: tuple[str, ...] = ()


@dataclass
class User:
    username: str
    password: str = field(repr=False)
    pool: Pool
    access_token: str = field(default="", repr=False)  # the latest sign-in's: valid for all the devices
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    devices: list[Device] = field(default_factory=list)
    state: str = "active"  # "active", "disabled", "deleted", "reset"

    def take(self, tokens: Tokens) -> None:
        self.access_token = tokens.access_token
        self.id_token = tokens.id_token
        self.refresh_token = tokens.refresh_token
