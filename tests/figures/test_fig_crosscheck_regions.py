"""fig_crosscheck_regions: built from the shipped grid run (seed 0); its numbers recomputed with regions."""

import json

import numpy as np
import pytest

from modecollapse import regions
from modecollapse.figures import fig_crosscheck_regions as fig


def test_build_and_numbers(tmp_path, build_figure):
    from modecollapse.gan.experiments.shipped import load_shipped

    logs = []
    _, figure = build_figure(fig.NAME, tmp_path, log=logs.append)
    assert (tmp_path / f"{fig.NAME}.png").is_file()
    assert not any("training" in s for s in logs) and not (tmp_path / "_runs").exists()
    data = json.loads((tmp_path / f"{fig.NAME}.json").read_text())
    assert data["source"] == "shipped models" and data["steps"] == 12_000 and data["run"] == "grid-cpu"
    assert data["members"] == [[1, 0], [2, 0], [3, 0], [4, 0]]
    assert set(data["pairs"]) == {"synthetic 20/25", "GAN", "PacGAN2", "PacGAN3", "PacGAN4"}
    # the generators' cells are the 3-std discs of the HQ rule: their masses are the HQ counts the run
    # stored at training time (metrics of seed 0) over its 2,500 samples, "elsewhere" the rest
    run = load_shipped("grid", ms=(1, 2, 3, 4), seeds=(0,))
    for (m, _s), met in zip(run.members, run.metrics):
        q = np.asarray(data["pairs"]["GAN" if m == 1 else f"PacGAN{m}"]["q_hat"])
        assert q.shape == (26,)
        np.testing.assert_allclose(np.sort(q[:25] * met.n_samples), np.sort(met.counts), atol=1e-9)
        assert q[25] == pytest.approx(1 - met.hq_fraction, abs=1e-12)
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
    # the shipped PacGAN2 and PacGAN3 (22 and 24 of 25 modes) are closer to the target than the GAN (14);
    # PacGAN4 seed 0 is a diffuse cloud (9% high quality), so most of its mass is "elsewhere"
    tv = {name: data["pairs"][name]["tv"] for name in ("GAN", "PacGAN2", "PacGAN3", "PacGAN4")}
    assert tv["PacGAN3"] < tv["PacGAN2"] < tv["GAN"] < tv["PacGAN4"], tv

    # the left panel magnifies eps ~ 0 in an inset drawing every region again (regression: the
    # strongly collapsed regions rise within a few hundredths of eps = 0 and could not be told apart)
    left = figure.axes[0]
    [inset] = left.child_axes
    assert len(inset.lines) == len(data["pairs"])
    assert 0 < inset.get_xlim()[1] <= 0.5 and inset.get_xlim()[1] < left.get_xlim()[1]
    # one legend, with each pair's tau, beside the band panel
    labels = [t.get_text() for t in figure.axes[1].get_legend().get_texts()]
    assert labels == [f"{name} (tau={d['tv']:.2f})" for name, d in data["pairs"].items()]
    assert "shipped models, 12,000 steps, seed 0" in figure.axes[1].get_title()


def test_a_run_with_two_seeds_per_m_is_refused():
    from modecollapse.gan.experiments.shipped import load_shipped

    with pytest.raises(ValueError, match="one member per packing degree"):
        fig.compute(load_shipped("grid"))


def test_zoom_width_follows_the_trained_regions():
    # regions reaching delta = 0.9 at eps = 0.01, 0.02, 0.03: 2.5 x the median 0.02
    pairs = {"synthetic 20/25": {"region_vertices": [[0, 0], [0.5, 0.95], [1, 1]]}}
    for i, e in enumerate((0.01, 0.02, 0.03)):
        pairs[f"m{i}"] = {"region_vertices": [[0, 0], [e / 2, 0.5], [e, 0.9], [1, 1]]}
    assert fig._zoom_width(pairs) == pytest.approx(0.05, rel=1e-12)
    assert fig._zoom_width({"GAN": {"region_vertices": [[0, 0], [1, 1]]}}) == 0.5  # clipped: no collapse
    assert fig._zoom_width({"synthetic 20/25": pairs["synthetic 20/25"]}) == 0.1  # no trained generator
