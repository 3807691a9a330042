"""Secrets never leave the process: every token, password and device secret the suite handles is
registered here, and everything that is printed, logged or written passes through `redact`.

Besides the registered values, anything shaped like a JWT is replaced, so a token the suite never
saw (one minted by a target, echoed in an error) cannot slip out either.
"""

from __future__ import annotations

import re
import threading
from typing import Any

JWT_SHAPE = re.compile(r"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
MIN_SECRET_LENGTH = 6  # shorter values would redact ordinary words


class SecretRegistry:
    """A set of secret strings, each with the placeholder that replaces it in output."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}

    def add(self, value: str | None, placeholder: str = "<redacted>") -> None:
        if value and len(value) >= MIN_SECRET_LENGTH:
            with self._lock:
                self._secrets[value] = placeholder

    def redact(self, text: str) -> str:
        with self._lock:
            items = sorted(self._secrets.items(), key=lambda kv: -len(kv[0]))
        for value, placeholder in items:
            if value in text:
                text = text.replace(value, placeholder)
        return JWT_SHAPE.sub("$ACCESS_TOKEN", text)

    def redact_obj(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string redacted (keys included)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self.redact(str(k)): self.redact_obj(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact_obj(v) for v in value]
        if isinstance(value, bytes):
            return self.redact(value.decode("utf-8", "replace"))
        return value


# The process-wide registry: provisioning adds to it, every output goes through it.
SECRETS = SecretRegistry()


def redact(text: str) -> str:
    return SECRETS.redact(text)


def redact_obj(value: Any) -> Any:
    return SECRETS.redact_obj(value)
