"""The call budget of provisioning, known before anything is sent (`--dry-run`).

Counts mirror Provisioner exactly (tests/provisioning checks them against a real run's call log).
"""

from __future__ import annotations

from collections import Counter

# What each fixture operation costs, for callers that add fixtures to the budget.
FIXTURE_CALLS: dict[str, dict[str, int]] = {
    "sign_in": {"InitiateAuth": 1, "RespondToAuthChallenge": 1},
    "sign_in_device": {"InitiateAuth": 1, "RespondToAuthChallenge": 3},
    "revoke": {"GlobalSignOut": 1},
    "disable": {"AdminDisableUser": 1},
    "delete": {"AdminDeleteUser": 1},
    "reset_password": {"AdminResetUserPassword": 1},
    "forget": {"AdminForgetDevice": 1},
}


def provisioning_plan(
    users: int, devices_per_user: int, pools: int, *, staging: bool = False
) -> dict[str, int]:
    """Calls by operation to make `users` users with `devices_per_user` devices each, in `pools` managed
    pools (ignored in staging mode, which uses the given pool), and to clean them up."""
    if min(users, devices_per_user, pools) < 0:
        raise ValueError("counts must be >= 0")
    plan: Counter[str] = Counter()
    if staging:
        plan.update({"DescribeUserPool": 1, "DescribeUserPoolClient": 1, "AdminDeleteUser": users})
    elif pools:
        plan.update({"CreateUserPool": pools, "CreateUserPoolClient": pools, "DeleteUserPool": pools})
    sign_ins = users * max(devices_per_user, 1)
    plan.update(
        {
            "AdminCreateUser": users,
            "AdminSetUserPassword": users,
            "InitiateAuth": sign_ins,
            "RespondToAuthChallenge": sign_ins,
            "ConfirmDevice": users * devices_per_user,
        }
    )
    return {op: n for op, n in sorted(plan.items()) if n}


def plan_total(plan: dict[str, int]) -> int:
    return sum(plan.values())
