"""A recording's answers to the questions the catalog leaves open, as Markdown for the evidence files.

Where the documentation is silent the catalog says INFORMATIONAL, and the reference makes a choice. A
recording of real AWS settles each question: this prints what the recorded target answered, with the
recording's date, region and suite version, ready to paste into the evidence the catalog cites
(pinned under `specs/sources/`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .compare import error_type, message

Step = dict[str, Any]


@dataclass(frozen=True)
class Question:
    title: str
    case: str  # the case whose recorded steps answer it
    operations: tuple[str, ...]  # the steps that answer it (by operation)
    keep: Callable[[Step], bool] = lambda step: True


def _invalid_parameter(step: Step) -> bool:
    return error_type(step.get("answer") or {}) == "InvalidParameterException"


QUESTIONS = (
    Question(
        "UpdateDeviceStatus without DeviceRememberedStatus: the answer, and the status read back",
        "VAL-STATUS-OMITTED",
        ("UpdateDeviceStatus", "AdminGetDevice"),
    ),
    Question(
        '"DeviceRememberedStatus": null, against omitting it',
        "VAL-NULL-AS-ABSENT",
        ("UpdateDeviceStatus", "AdminGetDevice"),
    ),
    Question("Unknown members in the request", "VAL-UNKNOWN-MEMBER", ("UpdateDeviceStatus",)),
    Question(
        "The validation message for a DeviceKey that breaks its pattern",
        "VAL-DEVICEKEY-PATTERN",
        ("UpdateDeviceStatus",),
        _invalid_parameter,
    ),
    Question(
        "The validation message for several violations at once",
        "VAL-MULTIPLE",
        ("UpdateDeviceStatus",),
        _invalid_parameter,
    ),
    Question(
        "AdminListDevices after not_remembered",
        "STATE-NOT-REMEMBERED-KEEPS",
        ("UpdateDeviceStatus", "AdminListDevices", "AdminGetDevice"),
    ),
    Question(
        "ListDevices (the user's view) after not_remembered",
        "STATE-USER-VIEW",
        ("UpdateDeviceStatus", "ListDevices"),
    ),
)
MAX_STEPS = 4  # per question: the first few answers say it; the file has the rest


def _answer_line(step: Step) -> str:
    answer = step.get("answer") or {}
    status = answer.get("status")
    kind, text = error_type(answer), message(answer)
    if kind:
        return f"HTTP {status} {kind}: {text!r}" if text else f"HTTP {status} {kind}"
    body = answer.get("body")
    return f"HTTP {status} {json.dumps(body, sort_keys=True)[:300]}"


def _request_line(step: Step) -> str:
    body = (step.get("request") or {}).get("body", "")
    return f"{step.get('operation')} {body[:300]}"


def evidence_markdown(recording: dict[str, Any]) -> str:
    target = recording.get("target") or {}
    lines = [
        f"## Recorded answers: {target.get('kind', '?')} {target.get('region', '?')}, "
        f"{recording.get('recorded_at', '?')}",
        "",
        f"Recorded by cognito-conformance {recording.get('suite_version', '?')} "
        f"(`run --record`; botocore model {(recording.get('model') or {}).get('botocore', '?')}). "
        "Names in angle brackets stand for the run's own ids and tokens.",
    ]
    steps = [s for s in recording.get("steps", []) if s.get("kind") == "request"]
    for question in QUESTIONS:
        found = [
            s
            for s in steps
            if s.get("case") == question.case
            and s.get("attempt", 1) == 1
            and s.get("operation") in question.operations
            and question.keep(s)
        ]
        lines += ["", f"### {question.title}", "", f"Case `{question.case}`:"]
        if not found:
            lines.append("- not in this recording (the case was not run, or sent nothing)")
        for step in found[:MAX_STEPS]:
            lines.append(f"- `{_request_line(step)}`  \n  → {_answer_line(step)}")
        if len(found) > MAX_STEPS:
            lines.append(f"- ... {len(found) - MAX_STEPS} more step(s) in the recording")
    errors = sorted(
        {
            kind
            for s in steps
            if s.get("operation") == "UpdateDeviceStatus" and (kind := error_type(s.get("answer") or {}))
        }
    )
    lines += ["", "### Error types UpdateDeviceStatus answered in this run", ""]
    lines.append(", ".join(f"`{e}`" for e in errors) if errors else "none")
    return "\n".join(lines)
