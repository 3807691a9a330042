"""Every case module; importing this package registers all cases."""

from . import authorization, coverage, protocol, resources, state, statemachine, validation

__all__ = ["authorization", "coverage", "protocol", "resources", "state", "statemachine", "validation"]
