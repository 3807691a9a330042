"""Compare the pinned extract with another botocore (the installed one by default) and say what changed.

Drift is real: the seed page lists 10 errors for UpdateDeviceStatus, botocore 1.44 lists 11
(OperationNotEnabledException, for secondary replica regions). Lists of `{"shape": ...}` references
(an operation's errors) are compared as sets, so a reordering is not reported as a change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .extract import EXTRACTED_OPERATIONS, OPERATION, extract, load_botocore_model, shape_closure
from .model import PinnedModel, pinned


def diff(old: Any, new: Any, path: str = "") -> list[str]:
    """Readable differences from `old` (pinned) to `new` (the other botocore)."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for key in sorted(set(old) | set(new)):
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"- {where}: only in the pinned model")
            elif key not in old:
                lines.append(f"+ {where}: only in the other model")
            else:
                lines += diff(old[key], new[key], where)
        return lines
    if _is_ref_list(old) and _is_ref_list(new):
        gone = sorted({r["shape"] for r in old} - {r["shape"] for r in new})
        added = sorted({r["shape"] for r in new} - {r["shape"] for r in old})
        return [f"- {path}: {name} only in the pinned model" for name in gone] + [
            f"+ {path}: {name} only in the other model" for name in added
        ]
    if old != new:
        return [f"~ {path}: {_short(old)} -> {_short(new)}"]
    return []


def _is_ref_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and set(v) == {"shape"} for v in value)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 100 else text[:97] + "..."


def drift_report(source: Path | None = None, model: PinnedModel | None = None) -> tuple[str, list[str]]:
    """(the other botocore's version, the difference lines); no lines means no drift."""
    model = model or pinned()
    full, version = load_botocore_model(source)
    other = extract(full, EXTRACTED_OPERATIONS)
    mine = {k: v for k, v in model.model.items() if k != "metadata"}
    theirs = {k: v for k, v in other.items() if k != "metadata"}
    return version, diff(mine, theirs)


def concerns_operation(line: str, model: PinnedModel, operation: str = OPERATION) -> bool:
    """Whether a difference line is about `operation` itself or one of the shapes it reaches."""
    op = model.model["operations"][operation]
    roots = [op[k]["shape"] for k in ("input", "output") if k in op] + [
        e["shape"] for e in op.get("errors", [])
    ]
    path = line[2:].split(":", 1)[0]
    parts = path.split(".")
    if parts[0] == "operations":
        return len(parts) > 1 and parts[1] == operation
    return len(parts) > 1 and parts[1] in shape_closure(model.model["shapes"], roots)
