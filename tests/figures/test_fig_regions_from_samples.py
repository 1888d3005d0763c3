"""fig_regions_from_samples: builds fast, and its data file holds certified regions that enclose the exact ones."""

import json
import math

import numpy as np

from modecollapse.figures.fig_regions_from_samples import MU, N_COUNTS, NAME, compute, mode_pair
from modecollapse.regions import Region, gaussian_region, packed_region


def test_regions_from_samples_builds_and_data_are_certified(tmp_path, build_figure, product_region):
    build_figure(NAME, tmp_path)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 10_000
    data = json.loads((tmp_path / f"{NAME}.json").read_text())
    exact = gaussian_region(MU, 0.0)
    # d_TV(N(1,1), N(0,1)) = 2 Phi(1/2) - 1 = 0.3829 (docs/theory.md s.3)
    assert math.isclose(data["exact_tv"], 0.38292492254802624, rel_tol=1e-12)
    for n, d in data["scores"].items():
        inner = Region(d["inner"])
        # one-sided Massart radius at alpha/2 = 0.025: sqrt(log 40 / (2n))
        assert math.isclose(d["radius"], math.sqrt(math.log(40) / (2 * int(n))), rel_tol=1e-12)
        assert d["inner_inside_exact"] and inner.issubset(exact)
        assert 0.0 < d["tv_lower"] <= data["exact_tv"]
        np.testing.assert_allclose(d["inner_tradeoff"], 1 - inner.delta_at(np.asarray(data["grid"])), atol=1e-12)
    p, q = mode_pair()
    for m, d in data["counts"].items():
        ex = product_region(p, q, int(m))  # enumerated k^m product atoms, independent of the packing code
        assert Region(d["exact"]).isclose(ex, atol=1e-12)
        assert Region(d["inner"]).issubset(ex) and ex.issubset(Region(d["outer"]))
        # a generator missing 2 of 8 equal modes: d_TV(P^m, Q^m) = 1 - (3/4)^m
        assert math.isclose(d["tv"], 1 - 0.75 ** int(m), abs_tol=1e-12)
        assert d["tv_lower"] <= d["tv"] <= d["tv_upper"]


def test_compute_is_seeded_and_uses_the_stated_sizes():
    a, b = compute(3), compute(3)
    assert a["counts"]["1"]["inner"].tolist() == b["counts"]["1"]["inner"].tolist()
    assert packed_region(*mode_pair(), 2).region.isclose(Region(a["counts"]["2"]["exact"]))
    assert N_COUNTS == 2_000
