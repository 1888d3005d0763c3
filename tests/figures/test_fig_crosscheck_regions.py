"""fig_crosscheck_regions: built with a tiny fallback run; its numbers recomputed with regions."""

import json

import numpy as np
import pytest

from modecollapse import regions
from modecollapse.figures import fig_crosscheck_regions as fig

pytestmark = pytest.mark.needs_torch


def test_build_and_numbers(tmp_path, monkeypatch, build_figure):
    monkeypatch.setattr(fig, "TINY_STEPS", 5)  # the fallback run only has to exist; its quality is irrelevant here
    build_figure(fig.NAME, tmp_path, runs_dir=tmp_path / "runs")
    assert (tmp_path / f"{fig.NAME}.png").is_file()
    data = json.loads((tmp_path / f"{fig.NAME}.json").read_text())
    assert data["reused_run"] is False and data["steps"] == 5
    assert set(data["pairs"]) == {"synthetic 20/25", "GAN", "PacGAN2", "PacGAN3", "PacGAN4"}
    for name, d in data["pairs"].items():
        p, q = np.asarray(d["p_hat"]), np.asarray(d["q_hat"])
        r = regions.mode_collapse_region(p, q)
        np.testing.assert_allclose(d["region_vertices"], r.vertices, atol=1e-15)
        assert d["tv"] == pytest.approx(r.tv, abs=1e-15)
        for c in d["packed"]:
            m = c["m"]
            assert c["packed_tv"] == pytest.approx(regions.packed_tv(p, q, m), abs=1e-12)
            assert c["upper"] == pytest.approx(regions.packed_tv_max(d["tv"], m).value, abs=1e-12)
            assert c["lower_L"] == pytest.approx(regions.packed_tv_min(d["tv"], m).value, abs=1e-12)
            assert c["lower_L"] - 1e-9 <= c["packed_tv"] <= c["upper"] + 1e-9 and c["ok"]
            assert c["lower_L"] - 1e-9 <= c["lower_L1"] <= c["packed_tv"] + 1e-9  # the drawn bar [L1, 1] holds the dot
    # the synthetic generator's packed TV is 1 - (1 - tau)^m (hand computation in test_crosscheck_regions)
    syn = data["pairs"]["synthetic 20/25"]
    assert [c["packed_tv"] for c in syn["packed"]] == pytest.approx([1 - (1 - syn["tv"]) ** m for m in (1, 2, 3, 4)], rel=1e-12)
