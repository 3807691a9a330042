"""Cleanup that survives Ctrl-C, SIGTERM and interpreter exit.

`with install_cleanup(provisioner):` makes SIGTERM unwind like Ctrl-C does (SystemExit, so `finally`
blocks run), closes the provisioner on the way out, and registers an atexit hook as a last resort.
While cleanup runs, a second Ctrl-C is ignored: interrupting it is what would leave pools behind.
"""

from __future__ import annotations

import atexit
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Protocol

log = logging.getLogger("conformance.provisioning")


class Closeable(Protocol):
    def close(self) -> None: ...


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def close_shielded(provisioner: Closeable) -> None:
    """Close with SIGINT and SIGTERM ignored (main thread only; elsewhere signals cannot arrive anyway)."""
    in_main = threading.current_thread() is threading.main_thread()
    saved: dict[signal.Signals, Any] = {}
    if in_main:
        for sig in (signal.SIGINT, signal.SIGTERM):
            saved[sig] = signal.signal(sig, signal.SIG_IGN)
    try:
        provisioner.close()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextmanager
def install_cleanup(provisioner: Closeable) -> Iterator[Closeable]:
    in_main = threading.current_thread() is threading.main_thread()
    previous_term: Any = None
    if in_main:
        previous_term = signal.signal(signal.SIGTERM, _terminate)
        if signal.getsignal(signal.SIGINT) is signal.SIG_DFL:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    atexit.register(provisioner.close)
    try:
        yield provisioner
    finally:
        log.info("cleaning up what the run created")
        try:
            close_shielded(provisioner)
        finally:
            atexit.unregister(provisioner.close)
            if in_main and previous_term is not None:
                signal.signal(signal.SIGTERM, previous_term)
