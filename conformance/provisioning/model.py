"""What provisioning hands to cases: pools, users, devices, tokens; and the BLOCKED signal.

Secret fields stay out of reprs, and every secret is registered with SECRETS where it is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..secrets import redact


class FixtureUnavailable(Exception):
    """The target cannot provide a fixture; the engine reports the cases needing it as BLOCKED.

    `requirement` names the device-flow requirement whose FAIL explains it, when the target broke
    (a 5xx, an unparseable or undocumented answer) rather than lacking something by design. `limit`:
    nothing the target did wrong (no control path, staging mode's own limits, the target's quota).
    `silent`: the call got no answer at all (the run's breaker judges a silent target, exit 3)."""

    def __init__(
        self, reason: str, *, requirement: str | None = None, limit: bool = False, silent: bool = False
    ) -> None:
        self.reason = redact(reason)
        self.requirement = requirement
        self.limit = limit
        self.silent = silent
        super().__init__(self.reason)


@dataclass
class Pool:
    id: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    name: str | None = None
    managed: bool = True  # created (and deleted) by this run; False for a staging pool
    email_usernames: bool = False  # the pool refused a plain username: usernames are email-shaped
    # DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt as the pool was given it (managed) or shows
    # it (staging): ConfirmDevice's UserConfirmationNecessary must follow it.
    remember_on_prompt: bool = False


@dataclass
class Device:
    key: str
    group_key: str
    password: str = field(repr=False)  # the device's SRP password (DEVICE_SRP_AUTH)
    name: str | None = None
    remembered: bool = True
    forgotten: bool = False
    # No NewDeviceMetadata came: the suite made the key ({region}_{uuid}) and ConfirmDevice took it.
    synthesized: bool = False
    # How the device was had where it was not the documented way (the flow that gave its metadata, a
    # repair of what the target got wrong): copied into the owner's provenance.
    notes: list[str] = field(default_factory=list)


@dataclass
class Tokens:
    access_token: str = field(repr=False)
    id_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    # (DeviceKey, DeviceGroupKey) of NewDeviceMetadata, when the sign-in offered a new device.
    new_device: tuple[str, str] | None = None
    # The challenges the sign-in answered, in order (PASSWORD_VERIFIER, DEVICE_SRP_AUTH, ...).
    challenges: tuple[str, ...] = ()
    flow: str = "USER_SRP_AUTH"  # the auth flow that gave these tokens


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
    # How the target gave this user (shown next to each case that used it): the username's form, the
    # sign-in flow, where the devices came from. Empty notes mean "as documented".
    provenance: list[str] = field(default_factory=list)

    def take(self, tokens: Tokens) -> None:
        self.access_token = tokens.access_token
        self.id_token = tokens.id_token
        self.refresh_token = tokens.refresh_token
