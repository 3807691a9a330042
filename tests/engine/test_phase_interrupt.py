"""Ctrl-C or SIGTERM during the schemathesis phase ends the run as anywhere else.

schemathesis takes an interrupt for the end of its own run; the phase must hand it back, so that the
run stops there: cleanup runs, results.json holds only the cases that finished, exit 130 (SIGTERM: 143),
one line on stderr. The reference, served on 127.0.0.1 in this process, holds one of the phase's own
requests (sent by schemathesis's client, not botocore): the run is inside the phase, waiting on that
very request, when the signal comes, whatever the machine's speed.

In-process: the phase's own stop (its target went silent) is no interrupt, and an interrupt that lands
between two of schemathesis's events leaves none of its workers sending.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from schemathesis.engine import events
from schemathesis.engine.core import EventStream

from conformance.cases.schemathesis_phase import SORTING
from conformance.contract import paths
from conformance.contract.extract import OPERATION
from conformance.errors import EXIT_INTERRUPTED, EXIT_TERMINATED
from conformance.phase import engine
from conformance.phase.engine import run_phase
from conformance.reference import ReferenceBackend, start_server
from conformance.targets.target import STOPPED, open_target
from tests.holding import Holding, nth, signal_when_held
from tests.targets.servers import Served

from .conftest import CLI, ENV

SCHEMA = json.loads((paths.SPECS_DIR / "results.schema.json").read_text())
# One phase case: the phase runs right after provisioning.
PHASE_CASE = "SCHEMATHESIS-PROTO-NO-5XX"
# The phase's requests carry schemathesis's User-Agent; the 5th is well inside its first (coverage) pass.
PHASE_AGENT = "schemathesis/"
HELD = 5
# Well-formed, of no user: these tests look at how the phase ends, not at what the target answers.
# UpdateDeviceStatus alone (each test holds or counts its requests).
CREDENTIALS = {
    OPERATION: {
        "AccessToken": "not-a-real-token",
        "DeviceKey": "us-east-1_00000000-0000-0000-0000-000000000000",
    }
}
PHASE = {"examples": {OPERATION: 5}, "sorting": {OPERATION: SORTING[OPERATION]}}

SIGNALS = [
    pytest.param(signal.SIGINT, EXIT_INTERRUPTED, "cognito-conformance: interrupted", id="ctrl-c"),
    pytest.param(signal.SIGTERM, EXIT_TERMINATED, "cognito-conformance: terminated", id="sigterm"),
]


@pytest.mark.parametrize(("signum", "exit_code", "last_line"), SIGNALS)
def test_a_signal_during_the_schemathesis_phase_ends_the_run(
    signum: signal.Signals, exit_code: int, last_line: str, tmp_path: Path
) -> None:
    backend = Holding(nth("UpdateDeviceStatus", HELD, agent=PHASE_AGENT))
    running = start_server(backend, "127.0.0.1", 0)
    store = backend.store
    try:
        command = [*CLI, "run", "--target", running.url, "--case", PHASE_CASE, "--report-dir", str(tmp_path)]

        def made_a_pool_and_a_user() -> None:
            with store.lock:
                assert store.pools and any(p.users for p in store.pools.values()), "a pool and a user"

        code, out, err = signal_when_held(backend, command, signum, env=ENV, at_hold=made_a_pool_and_a_user)
        assert code == exit_code, out[-2000:] + err[-2000:]
        assert "Traceback" not in out + err and "eyJ" not in out + err
        assert err.strip().splitlines() == [last_line], err
        with store.lock:
            assert not store.pools, f"left behind: {list(store.pools)}"
    finally:
        running.stop()
    results = tmp_path / "results.json"
    if results.exists():  # what finished before the signal: the phase's case did not
        document = json.loads(results.read_text())
        assert not list(Draft202012Validator(SCHEMA).iter_errors(document))
        assert document["cases"] == [], [(c["id"], c["verdict"], c["reason"]) for c in document["cases"]]
        assert "eyJ" not in results.read_text()


class GoesSilent:
    """The reference over HTTP (one request per connection) that stops listening after `answered`
    requests (open_target's probe included): the target then stops answering during the phase, and
    the phase stops schemathesis itself."""

    def __init__(self, answered: int) -> None:
        self.backend = ReferenceBackend()
        self.answered = answered
        self.seen = 0
        self._lock = threading.Lock()
        self.served = Served(self)

    def __call__(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.seen += 1
            last = self.seen == self.answered
        if last:
            threading.Thread(target=self.served.stop, daemon=True).start()  # not from its own handler
        return self.backend.handle(handler.headers.get("X-Amz-Target"), body, dict(handler.headers.items()))


def test_the_phase_stopping_for_a_silent_target_is_no_interrupt() -> None:
    server = GoesSilent(answered=3)
    target = open_target(server.served.url)
    try:
        found = run_phase(target, CREDENTIALS, seed=0, **PHASE)  # no KeyboardInterrupt
    finally:
        target.close()
        server.served.stop()
    assert str(target.stopped).startswith(STOPPED)
    answered = [a.exchange.status is not None for a in found.answers]
    assert any(answered) and not all(answered)  # what came before the silence, and the calls after


def first_of_the_phase(_: str, __: dict[str, Any], headers: Mapping[str, str]) -> bool:
    """The phase's first request, whatever it is (a framing probe, a JSON body): the first Holding sees."""
    return any(k.lower() == "user-agent" and v.startswith(PHASE_AGENT) for k, v in headers.items())


def schemathesis_workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("schemathesis_") and t.is_alive()]


def test_an_interrupt_between_two_events_waits_for_schemathesis_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The phase's first request is held; the interrupt lands in the phase's own loop meanwhile. The
    # request is released only once the phase stops schemathesis: run_phase must not return before the
    # worker that sent it has ended (it would go on sending while cleanup deletes the pool).
    backend = Holding(first_of_the_phase)
    stopping = threading.Event()
    stop = EventStream.stop

    def stopped(stream: EventStream) -> None:
        stopping.set()
        stop(stream)

    def interrupted(event: events.EngineEvent) -> bool:
        if isinstance(event, events.ScenarioStarted):
            assert backend.reached.wait(60), "the phase's first request did not come"
            raise KeyboardInterrupt  # as Ctrl-C would, between two events
        return False

    monkeypatch.setattr(EventStream, "stop", stopped)
    monkeypatch.setattr(engine, "_interrupted", interrupted)
    releaser = threading.Thread(target=lambda: stopping.wait(60) and backend.release(), daemon=True)
    releaser.start()
    sent: list[object] = []
    try:
        with start_server(backend, "127.0.0.1", 0) as running, open_target(running.url) as target:
            target.observers.append(sent.append)
            interrupt: KeyboardInterrupt | None = None
            try:
                run_phase(target, CREDENTIALS, seed=0, **PHASE)
            except KeyboardInterrupt as exc:
                interrupt = exc  # kept, as pytest keeps it: its traceback holds schemathesis's stream
            assert interrupt is not None
            assert not schemathesis_workers()  # stopped and waited for
            assert len(sent) == 1  # the held request, answered before run_phase gave up; no other
    finally:
        stopping.set()
        backend.release()
        releaser.join()
