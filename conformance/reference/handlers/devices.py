"""The nine device operations.

Two views of the same devices, as observed on AWS:
- the user's view (access token): ListDevices lists remembered devices only, and GetDevice answers
  ResourceNotFoundException "Device does not exist." for a not_remembered one; UpdateDeviceStatus and
  ForgetDevice reach every tracked device of the caller (that is how a device is remembered again);
- the administrator's view (AdminGetDevice, AdminListDevices, ...) shows every tracked device with its
  `dev:device_remembered_status`.
A device of another user, of another pool, forgotten, or never confirmed "does not exist" for the caller,
and is left unchanged. A listing's PaginationToken is good for that listing only (the operation, and whose
devices): one of another user's listing, of the other listing operation, or a plain number is refused with
InvalidParameterException "Invalid pagination token." (undocumented wording).
"""

from __future__ import annotations

from typing import Any

from ... import srp
from .. import errors
from ..errors import CognitoError, invalid_parameter, resource_not_found
from ..sessions import authorize
from ..state import BackendState
from ..store import Device, Pool, User
from .common import Context, device_json, get_pool, get_user, page


def _device(backend: BackendState, pool: Pool, user: User, key: str) -> Device:
    device = backend.store.devices.get(key)
    if device is None or device.pool_id != pool.id or device.owner_sub != user.sub or not device.confirmed:
        raise resource_not_found(errors.DEVICE_DOES_NOT_EXIST)
    return device


def _set_status(backend: BackendState, device: Device, status: str | None) -> None:
    # DeviceRememberedStatus is optional in the model and AWS does not say what its absence means;
    # we leave the status as it is (and still answer 200).
    if status is not None:
        device.remembered = status == "remembered"
        device.last_modified = backend.now()


def listing_scope(operation: str, pool: Pool, user: User) -> str:
    """Whose devices a listing pages through, and by which operation: its tokens are good there only."""
    return f"{operation}:{pool.id}:{user.sub}"


def _listing(backend: BackendState, devices: list[Device], p: dict[str, Any], scope: str) -> dict[str, Any]:
    chunk, token = page(devices, p.get("Limit"), p.get("PaginationToken"), scope=scope)
    out: dict[str, Any] = {"Devices": [device_json(backend, d) for d in chunk]}
    if token:
        out["PaginationToken"] = token
    return out


# --- the user's view ---------------------------------------------------------------------------------------


def confirm_device(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p.get("AccessToken"), ctx.operation)
    device = backend.store.devices.get(p["DeviceKey"])
    if device is None or device.pool_id != caller.pool.id or device.owner_sub != caller.user.sub:
        raise invalid_parameter(errors.INVALID_DEVICE_KEY)
    if device.confirmed:
        # Undocumented message; the type is the one the model defines for this case.
        raise CognitoError("DeviceKeyExistsException", "Device key already exists.")
    config = p.get("DeviceSecretVerifierConfig")
    if config:
        try:
            device.salt_hex, device.verifier = srp.device_verifier_from_config(
                str(config.get("Salt") or ""), str(config.get("PasswordVerifier") or "")
            )
        except ValueError:
            raise invalid_parameter("Invalid device secret verifier config.") from None
    # Without a DeviceSecretVerifierConfig (optional in the model) the device is tracked but cannot
    # complete DEVICE_SRP_AUTH (an assumption: AWS does not document this).
    device.confirmed = True
    device.name = p.get("DeviceName")
    device.remembered = not caller.pool.remember_only_on_prompt
    device.last_modified = backend.now()
    device.last_ip = ctx.source_ip
    return {"UserConfirmationNecessary": caller.pool.remember_only_on_prompt}


def get_device(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p.get("AccessToken"), ctx.operation)
    device = _device(backend, caller.pool, caller.user, p["DeviceKey"])
    if not device.remembered:
        raise resource_not_found(errors.DEVICE_DOES_NOT_EXIST)
    return {"Device": device_json(backend, device)}


def list_devices(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p.get("AccessToken"), ctx.operation)
    remembered = [d for d in backend.store.devices_of(caller.pool.id, caller.user.sub) if d.remembered]
    return _listing(backend, remembered, p, listing_scope(ctx.operation, caller.pool, caller.user))


def update_device_status(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p.get("AccessToken"), ctx.operation)
    device = _device(backend, caller.pool, caller.user, p["DeviceKey"])
    _set_status(backend, device, p.get("DeviceRememberedStatus"))
    return {}


def forget_device(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p.get("AccessToken"), ctx.operation)
    device = _device(backend, caller.pool, caller.user, p["DeviceKey"])
    del backend.store.devices[device.key]
    return {}


# --- the administrator's view ------------------------------------------------------------------------------


def _admin_target(backend: BackendState, p: dict[str, Any], ctx: Context) -> tuple[Pool, User]:
    pool = get_pool(backend, p["UserPoolId"])
    return pool, get_user(backend, ctx, pool, p["Username"])


def admin_get_device(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool, user = _admin_target(backend, p, ctx)
    return {"Device": device_json(backend, _device(backend, pool, user, p["DeviceKey"]))}


def admin_list_devices(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool, user = _admin_target(backend, p, ctx)
    devices = backend.store.devices_of(pool.id, user.sub)
    return _listing(backend, devices, p, listing_scope(ctx.operation, pool, user))


def admin_update_device_status(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool, user = _admin_target(backend, p, ctx)
    _set_status(backend, _device(backend, pool, user, p["DeviceKey"]), p.get("DeviceRememberedStatus"))
    return {}


def admin_forget_device(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool, user = _admin_target(backend, p, ctx)
    device = _device(backend, pool, user, p["DeviceKey"])
    del backend.store.devices[device.key]
    return {}
