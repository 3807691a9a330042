"""The HTTP face: a threaded server speaking awsJson1_1 on `POST /`, plus JWKS and the test controls.

Routes: `POST /` (the API; SigV4 signatures are accepted and not checked, unsigned requests too),
`GET /{poolId}/.well-known/jwks.json`, and `/_reference/...` (controls.py). Whatever else comes is
answered in awsJson1_1's error form, never with http.server's HTML page: another method on `/` is 400
UnknownOperationException, another path 404, a body over MAX_BODY 400 SerializationException (README.md,
"HTTP framing"). Request bodies and tokens are never logged; the default access log is silenced.
"""

from __future__ import annotations

import json
import logging
import re
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ..errors import SuiteError
from .backend import ReferenceBackend
from .controls import PREFIX, Controls
from .protocol import CONTENT_TYPE
from .tokens import jwks

_JWKS_PATH = re.compile(r"^/([\w-]+_[0-9A-Za-z]+)/\.well-known/jwks\.json$")
_log = logging.getLogger(__name__)
MAX_BODY = 1 << 20  # a longer request body is refused (400 SerializationException)
DRAIN_LIMIT = 1 << 25  # up to this, a refused body is read and dropped; past it the connection closes


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

        def __getattr__(self, name: str) -> Any:
            # http.server looks for `do_<METHOD>` and answers a 501 HTML page without one: every method
            # gets the same routing instead (PUT, TRACE, QUERY, anything).
            if name.startswith("do_"):
                return self._route
            raise AttributeError(name)

        def _body(self) -> bytes | None:
            """The request body, or None when it was refused (an error has been answered)."""
            if self.headers.get("Transfer-Encoding"):
                # Not read here: refused, and the connection closed so its bytes frame no next request.
                message = "Transfer-Encoding is not supported by the reference; send Content-Length."
                self._error(400, "SerializationException", message, close=True)
                return None
            text = (self.headers.get("Content-Length") or "0").strip()
            length = int(text) if text.isascii() and text.isdigit() else -1
            if length < 0:
                self._error(400, "SerializationException", "Content-Length is not a length.", close=True)
                return None
            if length > MAX_BODY:
                # Read and dropped, so that the client, still sending, gets the answer and not a reset
                # connection; past DRAIN_LIMIT the connection is closed instead.
                drained = length <= DRAIN_LIMIT and self._drain(length)
                message = f"The request body of {length} bytes is over the limit of {MAX_BODY} bytes."
                self._error(400, "SerializationException", message, close=not drained)
                return None
            return self.rfile.read(length) if length else b""

        def _drain(self, length: int) -> bool:
            while length > 0:
                chunk = self.rfile.read(min(length, 1 << 16))
                if not chunk:
                    return False
                length -= len(chunk)
            return True

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._send(status, {"Content-Type": CONTENT_TYPE}, json.dumps(payload).encode())

        def _error(self, status: int, error_type: str, message: str, *, close: bool = False) -> None:
            """An error in awsJson1_1's form, for requests that never reach the backend."""
            if close:
                self.close_connection = True
            headers = {
                "Content-Type": CONTENT_TYPE,
                "x-amzn-RequestId": str(uuid.uuid4()),
                "x-amzn-ErrorType": error_type,
            }
            self._send(status, headers, json.dumps({"__type": error_type, "message": message}).encode())

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            # http.server's own refusals (a malformed request line, headers too long): JSON, not its HTML.
            self._error(int(code), "SerializationException", message or f"HTTP {int(code)}", close=True)

        def _route(self) -> None:
            body = self._body()
            if body is None:
                return
            method = self.command
            path = self.path.split("?", 1)[0]
            match = _JWKS_PATH.match(path)
            if path.startswith(PREFIX) or (path == "/" and method == "POST"):
                try:
                    if path.startswith(PREFIX):
                        status, payload = controls.handle_http(method, path, body)
                        answer = status, {"Content-Type": CONTENT_TYPE}, json.dumps(payload).encode()
                    else:
                        headers = {k: v for k, v in self.headers.items()}
                        target = self.headers.get("X-Amz-Target")
                        answer = backend.handle(target, body, headers, source_ip=self.client_address[0])
                except Exception as exc:  # a bug (a faulty variant's too): a 500 as AWS's, not a dropped line
                    _log.error("reference: unexpected %s answering %s %s", type(exc).__name__, method, path)
                    self._error(500, "InternalErrorException", "Internal server error.")
                    return
                self._send(*answer)
            elif path == "/":
                # awsJson1_1 is `POST /` only; the answer to another method is undocumented (README).
                message = f"awsJson1_1 operations are sent as POST /, not {method} /."
                self._error(400, "UnknownOperationException", message)
            elif match and method in ("GET", "HEAD"):
                self._jwks(match.group(1))
            else:
                self._error(404, "UnknownOperationException", "Not found")

        def _jwks(self, pool_id: str) -> None:
            with backend.store.lock:
                pool = backend.store.pools.get(pool_id)
            if pool is None:
                self._error(404, "ResourceNotFoundException", f"User pool {pool_id} does not exist.")
            else:
                self._send(
                    200,
                    {"Content-Type": "application/json"},
                    json.dumps(jwks(pool.access_key, pool.id_key)).encode(),
                )

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_activate(self) -> None:
        super().server_activate()
        # serve_forever accepts when its selector says a connection waits; one that went away in between
        # left accept() blocked for good, and shutdown() waiting on it (seen in the suite's tests). Not
        # blocking, such an accept fails (BlockingIOError) and the loop goes on.
        self.socket.setblocking(False)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setblocking(True)  # the handler reads and writes as usual
        return connection, address


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
    try:
        server = _Server((host, port), _handler_class(backend))
    except OSError as exc:  # the port in use, a host that is not this machine's: the user's to fix
        raise SuiteError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
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
    """Serve until SIGINT or SIGTERM (the CLI's `serve-reference`); `announce(url)` once listening.
    A host and port it cannot listen on (a port in use) is a SuiteError, before anything is announced."""
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
