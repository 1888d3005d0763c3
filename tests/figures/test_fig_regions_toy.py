"""fig_regions_toy: builds, and its data file holds the library's regions with the values of docs/theory.md s.3."""

import json

import numpy as np

from modecollapse.figures.fig_regions_toy import NAME
from modecollapse.regions import mode_collapse_region, pacgan_example


def test_regions_toy_builds_and_data_match_library(tmp_path, build_figure, product_region):
    build_figure(NAME, tmp_path)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 10_000
    data = json.loads((tmp_path / f"{NAME}.json").read_text())
    # docs/theory.md s.3 (PacGAN Section 3): TV 0.2 / 0.2 unpacked, 0.36 / 0.24 packed m = 2;
    # apexes (0, 0.2) and (0.3, 0.5) unpacked; packed apexes (0, 0.36) = {first atom in a coordinate}
    # for Q1 and (0.51, 0.75) = Q2^2 / P^2 mass of {(a,a), (a,b), (b,a)} for Q2.
    ref = {
        ("Q1", 1): (0.2, (0.0, 0.2)),
        ("Q2", 1): (0.2, (0.3, 0.5)),
        ("Q1", 2): (0.36, (0.0, 0.36)),
        ("Q2", 2): (0.24, (0.09 + 0.42, 0.75)),
    }
    for (name, m), (tv, apex) in ref.items():
        d = data[f"{name}_m{m}"]
        pair = pacgan_example(name)
        r = product_region(pair.p, pair.q, m)
        np.testing.assert_allclose(d["vertices"], r.vertices, atol=1e-12)  # exact regions, round-off only
        np.testing.assert_allclose([d["tv"], d["packed_tv"]], tv, atol=1e-12)
        np.testing.assert_allclose(d["apex"], apex, atol=1e-12)
        np.testing.assert_allclose(d["area"], r.area, atol=1e-12)
    # same TV, different regions: neither unpacked region contains the other
    r1 = mode_collapse_region(*pacgan_example("Q1"))
    r2 = mode_collapse_region(*pacgan_example("Q2"))
    assert not r1.issubset(r2) and not r2.issubset(r1)
