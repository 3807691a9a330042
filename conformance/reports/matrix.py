"""`report merge`: several results.json side by side (cases down, targets across), like Autobahn|Testsuite.

out_dir/index.html is the matrix: first what each target implements per operation (operations down,
targets across: what each scored), then every case, grouped by operation (UpdateDeviceStatus first)
and family. Each target's full report is written to
out_dir/targets/<name>/index.html (with its redacted results.json; <name> is the column's name made
safe for a file system), and every cell links to the case there. A column is named by the label given
to `report merge`, else by the results' `target.label` (`run --label`), else by the target spec.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from conformance.errors import SuiteError

from .html import asset, environment, write_html
from .operations import TITLE, OperationSummary, by_operation, operation_of, operation_order, tally
from .results import load_results
from .safety import scrub, write_redacted
from .verdicts import COLORS, SCORE_RULE, SHORT, VERDICTS, counts, family_of, family_order, score
from .view import anchor, operation_anchor


@dataclass
class TargetColumn:
    name: str
    slug: str
    href: str
    kind: str
    spec: str
    score_line: str
    passed: int
    applicable: int
    counts: dict[str, int]
    source: str


@dataclass
class Cell:
    verdict: str | None
    href: str | None


@dataclass
class MatrixRow:
    id: str
    title: str
    level: str
    operation: str
    family: str
    cells: list[Cell]
    differs: bool
    search: str


@dataclass
class OperationCell:
    """What one target scored on one operation."""

    verdict: str | None  # its worst verdict (None: the target's run did not judge the operation)
    text: str  # "55/55", "UNIMPLEMENTED", "not run"
    detail: str  # its worst class to act on: "2 FAIL"
    title: str  # the operation's status in words
    href: str | None  # the operation's heading in that target's report


@dataclass
class OperationRow:
    name: str
    anchor: str  # the id of its heading among the case rows
    cells: list[OperationCell]
    families: list[str]  # its families in the case rows, in order
    cases: int


def _operation_cell(name: str, cases: list[Mapping[str, Any]], column: TargetColumn) -> OperationCell:
    if not cases:
        return OperationCell(None, "not run", "", f"{column.name} did not judge {name}", None)
    summary = OperationSummary(name, tally(cases))
    t = summary.tally
    if t.unimplemented:
        text, detail = "UNIMPLEMENTED", ""
    else:
        text = f"{t.score.passed}/{t.score.applicable}"
        detail = f"{t.classes[0][1]} {SHORT[t.classes[0][0]]}" if t.classes else ""
    href = f"{column.href}#{quote(operation_anchor(name), safe='')}"
    return OperationCell(t.worst, text, detail, f"{column.name}: {summary.line()}", href)


def _operation_rows(
    runs: list[dict[str, Any]], columns: list[TargetColumn], rows: list[MatrixRow]
) -> list[OperationRow]:
    """One row per operation any target's run judged, the headline first."""
    per_run = [by_operation(run.get("cases", [])) for run in runs]
    names = operation_order(name for groups in per_run for name in groups)
    out = []
    for name in names:
        cells = [
            _operation_cell(name, groups.get(name, []), col)
            for col, groups in zip(columns, per_run, strict=True)
        ]
        mine = [r for r in rows if r.operation == name]
        out.append(
            OperationRow(
                name=name,
                anchor=operation_anchor(name),
                cells=cells,
                families=family_order(r.family for r in mine),
                cases=len(mine),
            )
        )
    return out


def _slug(name: str, taken: set[str]) -> str:
    """A directory name for `name`: letters, digits, `.`, `_`, `-`; unique among `taken` ignoring case."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:64].strip("-.") or "target"
    slug, n = base, 2
    while slug.lower() in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug.lower())
    return slug


def _default_name(run: Mapping[str, Any]) -> str:
    """The results' own `target.label` (written by `run --label`), else the target spec."""
    target = run["target"]
    label = target.get("label")
    if isinstance(label, str) and label.strip():
        return label.strip()
    name = str(target["spec"])
    if isinstance(run.get("parity"), dict):  # a replay: its column is parity with the recording
        recorded = dict(run["parity"].get("recording", {}).get("target") or {})
        name += f" (parity with {recorded.get('kind', '?')} {recorded.get('region', '')})".replace(" )", ")")
    return name


def _check_labels(labels: Sequence[str | None]) -> set[str]:
    """The labels given (None: not given), each a name of its own; a SuiteError (exit 2) otherwise."""
    explicit: set[str] = set()
    for label in labels:
        if label is None:
            continue
        if not label.strip() or any(not ch.isprintable() for ch in label):
            raise SuiteError(f"label {label!r} is not a name: give one line of printable text")
        if label in explicit:
            raise SuiteError(f"label {label!r} is given twice: each results.json needs a name of its own")
        explicit.add(label)
    return explicit


