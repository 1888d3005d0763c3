"""The distribution holds one import package, ``modecollapse``, and works from any folder.

* ``pyproject.toml`` lists its packages one by one (no globs, so nothing stray is picked up);
  the list must equal the folders that are packages in the tree, so a new sub-package cannot be
  forgotten.
* A wheel built from a copy of the tree holds ``modecollapse/`` and its ``.dist-info`` only, and
  carries the shipped trained models (``gan/experiments/models``, package data) byte for byte.
* ``python -m modecollapse.figures --list``, ``python -m modecollapse.gan --help`` and the console
  script ``modecollapse --help`` work from a working directory whose own ``figures/``, ``gan/``
  and ``regions/`` packages would shadow bare imports of those names.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

# the shared reader next to this file (tests/packaging is not an importable package)
_spec = importlib.util.spec_from_file_location("_packaging_tree", Path(__file__).with_name("_tree.py"))
tree = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tree)

ROOT = tree.ROOT
P = tree.PACKAGE
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SHADOWS = ("figures", "gan", "regions")


def test_pyproject_lists_exactly_the_packages_of_the_tree():
    setuptools_cfg = PYPROJECT["tool"]["setuptools"]
    assert setuptools_cfg["package-dir"] == {P: "."}
    listed = setuptools_cfg["packages"]
    assert isinstance(listed, list), "list the packages one by one (no find: globs)"
    assert len(set(listed)) == len(listed), f"a package is listed twice: {listed}"
    in_tree = set(tree.package_dirs())
    assert set(listed) == in_tree, (
        f"pyproject.toml [tool.setuptools] packages vs folders with an __init__.py: "
        f"missing {sorted(in_tree - set(listed))}, not in the tree {sorted(set(listed) - in_tree)}"
    )


def test_tree_reader_sees_only_folders_with_init_on_the_whole_path(tmp_path):
    for rel in ("__init__.py", "a/__init__.py", "a/b/__init__.py", "c/d/__init__.py", ".e/__init__.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    assert set(tree.package_dirs(tmp_path)) == {P, f"{P}.a", f"{P}.a.b"}  # c/ has no __init__.py


def _copy_tree(dest: Path) -> Path:
    """The working tree without version control, virtual environments and build output."""

    def ignore(folder, names):
        return [
            n for n in names
            if n.startswith(".") or n in ("build", "dist", "__pycache__", "runs", "figures-out")
            or n.endswith(".egg-info")
        ]

    return Path(shutil.copytree(ROOT, dest, ignore=ignore))


def _skip_unless_wheels_can_be_built() -> None:
    """The wheel is built without build isolation (no index): it needs setuptools >= 64 here, and
    either setuptools >= 70.1 or the ``wheel`` package for ``bdist_wheel``. ``bash .ci/setup``
    installs setuptools >= 70.1."""
    st = pytest.importorskip("setuptools", minversion="64", reason="building the wheel needs setuptools>=64")
    major_minor = tuple(int(x) for x in st.__version__.split(".")[:2] if x.isdigit())
    if major_minor < (70, 1) and importlib.util.find_spec("wheel") is None:
        pytest.skip(f"setuptools {st.__version__} builds wheels only with the 'wheel' package (or setuptools>=70.1)")


def test_wheel_holds_only_the_modecollapse_package(tmp_path):
    _skip_unless_wheels_can_be_built()
    src = _copy_tree(tmp_path / "src")
    out = tmp_path / "wheel"
    res = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, f"pip wheel failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    version = PYPROJECT["project"]["version"]
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == {P, f"{P}-{version}.dist-info"}, f"the wheel holds more than {P}/: {sorted(tops)}"
    packages = set(PYPROJECT["tool"]["setuptools"]["packages"])
    data = _package_data_files()
    stray = sorted(
        n for n in names
        if n.startswith(f"{P}/") and n.rpartition("/")[0].replace("/", ".") not in packages and n not in data
    )
    assert not stray, f"files outside the listed packages and their package data: {stray}"
    # the shipped models, each file as committed (the loader checks them against MANIFEST.json)
    assert data and set(data) <= set(names), f"package data missing from the wheel: {sorted(set(data) - set(names))}"
    with zipfile.ZipFile(wheel) as zf:
        changed = sorted(n for n, path in data.items() if zf.read(n) != path.read_bytes())
    assert not changed, f"package data altered in the wheel: {changed}"
    expected = {
        f"{P}/{f.relative_to(ROOT).as_posix()}"
        for folder in tree.package_dirs().values() for f in folder.glob("*.py")
    }
    assert expected <= set(names), f"package modules missing from the wheel: {sorted(expected - set(names))}"
    assert not any(n.startswith((f"{P}/tests/", f"{P}/benchmarks/", f"{P}/docs/")) for n in names)


def _package_data_files() -> dict:
    """Wheel name -> source file of every file the ``package-data`` globs of pyproject.toml select."""
    out = {}
    for package, globs in PYPROJECT["tool"]["setuptools"].get("package-data", {}).items():
        folder = ROOT.joinpath(*package.split(".")[1:])
        for pattern in globs:
            for f in folder.glob(pattern):
                if f.is_file():
                    out[f"{P}/{f.relative_to(ROOT).as_posix()}"] = f
    return out


def test_package_data_holds_every_shipped_model_file():
    # the globs select exactly MANIFEST.json and the files it lists: a model file cannot be left out
    # of a wheel, and nothing unlisted (a stray .tmp, a checkpoint) is shipped
    import json

    models = ROOT / "gan" / "experiments" / "models"
    manifest = json.loads((models / "MANIFEST.json").read_text())
    listed = {f"{P}/gan/experiments/models/{rel}" for rel in manifest["files"]} | {
        f"{P}/gan/experiments/models/MANIFEST.json"}
    selected = {n for n in _package_data_files() if n.startswith(f"{P}/gan/experiments/models/")}
    assert selected == listed
    assert {p.relative_to(models).as_posix() for p in models.rglob("*") if p.is_file()} == {
        *manifest["files"], "MANIFEST.json"}, "files in models/ that the manifest does not list"


@pytest.fixture
def shadowing_cwd(tmp_path):
    """A working directory with its own ``figures/``, ``gan/`` and ``regions/`` packages."""
    for name in SHADOWS:
        (tmp_path / name).mkdir()
        shadow = f"raise ImportError('the local {name}/ folder was imported')\n"
        (tmp_path / name / "__init__.py").write_text(shadow)
    return tmp_path


def _run(argv, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_figures_list_from_a_shadowing_folder(shadowing_cwd):
    res = _run([sys.executable, "-m", f"{P}.figures", "--list"], shadowing_cwd)
    assert res.returncode == 0, res.stderr
    listed = {line.split()[0] for line in res.stdout.splitlines() if line and not line[0].isspace()}
    modules = {f.stem.removeprefix("fig_") for f in (ROOT / "figures").glob("fig_*.py")}
    assert modules and modules <= listed, f"figures --list printed {sorted(listed)}"


def test_gan_help_from_a_shadowing_folder(shadowing_cwd):
    res = _run([sys.executable, "-m", f"{P}.gan", "--help"], shadowing_cwd)
    assert res.returncode == 0, res.stderr
    assert "usage:" in res.stdout and "train" in res.stdout


def test_console_script_from_a_shadowing_folder(shadowing_cwd):
    script = Path(sys.executable).with_name("modecollapse")
    if not script.exists():
        found = shutil.which("modecollapse")
        assert found, "the console script 'modecollapse' is not installed next to this Python or on PATH"
        script = Path(found)
    res = _run([str(script), "--help"], shadowing_cwd)
    assert res.returncode == 0, res.stderr
    assert "figures" in res.stdout and "gan" in res.stdout
    res = _run([str(script), "figures", "--list"], shadowing_cwd)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip()
