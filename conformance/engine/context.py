"""What a case works with: the run (target, provisioner, shared fixtures, seed) and its own context
(every exchange it made, what it observed)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from conformance.contract.extract import OPERATION
from conformance.provisioning import FixtureUnavailable, Provisioner
from conformance.targets import Target
from conformance.targets.exchange import Exchange

from .checks import Blocked, Unimplemented, html_error_page, unimplemented_reason
from .registry import Case

# A syntactically valid token that is no JWT, for cases that need no real user.
STAND_IN_TOKEN = "stand-in.not-a-jwt"


@dataclass
class RunSettings:
    target_spec: str
    seed: int = 0
    examples: int = 25
    report_dir: str | None = None
    pace: str | None = None
    user_pool_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    shrink: bool = True  # shrink failures to minimal examples (off on live services: it costs calls)


class RunSession:
    """One per process: the target, the provisioner, fixtures shared by the cases, probe results."""

    # name -> (pool, devices): A and B share the main pool, C lives in a second pool.
    SHARED: ClassVar[dict[str, tuple[str, int]]] = {
        "user_a": ("main", 2),
        "user_b": ("main", 2),
        "user_c": ("second", 1),
    }

    def __init__(self, settings: RunSettings, target: Target, provisioner: Provisioner) -> None:
        self.settings = settings
        self.target = target
        self.provisioner = provisioner
        self._lock = threading.RLock()
        self._shared: dict[str, Any] = {}
        self._unavailable: dict[str, str] = {}
        self._probed: dict[str, str | None] = {}

    @property
    def seed(self) -> int:
        return self.settings.seed

    def shared(self, name: str) -> Any:
        """A shared fixture, made once; one that cannot be made is remembered as such."""
        with self._lock:
            if name in self._unavailable:
                raise Blocked(self._unavailable[name])
            if name not in self._shared:
                pool_kind, devices = self.SHARED[name]
                try:
                    pool = self.provisioner.second_pool() if pool_kind == "second" else None
                    self._shared[name] = self.provisioner.user(devices=devices, pool=pool)
                except FixtureUnavailable as exc:
                    self._unavailable[name] = f"fixture {name} unavailable: {exc.reason}"
                    raise Blocked(self._unavailable[name]) from None
            return self._shared[name]

    def unimplemented(self, operation: str) -> str | None:
        """Probe an operation once: the target's words if it does not implement it, else None."""
        with self._lock:
            if operation not in self._probed:
                self._probed[operation] = self._probe(operation)
            return self._probed[operation]

    def _probe(self, operation: str) -> str | None:
        from strategies.shapes import simplest

        shape = self.target_input_shape(operation)
        exchange = self.target.call(operation, simplest(shape))
        reason = unimplemented_reason(exchange)
        if reason is None and html_error_page(exchange):
            reason = f"HTTP {exchange.status} with an HTML page for a well-formed {operation} request"
        return f"{operation} is not implemented: {reason}" if reason else None

    @staticmethod
    def target_input_shape(operation: str) -> Any:
        from conformance.contract.model import pinned

        return pinned().operation(operation).input_shape


@dataclass
class CaseContext:
    """A case's view of the run; it records every exchange the case makes."""

    session: RunSession
    case: Case
    exchanges: list[Exchange] = field(default_factory=list)
    observations: list[Any] = field(default_factory=list)
    sent: int = 0

    @property
    def target(self) -> Target:
        return self.session.target

    @property
    def provisioner(self) -> Provisioner:
        return self.session.provisioner

    @property
    def examples(self) -> int:
        return self.session.settings.examples

    @property
    def seed(self) -> int:
        return self.session.seed

    def require(self, *operations: str) -> None:
        for operation in operations:
            reason = self.session.unimplemented(operation)
            if reason:
                raise Unimplemented(reason)

    def call(self, operation: str, params: dict[str, Any], *, signed: bool | None = None) -> Exchange:
        self.require(operation)
        exchange = self.target.call(operation, params, signed=signed)
        return self._record(exchange)

    def update(self, token: str, device_key: Any, status: Any = "remembered", **extra: Any) -> Exchange:
        params: dict[str, Any] = {"AccessToken": token, "DeviceKey": device_key, **extra}
        if status is not None:
            params["DeviceRememberedStatus"] = status
        return self.call(OPERATION, params)

    def send(self, params: dict[str, Any]) -> Exchange:
        """UpdateDeviceStatus with exactly these members, invalid ones included.

        botocore drops `null` members and cannot serialise unknown ones, so such a request goes out
        as raw awsJson1_1 instead (same headers, the body as given).
        """
        known = RunSession.target_input_shape(OPERATION).members
        if any(v is None for v in params.values()) or any(k not in known for k in params):
            from strategies.wire import proper_headers

            return self.raw(proper_headers(), json.dumps(params).encode())
        return self.call(OPERATION, params)

    def raw(self, headers: dict[str, str], body: bytes) -> Exchange:
        from conformance.targets import RawUnsupported

        self.require(OPERATION)
        try:
            exchange = self.target.send_raw(headers, body, operation=OPERATION)
        except RawUnsupported as exc:
            raise Blocked(str(exc)) from None
        return self._record(exchange)

    def _record(self, exchange: Exchange) -> Exchange:
        self.sent += 1
        self.exchanges.append(exchange)
        reason = unimplemented_reason(exchange)
        if reason and exchange.operation:
            raise Unimplemented(f"{exchange.operation} is not implemented: {reason}")
        return exchange

    def shared(self, name: str) -> Any:
        return self.session.shared(name)

    def fresh_user(self, devices: int = 1) -> Any:
        try:
            return self.provisioner.user(devices=devices)
        except FixtureUnavailable as exc:
            raise Blocked(f"a fresh user with {devices} device(s) is unavailable: {exc.reason}") from None

    def admin_device(self, user: Any, device_key: str) -> Exchange:
        return self.call(
            "AdminGetDevice",
            {"UserPoolId": user.pool.id, "Username": user.username, "DeviceKey": device_key},
        )

    def remembered_status(self, user: Any, device_key: str) -> str | None:
        """dev:device_remembered_status as AdminGetDevice shows it; None when the device is not found."""
        exchange = self.admin_device(user, device_key)
        if not exchange.ok:
            return None
        attributes = (exchange.json or {}).get("Device", {}).get("DeviceAttributes", [])
        return next(
            (a.get("Value") for a in attributes if a.get("Name") == "dev:device_remembered_status"), None
        )

    def admin_device_keys(self, user: Any) -> list[str]:
        exchange = self.call("AdminListDevices", {"UserPoolId": user.pool.id, "Username": user.username})
        return [d.get("DeviceKey") for d in (exchange.json or {}).get("Devices", [])] if exchange.ok else []

    def observe(self, what: Any) -> None:
        self.observations.append(what)
