"""The eight other device operations as subjects: each judged on its own contract (specs/requirements/),
as UpdateDeviceStatus is by the modules beside this package."""

from conformance.cases.devices import access, attributes, listing, state, validation

__all__ = ["access", "attributes", "listing", "state", "validation"]
