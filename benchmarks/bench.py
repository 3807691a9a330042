"""Speed of the suite's moving parts, measured on this machine (not asserted anywhere).

    .venv/bin/python benchmarks/bench.py [--quick] > benchmarks/RESULTS.md

Measures: generation (examples per second for valid, invalid and wire strategies, drawn as the
property cases draw them), the constraint checker, the reference answering UpdateDeviceStatus
in-process and over HTTP (requests per second), SRP sign-in with device confirmation. Then, side by
side in the same run (ratios, not absolute times, are what compare across machines): whole
`run --target reference` processes at --examples 25, 100 and 400 (calls per second end to end, start-up
and reports included) against the suite's own `Target.call` loop and the reference's handler alone;
with `--before DIR`, the same runs from another source tree (e.g. `git archive HEAD | tar -x -C DIR`);
a profile of the 100-example run (top 10 by own time); and what issue 13 changed in redaction (the
per-secret loop against `SecretRegistry.redact`, about 500 secrets), in the SRP arithmetic of a sign-in
(pow() against gmpy2 and its table of g's powers).
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import os
import platform
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from conformance import srp
from conformance.contract.constraints import check_input
from conformance.contract.model import pinned
from conformance.provisioning import Provisioner
from conformance.secrets import JWT_SHAPE, SecretRegistry
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


def draw_count(strategy: Any, count: int) -> int:
    """Examples drawn through Hypothesis's `@given` engine, as the property cases draw them since issue 20
    (conformance.engine.properties: its public API only)."""
    return len(draw_examples(strategy, count, 1))


def row(name: str, seconds: float, units: int, unit: str) -> str:
    return f"| {name} | {units} {unit} | {seconds:.3f} s | {units / seconds:,.0f} {unit}/s |"


def side_by_side(name: str, work: str, before: float, after: float) -> str:
    return f"| {name} | {work} | {before:.3f} s | {after:.3f} s | {before / after:.1f}x |"


def per_secret_loop(text: str, secrets: dict[str, str]) -> str:
    """Redaction as it was before the one-pass scan: the baseline."""
    for value, placeholder in sorted(secrets.items(), key=lambda kv: -len(kv[0])):
        if value in text:
            text = text.replace(value, placeholder)
    return JWT_SHAPE.sub("$ACCESS_TOKEN", text)


def run_like_secrets(users: int) -> dict[str, str]:
    """What a run registers for each user, in the shapes the reference gives them (seeded)."""
    rng = random.Random(13)

    def b64(n: int, alphabet: Callable[[bytes], bytes] = base64.b64encode) -> str:
        return alphabet(rng.randbytes(n)).decode().rstrip("=")

    header = "eyJraWQiOiI4bmQ1T3ZnOFE2QzlXaVRNbGVOZmVRIiwiYWxnIjoiUlMyNTYifQ"  # one key: one header
    secrets: dict[str, str] = {}
    for _ in range(users):
        secrets[b64(27, base64.urlsafe_b64encode) + "1!"] = "$PASSWORD"
        secrets[b64(32)] = "$SRP_SIGNATURE"
        secrets[f"{header}.eyJ{b64(600, base64.urlsafe_b64encode)}.{b64(256, base64.urlsafe_b64encode)}"] = (
            "$ACCESS_TOKEN"
        )
        secrets[f"{header}.eyJ{b64(500, base64.urlsafe_b64encode)}.{b64(256, base64.urlsafe_b64encode)}"] = (
            "$ID_TOKEN"
        )
        secrets[f"{b64(32, base64.urlsafe_b64encode)}.{b64(350, base64.urlsafe_b64encode)}"] = (
            "$REFRESH_TOKEN"
        )
        secrets[b64(40)] = "$DEVICE_PASSWORD"
        secrets[b64(384)] = "$DEVICE_VERIFIER"
    return secrets


def strings_of(value: Any) -> list[str]:
    """Every string of a JSON document, keys included: what `redact_obj` redacts one by one."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_of(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    return []


def redact_all(redact: Callable[[str], str], texts: list[str]) -> int:
    for text in texts:
        redact(text)
    return len(texts)


