"""Tests of the closed-form families (regions/_families.py; docs/theory.md s.3, s.4).

Oracles: scipy.stats.norm (the Neyman-Pearson threshold test written from scratch), quadrature of
the densities, mpmath at 50 digits for the certified polygons, and a brute-force enumeration of
product atoms for the packed PacGAN example.
"""

from __future__ import annotations

import doctest
import itertools

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate
from scipy.stats import norm

from modecollapse import regions
from modecollapse.regions import (
    GaussianRegion,
    LikelihoodRatioPair,
    Region,
    gaussian_region,
    mode_collapse_region,
    pacgan_example,
    piecewise_uniform_pair,
)
from modecollapse.regions import _families


def mp_ppf(e):
    """Phi^{-1}(e) in mpmath (Newton from the float quantile; works down to subnormal e)."""
    e = mp.mpf(e)
    return mp.findroot(lambda z: mp.ncdf(z) - e, mp.mpf(float(norm.ppf(float(e)))), tol=mp.mpf(10) ** (-45) * e)


def packed_pair_bruteforce(p, q, m):
    """P^m, Q^m on all k^m product atoms (independent of regions' packing code)."""
    pm, qm = [], []
    for idx in itertools.product(range(len(p)), repeat=m):
        pm.append(np.prod([p[i] for i in idx]))
        qm.append(np.prod([q[i] for i in idx]))
    return np.array(pm), np.array(qm)


def packed_tv_types(p, q, m):
    """d_TV(P^m, Q^m) as a sum over multinomial type classes n (|n| = m) of the atoms:
    sum_n m!/prod(n_i!) (prod p_i^n_i - prod q_i^n_i)_+ (a second, independent enumeration)."""
    from math import factorial, prod

    k = len(p)
    total = 0.0
    for n in itertools.product(range(m + 1), repeat=k):
        if sum(n) != m:
            continue
        coef = factorial(m) // prod(factorial(c) for c in n)
        total += coef * max(prod(a**c for a, c in zip(p, n)) - prod(b**c for b, c in zip(q, n)), 0.0)
    return total


# --------------------------------------------------------------------------- Gaussians


@given(st.floats(0, 6), st.floats(0, 1))
def test_gaussian_boundary_is_threshold_test(d, e):
    # P = N(d, 1), Q = N(0, 1): the NP test is x > t; eps = Q(x > t), delta = P(x > t)
    t = norm.isf(e)
    expected = norm.sf(t, loc=d)
    np.testing.assert_allclose(GaussianRegion(d).delta_at(e), expected, rtol=1e-12, atol=1e-15)


def test_gaussian_mpmath_spot_checks():
    mp.mp.dps = 50
    for d in (0.3, 1.0, 2.5):
        g = GaussianRegion(d)
        for e in (1e-10, 0.01, 0.3, 0.9):
            z = mp_ppf(e)
            ref = mp.ncdf(z + d)
            np.testing.assert_allclose(g.delta_at(e), float(ref), rtol=1e-13)  # ndtr/ndtri accuracy
        np.testing.assert_allclose(g.tv, float(2 * mp.ncdf(mp.mpf(d) / 2) - 1), rtol=1e-14)
        np.testing.assert_allclose(g.area, float(mp.ncdf(mp.mpf(d) / mp.sqrt(2)) - mp.mpf(1) / 2), rtol=1e-14)


@pytest.mark.parametrize("d", [0.1, 1.0, 3.0])
def test_gaussian_closed_forms_against_quadrature(d):
    g = GaussianRegion(d)
    tv = integrate.quad(lambda x: 0.5 * abs(norm.pdf(x, d) - norm.pdf(x)), -12, 12 + d, points=[d / 2], epsabs=1e-13)[0]
    np.testing.assert_allclose(g.tv, tv, atol=1e-10)  # quad accuracy
    area = integrate.quad(lambda e: g.delta_at(e) - e, 0, 1, epsabs=1e-12, limit=200)[0]
    np.testing.assert_allclose(g.area, area, atol=1e-8)  # steep start at eps = 0 limits quad
    for s in (0.2, 1.0, 3.0):
        hs = integrate.quad(lambda x: max(norm.pdf(x, d) - s * norm.pdf(x), 0.0), -12, 12 + d, limit=200)[0]
        np.testing.assert_allclose(g.hockey_stick(s), hs, atol=1e-9)
    # tv = max over the boundary of delta - eps, attained at the apex
    grid = np.linspace(0, 1, 20001)
    assert np.max(g.delta_at(grid) - grid) <= g.tv + 1e-15
    e, dl = g.apex
    np.testing.assert_allclose(dl - e, g.tv, rtol=1e-13)
    np.testing.assert_allclose(e, norm.cdf(-d / 2), rtol=1e-13)  # S* = {x > d/2}: Q(S*) = Phi(-d/2)


