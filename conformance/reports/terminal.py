"""The terminal: progress while a run goes, a compact summary at the end.

Progress: in a log (not a terminal), one plain line per finished case with its count and time,
`[12/59] PASS          VAL-STATUS-ENUM (0.3 s)`, no cursor movement; on a terminal, one progress bar
(done/total, elapsed, time left) that is gone when the run ends, a FAIL or ERROR printed above it as it
happens. The summary: what each operation scored (UpdateDeviceStatus first), the verdicts by family,
then what to act on first, grouped by cause (causes.py), the score and where the report is. Colors only
on a TTY, never with NO_COLOR. Every line goes through conformance.secrets.redact.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from conformance.secrets import redact

from .causes import CLASSES, causes, cut, headline
from .operations import TITLE, OperationSummary, summaries
from .verdicts import SHORT, VERDICTS, blocked_groups, counts, family_of, family_order, score

ANSI = {
    "PASS": "32",
    "NON-STRICT": "33",
    "INFORMATIONAL": "36",
    "FAIL": "1;31",
    "UNIMPLEMENTED": "90",
    "BLOCKED": "35",
    "SKIPPED": "90",
    "ERROR": "1;35",
}
MAX_LISTED = 10


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, verdict: str, color: bool) -> str:
    code = ANSI.get(verdict)
    return f"\033[{code}m{text}\033[0m" if color and code else text


def seconds(duration_s: float) -> str:
    """A case's time, as a progress line shows it: "0.3 s", "12 s", "2 min 5 s"."""
    if duration_s < 10:
        return f"{duration_s:.1f} s"
    if duration_s < 120:
        return f"{duration_s:.0f} s"
    return f"{int(duration_s // 60)} min {duration_s % 60:.0f} s"


