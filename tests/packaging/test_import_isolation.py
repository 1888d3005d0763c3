"""The core packages must not pull in heavy optional dependencies: numpy/scipy for the core,
torch only in ``gan``, matplotlib only when a figure is built.

Each check runs in a fresh interpreter whose working directory is an empty temporary folder, so
the installed ``modecollapse`` is what gets imported. (That every ``__all__`` name exists is
``test_faces.py``.)
"""

import subprocess
import sys

import pytest


def _run(code: str, cwd) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=cwd)
    return out.stdout.strip()


CORE = ["modecollapse", "modecollapse.divergences", "modecollapse.regions", "modecollapse.figures"]


@pytest.mark.parametrize("package", CORE)
def test_core_import_does_not_import_torch_or_matplotlib(package, tmp_path):
    code = (
        f"import sys, {package}; "
        "bad = [m for m in ('torch', 'matplotlib') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    assert _run(code, tmp_path) == "", f"import {package} imported {_run(code, tmp_path)}"


def test_gan_cli_help_works_without_importing_torch(tmp_path):
    code = (
        "import sys; from modecollapse.gan.cli import build_parser; build_parser(); "
        "print('torch' in sys.modules)"
    )
    assert _run(code, tmp_path) == "False"
