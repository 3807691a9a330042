"""Provisioning: what a real UpdateDeviceStatus request needs (pool, client, signed-in user, confirmed
device), made on the target itself and deleted afterwards.

`Provisioner(target, run_id=...)` (managed) or `Provisioner(target, run_id=..., user_pool_id=...,
client_id=...)` (staging); `install_cleanup(provisioner)` for Ctrl-C; `provisioning_plan` for --dry-run.
A fixture a target cannot provide raises FixtureUnavailable (the engine reports BLOCKED).
"""

from __future__ import annotations

from .cleanup import install_cleanup
from .model import Device, FixtureUnavailable, Pool, Tokens, User
from .plan import FIXTURE_CALLS, plan_total, provisioning_plan
from .provisioner import DEVICE_TRACKING, Created, Provisioner
from .signin import confirm_device, device_confirmation, made_up_device_key, srp_sign_in

__all__ = [
    "DEVICE_TRACKING",
    "FIXTURE_CALLS",
    "Created",
    "Device",
    "FixtureUnavailable",
    "Pool",
    "Provisioner",
    "Tokens",
    "User",
    "confirm_device",
    "device_confirmation",
    "install_cleanup",
    "made_up_device_key",
    "plan_total",
    "provisioning_plan",
    "srp_sign_in",
]
