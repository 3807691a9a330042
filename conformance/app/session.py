"""The pytest plugin: `pytest --target=...` (or `cognito-conformance run`) runs every case as a test.

Each process (pytest-xdist workers included) opens its own target and provisioner and writes its
results to DIR/.parts/; the controlling process merges them into results.json, junit.xml and
index.html when the session ends.
"""

from __future__ import annotations

import json
import os
import secrets as random_source
import sys
import time
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.secrets import redact

from conformance.judge.verdicts import CaseResult, Verdict

DEFAULT_REPORT_DIR = "reports/latest"
PLUGIN_NAME = "cognito-conformance-run"
SUITE_FILE = Path(__file__).with_name("suite.py")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cognito-conformance", "Cognito UpdateDeviceStatus conformance")
    group.addoption(
        "--target",
        default=None,
        help="reference | reference-http | moto | http(s)://HOST:PORT | aws[:REGION]",
    )
    group.addoption("--report-dir", default=DEFAULT_REPORT_DIR, help="where results.json and reports go")
    group.addoption("--seed", type=int, default=0, help="makes a run repeatable")
    group.addoption("--examples", type=int, default=None, help="generated requests per property case")
    group.addoption("--case", default=None, help="only cases matching this glob or text (comma-separated)")
    group.addoption(
        "--schemathesis",
        type=int,
        default=None,
        help="the schemathesis phase's examples per mode; 0 skips it (default 25; 0 on aws)",
    )
    group.addoption("--record", default=None, help="write every exchange of the run to this file (parity)")
    group.addoption("--pace", default=None, choices=("aws",), help="pace calls per Cognito quota category")
    group.addoption("--user-pool-id", default=None, help="staging mode: an existing pool")
    group.addoption("--client-id", default=None, help="staging mode: an app client of that pool")
    group.addoption("--client-secret", default=None, help="staging mode: the client's secret, if it has one")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("target") is None:
        return
    config.args[:] = [str(SUITE_FILE)]  # run the cases, not the project's own tests
    # pytest-xdist's mark, declared for runs without xdist (where it means nothing).
    config.addinivalue_line("markers", "xdist_group(name): cases that share one worker")
    config.pluginmanager.register(ConformanceRun(config), PLUGIN_NAME)


