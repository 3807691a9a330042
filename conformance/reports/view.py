"""What the HTML templates show, computed from a (scrubbed) results document: plain data, no markup."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import charts
from .causes import EVIDENCE_CUT, Cause, causes, cut, headline, missing_operation, top_causes
from .operations import HEADLINE, TITLE, OperationSummary, Tally, by_operation, operation_of, tally
from .verdicts import (
    COLORS,
    OUTCOME_ORDER,
    SHORT,
    VERDICTS,
    blocked_groups,
    counts,
    family_of,
    family_order,
    score,
)

MAX_BODY = 6000  # characters of an example body shown before it is cut


def anchor(case_id: str) -> str:
    """The HTML id of a case's row (ids may not contain whitespace)."""
    return "case-" + re.sub(r"\s", "_", case_id)


def operation_anchor(operation: str, family: str | None = None) -> str:
    """The HTML id of an operation's heading in the case list, or of one of its families' groups."""
    name = operation if family is None else f"{operation}-{family}"
    return ("op-" if family is None else "group-") + re.sub(r"\s", "_", name)


def show_value(value: Any) -> str:
    """Expected / actual values as text: strings as they are, a list of strings one a line (a PASS's
    "check: what it saw" lines), anything else as indented JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def _body_text(body: Any) -> str:
    if body is None or body == "":
        return ""
    if not isinstance(body, str):
        text = json.dumps(body, indent=2, ensure_ascii=False)
    else:
        try:
            parsed = json.loads(body)
        except ValueError:
            text = body
        else:
            text = (
                json.dumps(parsed, indent=2, ensure_ascii=False) if isinstance(parsed, dict | list) else body
            )
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + f"\n… ({len(text) - MAX_BODY} more characters)"
    return text


def _headers_text(headers: Any) -> list[str]:
    if isinstance(headers, Mapping):
        return [f"{k}: {v}" for k, v in headers.items()]
    return []


def request_text(request: Any) -> str:
    """An example request as an HTTP message (or as JSON when it is not shaped like one)."""
    if not isinstance(request, Mapping):
        return show_value(request)
    if not {"method", "url", "headers", "body"} & set(request):
        return show_value(dict(request))
    lines = [f"{request.get('method') or 'POST'} {request.get('url') or '/'}"]
    lines += _headers_text(request.get("headers"))
    body = _body_text(request.get("body"))
    return "\n".join(lines) + ("\n\n" + body if body else "")


def response_text(response: Any) -> str:
    if not isinstance(response, Mapping):
        return show_value(response)
    status = response.get("status")
    if status is None:
        error = response.get("error")
        return f"(no HTTP answer{': ' + str(error) if error else ''})"
    lines = [f"HTTP {status}", *_headers_text(response.get("headers"))]
    body = _body_text(response.get("body"))
    return "\n".join(lines) + ("\n\n" + body if body else "")


@dataclass
class OutcomeView:
    """One check's outcome, as a row of the case's outcome table."""

    verdict: str
    check: str
    requirement: str
    other_requirement: bool  # judges a requirement other than the case's own
    expected: str
    actual: str
    count: int
    request: str | None
    response: str | None
    same_exchange_as: str | None = None  # an earlier row's check, when the exchange is that one
    trail: list[str] = field(default_factory=list)  # a state machine's steps that led to it
    case: str | None = None  # the case it was seen in, when not the requirement's own


def _strings(value: Any) -> list[str]:
    """A list of strings from results.json (a state machine's trail), or none."""
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _outcome_rank(verdict: str) -> int:
    return OUTCOME_ORDER.index(verdict) if verdict in OUTCOME_ORDER else len(OUTCOME_ORDER)


def outcome_views(case: Mapping[str, Any]) -> list[OutcomeView]:
    """The case's check outcomes, worst first (alike verdicts keep the engine's order)."""
    raw = case.get("outcomes")
    items = [o for o in raw if isinstance(o, Mapping)] if isinstance(raw, list) else []
    own = str(case.get("requirement", ""))
    out = []
    for o in items:
        exchange = o.get("exchange") if isinstance(o.get("exchange"), Mapping) else None
        count = o.get("count")
        requirement = str(o.get("requirement", ""))
        out.append(
            OutcomeView(
                verdict=str(o.get("verdict", "")),
                check=str(o.get("check", "")),
                requirement=requirement,
                other_requirement=requirement != own,
                expected=show_value(o.get("expected")),
                actual=show_value(o.get("actual")),
                count=count if isinstance(count, int) else 1,
                request=request_text(exchange["request"]) if exchange and "request" in exchange else None,
                response=response_text(exchange["response"]) if exchange and "response" in exchange else None,
                trail=_strings(o.get("trail")),
                case=str(o["case"]) if o.get("case") else None,
            )
        )
    out.sort(key=lambda v: _outcome_rank(v.verdict))  # stable: alike verdicts keep the engine's order
    # Checks of one answer share its exchange (refused, refused_for_the_violation): shown once, so a
    # case's details do not repeat the same request and response.
    shown: dict[tuple[str | None, str | None], OutcomeView] = {}
    for v in out:
        if v.request is None and v.response is None:
            continue
        first = shown.setdefault((v.request, v.response), v)
        if first is not v:
            v.same_exchange_as, v.request, v.response = first.check, None, None
    return out


def step_bars(case: Mapping[str, Any]) -> list[charts.Bar]:
    """A state machine's steps by rule, most taken first."""
    raw = case.get("steps")
    if not isinstance(raw, Mapping):
        return []
    steps = {str(k): v for k, v in raw.items() if isinstance(v, int) and not isinstance(v, bool)}
    return charts.bars(dict(sorted(steps.items())))


@dataclass
class CaseView:
    id: str
    anchor: str
    title: str
    requirement: str
    level: str
    verdict: str
    family: str
    operation: str
    reason: str
    statement: str
    sources: list[str]
    expected: str
    actual: str
    request: str | None
    response: str | None
    reproduce: str | None
    curl: str | None
    flaky: bool
    baseline: str | None
    duration: str
    examples: int | None
    search: str
    outcomes: list[OutcomeView] = field(default_factory=list)
    steps: list[charts.Bar] = field(default_factory=list)
    provenance: list[str] = field(default_factory=list)  # how each fixture the case used was had
    trail: list[str] = field(default_factory=list)  # the steps that led to the worst outcome
    judged_by: list[str] = field(default_factory=list)  # the suite, the schemathesis phase, other cases

    @property
    def steps_total(self) -> int:
        return sum(int(b.value) for b in self.steps)


@dataclass
class FamilyView:
    name: str
    cases: list[CaseView]
    counts: dict[str, int]
    bar: list[charts.Segment] = field(default_factory=list)  # its verdicts, stacked
    scale: float = 100.0  # the bar's length: percent of the largest family's
    operation: str = ""  # in the case list: the operation whose family it is
    anchor: str = ""  # in the case list: the id of its group

    @property
    def described(self) -> str:
        """The bar in words (its accessible name): "validation: 15 cases, 13 PASS, 2 INFORMATIONAL"."""
        parts = [f"{s.count} {s.verdict}" for s in self.bar]
        return f"{self.name}: {len(self.cases)} cases, " + ", ".join(parts)


@dataclass
class GridCell:
    """One cell of the operation x family matrix: how one family of one operation fared."""

    family: str
    total: int  # results (0: the operation has no requirement of this family)
    passed: int
    applicable: int
    verdict: str | None  # its worst class to act on, else PASS, ... (Tally.worst): the cell's color
    text: str  # "9/11" (passed of applicable), "—" (nothing applicable)
    detail: str  # the verdicts other than PASS, in short: "2 FAIL · 1 INFO"
    title: str  # the same in words, for a tooltip and assistive technology
    anchor: str  # the id of the family's group in the case list


# A matrix cell's verdicts other than PASS, in the order a reader acts on them (causes.CLASSES first).
DETAIL_ORDER = ("ERROR", "UNIMPLEMENTED", "FAIL", "BLOCKED", "NON-STRICT", "INFORMATIONAL", "SKIPPED")


def grid_cell(operation: str, family: str, t: Tally) -> GridCell:
    others = [(v, t.counts[v]) for v in DETAIL_ORDER if t.counts.get(v)]
    text = f"{t.score.passed}/{t.score.applicable}" if t.score.applicable else "—"
    detail = " · ".join(f"{n} {SHORT[v]}" for v, n in others)
    words = ", ".join(f"{n} {v}" for v, n in t.counts.items() if n)
    return GridCell(
        family=family,
        total=t.total,
        passed=t.score.passed,
        applicable=t.score.applicable,
        verdict=t.worst,
        text=text,
        detail=detail,
        title=f"{operation} {family}: {t.score.passed} of {t.score.applicable} applicable passed ({words})",
        anchor=operation_anchor(operation, family),
    )


@dataclass
class OperationView:
    """One operation judged: its row of the matrix, its heading and groups in the case list."""

    name: str
    anchor: str
    status: str  # what it scored: "9 of 11 passed; 2 FAIL", "UNIMPLEMENTED (3 requirements)"
    verdict: str  # its worst class to act on, else PASS, ... (Tally.worst): the row's color
    unimplemented: bool  # the target does not implement it: its row is one UNIMPLEMENTED cell
    evidence: str  # the target's words, when it does not implement the operation
    total: int
    counts: dict[str, int]
    cells: list[GridCell]  # one per family of the matrix, in its order
    families: list[FamilyView]  # the case list's groups

    @property
    def line(self) -> str:
        return f"{self.name}: {self.status}"


@dataclass
class CauseView:
    """One of the top causes: its class, how many cases, what it is, and links to them."""

    verdict: str
    count: int
    cause: str
    evidence: str
    cases: list[tuple[str, str]]  # (case id, its anchor)


@dataclass
class ReportView:
    title: str
    target: dict[str, Any]
    tool: str
    model: dict[str, Any]
    drift: list[str]
    seed: Any
    started_at: str
    duration: str
    requests: int
    counts: dict[str, int]
    total: int
    score_line: str
    # BLOCKED apart: by the requirement whose FAIL explains it (the target's doing), and by limit.
    blocked_by_target: list[tuple[str, list[str]]]
    not_testable: list[tuple[str, list[str]]]
    arcs: list[charts.Arc]
    families: list[FamilyView]
    # The operations judged, the headline first: the operation x family matrix and the case list.
    operations: list[OperationView]
    grid_families: list[str]
    headline_score: str | None  # UpdateDeviceStatus's own score line, when it was judged
    coverage: list[dict[str, Any]]
    by_operation: list[charts.Bar]
    peak_rps: list[charts.Bar]
    latency: list[charts.Bar]
    baseline_counts: dict[str, int]
    parity: ParityView | None
    status: str  # the worst class present and its causes ("54 UNIMPLEMENTED: UpdateDeviceStatus missing")
    status_class: str
    status_also: str  # the other classes to act on, with their counts ("2 FAIL")
    top_causes: list[CauseView]
    more_causes: int  # causes beyond the top ones
    verdicts: tuple[str, ...] = VERDICTS
    colors: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(COLORS))
    donut_circumference: float = charts.DONUT_CIRCUMFERENCE
    donut_radius: float = charts.DONUT_RADIUS


