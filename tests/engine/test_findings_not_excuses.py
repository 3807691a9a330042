"""A target's own failures are findings, never excuses (issue "A gate CI can trust", items 2 and 4):
only the probe of an operation's simplest valid request makes it UNIMPLEMENTED, and a target that
breaks on one input (a reset, then silence) gets a FAIL on that request and exit 1, not exit 3."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from conformance.errors import EXIT_FAILURES
from conformance.reference import ReferenceBackend
from conformance.targets.target import STOPPED
from tests.targets.servers import Served

from .conftest import cli, faulty_endpoint


def test_a_not_implemented_answer_to_one_input_is_a_server_error_not_a_missing_operation(
    tmp_path: Path,
) -> None:
    with faulty_endpoint("wrong-type-not-implemented") as url:
        result = cli(
            "run", "--target", url, "--case", "VAL-WRONG-TYPE,PROTO-NO-5XX", "--report-dir", str(tmp_path)
        )
    assert result.returncode == EXIT_FAILURES, result.stdout[-1500:]
    cases = {c["id"]: c for c in json.loads((tmp_path / "results.json").read_text())["cases"]}
    assert "UNIMPLEMENTED" not in {c["verdict"] for c in cases.values()}
    wrong_type = cases["VAL-WRONG-TYPE"]
    assert wrong_type["verdict"] == "FAIL"
    failing = {(o["check"], o["requirement"]) for o in wrong_type["outcomes"] if o["verdict"] == "FAIL"}
    # The refusal under test was not the documented one, and the answer was a server error.
    assert ("refused", "VAL-WRONG-TYPE") in failing and ("not_5xx", "PROTO-NO-5XX") in failing
    # Each failing outcome with an exchange carries the curl line that resends it.
    shown = [o for o in wrong_type["outcomes"] if o["verdict"] == "FAIL" and o["exchange"]]
    assert shown and all(o["curl"].startswith("curl ") for o in shown)
    server_error = cases["PROTO-NO-5XX"]
    assert server_error["verdict"] == "FAIL"
    # Seen in VAL-WRONG-TYPE, whose own verdict another outcome decided: the row still carries the
    # exchange of the 501 and a curl line that resends that very request.
    assert server_error["example"]["response"]["status"] == 501
    assert server_error["curl"].startswith("curl ") and "UpdateDeviceStatus" in server_error["curl"]
    sent = json.loads(server_error["example"]["request"]["body"])
    assert json.dumps(sent, separators=(",", ":")).replace("$ACCESS_TOKEN", "") in server_error[
        "curl"
    ].replace("'\"$ACCESS_TOKEN\"'", "")


class DiesOnAnInvalidStatus:
    """The reference over HTTP until it is sent an UpdateDeviceStatus with a status outside the enum:
    then it drops that connection without an answer and stops listening (a crash on one input)."""

    def __init__(self) -> None:
        self.backend = ReferenceBackend()
        self.served = Served(self)
        self.crashed = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if handler.command != "POST":
            return 404, {"Content-Type": "text/plain"}, b"not found"
        target = handler.headers.get("X-Amz-Target")
        params: Any = json.loads(body or b"{}") if body.startswith(b"{") else {}
        status = params.get("DeviceRememberedStatus") if isinstance(params, dict) else None
        if (
            str(target).endswith(".UpdateDeviceStatus")
            and isinstance(status, str)
            and "remembered" not in status
        ):
            if not self.crashed.is_set():
                self.crashed.set()
                threading.Thread(target=self.served.stop, daemon=True).start()  # not from its own handler
            raise ConnectionAbortedError("crashed")  # the handler ends without a response
        return self.backend.handle(target, body, dict(handler.headers.items()))


def test_a_target_that_dies_on_one_input_fails_on_that_input_and_exits_1(tmp_path: Path) -> None:
    server = DiesOnAnInvalidStatus()
    try:
        cases = "FLOW-SRP-PROOF,VAL-STATUS-ENUM,RES-UNKNOWN-DEVICE,STATE-REMEMBERED"
        result = cli("run", "--target", server.served.url, "--case", cases, "--report-dir", str(tmp_path))
    finally:
        server.served.stop()
    assert server.crashed.is_set()
    assert result.returncode == EXIT_FAILURES, (result.returncode, result.stderr[-1500:])
    assert "Traceback" not in result.stdout + result.stderr
    assert STOPPED in result.stderr  # said, beside the verdicts
    document = json.loads((tmp_path / "results.json").read_text())
    by_id = {c["id"]: c for c in document["cases"]}
    assert by_id["FLOW-SRP-PROOF"]["verdict"] == "PASS"  # judged before the crash
    # The request it broke on is a FAIL of PROTO-NO-5XX, seen in the case that sent it; that case could
    # not judge its own requirement, and what came after is BLOCKED, not FAIL.
    row = by_id["PROTO-NO-5XX"]
    assert row["verdict"] == "FAIL" and row["judged_by"] == ["case VAL-STATUS-ENUM"], row["reason"]
    failing = [o for o in row["outcomes"] if o["verdict"] == "FAIL"]
    assert [(o["check"], o["case"]) for o in failing] == [("an_answer", "VAL-STATUS-ENUM")]
    assert "no answer" in str(failing[0]["actual"])
    assert "DeviceRememberedStatus" in json.dumps(failing[0]["exchange"])
    for case_id in ("VAL-STATUS-ENUM", "RES-UNKNOWN-DEVICE", "STATE-REMEMBERED"):
        assert by_id[case_id]["verdict"] == "BLOCKED", by_id[case_id]["reason"]
    assert not [c for c in document["cases"] if c["verdict"] == "FAIL" and c["id"] != "PROTO-NO-5XX"]