def test_gaussian_packing_scales_shift():
    # d_TV(P^2, Q^2) by a 2-D midpoint rule of 1/2 |p1 p2 - q1 q2| vs 2 Phi(d sqrt(2) / 2) - 1
    d, h = 0.8, 0.01
    x = np.arange(-7.0, 7.0 + d, h) + h / 2
    px, qx = norm.pdf(x, d), norm.pdf(x)
    tv2 = 0.5 * np.abs(np.outer(px, px) - np.outer(qx, qx)).sum() * h * h
    np.testing.assert_allclose(GaussianRegion(d).pack(2).tv, tv2, atol=2e-5)  # midpoint rule across the kink
    assert gaussian_region(1.0, 3.0, 2.0, m=9) == GaussianRegion(3.0)
    for m in range(1, 6):  # packed TV increases with m
        assert GaussianRegion(d).pack(m + 1).tv > GaussianRegion(d).pack(m).tv


@pytest.mark.parametrize("d", [1e-6, 0.1, 1.0, 3.0, 10.0, 30.0, 50.0])
def test_certified_polygons_bracket_the_curve(d):
    mp.mp.dps = 50
    g = GaussianRegion(d)
    inner, outer = g.inner_polygon(64), g.outer_polygon(64)
    assert isinstance(inner, Region) and isinstance(outer, Region)

    def curve(e):
        if e == 0:
            return mp.mpf(0)
        if e == 1:
            return mp.mpf(1)
        return mp.ncdf(mp_ppf(e) + d)

    # inner vertices lie on or below the curve (exactly, in 50 digits)
    for e, y in inner.vertices:
        assert mp.mpf(y) <= curve(e)
    # outer: each edge lies above the curve; check the curve's support point of every edge slope
    # and its vertices in 50 digits
    v = outer.vertices
    for e, y in v:
        assert mp.mpf(y) >= curve(e)
    for (e0, y0), (e1, y1) in zip(v[:-1], v[1:]):
        if e1 > e0:
            s = mp.mpf(y1 - y0) / mp.mpf(e1 - e0)
            z = -mp.log(s) / d - mp.mpf(d) / 2
            es = mp.ncdf(z)
            if e0 < es < e1:
                assert mp.ncdf(z + d) <= mp.mpf(y0) + s * (es - mp.mpf(e0))
    assert inner.issubset(g, atol=0) and g.issubset(outer, atol=0)
    assert inner.issubset(outer, atol=0)


