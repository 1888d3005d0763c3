"""AdaGAN beta schedules (docs/theory.md s.5; AdaGAN arXiv 1701.02386, Section 3 and Table 1).

TopKLast is checked against its definition (count the zero weights of ``adagan_weights`` at the
returned beta) and against a brentq solve of ``lambda*(beta) = (1 - beta) h_(k+1)``.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from modecollapse.divergences import (
    BoostedBeta,
    ConstantBeta,
    EnsembleBeta,
    TopKLastBeta,
    adagan_mixture_weights,
    adagan_weights,
    beta_schedule,
    topklast_beta,
)


def test_simple_schedules():
    assert [ConstantBeta(0.3).beta(t) for t in (1, 2, 7)] == [1.0, 0.3, 0.3]
    assert [BoostedBeta().beta(t) for t in (1, 2, 4)] == [1.0, 0.5, 0.25]
    assert [EnsembleBeta().beta(t) for t in (1, 3)] == [1.0, 1 / 3]
    assert EnsembleBeta().reweights_data is False and BoostedBeta().reweights_data is True
    # beta_t = 1/t mixes T components with equal weights 1/T (the "Boosted"/"Ensemble" rows)
    T = 10
    np.testing.assert_allclose(adagan_mixture_weights([BoostedBeta().beta(t) for t in range(1, T + 1)]), 1 / T, rtol=1e-14)
    # constant beta: alpha_i = beta (1-beta)^(T-i) for i >= 2, (1-beta)^(T-1) for i = 1
    a = adagan_mixture_weights([1.0, 0.3, 0.3, 0.3])
    np.testing.assert_allclose(a, [0.7**3, 0.3 * 0.7**2, 0.3 * 0.7, 0.3], rtol=1e-14)
    assert a.sum() == pytest.approx(1.0, abs=1e-15)


def test_step_interface():
    rng = np.random.default_rng(0)
    d = rng.uniform(0.05, 1.0, 50)
    for sched in (ConstantBeta(0.4), BoostedBeta(), TopKLastBeta(0.5)):
        s1 = sched.step(1, d)
        assert s1.beta == 1.0 and s1.lam is None
        np.testing.assert_allclose(s1.weights, 1 / 50)
        s3 = sched.step(3, d)
        ref = adagan_weights(d, s3.beta)
        np.testing.assert_allclose(s3.weights, ref.weights, atol=0)
        assert s3.lam == ref.lam
    assert BoostedBeta().step(4, d).beta == 0.25
    ens = EnsembleBeta().step(5, d)
    assert ens.beta == 0.2 and ens.lam is None
    np.testing.assert_allclose(ens.weights, 1 / 50)  # bagging: data weights stay uniform
    b = rng.dirichlet(np.ones(50))
    np.testing.assert_allclose(EnsembleBeta().step(2, base_weights=b).weights, b)
    with pytest.raises(ValueError, match="needs discriminator_outputs"):
        BoostedBeta().step(2)
    with pytest.raises(ValueError, match="needs h"):
        TopKLastBeta(0.5).beta(2)
    with pytest.raises(ValueError, match="t must be >= 1"):
        ConstantBeta(0.5).beta(0)


@settings(max_examples=40)
@given(
    # distinct ratios on a 0.01 grid: gaps between consecutive h are >= 0.01, so beta is not
    # absurdly small (h gaps of 1e-300 give beta ~ 1e-300, meaningless in float64)
    st.lists(st.integers(0, 5000), min_size=3, max_size=40, unique=True),
    st.floats(0.05, 0.95),
)
def test_topklast_zeroes_out_r_n_points(h, r):
    h = np.array(h) / 100.0
    n = h.size
    n0 = math.floor(r * n + 0.5)
    if not 1 <= n0 <= n - 1:
        with pytest.raises(ValueError, match="round"):
            topklast_beta(h, r)
        return
    beta = topklast_beta(h, r)
    assert 0 < beta < 1
    d = 1.0 / (1.0 + h)  # D with (1-D)/D = h
    w = adagan_weights(d, beta).weights
    k = n - n0
    order = np.argsort(h)
    # the k smallest h keep positive weight, the n0 largest get (up to rounding on the boundary
    # point, which sits exactly at lambda* = (1-beta) h_(k+1)) zero weight
    assert np.all(w[order[:k]] > 0)
    assert np.all(w[order[k + 1 :]] == 0.0)
    assert w[order[k]] == 0.0  # rounding residues on the breakpoint are snapped to 0
    # independent: solve lambda*(beta) = (1 - beta) h_(k+1) for beta with brentq
    hs = np.sort(h)

    def gap(b):
        lam = adagan_weights(d, b).lam
        return lam - (1 - b) * hs[k]

    if gap(1e-9) < 0 < gap(1 - 1e-9):
        assert beta == pytest.approx(brentq(gap, 1e-9, 1 - 1e-9, xtol=1e-14), abs=1e-9)


def test_topklast_closed_form_by_hand():
    # h = [0, 1, 2, 3], r = 1/2: k = 2 kept, c = 1/4 (2 - 0) + 1/4 (2 - 1) = 3/4, beta = 3/7
    h = np.array([3.0, 0.0, 2.0, 1.0])
    assert topklast_beta(h, 0.5) == pytest.approx(3 / 7, abs=1e-15)
    w = adagan_weights(1 / (1 + h), 3 / 7).weights
    np.testing.assert_allclose(w, [0.0, 2 / 3, 0.0, 1 / 3], atol=1e-15)
    # base weights enter c: p = [.1, .2, .3, .4] on h = [3, 0, 2, 1] -> c = .2*2 + .4*1 = .8
    assert topklast_beta(h, 0.5, weights=[0.1, 0.2, 0.3, 0.4]) == pytest.approx(0.8 / 1.8, abs=1e-15)
    assert TopKLastBeta(0.5).beta(2, h=h) == pytest.approx(3 / 7, abs=1e-15)


def test_topklast_errors():
    with pytest.raises(ValueError, match="tie"):
        topklast_beta([1.0, 1.0, 1.0, 1.0], 0.5)
    with pytest.raises(ValueError, match="inf"):
        topklast_beta([0.0, 1.0, math.inf, math.inf], 0.5)
    with pytest.raises(ValueError, match="r must be"):
        topklast_beta([0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="r must be"):
        TopKLastBeta(0.0)
    with pytest.raises(ValueError, match="h must be"):
        topklast_beta([0.0, np.nan, 1.0], 0.5)


def test_beta_schedule_parser():
    assert beta_schedule("constant:0.3") == ConstantBeta(0.3)
    assert beta_schedule("boosted") == BoostedBeta()
    assert beta_schedule("bagging") == EnsembleBeta() == beta_schedule("ensemble")
    assert beta_schedule("TopKLast:0.5") == TopKLastBeta(0.5)
    for bad in ("constant", "constant:1.5", "topklast:x", "adaboost", "boosted:0.2"):
        with pytest.raises(ValueError):
            beta_schedule(bad)
    with pytest.raises(ValueError, match="beta"):
        ConstantBeta(0.0)


def test_mixture_weights_errors():
    with pytest.raises(ValueError, match="betas\\[0\\] must be 1"):
        adagan_mixture_weights([0.5, 0.5])
    with pytest.raises(ValueError, match="betas\\[1\\]"):
        adagan_mixture_weights([1.0, 0.0])
