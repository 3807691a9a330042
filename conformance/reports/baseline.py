"""Baselines for CI gates: the verdicts one target is expected to give, one TOML table per case.

    # cognito-conformance baseline (format 1). Edit freely: one [cases."ID"] table per case.
    [baseline]
    format = 1
    target = "moto"
    note = "moto 5.2.5 in CI"

    [cases."VAL-ACCESSTOKEN-MISSING"]
    verdict = "UNIMPLEMENTED"
    reason = "UpdateDeviceStatus answers HTTP 500 NotImplementedError"

    [cases."AUTH-NOT-JWT"]
    verdict = ["PASS", "FAIL"]   # several acceptable verdicts (a flaky case)
    reason = "flaky: HTTP 500 under load"

Applying one marks each case of a run `expected` (its verdict is one the baseline lists),
`unexpected`, or `new` (the baseline has no entry). An unexpected verdict is, in this order:

- lost coverage (exit 1) when it is UNIMPLEMENTED or BLOCKED and every verdict the baseline lists
  judged the target (PASS, INFORMATIONAL, NON-STRICT or FAIL; SKIPPED aside): the case can no longer
  judge the target, so what it found before (a FAIL too) is unknown now, neither fixed nor kept. It
  is listed under its own heading and never counted as fixed;
- a regression (exit 1) in a lower tier than every verdict the baseline lists;
- a fix ("fixed: update the baseline") in a higher tier, e.g. BLOCKED -> PASS;
- otherwise changed.

Tiers, why SKIPPED has none and why lost coverage comes first: see verdicts.py.

Entries are keyed by the ids of results.json's rows, which are requirement ids (one row per
requirement). A baseline written when the schemathesis phase had rows of its own still works: an
entry `SCHEMATHESIS-<requirement>` is read as the requirement's (`by_requirement`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.errors import EXIT_FAILURES, EXIT_OK, SuiteError
from conformance.secrets import redact

from .safety import scrub
from .verdicts import COVERING, NOT_COVERING, RESULT_ORDER, TIER, VERDICTS

FORMAT = 1
MAX_REASON = 240
# The schemathesis phase's case ids, once rows of results.json of their own.
PHASE_PREFIX = "SCHEMATHESIS-"


@dataclass(frozen=True)
class BaselineEntry:
    verdicts: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Baseline:
    entries: dict[str, BaselineEntry]
    target: str | None = None
    note: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Change:
    case_id: str
    baseline: tuple[str, ...]
    verdict: str
    reason: str  # the baseline's reason for its entry
    now: str = ""  # this run's reason for the case's verdict (what blocked it, for lost coverage)

    def describe(self) -> str:
        was = " or ".join(self.baseline)
        why = f" (baseline: {self.reason})" if self.reason else ""
        return f"{self.case_id}: {was} -> {self.verdict}{why}"


@dataclass
class BaselineOutcome:
    expected: list[str] = field(default_factory=list)
    regressions: list[Change] = field(default_factory=list)
    lost_coverage: list[Change] = field(default_factory=list)  # judged before, cannot judge now
    fixed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)  # unexpected, neither worse nor better
    new: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in the baseline, not in this run

    @property
    def exit_code(self) -> int:
        """1 when there is a regression or lost coverage (a case that stopped judging the target)."""
        return EXIT_FAILURES if self.regressions or self.lost_coverage else EXIT_OK

    def lines(self) -> list[str]:
        """What the terminal shows after a run with --baseline."""
        out = [
            f"baseline: {len(self.expected)} expected, {len(self.regressions)} regression(s), "
            f"{len(self.lost_coverage)} lost coverage, {len(self.fixed)} fixed, "
            f"{len(self.changed)} changed, {len(self.new)} new, {len(self.missing)} not run"
        ]
        out += [f"  regression: {c.describe()}" for c in self.regressions]
        if self.lost_coverage:
            out.append("  lost coverage: the case could no longer judge the target")
            out += [f"    {c.describe()}" + (f"; now: {c.now}" if c.now else "") for c in self.lost_coverage]
        out += [f"  fixed: update the baseline: {c.describe()}" for c in self.fixed]
        out += [f"  changed (neither better nor worse): {c.describe()}" for c in self.changed]
        out += [f"  new (not in the baseline): {cid}" for cid in self.new]
        return [redact(line) for line in out]


# --- writing ----------------------------------------------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are not all TOML's, so this is done by hand)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def write_baseline(results: dict[str, Any], target_note: str) -> str:
    """The text of a baseline that expects exactly the verdicts of `results`."""
    clean = scrub(results)
    target = clean.get("target", {})
    lines = [
        f"# cognito-conformance baseline (format {FORMAT}): the verdicts expected of one target.",
        '# Edit freely. One [cases."ID"] table per case: `verdict` is one verdict or a list of acceptable',
        "# ones (" + ", ".join(VERDICTS) + "), `reason` says why.",
        "# `run --baseline FILE` exits 1 only when a case does worse than every verdict listed for it, or",
        "# can no longer judge the target (lost coverage: now BLOCKED or UNIMPLEMENTED, listed as judged).",
        f"# Written from the run of {clean.get('started_at', '?')} (seed {clean.get('seed', '?')}, "
        f"{clean.get('tool', {}).get('name', '?')} {clean.get('tool', {}).get('version', '?')}).",
        "",
        "[baseline]",
        f"format = {FORMAT}",
        f"target = {toml_string(str(target.get('spec', '')))}",
        f"note = {toml_string(_one_line(target_note))}",
    ]
    entries = {}
    for case in clean.get("cases", []):
        verdict = str(case["verdict"])
        reason = _one_line(str(case.get("reason") or ("" if verdict == "PASS" else verdict.lower())))
        if case.get("flaky"):
            reason = _one_line(f"flaky in the run this baseline was written from; {reason}")
        entries[str(case["id"])] = BaselineEntry((verdict,), reason)
    # By requirement id, also from a results.json written when the phase had rows of its own.
    for cid, entry in by_requirement(entries).items():
        lines += ["", f"[cases.{toml_string(cid)}]"]
        verdicts = [toml_string(v) for v in entry.verdicts]
        shown = verdicts[0] if len(verdicts) == 1 else f"[{', '.join(verdicts)}]"
        lines += [f"verdict = {shown}", f"reason = {toml_string(_one_line(entry.reason))}"]
    return "\n".join(lines) + "\n"


# --- reading ----------------------------------------------------------------------------------------


def _worst(a: str, b: str) -> str:
    return min(a, b, key=lambda v: RESULT_ORDER.index(v) if v in RESULT_ORDER else len(RESULT_ORDER))


def by_requirement(entries: Mapping[str, BaselineEntry]) -> dict[str, BaselineEntry]:
    """Entries keyed by requirement id: `SCHEMATHESIS-<requirement>` (the phase's case, once a row of
    its own) is read as `<requirement>`. With both present, the requirement's row now gets the worse of
    the two cases' verdicts (engine/merge.py), so the stricter expectation holds: the more severe of
    each pair of verdicts the two entries allow. Without that, a deviation the baseline expected of the
    phase alone would read as a regression of the requirement."""
    own = {cid: e for cid, e in entries.items() if not cid.startswith(PHASE_PREFIX)}
    phase = {cid.removeprefix(PHASE_PREFIX): e for cid, e in entries.items() if cid.startswith(PHASE_PREFIX)}
    out = dict(own)
    for requirement, entry in phase.items():
        suite = own.get(requirement)
        if suite is None:
            out[requirement] = entry
            continue
        verdicts = tuple(dict.fromkeys(_worst(a, b) for a in suite.verdicts for b in entry.verdicts))
        reasons = [suite.reason, f"schemathesis phase: {entry.reason}" if entry.reason else ""]
        out[requirement] = BaselineEntry(verdicts, "; ".join(r for r in reasons if r))
    return out


def _entry(case_id: str, table: Any, where: str) -> BaselineEntry:
    if not isinstance(table, Mapping):
        raise SuiteError(f"{where}: [cases.{case_id!r}] must be a table with `verdict` and `reason`")
    unknown = set(table) - {"verdict", "reason"}
    if unknown:
        raise SuiteError(f"{where}: case {case_id!r} has unknown key(s): {', '.join(sorted(unknown))}")
    raw = table.get("verdict")
    verdicts = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) else ()
    if not verdicts or not all(isinstance(v, str) and v in VERDICTS for v in verdicts):
        raise SuiteError(
            f"{where}: case {case_id!r} has verdict {raw!r};"
            f" expected one of {', '.join(VERDICTS)} or a list of them"
        )
    reason = table.get("reason")
    if not isinstance(reason, str):
        raise SuiteError(f"{where}: case {case_id!r} needs a `reason` string")
    return BaselineEntry(tuple(dict.fromkeys(verdicts)), reason)


def parse_baseline(text: str, where: str = "baseline") -> Baseline:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{where} is not valid TOML: {exc}") from None
    head = data.get("baseline", {})
    if not isinstance(head, Mapping) or head.get("format") != FORMAT:
        raise SuiteError(f"{where}: needs a [baseline] table with format = {FORMAT}")
    unknown_head = set(head) - {"format", "target", "note"}
    if unknown_head:
        raise SuiteError(f"{where}: unknown key(s) in [baseline]: {', '.join(sorted(unknown_head))}")
    unknown = set(data) - {"baseline", "cases"}
    if unknown:
        raise SuiteError(f"{where}: unknown top-level key(s): {', '.join(sorted(unknown))}")
    cases = data.get("cases", {})
    if not isinstance(cases, Mapping):
        raise SuiteError(f'{where}: `cases` must be tables, one per case: [cases."ID"]')
    entries = by_requirement({str(cid): _entry(str(cid), table, where) for cid, table in cases.items()})
    target, note = head.get("target"), head.get("note")
    return Baseline(
        entries=entries,
        target=target if isinstance(target, str) else None,
        note=note if isinstance(note, str) else None,
        path=where,
    )


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; a malformed one is a SuiteError (one line, exit 2)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SuiteError(f"baseline {path} is not UTF-8 text") from None
    return parse_baseline(text, str(path))


# --- applying ---------------------------------------------------------------------------------------


def compare(verdict: str, expected: tuple[str, ...]) -> str:
    """'expected', 'lost-coverage', 'regression', 'fixed' or 'changed' for one case."""
    if verdict in expected:
        return "expected"
    judged = [v for v in expected if v != "SKIPPED"]
    # Before the tiers: by tier FAIL -> BLOCKED would be a fix, though the failure is merely unseen.
    if verdict in NOT_COVERING and judged and all(v in COVERING for v in judged):
        return "lost-coverage"
    tiers = [TIER[v] for v in expected if v in TIER]
    if verdict not in TIER or not tiers:
        return "changed"  # SKIPPED on either side: not comparable
    if TIER[verdict] < min(tiers):
        return "regression"
    if TIER[verdict] > max(tiers):
        return "fixed"
    return "changed"


def apply_baseline(results: dict[str, Any], baseline: Baseline) -> BaselineOutcome:
    """Mark each case's `baseline` field (in place) and say what changed."""
    outcome = BaselineOutcome()
    seen = set()
    for case in results.get("cases", []):
        cid = str(case["id"])
        seen.add(cid)
        entry = baseline.entries.get(cid)
        if entry is None:
            case["baseline"] = "new"
            outcome.new.append(cid)
            continue
        verdict = str(case["verdict"])
        kind = compare(verdict, entry.verdicts)
        case["baseline"] = "expected" if kind == "expected" else "unexpected"
        if kind == "expected":
            outcome.expected.append(cid)
            continue
        change = Change(cid, entry.verdicts, verdict, entry.reason, _one_line(str(case.get("reason") or "")))
        {
            "regression": outcome.regressions,
            "lost-coverage": outcome.lost_coverage,
            "fixed": outcome.fixed,
            "changed": outcome.changed,
        }[kind].append(change)
    outcome.missing = [cid for cid in baseline.entries if cid not in seen]
    return outcome
