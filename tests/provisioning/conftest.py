"""Dummy AWS settings for every test here: nothing may find real credentials or reach AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.targets.servers import dummy_aws_env


@pytest.fixture(autouse=True)
def _dummy_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    dummy_aws_env(monkeypatch)
    yield
