"""schemathesis alone against the whole suite, on the faulty variants of the reference (issue 11, item 3).

For the conformant reference and for each fault of `conformance/reference/faults.py`, in one run:

1. schemathesis ALONE, as a user would run it: the README's command (`st run` on the generated
   `specs/openapi.json`, its default checks but the README's three exclusions, the hooks module for the
   awsJson1_1 media type) with no token: nothing of the suite's provisioning or auth. Two changes: a
   fixed `--seed`, and `--max-examples 3` instead of the README's 10 (the fuzzing phase's; its fixed cost
   is most of it, 12 s a row instead of 19 s on an idle machine); the coverage phase, which does not
   depend on it, sends about 770 requests either way. What it reports is read from its JSON report.
2. the whole suite: `cognito-conformance run --target URL --report-dir DIR`, read from DIR/results.json
   (the requirements with a FAIL or NON-STRICT verdict).

Each run gets its own `serve-reference --port 0 [--fault NAME]` process on 127.0.0.1 and its own working
directory (so no example database carries over from one fault to the next); every process is stopped by
its pid, also on Ctrl-C or SIGTERM. Runs go through a small pool (`--workers`, default 2).

    .venv/bin/python benchmarks/compare_schemathesis.py > /tmp/compare.md   # ~8 min on 2 idle cores
    .venv/bin/python benchmarks/compare_schemathesis.py --faults token-only,non-json-200   # a few rows

Prints a markdown section: the table (fault, the requirement it breaks, what schemathesis alone reported,
the suite's verdict on that requirement) and the totals. Exit 0 when it ran, 1 when the conformant
reference was flagged by either tool (a false positive), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conformance.reference.faults import FAULTS  # noqa: E402

OPENAPI = ROOT / "specs" / "openapi.json"
HOOKS = "conformance.contract.openapi"
# The README's exclusions ("The contract as OpenAPI, for schemathesis"), and nothing else.
EXCLUDED_CHECKS = "positive_data_acceptance,missing_required_header,unsupported_method"
README_MAX_EXAMPLES = 10
MAX_EXAMPLES = 3  # keeps the 51 rows under 10 minutes on 2 idle cores (module docstring)
CLI = [sys.executable, "-m", "conformance.cli"]
ST = [sys.executable, "-m", "schemathesis.cli"]
REFERENCE = "(none: the conformant reference)"
CAUGHT = ("FAIL", "NON-STRICT")
# Worst first: the verdict shown for a requirement judged by several cases or checks.
SEVERITY = ("ERROR", "FAIL", "NON-STRICT", "UNIMPLEMENTED", "BLOCKED", "PASS", "INFORMATIONAL", "SKIPPED")
# No real credentials reach a run: the suite signs with dummy keys, as against any emulator.
DUMMY_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class Interrupted(Exception):
    """Ctrl-C or SIGTERM: no new process starts."""


class Processes:
    """Every child process, so that all can be stopped by pid, also from a signal."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[int, subprocess.Popen[str]] = {}
        self.stopping = threading.Event()

    def start(self, command: Sequence[str], **kwargs: Any) -> subprocess.Popen[str]:
        with self._lock:
            if self.stopping.is_set():
                raise Interrupted
            process = subprocess.Popen(list(command), text=True, **kwargs)
            self._running[process.pid] = process
            return process

    def stop(self, process: subprocess.Popen[str]) -> None:
        """SIGTERM by pid, then SIGKILL if it has not ended within 5 s."""
        if process.poll() is None:
            try:
                os.kill(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        with self._lock:
            self._running.pop(process.pid, None)

    def stop_all(self) -> None:
        self.stopping.set()
        with self._lock:
            running = list(self._running.values())
        for process in running:
            self.stop(process)


PROCESSES = Processes()


@contextmanager
def served(fault: str | None) -> Iterator[str]:
    """`cognito-conformance serve-reference --port 0 [--fault NAME]` on 127.0.0.1: its URL."""
    command = [*CLI, "serve-reference", "--host", "127.0.0.1", "--port", "0"]
    command += ["--fault", fault] if fault else []
    server = PROCESSES.start(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if "listening on " not in line:
            raise RuntimeError(f"serve-reference did not start: {line!r}")
        yield line.split("listening on ", 1)[1].split()[0]
    finally:
        PROCESSES.stop(server)


def run(command: Sequence[str], cwd: Path, env: dict[str, str], timeout: float) -> int:
    """Run to the end (output to cwd/output.txt); its exit code, or -1 on a timeout."""
    with open(cwd / "output.txt", "w", encoding="utf-8") as output:
        process = PROCESSES.start(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return -1
        finally:
            PROCESSES.stop(process)
            if PROCESSES.stopping.is_set():
                raise Interrupted


def st_command(url: str, max_examples: int, seed: int, report_dir: Path) -> list[str]:
    return [
        "run", str(OPENAPI), "--url", url, "--exclude-checks", EXCLUDED_CHECKS,
        "--max-examples", str(max_examples), "--seed", str(seed),
        "--report", "json", "--report-dir", str(report_dir),
    ]  # fmt: skip


@dataclass
class Alone:
    """What schemathesis reported: its exit code and the failing checks (code -> checks, count)."""

    exit_code: int
    failures: dict[str, tuple[str, int]] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0

    @property
    def caught(self) -> bool:
        return bool(self.failures)

    def cell(self) -> str:
        if self.exit_code not in (0, 1) or (self.exit_code == 1 and not self.failures and not self.errors):
            return f"**did not run** (exit {self.exit_code})"
        if not self.failures:
            return "no" + (f" ({self.errors} errors)" if self.errors else "")
        names = ", ".join(
            f"{checks} ({code}, {count})" for code, (checks, count) in sorted(self.failures.items())
        )
        return f"**yes**: {names}"


def schemathesis_alone(fault: str | None, work: Path, max_examples: int, seed: int) -> Alone:
    from schemathesis.failure_codes import FAILURE_CLASSES

    checks_of = {cls.code: "/".join(cls.checks) or "custom" for cls in FAILURE_CLASSES}
    work.mkdir(parents=True)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS}
    started = time.monotonic()
    with served(fault) as url:
        code = run([*ST, *st_command(url, max_examples, seed, work / "report")], work, env, timeout=600)
    alone = Alone(code, seconds=time.monotonic() - started)
    reports = sorted((work / "report").glob("*.json"))
    if reports:
        report = json.loads(reports[-1].read_text(encoding="utf-8"))
        for failure in report.get("failures", []):
            alone.failures[failure["code"]] = (checks_of.get(failure["code"], "?"), int(failure["count"]))
        alone.errors = len(report.get("errors", []))
    return alone


@dataclass
class Suite:
    """What the whole suite judged: its exit code and the verdict of each requirement it flagged."""

    exit_code: int
    requirement: str
    verdicts: dict[str, str] = field(default_factory=dict)  # requirement -> worst verdict
    by_phase: set[str] = field(default_factory=set)  # requirements the schemathesis phase flagged
    counts: dict[str, int] = field(default_factory=dict)  # verdict -> cases
    seconds: float = 0.0

    @property
    def flagged(self) -> dict[str, str]:
        return {r: v for r, v in self.verdicts.items() if v in CAUGHT}

    @property
    def caught(self) -> bool:
        if self.requirement.startswith("("):  # a broad fault, or none: anything flagged counts
            return bool(self.flagged) or self.counts.get("UNIMPLEMENTED", 0) > 0
        return self.verdicts.get(self.requirement) in CAUGHT

    def cell(self) -> str:
        if not self.counts:
            return f"**did not run** (exit {self.exit_code})"
        others = sorted(set(self.flagged) - {self.requirement})
        if self.requirement.startswith("("):
            shown = ", ".join(f"{self.counts[v]} {v}" for v in SEVERITY[:4] if self.counts.get(v))
            if not self.caught:
                return "no" + (f": {shown}" if shown else ": nothing flagged")
            return f"**yes**: {shown} cases" + (f", {len(others)} requirements" if others else "")
        verdict = self.verdicts.get(self.requirement, "not judged")
        text = f"**yes**: {verdict}" if self.caught else f"no: {verdict}"
        if self.requirement in self.by_phase:
            text += ", the phase too"
        return text + (f" (+{len(others)} other)" if others else "")


def whole_suite(fault: str | None, requirement: str, work: Path) -> Suite:
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | DUMMY_AWS
    started = time.monotonic()
    with served(fault) as url:
        command = [*CLI, "run", "--target", url, "--report-dir", str(work / "report")]
        code = run(command, work, env, timeout=600)
    suite = Suite(code, requirement, seconds=time.monotonic() - started)
    results = work / "report" / "results.json"
    if not results.exists():
        return suite
    for case in json.loads(results.read_text(encoding="utf-8"))["cases"]:
        suite.counts[case["verdict"]] = suite.counts.get(case["verdict"], 0) + 1
        judged = [(case.get("requirement"), case["verdict"])]
        judged += [(o.get("requirement"), o.get("verdict")) for o in case.get("outcomes") or []]
        for name, verdict in judged:
            if not name or verdict not in SEVERITY:
                continue
            if SEVERITY.index(verdict) < SEVERITY.index(suite.verdicts.get(name, "SKIPPED")):
                suite.verdicts[name] = verdict
            if verdict in CAUGHT and str(case["id"]).startswith("SCHEMATHESIS-"):
                suite.by_phase.add(name)
    return suite


@dataclass
class Row:
    fault: str | None
    requirement: str
    alone: Alone | None = None
    suite: Suite | None = None


def markdown(rows: list[Row], args: argparse.Namespace, seconds: float) -> str:
    today = datetime.date.today().isoformat()
    st = shlex.join(["st", *st_command("URL", args.max_examples, args.seed, Path("DIR"))])
    st = st.replace(str(OPENAPI), "specs/openapi.json")
    lines = [
        "",
        "## schemathesis alone against the whole suite",
        "",
        f"Measured {today} by `benchmarks/compare_schemathesis.py` ({len(rows)} rows,"
        f" {args.workers} at a time, {seconds / 60:.1f} min on {os.cpu_count()} cores). For each row,"
        " against its own `cognito-conformance serve-reference --port 0 [--fault NAME]`:",
        "",
        f"- schemathesis alone: `SCHEMATHESIS_HOOKS={HOOKS} {st}`: the README's command with a fixed"
        f" seed, fewer examples than its {README_MAX_EXAMPLES} and a JSON report; no token, no suite"
        " provisioning. A cell names the checks that failed, with their code and how many distinct failures.",
        "- the whole suite: `cognito-conformance run --target URL --report-dir DIR`, read from"
        ' `DIR/results.json`: the worst verdict on the requirement the fault breaks ("the phase too" when a'
        " case of the suite's own schemathesis phase, `SCHEMATHESIS-*`, flagged it as well), and how many"
        " other requirements got FAIL or NON-STRICT. For a broad fault, the cases by verdict.",
        "",
        "| fault | requirement it breaks | schemathesis alone (caught? which checks)"
        " | whole suite (caught? verdict) |",
        "|---|---|---|---|",
    ]
    for row in rows:
        alone = row.alone.cell() if row.alone else "not run"
        suite = row.suite.cell() if row.suite else "not run"
        lines.append(f"| {row.fault or REFERENCE} | {row.requirement} | {alone} | {suite} |")
    faults = [r for r in rows if r.fault and not r.requirement.startswith("(provisioning")]
    by_alone = sum(1 for r in faults if r.alone and r.alone.caught)
    by_suite = sum(1 for r in faults if r.suite and r.suite.caught)
    only_alone = [
        r.fault or "" for r in faults if r.alone and r.alone.caught and not (r.suite and r.suite.caught)
    ]
    alone_s = sum(r.alone.seconds for r in rows if r.alone)
    suite_s = sum(r.suite.seconds for r in rows if r.suite)
    lines += [
        "",
        f"**Totals**, of {len(faults)} faults (`email-usernames-only` breaks no requirement, left out):"
        f" schemathesis alone caught **{by_alone}**, the whole suite **{by_suite}**"
        + (
            f"; caught by schemathesis alone and not by the suite: {', '.join(only_alone)}"
            if only_alone
            else ""
        )
        + f". Time spent, processes included: schemathesis {alone_s:.0f} s, the suite {suite_s:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def measure(row: Row, tool: str, work: Path, args: argparse.Namespace) -> None:
    name = row.fault or "reference"
    try:
        if tool == "schemathesis":
            row.alone = schemathesis_alone(
                row.fault, work / name / "schemathesis", args.max_examples, args.seed
            )
        else:
            row.suite = whole_suite(row.fault, row.requirement, work / name / "suite")
    except Interrupted:
        raise
    except Exception as error:  # one row that could not be measured does not stop the others
        print(f"  {name}: {tool} failed: {error!r}", file=sys.stderr, flush=True)
        if tool == "schemathesis":
            row.alone = Alone(-2)
        else:
            row.suite = Suite(-2, row.requirement)
        return
    print(f"  {name}: {tool} done", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--faults", help="comma-separated fault names (default: all of FAULTS)")
    parser.add_argument("--workers", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument(
        "--max-examples",
        type=int,
        default=MAX_EXAMPLES,
        help=f"schemathesis's (the README: {README_MAX_EXAMPLES})",
    )
    parser.add_argument("--seed", type=int, default=1, help="schemathesis's seed (the suite's is 0)")
    parser.add_argument("--keep", type=Path, help="keep every report and output under this directory")
    args = parser.parse_args(argv)
    names = args.faults.split(",") if args.faults else list(FAULTS)
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        parser.error(f"unknown faults: {', '.join(unknown)}")
    rows = [Row(None, "(none)")] + [Row(n, FAULTS[n][0]) for n in names]

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    work = args.keep or Path(tempfile.mkdtemp(prefix="compare-schemathesis-"))
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.workers)
    try:
        jobs = [
            pool.submit(measure, row, tool, work, args) for row in rows for tool in ("schemathesis", "suite")
        ]
        for job in concurrent.futures.as_completed(jobs):
            job.result()
    except (KeyboardInterrupt, Interrupted):
        PROCESSES.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        print("interrupted: every server and run stopped", file=sys.stderr)
        return 130
    finally:
        PROCESSES.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        if args.keep is None:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(markdown(rows, args, time.monotonic() - started))
    reference = rows[0]
    false_positive = bool(reference.alone and reference.alone.caught) or bool(
        reference.suite and reference.suite.flagged
    )
    return 1 if false_positive else 0


if __name__ == "__main__":
    sys.exit(main())
