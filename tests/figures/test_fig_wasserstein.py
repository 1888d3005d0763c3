"""fig_wasserstein: builds; primal = dual on its random instances; the 1-D example by hand."""

import csv
import json

import numpy as np
import pytest

from modecollapse.divergences import wasserstein1, wasserstein1_dual
from modecollapse.figures.fig_wasserstein import N_INSTANCES, NAME, example_1d, random_instances


def test_wasserstein_builds_and_data_match_library(tmp_path, build_figure, text_over_lines):
    _, figure = build_figure(NAME, tmp_path, seed=0)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 10_000
    with open(tmp_path / f"{NAME}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == N_INSTANCES
    primal = np.array([float(r["primal"]) for r in rows])
    dual = np.array([float(r["dual"]) for r in rows])
    np.testing.assert_allclose(dual, primal, rtol=1e-8, atol=1e-9)  # strong duality (HiGHS tolerances 1e-10)
    # recompute two instances with the library, including the 1-D closed form where d = 1
    inst = random_instances(0)
    for i in (0, 4):
        x, y, a, b, d = inst[i]
        assert int(rows[i]["d"]) == d
        assert float(rows[i]["primal"]) == pytest.approx(wasserstein1(x, y, a, b), rel=1e-8)
    ex = json.loads((tmp_path / f"{NAME}_1d.json").read_text())
    x, y, a, b = example_1d()
    # by hand: |F_P - F_Q| = .2,.3,0,.3,.05,.2 on the gaps .7,.6,.8,.4,.6,.4 -> 0.55
    assert ex["w1_sorted"] == pytest.approx(0.55, rel=1e-12)
    assert ex["w1_dual"] == pytest.approx(0.55, rel=1e-12)
    r = wasserstein1_dual(x, y, a, b)
    np.testing.assert_allclose(ex["potential"], r.potential, rtol=0, atol=0)
    assert r.check().ok

    # no text or legend sits on a drawn line (regression: panel (c)'s value lay across the support
    # lines, panel (b)'s legend entry "area = W1 = ..." across a CDF step)
    for ax in figure.axes:
        assert text_over_lines(ax) == [], ax.get_title()
    assert f"{ex['w1_sorted']:.3f}" in figure.axes[1].get_title()
    assert f"{ex['w1_dual']:.3f}" in figure.axes[2].get_title()
