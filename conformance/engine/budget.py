"""The call budget, known before anything is sent (`run --dry-run`): provisioning plus every case.

Property cases count their generated examples and boundary examples as an upper bound; shrinking
after a failure is extra (and off on live services). The state machine counts its steps with the
admin-view reads its invariant makes after each one.
"""

from __future__ import annotations

from collections import Counter

from conformance.provisioning import provisioning_plan

from .context import RunSettings
from .registry import Case

BOUNDARY_ALLOWANCE = 10  # fixed boundary examples a property case may send before generated ones
EXAMPLE_CASE_CALLS = 4  # an example-based case: the request, plus reads of the state before and after
STATE_MACHINE_READS_PER_STEP = 6  # AdminListDevices x2 and AdminGetDevice x4 per invariant check


def state_machine_shape(examples: int) -> tuple[int, int]:
    """(runs, steps per run) for the state machine: small on live services."""
    return (max(2, examples // 10), 10) if examples >= 10 else (1, 5)


def plan(cases: list[Case], settings: RunSettings) -> dict[str, object]:
    calls: Counter[str] = Counter()
    probes = {op for c in cases for op in c.ops}
    calls.update({op: 1 for op in probes})
    fresh_users = 0
    for c in cases:
        if c.id == "STATE-MACHINE":
            runs, steps = state_machine_shape(settings.examples)
            calls["UpdateDeviceStatus"] += runs * steps
            calls["AdminGetDevice"] += runs * (steps + 1) * 4
            calls["AdminListDevices"] += runs * (steps + 1) * 2
            fresh_users += runs * 2
        elif c.property_based:
            calls["UpdateDeviceStatus"] += settings.examples + BOUNDARY_ALLOWANCE
        else:
            calls["UpdateDeviceStatus"] += EXAMPLE_CASE_CALLS // 2
            calls["AdminGetDevice"] += EXAMPLE_CASE_CALLS // 2
            fresh_users += c.users
    shared = {name for c in cases for name in c.shared}
    main_users = len(shared & {"user_a", "user_b"})
    second = 1 if "user_c" in shared else 0
    calls.update(
        provisioning_plan(users=main_users, devices_per_user=2, pools=1 if main_users or fresh_users else 0)
    )
    calls.update(provisioning_plan(users=fresh_users, devices_per_user=1, pools=0))
    if second:
        calls.update(provisioning_plan(users=1, devices_per_user=1, pools=1))
    by_operation = dict(sorted((op, n) for op, n in calls.items() if n))
    return {"total": sum(by_operation.values()), "by_operation": by_operation}
