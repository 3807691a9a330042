"""The Provisioner: managed pools or a staging pool, users signed in with SRP, confirmed devices, and
cleanup of everything it created.

Managed mode (no user_pool_id) creates, lazily, a pool with device tracking and an app client allowing
USER_SRP_AUTH, and deletes its pools at the end (a pool takes its users, clients and devices with it).
Staging mode validates the given pool and client at construction, creates only run-unique users there,
and deletes exactly those. Every name starts with `ccf-{run_id}-`, so a person (or a sweep) can tell
what a run made. What the run created is recorded *before* the call that creates it where the name is
ours (users), and as soon as the answer names it where it is not (pools), so cleanup after an interrupt
or a lost answer still finds it.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from ..errors import SuiteError, TargetUnreachable
from ..secrets import SECRETS, redact
from ..targets import ControlError, Target
from .model import Device, FixtureUnavailable, Pool, Tokens, User
from .signin import (
    SignInTrace,
    confirm_device,
    expect_ok,
    seek_device_metadata,
    sign_in,
    srp_sign_in,
    srp_sign_in_trace,
)

log = logging.getLogger("conformance.provisioning")

DEVICE_TRACKING = {"ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False}


def device_tracking(remember_on_prompt: bool) -> dict[str, bool]:
    """The DeviceConfiguration a managed pool is given: devices remembered at once, or on the prompt."""
    return {**DEVICE_TRACKING, "DeviceOnlyRememberedOnUserPrompt": remember_on_prompt}


# SRP is the documented flow; the password flows are there for targets whose SRP does not work.
AUTH_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
]
SYNTHESIZED = (
    "synthesized device: no sign-in flow the target offers gave NewDeviceMetadata, so the suite made the "
    "device key ({region}_{uuid}) and ConfirmDevice took it (the target FAILs FLOW-NEW-DEVICE-METADATA here)"
)
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
_GONE = frozenset({"ResourceNotFoundException", "UserNotFoundException"})


@dataclass
class Created:
    """What this provisioner made and has not deleted yet."""

    pools: list[Pool] = field(default_factory=list)  # managed pools (their clients go with them)
    users: list[User] = field(default_factory=list)
    # A CreateUserPool without an answer may have created a pool we cannot name: sweep by prefix at close.
    unanswered_pool_creations: int = 0

    def names(self) -> list[str]:
        return [p.name or p.id for p in self.pools] + [u.username for u in self.users]


def _note(user: User, line: str | None) -> None:
    if line and line not in user.provenance:
        user.provenance.append(line)


def new_password() -> str:
    """Random, and within any Cognito password policy: long, with upper, lower, digit and symbol."""
    return secrets.token_urlsafe(24) + "aA1!"


M = TypeVar("M", bound=Callable[..., Any])


def action(method: M) -> M:
    """A provisioning action a case may ask for: a recording run records it as a step of its own
    (`conformance/parity/recorder.py`), which a replay performs again on its target."""

    @functools.wraps(method)
    def recorded(self: Provisioner, *args: Any, **kwargs: Any) -> Any:
        if self.recorder is None:
            return method(self, *args, **kwargs)
        with self.recorder.action(method.__name__, args, kwargs) as made:
            result = method(self, *args, **kwargs)
            made(result)
            return result

    return cast(M, recorded)


class Provisioner:
    def __init__(
        self,
        target: Target,
        *,
        run_id: str,
        user_pool_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> None:
        if not _RUN_ID.match(run_id):
            raise SuiteError(f"run id {run_id!r} must be 1-40 letters, digits and '-'")
        if (user_pool_id is None) != (client_id is None):
            raise SuiteError("staging mode needs both --user-pool-id and --client-id")
        self.target = target
        self.run_id = run_id
        self.prefix = f"ccf-{run_id}-"
        self.staging = user_pool_id is not None
        self.created = Created()
        self.leftovers: list[str] = []  # what close() could not delete (named in a warning)
        self._lock = threading.RLock()
        self._numbers = itertools.count(1)
        self._primary: Pool | None = None
        self._second: Pool | None = None
        self._prompt: Pool | None = None
        self._closed = False
        self.email_note: str | None = None
        self.recorder: Any = None  # a parity Recorder, when the run is recorded
        SECRETS.add(client_secret, "$CLIENT_SECRET")
        if user_pool_id is not None and client_id is not None:
            self._primary = self._validate_staging(user_pool_id, client_id, client_secret)

    # --- pools ---------------------------------------------------------------------------------------------

    def _name(self, kind: str) -> str:
        return f"{self.prefix}{kind}-{next(self._numbers)}"

    def _validate_staging(self, pool_id: str, client_id: str, client_secret: str | None) -> Pool:
        """Refuse (exit 2, one line) a pool without device tracking or a client without SRP sign-in."""
        described = self.target.provision_call("DescribeUserPool", {"UserPoolId": pool_id})
        if not described.answered:
            raise TargetUnreachable(f"cannot read user pool {pool_id}: {described.summary()}")
        if not described.ok:
            raise SuiteError(f"cannot read user pool {pool_id}: {described.summary()}")
        pool = (described.json or {}).get("UserPool") or {}
        if not pool.get("DeviceConfiguration"):
            raise SuiteError(
                f"user pool {pool_id} does not track devices: turn on device tracking "
                "(DeviceConfiguration, 'Remember user devices') for the pool, or run without --user-pool-id"
            )
        app = self.target.provision_call(
            "DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id}
        )
        if not app.ok:
            raise SuiteError(f"cannot read app client {client_id} of {pool_id}: {app.summary()}")
        client = (app.json or {}).get("UserPoolClient") or {}
        flows = client.get("ExplicitAuthFlows")
        if flows and "ALLOW_USER_SRP_AUTH" not in flows:
            raise SuiteError(
                f"app client {client_id} does not allow SRP sign-in: add ALLOW_USER_SRP_AUTH to its "
                "ExplicitAuthFlows (authentication flows)"
            )
        secret = client_secret or client.get("ClientSecret") or None
        SECRETS.add(secret, "$CLIENT_SECRET")
        prompt = (pool.get("DeviceConfiguration") or {}).get("DeviceOnlyRememberedOnUserPrompt")
        return Pool(
            id=pool_id,
            client_id=client_id,
            client_secret=secret,
            name=pool.get("Name"),
            managed=False,
            remember_on_prompt=prompt is True,
        )

    def _create_pool(self, *, remember_on_prompt: bool = False) -> Pool:
        name = self._name("pool")
        answer = self.target.provision_call(
            "CreateUserPool",
            {
                "PoolName": name,
                "DeviceConfiguration": device_tracking(remember_on_prompt),
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "UserPoolTags": {"created-by": "cognito-conformance", "run-id": self.run_id},
            },
        )
        if not answer.answered:
            with self._lock:
                self.created.unanswered_pool_creations += 1
        pool_id = str((expect_ok(answer, "CreateUserPool").get("UserPool") or {}).get("Id") or "")
        if not pool_id:
            raise FixtureUnavailable("CreateUserPool answered without a pool id")
        pool = Pool(id=pool_id, client_id="", name=name, remember_on_prompt=remember_on_prompt)
        with self._lock:
            self.created.pools.append(pool)
        log.info("created user pool %s (%s)", name, pool_id)
        client = expect_ok(
            self.target.provision_call(
                "CreateUserPoolClient",
                {
                    "UserPoolId": pool_id,
                    "ClientName": self._name("client"),
                    "ExplicitAuthFlows": AUTH_FLOWS,
                    "GenerateSecret": False,
                },
            ),
            "CreateUserPoolClient",
        )
        pool.client_id = str((client.get("UserPoolClient") or {}).get("ClientId") or "")
        if not pool.client_id:
            raise FixtureUnavailable("CreateUserPoolClient answered without a client id")
        return pool

    @action
    def pool(self) -> Pool:
        """The run's pool: the staging pool, or a managed pool created on first use."""
        self._check_open()
        with self._lock:
            if self._primary is None:
                self._primary = self._create_pool()
            return self._primary

    @action
    def second_pool(self) -> Pool:
        """Another pool with device tracking (created once, shared). Managed mode only."""
        self._check_open()
        if self.staging:
            raise FixtureUnavailable(
                "staging mode creates no pools: a second pool needs managed mode", limit=True
            )
        self.pool()  # the primary first, so names and cleanup stay in order
        with self._lock:
            if self._second is None:
                self._second = self._create_pool()
            return self._second

    @action
    def prompt_pool(self) -> Pool:
        """A pool that remembers devices only on the user's prompt (DeviceOnlyRememberedOnUserPrompt
        true; created once, shared). Managed mode only."""
        self._check_open()
        if self.staging:
            raise FixtureUnavailable(
                "staging mode creates no pools: a prompt pool needs managed mode", limit=True
            )
        self.pool()
        with self._lock:
            if self._prompt is None:
                self._prompt = self._create_pool(remember_on_prompt=True)
            return self._prompt

    # --- users ---------------------------------------------------------------------------------------------

    @action
    def user(self, *, devices: int = 1, pool: Pool | None = None, namesake: User | None = None) -> User:
        """A new user signed in, with `devices` confirmed, remembered devices.

        The documented way: USER_SRP_AUTH, each device from its own sign-in's NewDeviceMetadata, then
        ConfirmDevice with a real verifier. Where the target gets part of that wrong, provisioning adapts
        and says how in `user.provenance`: an email-shaped username for a pool that demands one, tokens
        from a password flow where SRP fails, a device key the suite made where no NewDeviceMetadata
        comes (never on AWS). The user keeps the latest sign-in's tokens. A `namesake` (a user of another
        pool) gives the new user its username: the same name in two pools is two users."""
        if devices < 0:
            raise ValueError("devices must be >= 0")
        pool = pool or self.pool()
        user = self._create_user(pool, namesake.username if namesake is not None else None)
        if devices == 0:
            tokens, note = sign_in(self.target, pool, user.username, user.password)
            user.take(tokens)
            _note(user, note)
        for _ in range(devices):
            user.devices.append(self.new_device(user))
        return user

    @action
    def new_device(self, user: User) -> Device:
        """A sign-in of the user and a device confirmed from it (its NewDeviceMetadata, or a key the suite
        makes where none comes, never on AWS); the user takes the sign-in's tokens."""
        self._check_open()
        tokens, note = sign_in(self.target, user.pool, user.username, user.password)
        _note(user, note)
        tokens, found = seek_device_metadata(self.target, user.pool, user.username, user.password, tokens)
        _note(user, found)
        user.take(tokens)
        device = confirm_device(
            self.target,
            user.pool,
            user.username,
            tokens,
            name=self._name("device"),
            synthesize=self.target.kind != "aws",
        )
        for line in ([SYNTHESIZED] if device.synthesized else []) + device.notes:
            _note(user, line)
        return device

    def _create_user(self, pool: Pool, username: str | None = None) -> User:
        """AdminCreateUser with a permanent password; an email-shaped name where the pool wants one."""
        for _ in range(2):
            name = self._name("user")
            user = User(
                username=username or (f"{name}@example.com" if pool.email_usernames else name),
                password=new_password(),
                pool=pool,
            )
            SECRETS.add(user.password, "$PASSWORD")
            with self._lock:
                self.created.users.append(user)  # before the call: a lost answer may still have created it
            answer = self.target.provision_call(
                "AdminCreateUser",
                {"UserPoolId": pool.id, "Username": user.username, "MessageAction": "SUPPRESS"},
            )
            if not answer.ok and not pool.email_usernames and "email" in (answer.message or "").lower():
                # "Username should be an email.": some emulators' pools (and some staging pools) say so.
                with self._lock:
                    self.created.users.remove(user)
                pool.email_usernames = True
                self.email_note = f"email-shaped usernames (AdminCreateUser: {answer.summary()})"
                continue
            expect_ok(answer, "AdminCreateUser")
            break
        log.info("created user %s in %s", user.username, pool.id)
        if pool.email_usernames and self.email_note:
            user.provenance.append(self.email_note)
        expect_ok(
            self.target.provision_call(
                "AdminSetUserPassword",
                {
                    "UserPoolId": pool.id,
                    "Username": user.username,
                    "Password": user.password,
                    "Permanent": True,
                },
            ),
            "AdminSetUserPassword",
        )
        return user

    @action
    def sign_in(self, user: User, *, device: Device | None = None) -> Tokens:
        """A fresh SRP sign-in; with `device`, through DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER."""
        self._check_open()
        return srp_sign_in(self.target, user.pool, user.username, user.password, device=device)

    @action
    def sign_in_trace(self, user: User, *, device: Device | None = None) -> SignInTrace:
        """A fresh SRP sign-in as it went (the challenges asked, then tokens or where it stopped), for
        the cases that judge the sign-in itself: what the target answered is data, not a missing fixture."""
        self._check_open()
        return srp_sign_in_trace(self.target, user.pool, user.username, user.password, device=device)

    @action
    def revoke(self, user: User) -> None:
        """GlobalSignOut with the user's access token: every token issued so far is revoked."""
        expect_ok(
            self.target.provision_call("GlobalSignOut", {"AccessToken": user.access_token}), "GlobalSignOut"
        )

    def _admin(self, operation: str, user: User, **extra: Any) -> None:
        self._check_open()
        params = {"UserPoolId": user.pool.id, "Username": user.username, **extra}
        expect_ok(self.target.provision_call(operation, params), operation)

    @action
    def disable(self, user: User) -> None:
        self._admin("AdminDisableUser", user)
        user.state = "disabled"

    @action
    def delete(self, user: User) -> None:
        self._admin("AdminDeleteUser", user)
        user.state = "deleted"
        with self._lock:  # gone: nothing left to clean up
            if user in self.created.users:
                self.created.users.remove(user)

    @action
    def reset_password(self, user: User) -> None:
        """AdminResetUserPassword. AWS refuses it for a user with no verified email or phone (and would
        send a code otherwise); the case is then BLOCKED with AWS's words."""
        self._admin("AdminResetUserPassword", user)
        user.state = "reset"

    @action
    def forget(self, user: User, device: Device) -> None:
        """AdminForgetDevice: by the admin API, so it does not depend on the user's token."""
        self._admin("AdminForgetDevice", user, DeviceKey=device.key)
        device.forgotten = True

    @action
    def minted_token(self, user: User, variant: str) -> str:
        """A token from the test-control path: "no-admin-scope", "expired", "other-pool" or "valid"."""
        controls = self.target.controls
        if controls is None:
            raise FixtureUnavailable(
                f"target has no test-control path (GET /_reference/): no {variant} access token "
                f"can be made on the {self.target.kind} target",
                limit=True,
            )
        try:
            return controls.mint_access_token(user.pool.id, user.username, variant)
        except ControlError as exc:
            raise FixtureUnavailable(str(exc)) from None

    # --- cleanup -------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise FixtureUnavailable("provisioning is closed (the run is cleaning up)", limit=True)

    def close(self, deadline_s: float | None = None) -> None:
        """Delete what this provisioner created; idempotent, and it never raises for the target's answers.

        `deadline_s`: every cleanup call within about that long, each with a short timeout (after a signal
        the run must end soon, even when the target hangs); what is left is named in the warning."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if deadline_s is None:
            self._delete_created()
        else:
            with self.target.bounded(deadline_s):
                self._delete_created()
        self.leftovers = self.created.names()
        if self.leftovers:
            log.warning("could not delete what the run created: %s", redact(", ".join(self.leftovers)))

    def _delete_created(self) -> None:
        managed_ids = {p.id for p in self.created.pools}
        for user in list(self.created.users):
            if user.pool.id in managed_ids:
                continue  # deleted with its pool
            if user.state == "deleted" or self._delete_user(user):
                self.created.users.remove(user)
        for pool in reversed(list(self.created.pools)):
            if self._delete_pool(pool):
                self.created.pools.remove(pool)
                self.created.users = [u for u in self.created.users if u.pool.id != pool.id]
        if self.created.unanswered_pool_creations:
            self._sweep_pools()

    def _delete_user(self, user: User) -> bool:
        answer = self.target.provision_call(
            "AdminDeleteUser", {"UserPoolId": user.pool.id, "Username": user.username}
        )
        if answer.ok or answer.error_type in _GONE:
            log.info("deleted user %s", user.username)
            return True
        log.warning("deleting user %s failed: %s", user.username, redact(answer.summary()))
        return False

    def _delete_pool(self, pool: Pool) -> bool:
        answer = self.target.provision_call("DeleteUserPool", {"UserPoolId": pool.id})
        if answer.ok or answer.error_type in _GONE:
            log.info("deleted user pool %s (%s)", pool.name, pool.id)
            return True
        log.warning("deleting user pool %s failed: %s", pool.id, redact(answer.summary()))
        # The pool stays; at least take its users out of it.
        for user in [u for u in self.created.users if u.pool.id == pool.id and u.state != "deleted"]:
            self._delete_user(user)
        return False

    def _sweep_pools(self) -> None:
        """Pools named as ours that no answer named to us (ListUserPools, where the target has it)."""
        known = {p.id for p in self.created.pools}
        # Exactly the names `_name("pool")` gives: a prefix match would also take the pools of a run whose
        # id merely starts with ours plus "-" (run "ci" vs run "ci-2": "ccf-ci-2-pool-1" starts "ccf-ci-").
        ours = re.compile(re.escape(self.prefix) + r"pool-[0-9]+")
        token: str | None = None
        for _ in range(20):  # 20 pages of 60: more than any account holds
            params: dict[str, Any] = {"MaxResults": 60, **({"NextToken": token} if token else {})}
            answer = self.target.provision_call("ListUserPools", params)
            if not answer.ok:
                log.warning(
                    "could not list user pools to find unnamed leftovers: %s", redact(answer.summary())
                )
                return
            body = answer.json or {}
            for pool in body.get("UserPools") or []:
                if ours.fullmatch(str(pool.get("Name", ""))) and pool.get("Id") not in known:
                    lost = Pool(id=str(pool["Id"]), client_id="", name=str(pool["Name"]))
                    if not self._delete_pool(lost):
                        self.created.pools.append(lost)
            token = body.get("NextToken")
            if not token:
                return