def redaction_rows(results: str, repeat: int) -> list[str]:
    """A run's results.json with its tokens put back (as the suite holds it before redacting)."""
    secrets = run_like_secrets(72)
    tokens = [value for value, placeholder in secrets.items() if placeholder == "$ACCESS_TOKEN"]
    pieces = results.split("$ACCESS_TOKEN")
    text = pieces[0] + "".join(tokens[i % len(tokens)] + p for i, p in enumerate(pieces[1:]))
    strings = strings_of(json.loads(text))
    registry = SecretRegistry()
    for value, placeholder in secrets.items():
        registry.add(value, placeholder)
    registry.redact("")  # the scan is built once per change of the registry, not per call
    if [registry.redact(s) for s in strings] != [per_secret_loop(s, secrets) for s in strings]:
        raise SystemExit("bench: the one-pass scan and the per-secret loop disagree")
    rows = []
    for name, work, items in (
        (
            f"redact each string of a results document, {len(secrets)} secrets",
            f"{len(strings)} strings",
            strings,
        ),
        (f"redact a whole results document, {len(secrets)} secrets", f"{len(text) // 1000} KB", [text]),
    ):
        before, _ = timed(
            functools.partial(redact_all, functools.partial(per_secret_loop, secrets=secrets), items), repeat
        )
        after, _ = timed(functools.partial(redact_all, registry.redact, items), repeat)
        rows.append(side_by_side(name, work, before, after))
    return rows


def srp_sign_in() -> int:
    """A user sign-in as the suite and the in-process reference compute it: both sides, 7 exponentiations."""
    salt_hex = srp.new_salt_hex()
    identity = {"pool_or_group": "AbC123", "user_id": "7f1c2e0a-1b2c-4d5e-8f90-a1b2c3d4e5f6"}
    verifier = srp.verifier_for_password(password="Correct-Horse-7!", salt_hex=salt_hex, **identity)
    server = srp.new_server_session(verifier, salt_hex)
    client = srp.new_client_session()
    block, timestamp = base64.b64encode(os.urandom(64)).decode(), srp.cognito_timestamp()
    signature = srp.password_claim(
        client,
        password="Correct-Horse-7!",
        salt_hex=salt_hex,
        srp_b_hex=server.srp_b_hex,
        secret_block_b64=block,
        timestamp=timestamp,
        **identity,
    )
    accepted = srp.verify_claim(
        server,
        srp_a_hex=client.srp_a_hex,
        secret_block_b64=block,
        timestamp=timestamp,
        signature_b64=signature,
        **identity,
    )
    if not accepted:
        raise SystemExit("bench: an SRP sign-in did not verify")
    return 1


def srp_rows(sign_ins: int, repeat: int) -> list[str]:
    gmpy2_powmod = srp._gmpy2_powmod  # the module's choice, switched off for the baseline
    if gmpy2_powmod is None:
        return ["| SRP sign-in, both sides: pow() vs gmpy2 | gmpy2 is not installed | | | |"]
    try:
        srp._gmpy2_powmod = None
        before, _ = timed(lambda: sum(srp_sign_in() for _ in range(sign_ins)), repeat)
    finally:
        srp._gmpy2_powmod = gmpy2_powmod
    after, _ = timed(lambda: sum(srp_sign_in() for _ in range(sign_ins)), repeat)
    return [
        side_by_side(
            "SRP sign-in, both sides (3072-bit): pow() vs gmpy2 (powmod, and g's powers from a table)",
            f"{sign_ins} sign-ins",
            before,
            after,
        )
    ]


UPDATE_TARGET = "AWSCognitoIdentityProviderService.UpdateDeviceStatus"
STATUSES = ("remembered", "not_remembered")
JUDGED = {"PASS", "INFORMATIONAL"}  # what every case gives on the reference


