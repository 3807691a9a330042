"""Parity with a recording: one run's exchanges recorded (`run --record FILE`), replayed against
another target (`cognito-conformance replay FILE --target T`), and the differences shown.

- `placeholders.py`: run-specific values (pool and client ids, usernames, device keys, tokens, the
  region, the run's name prefix) and their stable names, both ways.
- `recorder.py`: every exchange of a run, keyed by case, attempt and step; provisioning actions as
  steps of their own (a replay performs them on its target, it does not resend their requests).
- `compare.py`: what "the same answer" means (status, error type, message, body shape and values,
  dates and request ids aside).
- `replay.py`: provisions as the recorded run did, resends each replayable request with the target's
  own values, and reports each step's parity.
- `evidence.py`: the recorded answers to the questions the catalog leaves INFORMATIONAL.
"""
