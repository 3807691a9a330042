"""One function per operation, grouped by subject; `OPERATIONS` maps each X-Amz-Target name to its handler."""

from __future__ import annotations

from . import devices, pools, revocation, signin, users
from .common import Context, Handler

OPERATIONS: dict[str, Handler] = {
    # pools and app clients
    "CreateUserPool": pools.create_user_pool,
    "DescribeUserPool": pools.describe_user_pool,
    "DeleteUserPool": pools.delete_user_pool,
    "CreateUserPoolClient": pools.create_user_pool_client,
    "DescribeUserPoolClient": pools.describe_user_pool_client,
    "DeleteUserPoolClient": pools.delete_user_pool_client,
    "ListUserPools": pools.list_user_pools,
    "ListUserPoolClients": pools.list_user_pool_clients,
    # users
    "AdminCreateUser": users.admin_create_user,
    "AdminSetUserPassword": users.admin_set_user_password,
    "AdminGetUser": users.admin_get_user,
    "AdminDisableUser": users.admin_disable_user,
    "AdminEnableUser": users.admin_enable_user,
    "AdminDeleteUser": users.admin_delete_user,
    "AdminResetUserPassword": users.admin_reset_user_password,
    "ListUsers": users.list_users,
    "GetUser": users.get_user_self,
    # sign-in
    "InitiateAuth": signin.initiate_auth,
    "AdminInitiateAuth": signin.admin_initiate_auth,
    "RespondToAuthChallenge": signin.respond_to_auth_challenge,
    "AdminRespondToAuthChallenge": signin.admin_respond_to_auth_challenge,
    # revocation
    "GlobalSignOut": revocation.global_sign_out,
    "AdminUserGlobalSignOut": revocation.admin_user_global_sign_out,
    "RevokeToken": revocation.revoke_token,
    # devices
    "ConfirmDevice": devices.confirm_device,
    "GetDevice": devices.get_device,
    "ListDevices": devices.list_devices,
    "UpdateDeviceStatus": devices.update_device_status,
    "ForgetDevice": devices.forget_device,
    "AdminGetDevice": devices.admin_get_device,
    "AdminListDevices": devices.admin_list_devices,
    "AdminUpdateDeviceStatus": devices.admin_update_device_status,
    "AdminForgetDevice": devices.admin_forget_device,
}

__all__ = ["OPERATIONS", "Context", "Handler"]
