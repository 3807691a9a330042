"""STATE-MACHINE: any sequence of updates, forgets, gets and lists over two users with two devices
each matches a simple model; the admin view is compared with the model after every step, and each
user also tries to change the other's devices (cross-user isolation, a MUST)."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from ..budget import state_machine_shape
from ..checks import CheckFailure, expect_rejected, expect_success
from ..context import CaseContext
from ..registry import case

REQ = "STATE-MACHINE"
FORGOTTEN = "forgotten"
users = st.integers(min_value=0, max_value=1)
devices = st.integers(min_value=0, max_value=1)
statuses = st.sampled_from(["remembered", "not_remembered"])


def machine_for(ctx: CaseContext) -> type[RuleBasedStateMachine]:
    class DeviceMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.users = [ctx.fresh_user(devices=2), ctx.fresh_user(devices=2)]
            # The model: each device's status as the admin view must show it.
            self.model: dict[tuple[int, int], str] = {(u, d): "remembered" for u in (0, 1) for d in (0, 1)}

        def key(self, u: int, d: int) -> str:
            return str(self.users[u].devices[d].key)

        @rule(u=users, d=devices, status=statuses)
        def update(self, u: int, d: int, status: str) -> None:
            exchange = ctx.update(self.users[u].access_token, self.key(u, d), status)
            if self.model[(u, d)] == FORGOTTEN:
                expect_rejected(exchange, REQ, ("ResourceNotFoundException",))
            else:
                expect_success(exchange, REQ)
                self.model[(u, d)] = status

        @rule(u=users, d=devices, status=statuses)
        def update_other_users_device(self, u: int, d: int, status: str) -> None:
            exchange = ctx.update(self.users[u].access_token, self.key(1 - u, d), status)
            expect_rejected(exchange, REQ, ("ResourceNotFoundException",))

        @rule(u=users, d=devices)
        def forget(self, u: int, d: int) -> None:
            exchange = ctx.call(
                "ForgetDevice", {"AccessToken": self.users[u].access_token, "DeviceKey": self.key(u, d)}
            )
            if self.model[(u, d)] == FORGOTTEN:
                expect_rejected(exchange, REQ, ("ResourceNotFoundException",))
            else:
                expect_success(exchange, REQ)
                self.model[(u, d)] = FORGOTTEN

        @rule(u=users, d=devices)
        def get(self, u: int, d: int) -> None:
            exchange = ctx.call(
                "GetDevice", {"AccessToken": self.users[u].access_token, "DeviceKey": self.key(u, d)}
            )
            state = self.model[(u, d)]
            if state == FORGOTTEN:
                expect_rejected(exchange, REQ, ("ResourceNotFoundException",))
            elif state == "remembered":
                expect_success(exchange, REQ)
            # not_remembered: the user view's answer is STATE-USER-VIEW's business (a SHOULD)

        @rule(u=users)
        def list_devices(self, u: int) -> None:
            exchange = ctx.call("ListDevices", {"AccessToken": self.users[u].access_token})
            expect_success(exchange, REQ)
            listed = {d.get("DeviceKey") for d in (exchange.json or {}).get("Devices", [])}
            for d in (0, 1):
                state, key = self.model[(u, d)], self.key(u, d)
                if (state == "remembered") != (key in listed) and state != "not_remembered":
                    raise CheckFailure(REQ, f"ListDevices with device {d} {state}", sorted(listed), exchange)
            other = {self.key(1 - u, d) for d in (0, 1)}
            if listed & other:
                raise CheckFailure(
                    REQ, "only the caller's devices listed", "another user's device listed", exchange
                )

        @invariant()
        def admin_view_matches_the_model(self) -> None:
            for u in (0, 1):
                keys = set(ctx.admin_device_keys(self.users[u]))
                for d in (0, 1):
                    state, key = self.model[(u, d)], self.key(u, d)
                    if state == FORGOTTEN:
                        if key in keys:
                            raise CheckFailure(
                                REQ, f"user {u} device {d} forgotten", "still listed by AdminListDevices"
                            )
                        continue
                    seen = ctx.remembered_status(self.users[u], key)
                    if seen != state:
                        raise CheckFailure(
                            REQ, f"user {u} device {d} {state}", f"AdminGetDevice shows {seen}"
                        )

    return DeviceMachine


@case(
    "STATE-MACHINE",
    ops=(
        "UpdateDeviceStatus",
        "ForgetDevice",
        "GetDevice",
        "ListDevices",
        "AdminGetDevice",
        "AdminListDevices",
    ),
)
def state_machine(ctx: CaseContext) -> None:
    ctx.require(
        "UpdateDeviceStatus", "ForgetDevice", "GetDevice", "ListDevices", "AdminGetDevice", "AdminListDevices"
    )
    runs, steps = state_machine_shape(ctx.examples)
    options = settings(
        max_examples=runs,
        stateful_step_count=steps,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate, *([Phase.shrink] if ctx.session.settings.shrink else [])],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )
    try:
        run_state_machine_as_test(machine_for(ctx), settings=options)
    except CheckFailure as failure:
        trail = [n for n in getattr(failure, "__notes__", []) if "state." in n or "=" in n]
        if trail:
            failure.actual = f"{failure.actual}; steps: {' | '.join(trail[:20])}"
        raise
