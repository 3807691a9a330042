"""Redact what libraries log: botocore's DEBUG lines carry request and response bodies (tokens,
passwords), moto and urllib3 may echo them too.

A filter on a logger sees only records created by that logger (not its children), so the filter goes on
every logger of those libraries that exists, and again each time a target opens (new modules, new
loggers). The record's message is rendered, redacted, and frozen.
"""

from __future__ import annotations

import logging

from ..secrets import redact

LIBRARIES = ("botocore", "boto3", "urllib3", "requests", "moto", "werkzeug", "s3transfer")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep only its template
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def install_redacting_filters() -> None:
    names = [n for n in logging.root.manager.loggerDict if n.split(".", 1)[0] in LIBRARIES]
    for name in [*LIBRARIES, *names]:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
