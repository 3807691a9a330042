"""A reference implementation of the part of Amazon Cognito the suite touches, in-process and over HTTP.

Public entry points: `ReferenceBackend` (the state), `reference_client` (a botocore client answered in
this process), `serve` / `start_server` (the HTTP face), `Controls` (test-only token minting).
It never imports the suite's checks or oracle, nor moto. See README.md in this directory.
"""

from __future__ import annotations

from .backend import ReferenceBackend
from .controls import Controls
from .inprocess import reference_client
from .server import RunningServer, serve, start_server

__all__ = ["Controls", "ReferenceBackend", "RunningServer", "reference_client", "serve", "start_server"]
