"""Running cases against the reference and its faulty variants, without a nested pytest session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from conformance.contract.catalog import catalog
from conformance.contract.model import pinned
from conformance.engine import results as results_module
from conformance.engine.context import RunSession, RunSettings
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.judge.verdicts import CaseResult
from conformance.provisioning import Provisioner
from conformance.reference import ReferenceBackend, start_server
from conformance.reference.faults import FaultyBackend
from conformance.secrets import JWT_SHAPE, SECRETS
from conformance.targets import open_target
from tests.leaks import tokens_in

CLI = [sys.executable, "-m", "conformance.cli"]
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def results_document(cases: list[dict[str, Any]], target: dict[str, Any]) -> dict[str, Any]:
    """A results.json of these case results, as the run would write it (fixed date, seed and calls)."""
    return results_module.build(
        cases=cases,
        catalog=catalog(),
        model=pinned(),
        drift=[],
        target=target,
        started_at="2026-01-01T00:00:00+00:00",
        duration_s=1.0,
        seed=0,
        calls={"total": 0, "by_operation": {}},
        settings={},
    )


def assert_no_secret_written(out: Path) -> None:
    """No file in `out` holds a registered secret (tokens, passwords, SRP values, a challenge's Session,
    device secrets) or a token-shaped string."""
    secrets = [value for value in SECRETS._secrets if len(value) >= 8]
    assert secrets, "the run registered its passwords, tokens and device secrets"
    for path in out.iterdir():
        text = path.read_text()
        assert not JWT_SHAPE.search(text) and not tokens_in(text), path.name
        assert not [s for s in secrets if s in text], f"{path.name} holds a secret"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command line, as a user runs it (no real AWS credentials)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, env=ENV)


@contextmanager
def session_for(spec: str, *, examples: int = 8, seed: int = 0) -> Iterator[RunSession]:
    target = open_target(spec)
    provisioner = Provisioner(target, run_id=f"test{seed}")
    try:
        yield RunSession(RunSettings(target_spec=spec, seed=seed, examples=examples), target, provisioner)
    finally:
        provisioner.close()
        target.close()


@contextmanager
def serving(backend: ReferenceBackend) -> Iterator[str]:
    """A reference backend served on 127.0.0.1, stopped afterwards; its URL."""
    running = start_server(backend, "127.0.0.1", 0)
    try:
        yield running.url
    finally:
        running.stop()


def faulty_endpoint(fault: str) -> AbstractContextManager[str]:
    """A faulty reference served on 127.0.0.1 (the suite sees it as any other endpoint)."""
    return serving(FaultyBackend(fault))


def failing_requirements(results: dict[str, CaseResult]) -> set[str]:
    """The requirements some outcome FAILed (or was NON-STRICT on), in any of the results."""
    return {
        o["requirement"]
        for r in results.values()
        for o in r.outcomes
        if o["verdict"] in ("FAIL", "NON-STRICT")
    }


def run_cases(session: RunSession, pattern: str) -> dict[str, CaseResult]:
    return {c.id: run_case(session, c, catalog()) for c in select(pattern)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def moto_server() -> Iterator[str]:
    """moto's own HTTP server on 127.0.0.1, stopped by its process id; its URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
