"""`report merge` and `baseline write`: registered on the main command line by add_report_commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conformance.errors import EXIT_OK, SuiteError

from .baseline import write_baseline
from .matrix import merge, score_lines
from .results import load_results
from .safety import write_redacted


def cmd_report_merge(args: argparse.Namespace) -> int:
    files = [Path(p) for p in args.results]
    index = merge(files, Path(args.output))
    for line in score_lines(files):
        print(line)
    print(f"matrix: {index}")
    return EXIT_OK


def cmd_baseline_write(args: argparse.Namespace) -> int:
    results = load_results(Path(args.results))
    note = args.note or f"baseline for {results['target']['spec']}"
    out = Path(args.output)
    if out.exists() and out.is_dir():
        raise SuiteError(f"{out} is a directory; -o takes the baseline file to write")
    try:
        write_redacted(out, write_baseline(results, note))
    except OSError as exc:
        raise SuiteError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}: {len(results['cases'])} cases expected of {results['target']['spec']}")
    return EXIT_OK


def add_report_commands(subparsers: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register `report merge` and `baseline write` on the main parser's subparsers.

    Each leaf parser gets `handler` (argparse.Namespace -> exit code) as a default, like the other
    commands; handlers raise SuiteError (exit 2) for bad input.
    """
    report = subparsers.add_parser("report", help="combine results of several runs", description="reports")
    report_sub = report.add_subparsers(
        dest="report_command", required=True, metavar="SUBCOMMAND", parser_class=parser_class
    )
    p = report_sub.add_parser(
        "merge",
        help="a matrix page of several results.json (cases down, targets across)",
        description="Write DIR/index.html: cases down, targets across, each cell the verdict and a link "
        "to that target's report (written to DIR/targets/NAME/).",
    )
    p.add_argument("results", nargs="+", metavar="RESULTS.json")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_report_merge)

    baseline = subparsers.add_parser(
        "baseline", help="CI baselines of expected verdicts", description="baselines"
    )
    baseline_sub = baseline.add_subparsers(
        dest="baseline_command", required=True, metavar="SUBCOMMAND", parser_class=parser_class
    )
    p = baseline_sub.add_parser(
        "write",
        help="write a baseline that expects the verdicts of a results.json",
        description="Write a TOML baseline (one table per case: verdict, reason) for `run --baseline`.",
    )
    p.add_argument("results", metavar="RESULTS.json")
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p.add_argument("--note", help="a line about the target (version, setup), kept in the file")
    p.set_defaults(handler=cmd_baseline_write)
