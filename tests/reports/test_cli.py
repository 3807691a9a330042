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


def test_report_merge_labels_in_command_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref, moto, faulty = (str(FIXTURES / f"{n}.results.json") for n in ("reference", "moto", "faulty"))
    out = tmp_path / "m"
    argv = ["report", "merge", "--label", f"emulator-a={moto}", f"emulator-b={faulty}", ref, "-o", str(out)]
    assert run(argv) == 0
    names = [line.split(": ")[0] for line in capsys.readouterr().out.splitlines()[:-1]]
    assert names == ["emulator-a", "emulator-b", "reference"]
    assert sorted(p.name for p in (out / "targets").iterdir()) == ["emulator-a", "emulator-b", "reference"]
    assert 'data-target="emulator-a"' in (out / "index.html").read_text()


def test_report_merge_a_file_whose_name_has_an_equals_sign_is_a_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "run=1.json"
    odd.write_text((FIXTURES / "moto.results.json").read_text())
    assert run(["report", "merge", str(odd), "-o", str(tmp_path / "m")]) == 0
    assert capsys.readouterr().out.startswith("http://127.0.0.1:5000: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--label", "no-path-given"], "--label takes NAME=RESULTS.json, not 'no-path-given'"),
        (["--label", "=x.json"], "--label takes NAME=RESULTS.json"),
        (["a=" + str(FIXTURES / "moto.results.json"), "--label", "a=x.json"], "label 'a' is given twice"),
        ([], "needs at least one results.json"),
    ],
)
def test_report_merge_bad_labels_are_usage_errors(argv: list[str], message: str, tmp_path: Path) -> None:
    with pytest.raises(SuiteError) as info:
        run(["report", "merge", *argv, "-o", str(tmp_path / "m")])
    assert info.value.exit_code == 2 and message in str(info.value) and "\n" not in str(info.value)
