"""An independent reading of the model's constraints: which rules does a JSON request break?

This walks botocore shapes directly (no JSON Schema, no Hypothesis), so it can cross-check both the
derived schemas and the strategies' labels, and the reference mock validates its input with it.
awsJson1_1 treats `"member": null` as absent, so null is only a violation where the member is required.
Lengths count code points, as JSON Schema does (AWS, in Java, counts UTF-16 units: equal below U+10000).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from .javaregex import UnsupportedPattern, full_match


class Kind(StrEnum):
    MISSING = "missing"
    NULL = "null"
    TYPE = "type"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    PATTERN = "pattern"
    ENUM = "enum"
    UNKNOWN_MEMBER = "unknown_member"


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (a member path such as `DeviceKey`), which rule, and the rule's value."""

    path: str
    kind: Kind
    constraint: Any = None
    sensitive: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"member": self.path, "kind": str(self.kind), "constraint": self.constraint}


JSON_TYPES: dict[str, str] = {
    "structure": "object",
    "map": "object",
    "list": "array",
    "string": "string",
    "blob": "string",
    "boolean": "boolean",
    "integer": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "timestamp": "number",
}


def json_type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def type_ok(shape: Shape, value: Any) -> bool:
    expected = JSON_TYPES.get(shape.type_name, "any")
    actual = json_type_of(value)
    return expected == actual or (expected == "number" and actual == "integer")


def check(shape: Shape, value: Any, path: str = "") -> list[Violation]:
    """Every violation of `shape`'s constraints by `value`, in member order."""
    sensitive = bool(shape.serialization.get("sensitive") or getattr(shape, "metadata", {}).get("sensitive"))
    if not type_ok(shape, value):
        return [Violation(path, Kind.TYPE, JSON_TYPES.get(shape.type_name), sensitive)]
    meta = shape.metadata
    found: list[Violation] = []
    if isinstance(shape, StructureShape):
        found += _check_structure(shape, value, path)
    elif isinstance(shape, ListShape):
        found += _check_length(len(value), meta, path, sensitive)
        for i, item in enumerate(value):
            found += check(shape.member, item, f"{path}[{i}]") if item is not None else []
    elif isinstance(shape, MapShape):
        found += _check_length(len(value), meta, path, sensitive)
        for key, item in value.items():
            found += check(shape.key, key, f"{path}.key")
            found += check(shape.value, item, f"{path}[{key}]") if item is not None else []
    elif shape.type_name == "string":
        found += _check_length(len(value), meta, path, sensitive)
        if "pattern" in meta:
            try:
                if not full_match(meta["pattern"], value):
                    found.append(Violation(path, Kind.PATTERN, meta["pattern"], sensitive))
            except UnsupportedPattern:
                pass  # a pattern we cannot model is not checked (none on UpdateDeviceStatus)
        if shape.enum and value not in shape.enum:
            found.append(Violation(path, Kind.ENUM, list(shape.enum), sensitive))
    elif shape.type_name in ("integer", "long"):
        if "min" in meta and value < meta["min"]:
            found.append(Violation(path, Kind.TOO_SMALL, meta["min"], sensitive))
        if "max" in meta and value > meta["max"]:
            found.append(Violation(path, Kind.TOO_LARGE, meta["max"], sensitive))
    return found


def _check_length(length: int, meta: dict[str, Any], path: str, sensitive: bool) -> list[Violation]:
    if "min" in meta and length < meta["min"]:
        return [Violation(path, Kind.TOO_SHORT, meta["min"], sensitive)]
    if "max" in meta and length > meta["max"]:
        return [Violation(path, Kind.TOO_LONG, meta["max"], sensitive)]
    return []


def _check_structure(shape: StructureShape, value: dict[str, Any], path: str) -> list[Violation]:
    found: list[Violation] = []
    required = set(shape.required_members)
    prefix = f"{path}." if path else ""
    for name, member in shape.members.items():
        member_path = prefix + name
        sensitive = bool(member.serialization.get("sensitive") or member.metadata.get("sensitive"))
        if name not in value:
            if name in required:
                found.append(Violation(member_path, Kind.MISSING, None, sensitive))
        elif value[name] is None:
            if name in required:
                found.append(Violation(member_path, Kind.NULL, None, sensitive))
        else:
            found += check(member, value[name], member_path)
    for name in value:
        if name not in shape.members:
            found.append(Violation(prefix + name, Kind.UNKNOWN_MEMBER, sorted(shape.members)))
    return found


def check_input(operation: Any, params: Any) -> list[Violation]:
    """Violations of an operation's input shape (`operation` is a botocore OperationModel)."""
    return check(operation.input_shape, params)
