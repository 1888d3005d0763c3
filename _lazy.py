"""Lazy package faces (PEP 562): a public name is imported from its submodule on first access.

Used by the faces whose names need torch (``modecollapse.gan``, ``modecollapse.gan.train``): the
face itself imports nothing heavy, so the torch-free parts stay usable without torch. This module
imports nothing of the package and may be imported from anywhere in it.
"""

from __future__ import annotations

import importlib
import sys


def lazy_face(package: str, names: dict[str, str]):
    """``(__getattr__, __dir__)`` for the face ``package`` whose ``names`` map to submodules.

    ``names[name]`` is the submodule (relative to ``package``) that defines ``name``. The first
    access imports it and caches the value in the face, so later accesses are plain lookups; an
    unknown name raises ``AttributeError`` as for any module.
    """

    def __getattr__(name: str):
        sub = names.get(name)
        if sub is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{sub}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
