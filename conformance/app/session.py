"""The run's pytest side, per process (pytest-xdist workers included): the settings, the run session
opened on first use, the results of the cases run here, and the hooks that report them.

Each process opens its own target and provisioner and writes its results to DIR/.parts/; the
controlling process merges them into results.json, junit.xml and index.html when the session ends.
Registered by the plugin (plugin.py) only when pytest runs with --target.
"""

from __future__ import annotations

import functools
import json
import os
import secrets as random_source
import shlex
import sys
import time
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

import pytest

import conformance.cases  # noqa: F401  (registers every case)
from conformance.app.budget import Plan, planned
from conformance.app.gate import gate, read_baseline
from conformance.app.outputs import write_outputs
from conformance.contract.catalog import OPERATIONS, catalog
from conformance.contract.drift import drift_report
from conformance.contract.model import pinned
from conformance.engine import results
from conformance.engine.context import RunSession
from conformance.engine.registry import CASES, selected
from conformance.engine.settings import DEFAULT_REPORT_DIR, OPTIONS, RunSettings
from conformance.errors import SuiteError
from conformance.judge.verdicts import CaseResult, Verdict
from conformance.parity.placeholders import Placeholders
from conformance.parity.recorder import Recorder
from conformance.provisioning import Provisioner, install_cleanup
from conformance.provisioning.cleanup import INTERRUPTED_CLEANUP_S
from conformance.reports.baseline import Baseline, compare
from conformance.reports.terminal import Progress, ProgressBar, progress_for
from conformance.reports.verdicts import gate_fails
from conformance.secrets import redact
from conformance.targets import Target, open_target
from conformance.targets.calllog import CallLog

PLUGIN_NAME = "cognito-conformance-run"
PLAN_INPUT = "cognito_conformance_plan"  # the controller's plan, in each xdist worker's workerinput
BASELINE = next(o for o in OPTIONS if o.flag == "--baseline")


