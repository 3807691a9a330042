"""Throttling is never a verdict (issue "A gate CI can trust", item 3): a conformant target that
throttles one call in nine, as AWS does under load, gets the verdicts the reference gets; one that keeps
throttling gets a BLOCKED that names the throttling and stays neutral."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path

from conformance.errors import EXIT_OK
from conformance.reference import ReferenceBackend

from .conftest import cli, serving

RATE_EXCEEDED = json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"}).encode()
THROTTLED = (400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "t"}, RATE_EXCEEDED)


class ThrottlesOneInNine(ReferenceBackend):
    """The reference, but every ninth call (any operation) is refused for the quota."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.throttled = 0
        self._count = threading.Lock()

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        with self._count:
            self.calls += 1
            throttle = self.calls % 9 == 0
            self.throttled += throttle
        if throttle:
            return THROTTLED
        return super().handle(target, body, headers, source_ip=source_ip)


class ThrottlesEveryUpdate(ReferenceBackend):
    """The reference, but UpdateDeviceStatus is always over the quota."""

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        if target and target.endswith(".UpdateDeviceStatus"):
            return THROTTLED
        return super().handle(target, body, headers, source_ip=source_ip)


def _cases(report_dir: Path) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in json.loads((report_dir / "results.json").read_text())["cases"]}


def test_a_conformant_target_that_throttles_now_and_then_gets_the_references_verdicts(tmp_path: Path) -> None:
    backend = ThrottlesOneInNine()
    selection = "RES-*,STATE-REMEMBERED,STATE-ISOLATION,AUTH-TAMPERED,VAL-STATUS-ENUM,FLOW-*"
    with serving(backend) as url:
        result = cli("run", "--target", url, "--case", selection, "--report-dir", str(tmp_path))
    assert backend.throttled >= 5, backend.throttled  # it did throttle, more than once
    assert result.returncode == EXIT_OK, result.stdout[-2000:]
    verdicts = {case_id: case["verdict"] for case_id, case in _cases(tmp_path).items()}
    assert set(verdicts.values()) <= {"PASS", "INFORMATIONAL"}, verdicts


def test_a_target_that_keeps_throttling_blocks_neutrally_and_says_so(tmp_path: Path) -> None:
    with serving(ThrottlesEveryUpdate()) as url:
        result = cli("run", "--target", url, "--case", "RES-UNKNOWN-DEVICE", "--report-dir", str(tmp_path))
    assert result.returncode == EXIT_OK, result.stdout[-2000:]
    case = _cases(tmp_path)["RES-UNKNOWN-DEVICE"]
    assert case["verdict"] == "BLOCKED"
    assert case["blocked"] == {"cause": "limit", "requirement": None}
    assert "throttled" in str(case["reason"]) and "TooManyRequestsException" in str(case["reason"])
    assert "not testable here" in result.stdout