def _duration(seconds: Any) -> str:
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        return "—"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 120:
        return f"{s:.1f} s"
    return f"{int(s // 60)} min {s % 60:.0f} s"


def case_view(case: Mapping[str, Any]) -> CaseView:
    example = case.get("example") if isinstance(case.get("example"), Mapping) else None
    raw_sources = case.get("sources")
    sources: list[Any] = raw_sources if isinstance(raw_sources, list) else []
    cid = str(case["id"])
    view = CaseView(
        id=cid,
        anchor=anchor(cid),
        title=str(case.get("title", "")),
        requirement=str(case.get("requirement", "")),
        level=str(case.get("level", "")),
        verdict=str(case.get("verdict", "")),
        family=family_of(case),
        operation=operation_of(case),
        reason=str(case.get("reason") or ""),
        statement=str(case.get("statement") or ""),
        sources=[str(s) for s in sources],
        expected=show_value(case.get("expected")),
        actual=show_value(case.get("actual")),
        request=request_text(example.get("request")) if example and "request" in example else None,
        response=response_text(example.get("response")) if example and "response" in example else None,
        reproduce=str(case["reproduce"]) if case.get("reproduce") else None,
        curl=str(case["curl"]) if case.get("curl") else None,
        flaky=bool(case.get("flaky")),
        baseline=str(case["baseline"]) if case.get("baseline") else None,
        duration=_duration(case.get("duration_s")) if case.get("duration_s") is not None else "",
        examples=case.get("examples") if isinstance(case.get("examples"), int) else None,
        search="",
        outcomes=outcome_views(case),
        steps=step_bars(case),
        provenance=[str(line) for line in case.get("provenance") or [] if isinstance(line, str)],
        trail=_strings(case.get("trail")),
        judged_by=_strings(case.get("judged_by")),
    )
    view.search = " ".join(
        [
            view.id,
            view.title,
            view.requirement,
            view.level,
            view.verdict,
            view.family,
            view.operation,
            view.reason,
            view.statement,
            # A check or a requirement judged inside the case finds it too ("unchanged", "STATE-USER-VIEW").
            *sorted({f"{o.check} {o.requirement}" for o in view.outcomes}),
        ]
    ).lower()
    return view