class Progress:
    """`[12/57] FAIL          VAL-DEVICEKEY-LENGTH (0.3 s)` for each finished case (thread-safe): plain
    lines, for logs and anything that is not a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.color = use_color(stream)
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._width = len(str(max(total, 1)))

    def line(
        self, case_id: str, verdict: str, duration_s: float | None = None, *, color: bool = False
    ) -> str:
        """One more case done: its line (redacted), the count included."""
        with self._lock:
            self.done += 1
            done = self.done
        label = paint(f"{verdict:<13}", verdict, color)
        took = f" ({seconds(duration_s)})" if duration_s is not None else ""
        return redact(f"[{done:>{self._width}}/{self.total}] {label} {case_id}{took}")

    def case_done(self, case_id: str, verdict: str, duration_s: float | None = None) -> None:
        line = self.line(case_id, verdict, duration_s, color=self.color)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def close(self) -> None:
        """Nothing to take down: the lines stay."""


# Printed above the bar as they happen: what a person watching wants to know at once.
SHOWN_ABOVE_THE_BAR = frozenset({"FAIL", "ERROR"})
RICH_STYLE = {"FAIL": "bold red", "ERROR": "bold magenta"}


class ProgressBar(Progress):
    """On a terminal: one rich progress bar, done/total with the time elapsed and the time left, beside
    the case that finished last; a FAIL or ERROR is printed above it as it happens. Transient: it is
    gone when the run ends (`close`), before the summary is printed.

    It draws on its own copy of the stream's file descriptor: pytest redirects descriptor 1 while a case
    runs, and the bar refreshes (the elapsed time, the spinner) while a long case runs too."""

    def __init__(self, total: int, stream: TextIO) -> None:
        # rich is imported here, not above: only a run on a terminal draws a bar, and the plain lines of
        # CI logs (and every report command) need not load it.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress
        from rich.table import Column

        super().__init__(total, stream)
        stream.flush()
        self._own: TextIO | None = None
        try:
            encoding = getattr(stream, "encoding", None) or "utf-8"
            self._own = os.fdopen(os.dup(stream.fileno()), "w", encoding=encoding, errors="replace")
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            self._own = None
        self.console = Console(file=self._own or stream, highlight=False, soft_wrap=False)
        self._bar = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False, table_column=Column(width=34, no_wrap=True)),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("cases"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
            redirect_stdout=False,  # pytest captures the standard streams itself
            redirect_stderr=False,
            refresh_per_second=4,
        )
        self._task = self._bar.add_task("running the cases", total=total)
        self._bar.start()
        self._closed = False

    def case_done(self, case_id: str, verdict: str, duration_s: float | None = None) -> None:
        from rich.text import Text  # loaded by __init__ already; here for the reason given there

        if self._closed:  # the run is over: nothing more to count
            return
        line = self.line(case_id, verdict, duration_s)
        with self._lock:
            if self._closed:
                return
            if verdict in SHOWN_ABOVE_THE_BAR:
                self._bar.console.print(Text(line, style=RICH_STYLE.get(verdict, "")))
            self._bar.update(self._task, advance=1, description=redact(f"{case_id} {verdict}"))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._bar.stop()
            if self._own is not None:
                self._own.close()


def progress_for(total: int, stream: TextIO) -> Progress:
    """A progress bar on a terminal (stream.isatty()); plain lines anywhere else (a log, a pipe, a dumb
    terminal)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty() and os.environ.get("TERM") != "dumb":
        return ProgressBar(total, stream)
    return Progress(total, stream)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary_lines(results: Mapping[str, Any], report_path: Path | None, *, color: bool = False) -> list[str]:
    """What each operation scored, UpdateDeviceStatus (the headline) first; a family x verdict table; then
    what to act on first: the worst class present and its causes in one line, the causes grouped
    (causes.py: an operation the target does not implement, with how many requirements it left
    unjudged; each FAIL and ERROR with its reason; BLOCKED by what blocked them); the run's score, and
    where the report is."""
    cases = [c for c in results.get("cases", []) if isinstance(c, Mapping)]
    target = results.get("target", {})
    calls = results.get("calls", {})
    judged = summaries(cases)
    head = (
        f"{TITLE}: target {_named(target)} ({target.get('kind', '?')}), "
        f"seed {results.get('seed', '?')}, {_plural(len(cases), 'requirement')} of "
        f"{_plural(len(judged), 'operation')} in {float(results.get('duration_s', 0)):.1f}s, "
        f"{calls.get('total', 0)} requests"
    )
    lines = [head, ""]
    if judged:
        lines += [*operation_lines(judged, color=color), ""]
    fams = family_order(family_of(c) for c in cases)
    width = max([len(f) for f in fams] + [len("total")])
    lines.append(f"  {'':<{width}}  " + " ".join(f"{SHORT[v]:>5}" for v in VERDICTS))

    def row(name: str, tally: Mapping[str, int]) -> str:
        cells = []
        for v in VERDICTS:
            n = tally.get(v, 0)
            cells.append(paint(f"{n:>5}", v, color and n > 0) if n else f"{'·':>5}")
        return f"  {name:<{width}}  " + " ".join(cells)

    for fam in fams:
        lines.append(row(fam, counts(c for c in cases if family_of(c) == fam)))
    lines.append(row("total", counts(cases)))
    lines.append("")
    top = headline(cases)
    lines.append(
        "  " + paint(top.text, top.verdict or "PASS", color) + (f"; also {top.also}" if top.also else "")
    )
    found = causes(cases)
    for kind in CLASSES:
        mine = [c for c in found if c.verdict == kind]
        label = paint(kind, kind, color)
        if kind == "UNIMPLEMENTED":
            for cause in mine:
                what = cause.text() if cause.operation else cut(cause.cause, 150)
                listed = f" ({', '.join(cause.ids)})" if cause.count <= 3 else ""
                lines.append(f"  {label}: {what}: {_plural(cause.count, 'requirement')}{listed}")
        elif kind == "BLOCKED":
            for cause in mine:
                ids = list(cause.ids)
                listed = ", ".join(ids[:MAX_LISTED]) + (
                    f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
                )
                count = _plural(cause.count, "requirement")
                lines.append(f"  {label} by the target, {cut(cause.cause, 150)}: {count}: {listed}")
        else:  # ERROR, FAIL, NON-STRICT: one requirement each, with its reason, as they decided it
            for cause in mine[:MAX_LISTED]:
                flaky = " (flaky)" if cause.flaky else ""
                lines.append(f"  {label} {cause.ids[0]}{flaky}: {cause.cause}"[:220])
            if len(mine) > MAX_LISTED:
                lines.append(f"  ... and {len(mine) - MAX_LISTED} more {kind}")
    _, limits = blocked_groups(cases)
    for why, ids in limits.items():
        lines.append(f"  not testable here (a limit outside the target): {', '.join(ids)}: {why}"[:220])
    lines.append(f"  score: {score(cases).line()}")
    if report_path is not None:
        lines.append(f"  report: {report_path}")
    return [redact(line) for line in lines]


def operation_lines(judged: Sequence[OperationSummary], *, color: bool = False) -> list[str]:
    """One line per operation judged: the headline's first, in the run's score words
    ("UpdateDeviceStatus: 55 of 55 applicable requirements passed"); the others compact and aligned
    ("ListDevices:        9 of 11 passed; 2 FAIL", "GetDevice:          UNIMPLEMENTED (3 requirements)"),
    each colored by its worst class (operations.Tally.worst)."""
    others = [s for s in judged if not s.headline]
    width = max((len(s.operation) + 1 for s in others), default=0)
    lines = []
    for summary in judged:
        name = f"{summary.operation}:" if summary.headline else f"{summary.operation + ':':<{width}}"
        lines.append(f"  {name} {paint(summary.status(), summary.tally.worst or 'PASS', color)}")
    return lines


def _named(target: Mapping[str, Any]) -> str:
    """The target as `run --label` named it (its spec beside), else its spec."""
    spec, label = str(target.get("spec", "?")), target.get("label")
    return f"{label} = {spec}" if label and label != spec else spec
