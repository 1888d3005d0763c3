"""Conversions on regions: hockey-stick values, the trade-off curve (f-DP), the PRD curve, and back.

Oracles: direct sums over the atoms (``sum min(lam p, q)``, ``sum (p - s q)_+``), the Gaussian
closed form ``T(alpha) = Phi(Phi^-1(1 - alpha) - mu)`` and numerical quadrature of the Gaussian
PRD integrals; round trips on exact regions.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from hypothesis import given
from scipy import integrate, stats

from modecollapse import regions
from modecollapse.regions import (
    Region,
    gaussian_region,
    mode_collapse_region,
    region_from_hockey_stick,
    region_from_prd,
    region_from_tradeoff,
)
from modecollapse.regions import _conversions
from _support.strategies import pairs


def _edge_slopes(r: Region) -> np.ndarray:
    d = np.diff(r.vertices, axis=0)
    d = d[d[:, 0] > 0]
    return d[:, 1] / d[:, 0]


@given(pairs(min_k=2, max_k=6))
def test_prd_and_hockey_stick_match_direct_sums(pq):
    p, q = pq
    r = mode_collapse_region(p, q)
    lams = np.array([0.1, 0.5, 1.0, 2.0, 7.0])
    a, b = r.prd(lams)
    # Sajjadi et al. 2018, Definition 3: alpha = sum min(lam p, q), beta = sum min(p, q / lam)
    np.testing.assert_allclose(a, [np.minimum(l * p, q).sum() for l in lams], atol=1e-12)  # exact polygon
    np.testing.assert_allclose(b, [np.minimum(p, q / l).sum() for l in lams], atol=1e-12)
    for s in (0.0, 0.3, 1.0, 4.0):
        assert r.hockey_stick(s) == pytest.approx(np.clip(p - s * q, 0, None).sum(), abs=1e-12)
    # the ends: lam = 0 -> (0, P(q > 0)); lam = inf -> (Q(p > 0), 0)
    a0, b0 = r.prd(0.0)
    ai, bi = r.prd(math.inf)
    assert a0 == 0.0 and b0 == pytest.approx(p[q > 0].sum(), abs=1e-12)
    assert bi == 0.0 and ai == pytest.approx(q[p > 0].sum(), abs=1e-12)


@given(pairs(min_k=2, max_k=6))
def test_round_trips_on_exact_regions(pq):
    r = mode_collapse_region(*pq)
    v = r.vertices
    # trade-off at the vertices -> region
    assert region_from_tradeoff(v[:, 0], r.tradeoff(v[:, 0])).isclose(r, atol=1e-12)
    # hockey-stick at every edge slope -> region
    s = _edge_slopes(r)
    if s.size:
        hs = [r.hockey_stick(x) for x in s]
        assert region_from_hockey_stick(s, hs).isclose(r, atol=1e-9)
        # PRD at lam = 1 / slope (lam = inf for a flat last edge), plus lam = 0 for a vertical first edge
        lams = np.concatenate([[0.0], np.where(s > 0, 1.0 / np.where(s > 0, s, 1.0), np.inf)])
        assert region_from_prd(*r.prd(lams)).isclose(r, atol=1e-9)
    # the hockey-stick inverse is exact on polygons: E at the returned slope is the value, and
    # no smaller slope reaches it
    for val in (0.05, 0.2, 0.5):
        lam = r.hockey_stick_inverse(val)
        if math.isfinite(lam) and lam > 0:
            assert r.hockey_stick(lam) == pytest.approx(val, abs=1e-9)
            assert r.hockey_stick(lam * (1 - 1e-6)) > val - 1e-12
        elif lam == math.inf:
            assert r.delta_at(0.0) > val


def test_gaussian_tradeoff_closed_form():
    # Dong, Roth, Su (arXiv 1905.02383), eq. (2.4): T(N(0,1), N(mu,1))(a) = Phi(Phi^-1(1 - a) - mu)
    a = np.linspace(0.0, 1.0, 101)
    for mu in (0.5, 1.0, 2.5):
        g = gaussian_region(mu, 0.0)
        np.testing.assert_allclose(g.tradeoff(a), stats.norm.cdf(stats.norm.ppf(1 - a) - mu), atol=1e-12)
        # symmetric pair: the inverse is the curve itself
        np.testing.assert_allclose(g.tradeoff_inverse(g.tradeoff(a[1:-1])), a[1:-1], atol=1e-9)
        np.testing.assert_allclose(g.tradeoff_inverse(a), g.tradeoff(a), atol=1e-9)
        # the certified inner polygon's trade-off lies above (worse tests), the outer's below
        assert np.all(g.inner_polygon(64).tradeoff(a) >= g.tradeoff(a) - 1e-12)
        assert np.all(g.outer_polygon(64).tradeoff(a) <= g.tradeoff(a) + 1e-12)


def test_gaussian_prd_against_quadrature():
    mu = 1.0
    g = gaussian_region(mu, 0.0)
    p = lambda x: stats.norm.pdf(x, mu)  # noqa: E731  (target)
    q = lambda x: stats.norm.pdf(x)  # noqa: E731  (model)
    for lam in (0.25, 1.0, 3.0):
        a_ref = integrate.quad(lambda x: min(lam * p(x), q(x)), -12, 13, points=[0.5 + math.log(lam)], limit=200)[0]
        b_ref = integrate.quad(lambda x: min(p(x), q(x) / lam), -12, 13, points=[0.5 + math.log(lam)], limit=200)[0]
        a, b = g.prd(lam)
        assert a == pytest.approx(a_ref, abs=1e-9) and b == pytest.approx(b_ref, abs=1e-9)
    # the hockey-stick inverse by bisection: E at the answer is the value
    for val in (0.1, 0.3):
        s = g.hockey_stick_inverse(val)
        assert g.hockey_stick(s) == pytest.approx(val, abs=1e-10)


def test_tradeoff_convention_with_a_collapsed_generator():
    # P = U[0,1], Q1 = U[0.2,1]: a test "x < 0.2" has type I error Q1(S) = 0 and catches P-mass 0.2,
    # so T(Q1, P)(0) = 0.8; the reverse pair cannot reach type I error 0 with any power
    r = mode_collapse_region([0.2, 0.8], [0.0, 1.0])
    assert r.tradeoff(0.0) == pytest.approx(0.8)
    assert r.reflect().tradeoff(0.0) == pytest.approx(1.0)
    assert r.tradeoff_inverse(0.8) == 0.0
    assert r.hockey_stick_inverse(0.1) == math.inf  # E_s >= P(q = 0) = 0.2 for every s


def test_bad_input():
    r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    with pytest.raises(ValueError, match="alpha"):
        r.tradeoff(1.5)
    with pytest.raises(ValueError, match="beta"):
        r.tradeoff_inverse(-0.5)
    with pytest.raises(ValueError, match="lam"):
        r.prd(-1.0)
    with pytest.raises(ValueError, match="value"):
        r.hockey_stick_inverse(-0.1)
    with pytest.raises(ValueError, match="same length"):
        region_from_tradeoff([0.1, 0.2], [0.5])
    with pytest.raises(ValueError, match="slopes"):
        region_from_hockey_stick([-1.0], [0.2])
    with pytest.raises(ValueError, match="no region"):
        region_from_hockey_stick([0.5], [0.1])  # delta*(1) <= 0.6
    with pytest.raises(ValueError, match="beta"):
        region_from_prd([0.5], [np.nan])


def test_doctests_and_names():
    assert doctest.testmod(_conversions).failed == 0
    for name in _conversions.__all__:
        assert getattr(regions, name) is getattr(_conversions, name)