def cause_view(cause: Cause) -> CauseView:
    return CauseView(
        verdict=cause.verdict,
        count=cause.count,
        cause=cause.cause,
        evidence=cut(cause.evidence, 200),
        cases=[(i, anchor(i)) for i in cause.ids],
    )


@dataclass
class ParityStepView:
    """A replayed step that did not answer as recorded, the two answers side by side."""

    where: str
    differences: list[str]
    recorded: str
    replayed: str


@dataclass
class ParityView:
    recording: str
    counts: dict[str, int]
    steps: list[ParityStepView]
    not_replayed: list[str]


def parity_view(results: Mapping[str, Any]) -> ParityView | None:
    """The `parity` section of a replay's results (None for a run)."""
    parity = results.get("parity")
    if not isinstance(parity, Mapping):
        return None
    recording = dict(parity.get("recording") or {})
    target = dict(recording.get("target") or {})
    steps, not_replayed = [], []
    for step in parity.get("steps", []):
        again = f", attempt {step.get('attempt')}" if int(step.get("attempt") or 1) > 1 else ""
        where = f"{step.get('case')} step {step.get('step')}{again} ({step.get('what')})"
        if step.get("parity") == "different":
            steps.append(
                ParityStepView(
                    where,
                    [
                        f"{d['field']}: {d['recorded']!r} → {d['replayed']!r}"
                        for d in step.get("differences", [])
                    ],
                    show_value(step.get("recorded")),
                    show_value(step.get("replayed")),
                )
            )
        elif step.get("parity") == "not replayed":
            not_replayed.append(f"{where}: {step.get('reason')}")
    return ParityView(
        recording=f"{target.get('kind', '?')} {target.get('region', '?')}, "
        f"recorded {recording.get('recorded_at', '?')} "
        f"by cognito-conformance {recording.get('suite_version', '?')}",
        counts={str(k): int(v) for k, v in dict(parity.get("counts") or {}).items()},
        steps=steps,
        not_replayed=not_replayed,
    )


