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


class _MergeInput(argparse.Action):
    """`report merge`'s inputs, positionals and `--label NAME=RESULTS.json` alike, in command-line order:
    `args.inputs` is a list of (after --label?, the text); cmd_report_merge reads each (_merge_input)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        inputs = list(getattr(namespace, "inputs", None) or [])
        inputs += [
            (option_string is not None, str(v)) for v in (values if isinstance(values, list) else [values])
        ]
        namespace.inputs = inputs


def _merge_input(text: str, labelled: bool) -> tuple[str | None, Path]:
    """`NAME=path` (always, after --label; as a positional, when no file is named `text` itself), or a
    plain path."""
    name, sep, path = text.partition("=")
    if not labelled and (not sep or not name or Path(text).exists()):
        return None, Path(text)
    if not sep or not name.strip() or not path:
        raise SuiteError(f"{'--label takes' if labelled else 'expected'} NAME=RESULTS.json, not {text!r}")
    return name.strip(), Path(path)


def cmd_report_merge(args: argparse.Namespace) -> int:
    given: list[tuple[bool, str]] = list(getattr(args, "inputs", None) or [])
    inputs = [_merge_input(text, labelled) for labelled, text in given]
    if not inputs:
        raise SuiteError(
            "report merge needs at least one results.json (RESULTS.json or --label NAME=RESULTS.json)"
        )
    labels = [label for label, _ in inputs]
    files = [path for _, path in inputs]
    index = merge(files, Path(args.output), labels)
    for line in score_lines(files, labels):
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
        "to that target's report (written to DIR/targets/NAME/). A column is named by its label "
        "(--label NAME=RESULTS.json, or a positional NAME=RESULTS.json), else by the results' own label "
        "(run --label), else by the target spec.",
    )
    p.add_argument(
        "results",
        nargs="*",
        action=_MergeInput,
        default=None,
        metavar="[NAME=]RESULTS.json",
        help="a results.json, optionally named: NAME=RESULTS.json",
    )
    p.add_argument(
        "--label",
        action=_MergeInput,
        dest="inputs",
        metavar="NAME=RESULTS.json",
        help="a results.json and the name of its column (repeatable)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="where the matrix (DIR/index.html) and each target's report (DIR/targets/NAME/) go",
    )
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
    p.add_argument(
        "results", metavar="RESULTS.json", help="the results.json of the run whose verdicts to expect"
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the baseline file to write (TOML)")
    p.add_argument(
        "--note",
        help="a line about the target (version, setup), kept in the file (default: 'baseline for SPEC', "
        "SPEC the run's target)",
    )
    p.set_defaults(handler=cmd_baseline_write)
