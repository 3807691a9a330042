"""A run killed with SIGINT (or SIGTERM) in the middle of provisioning leaves nothing on the target.

The target is a reference served by this test process (start_server on 127.0.0.1); the run is a driver
script in a subprocess, signalled by its pid while the reference holds its second user's sign-in (a
known point, not a guess at how long provisioning takes). What is left is checked by listing the served
reference's state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from conformance.reference import ReferenceBackend, RunningServer, start_server
from tests.holding import Holding, sign_in_of_user
from tests.signals import interruptible

from .servers_path import ROOT


@pytest.fixture
def served() -> Iterator[RunningServer]:
    with start_server(ReferenceBackend(), "127.0.0.1", 0) as running:
        yield running


def run_driver(
    url: str, run_id: str, count: int, stderr: IO[str] | int = subprocess.PIPE
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.provisioning.driver", url, run_id, str(count)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=interruptible,
    )


def pools_and_users(backend: ReferenceBackend, prefix: str) -> list[str]:
    with backend.store.lock:
        return [p.name for p in backend.store.pools.values() if p.name.startswith(prefix)] + [
            u for p in backend.store.pools.values() for u in p.users if str(u).startswith(prefix)
        ]


def check_output(out: str, err: str) -> None:
    assert "eyJ" not in out + err  # no token, even in botocore's DEBUG lines
    assert "botocore" in err  # the DEBUG logging was really on


def test_a_run_that_finishes_leaves_nothing(served: RunningServer) -> None:
    process = run_driver(served.url, "finish", 1)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err[-2000:]
    assert out.splitlines()[-1] == "done"
    check_output(out, err)
    assert pools_and_users(served.backend, "ccf-finish-") == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_run_interrupted_mid_provisioning_leaves_nothing(sig: int, code: int, tmp_path: Path) -> None:
    run_id = f"sig{int(sig)}"
    backend = Holding(sign_in_of_user(2))
    log = tmp_path / "stderr.log"
    # The DEBUG log goes to a file: unread, it would fill a pipe and stop the driver before the hold.
    with start_server(backend, "127.0.0.1", 0) as served, log.open("w") as stderr:
        process = run_driver(served.url, run_id, 50, stderr)
        assert process.stdout is not None
        try:
            backend.wait_until_reached(process)  # the driver waits on user 2's sign-in
            assert process.stdout.readline().strip() == "provisioning user 1"
            assert process.stdout.readline().strip() == "provisioning user 2"
            assert pools_and_users(backend, f"ccf-{run_id}-"), "nothing was created before the signal"
            os.kill(process.pid, sig)
            backend.release()
            out, _ = process.communicate(timeout=60)
        finally:
            backend.release()
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
    err = log.read_text()
    assert process.returncode == code, err[-2000:]
    check_output(out, err)
    assert "cleaning up what the run created" in err
    assert pools_and_users(backend, f"ccf-{run_id}-") == []
