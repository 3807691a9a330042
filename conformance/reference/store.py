"""The state of one reference backend: pools, app clients, users, devices, sign-in sessions.

Plain dataclasses behind one re-entrant lock. The protocol layer holds `Store.lock` for the whole of each
operation, so every operation is atomic with respect to every other: simple, and enough for a test target.
Secrets (password verifiers, device verifiers, client secrets) are kept out of reprs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..srp import SrpServerSession
from .tokens import SigningKey

# User statuses as AdminGetUser reports them.
FORCE_CHANGE_PASSWORD = "FORCE_CHANGE_PASSWORD"
CONFIRMED = "CONFIRMED"
RESET_REQUIRED = "RESET_REQUIRED"


@dataclass
class Device:
    key: str
    group_key: str
    pool_id: str
    owner_sub: str
    created: float
    last_modified: float
    # A device exists from the sign-in that issued NewDeviceMetadata, but only ConfirmDevice makes it
    # tracked (visible to the device operations, usable for DEVICE_SRP_AUTH).
    confirmed: bool = False
    remembered: bool = False
    name: str | None = None
    salt_hex: str | None = field(default=None, repr=False)
    verifier: int | None = field(default=None, repr=False)
    last_authenticated: float | None = None
    last_ip: str | None = None
    sdk: str | None = None


@dataclass
class User:
    username: str
    sub: str
    created: float
    last_modified: float
    attributes: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    status: str = FORCE_CHANGE_PASSWORD
    salt_hex: str = field(default="", repr=False)
    verifier: int = field(default=0, repr=False)


@dataclass
class Client:
    id: str
    pool_id: str
    name: str
    secret: str | None = field(repr=False)
    explicit_auth_flows: list[str]
    access_token_seconds: int
    id_token_seconds: int
    refresh_token_seconds: int
    created: float
    description: dict[str, Any] = field(default_factory=dict)  # the rest of DescribeUserPoolClient's answer
    enable_token_revocation: bool = True
    prevent_user_existence_errors: str = "LEGACY"


@dataclass
class Pool:
    id: str
    name: str
    arn: str
    created: float
    last_modified: float
    access_key: SigningKey
    id_key: SigningKey
    description: dict[str, Any] = field(default_factory=dict)  # the rest of DescribeUserPool's answer
    device_configuration: dict[str, bool] | None = None
    case_sensitive: bool = True
    users: dict[str, User] = field(default_factory=dict)  # by username key (see `user_key`)
    clients: dict[str, Client] = field(default_factory=dict)

    @property
    def tracks_devices(self) -> bool:
        """Setting any DeviceConfiguration property turns device tracking on."""
        configuration = self.device_configuration or {}
        return any(
            key in configuration
            for key in ("ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt")
        )

    @property
    def remember_only_on_prompt(self) -> bool:
        return bool((self.device_configuration or {}).get("DeviceOnlyRememberedOnUserPrompt"))

    def user_key(self, username: str) -> str:
        return username if self.case_sensitive else username.lower()

    def user(self, username: str) -> User | None:
        return self.users.get(self.user_key(username))

    def user_by_sub(self, sub: str) -> User | None:
        return next((u for u in self.users.values() if u.sub == sub), None)


@dataclass
class SignInSession:
    """One sign-in: its `origin_jti` is shared by every token it (and its refresh token) issues."""

    origin_jti: str
    pool_id: str
    client_id: str
    sub: str
    device_key: str | None
    auth_time: int
    refresh_expires: float
    refresh_token: str = field(repr=False)
    revoked: bool = False


@dataclass
class Challenge:
    """A challenge waiting for its answer (PASSWORD_VERIFIER, DEVICE_SRP_AUTH, ...); used once."""

    name: str
    pool_id: str
    client_id: str
    username: str
    expires: float
    srp: SrpServerSession | None = None
    srp_a_hex: str | None = None
    device_key: str | None = None
    secret_block: str | None = field(default=None, repr=False)


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.pools: dict[str, Pool] = {}
        self.clients: dict[str, Client] = {}  # every pool's clients, by client id
        self.devices: dict[str, Device] = {}  # every pool's devices, by device key
        self.sessions: dict[str, SignInSession] = {}  # by origin_jti
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> origin_jti
        self.challenges: dict[str, Challenge] = {}  # by Session string (or SECRET_BLOCK for USER_SRP_AUTH)

    def prune_challenges(self, now: float) -> None:
        for key in [k for k, c in self.challenges.items() if c.expires < now]:
            del self.challenges[key]

    def devices_of(self, pool_id: str, sub: str) -> list[Device]:
        """The user's tracked (confirmed) devices, oldest first."""
        found = [
            d for d in self.devices.values() if d.pool_id == pool_id and d.owner_sub == sub and d.confirmed
        ]
        return sorted(found, key=lambda d: (d.created, d.key))

    def revoke_user_sessions(self, pool_id: str, sub: str) -> None:
        for session in self.sessions.values():
            if session.pool_id == pool_id and session.sub == sub:
                session.revoked = True

    def forget_user(self, pool_id: str, sub: str) -> None:
        for key in [k for k, d in self.devices.items() if d.pool_id == pool_id and d.owner_sub == sub]:
            del self.devices[key]
