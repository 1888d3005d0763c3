"""The core packages must not pull in heavy optional dependencies (STYLE.md, 'Heavy imports')."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["divergences", "regions", "figures"])
def test_core_import_does_not_import_torch_or_matplotlib(package):
    code = (
        f"import sys, {package}; "
        "bad = [m for m in ('torch', 'matplotlib') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import {package} imported {out.stdout.strip()}"


def test_gan_cli_help_works_without_importing_torch():
    code = "import sys; from gan.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("package", ["divergences", "regions"])
def test_all_names_exist(package):
    mod = __import__(package)
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, f"{package}.__all__ names missing attributes: {missing}"
    assert len(set(mod.__all__)) == len(mod.__all__), "duplicate names in __all__"
