"""fig_regions_trained: builds from its package data file alone, and that file's numbers are certified bounds.

The data file (``figures/data/regions_trained.json``) is written by ``benchmarks/regions_trained.py``
from trained runs; these tests check it against facts the numbers must obey whatever the runs
were: the stored regions' own d_TV, inner-inside-outer, the packing inequalities of the exact
packed TV, the union-bound rate of the cell-function test, and (in a source checkout) that it is
exactly the subset of the committed benchmark record the script writes.
"""

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

from modecollapse.figures.fig_regions_trained import DATASETS, NAME, load_data, summarise

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data():
    return load_data()


def test_builds_from_the_package_data(tmp_path, build_figure, data):
    built = build_figure(NAME, tmp_path)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 20_000
    shown = [n for n in DATASETS if n in data["datasets"]]
    assert len(built.figure.axes) == 2 * len(shown)
    summary = json.loads((tmp_path / f"{NAME}.json").read_text())["summary"]
    assert summary == json.loads(json.dumps(summarise(data)))
    for name in shown:
        assert summary[name]["1"]["ordered"] and summary[name]["2"]["ordered"]
        for r in summary[name]["seed0_regions"].values():
            assert r["inner_in_outer"]


@pytest.mark.no_matplotlib
def test_stored_regions_match_their_numbers(data):
    """The rounded vertices give back the stored d_TV values (rounding to 1e-4 moves TV by < 2e-4)."""
    from modecollapse.regions import Region

    assert set(data["datasets"]) <= set(DATASETS) and "ring" in data["datasets"] and "grid" in data["datasets"]
    for name, d in data["datasets"].items():
        seen0 = 0
        for r in d["members"]:
            if "regions" not in r:
                continue
            seen0 += 1
            reg = {k: Region.hull(np.asarray(v)) for k, v in r["regions"].items()}  # hull: the stored vertices are rounded
            assert math.isclose(reg["classifier_inner"].tv, r["1"]["classifier_tv_lower"], abs_tol=2e-4), (name, r)
            assert math.isclose(reg["partition_inner"].tv, r["1"]["partition_tv"][0], abs_tol=2e-4), (name, r)
            assert math.isclose(reg["partition_outer"].tv, r["1"]["partition_tv"][2], abs_tol=2e-4), (name, r)
            assert reg["partition_inner"].issubset(reg["partition_outer"], atol=1e-3)
        assert seen0 == len({r["m_gan"] for r in d["members"]}), name  # one seed-0 row per model


@pytest.mark.no_matplotlib
def test_partition_bounds_obey_packing_inequalities(data):
    """The partition's estimate is the exact TV of the empirical pair and of its square, so
    ``tau <= d_TV(P^2, Q^2) <= 1 - (1 - tau)^2`` (PacGAN Theorem 3's upper bound) hold exactly."""
    for name, d in data["datasets"].items():
        for r in d["members"]:
            lo1, t1, hi1 = r["1"]["partition_tv"]
            lo2, t2, hi2 = r["2"]["partition_tv"]
            assert 0.0 <= lo1 <= t1 <= hi1 <= 1.0 and 0.0 <= lo2 <= t2 <= hi2 <= 1.0
            assert t1 - 1e-9 <= t2 <= 1 - (1 - t1) ** 2 + 1e-9, (name, r["label"], r["seed"], t1, t2)
            for m in ("1", "2"):
                assert 0.0 <= r[m]["classifier_tv_lower"] <= 1.0 and 0.0 <= r[m]["cell_tv_lower"] <= 1.0


@pytest.mark.no_matplotlib
def test_cell_function_test_stays_under_the_partition_upper_bound(data):
    """A test that is a function of the cell is a test of the discretised pair, so its certified
    d_TV lower bound exceeds the partition's upper bound with probability <= 2 (1 - confidence)
    per row; over all rows a binomial count far above that rate would be a bug."""
    from scipy.stats import binom

    alpha2 = 2 * (1 - data["confidence"])
    rows = [(r["1"], r["2"]) for d in data["datasets"].values() for r in d["members"]]
    n = 2 * len(rows)
    bad = sum(x["cell_tv_lower"] > x["partition_tv"][2] + 1e-12 for pair in rows for x in pair)
    assert binom.sf(bad - 1, n, alpha2) > 1e-3, (bad, n)


@pytest.mark.no_matplotlib
def test_is_the_subset_of_the_committed_benchmark_record(data):
    """In a source checkout: the data file is exactly what ``benchmarks/regions_trained.py`` derives
    from ``benchmarks/results/regions_trained.json`` (so the figure draws the committed results)."""
    script = ROOT / "benchmarks" / "regions_trained.py"
    record = ROOT / "benchmarks" / "results" / "regions_trained.json"
    if not (script.is_file() and record.is_file()):
        pytest.skip("not a source checkout (no benchmarks/ folder)")
    spec = importlib.util.spec_from_file_location("_regions_trained_bench", script)
    mod = importlib.util.module_from_spec(spec)
    import sys

    sys.path.insert(0, str(script.parent))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(script.parent))
    doc = json.loads(record.read_text())
    assert json.loads(json.dumps(mod.figure_data(doc))) == data
    for name, d in doc["datasets"].items():
        for mem in d["members"]:
            for m in ("1", "2"):
                r = mem["regions"][m]
                # the classifier's band: one-sided Massart radius at alpha/2 on the held-out packs
                n_p, n_q = r["classifier"]["n_test_packs"]
                a = (1 - data["confidence"]) / 2
                assert math.isclose(r["classifier"]["radius_p"], math.sqrt(-math.log(a) / (2 * n_p)), rel_tol=1e-12)
                assert math.isclose(r["classifier"]["radius_q"], math.sqrt(-math.log(a) / (2 * n_q)), rel_tol=1e-12)
                assert r["classifier"]["tv_lower"] <= r["classifier"]["tv_estimate"] + 1e-12
                if r["classifier_inside_outer"]:  # issubset allows REGION_ATOL; the excess is the exact overshoot
                    assert r["classifier_excess"] < 1e-6
                assert r["cell_score"]["inside_outer"] == (r["cell_score"]["excess"] < 1e-6) or \
                    abs(r["cell_score"]["excess"]) < 1e-6
