"""The terminal: one line per finished case while a run goes, a compact summary table at the end.

Plain text that reads well in CI logs (no cursor movement); colors only on a TTY, never with NO_COLOR.
Every line goes through conformance.secrets.redact.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from conformance.secrets import redact

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


class Progress:
    """`[ 12/57] FAIL           VAL-DEVICEKEY-LENGTH[56]` for each finished case (thread-safe)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.color = use_color(stream)
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._width = len(str(max(total, 1)))

    def case_done(self, case_id: str, verdict: str) -> None:
        with self._lock:
            self.done += 1
            label = paint(f"{verdict:<13}", verdict, self.color)
            line = f"[{self.done:>{self._width}}/{self.total}] {label} {case_id}"
            self.stream.write(redact(line) + "\n")
            self.stream.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def summary_lines(results: Mapping[str, Any], report_path: Path | None, *, color: bool = False) -> list[str]:
    """A family x verdict table, the failures and errors, the score, and where the report is."""
    cases = [c for c in results.get("cases", []) if isinstance(c, Mapping)]
    target = results.get("target", {})
    calls = results.get("calls", {})
    head = (
        f"UpdateDeviceStatus conformance: target {target.get('spec', '?')} ({target.get('kind', '?')}), "
        f"seed {results.get('seed', '?')}, {len(cases)} requirements in "
        f"{float(results.get('duration_s', 0)):.1f}s, "
        f"{calls.get('total', 0)} requests"
    )
    fams = family_order(family_of(c) for c in cases)
    width = max([len(f) for f in fams] + [len("total")])
    lines = [head, "", f"  {'':<{width}}  " + " ".join(f"{SHORT[v]:>5}" for v in VERDICTS)]

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
    for verdict in ("FAIL", "ERROR"):
        bad = [c for c in cases if c.get("verdict") == verdict]
        for case in bad[:MAX_LISTED]:
            flaky = " (flaky)" if case.get("flaky") else ""
            reason = " ".join(str(case.get("reason") or "").split())
            lines.append(f"  {paint(verdict, verdict, color)} {case.get('id')}{flaky}: {reason}"[:220])
        if len(bad) > MAX_LISTED:
            lines.append(f"  ... and {len(bad) - MAX_LISTED} more {verdict}")
    caused, limits = blocked_groups(cases)
    for named, ids in caused.items():
        listed = ", ".join(ids[:MAX_LISTED]) + (
            f" and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
        )
        lines.append(f"  {paint('BLOCKED', 'BLOCKED', color)} by the target, explained by {named}: {listed}")
    for why, ids in limits.items():
        lines.append(f"  not testable here (a limit outside the target): {', '.join(ids)}: {why}"[:220])
    lines.append(f"  score: {score(cases).line()}")
    if report_path is not None:
        lines.append(f"  report: {report_path}")
    return [redact(line) for line in lines]
