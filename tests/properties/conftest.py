"""Hypothesis settings for the property tests: modest example counts, no per-example
deadline (a collection runs a fake HTTP server and a database transaction), so the
folder runs in a few minutes on the 2-core machine.

`HYPOTHESIS_PROFILE=thorough` runs ten times as many examples (for a night, not for CI).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    # The fake upstreams and the database are pytest fixtures shared by a test's examples;
    # each example starts them afresh (httpserver.clear(), its own source).
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    "print_blob": True,
    # No .hypothesis/ folder in the checkout: a failure prints its blob to reproduce it.
    "database": None,
}
settings.register_profile("earshot", max_examples=40, **_COMMON)
settings.register_profile("thorough", max_examples=400, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "earshot"))
