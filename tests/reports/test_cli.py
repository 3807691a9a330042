"""The `report merge` and `baseline write` handlers, driven through argparse as the main CLI will."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conformance.errors import SuiteError
from conformance.reports.baseline import apply_baseline, load_baseline
from conformance.reports.cli import add_report_commands

from .conftest import FIXTURES, assert_no_secrets, load_fixture


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cognito-conformance")
    sub = parser.add_subparsers(dest="command", required=True)
    add_report_commands(sub, argparse.ArgumentParser)
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_report_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(FIXTURES / "reference.results.json"), str(FIXTURES / "moto.results.json")]
    assert run(["report", "merge", *files, "-o", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "reference: 53 of 53 applicable requirements passed"
        " (57 requirements, 57 judged: 4 informational;"
        " 0 not judged: 0 BLOCKED by the target, 0 not testable here)",
        "http://127.0.0.1:5000: 0 of 41 applicable requirements passed"
        " (57 requirements, 41 judged: 0 informational;"
        " 16 not judged: 16 BLOCKED by the target, 0 not testable here)",
        f"matrix: {tmp_path / 'm' / 'index.html'}",
    ]


def test_baseline_write_then_apply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "moto.baseline.toml"
    code = run(
        ["baseline", "write", str(FIXTURES / "moto.results.json"), "-o", str(out), "--note", "moto 5.2.5"]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}: 57 cases")
    outcome = apply_baseline(load_fixture("moto"), load_baseline(out))
    assert outcome.exit_code == 0 and len(outcome.expected) == 57


def test_baseline_write_redacts(tmp_path: Path) -> None:
    run(["baseline", "write", str(FIXTURES / "faulty.results.json"), "-o", str(tmp_path / "b.toml")])
    assert assert_no_secrets(tmp_path) == 1


def test_bad_input_raises_suite_error(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    with pytest.raises(SuiteError) as info:
        run(["baseline", "write", str(bad), "-o", str(tmp_path / "b.toml")])
    assert info.value.exit_code == 2
    with pytest.raises(SuiteError):
        run(["report", "merge", str(bad), "-o", str(tmp_path / "m")])
    with pytest.raises(SuiteError, match="is a directory"):
        run(["baseline", "write", str(FIXTURES / "moto.results.json"), "-o", str(tmp_path)])


def test_subcommand_is_required() -> None:
    with pytest.raises(SystemExit):
        run(["report"])
