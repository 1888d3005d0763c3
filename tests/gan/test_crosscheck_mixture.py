"""Known-density mixtures, the mode partition and the multinomial confidence statements (numpy only)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, special, stats

from modecollapse.gan.crosscheck import (
    GaussianMixture,
    ModePartition,
    MultinomialEstimate,
    dropped_modes_generator,
    estimate_cell_masses,
    l1_radius,
    samples_for_l1_radius,
    scenario,
)


def _rice_disc_mass(dist: float, r: float, s: float) -> float:
    """P(||X - c|| <= r) for X ~ N(mu, s^2 I_2), ||mu - c|| = dist: the Rice CDF by quadrature.

    Independent oracle for the non-central chi-square formula: integrate the Rice density
    (rho/s^2) exp(-(rho^2 + dist^2)/(2 s^2)) I0(rho dist / s^2) with the scaled Bessel i0e.
    """

    def dens(rho):
        z = rho * dist / s**2
        return rho / s**2 * math.exp(-((rho - dist) ** 2) / (2 * s**2)) * special.i0e(z)

    val, err = integrate.quad(dens, 0.0, r, epsabs=1e-14, epsrel=1e-12, limit=200)
    return val


def test_cell_masses_closed_form_on_grid():
    # A 3-std disc around its own 2-D Gaussian has mass chi2_2 CDF at 9 = 1 - exp(-9/2); the other
    # modes are >= 40 std away, so each cell holds (1/25)(1 - e^{-4.5}) and elsewhere e^{-4.5}.
    target, _ = scenario("grid20")
    part = ModePartition.from_mixture(target)
    m = target.cell_masses(part)
    c = -math.expm1(-4.5)
    np.testing.assert_allclose(m[:-1], c / 25, rtol=1e-12)  # closed form, float64 round-off only
    np.testing.assert_allclose(m[-1], math.exp(-4.5), rtol=1e-10)
    assert m.sum() == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("dist", [0.0, 0.05, 0.2, 0.5])
def test_cell_masses_match_rice_quadrature_off_centre(dist):
    s, r = 0.1, 0.3
    mix = GaussianMixture([1.0], [[dist, 0.0]], s)
    part = ModePartition([[0.0, 0.0], [5.0, 5.0]], r)
    m = mix.cell_masses(part)
    np.testing.assert_allclose(m[0], _rice_disc_mass(dist, r, s), rtol=1e-9, atol=1e-13)  # quad tolerance
    assert m[1] == pytest.approx(0.0, abs=1e-300)
    np.testing.assert_allclose(m[2], 1 - _rice_disc_mass(dist, r, s), rtol=1e-8, atol=1e-13)


def test_cell_masses_agree_with_monte_carlo():
    # 3-sigma CLT tolerance per cell: |f_hat - f| <= 4 sqrt(f(1-f)/n) (prob. of failure < 1e-4 each)
    mix = GaussianMixture([0.2, 0.5, 0.3], [[0, 0], [0.25, 0], [2, 2]], 0.1)
    part = ModePartition([[0, 0], [2, 2]], 0.12)
    n = 200_000
    f = part.counts(mix.sample(n, np.random.default_rng(1))) / n
    m = mix.cell_masses(part)
    assert np.all(np.abs(f - m) <= 4 * np.sqrt(m * (1 - m) / n) + 1e-12)


def test_partition_assign_edges_and_overlap():
    part = ModePartition([[0, 0], [1, 0]], 0.25)
    lab = part.assign([[0, 0], [0.25, 0], [0.2500001, 0], [1, 0.1], [0.5, 0]])
    assert lab.tolist() == [0, 0, 2, 1, 2]  # closed discs; "elsewhere" is the last index
    with pytest.raises(ValueError, match="overlap"):
        ModePartition([[0, 0], [0.4, 0]], 0.25)
    with pytest.raises(ValueError, match="radius"):
        ModePartition([[0, 0]], 0.0)
    with pytest.raises(ValueError, match="columns"):
        part.assign([[0, 0, 0]])


def test_gaussian_mixture_logpdf_and_validation():
    mix = GaussianMixture([0.25, 0.75, 0.0], [[0, 0], [1, 1], [3, 3]], 0.5)
    x = np.array([[0.1, -0.2], [1.0, 1.0]])
    ref = sum(w * stats.multivariate_normal(c, 0.25 * np.eye(2)).pdf(x) for w, c in zip([0.25, 0.75], [[0, 0], [1, 1]]))
    np.testing.assert_allclose(np.exp(mix.logpdf(x)), ref, rtol=1e-12)
    with pytest.raises(ValueError, match="weights"):
        GaussianMixture([0.5, 0.4], [[0, 0], [1, 1]], 1.0)
    with pytest.raises(ValueError, match="std"):
        GaussianMixture([1.0], [[0, 0]], -1.0)
    with pytest.raises(ValueError, match="one row per weight"):
        GaussianMixture([1.0], [[0, 0], [1, 1]], 1.0)


def test_dropped_modes_generator():
    target, gen = scenario("grid20")
    assert np.count_nonzero(gen.weights) == 20
    np.testing.assert_allclose(gen.weights[gen.weights > 0], 1 / 20)
    assert gen.weights[[0, 6, 12, 18, 24]].sum() == 0
    with pytest.raises(ValueError, match="dropped"):
        dropped_modes_generator(target, [25])
    with pytest.raises(ValueError, match="every mode"):
        dropped_modes_generator(target, range(25))


def test_l1_radius_formula_and_inverse():
    # Weissman et al. (2003) Thm 2.1 at k = 26, alpha = 0.05, n = 1e5:
    # sqrt(2/n (log(2^26 - 2) + log 20)) = 0.0205025 (hand evaluation)
    assert l1_radius(100_000, 26, confidence=0.95) == pytest.approx(
        math.sqrt(2e-5 * (math.log(2**26 - 2) + math.log(20))), rel=1e-12
    )
    assert l1_radius(10, 1) == 0.0
    with pytest.raises(ValueError, match="confidence"):
        l1_radius(10, 3, confidence=1.0)
    with pytest.raises(TypeError, match="n"):
        l1_radius(10.0, 3)


@given(st.floats(0.005, 0.9), st.integers(2, 40), st.sampled_from([0.9, 0.95, 0.999]))
def test_samples_for_l1_radius_is_the_smallest_n(r, k, conf):
    n = samples_for_l1_radius(r, k, confidence=conf)
    assert l1_radius(n, k, confidence=conf) <= r
    assert n == 1 or l1_radius(n - 1, k, confidence=conf) > r


def test_l1_ball_covers_at_the_stated_level():
    # 4000 multinomial draws; the bound promises P(miss) <= 0.05 (observed: 0.1%). A radius too
    # small by a factor 2 misses in 24% of these draws (measured when writing the test): caught.
    rng = np.random.default_rng(3)
    p = np.array([0.5, 0.2, 0.2, 0.1])
    n = 400
    r = l1_radius(n, 4, confidence=0.95)
    draws = rng.multinomial(n, p, size=4000) / n
    miss = np.mean(np.abs(draws - p).sum(1) >= r)
    assert miss <= 0.05
    small = np.mean(np.abs(draws - p).sum(1) >= r / 2)
    assert small > 0.05  # the bound is conservative but not absurdly so


def test_clopper_pearson_bonferroni_against_scipy_binomtest():
    counts = np.array([0, 3, 50, 947])
    est = estimate_cell_masses(counts, confidence=0.9)
    level = 1 - 0.1 / 4  # Bonferroni over k = 4 cells
    for i, c in enumerate(counts):
        ci = stats.binomtest(int(c), 1000).proportion_ci(confidence_level=level, method="exact")
        assert est.lower[i] == pytest.approx(ci.low, abs=1e-12)
        assert est.upper[i] == pytest.approx(ci.high, abs=1e-12)
    np.testing.assert_array_equal(est.p_hat, counts / 1000)
    assert est.tv_radius == pytest.approx(l1_radius(1000, 4, confidence=0.9) / 2)


def test_estimate_cell_masses_rejects_bad_counts():
    with pytest.raises(ValueError, match="non-negative"):
        estimate_cell_masses([1, -1])
    with pytest.raises(TypeError, match="integers"):
        estimate_cell_masses([1.5, 2])
    with pytest.raises(ValueError, match="at least one"):
        estimate_cell_masses([0, 0])
    with pytest.raises(TypeError):
        estimate_cell_masses("12")
    ex = MultinomialEstimate.exact_masses([0.5, 0.5])
    assert ex.exact and ex.l1_radius == 0.0


def test_gaussian_mixture_is_the_coverage_law():
    # The same law as divergences.GaussianMixture (the AdaGAN coverage code's mixture, per-component
    # stds), computed there by another formula: its density is a valid model density for coverage.
    from modecollapse import divergences

    mix = GaussianMixture([0.5, 0.3, 0.2], [[0, 0], [1, 0], [0, 2]], 0.4)
    ref = divergences.GaussianMixture(mix.weights, mix.means, [0.4, 0.4, 0.4])
    x = np.random.default_rng(3).normal(size=(200, 2))
    np.testing.assert_allclose(mix.pdf(x), ref.pdf(x), rtol=1e-12)  # two log-space evaluations
    # and the same draws from the same generator (both: choice(p=w), then std * standard_normal)
    np.testing.assert_array_equal(mix.sample(50, np.random.default_rng(1)), ref.sample(50, np.random.default_rng(1)))
