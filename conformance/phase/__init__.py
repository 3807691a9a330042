"""The schemathesis phase: schemathesis drives requests to every device operation of `specs/openapi.json`
through the suite's Target, with the real values of the phase's own users (tokens, device keys, pool
and usernames), and the answers are judged by the suite, by the operation each was sent to.

- `bridge.py`: a WSGI app that hands each request schemathesis makes to the Target (no socket, so the
  in-process reference gets it too), signing the admin operations' through botocore, and keeps the
  Exchange by schemathesis's case id.
- `credentials.py`: the auth provider that puts the run's real values in place of schema-valid ones, by
  operation, so that a valid request is really valid and an invalid one stays invalid.
- `engine.py`: schemathesis's engine (coverage and fuzzing phases, positive and negative data, its own
  checks), configured from the run's settings, and what it found (`Findings`).
- `kinds.py`: what a request the phase sent is about (a broken rule of its operation, a framing error,
  a valid request), read by the suite's own constraint walker, not from what schemathesis meant to
  generate.

The cases that judge the findings, one per requirement: `conformance/cases/schemathesis_phase.py`.
"""