class ConformanceRun:
    """Per process: settings, the lazily opened session, and the results of the cases run here."""

    def __init__(self, config: pytest.Config) -> None:
        from conformance.engine.context import RunSettings

        self.config = config
        worker = getattr(config, "workerinput", None)
        self.worker_id: str = worker["workerid"] if worker else "main"
        examples = config.getoption("examples")
        self.settings = RunSettings.of(
            str(config.getoption("target")),
            seed=int(config.getoption("seed")),
            examples=int(examples) if examples else None,
            report_dir=str(config.getoption("report_dir")),
            pace=config.getoption("pace"),
            user_pool_id=config.getoption("user_pool_id"),
            client_id=config.getoption("client_id"),
            client_secret=config.getoption("client_secret"),
            schemathesis=config.getoption("schemathesis"),
        )
        self.case_pattern: str | None = config.getoption("case")
        self.record_path: str | None = config.getoption("record")
        self.run_id = os.environ.get("COGNITO_CONFORMANCE_RUN_ID") or random_source.token_hex(4)
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.started = time.monotonic()
        self.results: list[CaseResult] = []
        self.interrupted = False  # Ctrl-C or SIGTERM: cleanup gets a deadline
        self.stopped_after: str | None = None  # the case during which the target stopped answering
        self._session: Any = None
        self._target: Any = None
        self._provisioner: Any = None
        self._cleanup = ExitStack()
        self._cleanup_handle: Any = None

    @property
    def report_dir(self) -> Path:
        return Path(self.settings.report_dir or DEFAULT_REPORT_DIR)

    # --- the session, opened on first use --------------------------------------------------------

    def session(self) -> Any:
        if self._session is None:
            from conformance.errors import SuiteError
            from conformance.provisioning import Provisioner, install_cleanup
            from conformance.targets import open_target

            from conformance.engine.context import RunSession

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
            if self.record_path:
                self._session.recorder = self._recorder()
        return self._session

    def _recorder(self) -> Any:
        """`--record`: the recorder sees every exchange of the target and every provisioning action."""
        from conformance.parity.placeholders import Placeholders
        from conformance.parity.recorder import Recorder

        names = Placeholders(self._target.region, self._provisioner.prefix, self._provisioner.run_id)
        settings = {"seed": self.settings.seed, "examples": self.settings.examples, "case": self.case_pattern}
        settings["schemathesis"] = self.settings.schemathesis
        recorder = Recorder(names, target=self._target, settings=settings)
        self._target.observers.append(recorder.observe)
        self._provisioner.recorder = recorder
        return recorder

    def close(self) -> None:
        if self._provisioner is not None:
            from conformance.provisioning.cleanup import INTERRUPTED_CLEANUP_S

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
        if self._session is not None and self._session.recorder is not None and self.record_path:
            self._session.recorder.write(Path(self.record_path))
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
            self._merge()

    def pytest_report_teststatus(
        self, report: pytest.TestReport, config: pytest.Config
    ) -> tuple[str, str, str] | None:
        # Our own progress line replaces pytest's dots and letters (the counts stay pytest's).
        if report.when == "call" or (report.when == "setup" and report.skipped):
            return report.outcome, "", ""
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call" and not (report.when == "setup" and report.skipped):
            return
        verdict = dict(report.user_properties).get("verdict")
        if verdict and not hasattr(self.config, "workerinput"):
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            case_id = dict(report.user_properties).get("case", report.nodeid)
            if reporter is not None:
                reporter.write_line(f"{verdict:<13} {case_id}")

    # --- results -------------------------------------------------------------------------------

    def _write_part(self) -> None:
        parts = self.report_dir / ".parts"
        parts.mkdir(parents=True, exist_ok=True)
        target = self._target
        document = {
            "cases": [r.as_json() for r in self.results],
            "calls": [[r.operation, r.started, r.elapsed] for r in target.calls.records()],
            "target": {"spec": target.spec, "kind": target.kind, "endpoint": target.endpoint},
        }
        (parts / f"{self.worker_id}.json").write_text(redact(json.dumps(document)))

    def _merge(self) -> None:
        from conformance.contract.catalog import catalog
        from conformance.contract.drift import drift_report
        from conformance.contract.model import pinned
        from conformance.targets.calllog import CallLog

        from conformance.engine import results

        parts_dir = self.report_dir / ".parts"
        documents = (
            [json.loads(p.read_text()) for p in sorted(parts_dir.glob("*.json"))]
            if parts_dir.exists()
            else []
        )
        if not documents:
            return
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
            },
        )
        for part in parts_dir.glob("*.json"):
            part.unlink()
        parts_dir.rmdir()
        write_outputs(document, self.report_dir)


def write_outputs(document: dict[str, Any], report_dir: Path) -> None:
    """results.json, and the reports that render it: JUnit XML and the HTML page."""
    from conformance.reports.html import write_html
    from conformance.reports.junit import write_junit

    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    write_junit(document, report_dir / "junit.xml")
    write_html(document, report_dir / "index.html")


def not_run(session: Any, case_id: str, reason: str) -> CaseResult:
    """A case recorded as BLOCKED without sending anything (the target stopped answering)."""
    import shlex

    from conformance.contract.catalog import catalog

    from conformance.engine.registry import CASES

    requirement = catalog().get(CASES[case_id].requirement)
    spec = shlex.quote(session.settings.target_spec)
    return CaseResult.of(
        case_id,
        requirement,
        Verdict.BLOCKED,
        reason=redact(reason),
        reproduce=f"cognito-conformance run --target {spec} --seed {session.seed} --case {case_id}",
    )


def outcome_of(result: CaseResult) -> str:
    """How a verdict shows in pytest: failed, skipped or passed."""
    if result.verdict in (Verdict.FAIL, Verdict.ERROR):
        return "failed"
    if result.verdict in (Verdict.BLOCKED, Verdict.SKIPPED, Verdict.UNIMPLEMENTED):
        return "skipped"
    return "passed"
