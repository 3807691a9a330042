"""The engine tests' moto_server fixture, for the parity tests too."""

from tests.engine.conftest import moto_server

__all__ = ["moto_server"]