def call_loop_and_handler(calls: int, repeat: int) -> tuple[float, float]:
    """Calls per second of UpdateDeviceStatus through `Target.call` (in-process reference, botocore's
    serializer and parser included), and of the reference's handler alone on the same requests."""
    target = open_target("reference")
    provisioner = Provisioner(target, run_id="bench")
    try:
        user = provisioner.user(devices=1)
        params = [
            {"AccessToken": user.access_token, "DeviceKey": user.devices[0].key, "DeviceRememberedStatus": s}
            for s in STATUSES
        ]

        def through_target() -> int:
            for i in range(calls):
                target.call("UpdateDeviceStatus", params[i % 2])
            return calls

        backend = target.reference_backend
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": UPDATE_TARGET}
        bodies = [json.dumps(p).encode() for p in params]

        def handler_alone() -> int:
            for i in range(calls):
                backend.handle(UPDATE_TARGET, bodies[i % 2], headers)
            return calls

        loop, _ = timed(through_target, repeat)
        handler, _ = timed(handler_alone, repeat)
    finally:
        provisioner.close()
        target.close()
    return calls / loop, calls / handler


def run_command(examples: int, report_dir: str) -> list[str]:
    return [
        "-m", "conformance.cli", "run", "--target", "reference",
        "--examples", str(examples), "--report-dir", report_dir,
    ]  # fmt: skip


def end_to_end(examples: int, repeat: int, tree: Path | None = None) -> tuple[float, int, str]:
    """(best seconds, calls, results.json) of a whole `run` process: start-up, cases, reports.

    `tree`: run that source tree's suite instead of the installed one (same interpreter, same venv)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    best, calls, results = float("inf"), 0, ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *run_command(examples, out)],
                check=True,
                capture_output=True,
                cwd=tree or Path.cwd(),
                env=env,
            )
            best = min(best, time.perf_counter() - start)
            results = (Path(out) / "results.json").read_text(encoding="utf-8")
        document = json.loads(results)
        calls = int(document["calls"]["total"])
        verdicts = {c["verdict"] for c in document["cases"]}
        if not verdicts <= JUDGED:
            raise SystemExit(
                f"bench: --examples {examples} gave {sorted(verdicts - JUDGED)} on the reference"
            )
    return best, calls, results


def fraction(ratio: float) -> str:
    return f"1/{1 / ratio:.1f}" if ratio < 1 else f"{ratio:.1f}"


def end_to_end_rows(sizes: tuple[int, ...], repeat: int, before: list[Path]) -> tuple[list[str], str]:
    """The side-by-side table, and the 25-example run's results.json (for the redaction rows)."""
    loop, handler = call_loop_and_handler(2000, repeat)
    rows = [
        f"| `Target.call` loop (UpdateDeviceStatus, in-process reference) | 2000 calls | {loop:,.0f} | 1 | "
        f"{fraction(loop / handler)} |",
        f"| reference handler alone (`ReferenceBackend.handle`) | 2000 calls | {handler:,.0f} | "
        f"{fraction(handler / loop)} | 1 |",
    ]
    first = ""
    for examples in sizes:
        runs: list[tuple[str, Path | None]] = [("", None), *((f" (before: {t.name})", t) for t in before)]
        for label, tree in runs:
            seconds, calls, results = end_to_end(examples, repeat, tree)
            first = first or results
            rate = calls / seconds
            what = f"`run --target reference --examples {examples}`{label}"
            rows.append(
                f"| {what} | {calls:,} calls in {seconds:.1f} s | {rate:,.0f} | {fraction(rate / loop)} | "
                f"{fraction(rate / handler)} |"
            )
    return rows, first


ROOT = Path(__file__).resolve().parent.parent


def short_name(key: tuple[str, int, str]) -> str:
    """`package/module.py:line` function, or a built-in by name."""
    path, line, name = key
    if path == "~":  # a built-in: "<built-in method gmpy2.powmod>" or "{built-in method ...}"
        return f"`{name.strip('<>{}').removeprefix('built-in method ')}` (built-in)"
    where = Path(path)
    shown = re.sub(r"^.*/lib/python3\.\d+/(site-packages/)?", "", where.as_posix())  # from the package on
    if shown == where.as_posix() and where.is_relative_to(ROOT):  # the suite's own code
        shown = where.relative_to(ROOT).as_posix()
    return f"`{shown}:{line}` {name}"


