"""fig_crosscheck_packed_disc at tiny settings: the exact lines come from regions, estimates respect them."""

import json
import math

import pytest

from modecollapse import regions
from modecollapse.figures import fig_crosscheck_packed_disc as fig

pytestmark = pytest.mark.needs_torch


def test_build_and_numbers(tmp_path, monkeypatch, build_figure):
    from modecollapse.gan.crosscheck import ModePartition, scenario

    monkeypatch.setattr(fig, "MS", (1, 2))
    monkeypatch.setattr(fig, "SCALES", ((4, 100), (8, 200)))
    monkeypatch.setattr(fig, "STEPS", 30)
    monkeypatch.setattr(fig, "N_TEST", 2000)
    build_figure(fig.NAME, tmp_path, runs_dir=tmp_path / "runs")
    data = json.loads((tmp_path / f"{fig.NAME}.json").read_text())
    target, gen = scenario("grid20")
    part = ModePartition.from_mixture(target)
    p, q = target.cell_masses(part), gen.cell_masses(part)
    assert len(data["rows"]) == 4
    for r in data["rows"]:
        assert r["exact_lower"] == pytest.approx(regions.packed_tv(p, q, r["m"]), abs=1e-12)
        assert r["exact_upper"] == pytest.approx(1 - 0.8 ** r["m"], abs=1e-12)  # packed TV of the weights
        # one-sided Hoeffding at level 0.999 for a mean of n_test differences in [-1, 1]
        assert r["radius"] == pytest.approx(2 * math.sqrt(math.log(1000) / (2 * r["n_test"])), rel=1e-12)
        assert r["estimate"] <= r["exact_upper"] + r["radius"]
