"""Redact what libraries log: botocore's DEBUG lines carry request and response bodies (tokens,
passwords), moto and urllib3 may echo them too.

A filter on a logger sees only records created by that logger (not its children), so the filter goes on
every logger of those libraries that exists, and again each time a target opens (new modules, new
loggers). The record's message is rendered, redacted, and frozen.
"""

from __future__ import annotations

import logging
import re

from ..secrets import redact

# Values logged before the suite could register them (botocore logs a response body before it is parsed:
# an opaque refresh token is no JWT) are caught by the JSON member that carries them.
SECRET_MEMBERS = (
    "AccessToken",
    "IdToken",
    "RefreshToken",
    "Password",
    "TemporaryPassword",
    "ProposedPassword",
    "ClientSecret",
    "PasswordVerifier",
    "Session",
    "PASSWORD",
    "NEW_PASSWORD",
    "REFRESH_TOKEN",
    "SECRET_HASH",
    "PASSWORD_CLAIM_SIGNATURE",
    "DEVICE_PASSWORD",
)
_MEMBER = re.compile(r'("(?:' + "|".join(SECRET_MEMBERS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')


def redact_members(text: str) -> str:
    return _MEMBER.sub(r'\1"<redacted>"', text)


LIBRARIES = ("botocore", "boto3", "urllib3", "requests", "moto", "werkzeug", "s3transfer")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep only its template
            message = str(record.msg)
        record.msg = redact_members(redact(message))
        record.args = None
        if record.exc_text:
            record.exc_text = redact_members(redact(record.exc_text))
        return True


_FILTER = RedactingFilter()


def install_redacting_filters() -> None:
    names = [n for n in logging.root.manager.loggerDict if n.split(".", 1)[0] in LIBRARIES]
    for name in [*LIBRARIES, *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
