"""fig_crosscheck_regions: built with a tiny fallback run; its numbers recomputed with regions."""

import json

import numpy as np
import pytest

from modecollapse import regions
from modecollapse.figures import fig_crosscheck_regions as fig

pytestmark = pytest.mark.needs_torch


def test_build_and_numbers(tmp_path, monkeypatch, build_figure):
    monkeypatch.setattr(fig, "TINY_STEPS", 5)  # the fallback run only has to exist; its quality is irrelevant here
    _, figure = build_figure(fig.NAME, tmp_path, runs_dir=tmp_path / "runs")
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

    # the left panel magnifies eps ~ 0 in an inset drawing every region again (regression: the
    # strongly collapsed regions rise within a few hundredths of eps = 0 and could not be told apart)
    left = figure.axes[0]
    [inset] = left.child_axes
    assert len(inset.lines) == len(data["pairs"])
    assert 0 < inset.get_xlim()[1] <= 0.5 and inset.get_xlim()[1] < left.get_xlim()[1]
    # one legend, with each pair's tau, beside the band panel
    labels = [t.get_text() for t in figure.axes[1].get_legend().get_texts()]
    assert labels == [f"{name} (tau={d['tv']:.2f})" for name, d in data["pairs"].items()]


def test_zoom_width_follows_the_trained_regions():
    # regions reaching delta = 0.9 at eps = 0.01, 0.02, 0.03: 2.5 x the median 0.02
    pairs = {"synthetic 20/25": {"region_vertices": [[0, 0], [0.5, 0.95], [1, 1]]}}
    for i, e in enumerate((0.01, 0.02, 0.03)):
        pairs[f"m{i}"] = {"region_vertices": [[0, 0], [e / 2, 0.5], [e, 0.9], [1, 1]]}
    assert fig._zoom_width(pairs) == pytest.approx(0.05, rel=1e-12)
    assert fig._zoom_width({"GAN": {"region_vertices": [[0, 0], [1, 1]]}}) == 0.5  # clipped: no collapse
    assert fig._zoom_width({"synthetic 20/25": pairs["synthetic 20/25"]}) == 0.1  # no trained generator
