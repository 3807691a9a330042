"""JUnit XML: one <testsuite> per requirement family, one <testcase> per result (a requirement).

It fails what the gate fails (verdicts.gate_fails), so that a CI's test view agrees with the run's exit
code: FAIL is a <failure> (expected vs actual), ERROR an <error>, UNIMPLEMENTED and a BLOCKED the
target caused are <failure>s with their reason. A result the baseline expects (a known deviation, the
run marked it `baseline: expected`) is <skipped>, saying so. A BLOCKED by a limit outside the target
and SKIPPED are <skipped> with the reason; PASS, NON-STRICT and INFORMATIONAL pass, the last two with
<system-out> saying what was recorded. A FAIL's or NON-STRICT's text lists the case's failing check
outcomes (FAIL and NON-STRICT), one a line, worst first, since the reason names only the worst of them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .safety import scrub, write_redacted
from .verdicts import DEVIATING, OUTCOME_ORDER, family_of, family_order, gate_fails
from .view import show_value

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_VALUE = 400  # characters of an outcome's expected / actual on its line


def _text(value: Any) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _seconds(case: Mapping[str, Any]) -> str:
    value = case.get("duration_s")
    return f"{float(value):.3f}" if isinstance(value, int | float) else "0"


def _inline(value: Any) -> str:
    """A value on one line: whitespace runs collapsed, structures as compact JSON, long ones cut."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def failing_outcomes(case: Mapping[str, Any]) -> list[str]:
    """One line per FAIL or NON-STRICT check outcome, worst first: check, requirement, expected, actual."""
    raw = case.get("outcomes")
    items = [o for o in raw if isinstance(o, Mapping)] if isinstance(raw, list) else []
    bad = sorted(
        (o for o in items if o.get("verdict") in DEVIATING),
        key=lambda o: OUTCOME_ORDER.index(str(o["verdict"])),
    )
    lines = []
    for o in bad:
        count = o.get("count")
        seen = f" (seen {count} times)" if isinstance(count, int) and count > 1 else ""
        trail = o.get("trail")
        steps = (
            f"; steps: {_inline(' | '.join(map(str, trail)))}" if isinstance(trail, list) and trail else ""
        )
        where = f" in case {o['case']}" if o.get("case") else ""
        lines.append(
            f"{o['verdict']} {o.get('check', '?')} [{o.get('requirement', '?')}]{where}: expected"
            f" {_inline(o.get('expected'))}; actual {_inline(o.get('actual'))}{steps}{seen}"
        )
    return lines


def _detail(case: Mapping[str, Any]) -> str:
    lines = [
        f"{case.get('title', '')}",
        f"requirement: {case.get('requirement', '')} ({case.get('level', '')})",
        f"verdict: {case.get('verdict')}" + (" (flaky)" if case.get("flaky") else ""),
    ]
    if case.get("reason"):
        lines.append(f"reason: {case['reason']}")
    judged_by = case.get("judged_by")
    if isinstance(judged_by, list) and judged_by:
        lines.append(f"judged by: {', '.join(map(str, judged_by))}")
    if "expected" in case or "actual" in case:
        lines.append(f"expected: {show_value(case.get('expected'))}")
        lines.append(f"actual: {show_value(case.get('actual'))}")
    failing = failing_outcomes(case)
    if failing:
        lines.append(f"failing outcomes ({len(failing)}):")
        lines += [f"  {line}" for line in failing]
    if case.get("reproduce"):
        lines.append(f"reproduce: {case['reproduce']}")
    if case.get("curl"):
        lines.append(f"curl: {case['curl']}")
    return "\n".join(lines)


def _testcase(parent: ET.Element, case: Mapping[str, Any], family: str) -> None:
    verdict = str(case.get("verdict"))
    el = ET.SubElement(
        parent,
        "testcase",
        {"classname": _text(family), "name": _text(case.get("id", "")), "time": _seconds(case)},
    )
    reason = _text(case.get("reason") or verdict)
    detail = _text(_detail(case))
    kind = _kind(case)
    if kind == "known":
        ET.SubElement(el, "skipped", {"message": _text(f"known deviation (baseline): {verdict}: {reason}")})
        ET.SubElement(el, "system-out").text = detail
    elif kind == "error":
        ET.SubElement(el, "error", {"message": reason, "type": "ERROR"}).text = detail
    elif kind == "failure":
        ET.SubElement(
            el, "failure", {"message": _text(f"{verdict}: {reason}"), "type": verdict}
        ).text = detail
    elif kind == "skipped":
        ET.SubElement(el, "skipped", {"message": _text(f"{verdict}: {reason}")})
    elif verdict in ("NON-STRICT", "INFORMATIONAL"):
        ET.SubElement(el, "system-out").text = detail


def _kind(case: Mapping[str, Any]) -> str:
    """What JUnit makes of a result: "failure" or "error" where the gate fails it, "known" where it
    would but the run's baseline expects it, "skipped" where it judged nothing, else "passed"."""
    if gate_fails(case):
        if case.get("baseline") == "expected":
            return "known"
        return "error" if case.get("verdict") == "ERROR" else "failure"
    return "skipped" if case.get("verdict") in ("BLOCKED", "SKIPPED") else "passed"


def _tally(cases: list[Mapping[str, Any]]) -> dict[str, str]:
    kinds = [_kind(c) for c in cases]
    seconds = sum(float(c.get("duration_s") or 0) for c in cases)
    return {
        "tests": str(len(kinds)),
        "failures": str(kinds.count("failure")),
        "errors": str(kinds.count("error")),
        "skipped": str(kinds.count("skipped") + kinds.count("known")),
        "time": f"{seconds:.3f}",
    }


def render_junit(results: dict[str, Any]) -> str:
    clean = scrub(results)
    cases = [c for c in clean.get("cases", []) if isinstance(c, Mapping)]
    target = clean.get("target", {}).get("spec", "?")
    root = ET.Element("testsuites", {"name": _text(f"cognito-conformance: {target}"), **_tally(cases)})
    for family in family_order(family_of(c) for c in cases):
        members = [c for c in cases if family_of(c) == family]
        suite = ET.SubElement(
            root,
            "testsuite",
            {"name": _text(family), "timestamp": _text(clean.get("started_at", "")), **_tally(members)},
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("target", target),
            ("target.kind", clean.get("target", {}).get("kind", "")),
            ("seed", clean.get("seed", "")),
            ("botocore", clean.get("model", {}).get("botocore_version", "")),
        ):
            ET.SubElement(props, "property", {"name": name, "value": _text(value)})
        for case in members:
            _testcase(suite, case, family)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(results: dict[str, Any], path: Path) -> None:
    """Write `results` as JUnit XML to `path` (normally DIR/junit.xml)."""
    write_redacted(Path(path), render_junit(results), markup=True)
