"""A botocore client whose requests the reference answers inside this process (no socket).

botocore's `before-send` event may return a response instead of sending: the request still goes through
botocore's real serializer and the answer through its real parser, so this face is as strict as HTTP.
Client-side parameter validation is off, so invalid input reaches the reference as it would reach AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config

from .backend import ReferenceBackend

ENDPOINT = "https://cognito-idp.reference.invalid"

# Loading the service model is the slow part of making a client; one session (and its loader cache) serves
# every client. botocore sessions are not thread-safe while creating clients, hence the lock.
_SESSION = botocore.session.Session()
_SESSION_LOCK = threading.Lock()


class _RawBody:
    """The little of urllib3's response that AWSResponse reads."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any, **__: Any) -> bytes:
        return self._body


def reference_client(backend: ReferenceBackend | None = None, region: str = "us-east-1") -> Any:
    """A `cognito-idp` client answered by `backend` (a new one in `region` if None).

    The backend is reachable as `client.reference_backend`. Dummy credentials: nothing leaves the process.
    """
    backend = backend or ReferenceBackend(region=region)
    with _SESSION_LOCK:
        client = _SESSION.create_client(
            "cognito-idp",
            region_name=region,
            endpoint_url=ENDPOINT,
            aws_access_key_id="reference",
            aws_secret_access_key="reference",
            config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
        )

    def answer(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        headers = {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.headers.items()}
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = body.read()
        status, out_headers, out_body = backend.handle(headers.get("X-Amz-Target"), body, headers)
        return AWSResponse(request.url, status, out_headers, _RawBody(out_body))

    client.meta.events.register("before-send.cognito-idp", answer)
    client.reference_backend = backend
    return client