class ConformanceRun:
    """Per process: settings, the lazily opened session, and the results of the cases run here."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        worker = getattr(config, "workerinput", None)
        self.worker_id: str = worker["workerid"] if worker else "main"
        values = {o.dest: config.getoption(o.plugin_dest) for o in OPTIONS if o.field}
        self.settings = RunSettings.from_options(values)
        # `run` applies its baseline itself; the plugin alone (`pytest --cognito-baseline`) does it here.
        baseline = config.getoption(BASELINE.plugin_dest)
        try:
            self.baseline: Baseline | None = read_baseline(baseline) if baseline else None
        except SuiteError as exc:
            pytest.exit(f"cognito-conformance: {redact(str(exc))}", returncode=exc.exit_code)
        self.run_id = os.environ.get("COGNITO_CONFORMANCE_RUN_ID") or random_source.token_hex(4)
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.started = time.monotonic()
        self.results: list[CaseResult] = []
        self.interrupted = False  # Ctrl-C or SIGTERM: cleanup gets a deadline
        self.stopped_after: str | None = None  # the case during which the target stopped answering
        self._session: RunSession | None = None
        self._target: Target | None = None
        self._provisioner: Provisioner | None = None
        self._cleanup = ExitStack()
        self._cleanup_handle: Any = None
        self._progress: Progress | None = None  # the plugin's counted verdict lines (not `run`'s)
        # `run` (run.py) shows its own progress and errors, pytest's terminal silenced: RunOutput.
        self._run_output = any(isinstance(p, RunOutput) for p in config.pluginmanager.get_plugins())

    @property
    def report_dir(self) -> Path:
        return Path(self.settings.report_dir or DEFAULT_REPORT_DIR)

    # --- the session, opened on first use --------------------------------------------------------

    @property
    def case_pattern(self) -> str | None:
        return self.settings.case

    def session(self) -> RunSession:
        if self._session is None:
            try:
                self._target = open_target(self.settings.target_spec, pace=self.settings.pace)
                self._provisioner = Provisioner(
                    self._target,
                    run_id=f"{self.run_id}-{self.worker_id}",
                    user_pool_id=self.settings.user_pool_id,
                    client_id=self.settings.client_id,
                    client_secret=self.settings.client_secret,
                )
            except SuiteError as exc:
                pytest.exit(f"cognito-conformance: {redact(str(exc))}", returncode=exc.exit_code)
            # Ctrl-C, SIGTERM or a crash still deletes what the run created. SIGTERM as an interrupt: pytest
            # would take a SystemExit for one failed case and go on sending.
            self._cleanup_handle = self._cleanup.enter_context(
                install_cleanup(self._provisioner, interrupt_on_sigterm=True)
            )
            self._session = RunSession(self.settings, self._target, self._provisioner)
            if self.settings.record:
                self._session.recorder = self._recorder(self._target, self._provisioner)
        return self._session

    def _recorder(self, target: Target, provisioner: Provisioner) -> Recorder:
        """`--record`: the recorder sees every exchange of the target and every provisioning action."""
        names = Placeholders(target.region, provisioner.prefix, provisioner.run_id)
        settings = {"seed": self.settings.seed, "examples": self.settings.examples, "case": self.case_pattern}
        settings["schemathesis"] = self.settings.schemathesis
        recorder = Recorder(names, target=target, settings=settings)
        target.observers.append(recorder.observe)
        provisioner.recorder = recorder
        return recorder

    def close(self) -> None:
        if self._provisioner is not None:
            stopped = self._target is not None and self._target.stopped
            if (self.interrupted or stopped) and self._cleanup_handle is not None:
                # The run must end now: cleanup calls get their own short deadline.
                self._cleanup_handle.deadline_s = INTERRUPTED_CLEANUP_S
            self._cleanup.close()  # closes the provisioner, shielded from a second Ctrl-C
            leftovers = list(self._provisioner.leftovers)
            self._provisioner = None
            if leftovers:
                # pytest keeps the provisioner's log warning to itself: say it where a person (or a CI log)
                # sees it. Names only (pools, users), never a secret.
                names = ", ".join(leftovers)
                self._say(f"cognito-conformance: could not delete what the run created: {names}")
        recorder = self._session.recorder if self._session is not None else None
        if isinstance(recorder, Recorder) and self.settings.record:
            recorder.write(Path(self.settings.record))
        if self._target is not None:
            self._write_part()
            self._target.close()
            self._target = None

    def record(self, result: CaseResult) -> None:
        self.results.append(result)

    def _say(self, line: str) -> None:
        """One line on stderr now, past pytest's capture: close() may run in the last test's teardown."""
        capture = self.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
            sys.stderr.write(redact(line) + "\n")
            sys.stderr.flush()

    # --- hooks -----------------------------------------------------------------------------------

    def pytest_keyboard_interrupt(self) -> None:
        self.interrupted = True  # before sessionfinish, which tears the session fixture down

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.close()
        if self.worker_id == "main" and not hasattr(self.config, "workerinput"):
            document = self._merge()
            if document is not None and not self.interrupted:
                session.exitstatus = self._gate(document)

    def _gate(self, document: dict[str, Any]) -> int:
        """The exit status `run` would give these results (gate.py), and the baseline's lines."""
        code, outcome = gate(document, self.baseline)
        if outcome is not None:
            write_outputs(document, self.report_dir)  # each case marked against the baseline
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                for line in outcome.lines():
                    reporter.write_line(redact(line))
        return code

    def known(self, result: CaseResult) -> bool:
        """Whether the baseline expects this verdict for the case's requirement (a known deviation)."""
        entry = self.baseline.entries.get(result.requirement) if self.baseline else None
        return entry is not None and compare(str(result.verdict), entry.verdicts) == "expected"

    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> tuple[str, str, str] | None:
        # Our own progress line replaces pytest's dots and letters (the counts stay pytest's).
        if report.when == "call" or (report.when == "setup" and report.skipped):
            return report.outcome, "", ""
        return None

    @property
    def total(self) -> int:
        """How many cases this run has (the tests suite.py parametrizes), for the progress count."""
        return len(selected(self.settings))

    @functools.cached_property
    def plan(self) -> Plan | None:
        """The call budget's plan (budget.py): the cases it leaves out are SKIPPED. None without a
        budget. Made once per process (`run`'s own is this one); an xdist worker takes its controller's."""
        given = getattr(self.config, "workerinput", {}).get(PLAN_INPUT)
        if given is not None:
            return Plan.from_json(given)
        try:
            return planned(selected(self.settings), self.settings)
        except SuiteError as exc:
            pytest.exit(f"cognito-conformance: {redact(str(exc))}", returncode=exc.exit_code)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """pytest-xdist: each worker runs the controller's plan (the rehearsal is made once)."""
        if self.plan is not None:
            node.workerinput[PLAN_INPUT] = self.plan.as_json()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """The verdict line of each case, counted (`[12/83] PASS ...`). `run` shows its own progress
        (RunOutput); as a pytest plugin, the line goes through pytest's terminal, beside its own lines."""
        if report.when != "call" and not (report.when == "setup" and report.skipped):
            return
        if self._run_output:
            return
        verdict = dict(report.user_properties).get("verdict")
        if verdict and not hasattr(self.config, "workerinput"):
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            case_id = dict(report.user_properties).get("case", report.nodeid)
            if reporter is not None:
                if self._progress is None:
                    self._progress = Progress(self.total, sys.stdout)
                took = report.duration if report.when == "call" else None
                line = self._progress.line(str(case_id), str(verdict), took, color=reporter.hasmarkup)
                reporter.write_line(line)

    # --- results -------------------------------------------------------------------------------

    def _write_part(self) -> None:
        parts = self.report_dir / ".parts"
        parts.mkdir(parents=True, exist_ok=True)
        target = self._target
        assert target is not None, "a part is written while the target is open"
        described: dict[str, Any] = {"spec": target.spec, "kind": target.kind, "endpoint": target.endpoint}
        if self.settings.label:  # `--label NAME`; without it, readers name the target by its spec
            described["label"] = self.settings.label
        document = {
            "cases": [r.as_json() for r in self.results],
            "calls": [[r.operation, r.started, r.elapsed] for r in target.calls.records()],
            "target": described,
        }
        (parts / f"{self.worker_id}.json").write_text(redact(json.dumps(document)))

    def _merge(self) -> dict[str, Any] | None:
        """results.json and the reports from every process's part; the document, or None (no part)."""
        parts_dir = self.report_dir / ".parts"
        documents = (
            [json.loads(p.read_text()) for p in sorted(parts_dir.glob("*.json"))]
            if parts_dir.exists()
            else []
        )
        if not documents:
            return None
        log = CallLog()
        for doc in documents:
            for operation, started, elapsed in doc["calls"]:
                log.record(operation, started, elapsed)
        calls = {**log.as_json(), "latency_ms": log.latency_ms()}
        try:
            drift = drift_report()[1]
        except Exception:  # drift is informative; a broken botocore install must not sink a run
            drift = []
        document = results.build(
            cases=[c for doc in documents for c in doc["cases"]],
            catalog=catalog(),
            model=pinned(),
            drift=drift,
            target=documents[0]["target"],
            started_at=self.started_at,
            duration_s=time.monotonic() - self.started,
            seed=self.settings.seed,
            calls=calls,
            settings={
                "examples": self.settings.examples,
                "pace": self.settings.pace,
                "case": self.case_pattern,
                "operations": list(self.settings.operations or OPERATIONS),
            },
        )
        for part in parts_dir.glob("*.json"):
            part.unlink()
        parts_dir.rmdir()
        write_outputs(document, self.report_dir)
        return cast(dict[str, Any], document)


