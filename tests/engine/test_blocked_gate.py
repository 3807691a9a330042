"""BLOCKED is explained or it fails the gate (issue "A gate CI can trust", item 1): a case the target
blocked names the requirement whose FAIL explains it and the run exits 1; a limit outside the target
(here: no test-control path for the tokens only a control path can make) stays neutral."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from conformance.errors import EXIT_FAILURES, EXIT_OK
from conformance.reference import ReferenceBackend
from tests.targets.servers import Served

from .conftest import cli, faulty_endpoint


def _cases(report_dir: Path) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in json.loads((report_dir / "results.json").read_text())["cases"]}


def test_a_target_that_cannot_create_users_fails_the_gate_and_names_why(tmp_path: Path) -> None:
    with faulty_endpoint("admin-create-user-fails") as url:
        result = cli(
            "run", "--target", url, "--case", "FLOW-TEST-SUPPORT,VAL-*,RES-*", "--report-dir", str(tmp_path)
        )
    assert result.returncode == EXIT_FAILURES, result.stdout[-1500:]
    cases = _cases(tmp_path)
    support = cases["FLOW-TEST-SUPPORT"]
    assert support["verdict"] == "FAIL" and "Cannot create users" in str(support["reason"])
    blocked = [c for c in cases.values() if c["verdict"] == "BLOCKED"]
    assert blocked, "the cases that need a user cannot run"
    for case in blocked:
        assert case["blocked"] == {"cause": "target", "requirement": "FLOW-TEST-SUPPORT"}, case["id"]
        assert "FLOW-TEST-SUPPORT" in str(case["reason"])
    assert "BLOCKED by the target, explained by FLOW-TEST-SUPPORT: " in result.stdout
    assert " BLOCKED by the target, 0 not testable here" in result.stdout  # the score line says so


def test_the_same_cases_without_the_requirement_that_explains_them_still_fail_the_gate(
    tmp_path: Path,
) -> None:
    with faulty_endpoint("admin-create-user-fails") as url:
        result = cli("run", "--target", url, "--case", "RES-OTHER-USER-DEVICE", "--report-dir", str(tmp_path))
    assert result.returncode == EXIT_FAILURES, result.stdout[-1500:]
    assert _cases(tmp_path)["RES-OTHER-USER-DEVICE"]["verdict"] == "BLOCKED"


class WithoutControlPath:
    """The reference over HTTP without its test-control path: expired and scope-less access tokens
    cannot be made there (a limit of the endpoint, not a fault)."""

    def __init__(self) -> None:
        self.backend = ReferenceBackend()
        self.served = Served(self)

    def __call__(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if handler.command != "POST" or handler.path.startswith("/_reference"):
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return self.backend.handle(handler.headers.get("X-Amz-Target"), body, dict(handler.headers.items()))


def test_a_limit_outside_the_target_is_neutral(tmp_path: Path) -> None:
    server = WithoutControlPath()
    try:
        result = cli(
            "run", "--target", server.served.url, "--case", "AUTH-EXPIRED,AUTH-NO-SCOPE,RES-UNKNOWN-DEVICE",
            "--report-dir", str(tmp_path),
        )  # fmt: skip
    finally:
        server.served.stop()
    assert result.returncode == EXIT_OK, result.stdout[-1500:]
    cases = _cases(tmp_path)
    assert cases["RES-UNKNOWN-DEVICE"]["verdict"] == "PASS"
    for case_id in ("AUTH-EXPIRED", "AUTH-NO-SCOPE"):
        assert cases[case_id]["verdict"] == "BLOCKED"
        assert cases[case_id]["blocked"] == {"cause": "limit", "requirement": None}
        assert "control path" in str(cases[case_id]["reason"])
    assert "not testable here (a limit outside the target): AUTH-EXPIRED" in result.stdout
    assert "0 BLOCKED by the target, 2 not testable here" in result.stdout
