"""The pytest plugin is the same gate as `run` (issue "A gate CI can trust", item 6): UNIMPLEMENTED and
a BLOCKED the target caused fail there too, a baseline makes known deviations pass, and its options
are prefixed (`--cognito-target`, ...)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conformance.errors import EXIT_FAILURES, EXIT_OK

from .conftest import ENV, cli, faulty_endpoint


def plugin(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`pytest` with the suite's plugin (registered by the package), from a folder with no tests."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=ENV, cwd=cwd)


def test_an_emulator_that_implements_nothing_fails_the_plugin_and_a_baseline_passes_it(
    tmp_path: Path,
) -> None:
    first = plugin(
        tmp_path,
        "--cognito-target=moto",
        "--cognito-case=VAL-STATUS*",
        f"--cognito-report-dir={tmp_path / 'one'}",
    )
    assert first.returncode == EXIT_FAILURES, first.stdout[-1500:]
    assert "UNIMPLEMENTED" in first.stdout
    baseline = tmp_path / "moto.toml"
    wrote = cli("baseline", "write", str(tmp_path / "one" / "results.json"), "-o", str(baseline))
    assert wrote.returncode == 0, wrote.stderr
    second = plugin(
        tmp_path,
        "--cognito-target=moto",
        "--cognito-case=VAL-STATUS*",
        f"--cognito-report-dir={tmp_path / 'two'}",
        f"--cognito-baseline={baseline}",
    )
    assert second.returncode == EXIT_OK, second.stdout[-1500:]
    assert "2 expected, 0 regression(s)" in second.stdout


def test_the_plugin_and_run_give_the_same_exit_code(tmp_path: Path) -> None:
    cases = "RES-OTHER-USER-DEVICE,FLOW-DEVICE-CONFIGURATION"
    with faulty_endpoint("admin-create-user-fails") as url:
        through_run = cli("run", "--target", url, "--case", cases, "--report-dir", str(tmp_path / "run"))
        through_pytest = plugin(
            tmp_path,
            f"--cognito-target={url}",
            f"--cognito-case={cases}",
            f"--cognito-report-dir={tmp_path / 'py'}",
        )
    # A case the target blocked (it cannot create users) fails both: neither is a skip that passes.
    assert through_run.returncode == through_pytest.returncode == EXIT_FAILURES, through_pytest.stdout[-1500:]
    with faulty_endpoint("admin-create-user-fails") as url:
        passing = plugin(
            tmp_path, f"--cognito-target={url}", "--cognito-case=FLOW-DEVICE-CONFIGURATION",
            f"--cognito-report-dir={tmp_path / 'ok'}",
        )  # fmt: skip
    assert passing.returncode == EXIT_OK, passing.stdout[-1500:]


def test_without_its_target_option_the_plugin_is_inert(tmp_path: Path) -> None:
    (tmp_path / "test_other.py").write_text("def test_other():\n    assert True\n")
    result = plugin(tmp_path, "--target=whatever")  # another plugin's option name is not ours
    assert result.returncode != EXIT_OK and "unrecognized arguments: --target" in result.stderr
    assert plugin(tmp_path).returncode == EXIT_OK
