"""Turn the model's constraint violations into the errors Cognito answers.

Cognito (a Coral service) reports every broken constraint in one InvalidParameterException:
"2 validation errors detected: Value 'x' at 'deviceKey' failed to satisfy constraint: ...; Value ...".
Member paths are lower camel case; sensitive values (tokens, passwords) are never echoed
("Value at 'accessToken' failed ..."); a missing required member reads like a null one.
A JSON value of the wrong type cannot be deserialised at all, so it is a SerializationException.
Unknown members are ignored, as AWS's JSON services do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel

from ..contract.constraints import Kind, Violation, check_input
from .errors import CognitoError, invalid_parameter

_CONSTRAINT_TEXT: dict[Kind, Callable[[Any], str]] = {
    Kind.MISSING: lambda c: "Member must not be null",
    Kind.NULL: lambda c: "Member must not be null",
    Kind.TOO_SHORT: lambda c: f"Member must have length greater than or equal to {c}",
    Kind.TOO_LONG: lambda c: f"Member must have length less than or equal to {c}",
    Kind.TOO_SMALL: lambda c: f"Member must have value greater than or equal to {c}",
    Kind.TOO_LARGE: lambda c: f"Member must have value less than or equal to {c}",
    Kind.PATTERN: lambda c: f"Member must satisfy regular expression pattern: {c}",
    Kind.ENUM: lambda c: f"Member must satisfy enum value set: [{', '.join(c)}]",
}


def validate(operation: OperationModel, params: dict[str, Any]) -> None:
    """Raise the CognitoError AWS would answer for `params`, or return if they satisfy the model."""
    violations = [v for v in check_input(operation, params) if v.kind is not Kind.UNKNOWN_MEMBER]
    wrong_type = [v for v in violations if v.kind is Kind.TYPE]
    if wrong_type:
        # Undocumented message; the type is what clients act on.
        where, expected = wire_path(wrong_type[0].path, params), wrong_type[0].constraint
        message = f"Unexpected JSON type at '{where}'; expected {expected}"
        raise CognitoError("SerializationException", message)
    if violations:
        parts = [describe(v, params) for v in violations]
        noun = "validation error" if len(parts) == 1 else "validation errors"
        raise invalid_parameter(f"{len(parts)} {noun} detected: " + "; ".join(parts))


def describe(violation: Violation, params: dict[str, Any]) -> str:
    """One clause: "Value 'x' at 'deviceKey' failed to satisfy constraint: Member must ..."."""
    path = wire_path(violation.path, params)
    text = _CONSTRAINT_TEXT[violation.kind](violation.constraint)
    if violation.kind in (Kind.MISSING, Kind.NULL):
        return f"Value null at '{path}' failed to satisfy constraint: {text}"
    if violation.sensitive:
        return f"Value at '{path}' failed to satisfy constraint: {text}"
    return (
        f"Value '{_render(_lookup(params, violation.path))}' at '{path}' failed to satisfy constraint: {text}"
    )


def wire_path(path: str, params: Any) -> str:
    """`DeviceSecretVerifierConfig.Salt` -> `deviceSecretVerifierConfig.salt`; list items as Coral names them
    (`UserAttributes[0].Name` -> `userAttributes.1.member.name`, 1-based). A map value keeps its key as
    it came (`ChallengeResponses[USERNAME]` -> `challengeResponses[USERNAME]`, `[5]` too): the checker
    writes list indices and map keys alike, so `params` tells which a bracket is."""
    parts: list[str] = []
    value = params
    for name, key in re.findall(r"([^.\[\]]+)|\[([^\]]*)\]", path):
        if name:
            parts.append(("." if parts else "") + name[:1].lower() + name[1:])
            value = value.get(name) if isinstance(value, dict) else None
        elif isinstance(value, list) and key.isascii() and key.isdigit():
            parts.append(f".{int(key) + 1}.member")
            value = value[int(key)] if int(key) < len(value) else None
        else:
            parts.append(f"[{key}]")
            value = value.get(key) if isinstance(value, dict) else None
    return "".join(parts)


def _lookup(params: Any, path: str) -> Any:
    """The value at a checker path (`A.B[2]`, map values as `A[key]`); None if it cannot be followed."""
    value = params
    for name, index in re.findall(r"([^.\[\]]+)|\[([^\]]*)\]", path):
        key: Any = name or index
        if isinstance(value, list):
            try:
                value = value[int(key)]
            except (ValueError, IndexError):
                return None
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def _render(value: Any) -> str:
    """Java's toString of the value, as Coral prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    return str(value)
