"""Certified packed TV brackets, the packed pair and packed regions (docs/theory.md s.3, s.4).

The certified (lattice + FFT) path is forced with ``method="lattice"`` on cases where the exact
path also runs, so every bracket is checked against an exact value computed by other code
(type classes with binomial tails, and brute-force enumeration for the smallest cases).
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modecollapse.regions import (
    PackedPair,
    PackedRegion,
    mode_collapse_region,
    packed_pair,
    packed_region,
    packed_tv,
    packed_tv_bounds,
)


def brute_tv(p, q, m):
    p, q = np.asarray(p, float), np.asarray(q, float)
    idx = np.array(list(itertools.product(range(p.size), repeat=m)))
    return 0.5 * float(np.abs(np.prod(p[idx], axis=1) - np.prod(q[idx], axis=1)).sum())


def bench_pair(k, kind, seed=0):
    """The benchmark's pairs: P ~ Dirichlet(1); 'near': Q = P e^{0.05 Z} renormalised; 'far': Q ~ Dirichlet(1)."""
    rng = np.random.default_rng(seed + 1000 * k)
    p = rng.dirichlet(np.ones(k))
    if kind == "near":
        q = p * np.exp(0.05 * rng.standard_normal(k))
    else:
        q = rng.dirichlet(np.ones(k))
    return p, q / q.sum()


@st.composite
def pairs(draw, k_min=3, k_max=5):
    k = draw(st.integers(k_min, k_max))
    p = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
    q = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
    p[0] += 0.05  # keep at least one finite-ratio class on each side
    q[1] += 0.05
    return p / p.sum(), q / q.sum()


# --- the bracket contains the exact value and honours the width --------------------------------


@settings(max_examples=25)
@given(pairs(), st.integers(2, 40), st.sampled_from([1e-3, 1e-5, 1e-7]))
def test_certified_bracket_contains_exact(pq, m, width):
    p, q = pq
    exact = packed_tv_bounds(p, q, m)
    assert exact.exact
    b = packed_tv_bounds(p, q, m, width=width, method="lattice")
    assert b.lower <= exact.lower + 1e-14 and exact.lower <= b.upper + 1e-14  # 1e-14: exact path round-off
    assert b.upper - b.lower <= width
    assert 0.0 <= b.lower <= b.upper <= 1.0


@pytest.mark.parametrize("k,m", [(3, 3), (4, 4), (5, 3)])
def test_certified_bracket_against_enumeration(k, m):
    rng = np.random.default_rng(k * 10 + m)
    p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
    ref = brute_tv(p, q, m)
    for width in (1e-2, 1e-4, 1e-8):
        b = packed_tv_bounds(p, q, m, width=width, method="lattice")
        assert b.lower - 1e-14 <= ref <= b.upper + 1e-14 and b.width <= width


@pytest.mark.parametrize("kind", ["near", "far"])
@pytest.mark.parametrize("k,m", [(10, 2), (10, 10), (100, 2)])
def test_certified_on_exact_computable_benchmark_grid(kind, k, m):
    # benchmark grid points where the exact type-class path is feasible
    p, q = bench_pair(k, kind)
    exact = packed_tv_bounds(p, q, m)
    assert exact.exact
    b = packed_tv_bounds(p, q, m, width=1e-6, method="lattice")
    assert b.lower - 1e-14 <= exact.lower <= b.upper + 1e-14 and b.width <= 1e-6


def test_certified_zero_atoms_mid_range_value():
    # P-only and Q-only atoms with the finite part in the middle of its range: the bracket must hold
    p = np.array([0.05, 0.3, 0.25, 0.4, 0.0])
    q = np.array([0.0, 0.28, 0.3, 0.32, 0.1])
    for m in (3, 20, 60):
        ex = packed_tv(p, q, m)
        b = packed_tv_bounds(p, q, m, width=1e-8, method="lattice")
        assert b.lower - 1e-14 <= ex <= b.upper + 1e-14 and b.width <= 1e-8
        assert b.lower >= -math.expm1(m * math.log1p(-0.05)) - 1e-14  # P-only mass alone


def test_lower_end_is_a_real_test_and_is_tight():
    # A test-set lower bound loses only O(rho E^2); check it is much closer than the width asked.
    p, q = bench_pair(10, "near")
    ex = packed_tv(p, q, 50)
    b = packed_tv_bounds(p, q, 50, width=1e-4, method="lattice")
    assert b.lower <= ex <= b.upper
    assert ex - b.lower < 0.5 * 1e-4


def test_exact_method_refuses_with_cost_and_auto_certifies():
    p, q = bench_pair(1000, "far")
    with pytest.raises(ValueError, match="outer type combinations"):
        packed_tv_bounds(p, q, 10, method="exact")
    b = packed_tv_bounds(p, q, 10, width=1e-6)
    assert not b.exact and b.method == "lattice-fft" and b.width <= 1e-6
    assert b.lower <= packed_tv(p, q, 10, width=1e-6) <= b.upper  # packed_tv returns the midpoint


def test_explicit_exact_runs_up_to_1e7_type_classes():
    # k = 10, m = 16: 2.0e6 type classes but 7.4e5 outer combinations, beyond the cheap limit:
    # "auto" certifies, an explicit "exact" enumerates (the exact path runs wherever the type classes number <= 1e7)
    p, q = bench_pair(10, "near")
    auto = packed_tv_bounds(p, q, 16, width=1e-8)
    assert not auto.exact
    ex = packed_tv_bounds(p, q, 16, method="exact")
    assert ex.exact and ex.method == "type-classes"
    assert auto.lower - 1e-14 <= ex.lower <= auto.upper + 1e-14
    with pytest.raises(ValueError, match=r"type classes \(limit 1e7\)"):
        packed_tv_bounds(p, q, 25, method="exact")  # C(34, 9) = 5.2e7 type classes


