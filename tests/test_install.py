"""The suite installs beside the newest boto3 and moto, and beside the oldest botocore it admits: the
built wheel changes none of them, `pip check` is clean, and `cognito-conformance run` works there.

Offline: `make wheelhouse` (run by `make test`, so by CI) downloads those, and what the wheel needs, into
build/wheelhouse; this test installs from there with no index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = Path(os.environ.get("WHEELHOUSE", ROOT / "build" / "wheelhouse"))


def _runtime_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {Requirement(r).name: Requirement(r) for r in project["dependencies"]}


def test_the_pins_admit_every_later_hypothesis_and_botocore() -> None:
    required = _runtime_requirements()
    for later in ("6.171.0", "6.999.0", "7.0.0"):
        assert required["hypothesis"].specifier.contains(Version(later)), later
    assert required["botocore"].specifier.contains(Version("1.99.0"))
    assert "gmpy2" not in required  # an extra: the code falls back to pow()
    assert "urllib3" in required  # imported by conformance/targets (deadline.py, wire.py)


def _pip(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CONFIG_FILE": os.devnull,
    }
    env.pop("PIP_INDEX_URL", None)
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def _versions(venv: Path) -> dict[str, str]:
    listed = json.loads(_pip(venv, "list", "--format", "json").stdout)
    return {p["name"].lower(): p["version"] for p in listed}


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    if not (WHEELHOUSE / ".stamp").exists():
        if os.environ.get("CI"):
            pytest.fail(f"{WHEELHOUSE} is missing: `make wheelhouse` downloads it (make test does)")
        pytest.skip(f"{WHEELHOUSE} is missing: run `make wheelhouse` (needs the package index once)")
    return WHEELHOUSE


def _botocore_floor() -> str:
    (floor,) = (s.version for s in _runtime_requirements()["botocore"].specifier if s.operator == ">=")
    return floor


@pytest.mark.parametrize(
    ("neighbours", "versions"),
    [
        (("boto3", "moto[cognitoidp]"), ("boto3", "botocore", "moto")),
        (("botocore=={floor}", "boto3=={floor}"), ("boto3", "botocore")),
    ],
    ids=["newest-boto3-and-moto", "oldest-botocore-admitted"],
)
def test_the_wheel_installs_beside_them(
    wheelhouse: Path, tmp_path: Path, neighbours: tuple[str, ...], versions: tuple[str, ...]
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    first = _pip(venv, "install", "--quiet", *(n.format(floor=_botocore_floor()) for n in neighbours))
    assert first.returncode == 0, first.stderr
    before = _versions(venv)

    dist = tmp_path / "dist"
    built = _pip(venv, "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT))
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("cognito_conformance-*.whl")
    installed = _pip(venv, "install", "--quiet", str(wheel))
    assert installed.returncode == 0, installed.stderr

    after = _versions(venv)
    assert {n: after[n] for n in versions} == {n: before[n] for n in versions}
    assert "gmpy2" not in after and "mypy" not in after and "selenium" not in after
    check = _pip(venv, "check")
    assert check.returncode == 0, check.stdout + check.stderr

    # Run from an empty directory: the installed package, never this checkout, is imported.
    work = tmp_path / "work"
    work.mkdir()
    run = subprocess.run(
        [
            str(venv / "bin" / "cognito-conformance"),
            "run",
            "--case",
            "VAL-STATUS-ENUM",
            "--report-dir",
            str(work / "report"),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((work / "report" / "results.json").read_text())
    assert [(c["id"], c["verdict"]) for c in results["cases"]] == [("VAL-STATUS-ENUM", "PASS")]
