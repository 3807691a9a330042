"""Every product of the generated faulty-variant catalog (conformance/reference/mutants.py) against the
whole suite: caught when an outcome FAILs (or is NON-STRICT under a SHOULD) on the requirement the product
names; any ERROR is listed. The test suite runs a fixed sample (tests/engine/test_mutants_caught.py); this
runs them all, in `--jobs` processes, and exits 1 when one is missed.

    .venv/bin/python benchmarks/mutants.py [--jobs 2] [--examples 6]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conformance.cases  # noqa: E402, F401  (registers every case)
from conformance.reference.mutants import MUTANTS, MutantBackend  # noqa: E402
from tests.engine.conftest import run_cases, serving, session_for  # noqa: E402


def judge(name: str, examples: int) -> tuple[str, bool, list[str]]:
    mutant = MUTANTS[name]
    with serving(MutantBackend(name)) as url, session_for(url, examples=examples) as session:
        results = run_cases(session, "*")
    wanted = {"FAIL"} if mutant.level == "MUST" else {"FAIL", "NON-STRICT"}
    caught = any(
        o["requirement"] == mutant.requirement and o["verdict"] in wanted
        for r in results.values()
        for o in r.outcomes
    )
    return name, caught, [r.case_id for r in results.values() if str(r.verdict) == "ERROR"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--examples", type=int, default=6)
    args = parser.parse_args()
    names = sorted(MUTANTS)
    with ProcessPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(judge, names, [args.examples] * len(names)))
    missed = [name for name, caught, _ in outcomes if not caught]
    errors = [(name, cases) for name, _, cases in outcomes if cases]
    by_kind = Counter(MUTANTS[name].kind for name in names)
    caught_by_kind = Counter(MUTANTS[name].kind for name, caught, _ in outcomes if caught)
    print("| kind | products | caught on the requirement they name |")
    print("|---|---|---|")
    for kind in sorted(by_kind):
        print(f"| {kind} | {by_kind[kind]} | {caught_by_kind[kind]} |")
    print(f"| all | {len(names)} | {len(names) - len(missed)} |")
    for name in missed:
        print(f"missed: {name} ({MUTANTS[name].requirement}: {MUTANTS[name].mistake})")
    for name, cases in errors:
        print(f"ERROR in {', '.join(cases)} against {name}")
    return 1 if missed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
