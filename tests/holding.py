"""A reference that holds one chosen request until the test releases it: for tests that signal a run.

A test that sends a signal "a few seconds in" guesses how long the run takes, and a fast machine finishes
first. Served with `start_server` on 127.0.0.1 (in the test's process, stopped by its handle), a
`Holding` backend marks the moment its chosen request arrives (`reached`) and keeps that request
waiting until `release()`: the test waits for the mark, signals the run, which is then waiting on that
very request, and releases it. The hold has its own generous limit, so a failing test leaves no
server thread behind for long.
"""

from __future__ import annotations

import itertools
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from conformance.reference import ReferenceBackend
from conformance.targets.exchange import members
from tests.signals import interruptible

# (operation, request parameters, request headers) -> hold this one?
Chooser = Callable[[str, dict[str, Any], Mapping[str, str]], bool]
HOLD_LIMIT_S = 120.0
TARGET_PREFIX = "AWSCognitoIdentityProviderService."


class Holding(ReferenceBackend):
    """The reference, but the first request `chosen` picks waits (before it is handled) until released."""

    def __init__(self, chosen: Chooser, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._chosen = chosen
        self._lock = threading.Lock()
        self.reached = threading.Event()
        self._released = threading.Event()

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        operation = (target or "").removeprefix(TARGET_PREFIX)
        with self._lock:  # requests arrive on several server threads: one is chosen, once
            hold = not self.reached.is_set() and self._chosen(operation, members(body), headers)
            if hold:
                self.reached.set()
        if hold:
            self._released.wait(HOLD_LIMIT_S)
        return super().handle(target, body, headers, source_ip=source_ip)

    def release(self) -> None:
        self._released.set()

    def wait_until_reached(self, run: subprocess.Popen[Any], timeout: float = 120.0) -> None:
        """Until the chosen request is being held; fails at once if the run ended before it came."""
        deadline = time.monotonic() + timeout
        while not self.reached.wait(0.1):
            if run.poll() is not None:
                raise AssertionError(f"the run ended (exit {run.returncode}) before the chosen request")
            if time.monotonic() > deadline:
                raise AssertionError(f"the chosen request did not come within {timeout:g}s")


def signal_when_held(
    backend: Holding,
    command: list[str],
    signum: int,
    *,
    env: Mapping[str, str],
    at_hold: Callable[[], None] = lambda: None,
    merge_stderr: bool = False,
    timeout: float = 120.0,
) -> tuple[int, str, str]:
    """Start `command`; once `backend` holds its chosen request, run the checks of `at_hold`, send
    `signum` and release the request. The run's exit code, stdout and stderr ("" when `merge_stderr`);
    the request is released, and the run killed, whatever fails on the way."""
    run = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        env=dict(env),
        preexec_fn=interruptible,
    )
    try:
        backend.wait_until_reached(run)
        at_hold()
        run.send_signal(signum)
        backend.release()
        out, err = run.communicate(timeout=timeout)
    finally:
        backend.release()
        if run.poll() is None:
            run.kill()
            run.wait()
    return run.returncode, out, err or ""


def nth(operation: str, n: int, *, agent: str = "") -> Chooser:
    """The n-th request of `operation` (counted from 1) whose User-Agent starts with `agent`:
    "Botocore/" counts the suite's own botocore calls, not the schemathesis phase's requests."""
    seen = itertools.count(1)

    def chosen(name: str, _: dict[str, Any], headers: Mapping[str, str]) -> bool:
        sent_by = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
        return name == operation and sent_by.startswith(agent) and next(seen) == n

    return chosen


def sign_in_of_user(n: int) -> Chooser:
    """The first InitiateAuth for the n-th user to sign in (users told apart by their USERNAME)."""
    users: list[str] = []

    def chosen(operation: str, params: dict[str, Any], _: Mapping[str, str]) -> bool:
        if operation != "InitiateAuth":
            return False
        name = str((params.get("AuthParameters") or {}).get("USERNAME"))
        if name not in users:
            users.append(name)
            return len(users) == n
        return False

    return chosen
