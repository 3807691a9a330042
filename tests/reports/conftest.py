"""Fixtures for the report tests: the sample runs in fixtures/, and a scan for leaked secrets."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.secrets import JWT_SHAPE, SECRETS

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Planted in faulty.results.json (see fixtures/generate.py); the run registers its passwords, so do we.
FAKE_PASSWORD = "Fixture-Passw0rd-7Qx!"


def load_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.results.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session", autouse=True)
def _run_passwords_registered() -> None:
    SECRETS.add(FAKE_PASSWORD, "<password>")


@pytest.fixture
def reference() -> dict[str, Any]:
    return copy.deepcopy(load_fixture("reference"))


@pytest.fixture
def moto() -> dict[str, Any]:
    return copy.deepcopy(load_fixture("moto"))


@pytest.fixture
def faulty() -> dict[str, Any]:
    return copy.deepcopy(load_fixture("faulty"))


def leaks(text: str) -> list[str]:
    """JWT-shaped strings and the run's password found in a text."""
    found = [m.group(0)[:20] + "…" for m in JWT_SHAPE.finditer(text)]
    if FAKE_PASSWORD in text:
        found.append("the fixture password")
    return found


def all_files(root: Path) -> Iterator[Path]:
    yield from (p for p in sorted(root.rglob("*")) if p.is_file())


def assert_no_secrets(root: Path) -> int:
    """Scan every file under root; return how many were scanned."""
    n = 0
    for path in all_files(root):
        text = path.read_bytes().decode("utf-8", "replace")
        assert not leaks(text), f"{path} leaks {leaks(text)}"
        n += 1
    return n
