"""The engine of the Cognito UpdateDeviceStatus conformance suite."""

__version__ = "0.1.0"
