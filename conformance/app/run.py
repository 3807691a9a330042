"""`cognito-conformance run`: check the arguments, the target and staging mode up front (exit 2 or
3 with one line), run the cases through pytest, then print the summary and decide the exit code.

A target that stops answering mid-run is exit 3 too (the cases not run are BLOCKED in the reports).
SIGTERM ends the run like Ctrl-C (cleanup first, with a deadline), exit 143 instead of 130."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets as random_source
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import pytest

import conformance.cases  # noqa: F401  (registers every case)
from conformance.app.budget import plan, planned
from conformance.app.gate import found_failures, gate, read_baseline
from conformance.app.outputs import write_outputs
from conformance.app.session import RunOutput
from conformance.engine.registry import selected
from conformance.engine.settings import SETTINGS_OPTIONS, RunSettings
from conformance.errors import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, SuiteError, TargetStopped
from conformance.provisioning import Provisioner
from conformance.provisioning.cleanup import sigterm_interrupts, terminated
from conformance.reports.terminal import summary_lines, use_color
from conformance.secrets import SECRETS, redact
from conformance.targets import open_target
from conformance.targets.target import STOPPED


def settings_of(args: argparse.Namespace) -> RunSettings:
    return RunSettings.from_options(vars(args))


def run(args: argparse.Namespace) -> int:
    with sigterm_interrupts():  # SIGTERM unwinds like Ctrl-C, from the preflight on
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.client_secret:
        SECRETS.add(args.client_secret, "<client-secret>")
    if bool(args.user_pool_id) != bool(args.client_id):
        raise SuiteError("staging mode needs both --user-pool-id and --client-id")
    if args.record and args.workers > 1:
        raise SuiteError("--record needs one process: leave out --workers")
    settings = settings_of(args)
    cases = selected(settings)
    if not cases:
        within = f" of --operation {args.operation}" if args.operation else ""
        raise SuiteError(f"no case{within} matches --case {args.case!r} (see `cognito-conformance cases`)")
    report_dir = Path(args.report_dir)
    if args.dry_run:
        return _dry_run(cases, settings, report_dir)
    _preflight(settings)
    if args.baseline:
        read_baseline(args.baseline)  # a malformed baseline stops the run before it starts
    # The call budget's plan, before anything is sent (a budget no case fits is exit 2); the pytest
    # session takes this one (budget.planned makes it once per process).
    budgeted = planned(cases, settings)
    if budgeted is not None and budgeted.left_out:
        print(
            f"plan: {len(budgeted.cases)} of {len(cases)} cases fit the {budgeted.budget}-call budget "
            f"({budgeted.total} calls); {len(budgeted.left_out)} SKIPPED "
            "(--dry-run shows the plan, --budget N runs more)"
        )
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "results.json").unlink(missing_ok=True)
    with _named_plugins_only(), _pytest_silenced() as terminal:
        # Only the suite's own lines: its progress (RunOutput), and what went wrong on stderr.
        code = pytest.main(_pytest_args(settings, args.workers), plugins=[RunOutput(terminal)])
    if code == pytest.ExitCode.INTERRUPTED:
        # Cleanup has run; results.json (if any) holds the cases finished so far. Which signal it was:
        # pytest swallowed the interrupt, cleanup.terminated() remembers a SIGTERM.
        raise terminated() or KeyboardInterrupt()
    results_file = report_dir / "results.json"
    if not results_file.exists():
        if code in (EXIT_USAGE, 3):
            return int(code)
        raise SuiteError(f"the run ended without results (pytest exit code {int(code)})")
    document = json.loads(results_file.read_text())
    print()  # apart from the progress above
    exit_code = _judge(document, args, report_dir)
    for line in _summary(document, report_dir):
        print(redact(line))
    stopped = stopped_reason(document)
    if stopped is not None and not (exit_code == EXIT_FAILURES and found_failures(document)):
        raise TargetStopped(redact(stopped))  # exit 3: nothing failed, but the run is incomplete
    if stopped is not None:  # a crash is a finding: what FAILed before (or on) it decides, exit 1
        print(f"cognito-conformance: {redact(stopped)}", file=sys.stderr)
    return exit_code


def stopped_reason(document: dict[str, Any]) -> str | None:
    """One line when the target stopped answering during the run (None when it did not)."""
    stopped = [c for c in document["cases"] if str(c.get("reason") or "").startswith(STOPPED)]
    if not stopped:
        return None
    not_run = [c for c in stopped if str(c["reason"]).startswith(f"{STOPPED} after case ")]
    first = str(not_run[0]["reason"]) if not_run else f"{STOPPED} during case {stopped[0]['id']}"
    return f"{first}; {len(not_run)} case(s) not run, reported as BLOCKED"


# The pytest plugins a run loads, named: nothing else installed is imported (entry-point autoloading
# cost about a second per run, mostly other packages' plugins and pytest's rewriting of their asserts).
SUITE_PLUGIN = "conformance.app.plugin"
XDIST_PLUGIN = "xdist.plugin"  # pytest-xdist, for --workers N
AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


@contextmanager
def _named_plugins_only() -> Iterator[None]:
    """No entry-point plugins in the run's pytest session, nor in its xdist workers (they inherit the
    environment); the variable as it was afterwards (`pytest --target=...` keeps autoloading)."""
    previous = os.environ.get(AUTOLOAD)
    os.environ[AUTOLOAD] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(AUTOLOAD, None)
        else:
            os.environ[AUTOLOAD] = previous


@contextmanager
def _pytest_silenced() -> Iterator[TextIO]:
    """pytest's own terminal lines (its dots, "N passed, M skipped", the warnings summary) go nowhere:
    pytest writes them to sys.stdout, which is the null device while it runs. Gives the real stdout, where
    the run's progress goes. stderr is untouched (a usage error, an internal error, a crash)."""
    terminal = sys.stdout
    with open(os.devnull, "w", encoding="utf-8") as nowhere, contextlib.redirect_stdout(nowhere):
        yield terminal


