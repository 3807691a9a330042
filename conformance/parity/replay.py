"""Replaying a recording against a target: provision as the recorded run did, resend each replayable
request with this target's own values, and tell for each step whether the answer is the recorded one.

Provisioning actions are performed again (by the same Provisioner methods, named the same way, so each
recorded name gets this target's value) and compared by what they made (`compare.made_differences`:
names, and how a sign-in went). Requests are sent as recorded, names put back, a forged token forged
again from this target's own tokens by the recorded recipe (`send_raw`, or botocore where the target
has no wire path). A step whose names this target cannot give (a fixture it could not make) or whose
request held a secret is not replayed, and says why.

Each recorded case becomes a case result: PASS when every replayed step answered as recorded, FAIL
when one did not (the first difference is its reason), BLOCKED when nothing could be replayed. The
whole comparison is the results document's `parity` section.
"""

from __future__ import annotations

import json
import secrets as random_source
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import conformance.cases  # noqa: F401  (registers every case: a recording names them)
from conformance.contract.catalog import catalog
from conformance.contract.constraints import type_ok
from conformance.contract.model import pinned
from conformance.engine import results
from conformance.engine.registry import CASES
from conformance.errors import SuiteError
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.provisioning import Provisioner
from conformance.provisioning.signin import device_confirmation
from conformance.secrets import redact, redact_obj
from conformance.targets import RawUnsupported, Target, open_target

from .compare import Difference, Pairing, differences, made_differences
from .placeholders import Placeholders, Unresolved
from .recorder import FORMAT, RECOMPUTED, RUN, SIGNED, SIGNED_HEADER, Recorder, answer_of

SAME, DIFFERENT, NOT_REPLAYED = "same", "different", "not replayed"


@dataclass
class StepParity:
    case: str
    attempt: int
    step: int
    kind: str
    what: str  # the operation, or the action
    parity: str
    reason: str | None = None
    differences: list[Difference] = field(default_factory=list)
    recorded: Any = None
    replayed: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "attempt": self.attempt,
            "step": self.step,
            "kind": self.kind,
            "what": self.what,
            "parity": self.parity,
            "reason": self.reason,
            "differences": [d.as_json() for d in self.differences],
            "recorded": self.recorded,
            "replayed": self.replayed,
        }


