"""Shared pytest configuration: hypothesis profiles.

``ci`` (the default) is derandomised so a CI run is reproducible; ``dev`` draws fresh examples
(``HYPOTHESIS_PROFILE=dev pytest``) and ``thorough`` runs many more of them.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
