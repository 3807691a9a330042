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
from .provisioner import Created, Provisioner
from .signin import confirm_device, srp_sign_in

__all__ = [
    "FIXTURE_CALLS",
    "Created",
    "Device",
    "FixtureUnavailable",
    "Pool",
    "Provisioner",
    "Tokens",
    "User",
    "confirm_device",
    "install_cleanup",
    "plan_total",
    "provisioning_plan",
    "srp_sign_in",
]
