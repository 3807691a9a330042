"""Usage errors are found before any call: a report directory or recording file that cannot be written,
a port in use. Each is exit 2 with one line on stderr naming the path or the port, and no traceback.

The runs are pointed at a port on 127.0.0.1 where nothing listens: had they tried the target first, they
would end with exit 3 ("cannot reach"), so exit 2 shows the path was checked before any call. The port
in use is held by a socket of this test, closed at its end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.cli import require_writable
from conformance.errors import EXIT_USAGE, SuiteError
from tests.targets.servers import free_port

CLI = [sys.executable, "-m", "conformance.cli"]
# Far more than a refused argument takes, far less than a run of the cases (or its preflight's probe).
FAST_S = 30


def cli(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)
    return result, time.monotonic() - started


def one_line_exit_2(result: subprocess.CompletedProcess[str], *named: str) -> str:
    assert result.returncode == EXIT_USAGE, result.stdout[-1000:] + result.stderr[-1000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for text in named:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a directory\n")
    return path


@pytest.fixture
def nowhere() -> str:
    """A target URL nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.parametrize("extra", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_a_report_directory_under_a_file_is_refused_before_any_call(
    a_file: Path, nowhere: str, extra: list[str]
) -> None:
    report_dir = a_file / "reports"
    result, took = cli("run", "--target", nowhere, "--report-dir", str(report_dir), *extra)
    line = one_line_exit_2(result, str(report_dir), "not a directory")
    assert line.startswith("cognito-conformance: error: cannot write the report directory ")
    assert took < FAST_S, f"{took:.0f}s"
    assert a_file.read_text() == "not a directory\n"


def test_a_report_directory_that_is_a_file_is_refused(a_file: Path, nowhere: str) -> None:
    result, took = cli("run", "--target", nowhere, "--report-dir", str(a_file))
    one_line_exit_2(result, str(a_file), "it is not a directory")
    assert took < FAST_S


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory all the same")
def test_a_read_only_report_directory_is_refused(tmp_path: Path, nowhere: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result, _ = cli("run", "--target", nowhere, "--report-dir", str(locked / "r"))
    finally:
        locked.chmod(0o755)
    one_line_exit_2(result, str(locked / "r"))


@pytest.mark.parametrize("where", ["under-a-file", "a-directory"])
def test_a_recording_path_that_cannot_be_written_is_refused_before_any_call(
    tmp_path: Path, a_file: Path, nowhere: str, where: str
) -> None:
    record = a_file / "recording.json" if where == "under-a-file" else tmp_path
    result, took = cli(
        "run", "--target", nowhere, "--report-dir", str(tmp_path / "r"), "--record", str(record)
    )
    line = one_line_exit_2(result, str(record))
    assert line.startswith("cognito-conformance: error: cannot write the recording file ")
    assert took < FAST_S
    assert not (tmp_path / "r").exists()  # nothing was begun


def test_replay_checks_its_report_directory_first(a_file: Path, tmp_path: Path) -> None:
    recording = tmp_path / "recording.json"
    recording.write_text("{}\n")
    result, _ = cli("replay", str(recording), "--target", "reference", "--report-dir", str(a_file / "r"))
    one_line_exit_2(result, str(a_file / "r"))


@pytest.fixture
def port_in_use() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        yield int(held.getsockname()[1])


def test_serve_reference_on_a_port_in_use_is_exit_2_naming_the_port(port_in_use: int) -> None:
    result, took = cli("serve-reference", "--host", "127.0.0.1", "--port", str(port_in_use))
    line = one_line_exit_2(result, f"127.0.0.1:{port_in_use}", "in use")
    assert line.startswith("cognito-conformance: error: cannot listen on ")
    assert took < FAST_S


def test_the_check_leaves_no_trace(tmp_path: Path) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    require_writable(existing, "the report directory", directory=True)
    require_writable(tmp_path / "new" / "deeper", "the report directory", directory=True)
    recording = tmp_path / "recording.json"
    recording.write_text("kept\n")
    require_writable(recording, "the recording file", directory=False)
    require_writable(tmp_path / "new" / "recording.json", "the recording file", directory=False)
    assert list(existing.iterdir()) == [] and not (tmp_path / "new").exists()
    assert recording.read_text() == "kept\n"
    with pytest.raises(SuiteError, match="it is a directory"):
        require_writable(existing, "the recording file", directory=False)


@pytest.mark.parametrize("command", [["run"], ["run", "--dry-run"], ["cases"]])
def test_an_operation_that_is_no_device_operation_is_one_line_and_exit_2(
    command: list[str], nowhere: str
) -> None:
    target = ["--target", nowhere] if command[0] == "run" else []
    result, _ = cli(*command, *target, "--operation", "GetDevices")
    one_line_exit_2(result, "'GetDevices' is not a device operation", "did you mean GetDevice")
