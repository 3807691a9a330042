"""What the other operations' cases share: the id of a requirement by operation, and a valid request of
each operation for a signed-in user of the run (the request a case starts from and breaks)."""

from __future__ import annotations

from typing import Any

from conformance.contract.catalog import ID_PREFIXES, OPERATIONS
from conformance.engine.context import CaseContext

# The operations judged here: every device operation but UpdateDeviceStatus (the modules beside this
# package judge it).
SUBJECTS = OPERATIONS[1:]
# The forget operations' requests name a device of the run's "user_forget" (ForgetDevice its first,
# AdminForgetDevice its second), never one of user A's: a target that forgets a device it refused to
# forget (a FAIL) must not take away a device the other cases rely on.
FORGETTING = {"ForgetDevice": 0, "AdminForgetDevice": 1}
# The device verifier a valid ConfirmDevice carries (the values are not checked before the device is).
VERIFIER = {"PasswordVerifier": "dmVyaWZpZXI=", "Salt": "c2FsdA=="}


def requirement_id(operation: str, name: str) -> str:
    """`GetDevice`, `VAL-REQUIRED` -> `GET-VAL-REQUIRED` (contract/catalog.py: ID_PREFIXES)."""
    return f"{ID_PREFIXES[operation]}-{name}"


def valid_request(ctx: CaseContext, operation: str) -> dict[str, Any]:
    """A valid request of `operation` naming a device of a signed-in user (user A's first; a forget
    operation a device of "user_forget"), as the user or as the administrator of its pool."""
    device_index = FORGETTING.get(operation)
    user = ctx.shared("user_a" if device_index is None else "user_forget")
    key = user.devices[device_index or 0].key
    if operation.startswith("Admin"):
        request: dict[str, Any] = {"UserPoolId": user.pool.id, "Username": user.username}
    else:
        request = {"AccessToken": user.access_token}
    if operation not in ("ListDevices", "AdminListDevices"):
        request["DeviceKey"] = key
    if operation == "ConfirmDevice":
        request["DeviceSecretVerifierConfig"] = dict(VERIFIER)
    if operation == "AdminUpdateDeviceStatus":
        request["DeviceRememberedStatus"] = "remembered"  # the state the cases leave user A's devices in
    return request
