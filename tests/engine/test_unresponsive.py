"""`cognito-conformance run` against an endpoint that accepts connections and never answers.

The acceptance of "a target that stops answering": the run ends by itself within 60 s with exit 3 and a
one-line reason, the cases it could not run are BLOCKED in results.json naming the case after which the
target stopped, and a SIGTERM ends such a run within 10 s (cleanup included), without a traceback. The
silent server listens on 127.0.0.1 in this process and is stopped by its handle; the run is a subprocess
signalled by its pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conformance.contract import paths
from conformance.engine.registry import select
from conformance.errors import EXIT_TERMINATED, EXIT_UNREACHABLE
from conformance.reference import ReferenceBackend
from conformance.targets.target import STOP_AFTER, STOPPED
from tests.targets.servers import Served, Silent

CLI = [sys.executable, "-m", "conformance.cli", "run"]
SCHEMA = json.loads((paths.SPECS_DIR / "results.schema.json").read_text())
# No real credentials, no metadata service: nothing may reach AWS.
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    try:
        yield server
    finally:
        server.stop()


def start(url: str, report_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "--target", url, "--report-dir", str(report_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def finish(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
    try:
        return process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:  # the test failed: do not leave the run behind
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def everything_written(report_dir: Path) -> str:
    return "".join(p.read_text() for p in sorted(report_dir.rglob("*")) if p.is_file())


def test_a_silent_endpoint_ends_the_run_by_itself_with_exit_3(silent: Silent, tmp_path: Path) -> None:
    started = time.monotonic()
    process = start(silent.url, tmp_path)
    out, err = finish(process, timeout=120)
    took = time.monotonic() - started
    connections = len(silent.conns)
    assert took < 60, f"the run took {took:.0f}s"
    assert process.returncode == EXIT_UNREACHABLE, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"cognito-conformance: error: {STOPPED} after case "), lines[0]

    document = json.loads((tmp_path / "results.json").read_text())
    assert not list(Draft202012Validator(SCHEMA).iter_errors(document))
    cases = document["cases"]
    # Every requirement is reported (one row each: the phase's cases fold into theirs).
    assert [c["id"] for c in cases] == list(dict.fromkeys(c.requirement for c in select(None)))
    during = [c for c in cases if str(c["reason"]).startswith(f"{STOPPED} during this case")]
    assert len(during) == 1 and during[0]["verdict"] == "BLOCKED"
    x = during[0]["id"]
    remaining = cases[cases.index(during[0]) + 1 :]
    assert remaining, "the target stopped during the last case: nothing left to report as not run"
    for case in remaining:
        assert case["verdict"] == "BLOCKED"
        assert case["reason"].startswith(f"{STOPPED} after case {x} ("), case["reason"]
        assert case["outcomes"] == [] and case["example"] is None  # not run: nothing was sent for it
    assert f"after case {x} (" in lines[0] and f"{len(remaining)} case(s) not run" in lines[0]
    assert document["summary"]["BLOCKED"] >= len(remaining) + 1

    # Nothing is sent once the target counts as stopped: the calls that tripped it, and one for cleanup.
    assert document["calls"]["total"] <= STOP_AFTER + 1, document["calls"]
    assert connections <= 2 + STOP_AFTER + 2  # two probes, the calls, the liveness check, cleanup's trial
    assert (tmp_path / "junit.xml").exists() and (tmp_path / "index.html").exists()
    assert "eyJ" not in out + err + everything_written(tmp_path)


def wait_for_connections(silent: Silent, process: subprocess.Popen[str], count: int) -> None:
    """Until the run has opened `count` connections to the silent server (each waits there for good)."""
    deadline = time.monotonic() + 45
    while len(silent.conns) < count and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert len(silent.conns) >= count and process.poll() is None, (len(silent.conns), process.poll())


def ended_by_sigterm(process: subprocess.Popen[str], signalled: float) -> tuple[str, str]:
    """The run ended within 10 s of the SIGTERM, exit 143, one closing line, no traceback."""
    out, err = finish(process, timeout=30)
    took = time.monotonic() - signalled
    assert took < 10, f"{took:.1f}s after SIGTERM"
    assert process.returncode == EXIT_TERMINATED, err
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1] == "cognito-conformance: terminated"
    return out, err


def test_sigterm_while_the_target_is_first_probed_ends_the_run_within_10_s(
    silent: Silent, tmp_path: Path
) -> None:
    process = start(silent.url, tmp_path)
    try:
        # The silent server holds every request: its first connection is the preflight's probe, which
        # the run is waiting on now (a known point, not a guess at how far the run got).
        wait_for_connections(silent, process, 1)
    finally:
        os.kill(process.pid, signal.SIGTERM)
    out, err = ended_by_sigterm(process, time.monotonic())
    assert "eyJ" not in out + err


def test_sigterm_while_a_case_waits_on_the_target_cleans_up_within_10_s(
    silent: Silent, tmp_path: Path
) -> None:
    process = start(silent.url, tmp_path)
    try:
        # Two probes (the preflight's and the run's), then the first call of a case: it is waiting now.
        wait_for_connections(silent, process, 3)
    finally:
        os.kill(process.pid, signal.SIGTERM)
    out, err = ended_by_sigterm(process, time.monotonic())
    # The run ended its session properly: the reports hold what finished before the signal.
    document = json.loads((tmp_path / "results.json").read_text())
    assert not list(Draft202012Validator(SCHEMA).iter_errors(document))
    assert "eyJ" not in out + err + everything_written(tmp_path)
    connections = len(silent.conns)
    time.sleep(0.5)
    assert len(silent.conns) == connections  # and it sends nothing more


class GoesAway:
    """The reference over HTTP until the run has made its pool and app client; then it stops listening."""

    def __init__(self) -> None:
        self.backend = ReferenceBackend()
        self.served = Served(self)

    def __call__(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        if handler.command != "POST":
            return 404, {"Content-Type": "text/plain"}, b"not found"
        target = handler.headers.get("X-Amz-Target")
        answer = self.backend.handle(target, body, dict(handler.headers.items()))
        if str(target).endswith(".CreateUserPoolClient"):
            threading.Thread(target=self.served.stop, daemon=True).start()  # not from its own handler
        return answer


def test_a_target_that_goes_away_mid_run_ends_it_and_names_what_is_left(tmp_path: Path) -> None:
    server = GoesAway()
    try:
        process = start(server.served.url, tmp_path)
        out, err = finish(process, timeout=120)
    finally:
        server.served.stop()
    assert process.returncode == EXIT_UNREACHABLE, err
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[-1].startswith(f"cognito-conformance: error: {STOPPED} after case "), lines[-1]
    assert "the last: connection refused" in lines[-1]
    # Cleanup could not delete the pool: it is named (names only) in one line.
    with server.backend.store.lock:
        left = [p.name for p in server.backend.store.pools.values()]
    assert len(left) == 1 and left[0].startswith("ccf-")
    assert lines[0].startswith("cognito-conformance: could not delete what the run created: ")
    assert left[0] in lines[0]
    document = json.loads((tmp_path / "results.json").read_text())
    assert not list(Draft202012Validator(SCHEMA).iter_errors(document))
    assert "eyJ" not in out + err + everything_written(tmp_path)
