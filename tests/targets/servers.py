"""Small misbehaving servers on 127.0.0.1 (each in a thread, stopped by the test), and helpers."""

from __future__ import annotations

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


def stop_subprocess(process: subprocess.Popen[bytes]) -> None:
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
