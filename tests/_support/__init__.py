"""Shared test helpers: independent oracles (``oracles``) and hypothesis strategies (``strategies``).

Importable from any test as ``from _support import oracles`` (``pythonpath = ["tests"]`` in
``pyproject.toml``). Nothing here is part of the package: an oracle is a second, independent
implementation that the package's own code is checked against.
"""