def load(path: Path) -> dict[str, Any]:
    """A recording, or a SuiteError in one line (exit 2)."""
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise SuiteError(f"cannot read the recording {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SuiteError(f"{path} is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SuiteError(f"{path} is not a recording ({FORMAT}): make one with `run --record FILE`")
    return document


class Replayer:
    def __init__(self, target: Target, provisioner: Provisioner) -> None:
        self.target = target
        self.provisioner = provisioner
        self.names = Placeholders(target.region, provisioner.prefix, provisioner.run_id)
        # Actions performed here are named as the recording named them (the same code names them).
        self.recorder = Recorder(self.names, target=target, settings={})
        provisioner.recorder = self.recorder
        self.pairing = Pairing()

    def step(self, step: dict[str, Any]) -> StepParity:
        kind = str(step.get("kind"))
        head = (str(step.get("case")), int(step.get("attempt", 1)), int(step.get("step", 0)), kind)
        if kind == "action":
            return self._action(head, step.get("action") or {})
        parity = StepParity(*head, what=str(step.get("operation")), parity=NOT_REPLAYED)
        parity.recorded = step.get("answer")
        if not step.get("replayable"):
            parity.reason = "the request held a secret (an SRP value, a derived token): not sent again"
            return parity
        request = step.get("request") or {}
        try:
            headers = {k: self.names.concrete(v) for k, v in dict(request.get("headers") or {}).items()}
            body = self.names.concrete(str(request.get("body", "")))
        except Unresolved as exc:
            parity.reason = f"{exc} has no counterpart here (its fixture could not be made)"
            return parity
        body = self._recompute(body)
        exchange = self._send(parity.what, headers, body)
        if exchange is None:
            parity.reason = "this target has no wire path for a request botocore cannot send"
            return parity
        parity.replayed = answer_of(exchange, self.names)
        parity.differences = differences(parity.recorded or {}, parity.replayed, self.pairing)
        parity.parity = DIFFERENT if parity.differences else SAME
        return parity

    def _recompute(self, body: str) -> str:
        """A ConfirmDevice's verifier made anew for this target's device key and group key."""
        try:
            params = json.loads(body)
        except ValueError:
            return body
        if not isinstance(params, dict) or RECOMPUTED not in params:
            return body
        key = str(params.get("DeviceKey", ""))
        name = self.names.names.get(key, "")
        group = self.names.values.get(name[:-1] + ".group>") if name else None
        if group is None:
            return body  # a key the suite made up in the case: its verifier stays as recorded (redacted)
        fresh, _ = device_confirmation(
            str(params.get("AccessToken", "")), key, group, name=str(params.get("DeviceName", ""))
        )
        return json.dumps({**params, RECOMPUTED: fresh[RECOMPUTED]})

    def _send(self, operation: str, headers: dict[str, str], body: str) -> Any:
        if headers.pop(SIGNED_HEADER, None) == SIGNED:
            return self._signed(operation, body)
        try:
            return self.target.send_raw(headers, body.encode(), operation=operation)
        except RawUnsupported:
            try:
                return self.target.call(operation, json.loads(body))
            except (ValueError, TypeError):
                return None

    def _signed(self, operation: str, body: str) -> Any:
        """A request recorded signed: sent through botocore, signed with this run's credentials, with
        exactly the recorded body."""
        try:
            params = json.loads(body)
        except ValueError:
            params = None
        # What botocore can serialise (the exact body replaces it before signing: CaseContext.send).
        members = pinned().operation(operation).input_shape.members
        known = (
            {k: v for k, v in params.items() if k in members and v is not None and type_ok(members[k], v)}
            if isinstance(params, dict)
            else {}
        )
        try:
            return self.target.call(operation, known, signed=True, exact_body=body.encode())
        except (ValueError, TypeError):
            return None

    def _action(self, head: tuple[str, int, int, str], action: dict[str, Any]) -> StepParity:
        name = str(action.get("name"))
        parity = StepParity(*head, what=name, parity=NOT_REPLAYED)
        parity.recorded = {"made": action.get("made"), "error": action.get("error")}
        method = getattr(self.provisioner, name, None)
        if method is None or name.startswith("_"):
            parity.reason = f"unknown provisioning action {name!r}"
            return parity
        try:
            args = [self.names.resolve(a) for a in action.get("args", [])]
            kwargs = {k: self.names.resolve(v) for k, v in dict(action.get("kwargs") or {}).items()}
        except Unresolved as exc:
            parity.reason = f"{exc} has no counterpart here (its fixture could not be made)"
            return parity
        try:
            made = method(*args, **kwargs)
            replayed: dict[str, Any] = {"made": self.recorder.made_of(made), "error": None}
        except Exception as exc:  # a fixture this target cannot give: a difference, not a crash
            replayed = {
                "made": None,
                "error": f"{type(exc).__name__}: {redact(self.names.abstract(str(exc)))}",
            }
        parity.replayed = redact_obj(replayed)
        found = []
        if bool(parity.recorded["error"]) != bool(replayed["error"]):
            found.append(
                Difference("fixture", parity.recorded["error"] or "made", replayed["error"] or "made")
            )
        elif not replayed["error"]:
            found = made_differences(parity.recorded["made"], parity.replayed["made"])
        parity.differences = found
        parity.parity = DIFFERENT if found else SAME
        return parity


def replay(path: Path, spec: str) -> dict[str, Any]:
    """Replay the recording at `path` against `spec`; the results document (with `parity`)."""
    recording = load(path)
    started, started_at = time.monotonic(), datetime.now(UTC).isoformat(timespec="seconds")
    target = open_target(spec)
    run_id = f"replay-{random_source.token_hex(4)}"
    provisioner = Provisioner(target, run_id=run_id)
    steps: list[StepParity] = []
    try:
        replayer = Replayer(target, provisioner)
        for step in recording.get("steps", []):
            if step.get("case") != RUN:  # the recorded run's cleanup: this one cleans up its own
                steps.append(replayer.step(step))
    finally:
        provisioner.close()
        calls = {**target.calls.as_json(), "latency_ms": target.calls.latency_ms()}
        target.close()
    cases = _case_results(steps, spec, path)
    document: dict[str, Any] = results.build(
        cases=[c.as_json() for c in cases],
        catalog=catalog(),
        model=pinned(),
        drift=[],
        target={"spec": spec, "kind": target.kind, "endpoint": target.endpoint},
        started_at=started_at,
        duration_s=time.monotonic() - started,
        seed=int(dict(recording.get("settings") or {}).get("seed", 0)),
        calls=calls,
        settings={"replay": str(path)},
    )
    document["parity"] = redact_obj(_parity_section(recording, steps))
    return document


def _case_results(steps: list[StepParity], spec: str, path: Path) -> list[CaseResult]:
    by_case: dict[str, list[StepParity]] = {}
    for step in steps:
        by_case.setdefault(step.case, []).append(step)
    found = []
    for case_id, case_steps in by_case.items():
        if case_id not in CASES:
            continue  # a case this suite no longer has: listed in the parity section only
        requirement = catalog().get(CASES[case_id].requirement)
        replayed = [s for s in case_steps if s.parity != NOT_REPLAYED]
        different = [s for s in case_steps if s.parity == DIFFERENT]
        result = CaseResult.of(
            case_id,
            requirement,
            Verdict.PASS,
            examples=len(replayed),
            reproduce=f"cognito-conformance replay {path} --target {spec}",
        )
        if different:
            first = different[0]
            result.verdict = Verdict.FAIL
            result.reason = (
                f"not as recorded: step {first.step} ({first.what}): {first.differences[0].describe()}"
                + (f" (and {len(different) - 1} more step(s))" if len(different) > 1 else "")
            )
            result.expected, result.actual = first.recorded, first.replayed
        elif not replayed:
            result.verdict = Verdict.BLOCKED
            reasons = sorted({s.reason or "" for s in case_steps})
            result.reason = "nothing could be replayed: " + "; ".join(reasons)
        else:
            result.actual = f"{len(replayed)} step(s) answered as recorded"
        found.append(result)
    return found


def _parity_section(recording: dict[str, Any], steps: list[StepParity]) -> dict[str, Any]:
    counts = {p: sum(1 for s in steps if s.parity == p) for p in (SAME, DIFFERENT, NOT_REPLAYED)}
    return {
        "recording": {
            "recorded_at": recording.get("recorded_at"),
            "suite_version": recording.get("suite_version"),
            "target": recording.get("target"),
            "model": recording.get("model"),
        },
        "counts": counts,
        "full": counts[DIFFERENT] == 0 and counts[SAME] > 0,
        "steps": [s.as_json() for s in steps],
    }


def summary_lines(document: dict[str, Any]) -> list[str]:
    """The differences, case by case, for the terminal."""
    parity = document["parity"]
    counts = parity["counts"]
    lines = []
    for step in parity["steps"]:
        if step["parity"] == DIFFERENT:
            again = f", attempt {step['attempt']}" if step["attempt"] > 1 else ""  # a FAIL's second run
            where = f"{step['case']} step {step['step']}{again} ({step['what']})"
            for difference in step["differences"]:
                lines.append(
                    f"  {where}: {difference['field']}: recorded {difference['recorded']!r}, "
                    f"replayed {difference['replayed']!r}"
                )
    recorded = parity["recording"].get("target") or {}
    lines.append(
        f"parity with the recording of {recorded.get('kind', '?')} ({recorded.get('region', '?')}): "
        f"{counts[SAME]} step(s) the same, {counts[DIFFERENT]} different, {counts[NOT_REPLAYED]} not replayed"
    )
    return [redact(line) for line in lines]
