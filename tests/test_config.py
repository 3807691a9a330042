"""`[tool.cognito-conformance]` in a pyproject.toml: defaults for `run`'s options (conformance/app/config.py).

Most tests resolve the arguments as `main` does before a run (cli.configure_run) and look at the settings;
one runs the command end to end (two cases, two examples, no schemathesis phase: a few seconds).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.app.config import KEYS, load
from conformance.cli import build_parser, configure_run, main
from conformance.engine.settings import DEFAULT_REPORT_DIR, OPTIONS, RunSettings
from conformance.errors import EXIT_USAGE, SuiteError
from conformance.reports.results import load_results

TABLE = "[tool.cognito-conformance]"


def write_config(directory: Path, body: str, *, name: str = "pyproject.toml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f'[project]\nname = "an-emulator"\n\n{TABLE}\n{body}\n')
    return path


def resolve(*argv: str) -> argparse.Namespace:
    """`run`'s arguments as main hands them to the run: the command line, then the configuration."""
    args = build_parser().parse_args(["run", *argv])
    configure_run(args, ["run", *argv])
    return args


def config_line(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("config:")]


def test_the_configuration_supplies_the_run_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(
        tmp_path,
        'target = "moto"\nlabel = "moto 5.1"\nexamples = 2\ncase = "VAL-STATUS*"\n'
        'report-dir = "out/moto"\nseed = 7\nschemathesis = 0\nbaseline = "ci/baseline.toml"\nworkers = 2',
    )
    monkeypatch.chdir(tmp_path)
    args = resolve()
    assert config_line(capsys) == [f"config: {path.resolve()} {TABLE}"]
    settings = RunSettings.from_options(vars(args))
    assert settings.target_spec == "moto" and settings.label == "moto 5.1"
    assert (settings.examples, settings.case, settings.seed, settings.schemathesis) == (
        2,
        "VAL-STATUS*",
        7,
        0,
    )
    # Paths in the file are taken from the file's directory.
    assert settings.report_dir == str(tmp_path.resolve() / "out" / "moto")
    assert args.baseline == str(tmp_path.resolve() / "ci" / "baseline.toml")
    assert args.workers == 2 and args.dry_run is False


def test_operations_and_a_budget_from_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path, 'operation = ["AdminListDevices", "ListDevices"]\nbudget = 120')
    monkeypatch.chdir(tmp_path)
    settings = RunSettings.from_options(vars(resolve()))
    assert (
        settings.operations == ("ListDevices", "AdminListDevices") and settings.budget == 120
    )  # catalog order
    write_config(tmp_path, 'operation = "ListDevice"')
    with pytest.raises(SuiteError, match="did you mean ListDevices"):
        _ = RunSettings.from_options(vars(resolve())).operations


def test_the_command_line_overrides_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, 'target = "moto"\nexamples = 2\ndry-run = true\nreport_dir = "out"\npace = "aws"')
    monkeypatch.chdir(tmp_path)
    args = resolve("--examples", "3", "--no-dry-run", "--report-dir", "mine", "--target", "reference")
    assert (args.target, args.examples, args.dry_run, args.report_dir) == ("reference", 3, False, "mine")
    assert args.pace == "aws"  # not given: the file's
    assert args.case is None and args.seed == 0  # in neither: the defaults
    assert len(config_line(capsys)) == 1


def test_every_option_of_the_table_can_be_set_in_either_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def toml_value(option: Any) -> tuple[str, object]:
        if option.kind is bool:
            return "true", True
        if option.kind is int:
            return str((option.minimum or 0) + 3), (option.minimum or 0) + 3
        text = option.choices[0] if option.choices else f"value-of-{option.dest}"
        return json.dumps(text), str(tmp_path.resolve() / text) if option.path else text

    for spelling in ("flag", "dest"):
        lines, expected = [], {}
        for option in OPTIONS:
            key = option.flag.removeprefix("--") if spelling == "flag" else option.dest
            text, value = toml_value(option)
            lines.append(f"{key} = {text}")
            expected[option.dest] = value
        write_config(tmp_path, "\n".join(lines))
        monkeypatch.chdir(tmp_path)
        args = resolve()
        assert {dest: getattr(args, dest) for dest in expected} == expected
    assert set(KEYS) == {o.flag.removeprefix("--") for o in OPTIONS} | {o.dest for o in OPTIONS}


