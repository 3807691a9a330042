"""Small misbehaving servers on 127.0.0.1 (each in threads of this process, stopped by the test), and
helpers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dummy_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


Responder = Callable[[BaseHTTPRequestHandler, bytes], tuple[int, dict[str, str], bytes]]


class Served:
    """A ThreadingHTTPServer answering every request with `respond`; records what it received."""

    def __init__(self, respond: Responder) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        served = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: stop() really stops it

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                served.received.append((self.path, dict(self.headers.items()), body))
                status, headers, out = respond(self, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def html_500(_: BaseHTTPRequestHandler, __: bytes) -> tuple[int, dict[str, str], bytes]:
    page = b"<!doctype html><title>500 Internal Server Error</title><h1>Internal Server Error</h1>"
    return 500, {"Content-Type": "text/html; charset=utf-8"}, page


def non_json_200(_: BaseHTTPRequestHandler, __: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/plain"}, b"OK, sure thing"


def throttling(_: BaseHTTPRequestHandler, __: bytes) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"}).encode()
    return 400, {"Content-Type": "application/x-amz-json-1.1"}, body


def echo_error(_: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """A careless emulator that echoes the request (tokens and passwords included) in its error message."""
    message = "cannot handle " + body.decode("utf-8", "replace")
    out = json.dumps({"__type": "InvalidParameterException", "message": message}).encode()
    return 400, {"Content-Type": "application/x-amz-json-1.1"}, out


class Silent:
    """Accepts connections and never answers (until stopped)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def stop(self) -> None:
        self._stop = True
        for conn in self.conns:
            conn.close()
        self.sock.close()


def _read_request(conn: socket.socket) -> bool:
    """Reads one HTTP request (headers and a Content-Length body); False when the client went away."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        rest += chunk
    return True


class _Hostile:
    """Accepts connections on 127.0.0.1 and answers each request with `_answer` in a thread of its own
    (until stopped). Each connection serves one request, then closes."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if _read_request(conn):
                self._answer(conn)
        except OSError:
            pass  # the client gave up (what the suite is meant to do)
        finally:
            conn.close()

    def _answer(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


DRIPPED_BODY = b'{"__type":"NotAuthorizedException","message":"Invalid Access Token"}'
DRIPPED_ANSWER = (
    b"HTTP/1.1 400 Bad Request\r\n"
    b"Content-Type: application/x-amz-json-1.1\r\n"
    b"x-amzn-ErrorType: NotAuthorizedException\r\n"
    b"x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
    + f"Content-Length: {len(DRIPPED_BODY)}\r\n\r\n".encode()
    + DRIPPED_BODY
)


class Dripping(_Hostile):
    """Answers a valid-looking awsJson1_1 error one byte every `interval` seconds (the first `at_once`
    bytes at once): every read gets a byte well within any timeout, the whole answer takes a minute."""

    def __init__(self, interval: float = 0.2, at_once: int = 0) -> None:
        self.interval = interval
        self.at_once = at_once
        super().__init__()

    def _answer(self, conn: socket.socket) -> None:
        conn.sendall(DRIPPED_ANSWER[: self.at_once])
        for byte in DRIPPED_ANSWER[self.at_once :]:
            if self.stopped.wait(self.interval):
                return
            conn.sendall(bytes([byte]))


class Flooding(_Hostile):
    """Answers 200 with a body of a gigabyte, as fast as the client reads it."""

    def _answer(self, conn: socket.socket) -> None:
        size = 1 << 30
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
        )
        chunk = b" " * (1 << 16)
        for _ in range(size // len(chunk)):
            if self.stopped.is_set():
                return
            conn.sendall(chunk)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_subprocess(
    args: list[str], ready: Callable[[], bool], timeout: float = 20.0
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{args[0]} exited with {process.returncode}")
        if ready():
            return process
        time.sleep(0.1)
    stop_subprocess(process)
    raise RuntimeError(f"{args[0]} did not start within {timeout}s")


def stop_subprocess(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def moto_server_args(port: int) -> list[str]:
    script = Path(sys.executable).with_name("moto_server")
    return [str(script), "-H", "127.0.0.1", "-p", str(port)]
