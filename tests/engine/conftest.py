"""Running cases against the reference and its faulty variants, without a nested pytest session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from conformance.contract.catalog import catalog
from conformance.engine.context import RunSession, RunSettings
from conformance.engine.registry import select
from conformance.engine.runner import run_case
from conformance.engine.verdicts import CaseResult
from conformance.provisioning import Provisioner
from conformance.reference import start_server
from conformance.reference.faults import FaultyBackend
from conformance.targets import open_target

CLI = [sys.executable, "-m", "conformance.cli"]
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


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
def faulty_endpoint(fault: str) -> Iterator[str]:
    """A faulty reference served on 127.0.0.1 (the suite sees it as any other endpoint)."""
    running = start_server(FaultyBackend(fault), "127.0.0.1", 0)
    try:
        yield running.url
    finally:
        running.stop()


def run_cases(session: RunSession, pattern: str) -> dict[str, CaseResult]:
    return {c.id: run_case(session, c, catalog()) for c in select(pattern)}
