"""fig_blackwell: builds; its garbling is valid and its regions are the library's, nested for every m."""

import json

import numpy as np

from modecollapse.figures.fig_blackwell import MS, NAME, P2, Q2, W0
from modecollapse.regions import GARBLING_ATOL, Region, packed_tv


def test_blackwell_builds_and_data_match_library(tmp_path, build_figure, product_region):
    build_figure(NAME, tmp_path)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 10_000
    data = json.loads((tmp_path / f"{NAME}.json").read_text())
    p, q = np.array(data["p"]), np.array(data["q"])
    np.testing.assert_allclose(p, P2 @ W0, atol=1e-15)
    np.testing.assert_allclose(q, Q2 @ W0, atol=1e-15)
    w = np.array(data["W"])  # the LP's garbling (need not equal W0): check it is one
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1, atol=1e-12)
    np.testing.assert_allclose(P2 @ w, p, atol=GARBLING_ATOL)
    np.testing.assert_allclose(Q2 @ w, q, atol=GARBLING_ATOL)
    tvs = []
    for m in MS:
        rs = data["regions"][str(m)]
        inner, outer = product_region(p, q, m), product_region(P2, Q2, m)
        np.testing.assert_allclose(rs["dominated"]["vertices"], inner.vertices, atol=1e-12)
        np.testing.assert_allclose(rs["dominating"]["vertices"], outer.vertices, atol=1e-12)
        assert rs["nested"] is True
        # the drawn regions are nested (checked on the drawn vertices) and strictly: W loses information
        drawn_in, drawn_out = Region(rs["dominated"]["vertices"]), Region(rs["dominating"]["vertices"])
        assert drawn_in.issubset(drawn_out) and not drawn_out.issubset(drawn_in)
        np.testing.assert_allclose(rs["dominated"]["tv"], packed_tv(p, q, m), atol=1e-12)
        np.testing.assert_allclose(rs["dominating"]["tv"], packed_tv(P2, Q2, m), atol=1e-12)
        assert rs["dominated"]["tv"] < rs["dominating"]["tv"]
        tvs.append(rs["dominated"]["tv"])
    assert np.all(np.diff(tvs) > 0)  # packed TV grows with m
