"""Every case module; importing this package registers all cases."""

from . import (
    authorization,
    coverage,
    deviceflow,
    protocol,
    resources,
    schemathesis_phase,
    state,
    statemachine,
    validation,
)

__all__ = [
    "authorization",
    "coverage",
    "deviceflow",
    "protocol",
    "resources",
    "schemathesis_phase",
    "state",
    "statemachine",
    "validation",
]
