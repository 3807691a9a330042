"""One total deadline per call: connect, headers and the whole body.

urllib3's timeouts bound each connect and each read, so an answer that drips a byte at a time never
trips them. A `Deadline` is entered around one call on the thread that makes it; every connection the
call uses registers itself with it (the pools of `DeadlineAdapter` make such connections), and once the
deadline passes the process's watchdog thread shuts their sockets down, which ends whatever read or
write is blocked on them at once. The caller sees an error and `Deadline.passed`, and reports a
timeout, as for a hang.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import ProxyManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# After the deadline, the watchdog shuts the call's sockets again this often until the call returns:
# a connection still being made when the deadline passed gets its socket only afterwards.
RESHUT_S = 0.05

_local = threading.local()


class Deadline:
    """Entered around one call on its own thread (`with Deadline(seconds):`); not reentrant."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._passed = False

    @property
    def passed(self) -> bool:
        """The deadline passed while the call was under way (its connections were shut)."""
        return self._passed

    def __enter__(self) -> Deadline:
        self.expires = time.monotonic() + self.seconds
        _local.deadline = self
        _WATCHDOG.add(self)
        return self

    def __exit__(self, *_: object) -> None:
        _local.deadline = None
        _WATCHDOG.remove(self)

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)
            passed = self._passed
        if passed:
            _shut(connection)

    def expire(self) -> None:
        """The watchdog's: mark the deadline passed and shut every connection of the call."""
        with self._lock:
            self._passed = True
            connections = list(self._connections)
        for connection in connections:
            _shut(connection)


class _Watchdog:
    """One thread for every Deadline of the process: it sleeps until the earliest one, and shuts the
    connections of each overdue call (again every RESHUT_S) until that call returns."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active: set[Deadline] = set()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            self._active.add(deadline)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="call-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, deadline: Deadline) -> None:
        with self._cond:
            self._active.discard(deadline)

    def _run(self) -> None:
        # All under the one lock (shutting a socket does not block): an add() cannot slip in between
        # looking at the deadlines and going to sleep.
        with self._cond:
            while True:
                now = time.monotonic()
                overdue = [d for d in self._active if d.expires <= now]
                for deadline in overdue:
                    deadline.expire()
                upcoming = [d.expires - now for d in self._active if d.expires > now]
                self._cond.wait(RESHUT_S if overdue else min(upcoming, default=None))


_WATCHDOG = _Watchdog()


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if isinstance(sock, socket.socket):
        # The plain socket's shutdown, also under TLS: SSLSocket's own would unwrap the TLS object under
        # the reading thread's feet. A blocked recv then returns at once.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _register(connection: HTTPConnection) -> None:
    deadline: Deadline | None = getattr(_local, "deadline", None)
    if deadline is not None:
        deadline.watch(connection)


class _WatchedHTTPConnection(HTTPConnection):
    """Registers with the calling thread's Deadline when it connects and for every request it sends (a
    kept-alive connection serves several calls)."""

    def connect(self) -> None:
        _register(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections a Deadline can shut (direct and through an HTTP proxy)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # a SOCKS manager keeps its own pools: per-read timeouts only
            manager.pool_classes_by_scheme = _POOLS
        return manager