def test_polygon_gap_shrinks():
    g = GaussianRegion(1.0)
    gaps = [g.polygon_gap(n) for n in (16, 64, 256)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    assert gaps[2] < 1e-3  # second-order chords/tangents: ~ (16 / 256)^2 of the n=16 gap
    # a discrete pair from the inner polygon is a garbling of the Gaussian pair: its region is inside
    p, q = g.inner_polygon(32).to_pair()
    assert mode_collapse_region(p, q).issubset(g)
    assert not g.issubset(mode_collapse_region(p, q))


@pytest.mark.parametrize("d", [0.5, 1.5])
def test_packed_certified_pairs_bracket_packed_gaussian(d):
    # inner polygon ⊆ R(N(d,1), N(0,1)) ⊆ outer polygon; the polygons' pairs are garblings
    # (Blackwell), so tensorising keeps the order: R(inner^m) ⊆ R(Gauss^m) = GaussianRegion(d sqrt m)
    # ⊆ R(outer^m). Packed pairs by product enumeration here; a wrong sqrt(m) scaling or an
    # uncertified polygon would break one side.
    g = GaussianRegion(d)
    pin, qin = g.inner_polygon(8).to_pair()
    pout, qout = g.outer_polygon(8).to_pair()
    for m in (2, 3):
        gm = g.pack(m)
        rin = mode_collapse_region(*packed_pair_bruteforce(pin, qin, m))
        rout = mode_collapse_region(*packed_pair_bruteforce(pout, qout, m))
        assert rin.issubset(gm, atol=1e-12) and gm.issubset(rout, atol=1e-12)
        assert rin.tv <= gm.tv <= rout.tv
        # and the scaling is not a looser one: d * m (instead of d sqrt m) escapes the outer pair
        assert not GaussianRegion(d * m).issubset(rout)


def test_gaussian_inclusions_and_symmetry():
    a, b = GaussianRegion(0.5), GaussianRegion(1.5)
    assert a.issubset(b) and not b.issubset(a)
    assert a.reflect() is a
    assert a.inner_polygon().issubset(b) and not b.outer_polygon().issubset(a)
    assert GaussianRegion(0.0).tv == 0.0 and GaussianRegion(0.0).area == 0.0
    assert not GaussianRegion(0.0).contains(0.3, 0.31)
    assert b.contains(0.1, 0.3) and not b.contains(0.1, 0.6)
    e = b.eps_at(0.7)  # inverse boundary: Phi(Phi^-1(e) + d) = 0.7
    np.testing.assert_allclose(norm.cdf(norm.ppf(e) + 1.5), 0.7, rtol=1e-12)
    e, dl = b.boundary(50)
    assert e.shape == dl.shape == (50,) and e[0] == 0 and dl[-1] == 1


# --------------------------------------------------------------------------- PacGAN toy example


def test_pacgan_example_reference_values():
    # docs/theory.md s.3 (PacGAN, arXiv 1712.04086, Section 3): TV 0.2 each; apexes (0, .2) and (.3, .5)
    q1, q2 = pacgan_example("Q1"), pacgan_example("Q2")
    assert isinstance(q1, LikelihoodRatioPair)
    np.testing.assert_allclose(q1.p, [0.2, 0.8], atol=1e-15)
    np.testing.assert_allclose(q1.q, [0.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(q2.p, [0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(q2.q, [0.3, 0.7], atol=1e-15)
    assert q1.tv == pytest.approx(0.2, abs=1e-15) and q2.tv == pytest.approx(0.2, abs=1e-15)
    np.testing.assert_allclose(q1.region().apex, (0.0, 0.2), atol=1e-15)
    np.testing.assert_allclose(q2.region().apex, (0.3, 0.5), atol=1e-15)
    # packed m = 2 by enumerating the k^2 product atoms: 0.36 = 1 - 0.8^2 and 0.24 (docs/theory.md s.3)
    tv2 = [0.5 * np.abs(np.subtract(*packed_pair_bruteforce(*pair, 2))).sum() for pair in (q1, q2)]
    np.testing.assert_allclose(tv2, [0.36, 0.24], atol=1e-15)
    tv2_types = [packed_tv_types(pair.p, pair.q, 2) for pair in (q1, q2)]
    np.testing.assert_allclose(tv2_types, [0.36, 0.24], atol=1e-15)
    # and the packed regions from the product atoms have these TVs as their max (delta - eps)
    for pair, tv in zip((q1, q2), (0.36, 0.24)):
        np.testing.assert_allclose(mode_collapse_region(*packed_pair_bruteforce(*pair, 2)).tv, tv, atol=1e-15)
    p, q = q2  # unpacks
    assert p is q2.p


def test_piecewise_uniform_matches_continuous_tv():
    # a continuous pair with 3 pieces: TV from quadrature of the densities equals the discrete TV
    edges, fp, fq = [0.0, 0.3, 0.7, 1.0], [2.0, 0.5, 0.6], [0.5, 1.5, 0.5]
    pair = piecewise_uniform_pair(edges, np.array(fp) / np.dot(fp, np.diff(edges)), np.array(fq) / np.dot(fq, np.diff(edges)))
    fp = np.array(fp) / np.dot(fp, np.diff(edges))
    fq = np.array(fq) / np.dot(fq, np.diff(edges))
    tv = sum(0.5 * abs(a - b) * w for a, b, w in zip(fp, fq, np.diff(edges)))
    np.testing.assert_allclose(pair.tv, tv, atol=1e-15)


@pytest.mark.parametrize(
    "args, exc, match",
    [
        (([0, 1], [1.0], [0.5]), ValueError, "q_density must integrate"),
        (([0, 1, 1], [1.0, 1.0], [1.0, 1.0]), ValueError, "strictly increasing"),
        (([0, 1], [1.0, 0.0], [1.0]), ValueError, "one value per piece"),
        (([0, 1], [-1.0], [1.0]), ValueError, "non-negative"),
    ],
)
def test_piecewise_uniform_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        piecewise_uniform_pair(*args)


def test_bad_input():
    with pytest.raises(ValueError, match="name"):
        pacgan_example("Q3")
    with pytest.raises(ValueError, match="sigma"):
        gaussian_region(0, 1, 0.0)
    with pytest.raises(ValueError, match="m"):
        gaussian_region(0, 1, 1.0, m=0)
    with pytest.raises(TypeError, match="m"):
        GaussianRegion(1.0).pack(2.0)
    with pytest.raises(ValueError, match="d"):
        GaussianRegion(-1.0)
    with pytest.raises(ValueError, match="eps"):
        GaussianRegion(1.0).delta_at(-0.5)
    with pytest.raises(AttributeError):
        GaussianRegion(1.0).foo = 2


def test_doctests_and_names():
    assert doctest.testmod(_families).failed == 0
    for name in _families.__all__:
        assert getattr(regions, name) is getattr(_families, name)
