"""Speed of the suite's moving parts, measured on this machine (not asserted anywhere).

    .venv/bin/python benchmarks/bench.py [--quick] > benchmarks/RESULTS.md

Measures: generation (examples per second for valid, invalid and wire strategies), the constraint
checker, the reference answering UpdateDeviceStatus in-process and over HTTP (requests per second),
SRP sign-in with device confirmation, and a whole `run` against the reference.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from conformance.contract.constraints import check_input
from conformance.contract.model import pinned
from conformance.provisioning import Provisioner
from conformance.targets import open_target
from strategies import draw_examples, invalid_requests, valid_requests, wire_variants
from strategies.requests import canonical_request


def timed(fn: Callable[[], int], repeat: int = 3) -> tuple[float, int]:
    """(best seconds, units of work) over `repeat` runs."""
    best, units = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        units = fn()
        best = min(best, time.perf_counter() - start)
    return best, units


def row(name: str, seconds: float, units: int, unit: str) -> str:
    return f"| {name} | {units} {unit} | {seconds:.3f} s | {units / seconds:,.0f} {unit}/s |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer examples, one repeat")
    args = parser.parse_args()
    n = 100 if args.quick else 500
    repeat = 1 if args.quick else 3
    rows = []

    base = canonical_request()
    for name, strategy in (
        ("generate valid requests", valid_requests()),
        ("generate invalid requests (labelled)", invalid_requests(boundaries=False)),
        ("generate wire variants", wire_variants(base)),
    ):
        seconds, units = timed(lambda s=strategy: len(draw_examples(s, n, 1)), repeat)
        rows.append(row(name, seconds, units, "examples"))

    examples = [ex.request for ex in draw_examples(invalid_requests(boundaries=False), n, 2)]
    op = pinned().operation()
    seconds, units = timed(lambda: sum(1 for r in examples if check_input(op, r) is not None), repeat)
    rows.append(row("constraint checker", seconds, units, "requests"))

    for spec in ("reference", "reference-http"):
        target = open_target(spec)
        provisioner = Provisioner(target, run_id="bench")
        user = provisioner.user(devices=1)
        key = user.devices[0].key

        def updates(t=target, token=user.access_token, k=key) -> int:
            for i in range(n):
                t.call(
                    "UpdateDeviceStatus",
                    {
                        "AccessToken": token,
                        "DeviceKey": k,
                        "DeviceRememberedStatus": ("remembered", "not_remembered")[i % 2],
                    },
                )
            return n

        seconds, units = timed(updates, repeat)
        rows.append(row(f"UpdateDeviceStatus on {spec}", seconds, units, "requests"))
        signins = []
        for _ in range(3 if args.quick else 5):
            start = time.perf_counter()
            provisioner.user(devices=1)
            signins.append(time.perf_counter() - start)
        rows.append(
            f"| user + SRP sign-in + confirmed device on {spec} | {len(signins)} users | "
            f"median {statistics.median(signins):.3f} s | {1 / statistics.median(signins):,.1f} users/s |"
        )
        provisioner.close()
        target.close()

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--target", "reference", "--report-dir", out],
            check=True,
            capture_output=True,
        )
        whole = time.perf_counter() - start
    rows.append(f"| `run --target reference` (all cases, 25 examples each) | 1 run | {whole:.1f} s | |")

    print("# Benchmarks\n")
    print(
        f"Measured by `benchmarks/bench.py{' --quick' if args.quick else ''}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; best of {repeat}.\n"
    )
    print("| what | work | time | rate |\n|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
