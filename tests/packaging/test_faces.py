"""The package faces: every ``__all__`` lists each public name once, every listed name exists, and
no ``__init__.py`` hides its names behind ``import *`` (a face names what it exports).

The faces checked are the four sub-packages and every sub-package of ``gan`` whose
``__init__.py`` assigns ``__all__``. Resolving a lazy face (``modecollapse.gan``) imports the
modules behind it: without the ``gan`` extra (torch) or the ``figures`` extra (matplotlib) those
faces are skipped, never errors.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

# the shared reader next to this file (tests/packaging is not an importable package)
_spec = importlib.util.spec_from_file_location("_packaging_tree", Path(__file__).with_name("_tree.py"))
tree = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tree)

P = tree.PACKAGE
PACKAGES = tree.package_dirs()
EXTRAS = {"torch": "gan", "matplotlib": "figures"}


def _assigns_all(init: Path) -> bool:
    body = ast.parse(init.read_text(encoding="utf-8")).body
    return any(
        isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        and any(
            isinstance(t, ast.Name) and t.id == "__all__"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        for node in body
    )


FACES = [f"{P}.{name}" for name in ("divergences", "regions", "gan", "figures")] + sorted(
    name for name, folder in PACKAGES.items()
    if name.startswith(f"{P}.gan.") and _assigns_all(folder / "__init__.py")
)


def _skip_if_extra_missing(exc: ModuleNotFoundError) -> None:
    root = (exc.name or "").split(".")[0]
    if root in EXTRAS:
        pytest.skip(f"needs the '{EXTRAS[root]}' extra ({root} is not installed)")
    raise exc


def test_the_four_faces_and_the_gan_layers_exist():
    assert {f"{P}.divergences", f"{P}.regions", f"{P}.gan", f"{P}.figures"} <= set(PACKAGES)


@pytest.mark.parametrize("face", FACES)
def test_all_names_exist_once(face):
    try:
        mod = importlib.import_module(face)
    except ModuleNotFoundError as exc:
        _skip_if_extra_missing(exc)
    names = mod.__all__
    assert all(isinstance(n, str) for n in names), f"{face}.__all__ holds a non-string: {names!r}"
    dups = sorted({n for n in names if names.count(n) > 1})
    assert not dups, f"{face}.__all__ lists these names more than once: {dups}"
    missing = []
    for n in names:
        try:
            if not hasattr(mod, n):
                missing.append(n)
        except ModuleNotFoundError as exc:  # a lazy face resolving into an extra
            _skip_if_extra_missing(exc)
    assert not missing, f"{face}.__all__ names attributes that do not exist: {missing}"


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_star_import_in_faces(package):
    init = PACKAGES[package] / "__init__.py"
    stars = [
        f"{init.relative_to(tree.ROOT)}:{node.lineno} from {'.' * node.level}{node.module or ''} import *"
        for node in ast.walk(ast.parse(init.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
    ]
    assert not stars, "a face lists the names it exports instead of importing *:\n  " + "\n  ".join(stars)