def _pytest_args(settings: RunSettings, workers: int) -> list[str]:
    os.environ.setdefault("COGNITO_CONFORMANCE_RUN_ID", random_source.token_hex(4))
    argv = [
        "-q",
        "-p",
        "no:cacheprovider",
        "--no-header",
        "-rN",
        # The cases judge through pytest.fail/skip, never a bare assert: no module needs rewriting.
        "--assert=plain",
        # Its full garbage collections at the end cost a few tenths of a second after a deep run.
        "-p",
        "no:unraisableexception",
        "-p",
        SUITE_PLUGIN,
    ]
    # Every setting, from the one table of options (engine/settings.py), as the plugin reads it back.
    for option in SETTINGS_OPTIONS:
        value = settings.option_values()[option.dest]
        if value is not None:
            argv += [option.plugin_flag, str(value)]
    if workers > 1:
        # loadgroup: the schemathesis phase's cases share one worker, so the phase runs once.
        argv += ["-p", XDIST_PLUGIN, "-n", str(workers), "--dist", "loadgroup"]
    return argv


def _preflight(settings: RunSettings) -> None:
    """Open the target and, in staging mode, check the pool: refuse early with one line."""
    target = open_target(settings.target_spec, pace=settings.pace)
    try:
        if settings.user_pool_id:
            Provisioner(
                target,
                run_id="preflight",
                user_pool_id=settings.user_pool_id,
                client_id=settings.client_id,
                client_secret=settings.client_secret,
            ).close()
    finally:
        target.close()


def _dry_run(cases: list[Any], settings: RunSettings, report_dir: Path) -> int:
    budget = planned(cases, settings) or plan(cases, settings)  # without a budget: every case
    print(
        f"dry run: {len(budget.cases)} of {len(cases)} cases against {settings.target_spec}, "
        f"{settings.examples} examples per property case"
    )
    width = max((len(op) for op in budget.by_operation), default=10)
    for op, count in budget.by_operation.items():
        print(f"  {op:<{width}}  {count:>5}")
    print(f"  {'total':<{width}}  {budget.total:>5}  (planned calls; nothing was sent to the target)")
    print("  measured against the in-process reference; each FAIL re-runs its case once")
    for line in budget.lines():
        print(line)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "plan.json").write_text(json.dumps(budget.as_json(), indent=2) + "\n")
    return EXIT_OK


def _judge(document: dict[str, Any], args: argparse.Namespace, report_dir: Path) -> int:
    """The gate (gate.py); with a baseline, the reports are written again with each case marked."""
    baseline = read_baseline(args.baseline) if args.baseline else None
    exit_code, outcome = gate(document, baseline)
    if outcome is not None:
        write_outputs(document, report_dir)  # again, now with each case marked against the baseline
        for line in outcome.lines():
            print(redact(line))
    return exit_code


def _summary(document: dict[str, Any], report_dir: Path) -> list[str]:
    report = report_dir / "index.html"
    return list(summary_lines(document, report if report.exists() else None, color=use_color(sys.stdout)))


__all__ = ["run"]
