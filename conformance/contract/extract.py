"""Take the part of the cognito-idp model the suite touches out of botocore, and pin it.

The extract holds the operations below with the closure of their shapes, documentation stripped
(it changes often and says nothing about the wire), the botocore version it came from and a sha256
over its canonical JSON, so that drift and tampering are both visible.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import botocore
from botocore.loaders import Loader

SERVICE = "cognito-idp"
OPERATION = "UpdateDeviceStatus"

DEVICE_OPERATIONS = (
    "ConfirmDevice",
    "GetDevice",
    "ListDevices",
    "UpdateDeviceStatus",
    "ForgetDevice",
    "AdminGetDevice",
    "AdminListDevices",
    "AdminUpdateDeviceStatus",
    "AdminForgetDevice",
)

# What provisioning (pools, clients, users, SRP sign-in, revocation) calls.
PROVISIONING_OPERATIONS = (
    "CreateUserPool",
    "DescribeUserPool",
    "DeleteUserPool",
    "CreateUserPoolClient",
    "DescribeUserPoolClient",
    "DeleteUserPoolClient",
    "AdminCreateUser",
    "AdminSetUserPassword",
    "AdminGetUser",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminDeleteUser",
    "AdminResetUserPassword",
    "ListUsers",
    "ListUserPools",
    "ListUserPoolClients",
    "GetUser",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "AdminInitiateAuth",
    "AdminRespondToAuthChallenge",
    "GlobalSignOut",
    "AdminUserGlobalSignOut",
    "RevokeToken",
)

EXTRACTED_OPERATIONS = DEVICE_OPERATIONS + PROVISIONING_OPERATIONS


def load_botocore_model(source: Path | None = None) -> tuple[dict[str, Any], str]:
    """The full cognito-idp model and the botocore version it belongs to.

    `source` may be a botocore package directory (an unpacked wheel of another version), a
    `service-2.json[.gz]` file, or a pinned extract; None means the installed botocore.
    """
    if source is None:
        return dict(Loader().load_service_model(SERVICE, "service-2")), botocore.__version__
    if source.is_dir():
        return _load_from_package_dir(source)
    data = _read_json(source)
    if "model" in data and "source" in data:  # a pinned extract
        return data["model"], str(data["source"]["botocore_version"])
    return data, "unknown"


def _load_from_package_dir(root: Path) -> tuple[dict[str, Any], str]:
    package = root / "botocore" if (root / "botocore").is_dir() else root
    candidates = sorted((package / "data" / SERVICE).glob("*/service-2.json*"))
    if not candidates:
        raise FileNotFoundError(f"no {SERVICE} model under {package / 'data'}")
    version = "unknown"
    init = package / "__init__.py"
    if init.exists():
        for line in init.read_text().splitlines():
            if line.startswith("__version__"):
                version = line.split("=", 1)[1].strip().strip("'\"")
    return _read_json(candidates[-1]), version


def _read_json(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return data


def _strip_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_docs(v) for k, v in value.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(value, list):
        return [_strip_docs(v) for v in value]
    return value


def shape_closure(shapes: dict[str, Any], roots: list[str]) -> set[str]:
    """Every shape reachable from `roots` through members, list members and map keys/values."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        stack.extend(refs)
    return seen


def extract(full: dict[str, Any], operations: tuple[str, ...] = EXTRACTED_OPERATIONS) -> dict[str, Any]:
    """The sub-model: metadata, the named operations (those present) and the closure of their shapes."""
    ops = {name: full["operations"][name] for name in operations if name in full["operations"]}
    roots: list[str] = []
    for op in ops.values():
        roots += [op[k]["shape"] for k in ("input", "output") if k in op]
        roots += [e["shape"] for e in op.get("errors", [])]
    names = shape_closure(full["shapes"], roots)
    stripped: dict[str, Any] = _strip_docs(
        {
            "version": full.get("version", "2.0"),
            "metadata": full["metadata"],
            "operations": dict(sorted(ops.items())),
            "shapes": {n: full["shapes"][n] for n in sorted(names)},
        }
    )
    return stripped


def canonical_sha256(model: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(model, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def pinned_document(model: dict[str, Any], botocore_version: str) -> dict[str, Any]:
    return {
        "source": {
            "service": SERVICE,
            "api_version": model["metadata"]["apiVersion"],
            "botocore_version": botocore_version,
            "operations": list(model["operations"]),
            "made_by": "cognito-conformance extract",
        },
        "sha256": canonical_sha256(model),
        "model": model,
    }


def write_extract(path: Path, source: Path | None = None) -> dict[str, Any]:
    full, version = load_botocore_model(source)
    document = pinned_document(extract(full), version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    return document
