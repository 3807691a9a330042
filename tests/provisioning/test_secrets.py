"""No token, password or device secret in any log line or exception message the suite produces."""

from __future__ import annotations

import logging

import pytest

from conformance.errors import SuiteError
from conformance.provisioning import FixtureUnavailable, Pool, Provisioner, User
from conformance.secrets import SECRETS
from conformance.targets import open_target
from tests.leaks import tokens_in
from tests.targets.servers import Served, echo_error


def secrets_of(users: list[User]) -> list[str]:
    values: list[str] = []
    for user in users:
        values += [user.password, user.access_token, user.id_token or "", user.refresh_token or ""]
        values += [d.password for d in user.devices]
    return [v for v in values if v]


def assert_clean(text: str, secrets: list[str]) -> None:
    assert not tokens_in(text)
    leaked = [s[:4] + "..." + text[max(0, text.find(s) - 150) : text.find(s)] for s in secrets if s in text]
    assert not leaked, f"secrets in output: {leaked}"


@pytest.mark.parametrize("kind", ["reference-http", "moto"])
def test_provisioning_logs_and_errors_carry_no_secrets(
    kind: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)  # botocore's DEBUG lines carry request and response bodies
    messages: list[str] = []
    users: list[User] = []
    with open_target(kind) as target:
        provisioner = Provisioner(target, run_id="secrets")
        try:
            try:
                users.append(provisioner.user(devices=2))
            except FixtureUnavailable as exc:
                messages.append(str(exc))
                users += provisioner.created.users
            users.append(provisioner.user(devices=0))
            user = users[-1]
            logging.getLogger("conformance.test").info("user %r devices %r", user, user.devices)  # reprs
            for variant in ("expired", "no-admin-scope"):
                try:
                    provisioner.minted_token(user, variant)
                except FixtureUnavailable as exc:
                    messages.append(str(exc))
            provisioner.revoke(user)
            try:
                provisioner.revoke(user)  # the second time, tokens already revoked: does the reason echo it?
            except FixtureUnavailable as exc:
                messages.append(str(exc))
            for u in users:
                messages += [repr(u), str(u)]
        finally:
            provisioner.close()
    assert any(r.name.startswith("botocore") for r in caplog.records)
    captured = capsys.readouterr()
    secrets = secrets_of(users)
    assert len(secrets) >= 4
    assert_clean(caplog.text + captured.out + captured.err + "\n".join(messages), secrets)


def test_a_target_echoing_secrets_does_not_leak_them_through_reasons(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    served = Served(echo_error)
    try:
        with open_target(served.url) as target:
            token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNlY3JldA"
            password = "Hunter2-very-secret-password!"
            SECRETS.add(token, "$ACCESS_TOKEN")
            SECRETS.add(password, "$PASSWORD")
            pool = Pool(id="us-east-1_abc", client_id="client")
            user = User(username="ccf-echo-user-1", password=password, pool=pool, access_token=token)
            provisioner = Provisioner(target, run_id="echo")
            with pytest.raises(FixtureUnavailable) as revoked:
                provisioner.revoke(user)
            with pytest.raises(FixtureUnavailable) as signed_in:
                provisioner.sign_in(user)
            with pytest.raises(SuiteError) as staging:
                Provisioner(target, run_id="echo", user_pool_id=pool.id, client_id=password)
            provisioner.close()
    finally:
        served.stop()
    messages = [str(revoked.value), str(signed_in.value), str(staging.value)]
    assert "$ACCESS_TOKEN" in messages[0]  # echoed, then redacted
    assert_clean(caplog.text + "\n".join(messages), [token, password])
