"""Cognito user-pool API quota categories and their default request rates (per account and region).

AWS throttles by category, not by operation: UpdateDeviceStatus and ConfirmDevice share
UserResourceUpdate's 25 requests per second. Rates are AWS's defaults ("Amazon Cognito user pools API
operation categories and request rate quotas"; specs/sources/aws-behaviour.md's table for the device
operations).
Pacing at the defaults is safe for any account, since adjusted quotas are only ever higher.
"""

from __future__ import annotations

QUOTA_RPS: dict[str, float] = {
    "UserAuthentication": 120,
    "UserCreation": 50,
    "UserFederation": 25,
    "UserAccountRecovery": 30,
    "UserRead": 120,
    "UserUpdate": 25,
    "UserToken": 120,
    "UserResourceRead": 50,
    "UserResourceUpdate": 25,
    "UserList": 30,
    "UserPoolRead": 15,
    "UserPoolUpdate": 15,
    "UserPoolResourceRead": 20,
    "UserPoolResourceUpdate": 15,
    "UserPoolClientRead": 15,
    "UserPoolClientUpdate": 15,
    "ClientAuthentication": 150,
    # Not an AWS category: operations we do not know, and raw requests we cannot name, are paced as
    # strictly as the slowest user-pool category.
    "Uncategorized": 15,
}

_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "UserAuthentication": (
        "InitiateAuth",
        "RespondToAuthChallenge",
        "AdminInitiateAuth",
        "AdminRespondToAuthChallenge",
    ),
    "UserCreation": ("AdminCreateUser", "SignUp", "ConfirmSignUp", "AdminConfirmSignUp"),
    "UserAccountRecovery": (
        "AdminResetUserPassword",
        "AdminSetUserPassword",
        "ChangePassword",
        "ForgotPassword",
        "ConfirmForgotPassword",
    ),
    "UserRead": ("AdminGetUser", "GetUser"),
    "UserUpdate": (
        "AdminDeleteUser",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminUserGlobalSignOut",
        "GlobalSignOut",
        "AdminUpdateUserAttributes",
        "DeleteUser",
        "UpdateUserAttributes",
    ),
    "UserToken": ("RevokeToken", "GetTokensFromRefreshToken"),
    "UserList": ("ListUsers", "ListUsersInGroup"),
    "UserResourceRead": ("AdminGetDevice", "AdminListDevices", "GetDevice", "ListDevices"),
    "UserResourceUpdate": (
        "AdminForgetDevice",
        "AdminUpdateDeviceStatus",
        "ConfirmDevice",
        "ForgetDevice",
        "UpdateDeviceStatus",
    ),
    "UserPoolRead": ("DescribeUserPool", "ListUserPools"),
    "UserPoolUpdate": ("CreateUserPool", "DeleteUserPool", "UpdateUserPool"),
    "UserPoolClientRead": ("DescribeUserPoolClient", "ListUserPoolClients"),
    "UserPoolClientUpdate": ("CreateUserPoolClient", "DeleteUserPoolClient", "UpdateUserPoolClient"),
}

QUOTA_CATEGORY: dict[str, str] = {op: category for category, ops in _BY_CATEGORY.items() for op in ops}
UNCATEGORIZED = "Uncategorized"


def category_of(operation: str | None) -> str:
    return QUOTA_CATEGORY.get(operation or "", UNCATEGORIZED)


def rps_of(category: str) -> float:
    return QUOTA_RPS.get(category, QUOTA_RPS[UNCATEGORIZED])
