"""Every case's verdict, on the reference and on every faulty variant, recorded and compared.

A re-layering must leave the verdicts as they were: this records, for the conformant reference and
for each fault of `conformance/reference/faults.py` served over HTTP, every case's verdict, the
requirement it names, and each non-PASS outcome (check, requirement, verdict). It goes through the
command line only (`serve-reference --fault`, `run --target URL`), so the same script records any
commit and compares two recordings.

    python benchmarks/verdicts.py record benchmarks/verdicts-33a10ed.json
    python benchmarks/verdicts.py compare benchmarks/verdicts-33a10ed.json NOW.json

`record --source DIR` runs the suite from another checkout (for example a `git worktree` of an
older commit) with this interpreter. Exit 1 from `compare` when anything differs.

`compare` reads both recordings one entry per requirement, as results.json now has them: a recording
made when the schemathesis phase had rows of its own (`SCHEMATHESIS-<requirement>`, as in
verdicts-33a10ed.json) is folded the way the suite folds its results (`by_requirement`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.engine.merge import PHASE_PREFIX, ROW_ORDER  # noqa: E402

ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
CONFORMANT = "(conformant reference)"


def _faults(source: Path) -> list[str]:
    code = "from conformance.reference.faults import FAULTS; print('\\n'.join(sorted(FAULTS)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True, check=True)
    return out.stdout.split()


def _verdicts(results: dict[str, Any]) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    for case in results["cases"]:
        broken = sorted(
            {
                f"{o['check']} {o['requirement']} {o['verdict']}"
                for o in case.get("outcomes") or []
                if o["verdict"] != "PASS"
            }
        )
        cases[case["id"]] = {
            "verdict": case["verdict"],
            "requirement": case["requirement"],
            "outcomes": broken,
        }
    return cases


def _run(source: Path, fault: str | None) -> dict[str, Any]:
    """One whole run against the reference served on 127.0.0.1 (with `fault`), its verdicts."""
    serve = [sys.executable, "-m", "conformance.cli", "serve-reference", "--port", "0"]
    server = subprocess.Popen(
        [*serve, *(["--fault", fault] if fault else [])],
        cwd=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" on ", 1)[1].split()[0]
        with tempfile.TemporaryDirectory() as report_dir:
            subprocess.run(
                [sys.executable, "-m", "conformance.cli", "run", "--target", url, "--report-dir", report_dir],
                cwd=source,
                capture_output=True,
                env=ENV,
                timeout=900,
            )
            return _verdicts(json.loads((Path(report_dir) / "results.json").read_text()))
    finally:
        server.terminate()
        server.wait(timeout=30)


def record(out: Path, source: Path, jobs: int) -> None:
    names: list[str | None] = [None, *_faults(source)]
    with ThreadPoolExecutor(jobs) as pool:
        runs = list(pool.map(lambda f: _run(source, f), names))
    recorded = {(name or CONFORMANT): verdicts for name, verdicts in zip(names, runs, strict=True)}
    out.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
    print(f"{out}: {len(recorded)} targets, {sum(len(v) for v in recorded.values())} case verdicts")


def _worst(a: str, b: str) -> str:
    return min(a, b, key=ROW_ORDER.index)


def by_requirement(cases: dict[str, Any]) -> dict[str, Any]:
    """One entry per requirement, as conformance/engine/merge.py folds results.json's rows: the
    phase's case joins its requirement's (the worse verdict, the non-PASS outcomes of both), and a
    failing outcome seen in another case joins the requirement it names (its verdict, when worse). A
    recording made since is one entry per requirement already, and comes out as it went in."""
    rows: dict[str, Any] = {}
    for case_id in sorted(cases, key=lambda c: c.startswith(PHASE_PREFIX)):  # the requirement's own first
        case = cases[case_id]
        row = rows.get(case["requirement"])
        if row is None:
            rows[case["requirement"]] = {**case, "outcomes": sorted(case["outcomes"])}
        else:
            row["verdict"] = _worst(row["verdict"], case["verdict"])
            row["outcomes"] = sorted({*row["outcomes"], *case["outcomes"]})
    for case in cases.values():
        for outcome in case["outcomes"]:
            _, requirement, verdict = outcome.rsplit(" ", 2)  # a check's name may hold a space
            row = rows.get(requirement)
            if row is None or requirement == case["requirement"]:
                continue
            row["outcomes"] = sorted({*row["outcomes"], outcome})
            if verdict in ("FAIL", "NON-STRICT"):
                row["verdict"] = _worst(row["verdict"], verdict)
    return rows


def compare(before: Path, after: Path) -> int:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    old = {target: by_requirement(cases) for target, cases in old.items()}
    new = {target: by_requirement(cases) for target, cases in new.items()}
    differences = []
    for target in sorted(set(old) | set(new)):
        a, b = old.get(target, {}), new.get(target, {})
        for case in sorted(set(a) | set(b)):
            if a.get(case) != b.get(case):
                differences.append(f"{target} {case}: {a.get(case)} -> {b.get(case)}")
    for line in differences:
        print(line)
    total = sum(len(v) for v in old.values())
    print(f"{len(differences)} difference(s) in {total} requirement verdicts over {len(old)} targets")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record")
    r.add_argument("out", type=Path)
    r.add_argument("--source", type=Path, default=ROOT, help="the checkout whose suite runs")
    r.add_argument("--jobs", type=int, default=2)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "record":
        record(args.out, args.source.resolve(), args.jobs)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
