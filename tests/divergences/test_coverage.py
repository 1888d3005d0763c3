"""AdaGAN coverage C = P_data(p_model(X) > t), P_model(p_model(Y) > t) = 0.95 (AdaGAN talk (Tolstikhin)).

Oracles: an exact-rational (fractions) greedy fill for discrete pairs; closed forms for Gaussian
models (1-D: normal CDF; 2-D isotropic: noncentral chi-square CDF); scipy.stats.gaussian_kde for
the KDE density.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2, gaussian_kde, ncx2, norm

from modecollapse.divergences import GaussianMixture, coverage_discrete, coverage_kde, coverage_monte_carlo


def _fraction_coverage(pd, pg, mass):
    """Exact rational oracle: fill the region atom by atom in decreasing p_model order, splitting
    the level set {p_model = t} proportionally (randomised boundary)."""
    levels = sorted(set(pg), reverse=True)
    need, cov = mass, Fraction(0)
    for lv in levels:
        idx = [i for i in range(len(pg)) if pg[i] == lv]
        mg = sum(pg[i] for i in idx)
        md = sum(pd[i] for i in idx)
        if mg >= need:
            return cov + (need / mg) * md
        need -= mg
        cov += md
    return cov


@st.composite
def rational_pair(draw):
    k = draw(st.integers(1, 7))
    a = draw(st.lists(st.integers(0, 6), min_size=k, max_size=k).filter(lambda v: sum(v) > 0))
    b = draw(st.lists(st.integers(0, 6), min_size=k, max_size=k).filter(lambda v: sum(v) > 0))
    return [Fraction(x, sum(a)) for x in a], [Fraction(x, sum(b)) for x in b]


@settings(max_examples=50)
@given(rational_pair(), st.sampled_from([Fraction(95, 100), Fraction(1, 2), Fraction(9, 10)]))
def test_discrete_coverage_matches_the_rational_oracle(pair, mass):
    pd, pg = pair
    res = coverage_discrete([float(x) for x in pd], [float(x) for x in pg], mass=float(mass))
    exact = _fraction_coverage(pd, pg, mass)
    assert res.coverage == pytest.approx(float(exact), abs=1e-12)
    assert res.lower - 1e-12 <= res.coverage <= res.upper + 1e-12
    assert res.method == "discrete" and res.confidence is None


def test_discrete_coverage_by_hand():
    # model == data: the randomised region has data mass exactly `mass`
    p = [0.1, 0.2, 0.3, 0.4]
    assert coverage_discrete(p, p).coverage == pytest.approx(0.95, abs=1e-15)
    # a dropped mode: the model ignores atom 0 (data mass 0.5), C = 0.95 * 0.5
    res = coverage_discrete([0.5, 0.25, 0.25], [0.0, 0.5, 0.5])
    assert res.coverage == pytest.approx(0.475, abs=1e-15)
    assert (res.lower, res.upper, res.threshold) == (0.0, 0.5, 0.5)
    # distinct levels: p_model = [.6, .3, .1]: {p >= .3} has model mass .9 < .95, t = .1,
    # theta = (.95 - .9)/.1 = .5: C = p_d[0] + p_d[1] + .5 p_d[2]
    res = coverage_discrete([0.2, 0.2, 0.6], [0.6, 0.3, 0.1])
    assert res.coverage == pytest.approx(0.2 + 0.2 + 0.5 * 0.6, abs=1e-14)
    assert (res.lower, res.upper) == pytest.approx((0.4, 1.0), abs=1e-14)


def test_discretised_known_density_matches_closed_form():
    # 1-D Gaussians on a fine grid: model N(0,1), data N(0.5, 1.2^2).
    # Closed form: {phi > t} = {|y| < z}, z = Phi^-1(0.975); C = P(|X| < z).
    x = np.linspace(-12, 12, 240_001)
    pm = norm.pdf(x)
    pd = norm.pdf(x, 0.5, 1.2)
    z = norm.ppf(0.975)
    exact = norm.cdf((z - 0.5) / 1.2) - norm.cdf((-z - 0.5) / 1.2)
    res = coverage_discrete(pd / pd.sum(), pm / pm.sum())
    assert res.coverage == pytest.approx(exact, abs=1e-4)  # grid step 1e-4: cell-mass error O(h)


def test_monte_carlo_matches_closed_forms():
    rng = np.random.default_rng(1)
    z = norm.ppf(0.975)
    model = GaussianMixture([1.0], [[0.0]], [1.0])
    y = model.sample(40_000, rng)
    x = rng.normal(0.5, 1.2, size=40_000)
    exact_1d = norm.cdf((z - 0.5) / 1.2) - norm.cdf((-z - 0.5) / 1.2)
    res = coverage_monte_carlo(model.pdf, y, x, confidence=0.999)
    assert res.lower <= exact_1d <= res.upper  # the DKW interval holds w.p. >= 0.999
    assert res.coverage == pytest.approx(exact_1d, abs=0.015)  # ~3 standard errors at n = 40k
    assert res.upper - res.lower < 0.06
    # 2-D isotropic: model N(0, I); data N(mu, s^2 I). {p_model > t} = {|y|^2 < chi2_2(0.95)},
    # C = P(|X|^2 < r2) = ncx2.cdf(r2 / s^2, df=2, nc=|mu|^2 / s^2)
    model2 = GaussianMixture([1.0], [[0.0, 0.0]], [1.0])
    mu, s = np.array([1.0, -0.5]), 0.8
    r2 = chi2.ppf(0.95, 2)
    exact_2d = ncx2.cdf(r2 / s**2, 2, (mu @ mu) / s**2)
    res2 = coverage_monte_carlo(model2.pdf, model2.sample(40_000, rng), mu + s * rng.standard_normal((40_000, 2)), confidence=0.999)
    assert res2.lower <= exact_2d <= res2.upper
    assert res2.coverage == pytest.approx(exact_2d, abs=0.015)


def test_monte_carlo_interval_covers_in_repeated_draws():
    # 20 small experiments at confidence 0.9: P(>= 5 misses) < 0.05 even if each missed w.p. 0.1
    rng = np.random.default_rng(7)
    z = norm.ppf(0.975)
    exact = norm.cdf((z - 0.3) / 0.9) - norm.cdf((-z - 0.3) / 0.9)
    misses = 0
    for _ in range(20):
        res = coverage_monte_carlo(norm.pdf, rng.standard_normal(2000), rng.normal(0.3, 0.9, 2000), confidence=0.9)
        misses += not (res.lower <= exact <= res.upper)
    assert misses <= 4


def test_kde_density_equals_scipy_gaussian_kde():
    from modecollapse.divergences._coverage import _kde_log_density

    rng = np.random.default_rng(2)
    y = rng.normal(size=(300, 2)) @ np.array([[1.0, 0.3], [0.0, 0.5]])
    q = rng.normal(size=(40, 2))
    chol = np.linalg.cholesky(np.cov(y.T))
    zy = np.linalg.solve(chol, y.T).T
    zq = np.linalg.solve(chol, q.T).T
    log_norm = -math.log(2 * math.pi) - float(np.sum(np.log(np.diag(chol))))
    ours = _kde_log_density(zq, zy, 0.3, log_norm)
    np.testing.assert_allclose(ours, gaussian_kde(y.T, bw_method=0.3).logpdf(q.T), rtol=1e-10)


def test_kde_coverage_close_to_closed_form_and_detects_dropped_modes():
    rng = np.random.default_rng(3)
    z = norm.ppf(0.975)
    exact = norm.cdf((z - 0.5) / 1.2) - norm.cdf((-z - 0.5) / 1.2)
    res = coverage_kde(rng.standard_normal(1500), rng.normal(0.5, 1.2, 1500))
    assert res.method == "kde" and res.bandwidth > 0
    assert res.coverage == pytest.approx(exact, abs=0.04)  # KDE bias + sampling, 1.5k points
    # AdaGAN's 2-D benchmark style: data 5 modes on a circle, the model covers 3 of them.
    ang = 2 * np.pi * np.arange(5) / 5
    means = np.c_[np.cos(ang), np.sin(ang)] * 2
    data = GaussianMixture(np.ones(5) / 5, means, 0.1)
    model = GaussianMixture(np.ones(3) / 3, means[:3], 0.1)
    full = coverage_kde(data.sample(1200, 4), data.sample(1200, 5))
    part = coverage_kde(model.sample(1200, 6), data.sample(1200, 7))
    assert full.coverage == pytest.approx(0.95, abs=0.03)
    assert part.coverage == pytest.approx(0.95 * 3 / 5, abs=0.04)  # modes 4, 5 uncovered
    # well-separated modes need a factor far below Scott's (1200^(-1/6) = 0.31); the default grid
    # reaches down to 0.02 * Scott and the likelihood picks a small factor
    assert 0.01 < full.bandwidth < 0.1


def test_bad_input():
    with pytest.raises(ValueError, match="mass"):
        coverage_discrete([0.5, 0.5], [0.5, 0.5], mass=1.0)
    with pytest.raises(ValueError, match="p_model"):
        coverage_discrete([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(TypeError, match="model_pdf"):
        coverage_monte_carlo("pdf", [0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="same dimension"):
        coverage_monte_carlo(lambda a: np.ones(len(a)), np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="data_samples"):
        coverage_kde(np.zeros(20), [np.nan])
    with pytest.raises(ValueError, match="singular"):
        coverage_kde(np.zeros(20), [0.0])
    with pytest.raises(ValueError, match="confidence"):
        coverage_monte_carlo(norm.pdf, [0.0, 1.0], [0.0], confidence=1.0)
    with pytest.raises(ValueError, match="stds"):
        GaussianMixture([1.0], [[0.0]], [0.0])
