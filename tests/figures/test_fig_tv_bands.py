"""fig_tv_bands: the drawn bands and dots are the library's numbers (recomputed here)."""

import csv
import itertools
import json

import numpy as np
import pytest

from modecollapse.figures import fig_tv_bands as fig
from modecollapse.regions import packed_tv_max, packed_tv_min


@pytest.fixture(scope="module")
def built(tmp_path_factory, build_figure):
    out = tmp_path_factory.mktemp("fig")
    return out, build_figure(fig.NAME, out).files


def _enum_packed_tv(p, q, m):
    """d_TV(P^m, Q^m) by listing all k^m sequences (independent of the library's type classes)."""
    return 0.5 * sum(abs(np.prod(p[list(s)]) - np.prod(q[list(s)])) for s in itertools.product(range(p.size), repeat=m))


def test_files_written(built):
    out, files = built
    assert {f"{fig.NAME}.png", f"{fig.NAME}.csv", f"{fig.NAME}.json"} <= {p.name for p in files}


def test_bands_match_library(built):
    out, _ = built
    with open(out / f"{fig.NAME}.csv") as fh:
        rows = list(csv.DictReader(fh))
    col = {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}
    assert col["tau"].size == fig.N_TAU
    for i in range(0, fig.N_TAU, 6):
        t = col["tau"][i]
        for m in fig.MS:
            assert col[f"L_m{m}"][i] == pytest.approx(packed_tv_min(t, m).value, abs=1e-15)  # same call
            assert col[f"U_m{m}"][i] == pytest.approx(1 - (1 - t) ** m, abs=1e-14)  # closed form
    # the band is non-empty and ordered, and m = 1 collapses to the diagonal
    for m in fig.MS:
        assert np.all(col[f"L_m{m}"] <= col[f"U_m{m}"] + 1e-15)
    np.testing.assert_allclose(col["L_m1"], col["tau"], atol=1e-15)
    np.testing.assert_allclose(col["U_m1"], col["tau"], atol=1e-15)


def test_random_pairs_inside_band(built):
    out, _ = built
    meta = json.loads((out / f"{fig.NAME}.json").read_text())
    pairs = fig.random_pairs(meta["seed"])
    assert len(meta["pairs"]) == len(pairs) == fig.N_PAIRS
    for (p, q), row in zip(pairs, meta["pairs"]):
        tau = 0.5 * float(np.abs(p - q).sum())
        assert row["tau"] == pytest.approx(tau, abs=1e-15)
        for m in fig.MS:
            v = row[f"m{m}"]
            assert packed_tv_min(tau, m).value - 1e-12 <= v <= packed_tv_max(tau, m).value + 1e-12
    # spot-check the drawn packed values against brute-force enumeration (independent oracle)
    for (p, q), row in list(zip(pairs, meta["pairs"]))[:15]:
        for m in (2, 3):
            assert row[f"m{m}"] == pytest.approx(_enum_packed_tv(p, q, m), abs=1e-12)
