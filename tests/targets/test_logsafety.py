"""Library log lines are redacted: registered secrets, JWT shapes, and secret JSON members."""

from __future__ import annotations

import logging

import pytest

from conformance.secrets import SECRETS
from conformance.targets.logsafety import install_redacting_filters, redact_members


def test_secret_members_are_redacted() -> None:
    body = '{"RefreshToken":"opaque\\"x","DeviceKey":"us-east-1_a","PASSWORD_CLAIM_SIGNATURE": "sig"}'
    assert redact_members(body) == (
        '{"RefreshToken":"<redacted>","DeviceKey":"us-east-1_a","PASSWORD_CLAIM_SIGNATURE": "<redacted>"}'
    )


def test_botocore_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_redacting_filters()
    SECRETS.add("registered-secret-value", "$PASSWORD")
    caplog.set_level(logging.DEBUG)
    logging.getLogger("botocore.endpoint").debug(
        "body %s %s", b'{"Session":"abc"}', "registered-secret-value eyJa.eyJb.c"
    )
    assert caplog.records[-1].getMessage() == 'body b\'{"Session":"<redacted>"}\' $PASSWORD $ACCESS_TOKEN'
