"""fig_crosscheck_adagan at tiny settings: exact R* and weights recomputed with divergences."""

import json

import numpy as np
import pytest

from modecollapse import divergences
from modecollapse.figures import fig_crosscheck_adagan as fig

pytestmark = pytest.mark.needs_torch


def test_build_and_numbers(tmp_path, monkeypatch, build_figure):
    from modecollapse.gan.crosscheck import scenario

    monkeypatch.setattr(fig, "N_DATA", 400)
    monkeypatch.setattr(fig, "STEPS", 30)
    build_figure(fig.NAME, tmp_path)
    d = json.loads((tmp_path / f"{fig.NAME}.json").read_text())
    target, model = scenario("ring_adagan")
    star = divergences.adagan_optimal_component(target.weights, model.weights, d["beta"])
    np.testing.assert_allclose(d["mode_mass_star"], star.component, atol=1e-15)
    assert d["lambda_star"] == pytest.approx(star.lam, abs=1e-15)
    wc, we = np.asarray(d["weights_classifier"]), np.asarray(d["weights_exact"])
    assert d["tv_weights"] == pytest.approx(0.5 * np.abs(wc - we).sum(), abs=1e-12)
    assert d["correlation"] == pytest.approx(np.corrcoef(wc, we)[0, 1], abs=1e-12)
    assert wc.sum() == pytest.approx(1.0) and we.sum() == pytest.approx(1.0)
    # every exact weight follows the rule w = (lam - (1-beta) h)_+ / (N beta) with h in {8 v_j}
    levels = np.array(sorted({max(0.0, d["lambda_exact_sample"] - (1 - d["beta"]) * 8 * v) for v in model.weights}))
    got = we * d["n_data"] * d["beta"]
    assert np.all(np.min(np.abs(got[:, None] - levels[None, :]), axis=1) < 1e-9)
