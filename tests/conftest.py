"""Shared pytest configuration: hypothesis profiles, and a guard on the per-extra set-up.

``ci`` (the default) is derandomised so a CI run is reproducible; ``dev`` draws fresh examples
(``HYPOTHESIS_PROFILE=dev pytest``) and ``thorough`` runs many more of them.

The per-extra set-up lives next to the tests that need it (``tests/gan/conftest.py`` for torch,
``tests/figures/conftest.py`` for matplotlib). A conftest's ``pytest_collection_modifyitems`` sees
every item of the session, not only its own folder's, so a hook there that marks tests "needs
torch" / "needs matplotlib" without checking their path would silently skip the numerical core
in the core-only CI leg and still look green. :func:`pytest_collection_modifyitems` below runs
after every other such hook and stops the run (a usage error, exit code 4) when a test of a core
folder carries a skip mark that names an extra.
"""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

_TESTS = Path(__file__).resolve().parent
#: test folders whose tests need no optional extra
_CORE_FOLDERS = ("divergences", "regions", "packaging")
_EXTRA_WORDS = ("matplotlib", "torch", "'gan' extra", "'figures' extra")


def _extra_skip_reason(item):
    for mark in item.iter_markers("skip"):
        reason = str(mark.kwargs.get("reason", mark.args[0] if mark.args else ""))
        if any(w in reason for w in _EXTRA_WORDS):
            return reason
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    bad = []
    for item in items:
        try:
            rel = Path(str(item.path)).resolve().relative_to(_TESTS)
        except ValueError:
            continue
        if rel.parts and rel.parts[0] in _CORE_FOLDERS:
            reason = _extra_skip_reason(item)
            if reason is not None:
                bad.append(f"{item.nodeid}: {reason}")
    if bad:
        raise pytest.UsageError(
            f"{len(bad)} core tests were marked to skip for a missing extra; a conftest hook must only "
            "mark the items of its own folder:\n  " + "\n  ".join(bad[:10])
        )
