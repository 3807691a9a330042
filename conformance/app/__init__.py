"""The application: the `run` command, the pytest plugin and the dry-run budget; the only place that
wires cases, the schemathesis phase, parity and reports together."""
