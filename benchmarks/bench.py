"""Speed of the suite's moving parts, measured on this machine (not asserted anywhere).

    .venv/bin/python benchmarks/bench.py [--quick] > benchmarks/RESULTS.md

Measures: generation (examples per second for valid, invalid and wire strategies), the constraint
checker, the reference answering UpdateDeviceStatus in-process and over HTTP (requests per second),
SRP sign-in with device confirmation, and a whole `run` against the reference. Then, side by side in
the same run, what issue 13 changed: redaction with about 500 registered secrets (the per-secret loop it had
before against `SecretRegistry.redact`) and the SRP arithmetic of a sign-in (pow() against gmpy2).
"""

from __future__ import annotations

import argparse
import base64
import functools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
            "SRP sign-in, both sides (3072-bit): pow() vs gmpy2", f"{sign_ins} sign-ins", before, after
        )
    ]


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
        results = (Path(out) / "results.json").read_text(encoding="utf-8")
    rows.append(f"| `run --target reference` (all cases, 25 examples each) | 1 run | {whole:.1f} s | |")

    compared = redaction_rows(results, repeat) + srp_rows(3 if args.quick else 10, repeat)

    print("# Benchmarks\n")
    print(
        f"Measured by `benchmarks/bench.py{' --quick' if args.quick else ''}` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; best of {repeat}.\n"
    )
    print("| what | work | time | rate |\n|---|---|---|---|")
    print("\n".join(rows))
    print("\n## Before and after issue 13, in this run\n")
    print("| what | work | before | after | ratio |\n|---|---|---|---|---|")
    print("\n".join(compared))


if __name__ == "__main__":
    main()
