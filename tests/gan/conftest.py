"""Set-up of the GAN tests (the ``gan`` extra, torch), written once for every file in ``tests/gan``.

* **Without torch** the numpy-only modules in :data:`TORCH_FREE` run as usual and every other test
  module is reported as *skipped* without being imported (a module that imports torch at its top
  would otherwise be a collection error, which no fixture can prevent: collection comes first).
  A test inside a torch-free module that needs torch asks for the :func:`torch` fixture.
* **With torch** every test runs with torch on one intra-op thread (restored afterwards): the
  networks are small, and a second thread on a shared 2-core machine spin-waits and makes them
  several times slower.
"""

from __future__ import annotations

import pytest

try:
    import torch as _torch
except ImportError:  # also when sys.modules["torch"] is None (the no-torch check)
    _torch = None

#: Test modules of this folder that import no torch (numpy, scipy and the package's numpy parts).
#: A new torch-free test file adds its name here; every other file is skipped without torch.
TORCH_FREE = frozenset({
    "test_datasets.py",
    "test_metrics.py",
    "test_crosscheck_mixture.py",
    "test_crosscheck_regions.py",
    "test_perfect.py",
    "test_shipped.py",
})


class _NeedsTorch(pytest.File):
    """A test module that needs torch, in a process without it: collected as one skip."""

    def collect(self):
        pytest.skip(f"{self.path.name} needs torch (the 'gan' extra), which is not installed")


def pytest_pycollect_makemodule(module_path, parent):
    if _torch is None and module_path.name.startswith("test_") and module_path.name not in TORCH_FREE:
        return _NeedsTorch.from_parent(parent, path=module_path)
    return None


@pytest.fixture(autouse=True, scope="session")
def _torch_one_thread():
    # session scope: module-scoped fixtures that train (and run before any function fixture) get
    # one thread too
    if _torch is None:
        yield
        return
    old = _torch.get_num_threads()
    _torch.set_num_threads(1)
    try:
        yield
    finally:
        _torch.set_num_threads(old)


@pytest.fixture
def torch():
    """The torch module; skips the test when torch is not installed."""
    if _torch is None:
        pytest.skip("needs torch (the 'gan' extra), which is not installed")
    return _torch
