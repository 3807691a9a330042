"""The schemathesis phase: schemathesis drives requests from `specs/openapi.json` through the suite's
Target, with a signed-in user's real token and device key, and the answers are judged by the suite.

- `bridge.py`: a WSGI app that hands each request schemathesis makes to the Target (no socket, so the
  in-process reference gets it too) and keeps the Exchange by schemathesis's case id.
- `credentials.py`: the auth provider that puts the run's real AccessToken and DeviceKey in place of
  schema-valid ones, so that a valid request is really valid and an invalid one stays invalid.
- `engine.py`: schemathesis's engine (coverage and fuzzing phases, positive and negative data, its own
  checks), configured from the run's settings, and what it found (`Findings`).
- `kinds.py`: what a request the phase sent is about (a broken rule, a framing error, a valid request),
  read by the suite's own constraint walker, not from what schemathesis meant to generate.

The cases that judge the findings, one per requirement: `conformance/cases/schemathesis_phase.py`.
"""
