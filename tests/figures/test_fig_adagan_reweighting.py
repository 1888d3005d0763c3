"""fig_adagan_reweighting: the drawn numbers are the library's (recomputed here independently)."""

import csv
import json
import math

import numpy as np
import pytest

from modecollapse.divergences import adagan_finite_steps, adagan_optimal_component, f_divergence
from modecollapse.figures import fig_adagan_reweighting as fig


@pytest.fixture(scope="module")
def built(tmp_path_factory, build_figure):
    out = tmp_path_factory.mktemp("fig")
    return build_figure(fig.NAME, out), out


def test_files_written(built):
    (files, _), out = built
    names = {p.name for p in files}
    assert {f"{fig.NAME}.png", f"{fig.NAME}.csv", f"{fig.NAME}.json"} <= names


def test_components_match_the_library(built):
    _, out = built
    with open(out / f"{fig.NAME}.csv") as fh:
        rows = list(csv.DictReader(fh))
    col = {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}
    x, dx, pd, pg = fig.problem()
    np.testing.assert_allclose(col["x"], x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(col["p_data"] * dx, pd, rtol=1e-12, atol=0)
    meta = json.loads((out / f"{fig.NAME}.json").read_text())
    for b in fig.BETAS:
        r = col[f"R_star_{b}"] * dx
        assert r.sum() == pytest.approx(1.0, abs=1e-12)
        # R* = (lam p_d - (1-beta) p_g)_+ / beta with lam from the JSON; mixture = max((1-b)p_g, lam p_d)
        lam = meta["lambda_star"][str(b)]
        assert b <= lam <= 1.0
        np.testing.assert_allclose(r, np.maximum(lam * pd - (1 - b) * pg, 0) / b, atol=1e-12)
        np.testing.assert_allclose(col[f"mixture_{b}"] * dx, np.maximum((1 - b) * pg, lam * pd), atol=1e-12)
        assert lam == pytest.approx(adagan_optimal_component(pd, pg, b).lam, abs=1e-15)


def test_iterates_and_bound(built):
    _, out = built
    meta = json.loads((out / f"{fig.NAME}.json").read_text())
    x, dx, pd, pg = fig.problem()
    beta = meta["iterate_beta"]
    # recompute the iterates by hand: P_{t+1} = max((1-beta) P_t, lam_t P_d)
    model = pg.copy()
    for t in range(fig.ITER_T + 1):
        for name in fig.DIVERGENCES:
            cur = meta["divergences"][name]
            assert cur["value"][t] == pytest.approx(f_divergence(model, pd, name), rel=1e-9, abs=1e-14)
            assert cur["bound"][t] == pytest.approx((1 - beta) ** t * cur["value"][0], rel=1e-12)
            assert cur["value"][t] <= cur["bound"][t] * (1 + 1e-12)  # AdaGAN: (1-beta)^t contraction
        lam = meta["iterate_lambdas"][t] if t < fig.ITER_T else None
        if lam is not None:
            model = np.maximum((1 - beta) * model, lam * pd)
            model /= model.sum()
    # the finite-step count printed in the panel
    m = float(np.max(pg / pd))
    assert meta["ess_sup"] == pytest.approx(m, rel=1e-12)
    assert meta["finite_steps"] == math.ceil(math.log(m) / -math.log1p(-beta)) == adagan_finite_steps(ess_sup=m, beta=beta)


def test_every_divergence_series_stays_visible(built):
    # regression: all five series were filled dots at the same t, and after t = 0 the reverse-KL dots
    # sat under the H^2 and TV ones; now each has its own open marker and its own sideways offset
    (_, figure), _ = built
    ax = figure.axes[2]
    series = [ln for ln in ax.lines if ln.get_label() in set(fig.LABELS.values())]
    assert [ln.get_label() for ln in series] == [fig.LABELS[n] for n in fig.DIVERGENCES]
    assert len({ln.get_marker() for ln in series}) == len(series)
    assert all(ln.get_markerfacecolor() == "none" for ln in series)
    xs = np.array([ln.get_xdata() for ln in series])  # (series, t)
    for t in range(1, fig.ITER_T + 1):
        col = np.sort(xs[:, t])
        assert np.all(np.diff(col) > 0.1) and np.all(np.abs(col - t) < 0.5), col
