"""The README: its examples are a doctest, and its quick start is the two commands CI runs."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

FIGURES_CMD = "bash .ci/setup figures && .venv/bin/python -m modecollapse.figures --out figures-out"
TEST_CMD = "bash .ci/setup test && .venv/bin/python -m pytest"


def test_readme_examples_run():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20
    assert result.failed == 0


def test_quick_start_has_exactly_the_two_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)
    commands = [ln.strip() for b in blocks for ln in b.splitlines() if ln.strip()]
    assert commands == [FIGURES_CMD, TEST_CMD]


def test_ci_runs_the_readme_test_command():
    lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert TEST_CMD in lines

