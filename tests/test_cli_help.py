"""`--help` of every command and subcommand documents every argument, and the default of each that has
one; `serve-reference --list-faults` names every fault `--fault` takes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from conformance.cli import build_parser
from conformance.errors import EXIT_USAGE
from conformance.reference.faults import FAULTS

CLI = [sys.executable, "-m", "conformance.cli"]


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every subparser under it, recursively."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases: the same parser once
                yield from parsers(sub)


ALL = list(parsers(build_parser()))


def arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [
        a
        for a in parser._actions
        if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction)
        and a.help != argparse.SUPPRESS
    ]


def test_every_command_is_walked() -> None:
    progs = {p.prog for p in ALL}
    for command in ("run", "serve-reference", "report merge", "baseline write", "cases", "replay"):
        assert f"cognito-conformance {command}" in progs


@pytest.mark.parametrize("parser", ALL, ids=lambda p: p.prog)
def test_every_argument_has_help(parser: argparse.ArgumentParser) -> None:
    missing = [a.option_strings or a.dest for a in arguments(parser) if not (a.help or "").strip()]
    assert not missing, f"{parser.prog}: no help for {missing}"


@pytest.mark.parametrize("parser", ALL, ids=lambda p: p.prog)
def test_every_default_is_shown_in_the_help(parser: argparse.ArgumentParser) -> None:
    formatter = parser._get_formatter()
    for action in arguments(parser):
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS:
            continue
        shown = formatter._expand_help(action) if action.help else ""
        assert str(default) in shown, f"{parser.prog} {action.option_strings}: {shown!r}"
    parser.format_help()  # every help string formats (a stray % would raise here)


def test_the_run_help_shows_a_default_from_the_option_table() -> None:
    run = next(p for p in ALL if p.prog == "cognito-conformance run")
    text = " ".join(run.format_help().split())
    assert "(default: reports/latest)" in text and "--no-dry-run" in text and "--config FILE" in text
    assert "--label NAME" in text


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    # A subprocess with a timeout: had --list-faults served, it would never end by itself.
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=dict(os.environ))


def test_list_faults_prints_every_fault_with_what_it_breaks_and_exits_0() -> None:
    result = cli("serve-reference", "--list-faults")
    assert result.returncode == 0, result.stderr
    assert "listening" not in result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == len(FAULTS)
    assert [line.split()[0] for line in lines] == sorted(FAULTS)
    for line in lines:
        name, rest = line.split(None, 1)
        breaks = FAULTS[name][0]
        assert rest.startswith(breaks), line
        description = rest.removeprefix(breaks).strip()
        assert description, f"{name}: no description"
    line = next(ln for ln in lines if ln.startswith("accept-invalid-enum "))
    assert "VAL-STATUS-ENUM" in line


def test_an_unknown_fault_is_one_line_suggesting_list_faults() -> None:
    result = cli("serve-reference", "--port", "0", "--fault", "echo-tokn")
    assert result.returncode == EXIT_USAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "unknown fault 'echo-tokn'" in lines[0]
    assert "did you mean 'echo-token'" in lines[0]
    assert "--list-faults" in lines[0]
    assert result.stdout == ""
