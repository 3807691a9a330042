"""Fixtures: an in-process reference client, and one HTTP reference served from a thread on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.reference import ReferenceBackend, RunningServer, reference_client, start_server
from tests.clients import plain_client

from .helpers import World, make_world


def http_client(url: str) -> Any:
    """Plain boto3 pointed at a served reference; dummy credentials, no client-side validation."""
    return plain_client(url, validate=False)


@pytest.fixture(scope="session")
def server() -> Iterator[RunningServer]:
    with start_server(ReferenceBackend(), host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture(scope="module", params=["inprocess", "http"])
def any_client(request: pytest.FixtureRequest, server: RunningServer) -> Any:
    """Each test using this runs against both faces (one client per face and module)."""
    if request.param == "http":
        return http_client(server.url)
    return reference_client(ReferenceBackend())


@pytest.fixture
def client() -> Any:
    return reference_client(ReferenceBackend())


@pytest.fixture(scope="module")
def world(any_client: Any) -> World:
    """A pool with device tracking and an app client, shared by a module's tests (each adds its own users)."""
    return make_world(any_client)
