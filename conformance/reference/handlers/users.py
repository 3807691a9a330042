"""Users: AdminCreateUser ... ListUsers, GetUser. Passwords are kept only as SRP verifiers."""

from __future__ import annotations

import re
import secrets
import string
import uuid
from typing import Any

from ... import srp
from ..errors import CognitoError, invalid_parameter
from ..sessions import authorize
from ..state import BackendState
from ..store import CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, Pool, User
from .common import Context, get_pool, get_user, page, user_attributes

_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"


def set_password(pool: Pool, user: User, password: str) -> None:
    """Store v = g^x for the password (USER_ID_FOR_SRP is the username), never the password itself."""
    user.salt_hex = srp.new_salt_hex()
    user.verifier = srp.verifier_for_password(
        pool_or_group=srp.pool_name(pool.id), user_id=user.username, password=password, salt_hex=user.salt_hex
    )


def password_matches(pool: Pool, user: User, password: str) -> bool:
    if not user.salt_hex:
        return False
    candidate = srp.verifier_for_password(
        pool_or_group=srp.pool_name(pool.id), user_id=user.username, password=password, salt_hex=user.salt_hex
    )
    return secrets.compare_digest(candidate.to_bytes(384, "big"), user.verifier.to_bytes(384, "big"))


def check_policy(pool: Pool, password: str) -> None:
    """The pool's password policy, with AWS's wording for the first rule broken."""
    policy = pool.description["Policies"]["PasswordPolicy"]
    problems = [
        (len(password) < policy.get("MinimumLength", 8), "Password not long enough"),
        (
            policy.get("RequireLowercase") and not re.search("[a-z]", password),
            "Password must have lowercase characters",
        ),
        (
            policy.get("RequireUppercase") and not re.search("[A-Z]", password),
            "Password must have uppercase characters",
        ),
        (
            policy.get("RequireNumbers") and not re.search("[0-9]", password),
            "Password must have numeric characters",
        ),
        (
            policy.get("RequireSymbols") and not any(c in _SYMBOLS for c in password),
            "Password must have symbol characters",
        ),
    ]
    for broken, text in problems:
        if broken:
            raise CognitoError("InvalidPasswordException", f"Password does not conform to policy: {text}")


def _temporary_password() -> str:
    body = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
    return f"Aa1!{body}"


def user_json(user: User, attributes_key: str = "Attributes") -> dict[str, Any]:
    return {
        "Username": user.username,
        attributes_key: user_attributes(user),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.last_modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }


def admin_create_user(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    username = p["Username"]
    existing = pool.user(username)
    if p.get("MessageAction") == "RESEND":
        # RESEND re-sends the invitation of an existing user; nothing is sent here.
        return {"User": user_json(get_user(backend, ctx, pool, username))}
    if existing is not None:
        raise CognitoError("UsernameExistsException", "User account already exists")
    password = p.get("TemporaryPassword") or _temporary_password()
    check_policy(pool, password)
    now = backend.now()
    attributes = {
        a["Name"]: a.get("Value", "") for a in p.get("UserAttributes") or [] if a.get("Name") != "sub"
    }
    user = User(
        username=username, sub=str(uuid.uuid4()), created=now, last_modified=now, attributes=attributes
    )
    set_password(pool, user, password)
    pool.users[pool.user_key(username)] = user
    # Without MessageAction=SUPPRESS AWS e-mails an invitation; the reference sends nothing either way.
    return {"User": user_json(user)}


def admin_set_user_password(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    user = get_user(backend, ctx, pool, p["Username"])
    check_policy(pool, p["Password"])
    set_password(pool, user, p["Password"])
    user.status = CONFIRMED if p.get("Permanent") else FORCE_CHANGE_PASSWORD
    user.last_modified = backend.now()
    return {}


def admin_get_user(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    return user_json(get_user(backend, ctx, pool, p["Username"]), "UserAttributes")


def admin_disable_user(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    user = get_user(backend, ctx, pool, p["Username"])
    user.enabled = False
    user.last_modified = backend.now()
    backend.store.revoke_user_sessions(pool.id, user.sub)  # AWS: disabling revokes the user's tokens
    return {}


def admin_enable_user(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    user = get_user(backend, ctx, pool, p["Username"])
    user.enabled = True
    user.last_modified = backend.now()
    return {}


def admin_delete_user(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    user = get_user(backend, ctx, pool, p["Username"])
    del pool.users[pool.user_key(user.username)]
    backend.store.forget_user(pool.id, user.sub)
    # Sessions are kept: a deleted user's token then fails on the user lookup (UserNotFoundException).
    return {}


def admin_reset_user_password(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    user = get_user(backend, ctx, pool, p["Username"])
    # AWS sends a code by e-mail/SMS; the password stops working until the user sets a new one.
    user.status = RESET_REQUIRED
    user.last_modified = backend.now()
    return {}


_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$')
_FILTERABLE = {
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
}


def list_users(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    pool = get_pool(backend, p["UserPoolId"])
    users = sorted(pool.users.values(), key=lambda u: (u.created, u.username))
    if p.get("Filter"):
        match = _FILTER.match(p["Filter"])
        if not match or match.group(1) not in _FILTERABLE:
            raise invalid_parameter("Error while parsing filter.")
        name, op, wanted = match.groups()

        def value(u: User) -> str:
            if name == "username":
                return u.username
            if name == "sub":
                return u.sub
            if name == "cognito:user_status":
                return u.status
            if name == "status":
                return "Enabled" if u.enabled else "Disabled"
            return u.attributes.get(name, "")

        users = [u for u in users if (value(u).startswith(wanted) if op == "^=" else value(u) == wanted)]
    chunk, token = page(users, p.get("Limit"), p.get("PaginationToken"))
    out: dict[str, Any] = {"Users": [user_json(u) for u in chunk]}
    if token:
        out["PaginationToken"] = token
    return out


def get_user_self(backend: BackendState, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    caller = authorize(backend, p.get("AccessToken"), ctx.operation)
    return {"Username": caller.user.username, "UserAttributes": user_attributes(caller.user)}
