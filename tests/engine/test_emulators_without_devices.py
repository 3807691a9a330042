"""Emulators without the device operations (specs/sources/emulators.md: moto in-process, cognito-local
5.3.0 and MiniStack 1.5, as measured): every operation they miss is reported UNIMPLEMENTED, by name and
once in the summary's causes; no case ERRORs, and none PASSes on an operation they do not implement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.contract.catalog import OPERATIONS
from conformance.engine.registry import CASES

from .conftest import cli, faulty_endpoint

MISSING = set(OPERATIONS)  # none of the three implements any of the nine


def _run(spec: str, out: Path) -> tuple[dict[str, object], str]:
    done = cli("run", "--target", spec, "--report-dir", str(out), "--schemathesis", "0", "--examples", "3")
    assert done.returncode == 1, done.stderr  # UNIMPLEMENTED fails the gate
    return json.loads((out / "results.json").read_text()), done.stdout


def _judge(document: dict[str, object], stdout: str) -> None:
    cases = document["cases"]
    assert isinstance(cases, list)
    assert not [c["id"] for c in cases if c["verdict"] == "ERROR"]
    # No PASS on what the target does not implement: a case relying on a missing operation never passes.
    passed = [c["id"] for c in cases if c["verdict"] == "PASS" and set(CASES[c["id"]].ops) & MISSING]
    assert passed == []
    # Each missing operation is named as the cause of its cases' UNIMPLEMENTED, each once in the summary.
    named = {c["unimplemented"]["operation"] for c in cases if c["verdict"] == "UNIMPLEMENTED"}
    assert named == MISSING
    causes = [line for line in stdout.splitlines() if line.strip().startswith("UNIMPLEMENTED:")]
    for operation in OPERATIONS:
        assert (
            len([line for line in causes if line.strip().startswith(f"UNIMPLEMENTED: {operation} ")]) == 1
        ), (
            operation,
            causes,
        )


def test_moto(tmp_path: Path) -> None:
    _judge(*_run("moto", tmp_path))


@pytest.mark.parametrize("face", ["cognito-local-5.3", "ministack-1.5"])
def test_emulator_faces(face: str, tmp_path: Path) -> None:
    with faulty_endpoint(face) as url:
        _judge(*_run(url, tmp_path))
