"""The terminal: progress lines and the end-of-run summary (plain in logs, colored on a TTY)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conformance.reports.html import render_html
from conformance.reports.terminal import Progress, ProgressBar, progress_for, summary_lines

from .conftest import leaks, load_fixture


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_summary_names_the_report_and_the_failures() -> None:
    lines = summary_lines(load_fixture("faulty"), Path("reports/latest/index.html"))
    text = "\n".join(lines)
    assert lines[0].startswith(
        "Cognito device operations conformance: target http://127.0.0.1:9229 (endpoint), seed 7,"
        " 57 requirements of 1 operation in 21.7s"
    )
    # A document written before the device family was judged: all of it UpdateDeviceStatus's, its own
    # score line first.
    assert lines[2] == (
        "  UpdateDeviceStatus: 47 of 51 applicable requirements passed; 1 ERROR and 6 more to act on"
    )
    assert lines[-1] == "  report: reports/latest/index.html"
    assert "  score: 47 of 51 applicable requirements passed (57 requirements, 55 judged:" in text
    # The BLOCKED apart: the target's doing (by the requirement that explains it) and limits outside it.
    assert "2 not judged: 1 BLOCKED by the target, 1 not testable here" in text
    assert "FAIL VAL-DEVICEKEY-LENGTH[56]: a 56-character DeviceKey was accepted" in text
    assert "FAIL AUTH-NOT-JWT (flaky):" in text
    assert "ERROR STATE-MACHINE: suite error" in text
    table = [line for line in lines if line.startswith("  validation") or line.startswith("  total")]
    assert table[0].split() == ["validation", "16", "·", "1", "·", "2", "·", "·", "·"]
    assert table[1].split()[1:] == ["45", "2", "3", "·", "4", "1", "1", "1"]
    assert "\033[" not in text
    assert not leaks(text), leaks(text)


def test_summary_without_report_and_in_color() -> None:
    lines = summary_lines(load_fixture("moto"), None, color=True)
    assert not any("report:" in line for line in lines)
    assert any("\033[" in line for line in lines)


def test_many_failures_are_cut_short() -> None:
    run = load_fixture("reference")
    for case in run["cases"]:
        case["verdict"] = "FAIL"
    lines = summary_lines(run, None)
    assert sum(1 for line in lines if line.startswith("  FAIL ")) == 10
    assert "  ... and 47 more FAIL" in lines


def test_progress_plain_in_logs() -> None:
    out = io.StringIO()
    progress = Progress(57, out)
    progress.case_done("VAL-ACCESSTOKEN-MISSING", "PASS")
    progress.case_done("AUTH-NOT-JWT", "FAIL")
    assert out.getvalue().splitlines() == [
        "[ 1/57] PASS          VAL-ACCESSTOKEN-MISSING",
        "[ 2/57] FAIL          AUTH-NOT-JWT",
    ]
    assert progress.done == 2 and progress.elapsed() >= 0


def test_progress_colored_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Tty()
    Progress(3, out).case_done("X", "FAIL")
    assert "\033[1;31m" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    out = Tty()
    Progress(3, out).case_done("X", "FAIL")
    assert "\033[" not in out.getvalue()


def test_progress_redacts() -> None:
    out = io.StringIO()
    Progress(1, out).case_done("eyJhbGciOi.eyJzdWIiOi.c2ln", "PASS")
    assert "eyJ" not in out.getvalue()


def test_progress_lines_count_and_time_each_case() -> None:
    out = io.StringIO()
    progress = progress_for(59, out)  # not a terminal: plain lines
    assert type(progress) is Progress
    progress.case_done("VAL-STATUS-ENUM", "PASS", 0.31)
    progress.case_done("STATE-MACHINE", "FAIL", 75.2)
    progress.case_done("AUTH-NOT-JWT", "UNIMPLEMENTED", 130)
    progress.close()
    assert out.getvalue().splitlines() == [
        "[ 1/59] PASS          VAL-STATUS-ENUM (0.3 s)",
        "[ 2/59] FAIL          STATE-MACHINE (75 s)",
        "[ 3/59] UNIMPLEMENTED AUTH-NOT-JWT (2 min 10 s)",
    ]


def test_on_a_terminal_a_bar_that_is_gone_when_the_run_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Tty()
    progress = progress_for(3, out)
    assert isinstance(progress, ProgressBar)
    progress.case_done("VAL-STATUS-ENUM", "PASS", 0.3)
    progress.case_done("VAL-DEVICEKEY-LENGTH[56]", "FAIL", 0.5)  # brackets are no markup
    progress.close()
    progress.close()  # twice is harmless
    progress.case_done("X", "PASS")  # after close: nothing drawn, nothing raised
    text = out.getvalue()
    # A FAIL is printed above the bar as it happens, with its count; the bar itself is transient.
    assert "[2/3] FAIL          VAL-DEVICEKEY-LENGTH[56] (0.5 s)" in text
    assert "PASS          VAL-STATUS-ENUM" not in text
    assert "\033[2K" in text  # the bar's line erased
    assert progress.done == 2


def test_a_dumb_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert type(progress_for(3, Tty())) is Progress


def test_a_labelled_target_is_named_by_its_label_in_the_summary_and_the_report() -> None:
    run = load_fixture("reference")
    run["target"] = {**run["target"], "label": "my-emulator 2.3"}
    head = summary_lines(run, None)[0]
    assert f"target my-emulator 2.3 = {run['target']['spec']} (" in head
    page = render_html(run)
    assert "<title>Cognito device operations conformance: my-emulator 2.3</title>" in page
    unlabelled = load_fixture("reference")
    assert f"target {unlabelled['target']['spec']} (" in summary_lines(unlabelled, None)[0]