def operation_view(
    name: str, cases: list[Mapping[str, Any]], views: list[CaseView], grid: list[str]
) -> OperationView:
    """An operation's results (`cases`, and their `views`), its matrix row with a cell per family of
    `grid`."""
    summary = OperationSummary(name, tally(cases))
    groups = []
    for fam in family_order(v.family for v in views):
        members = [v for v in views if v.family == fam]
        tallied = counts({"verdict": v.verdict} for v in members)
        groups.append(FamilyView(fam, members, tallied, operation=name, anchor=operation_anchor(name, fam)))
    missing = [m for c in cases if (m := missing_operation(c)) is not None and m[0] == name]
    return OperationView(
        name=name,
        anchor=operation_anchor(name),
        status=summary.status(),
        verdict=summary.tally.worst or "PASS",
        unimplemented=summary.tally.unimplemented,
        evidence=cut(missing[0][1], EVIDENCE_CUT) if missing and summary.tally.unimplemented else "",
        total=len(cases),
        counts=summary.tally.counts,
        cells=[grid_cell(name, fam, tally(c for c in cases if family_of(c) == fam)) for fam in grid],
        families=groups,
    )


def report_view(results: Mapping[str, Any]) -> ReportView:
    cases = [c for c in results.get("cases", []) if isinstance(c, Mapping)]
    views = [case_view(c) for c in cases]
    verdict_counts = counts(cases)
    groups = []
    for fam in family_order(v.family for v in views):
        members = [v for v in views if v.family == fam]
        tallied = counts({"verdict": v.verdict} for v in members)
        groups.append(FamilyView(fam, members, tallied, charts.stacked(tallied)))
    largest = max((len(g.cases) for g in groups), default=0) or 1
    for g in groups:
        g.scale = round(100 * len(g.cases) / largest, 2)
    grid = [g.name for g in groups]
    view_of = {id(c): v for c, v in zip(cases, views, strict=True)}
    operations = [
        operation_view(name, group, [view_of[id(c)] for c in group], grid)
        for name, group in by_operation(cases).items()
    ]
    headline_op = next((o for o in operations if o.name == HEADLINE), None)
    found = causes(cases)
    top = top_causes(found)
    status = headline(cases)
    calls = results.get("calls", {})
    latency = calls.get("latency_ms") if isinstance(calls.get("latency_ms"), Mapping) else {}
    model = dict(results.get("model", {}))
    raw_drift = model.get("drift")
    drift: list[Any] = raw_drift if isinstance(raw_drift, list) else []
    target = dict(results.get("target", {}))
    tool = results.get("tool", {})
    baseline_counts: dict[str, int] = {}
    for c in cases:
        if c.get("baseline"):
            baseline_counts[str(c["baseline"])] = baseline_counts.get(str(c["baseline"]), 0) + 1
    return ReportView(
        title=f"{TITLE}: {target.get('label') or target.get('spec', '?')}",
        target=target,
        tool=f"{tool.get('name', 'cognito-conformance')} {tool.get('version', '')}".strip(),
        model=model,
        drift=[str(d) for d in drift],
        seed=results.get("seed"),
        started_at=str(results.get("started_at", "")),
        duration=_duration(results.get("duration_s")),
        requests=int(calls.get("total", 0)),
        counts=verdict_counts,
        total=len(cases),
        score_line=score(cases).line(),
        blocked_by_target=list(blocked_groups(cases)[0].items()),
        not_testable=list(blocked_groups(cases)[1].items()),
        arcs=charts.donut(verdict_counts),
        families=groups,
        operations=operations,
        grid_families=grid,
        headline_score=headline_op.line if headline_op else None,
        coverage=[dict(r) for r in results.get("error_coverage", []) if isinstance(r, Mapping)],
        by_operation=charts.bars(dict(calls.get("by_operation", {}))),
        peak_rps=charts.bars(dict(calls.get("peak_rps_by_quota_category", {}) or {}), unit=" req/s"),
        latency=charts.bars(
            {
                k: float(latency[k])
                for k in ("p50", "p90", "p99", "max")
                if isinstance(latency.get(k), int | float)
            },
            unit=" ms",
            sort=False,
        ),
        baseline_counts=baseline_counts,
        parity=parity_view(results),
        status=status.text,
        status_class=status.css,
        status_also=status.also,
        top_causes=[cause_view(c) for c in top],
        more_causes=len(found) - len(top),
    )
