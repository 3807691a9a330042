"""Shared settings for the suite's own tests."""

from hypothesis import HealthCheck, settings

import conformance.cases  # noqa: F401  (registers every case, as the application does)

# No deadlines (CI machines are small and shared); no example database (runs stay independent).
settings.register_profile(
    "suite", deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("suite")