def test_the_parents_are_searched_up_to_the_first_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, "examples = 4")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert resolve().examples == 4
    assert config_line(capsys) == [f"config: {path.resolve()} {TABLE}"]
    # The first pyproject.toml found ends the search, even without the table: nothing is read.
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    args = resolve()
    assert args.examples is None and args.report_dir == DEFAULT_REPORT_DIR
    assert capsys.readouterr().out == ""


def test_no_table_reads_nothing_and_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.other]\nexamples = "x"\n')
    monkeypatch.chdir(tmp_path)
    assert load() is None
    args = resolve()
    assert vars(args) == vars(build_parser().parse_args(["run"]))
    assert capsys.readouterr().out == ""


def test_an_explicit_config_file_wins_over_the_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, "examples = 4")
    explicit = write_config(tmp_path / "ci", 'examples = 9\nrecord = "run.jsonl"', name="conformance.toml")
    monkeypatch.chdir(tmp_path)
    args = resolve("--config", "ci/conformance.toml")
    assert args.examples == 9 and args.record == str(tmp_path.resolve() / "ci" / "run.jsonl")
    assert config_line(capsys) == [f"config: {explicit.resolve()} {TABLE}"]


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """main's exit 2 and its one line on stderr; nothing is run (a dry run, had the file been taken)."""
    code = main(["run", "--dry-run", "--case", "VAL-STATUS-ENUM", *argv])
    captured = capsys.readouterr()
    assert code == EXIT_USAGE, captured.out + captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.out + captured.err
    assert "dry run" not in captured.out
    assert lines[0].startswith("cognito-conformance: error: ")
    return lines[0]


def test_an_explicit_config_file_must_exist_and_hold_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert "missing.toml" in usage_error(capsys, "--config", "missing.toml", "--report-dir", "r")
    (tmp_path / "other.toml").write_text("[tool.other]\nx = 1\n")
    line = usage_error(capsys, "--config", "other.toml", "--report-dir", "r")
    assert "other.toml" in line and TABLE in line


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("exampels = 2", ["exampels", "unknown key"]),
        ('examples = "two"', ["examples", "whole number", "a string"]),
        ("examples = 0", ["examples", "at least 1"]),
        ("schemathesis = -1", ["schemathesis", "at least 0"]),
        ("workers = true", ["workers", "whole number"]),
        ('pace = "fast"', ["pace", "one of aws"]),
        ('dry-run = "yes"', ["dry-run", "true or false"]),
        ("target = 5", ["target", "must be a string"]),
        ('client-secret = 12345\nclient-id = "c"', ["client-secret", "an integer"]),
        ('report-dir = "a"\nreport_dir = "b"', ["report-dir", "report_dir", "the same option"]),
        ("examples = 2\nexamples = 3", ["not valid TOML"]),
        ("examples = [", ["not valid TOML"]),
    ],
)
def test_bad_content_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: str,
    named: list[str],
) -> None:
    path = write_config(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    line = usage_error(capsys)
    for text in [str(path.resolve()), *named]:
        assert text in line, line
    assert "12345" not in line  # a value is never echoed when its type is wrong (it could be a secret)


def test_a_table_that_is_no_table_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('tool.cognito-conformance = "reference"\n')
    with pytest.raises(SuiteError, match="must be a table"):
        load(cwd=tmp_path)


def test_a_run_reads_the_configuration_end_to_end(tmp_path: Path) -> None:
    """The command, in a project directory: the file's target, cases, examples, label and report
    directory reach results.json; its first line names the file."""
    project = tmp_path / "emulator"
    path = write_config(
        project,
        'target = "reference"\nlabel = "reference, configured"\ncase = ["VAL-STATUS*"]\n'
        'examples = 2\nschemathesis = 0\nreport-dir = "conformance-out"',
    )
    (project / "src").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--seed", "3"],
        cwd=project / "src",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.splitlines()[0] == f"config: {path.resolve()} {TABLE}"
    document = load_results(project / "conformance-out" / "results.json")  # validated against the schema
    assert document["target"]["label"] == "reference, configured"
    assert document["target"]["spec"] == "reference"
    assert document["seed"] == 3  # the command line's
    assert document["settings"]["examples"] == 2 and document["settings"]["case"] == "VAL-STATUS*"
    assert {c["id"] for c in document["cases"]} == {"VAL-STATUS-ENUM", "VAL-STATUS-OMITTED"}
