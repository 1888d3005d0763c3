"""The figures command line: listing, subsets, formats, and a clear message without matplotlib."""

import pkgutil
import subprocess
import sys

import pytest

from modecollapse import figures
from modecollapse.figures import available_figures, build_figures


def _run(*args, code=None, cwd=None):
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "modecollapse.figures", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.no_matplotlib
def test_list_names_every_figure_module(tmp_path):
    modules = {i.name for i in pkgutil.iter_modules(figures.__path__) if i.name.startswith("fig_")}
    specs = available_figures()
    assert {s.module.split(".")[-1] for s in specs} == modules
    out = _run("--list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for spec in specs:
        assert spec.name in out.stdout
        assert spec.caption and spec.reproduces, f"{spec.name} needs a CAPTION and REPRODUCES"


@pytest.mark.no_matplotlib
def test_discovery_ignores_a_figures_folder_in_the_working_directory(tmp_path):
    # a local figures/ (or fig_*.py) must not shadow or join ours: discovery imports modecollapse.figures.*
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "__init__.py").write_text("raise RuntimeError('the local figures/ was imported')\n")
    (tmp_path / "figures" / "fig_intruder.py").write_text("NAME = 'intruder'\n")
    (tmp_path / "fig_intruder.py").write_text("NAME = 'intruder'\n")
    out = _run("--list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "intruder" not in out.stdout
    assert {line.split()[0] for line in out.stdout.splitlines() if line[:1].strip()} == {
        s.name for s in available_figures()}


@pytest.mark.no_matplotlib
def test_listing_imports_neither_matplotlib_nor_torch():
    # the face's promise: both extras are imported only when a figure that needs them is built
    code = (
        "import sys\n"
        "from modecollapse.figures import available_figures\n"
        "specs = available_figures()\n"
        "print(len(specs), 'matplotlib' in sys.modules, 'torch' in sys.modules)\n"
    )
    out = _run(code=code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(len(available_figures())), "False", "False"]


@pytest.mark.no_matplotlib
def test_figure_names_match_module_names():
    for spec in available_figures():
        assert spec.module == f"modecollapse.figures.fig_{spec.name}"


def test_unknown_figure_name_is_a_clear_error(tmp_path):
    out = _run("no_such_figure", "--out", str(tmp_path))
    assert out.returncode == 2
    assert "unknown figure name(s) ['no_such_figure']" in out.stderr
    with pytest.raises(ValueError, match="fmt must be one of"):
        build_figures(out_dir=tmp_path, fmt="jpg")


@pytest.mark.no_matplotlib
def test_missing_matplotlib_gives_install_hint(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from modecollapse.figures.__main__ import main\n"
        f"sys.exit(main(['--out', {str(tmp_path)!r}]))"
    )
    out = _run(code=code)
    assert out.returncode == 2
    assert "needs matplotlib" in out.stderr and "modecollapse[figures]" in out.stderr
    assert not any(tmp_path.iterdir()), "nothing may be written when matplotlib is missing"


@pytest.mark.needs_torch
def test_threads_option_sets_torch_threads_and_rejects_bad_values(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ.pop('OMP_NUM_THREADS', None)\n"
        "from modecollapse.figures.__main__ import main\n"
        f"rc = main(['regions_toy', '--out', {str(tmp_path)!r}, '--threads', '1'])\n"
        "import torch\n"
        "print(rc, os.environ['OMP_NUM_THREADS'], torch.get_num_threads())\n"
    )
    out = _run(code=code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-3:] == ["0", "1", "1"]
    default = _run(code=code.replace(", '--threads', '1'", ""))
    assert default.returncode == 0 and default.stdout.split()[-3:] == ["0", "1", "1"], default.stderr
    bad = _run("regions_toy", "--out", str(tmp_path), "--threads", "0")
    assert bad.returncode == 2 and "--threads must be >= 1; got 0" in bad.stderr
