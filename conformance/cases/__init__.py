"""Every case module; importing this package registers all cases."""

from conformance.cases import (
    authorization,
    coverage,
    deviceflow,
    devices,
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
    "devices",
    "protocol",
    "resources",
    "schemathesis_phase",
    "state",
    "statemachine",
    "validation",
]
