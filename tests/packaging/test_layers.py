"""The import graph of the package: no cycles, and arrows only downward.

Every module of ``modecollapse`` is parsed with :mod:`ast` (nothing is imported); imports at any
depth count, lazy ones inside functions too, relative ones resolved. The order is the design's:

* packages: ``figures -> gan -> regions -> divergences`` (a package may import itself and the
  ones to its right, never one to its left);
* inside ``gan/``: ``cli -> crosscheck -> experiments -> train -> {nets, data, metrics}``; the
  faces ``modecollapse.gan`` (``gan/__init__.py``) and ``gan/__main__.py`` sit on top and may name
  any layer lazily, and no layer imports them back.

The top-level ``modecollapse`` face imports nothing and may be imported by anyone (it holds
``__version__``); ``modecollapse.__main__`` is the console entry point above everything.
"""

from __future__ import annotations

import ast
import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

# the shared reader next to this file (tests/packaging is not an importable package)
_spec = importlib.util.spec_from_file_location("_packaging_tree", Path(__file__).with_name("_tree.py"))
tree = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tree)

P = tree.PACKAGE
#: package rank: a module may import modules of its own or a lower rank
PACKAGE_ORDER = {"divergences": 0, "regions": 1, "gan": 2, "figures": 3}
#: gan layer rank, bottom to top; the faces gan/__init__ and gan/__main__ are above all of them
GAN_LAYERS = {"nets": 0, "data": 0, "metrics": 0, "train": 1, "experiments": 2, "crosscheck": 3, "cli": 4}
TOP = 99

MODULES, EDGES = tree.import_graph()


def _where(e) -> str:
    return f"{MODULES[e.source].relative_to(tree.ROOT)}:{e.line} imports {e.target}"


def package_rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "_lazy":
        return -1  # the top-level face and its helper: import nothing of ours, importable from anywhere
    if parts[1] == "__main__":
        return TOP
    return PACKAGE_ORDER[parts[1]]


def gan_rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 2 or parts[2] == "__main__":
        return TOP  # the face modecollapse.gan and python -m modecollapse.gan
    return GAN_LAYERS[parts[2]]


def test_the_graph_was_read():
    # a guard for the tests below: they pass vacuously on an empty graph
    assert {f"{P}.{name}" for name in PACKAGE_ORDER} <= set(MODULES)
    assert len(EDGES) > 50


def test_every_top_folder_and_gan_layer_has_a_rank():
    unranked = sorted(
        m for m in MODULES
        if len(m.split(".")) > 1 and m.split(".")[1] not in (*PACKAGE_ORDER, "__main__", "_lazy")
    )
    assert not unranked, f"modules outside the known packages (give them a rank here): {unranked}"
    gan_unranked = sorted(
        m for m in MODULES
        if m.startswith(f"{P}.gan.") and m.split(".")[2] not in GAN_LAYERS and m.split(".")[2] != "__main__"
    )
    assert not gan_unranked, f"gan modules outside the layers {sorted(GAN_LAYERS)}: {gan_unranked}"


def test_no_import_cycle():
    succ: dict[str, set[str]] = defaultdict(set)
    for e in EDGES:
        succ[e.source].add(e.target)
    by_pair = {(e.source, e.target): e for e in EDGES}
    reports = []
    for comp in tree.strongly_connected(sorted(MODULES), succ):
        inside = {a: {b for b in succ[a] if b in comp} for a in comp}
        cycle = tree.find_cycle(comp, inside)
        steps = "\n    ".join(_where(by_pair[a, b]) for a, b in zip(cycle, cycle[1:]))
        reports.append(f"{' -> '.join(cycle)}\n    {steps}")
    assert not reports, "modules that import one another back (lazy imports count):\n  " + "\n  ".join(reports)


def test_packages_import_only_downward():
    bad = [
        _where(e) for e in EDGES
        if package_rank(e.target) > package_rank(e.source)
    ]
    order = " -> ".join(sorted(PACKAGE_ORDER, key=PACKAGE_ORDER.get, reverse=True))
    assert not bad, f"upward imports against the package order {order}:\n  " + "\n  ".join(bad)


def test_gan_layers_import_only_downward():
    bad = [
        _where(e) for e in EDGES
        if e.source.startswith(f"{P}.gan.") and (e.target == f"{P}.gan" or e.target.startswith(f"{P}.gan."))
        and gan_rank(e.target) > gan_rank(e.source)
    ]
    assert not bad, (
        "upward imports against cli -> crosscheck -> experiments -> train -> {nets, data, metrics}"
        " (import the defining module, not the gan face):\n  " + "\n  ".join(bad)
    )


# --- the reader itself, on a small tree made here -------------------------------------------

def _write(root: Path, rel: str, text: str = "") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_reader_resolves_relative_lazy_and_literal_imports(tmp_path):
    _write(tmp_path, "__init__.py")
    _write(tmp_path, "a/__init__.py", "from ._x import f\n")
    _write(tmp_path, "a/_x.py", "def f():\n    from ..b import g\n    return g\n")
    _write(tmp_path, "b/__init__.py", "import importlib\nm = importlib.import_module('modecollapse.a._x')\n")
    _write(tmp_path, "b/c/__init__.py", "from .. import d\nfrom modecollapse.a import f\n")
    _write(tmp_path, "b/d.py")
    _write(tmp_path, "notpkg/e.py", "import modecollapse.a\n")  # no __init__.py: not part of the package
    mods, edges = tree.import_graph(tmp_path)
    assert set(mods) == {P, f"{P}.a", f"{P}.a._x", f"{P}.b", f"{P}.b.c", f"{P}.b.d"}
    got = {(e.source, e.target, e.top_level) for e in edges}
    assert got == {
        (f"{P}.a", f"{P}.a._x", True),
        (f"{P}.a._x", f"{P}.b", False),
        (f"{P}.b", f"{P}.a._x", True),
        (f"{P}.b.c", f"{P}.b.d", True),
        (f"{P}.b.c", f"{P}.a", True),
    }
    succ = defaultdict(set)
    for e in edges:
        succ[e.source].add(e.target)
    assert tree.find_cycle(sorted(mods), succ) == [f"{P}.a._x", f"{P}.b", f"{P}.a._x"]
    assert tree.strongly_connected(sorted(mods), succ) == [[f"{P}.a._x", f"{P}.b"]]


def test_only_nets_and_train_import_torch_at_module_level():
    # the other layers (data, metrics, experiments, crosscheck, cli) and the other packages import
    # torch inside the functions that need it, so reading results or listing figures needs no torch
    offenders = []
    for name, path in MODULES.items():
        parts = name.split(".")
        if len(parts) > 2 and parts[1] == "gan" and parts[2] in ("nets", "train"):
            continue
        for node in ast.parse(path.read_text()).body:  # module level only
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == "torch" or m.startswith("torch.") for m in mods):
                offenders.append(f"{path.relative_to(tree.ROOT)}:{node.lineno}")
    assert not offenders, f"module-level torch imports outside gan/nets and gan/train: {offenders}"
