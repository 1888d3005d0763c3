"""fig_variational: builds; its curves are the library's bound, <= D_f, with equality at s = 1."""

import csv
import math

import numpy as np
import pytest

from modecollapse.divergences import f_divergence, variational_lower_bound
from modecollapse.figures.fig_variational import DIVERGENCES, NAME, P, Q, S, witness_family


def test_variational_builds_and_data_match_library(tmp_path, build_figure):
    _, figure = build_figure(NAME, tmp_path)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 10_000
    with open(tmp_path / f"{NAME}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["name"] for r in rows} == set(DIVERGENCES)
    i1 = int(np.argmin(np.abs(S - 1.0)))
    for name in DIVERGENCES:
        sel = [r for r in rows if r["name"] == name]
        s = np.array([float(r["s"]) for r in sel])
        bound = np.array([float(r["bound"]) for r in sel])
        d = float(sel[0]["D_f"])
        np.testing.assert_array_equal(s, S)
        assert d == f_divergence(P, Q, name)
        # recompute a few points independently of the figure's loop
        for j in (0, 37, i1, S.size - 1):
            assert bound[j] == variational_lower_bound(P, Q, witness_family(name, S[j]), name) or (
                math.isinf(bound[j]) and bound[j] < 0)
        assert abs(bound[0]) < 1e-12  # constant witness f'(1): E_P c - f*(c) = f(1) = 0
        assert bound[i1] == pytest.approx(d, rel=1e-12)  # equality at the optimal witness
        assert np.all(bound <= d + 1e-12)  # a lower bound everywhere
        assert np.all(bound[np.abs(S - 1.0) > 0.05] < d - 1e-6)  # strictly below away from the optimum

    # every finite point of every curve lies inside its panel, clear of the edges (regression: the lower
    # limit was the curve's own minimum, so the jensen_shannon and H^2 curves ended on the frame)
    for ax, name in zip(figure.axes, DIVERGENCES):
        assert ax.get_title() == name
        [curve] = [ln for ln in ax.lines if ln.get_label().startswith("$E_P")]
        y = np.asarray(curve.get_ydata(), dtype=float)
        y = y[np.isfinite(y)]
        lo, hi = ax.get_ylim()
        margin = 0.02 * (hi - lo)
        assert lo + margin < y.min() and y.max() < hi - margin, (name, lo, y.min(), y.max(), hi)