def profile_rows(examples: int, top: int) -> tuple[list[str], list[str]]:
    """The `run` process at `examples` under cProfile: the functions with the most own time, and own
    time by package (a flat profile can still have one package dominate)."""
    with tempfile.TemporaryDirectory() as out:
        profile = str(Path(out) / "run.prof")
        command = [sys.executable, "-m", "cProfile", "-o", profile, *run_command(examples, out)]
        subprocess.run(command, check=True, capture_output=True)
        stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = sum(tt for _, _, tt, _, _ in entries.values())
    ranked = sorted(entries.items(), key=lambda item: -item[1][2])[:top]
    functions = [
        f"| {short_name(key)} | {calls:,} | {own:.2f} s | {100 * own / total:.1f}% | {cumulative:.2f} s |"
        for key, (_, calls, own, cumulative, _) in ranked
    ]
    by_package: dict[str, float] = {}
    for key, (_, _, own, _, _) in entries.items():
        package = package_of(key[0])
        by_package[package] = by_package.get(package, 0.0) + own
    packages = [
        f"| {package} | {own:.2f} s | {100 * own / total:.1f}% |"
        for package, own in sorted(by_package.items(), key=lambda item: -item[1])[:top]
    ]
    return functions, packages


def package_of(path: str) -> str:
    """Where own time went: the suite's top-level packages, an installed package, or the standard library."""
    if path == "~":
        return "built-ins (C: compile, gmpy2, json, re, ...)"
    where = Path(path)
    installed = re.match(r"^.*/lib/python3\.\d+/site-packages/([^/]+)", where.as_posix())
    if installed:
        return installed.group(1).removesuffix(".py")
    if where.is_relative_to(ROOT):
        parts = where.relative_to(ROOT).parts
        return "/".join(parts[:2]) if parts[0] == "conformance" and len(parts) > 2 else parts[0]
    return "standard library"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer examples, one repeat")
    parser.add_argument(
        "--before",
        type=Path,
        action="append",
        default=[],
        help="another source tree of the suite, run side by side (e.g. the previous commit); repeatable",
    )
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
        seconds, units = timed(functools.partial(draw_count, strategy, n), repeat)
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

        def updates(t: Any = target, token: str = user.access_token, k: str = key) -> int:
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

    sizes = (25, 100) if args.quick else (25, 100, 400)
    whole, results = end_to_end_rows(sizes, repeat, args.before)
    functions, packages = profile_rows(
        25 if args.quick else 100, 10
    )  # after the timed runs: it slows the machine

    compared = (
        redaction_rows(results, repeat)
        + srp_rows(3 if args.quick else 10, repeat)
    )

    print("# Benchmarks\n")
    print(
        f"Measured by `benchmarks/bench.py{' --quick' if args.quick else ''}` on {date.today()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"best of {repeat}.\n"
    )
    print("| what | work | time | rate |\n|---|---|---|---|")
    print("\n".join(rows))
    print("\n## End to end, side by side in this run\n")
    print(
        "Calls per second of a whole `run` process (start-up, provisioning, every case, reports), of the "
        "suite's `Target.call` loop and of the reference's handler; each ratio is that row's rate over the "
        "column's.\n"
    )
    print("| what | work | calls/s | vs `Target.call` loop | vs handler |\n|---|---|---|---|---|")
    print("\n".join(whole))
    profiled_at = 25 if args.quick else 100
    print(f"\n## Profile of `run --target reference --examples {profiled_at}`: top 10 by own time\n")
    print("cProfile slows Python code down, so the shares matter more than the seconds.\n")
    print("| function | calls | own time | share | cumulative |\n|---|---|---|---|---|")
    print("\n".join(functions))
    print("\nOwn time by package:\n")
    print("| package | own time | share |\n|---|---|---|")
    print("\n".join(packages))
    print("\n## Before and after issue 13, in this run\n")
    print("| what | work | before | after | ratio |\n|---|---|---|---|---|")
    print("\n".join(compared))


if __name__ == "__main__":
    main()
