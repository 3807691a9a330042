"""Targets: anything that answers the Cognito API (reference, reference-http, moto, endpoint, aws)."""
