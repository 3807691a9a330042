"""Defence in depth for every report file: scrub the results before rendering, redact the text after.

`conformance.secrets` replaces registered secrets and anything JWT-shaped. On top of that, values
under keys that name a secret (passwords, refresh / ID / session tokens, SigV4 headers) are replaced
wherever they appear, including inside JSON bodies carried as strings, since a report renders the
example exchanges a target answered and a target may echo what it was sent.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from conformance.secrets import redact, redact_obj

PLACEHOLDER = "<redacted>"
# Member and header names whose values are secrets, compared lower-cased without '_' and '-'
# (Cognito's request members, auth-flow parameters and challenge responses, HTTP auth headers).
SECRET_NAMES = frozenset(
    {
        "password", "temporarypassword", "proposedpassword", "previouspassword", "newpassword",
        "secrethash", "clientsecret", "devicesecret", "refreshtoken", "idtoken", "sessiontoken",
        "session", "srpa", "passwordclaimsignature", "authorization", "cookie", "setcookie",
        "xamzsecuritytoken", "secretaccesskey", "awssecretaccesskey",
    }
)  # fmt: skip
_HINT = re.compile(r"password|secret|token|session|srp|authorization|cookie|signature", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    return re.sub(r"[-_\s]", "", name).lower() in SECRET_NAMES


def _scrub_keys(value: Any) -> tuple[Any, bool]:
    """A copy with secret-named members replaced; also says whether anything was replaced."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        changed = False
        for key, item in value.items():
            if is_secret_name(str(key)) and item not in (None, ""):
                out[str(key)] = PLACEHOLDER
                changed = True
            else:
                out[str(key)], sub = _scrub_keys(item)
                changed = changed or sub
        return out, changed
    if isinstance(value, list):
        items = [_scrub_keys(v) for v in value]
        return [v for v, _ in items], any(c for _, c in items)
    if isinstance(value, str) and value[:1] in "{[" and _HINT.search(value):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value, False
        scrubbed, changed = _scrub_keys(parsed)
        # Re-serialised only when a secret was found, so an example body keeps its exact bytes otherwise.
        return (json.dumps(scrubbed, ensure_ascii=False), True) if changed else (value, False)
    return value, False


def scrub(results: Any) -> Any:
    """A redacted deep copy of a results document (or any JSON-like value)."""
    scrubbed, _ = _scrub_keys(results)
    return redact_obj(scrubbed)


_TAG = re.compile(r"<[^<>]*>")


def redact_markup(text: str) -> str:
    """`redact` for HTML or XML: a placeholder such as `<redacted>` that the pass puts into the text is
    escaped, so it cannot become a tag. (Only reached if a secret got past `scrub`.)"""
    out = redact(text)
    if out == text:
        return out
    ours = set(_TAG.findall(text))
    return _TAG.sub(lambda m: m.group(0) if m.group(0) in ours else html.escape(m.group(0)), out)


def write_redacted(path: Path, text: str, markup: bool = False) -> None:
    """Write text (UTF-8) after a last redaction pass, creating parent directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(redact_markup(text) if markup else redact(text), encoding="utf-8")
