"""The package's source tree as the packaging tests see it: which folders are packages, which
file is which module, and what each module imports (read with :mod:`ast`, nothing is imported).

The repository root *is* the import package ``modecollapse`` (``pyproject.toml`` maps it to
``.``): a folder is a sub-package when it and every folder above it, up to the root, hold an
``__init__.py``. ``tests/`` and ``benchmarks/`` have none, so they are not part of the package.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "modecollapse"


def package_dirs(root: Path = ROOT) -> dict[str, Path]:
    """Dotted package name -> folder, for every folder reachable as a package from ``root``."""
    found: dict[str, Path] = {}

    def walk(folder: Path, name: str) -> None:
        found[name] = folder
        for child in sorted(folder.iterdir()):
            if (
                child.is_dir()
                and not child.name.startswith((".", "_"))
                and child.name.isidentifier()
                and (child / "__init__.py").is_file()
            ):
                walk(child, f"{name}.{child.name}")

    if (root / "__init__.py").is_file():
        walk(root, PACKAGE)
    return found


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of every package (``__init__`` files are
    named by their package)."""
    out: dict[str, Path] = {}
    for pkg, folder in package_dirs(root).items():
        for f in sorted(folder.glob("*.py")):
            out[pkg if f.stem == "__init__" else f"{pkg}.{f.stem}"] = f
    return out


class Import(NamedTuple):
    """One import statement of ``source``, resolved to the module it loads."""

    source: str
    target: str
    line: int
    top_level: bool  # False inside a function/method (a lazy import)


def _resolve_from(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module named by ``from <level dots><name> import ...`` inside ``module``."""
    if level == 0:
        return name or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    return f"{base}.{name}" if name else base


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    """Every import of the package's own modules in ``path``, at any depth.

    ``import a.b.c`` and ``from a.b import c`` load ``a.b.c`` when that is a module of the
    package, else the face ``a.b``; relative imports are resolved against ``module``;
    ``importlib.import_module("a.b")`` with a literal string counts too. Parent packages that
    Python initialises on the way are not edges (every face would otherwise "cycle" with its own
    sub-modules).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[Import] = []
    lazy: set[int] = set()  # ids of the nodes inside a function body
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            lazy.update(id(sub) for sub in ast.walk(node) if sub is not node)

    def add(target: str, node: ast.AST) -> None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target.split(".")[0] == PACKAGE:
            out.append(Import(module, target, node.lineno, id(node) not in lazy))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node.level, node.module)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                add(full if full in known else base, node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and not node.args[0].value.startswith(".")
        ):
            add(node.args[0].value, node)
    return out


def import_graph(root: Path = ROOT) -> tuple[dict[str, Path], list[Import]]:
    """All modules of the package and all their imports of one another (no self-edges)."""
    mods = modules(root)
    known = set(mods)
    edges = [e for m, p in mods.items() for e in imports_of(m, p, known) if e.target != m]
    return mods, edges


def find_cycle(nodes: list[str], succ: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as ``[a, b, ..., a]``, or ``None`` (iterative DFS)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    for start in nodes:
        if colour[start] != white:
            continue
        stack = [(start, iter(sorted(succ.get(start, ()))))]
        path = [start]
        colour[start] = grey
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = black
                stack.pop()
                path.pop()
            elif colour.get(nxt, black) == grey:
                return path[path.index(nxt):] + [nxt]
            elif colour.get(nxt) == white:
                colour[nxt] = grey
                stack.append((nxt, iter(sorted(succ.get(nxt, ())))))
                path.append(nxt)
    return None


def strongly_connected(nodes: list[str], succ: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (each an import tangle), by
    Kosaraju's two passes (iterative, so deep graphs cannot hit the recursion limit)."""
    order: list[str] = []
    seen: set[str] = set()
    for start in nodes:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(succ.get(start, ()))))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                order.append(node)
                stack.pop()
            elif nxt not in seen and nxt in succ.keys() | set(nodes):
                seen.add(nxt)
                stack.append((nxt, iter(sorted(succ.get(nxt, ())))))
    pred: dict[str, set[str]] = {}
    for a, bs in succ.items():
        for b in bs:
            pred.setdefault(b, set()).add(a)
    comps: list[list[str]] = []
    assigned: set[str] = set()
    for start in reversed(order):
        if start in assigned:
            continue
        comp, todo = [], [start]
        assigned.add(start)
        while todo:
            node = todo.pop()
            comp.append(node)
            for p in pred.get(node, ()):
                if p not in assigned:
                    assigned.add(p)
                    todo.append(p)
        if len(comp) > 1:
            comps.append(sorted(comp))
    return sorted(comps)