class RunOutput:
    """The terminal of `cognito-conformance run` (run.py passes it to pytest and silences pytest's own
    terminal): the suite's lines only. Progress as the cases finish (a bar on a terminal, counted lines
    in a log: reports/terminal.py); whatever goes wrong outside the cases' verdicts on stderr: a test
    that failed without a verdict (a broken fixture, a crashed worker), a collection error, pytest's
    internal error, a `pytest.exit` during the session. pytest's dots, its "N passed" and its warnings
    summary are not shown: the run prints its own summary afterwards."""

    def __init__(self, stream: TextIO, errors: TextIO | None = None) -> None:
        self.stream = stream
        self.errors = errors if errors is not None else sys.stderr
        self.progress: Progress | None = None
        self._started = False
        self._said: set[str] = set()
        self._again = 0  # failures with an error already said (a broken session fixture fails every case)

    def _error(self, text: str) -> None:
        if isinstance(self.progress, ProgressBar):  # it would draw over the error: plain lines from here on
            done = self.progress.done
            self.progress.close()
            self.progress = Progress(self.progress.total, self.stream)
            self.progress.done = done
        self.errors.write(redact(text).rstrip("\n") + "\n")
        self.errors.flush()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._started = True
        run = session.config.pluginmanager.get_plugin(PLUGIN_NAME)
        if isinstance(run, ConformanceRun) and not hasattr(session.config, "workerinput"):
            self.progress = progress_for(run.total, self.stream)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            where = report.nodeid or "the cases"
            self._error(f"cognito-conformance: collecting {where} failed:\n{report.longreprtext}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        verdict = properties.get("verdict")
        if verdict and (report.when == "call" or (report.when == "setup" and report.skipped)):
            if self.progress is not None:
                took = report.duration if report.when == "call" else None
                self.progress.case_done(str(properties.get("case", report.nodeid)), str(verdict), took)
                if self.progress.done >= self.progress.total:
                    self.close()  # the last case: the bar goes before the session's last words (cleanup)
            return
        if report.failed:  # not a verdict: the suite or pytest broke (a fixture, a worker)
            text = report.longreprtext
            if text in self._said:
                self._again += 1
            else:
                self._said.add(text)
                self._error(f"cognito-conformance: {report.nodeid} ({report.when}) failed:\n{text}")

    def pytest_internalerror(self, excrepr: Any) -> bool:
        self._error("\n".join(f"INTERNALERROR> {line}" for line in str(excrepr).splitlines()))
        return True

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        # pytest says a `pytest.exit` itself when it comes before the session starts.
        if isinstance(excinfo.value, pytest.exit.Exception) and self._started:
            self._error(str(excinfo.value.msg))
        self.close()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self) -> None:
        self.close()  # before the run's outputs are written and anything else is said
        if self._again:
            self._error(f"cognito-conformance: {self._again} more test(s) failed with an error said above")
            self._again = 0

    def pytest_unconfigure(self) -> None:
        self.close()


def not_run(session: RunSession, case_id: str, reason: str) -> CaseResult:
    """A case recorded as BLOCKED without sending anything (the target stopped answering)."""
    requirement = catalog().get(CASES[case_id].requirement)
    spec = shlex.quote(session.settings.target_spec)
    return CaseResult.of(
        case_id,
        requirement,
        Verdict.BLOCKED,
        reason=redact(reason),
        reproduce=f"cognito-conformance run --target {spec} --seed {session.seed} --case {case_id}",
        blocked={"cause": "stopped", "requirement": None},
    )


def outcome_of(result: CaseResult, known: bool = False) -> str:
    """How a verdict shows in pytest, as the gate reads it (gate.py): failed (a FAIL, ERROR,
    UNIMPLEMENTED or a BLOCKED the target caused), xfailed (one the baseline expects), skipped (a
    limit outside the target, SKIPPED) or passed."""
    if gate_fails(result.as_json()):
        return "xfailed" if known else "failed"
    if result.verdict in (Verdict.BLOCKED, Verdict.SKIPPED):
        return "skipped"
    return "passed"