def column_names(runs: Sequence[Mapping[str, Any]], labels: Sequence[str | None] | None = None) -> list[str]:
    """Each run's column name: its label given to `report merge`, else its results' `target.label`,
    else its target spec. A label given twice is a usage error; a default name already taken gets
    ` (2)`, ` (3)`, ... so that every column has a name of its own."""
    given = list(labels) if labels is not None else [None] * len(runs)
    if len(given) != len(runs):
        raise ValueError("one label (or None) per run")
    taken = _check_labels(given)
    names = []
    for run, label in zip(runs, given, strict=True):
        if label is not None:
            names.append(label)
            continue
        base = _default_name(run)
        name, n = base, 2
        while name in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name)
        names.append(name)
    return names


def _rows(runs: list[dict[str, Any]], columns: list[TargetColumn]) -> list[MatrixRow]:
    order: dict[str, Mapping[str, Any]] = {}
    per_run: list[dict[str, Mapping[str, Any]]] = []
    for run in runs:
        by_id = {str(c["id"]): c for c in run.get("cases", [])}
        per_run.append(by_id)
        for cid, case in by_id.items():
            order.setdefault(cid, case)
    rows = []
    for cid, first in order.items():
        cells = []
        for col, by_id in zip(columns, per_run, strict=True):
            case = by_id.get(cid)
            verdict = str(case["verdict"]) if case else None
            cells.append(Cell(verdict, f"{col.href}#{quote(anchor(cid), safe='')}" if case else None))
        distinct = {c.verdict for c in cells}
        title = str(first.get("title", ""))
        rows.append(
            MatrixRow(
                id=cid,
                title=title,
                level=str(first.get("level", "")),
                operation=operation_of(first),
                family=family_of(first),
                cells=cells,
                differs=len(distinct) > 1,
                search=f"{cid} {title}".lower(),
            )
        )
    ops = operation_order(r.operation for r in rows)
    fams = family_order(r.family for r in rows)
    # By operation (the headline first), then family; stable: case order kept within a family.
    return sorted(rows, key=lambda r: (ops.index(r.operation), fams.index(r.family)))


def merge(results_files: list[Path], out_dir: Path, labels: Sequence[str | None] | None = None) -> Path:
    """Write the matrix of `results_files` into `out_dir`; return the path of its index.html.

    `labels`, one per file (None: not given), name the columns (see `column_names`).
    """
    if not results_files:
        raise SuiteError("report merge needs at least one results.json")
    out_dir = Path(out_dir)
    _check_labels(labels or [])  # the command line first, then every file, all before writing
    runs = [scrub(load_results(Path(p))) for p in results_files]
    names = column_names(runs, labels)
    taken: set[str] = set()
    columns = []
    for path, run, name in zip(results_files, runs, names, strict=True):
        slug = _slug(name, taken)
        cases = run.get("cases", [])
        s = score(cases)
        columns.append(
            TargetColumn(
                name=name,
                slug=slug,
                href=f"targets/{slug}/index.html",
                kind=str(run["target"].get("kind", "")),
                spec=str(run["target"]["spec"]),
                score_line=s.line(),
                passed=s.passed,
                applicable=s.applicable,
                counts=counts(cases),
                source=Path(path).name,
            )
        )
        write_html(run, out_dir / "targets" / slug / "index.html")
        write_redacted(out_dir / "targets" / slug / "results.json", json.dumps(run, indent=1) + "\n")
    rows = _rows(runs, columns)
    page = (
        environment()
        .get_template("matrix.html.j2")
        .render(
            title=f"{TITLE} matrix",
            columns=columns,
            rows=rows,
            operations=_operation_rows(runs, columns, rows),
            differing=sum(1 for r in rows if r.differs),
            verdicts=VERDICTS,
            colors=COLORS,
            short=SHORT,
            score_rule=SCORE_RULE,
            css=asset("report.css"),
            js=asset("matrix.js"),
        )
    )
    index = out_dir / "index.html"
    write_redacted(index, page, markup=True)
    return index


def score_lines(results_files: list[Path], labels: Sequence[str | None] | None = None) -> list[str]:
    """One line per target, named as its matrix column: requirements passed out of applicable."""
    runs = [load_results(Path(path)) for path in results_files]
    return [
        f"{name}: {score(run.get('cases', [])).line()}"
        for name, run in zip(column_names(runs, labels), runs, strict=True)
    ]
