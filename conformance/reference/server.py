"""The HTTP face: a threaded server speaking awsJson1_1 on `POST /`, plus JWKS and the test controls.

Routes: `POST /` (the API; SigV4 signatures are accepted and not checked, unsigned requests too),
`GET /{poolId}/.well-known/jwks.json`, and `/_reference/...` (controls.py). Request bodies and tokens are
never logged; the default access log is silenced.
"""

from __future__ import annotations

import json
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .backend import ReferenceBackend
from .controls import PREFIX, Controls
from .protocol import CONTENT_TYPE
from .tokens import jwks

_JWKS_PATH = re.compile(r"^/([\w-]+_[0-9A-Za-z]+)/\.well-known/jwks\.json$")
MAX_BODY = 1 << 20


def _handler_class(backend: ReferenceBackend) -> type[BaseHTTPRequestHandler]:
    controls = Controls(backend)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in one write, and without Nagle's delay (else ~40 ms per keep-alive request).
        wbufsize = 1 << 16
        disable_nagle_algorithm = True
        server_version = "cognito-conformance-reference"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # silence: the default log line is harmless, but quiet is simplest to keep safe

        def _body(self) -> bytes | None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(
                    413,
                    {"Content-Type": CONTENT_TYPE},
                    b'{"__type":"SerializationException","message":"Request too large"}',
                )
                return None
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._send(status, {"Content-Type": CONTENT_TYPE}, json.dumps(payload).encode())

        def do_POST(self) -> None:
            body = self._body()
            if body is None:
                return
            path = self.path.split("?", 1)[0]
            if path.startswith(PREFIX):
                self._json(*controls.handle_http("POST", path, body))
            elif path == "/":
                headers = {k: v for k, v in self.headers.items()}
                self._send(
                    *backend.handle(
                        self.headers.get("X-Amz-Target"), body, headers, source_ip=self.client_address[0]
                    )
                )
            else:
                self._json(404, {"__type": "UnknownOperationException", "message": "Not found"})

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            match = _JWKS_PATH.match(path)
            if path.startswith(PREFIX):
                self._json(*controls.handle_http("GET", path, b""))
            elif match:
                with backend.store.lock:
                    pool = backend.store.pools.get(match.group(1))
                if pool is None:
                    self._json(
                        404,
                        {
                            "__type": "ResourceNotFoundException",
                            "message": f"User pool {match.group(1)} does not exist.",
                        },
                    )
                else:
                    self._send(
                        200,
                        {"Content-Type": "application/json"},
                        json.dumps(jwks(pool.access_key, pool.id_key)).encode(),
                    )
            else:
                self._json(404, {"__type": "UnknownOperationException", "message": "Not found"})

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class RunningServer:
    """A server running in a background thread (for tests and embedding)."""

    backend: ReferenceBackend
    url: str
    _server: ThreadingHTTPServer
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _make_server(backend: ReferenceBackend, host: str, port: int) -> tuple[ThreadingHTTPServer, str]:
    server = _Server((host, port), _handler_class(backend))
    bound_host, bound_port = server.server_address[:2]
    host_text = bound_host.decode() if isinstance(bound_host, bytes) else str(bound_host)
    shown = f"[{host_text}]" if ":" in host_text else host_text
    return server, f"http://{shown}:{bound_port}"


def start_server(
    backend: ReferenceBackend | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningServer:
    """Serve `backend` (a new one if None) in a daemon thread; port 0 picks a free port."""
    backend = backend or ReferenceBackend()
    server, url = _make_server(backend, host, port)
    thread = threading.Thread(target=server.serve_forever, name="reference-http", daemon=True)
    thread.start()
    return RunningServer(backend=backend, url=url, _server=server, _thread=thread)


def serve(
    host: str, port: int, announce: Callable[[str], None], backend: ReferenceBackend | None = None
) -> None:
    """Serve until SIGINT or SIGTERM (the CLI's `serve-reference`); `announce(url)` once listening."""
    server, url = _make_server(backend or ReferenceBackend(), host, port)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = (
        signal.signal(signal.SIGTERM, stop) if threading.current_thread() is threading.main_thread() else None
    )
    announce(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
