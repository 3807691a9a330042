"""`ReferenceBackend`: a reference Cognito's state (`BackendState`) plus `handle`, its one entry point.

Several backends can live in one process; they share nothing. Both faces (the in-process botocore client
and the HTTP server) call `handle`, so they give the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import protocol
from .state import BackendState


class ReferenceBackend(BackendState):
    """A `BackendState` that answers requests; its constructor is `BackendState`'s.

    Tests and `faults.py` subclass it and override `handle`.
    """

    def handle(
        self, target: str | None, body: bytes, headers: Mapping[str, str], *, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one awsJson1_1 request: (status, headers, body)."""
        return protocol.handle(self, target, body, headers, source_ip=source_ip)
