"""What the benchmark scripts record about where a result came from, and how they write it.

Shared by the scripts in ``benchmarks/`` (run as ``python benchmarks/NAME.py``, so this folder is
first on ``sys.path`` and ``import _provenance`` finds this file).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

#: The repository root (the package root).
ROOT = Path(__file__).resolve().parents[1]

#: The library's source folders: a tracked change under them means the code differed from the commit.
LIBRARY = ("gan", "divergences", "regions")


def git(*args) -> str | None:
    """``git ARGS`` in the repository, stripped stdout; None where git or the repository is missing."""
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def library_commit() -> dict:
    """``{"commit", "library_modified"}``: HEAD, and whether the library's tracked files differed from it."""
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", *LIBRARY)
    return {"commit": git("rev-parse", "HEAD"), "library_modified": None if dirty is None else bool(dirty)}


def write_json(path, doc, **dumps) -> Path:
    """Write ``doc`` as JSON (``json.dumps(doc, indent=1, **dumps)`` and a newline) atomically:
    into a sibling temporary file, then renamed over ``path`` (parents created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, **dumps) + "\n")
    os.replace(tmp, path)
    return path
