"""The ``smoke`` run of each run kind reproduces its committed numbers bit-for-bit.

``benchmarks/regen_smoke.py`` defines the three runs (toy GAN ensemble, AdaGAN coverage, stacked
MNIST) and wrote ``tests/gan/data/smoke_<kind>.json``; here each is run again on the CPU with one
torch thread and compared value by value (floats with ``==``). A code change that moves any
result fails here instead of leaving the README's tables stale: regenerate the files with
``python benchmarks/regen_smoke.py`` when the change is meant to move results, and rerun the
README's commands. Skipped, with the reason, on another torch build or CPU instruction set (bit-
for-bit float results are not portable across them).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location("_regen_smoke", ROOT / "benchmarks" / "regen_smoke.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


regen = _load()


def _committed(kind: str) -> dict:
    path = regen.path_of(kind)
    doc = json.loads(path.read_text())
    assert doc["format"] == regen.FORMAT and doc["kind"] == kind
    here = regen.machine()
    if doc["machine"]["torch"] != here["torch"] or doc["machine"]["cpu_capability"] != here["cpu_capability"]:
        pytest.skip(f"{path.name} was made with torch {doc['machine']['torch']} on a {doc['machine']['cpu_capability']}"
                    f" CPU; this is torch {here['torch']} on {here['cpu_capability']}: floats differ bit-wise across "
                    f"builds and instruction sets, so there is nothing to compare (regenerate with "
                    f"`{doc['regenerate']}` on this machine to pin it here)")
    return doc


@pytest.mark.parametrize("kind", ["gan", "adagan", "stacked"])
def test_smoke_run_reproduces_the_committed_numbers(kind, tmp_path):
    doc = _committed(kind)
    now = regen.record(kind, tmp_path / kind)
    diff = regen.first_difference(doc["record"], now)
    assert diff is None, (f"the {kind} smoke run no longer gives the committed numbers ({diff}); if the change is "
                          f"meant to move results, run `{doc['regenerate']}`, commit the file, and regenerate the "
                          f"README's results")


def test_the_records_hold_the_numbers_that_matter():
    # what is pinned: every member's metrics and the samples' checksum, every run's coverage, every
    # stacked run's modes and KL (a record of nothing would pass the comparison trivially)
    docs = {kind: json.loads(regen.path_of(kind).read_text()) for kind in ("gan", "adagan", "stacked")}
    gan = docs["gan"]["record"]
    assert len(gan["members"]) == 4 and {"modes", "hq_percent", "reverse_kl", "counts"} <= set(gan["members"][0])
    assert len(gan["samples_sha256"]) == 64 and docs["gan"]["settings"]["preset"] == "smoke"
    ada = docs["adagan"]["record"]
    assert len(ada["runs"]) >= 4 and all(r["coverage"] for r in ada["runs"]) and set(ada["summary"])
    st = docs["stacked"]["record"]
    assert [r["m"] for r in st["runs"]] == [1, 2] and all("modes" in r and "kl" in r for r in st["runs"])
    assert docs["stacked"]["settings"]["steps"] == regen.STACKED_SMOKE["steps"]


def test_the_comparison_sees_a_one_ulp_change():
    import math

    rec = json.loads(regen.path_of("adagan").read_text())["record"]
    moved = copy.deepcopy(rec)
    c = moved["runs"][0]["coverage"]["1"]
    c[0] = math.nextafter(c[0], 2.0)
    assert regen.first_difference(rec, rec) is None
    assert regen.first_difference(rec, moved).startswith(".runs[0].coverage.1[0]:")
    assert regen.first_difference({"a": 1}, {"a": 1.0}) is not None  # 1 and 1.0 are different records
    assert regen.first_difference({"a": float("nan")}, {"a": float("nan")}) is None
