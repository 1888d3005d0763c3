"""Regions from samples (``region_from_scores``, ``region_from_counts``): coverage by simulation.

A statistician's checks: over many fixed-seed repetitions the certified regions contain (or are
contained in) the exact region at least at the nominal rate, judged by a one-sided binomial test;
a deliberately too narrow band fails that same check; the band is not vacuous at n = 10^4; ties
are exact (oracle: direct counting over every threshold); bad input names its argument.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from scipy import stats

from modecollapse import regions
from modecollapse.regions import (
    Region,
    dkw_radius,
    gaussian_region,
    mode_collapse_region,
    packed_region,
    region_from_counts,
    region_from_scores,
)
from modecollapse.regions import _from_samples

#: Level of the binomial test on the miss counts: a correct band fails it with probability <= 1e-3.
TEST_LEVEL = 1e-3


def coverage_ok(misses: int, reps: int, confidence: float) -> bool:
    """One-sided binomial test of H0 "miss rate <= 1 - confidence": keep H0 unless
    ``P(Bin(reps, 1 - confidence) >= misses) < TEST_LEVEL``."""
    return stats.binomtest(misses, reps, 1.0 - confidence, alternative="greater").pvalue >= TEST_LEVEL


def random_pair(rng, k):
    p = rng.dirichlet(np.ones(k))
    q = rng.dirichlet(np.ones(k))
    return p, q


def gaussian_misses(reps, n, mu, confidence, seed, *, band="inner"):
    """Misses of ``inner ⊆ R(N(mu,1), N(0,1))`` over ``reps`` draws of n + n scores (score = x,
    increasing in the likelihood ratio)."""
    rng = np.random.default_rng(seed)
    exact = gaussian_region(mu, 0.0)
    misses = 0
    for _ in range(reps):
        res = region_from_scores(rng.normal(mu, 1.0, n), rng.normal(0.0, 1.0, n), confidence=confidence)
        misses += not getattr(res, band).issubset(exact)
    return misses


def discrete_score_misses(reps, n, k, confidence, seed, *, lr_score=True, m=1):
    """Misses of ``inner ⊆ R(P^m, Q^m)`` for random pairs on k atoms (a fresh pair per repetition),
    scored by the log likelihood ratio (ties: every atom is one score value) or by a random score."""
    rng = np.random.default_rng(seed)
    misses = 0
    for _ in range(reps):
        p, q = random_pair(rng, k)
        score = np.log(p / q) if lr_score else rng.normal(size=k)
        exact = mode_collapse_region(p, q) if m == 1 else packed_region(p, q, m).region
        sp = score[rng.choice(k, n, p=p)]
        sq = score[rng.choice(k, n, p=q)]
        res = region_from_scores(sp, sq, confidence=confidence, m=m)
        misses += not res.inner.issubset(exact)
    return misses


def count_misses(reps, n, k, confidence, seed, m=1):
    """Misses of ``inner ⊆ R ⊆ outer`` for random pairs on k cells from n counts per side."""
    rng = np.random.default_rng(seed)
    misses = 0
    for _ in range(reps):
        p, q = random_pair(rng, k)
        exact = mode_collapse_region(p, q) if m == 1 else packed_region(p, q, m).region
        res = region_from_counts(rng.multinomial(n, p), rng.multinomial(n, q), confidence=confidence, m=m)
        misses += not (res.inner.issubset(exact) and exact.issubset(res.outer))
    return misses


# ---------------------------------------------------------------------------------------------
# coverage
# ---------------------------------------------------------------------------------------------


def test_scores_gaussian_coverage():
    reps = 150
    for conf in (0.95, 0.8):
        misses = gaussian_misses(reps, 200, 1.0, conf, seed=1)
        assert coverage_ok(misses, reps, conf), (conf, misses)


def test_scores_discrete_coverage_lr_and_arbitrary_score():
    # heavy ties (one value per atom) and a score unrelated to the likelihood ratio: the band
    # holds for any fixed score
    reps = 150
    for lr in (True, False):
        misses = discrete_score_misses(reps, 150, 5, 0.9, seed=2, lr_score=lr)
        assert coverage_ok(misses, reps, 0.9), (lr, misses)


def test_too_narrow_band_fails_the_coverage_check():
    # the plug-in estimate (zero width) and a band built at 20% but claimed at 95% must both be
    # rejected by the same check that the honest band passes
    reps = 150
    misses_est = gaussian_misses(reps, 200, 1.0, 0.95, seed=1, band="estimate")
    assert not coverage_ok(misses_est, reps, 0.95), misses_est
    misses_narrow = gaussian_misses(reps, 200, 1.0, 0.2, seed=1)
    assert not coverage_ok(misses_narrow, reps, 0.95), misses_narrow
    # and a band a quarter as wide as DKW's (DKW is uniform in the threshold, so conservative at
    # the rates that matter: half its width still covers ~90% here, a quarter does not)
    rng = np.random.default_rng(3)
    exact = gaussian_region(1.0, 0.0)
    misses_half = 0
    for _ in range(reps):
        est = region_from_scores(rng.normal(1.0, 1.0, 200), rng.normal(0.0, 1.0, 200)).estimate
        r = 0.25 * dkw_radius(200, alpha=0.025)
        pts = np.column_stack([np.minimum(1, est.vertices[:, 0] + r), np.maximum(0, est.vertices[:, 1] - r)])
        misses_half += not Region.hull(pts[pts[:, 1] > pts[:, 0]]).issubset(exact)
    assert not coverage_ok(misses_half, reps, 0.95), misses_half


def test_counts_coverage_inner_exact_outer():
    reps = 150
    misses = count_misses(reps, 400, 5, 0.9, seed=4)
    assert coverage_ok(misses, reps, 0.9), misses


@pytest.mark.slow
def test_coverage_many_repetitions():
    reps = 2000
    assert coverage_ok(gaussian_misses(reps, 500, 0.7, 0.95, seed=11), reps, 0.95)
    assert coverage_ok(discrete_score_misses(reps, 300, 8, 0.95, seed=12), reps, 0.95)
    assert coverage_ok(discrete_score_misses(reps, 300, 3, 0.95, seed=13, m=3), reps, 0.95)
    assert coverage_ok(count_misses(reps, 1000, 8, 0.95, seed=14), reps, 0.95)
    assert coverage_ok(count_misses(reps, 1000, 3, 0.95, seed=15, m=3), reps, 0.95)


# ---------------------------------------------------------------------------------------------
# the band is not vacuous
# ---------------------------------------------------------------------------------------------


def test_band_width_at_ten_thousand():
    rng = np.random.default_rng(5)
    n, mu = 10_000, 1.0
    exact = gaussian_region(mu, 0.0)
    res = region_from_scores(rng.normal(mu, 1.0, n), rng.normal(0.0, 1.0, n))
    # one-sided Massart radius at alpha/2 = 0.025: sqrt(log(40) / 20000) = 0.01358
    r = math.sqrt(math.log(40.0) / (2 * n))
    assert res.radius_p == pytest.approx(r, rel=1e-12) and res.radius_q == pytest.approx(r, rel=1e-12)
    # moving the boundary right by r and down by r loses at most r + r of area (each shift sweeps
    # a band of width r across the unit square); the estimate's own error at n = 1e4 is
    # O(1/sqrt(n)) = 0.01: the inner area is within 2r + 0.01 = 0.037 of the exact one
    assert 0.0 <= exact.area - res.inner.area <= 2 * r + 0.01
    assert exact.tv - 2 * r - 0.01 <= res.tv_lower <= exact.tv
    assert res.tv_lower == pytest.approx(res.inner.tv)


def test_counts_band_width():
    rng = np.random.default_rng(6)
    p, q = np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.1, 0.2, 0.3, 0.4])
    n = 10_000
    exact = mode_collapse_region(p, q)
    res = region_from_counts(rng.multinomial(n, p), rng.multinomial(n, q))
    # Weissman at 97.5% per side on 4 cells: r/2 = sqrt((log 14 + log 40) / (2n)) = 0.0172
    rho = math.sqrt((math.log(14) + math.log(40)) / (2 * n))
    assert res.radius_p == pytest.approx(rho, rel=1e-12)
    assert exact.area - res.inner.area <= 2 * rho + 0.01
    assert res.outer.area - exact.area <= 2 * rho + 0.01
    assert res.tv_lower <= exact.tv <= res.tv_upper
    assert res.tv_upper - res.tv_lower <= 4 * rho + 0.02


# ---------------------------------------------------------------------------------------------
# packing
# ---------------------------------------------------------------------------------------------


def test_packed_scores_against_packed_region():
    # log-ratio scores summed over packs of 2: the Neyman-Pearson statistic of P^2 vs Q^2, so the
    # estimate converges to the exact packed region; the inner bound stays inside it
    p, q = np.array([0.5, 0.5]), np.array([0.3, 0.7])  # PacGAN's P vs Q2: packed TV 0.24 at m = 2
    exact = packed_region(p, q, 2).region
    rng = np.random.default_rng(7)
    n = 40_000
    score = np.log(p / q)
    res = region_from_scores(score[rng.choice(2, n, p=p)], score[rng.choice(2, n, p=q)], m=2)
    assert res.m == 2 and res.n_p == n // 2
    assert res.inner.issubset(exact)
    # 20,000 packs per side: the empirical hull is within a few standard errors (~0.004) of R
    assert res.estimate.isclose(exact, atol=0.02)
    assert res.tv_lower == pytest.approx(0.24, abs=2 * res.radius_p + 0.02)
    reps = 150
    assert coverage_ok(discrete_score_misses(reps, 200, 3, 0.9, seed=8, m=2), reps, 0.9)


def test_packed_scores_already_packed():
    rng = np.random.default_rng(9)
    s = rng.normal(size=(2, 300))
    a = region_from_scores(s[0], s[1], m=3)
    b = region_from_scores(s[0].reshape(100, 3).sum(1), s[1].reshape(100, 3).sum(1), m=3, packed=True)
    assert a.inner == b.inner and a.estimate == b.estimate and a.n_p == b.n_p == 100
    # a leftover n mod m is dropped
    c = region_from_scores(np.append(s[0], [5.0]), np.append(s[1], [1.0, 2.0]), m=3)
    assert c.inner == a.inner


def test_packed_counts_against_packed_region():
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    rng = np.random.default_rng(10)
    res = region_from_counts(rng.multinomial(20_000, p), rng.multinomial(20_000, q), m=2)
    exact = packed_region(p, q, 2).region
    assert res.method == "weissman-l1-product"
    assert res.inner.issubset(exact) and exact.issubset(res.outer)
    # slack 1 - (1 - r/2)^2 (product coupling)
    rho = 0.5 * regions.l1_radius(20_000, 3, confidence=0.975)
    assert res.radius_p == pytest.approx(1 - (1 - rho) ** 2, rel=1e-12)
    # the estimate is the exact packed region of the empirical pair
    c = rng.multinomial(5000, p), rng.multinomial(5000, q)
    r2 = region_from_counts(*c, m=2)
    assert r2.estimate.isclose(packed_region(c[0] / 5000, c[1] / 5000, 2).region, atol=1e-12)
    reps = 100
    assert coverage_ok(count_misses(reps, 2000, 3, 0.9, seed=16, m=2), reps, 0.9)


def test_packed_counts_on_the_certified_path():
    # 20 cells at m = 8: 2.2e6 type classes, above the exact limit, so packed_region is certified;
    # the bounds use its inner polygon for inner and its outer polygon for outer, and stay valid
    rng = np.random.default_rng(17)
    p, q = rng.dirichlet(np.ones(20)), rng.dirichlet(np.ones(20))
    res = region_from_counts(rng.multinomial(10**6, p), rng.multinomial(10**6, q), m=8)
    truth = packed_region(p, q, 8, width=1e-4)
    assert not truth.exact
    # truth.inner ⊆ R(P^8, Q^8) ⊆ truth.outer, so these two imply inner ⊆ R ⊆ outer
    assert res.inner.issubset(truth.inner) and truth.outer.issubset(res.outer)


# ---------------------------------------------------------------------------------------------
# exactness: ties, equal scores, the estimate
# ---------------------------------------------------------------------------------------------


def _brute_points(sp, sq):
    """Oracle: (Q_hat, P_hat) of {s > t} and {s >= t} for every observed t and beyond, by counting."""
    ts = np.unique(np.concatenate([sp, sq]))
    pts = [(0.0, 0.0), (1.0, 1.0)]
    for t in ts:
        for op in (np.greater, np.greater_equal):
            pts.append((float(np.mean(op(sq, t))), float(np.mean(op(sp, t)))))
    return np.array(pts)


def test_ties_handled_exactly():
    rng = np.random.default_rng(12)
    for _ in range(20):
        sp = rng.integers(0, 4, size=int(rng.integers(20, 40))).astype(float)
        sq = rng.integers(0, 4, size=int(rng.integers(20, 40))).astype(float) - 0.5 * rng.integers(0, 2)
        res = region_from_scores(sp, sq, confidence=0.5)
        assert res.estimate.isclose(Region.hull(_brute_points(sp, sq)), atol=1e-15)
        # inner = certified brute points (Q + r_Q, P - r_P), hulled
        pts = _brute_points(sp, sq)
        moved = np.column_stack([np.minimum(1, pts[:, 0] + res.radius_q), np.maximum(0, pts[:, 1] - res.radius_p)])
        assert res.inner.isclose(Region.hull(moved[moved[:, 1] > moved[:, 0]]), atol=1e-15)


def test_equal_scores_give_the_empty_region():
    res = region_from_scores(np.zeros(50), np.zeros(70))
    assert res.estimate.area == 0.0 and res.inner.area == 0.0 and res.tv_lower == 0.0


def test_inner_monotone_in_confidence_and_inside_estimate():
    rng = np.random.default_rng(13)
    sp, sq = rng.normal(1, 1, 500), rng.normal(0, 1, 500)
    prev = None
    for conf in (0.5, 0.9, 0.99, 0.999):
        res = region_from_scores(sp, sq, confidence=conf)
        assert res.inner.issubset(res.estimate)
        if prev is not None:
            assert res.inner.issubset(prev)
        prev = res.inner


def test_dkw_radius():
    # sqrt(log(1/alpha) / (2n)): alpha = 0.025, n = 100 -> sqrt(log 40 / 200) = 0.13581
    assert dkw_radius(100, alpha=0.025) == pytest.approx(math.sqrt(math.log(40) / 200), rel=1e-15)
    with pytest.raises(ValueError, match="alpha"):
        dkw_radius(100, alpha=0.6)
    with pytest.raises(ValueError, match="n"):
        dkw_radius(0, alpha=0.1)


def test_counts_estimate_is_the_empirical_region():
    c_p, c_q = np.array([5, 0, 3, 2]), np.array([1, 4, 3, 2])
    res = region_from_counts(c_p, c_q, confidence=0.5)
    assert res.estimate.isclose(mode_collapse_region(c_p / 10, c_q / 10), atol=1e-15)
    assert res.n_p == res.n_q == 10 and res.method == "weissman-l1"
    # one cell: nothing to tell apart, radius 0
    one = region_from_counts([7], [3])
    assert one.inner.area == 0.0 and one.outer.area <= 1e-14  # outer: raised by 1e-14 against round-off


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


def test_bad_scores():
    ok = np.arange(20.0)
    with pytest.raises(ValueError, match="scores_p.*empty"):
        region_from_scores([], ok)
    with pytest.raises(ValueError, match=r"scores_q.*finite.*scores_q\[3\]"):
        region_from_scores(ok, np.array([0, 1, 2, np.nan, 4.0]))
    with pytest.raises(ValueError, match="scores_p must be finite"):
        region_from_scores(np.array([np.inf, 1.0]), ok)
    with pytest.raises(ValueError, match="scores_p must be a 1-D"):
        region_from_scores(np.ones((3, 3)), ok)
    with pytest.raises(TypeError, match="scores_q"):
        region_from_scores(ok, ["a", "b"])
    for conf in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="confidence"):
            region_from_scores(ok, ok, confidence=conf)
    # fewer samples than the band can use: at 95% each side needs n > 2 log 40 = 7.38, i.e. 8
    with pytest.raises(ValueError, match=r"scores_p gives 7.*at least 8 samples"):
        region_from_scores(ok[:7], ok[:7] - 0.5)
    region_from_scores(ok[:8], ok[:8])
    with pytest.raises(ValueError, match=r"m=30 is larger than the sample allows: scores_p has 20"):
        region_from_scores(ok, np.arange(100.0), m=30)
    with pytest.raises(ValueError, match="packs of m"):
        region_from_scores(ok, ok, m=4)  # 5 packs per side
    with pytest.raises(ValueError, match="m must be >= 1"):
        region_from_scores(ok, ok, m=0)
    with pytest.raises(TypeError, match="packed"):
        region_from_scores(ok, ok, packed="yes")


def test_bad_counts():
    with pytest.raises(ValueError, match="counts_p must be non-negative"):
        region_from_counts([3, -1], [1, 1])
    with pytest.raises(TypeError, match="counts_q must be integers"):
        region_from_counts([3, 1], [1.5, 1])
    with pytest.raises(ValueError, match="counts_q must contain at least one sample"):
        region_from_counts([3, 1], [0, 0])
    with pytest.raises(ValueError, match="same cells"):
        region_from_counts([3, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="counts_p must be a non-empty"):
        region_from_counts([], [1])
    with pytest.raises(ValueError, match="confidence"):
        region_from_counts([3, 1], [1, 3], confidence=1.0)
    with pytest.raises(ValueError, match=r"fewer counts than the band can use: counts_p totals 4 .*at least \d+"):
        region_from_counts([3, 1], [1, 4])
    with pytest.raises(ValueError, match="m=50 is larger than the counts allow"):
        region_from_counts([300, 100], [100, 300], m=50)


def test_fewer_counts_message_gives_a_sufficient_number():
    msg = ""
    try:
        region_from_counts([3, 1], [1, 3])
    except ValueError as exc:
        msg = str(exc)
    need = int(msg.split("at least ")[1].split()[0])
    region_from_counts([need, 0], [0, need])  # that many suffice
    with pytest.raises(ValueError):
        region_from_counts([need - 1, 0], [0, need - 1])


def test_doctests_and_names():
    assert doctest.testmod(_from_samples).failed == 0
    for name in _from_samples.__all__:
        assert getattr(regions, name) is getattr(_from_samples, name)
