"""One request sent to a target and what came back (or why nothing did).

Every path to a target (botocore, raw HTTP, in-process) produces an Exchange, so checks and the
oracle read one shape. Reading the error identity follows awsJson1_1: the `X-Amzn-ErrorType`
header first, then the body's `__type` or `code`, sanitised (before the first ':', after '#').
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Exchange:
    operation: str | None
    request_headers: dict[str, str]
    request_body: bytes
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    # No HTTP answer: "connection refused", "timeout after 10s", "NotImplementedError: ...".
    error: str | None = None
    elapsed_s: float = 0.0

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def json(self) -> Any:
        """The parsed body, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body.strip() else None
        except ValueError:
            return None

    @property
    def raw_error_type(self) -> str | None:
        """The error identity as sent, before sanitising: the header first, as clients read it."""
        header = self.headers.get("x-amzn-errortype")
        if header:
            return header
        body = self.json
        if isinstance(body, dict):
            for key in ("__type", "code"):
                if isinstance(body.get(key), str):
                    return str(body[key])
        return None

    @property
    def error_type(self) -> str | None:
        return _sanitise(self.raw_error_type)

    @property
    def header_error_type(self) -> str | None:
        """The type named by X-Amzn-ErrorType alone, sanitised."""
        return _sanitise(self.headers.get("x-amzn-errortype"))

    @property
    def body_error_type(self) -> str | None:
        """The type named by the body's __type (or code) alone, sanitised."""
        body = self.json
        if isinstance(body, dict):
            for key in ("__type", "code"):
                if isinstance(body.get(key), str):
                    return _sanitise(str(body[key]))
        return None

    @property
    def message(self) -> str | None:
        body = self.json
        if isinstance(body, dict):
            for key in ("message", "Message", "errorMessage"):
                if isinstance(body.get(key), str):
                    return str(body[key])
        return None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def request_json(self) -> Any:
        try:
            return json.loads(self.request_body)
        except ValueError:
            return None

    def summary(self) -> str:
        """A short line for reasons: status and error type, or the transport failure."""
        if not self.answered:
            return f"no answer ({self.error})"
        if self.ok:
            return f"HTTP {self.status}"
        return f"HTTP {self.status} {self.error_type or '(no error type)'}: {self.message or ''}".rstrip(": ")


def _sanitise(raw: str | None) -> str | None:
    """awsJson1_1: keep the part before the first ':', then the part after '#'."""
    if raw is None:
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1]


def members(body: bytes) -> dict[str, Any]:
    """A raw request's members, when its body is a JSON object (else none: nothing it names)."""
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