def test_huge_m_raises_with_cost_instead_of_hanging():
    p, q = bench_pair(10, "near")
    # this pair is far apart at m = 1e6 (Bhattacharyya BC^m ~ e^-300): a certified [1 - BC^m, 1]
    # at once instead of the lattice's cost error
    b = packed_tv_bounds(p, q, 10**6, width=1e-9, max_points=2**16)
    assert b.method == "hellinger" and b.width <= 1e-9
    # a pair with no narrow Hellinger bracket (BC^m ~ 1e-5) still gets the cost error
    rng = np.random.default_rng(1)
    p2 = rng.dirichlet(np.ones(10))
    q2 = p2 * np.exp(0.01 * rng.standard_normal(10))
    with pytest.raises(ValueError, match=r"FFT of ~.* points .*GB"):
        packed_tv_bounds(p2, q2 / q2.sum(), 10**6, width=1e-9, max_points=2**16)
    with pytest.raises(ValueError, match="type classes"):
        packed_pair(p, q, 10**4)


def test_bad_method_and_max_points():
    with pytest.raises(ValueError, match="method must be one of"):
        packed_tv_bounds([0.5, 0.5], [0.4, 0.6], 2, method="fast")
    with pytest.raises(ValueError, match="max_points"):
        packed_tv_bounds([0.5, 0.5], [0.4, 0.6], 2, max_points=10)


# --- packed pair ------------------------------------------------------------------------------


@pytest.mark.parametrize("k,m", [(2, 5), (3, 4), (4, 3)])
def test_packed_pair_matches_sequence_enumeration(k, m):
    rng = np.random.default_rng(7 * k + m)
    p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
    pp = packed_pair(p, q, m)
    assert isinstance(pp, PackedPair)
    P2, Q2 = pp
    assert P2.sum() == pytest.approx(1.0, abs=1e-13) and Q2.sum() == pytest.approx(1.0, abs=1e-13)
    # group all k^m sequences by their log-ratio (rounded) and compare the masses
    idx = np.array(list(itertools.product(range(k), repeat=m)))
    ps, qs = np.prod(p[idx], axis=1), np.prod(q[idx], axis=1)
    lr = np.round(np.log(ps) - np.log(qs), 9)
    for value, mp, mq in zip(pp.log_ratio, P2, Q2):
        sel = np.abs(lr - value) < 1e-8
        assert mp == pytest.approx(ps[sel].sum(), abs=1e-14) and mq == pytest.approx(qs[sel].sum(), abs=1e-14)
    assert np.all(np.diff(pp.log_ratio) < 0)  # sorted, merged
    assert 0.5 * np.abs(P2 - Q2).sum() == pytest.approx(brute_tv(p, q, m), abs=1e-13)


def test_packed_pair_zero_atoms():
    pp = packed_pair([0.2, 0.8, 0.0], [0.0, 0.9, 0.1], 3)
    assert pp.log_ratio[0] == np.inf and pp.log_ratio[-1] == -np.inf
    assert pp.p[0] == pytest.approx(1 - 0.8**3, abs=1e-15) and pp.q[0] == 0.0
    assert pp.q[-1] == pytest.approx(1 - 0.9**3, abs=1e-15) and pp.p[-1] == 0.0


# --- packed region ----------------------------------------------------------------------------


@settings(max_examples=20)
@given(pairs(2, 4))
def test_packed_region_m1_is_the_region(pq):
    p, q = pq
    pr = packed_region(p, q, 1)
    assert isinstance(pr, PackedRegion) and pr.exact
    assert pr.region.isclose(mode_collapse_region(p, q))
    assert pr.region.tv == pytest.approx(packed_tv(p, q, 1), abs=1e-13)


@settings(max_examples=20)
@given(pairs(2, 4), st.integers(2, 6))
def test_packed_region_tv_equals_packed_tv(pq, m):
    p, q = pq
    pr = packed_region(p, q, m)
    assert pr.region.tv == pytest.approx(packed_tv(p, q, m), abs=1e-12)  # max(delta - eps) over R


def test_pacgan_toy_packed_regions():
    # docs/theory.md s.3: m = 2, P vs Q1 has apex (0, 0.36) (no Q mass on the P-only part); P vs Q2 TV 0.24
    r1 = packed_region([0.2, 0.8], [0.0, 1.0], 2).region
    assert r1.apex == pytest.approx((0.0, 0.36), abs=1e-15)
    r2 = packed_region([0.5, 0.5], [0.3, 0.7], 2).region
    assert r2.tv == pytest.approx(0.24, abs=1e-15)


@pytest.mark.parametrize("k,m", [(4, 25), (5, 15)])
def test_certified_region_encloses_exact_region(k, m):
    rng = np.random.default_rng(k + 100 * m)
    p = rng.dirichlet(np.ones(k))
    q = p * np.exp(0.3 * rng.standard_normal(k))
    q /= q.sum()
    exact = packed_region(p, q, m)
    cert = packed_region(p, q, m, method="lattice", width=1e-6)
    assert exact.exact and not cert.exact and cert.method == "lattice-fft"
    assert cert.inner.issubset(exact.region)
    assert exact.region.issubset(cert.outer)
    assert cert.tv.lower <= exact.region.tv + 1e-12 and exact.region.tv <= cert.tv.upper + 1e-12
    assert cert.gap < 0.05  # the two polygons are close (E-limited outer, threshold-limited inner)
    with pytest.raises(ValueError, match="certified"):
        cert.region
