"""The schemathesis phase's requests per second beside a raw `requests` loop, on one served reference.

Both send the same requests (the loop resends what the phase sent, in order) to the same reference on
127.0.0.1, in one run, so their ratio is the phase's own cost: schemathesis's generation and checks,
the WSGI bridge, the suite's Target (call log, breaker, redaction). Prints a Markdown section:

    .venv/bin/python benchmarks/phase_rate.py >> benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime

import requests

from conformance.cases.validation import RULES
from conformance.phase.engine import run_phase
from conformance.provisioning import Provisioner
from conformance.reference import ReferenceBackend, start_server
from conformance.targets import open_target


def measure(examples: int, repeat: int) -> list[tuple[str, int, float]]:
    """(what, requests, best seconds) rows: the phase, then the raw loop over the phase's requests."""
    running = start_server(ReferenceBackend(), "127.0.0.1", 0)
    rows: list[tuple[str, int, float]] = []
    try:
        with open_target(running.url) as target:
            provisioner = Provisioner(target, run_id="bench-phase")
            user = provisioner.user(devices=1)
            credentials = {"AccessToken": user.access_token, "DeviceKey": user.devices[0].key}
            run_phase(target, credentials, seed=0, examples=examples, rules=RULES)  # warm: schemathesis imports lazily
            best, sent = float("inf"), []
            for _ in range(repeat):
                started = time.perf_counter()
                findings = run_phase(target, credentials, seed=0, examples=examples, rules=RULES)
                best = min(best, time.perf_counter() - started)
                sent = [(a.exchange.request_headers, a.exchange.request_body) for a in findings.answers]
            rows.append((f"schemathesis phase, `--schemathesis {examples}`", len(sent), best))
            session = requests.Session()
            best_raw = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                for headers, body in sent:
                    session.post(running.url + "/", headers=headers, data=body, timeout=10)
                best_raw = min(best_raw, time.perf_counter() - started)
            rows.append(("raw `requests` loop, the same requests", len(sent), best_raw))
            provisioner.close()
    finally:
        running.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, nargs="+", default=[25, 100])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("\n## The schemathesis phase beside a raw `requests` loop\n")
    print(
        f"Measured by `benchmarks/phase_rate.py` on {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
        f"Python {platform.python_version()}; the reference served on 127.0.0.1; best of {args.repeat}, "
        "after one warm-up phase.\n"
    )
    print("| what | requests | time | requests/s | vs raw loop |")
    print("|---|---|---|---|---|")
    for examples in args.examples:
        phase, raw = measure(examples, args.repeat)
        for what, count, seconds in (phase, raw):
            rate = count / seconds
            ratio = (count / raw[2]) / rate
            shown = "1" if what == raw[0] else f"1/{ratio:.1f}"
            print(f"| {what} | {count} | {seconds:.3f} s | {rate:,.0f} | {shown} |")


if __name__ == "__main__":
    main()
