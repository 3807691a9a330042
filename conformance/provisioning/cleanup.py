"""Cleanup that survives Ctrl-C, SIGTERM and interpreter exit, and ends in bounded time.

`with install_cleanup(provisioner) as cleanup:` makes SIGTERM unwind like Ctrl-C does (SystemExit, so
`finally` blocks run), closes the provisioner on the way out, and registers an atexit hook as a last
resort. While cleanup runs, a second Ctrl-C is ignored: interrupting it is what would leave pools behind.
So that a signal still ends the process soon when the target hangs, cleanup after a signal (or when the
caller sets `cleanup.deadline_s`) has a deadline: what it could not delete by then is named in one line.

`interrupt_on_sigterm=True` makes SIGTERM raise `Terminated`, a KeyboardInterrupt, instead: pytest and
Hypothesis record a SystemExit raised inside a test as one failed test and go on with the next one, which
kept a terminated run sending requests for minutes. Only an interrupt ends a pytest session.
"""

from __future__ import annotations

import atexit
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol

log = logging.getLogger("conformance.provisioning")

# Cleanup after a signal: all its calls within about this long (plus one short call timeout), so that the
# run ends within 10 s of a SIGTERM or Ctrl-C even while the target hangs.
INTERRUPTED_CLEANUP_S = 4.0


class Closeable(Protocol):
    def close(self, deadline_s: float | None = None) -> None: ...


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt (see the module docstring); the exit code is 128 + the signal."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum
        self.exit_code = 128 + signum


_received: list[int] = []  # signals turned into Terminated since sigterm_interrupts() began


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise Terminated(signum)


def terminated() -> Terminated | None:
    """A SIGTERM arrived (since `sigterm_interrupts()` began): the exception to end the command with.

    pytest swallows the interrupt it ends a session on; the run command asks here which one it was."""
    return Terminated(_received[-1]) if _received else None


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """For a whole command: SIGTERM raises Terminated (main thread only, where signals arrive)."""
    _received.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def close_shielded(provisioner: Closeable, deadline_s: float | None = None) -> None:
    """Close with SIGINT and SIGTERM ignored (main thread only; elsewhere signals cannot arrive anyway)."""
    in_main = threading.current_thread() is threading.main_thread()
    saved: dict[signal.Signals, Any] = {}
    if in_main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            saved[sig] = signal.signal(sig, signal.SIG_IGN)
    try:
        if deadline_s is None:
            provisioner.close()
        else:
            provisioner.close(deadline_s=deadline_s)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@dataclass
class Cleanup:
    """What `install_cleanup` yields; set `deadline_s` to bound the cleanup (the run must end soon)."""

    provisioner: Closeable
    deadline_s: float | None = None


@contextmanager
def install_cleanup(provisioner: Closeable, *, interrupt_on_sigterm: bool = False) -> Iterator[Cleanup]:
    in_main = threading.current_thread() is threading.main_thread()
    cleanup = Cleanup(provisioner)
    previous_term: Any = None
    if in_main:
        previous_term = signal.signal(signal.SIGTERM, _interrupt if interrupt_on_sigterm else _terminate)
        if signal.getsignal(signal.SIGINT) is signal.SIG_DFL:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    atexit.register(provisioner.close)
    try:
        yield cleanup
    except (KeyboardInterrupt, SystemExit):
        # A signal: the process is expected to end now, not after each cleanup call times out.
        if cleanup.deadline_s is None:
            cleanup.deadline_s = INTERRUPTED_CLEANUP_S
        raise
    finally:
        log.info("cleaning up what the run created")
        try:
            close_shielded(provisioner, cleanup.deadline_s)
        finally:
            atexit.unregister(provisioner.close)
            if in_main and previous_term is not None:
                signal.signal(signal.SIGTERM, previous_term)
