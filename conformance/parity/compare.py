"""What "the same answer" means in a replay: the status, the error type, the message, the shape of the
body and its values, once both sides are named and normalised (`recorder.answer_of`).

What a provisioning action made is compared by name, and a sign-in by how it went (`made_differences`).

Ids a target makes itself and the suite never names (a user's `sub`, inside a device's attributes)
differ from run to run: two values that differ only in such ids are the same when the ids pair up one
to one over the whole replay (`Pairing`), as two runs of one program may number things differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .placeholders import OPAQUE_ID


@dataclass(frozen=True)
class Difference:
    field: str  # "status", "error type", "message", "body shape", "body.<path>"
    recorded: Any
    replayed: Any

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "recorded": self.recorded, "replayed": self.replayed}

    def describe(self) -> str:
        return f"{self.field}: recorded {self.recorded!r}, replayed {self.replayed!r}"


@dataclass
class Pairing:
    """Target-made ids of the recording and of the replay, paired one to one as they are met."""

    recorded: dict[str, str] = field(default_factory=dict)
    replayed: dict[str, str] = field(default_factory=dict)

    def same(self, a: Any, b: Any) -> bool:
        if a == b:
            return True
        if not isinstance(a, str) or not isinstance(b, str):
            return False
        ids_a, ids_b = OPAQUE_ID.findall(a), OPAQUE_ID.findall(b)
        if not ids_a or len(ids_a) != len(ids_b) or OPAQUE_ID.sub("#", a) != OPAQUE_ID.sub("#", b):
            return False
        pairs = list(zip(ids_a, ids_b, strict=True))
        if any(self.recorded.get(x, y) != y or self.replayed.get(y, x) != x for x, y in pairs):
            return False
        for x, y in pairs:
            self.recorded[x], self.replayed[y] = y, x
        return True


def error_type(answer: dict[str, Any]) -> str | None:
    """awsJson1_1's error identity: X-Amzn-ErrorType first, then the body's __type (sanitised)."""
    body = answer.get("body")
    raw = (answer.get("headers") or {}).get("x-amzn-errortype")
    if not raw and isinstance(body, dict):
        raw = body.get("__type") or body.get("code")
    return str(raw).split(":", 1)[0].rsplit("#", 1)[-1] if raw else None


def message(answer: dict[str, Any]) -> str | None:
    body = answer.get("body")
    if isinstance(body, dict):
        for key in ("message", "Message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return None


def shape(value: Any) -> Any:
    """The body's skeleton: member names and JSON types, lists as the union of their items' shapes."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [shape(v) for v in value]
        return (
            [next(iter(items))] if items and all(i == items[0] for i in items) else sorted(map(repr, items))
        )
    return type(value).__name__


def _sorted(value: Any) -> Any:
    """Lists of named items (DeviceAttributes, Devices) compared whatever their order."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        for key in ("Name", "DeviceKey", "Username"):
            if items and all(isinstance(i, dict) and key in i for i in items):
                return sorted(items, key=lambda i: str(i[key]))
        return items
    return value


def _leaves(value: Any, path: str = "body") -> dict[str, Any]:
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for k, v in value.items():
            found |= _leaves(v, f"{path}.{k}")
        return found
    if isinstance(value, list):
        found = {}
        for i, v in enumerate(value):
            found |= _leaves(v, f"{path}[{i}]")
        return found
    return {path: value}


def differences(
    recorded: dict[str, Any], replayed: dict[str, Any], pairing: Pairing | None = None
) -> list[Difference]:
    """How the replayed answer differs from the recorded one; [] is parity."""
    pairing = pairing or Pairing()
    found: list[Difference] = []
    if recorded.get("status") != replayed.get("status"):
        found.append(Difference("status", recorded.get("status"), replayed.get("status")))
    media = [
        str((a.get("headers") or {}).get("content-type", "")).split(";")[0] for a in (recorded, replayed)
    ]
    if media[0] != media[1]:
        found.append(Difference("content type", media[0] or None, media[1] or None))
    if error_type(recorded) != error_type(replayed):
        found.append(Difference("error type", error_type(recorded), error_type(replayed)))
    if not pairing.same(message(recorded), message(replayed)):
        found.append(Difference("message", message(recorded), message(replayed)))
    a, b = _sorted(recorded.get("body")), _sorted(replayed.get("body"))
    if shape(a) != shape(b):
        found.append(Difference("body shape", shape(a), shape(b)))
    elif a != b:
        left, right = _leaves(a), _leaves(b)
        skip = {"body.message", "body.Message", "body.__type"}  # reported above
        for path in sorted(set(left) | set(right)):
            if path not in skip and not pairing.same(left.get(path), right.get(path)):
                found.append(Difference(path, left.get(path), right.get(path)))
    return found


def made_differences(recorded: Any, replayed: Any) -> list[Difference]:
    """How what an action made on the replay differs from what it made on the recording: a user, device
    or token by its name (an access token's name says which sign-in gave it), and a sign-in by how it
    went: the challenges answered, in order, and for a sign-in judged in parts where it stopped and the
    error type (a target that skips the device challenges still gives tokens). Every field the
    recording kept is compared; one it did not keep (an older recording) is not."""
    if not isinstance(recorded, dict) or not isinstance(replayed, dict):
        return [] if recorded == replayed else [Difference("made", recorded, replayed)]
    return [
        Difference(f"made.{key}", value, replayed.get(key))
        for key, value in recorded.items()
        if replayed.get(key) != value
    ]
