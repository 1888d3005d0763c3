"""PacGAN bound optimisations (regions._bounds): reference values, closed forms, mpmath and
enumeration oracles, brute force over random pairs, and the proofs' premises checked numerically.

Oracles of another kind than the code under test:
* ``_enum_packed_tv``: d_TV(P^m, Q^m) by listing all k^m sequences (no type classes, no logs);
* mpmath at 50 digits for the binary sums and breakpoints;
* ``_support.oracles``: type-class enumeration, a monotone-chain hull and an angle-sorted ROC curve,
  written independently of the package's exact path, hull and ``Region``;
* ``regions.packed_tv`` (the exact packed-TV path) on every extremal pair;
* ``regions.mode_collapse_region`` / ``has_mode_collapse`` for every collapse claim.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _support import oracles

from modecollapse import regions
from modecollapse.regions import (
    PackedTVOptimum,
    TVBand,
    has_mode_collapse,
    packed_tv_max,
    packed_tv_max_without_collapse,
    packed_tv_min,
    packed_tv_min_with_collapse,
    tv_band,
)


def _enum_packed_tv(p, q, m):
    """d_TV(P^m, Q^m) by brute-force enumeration of all k^m sequences (independent oracle)."""
    p = np.asarray(p, float)
    q = np.asarray(q, float)
    total = 0.0
    for seq in itertools.product(range(p.size), repeat=m):
        total += abs(np.prod(p[list(seq)]) - np.prod(q[list(seq)]))
    return 0.5 * total


def _packed_tv(p, q, m):
    """``regions.packed_tv``: the package's packed TV (exact path for these small pairs), a float."""
    return regions.packed_tv(np.asarray(p, float), np.asarray(q, float), m)


def _tv(p, q):
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def _random_pair(rng, k, zero_prob=0.3):
    p = rng.dirichlet(np.full(k, 0.6))
    q = rng.dirichlet(np.full(k, 0.6))
    if rng.random() < zero_prob:
        p[rng.integers(k)] = 0.0
        p /= p.sum()
    if rng.random() < zero_prob:
        q[rng.integers(k)] = 0.0
        q /= q.sum()
    return p, q


# ---------------------------------------------------------------------------------------------
# reference values (docs/theory.md s.4) and closed forms
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tau, m, ref",
    [(0.2, 3, 0.264651), (0.3, 4, 0.436500), (0.5, 5, 0.756107)],  # docs/theory.md s.4.A reference values
)
def test_L_reference_values(tau, m, ref):
    r = packed_tv_min(tau, m)
    assert abs(r.value - ref) <= 5e-7  # references are given to 6 decimals
    assert isinstance(r, PackedTVOptimum) and r.kind == "min" and r.family == "binary"


@pytest.mark.parametrize(
    "eps, delta, tau, m, ref",
    [(0.0, 0.1, 0.2, 2, 0.25333), (0.0, 0.1, 0.5, 2, 0.52778)],  # docs/theory.md s.4.B reference values
)
def test_L1_reference_values(eps, delta, tau, m, ref):
    r = packed_tv_min_with_collapse(tau, m, eps=eps, delta=delta)
    assert abs(r.value - ref) <= 5e-6  # references given to 5 decimals


def test_L1_reference_closed_form():
    # derived: for eps=0, delta=0.1, tau=0.2, m=2 the optimum is the apex-first 3-atom pair
    # P=[.1, .9-a, a], Q=[0, .8-a, a+.2] at the breakpoint where the type class (0,1,1) has
    # likelihood ratio 1: 2(.9-a)a = 2(.8-a)(a+.2), i.e. a = 8/15. Value by exact rational enumeration.
    from fractions import Fraction as F

    a = F(8, 15)
    p, q = [F(1, 10), F(9, 10) - a, a], [F(0), F(8, 10) - a, a + F(2, 10)]
    exact = sum(abs(p[i] * p[j] - q[i] * q[j]) for i in range(3) for j in range(3)) / 2
    r = packed_tv_min_with_collapse(0.2, 2, eps=0.0, delta=0.1)
    assert exact == F(19, 75)
    assert r.value == pytest.approx(float(exact), abs=1e-13)  # exact rational optimum
    assert r.alpha == pytest.approx(8 / 15, abs=1e-9)


@pytest.mark.parametrize("tau", [0.0, 1e-9, 0.1, 0.37, 0.5, 0.999, 1.0])
def test_L_m2_equals_tau_and_m1(tau):
    assert packed_tv_min(tau, 2).value == pytest.approx(tau, abs=1e-15)  # L(tau,2) = tau exactly
    assert packed_tv_min(tau, 1).value == pytest.approx(tau, abs=1e-15)


@pytest.mark.parametrize("tau, m", [(1e-12, 3), (1e-6, 50), (0.3, 7), (0.9, 200), (0.5, 1)])
def test_max_closed_form_mpmath(tau, m):
    mpmath.mp.dps = 50
    ref = 1 - (1 - mpmath.mpf(tau)) ** m
    r = packed_tv_max(tau, m)
    assert r.value == pytest.approx(float(ref), rel=1e-14)  # expm1/log1p: no cancellation at small tau
    if m <= 7:
        assert _enum_packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-13)  # the pair attains it
    assert _tv(r.p, r.q) == pytest.approx(tau, abs=1e-15)


def _mp_L(tau, m):
    """Independent mpmath oracle: bisection for each breakpoint, exact binomial sums at 50 digits."""
    mpmath.mp.dps = 50
    t = mpmath.mpf(tau)

    def f(a):
        b = a + t
        return sum(abs(mpmath.binomial(m, j) * (a**j * (1 - a) ** (m - j) - b**j * (1 - b) ** (m - j)))
                   for j in range(m + 1)) / 2

    best = mpmath.mpf(1)
    for j in range(1, m):
        lo, hi = mpmath.mpf(0), 1 - t
        for _ in range(120):
            mid = (lo + hi) / 2
            h = j * mpmath.log((mid + t) / mid) + (m - j) * mpmath.log((1 - mid - t) / (1 - mid))
            lo, hi = (mid, hi) if h > 0 else (lo, mid)
        best = min(best, f(lo))
    return best


@pytest.mark.parametrize("tau, m", [(0.2, 3), (0.05, 7), (0.41, 9), (0.6, 6), (0.03, 40)])
def test_L_against_mpmath(tau, m):
    assert packed_tv_min(tau, m).value == pytest.approx(float(_mp_L(tau, m)), abs=1e-12)  # rounding only


@pytest.mark.parametrize("tau, m", [(0.2, 3), (0.05, 5), (0.5, 7), (0.3, 9), (0.1, 11)])
def test_L_premise_pieces_are_unimodal_and_grid_never_lower(tau, m):
    """Premise of the breakpoint method: between breakpoints each piece increases then decreases.
    Check directly on a dense grid: every local minimum of the sampled objective sits within one grid
    step of a breakpoint, and no grid value is below the claimed global minimum."""
    from modecollapse.regions._bounds import _binary_breakpoints
    from modecollapse.regions._bernoulli import _binary_packed_tv

    grid = np.linspace(0, 1 - tau, 4001)
    vals = np.array([_binary_packed_tv(a, a + tau, m) for a in grid])
    L = packed_tv_min(tau, m).value
    assert vals.min() >= L - 1e-14  # no grid point beats the claimed minimum
    r = _binary_breakpoints(tau, m, np.arange(1, m))
    h = grid[1] - grid[0]
    loc = np.nonzero((vals[1:-1] < vals[:-2]) & (vals[1:-1] <= vals[2:]))[0] + 1
    assert loc.size >= 1
    for i in loc:
        assert np.min(np.abs(r - grid[i])) <= h * 1.01
    # several local minima exist for odd m (why a grid plus local refinement is risky)
    if m % 2 and m >= 5:
        assert loc.size >= 2


def test_L_large_m_consistent():
    # m > 400 uses the incomplete-beta screening; compare with the direct log-space evaluation at
    # every breakpoint (m = 401) and with the mpmath-free monotonicity in m
    from modecollapse.regions._bounds import _binary_breakpoints
    from modecollapse.regions._bernoulli import _binary_packed_tv

    tau, m = 0.05, 401
    r = _binary_breakpoints(tau, m, np.arange(1, m))
    direct = min(_binary_packed_tv(a, a + tau, m) for a in r)
    assert packed_tv_min(tau, m).value == pytest.approx(direct, abs=1e-12)
    assert packed_tv_min(tau, 400).value <= packed_tv_min(tau, 401).value + 1e-12


def test_monotone_in_tau_and_m():
    taus = np.linspace(0, 1, 21)
    for m in (2, 3, 5, 8):
        lo = [packed_tv_min(t, m).value for t in taus]
        hi = [packed_tv_max(t, m).value for t in taus]
        assert np.all(np.diff(lo) >= -1e-13) and np.all(np.diff(hi) >= -1e-13)
        assert np.all(np.array(lo) <= np.array(hi) + 1e-15)
    for t in (0.1, 0.3, 0.7):
        # packing more never lowers TV for any pair, so neither the min nor the max decreases in m
        lo = [packed_tv_min(t, m).value for m in range(1, 12)]
        assert np.all(np.diff(lo) >= -1e-13)
    assert tv_band(0.3, 2) == (packed_tv_min(0.3, 2).value, packed_tv_max(0.3, 2).value)


def test_tv_band_is_a_named_result():
    band = tv_band(0.3, 4)
    assert isinstance(band, TVBand)
    assert band.lower == packed_tv_min(0.3, 4).value and band.upper == packed_tv_max(0.3, 4).value
    lo, hi = band  # still unpacks like the (lower, upper) pair callers use
    assert (lo, hi) == (band.lower, band.upper)
    with pytest.raises(AttributeError):
        band.lower = 0.0  # frozen


# ---------------------------------------------------------------------------------------------
# extremal pairs attain their values (enumeration oracle and regions.packed_tv)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tau, m", [(0.2, 3), (0.3, 4), (0.5, 5), (0.05, 2)])
def test_extremal_pairs_attain(tau, m):
    for r in (packed_tv_min(tau, m), packed_tv_max(tau, m)):
        assert _tv(r.p, r.q) == pytest.approx(tau, abs=1e-14)
        assert _enum_packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-13)
        assert _packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-11)
        assert not r.p.flags.writeable


# ---------------------------------------------------------------------------------------------
# brute force and hypothesis over random pairs
# ---------------------------------------------------------------------------------------------


@st.composite
def pairs(draw, kmax=5):
    k = draw(st.integers(2, kmax))
    w = st.floats(0.0, 1.0, allow_nan=False)
    a = np.array(draw(st.lists(w, min_size=k, max_size=k)))
    b = np.array(draw(st.lists(w, min_size=k, max_size=k)))
    if a.sum() <= 1e-6 or b.sum() <= 1e-6:
        a, b = a + 1.0, b + 0.5
    return a / a.sum(), b / b.sum()


@given(pair=pairs(), m=st.integers(1, 4))
@settings(max_examples=40)
def test_band_contains_every_pair(pair, m):
    """L(tau, m) <= d_TV(P^m, Q^m) <= 1 - (1-tau)^m for every pair with d_TV(P, Q) = tau."""
    p, q = pair
    tau = min(max(_tv(p, q), 0.0), 1.0)
    v = _enum_packed_tv(p, q, m)
    lo, hi = tv_band(tau, m)
    assert lo - 1e-12 <= v <= hi + 1e-12  # rounding of the enumeration and of the bounds


def test_bruteforce_min_max_random_pairs():
    """No random pair on 2-5 atoms beats L(tau, m) or exceeds 1-(1-tau)^m (300 pairs, m = 2..5)."""
    rng = np.random.default_rng(2024)
    gaps = []
    for _ in range(300):
        p, q = _random_pair(rng, int(rng.integers(2, 6)))
        m = int(rng.integers(2, 6))
        tau = _tv(p, q)
        v = oracles.packed_tv_atoms(p, q, m)
        lo, hi = tv_band(tau, m)
        assert lo - 1e-12 <= v <= hi + 1e-12
        gaps.append(v - lo)
    assert min(gaps) < 0.05  # the pairs do come near the lower bound (the test can bite)


def test_proof_chain_with_blackwell_garblings():
    """The proofs' Blackwell step, checked with regions.blackwell_garbling (an LP):
    for random pairs (P,Q) with TV tau touching the TV line at x, the inner pairs (binary triangle at
    x; with a collapse point inside R(P,Q), the hull pair of docs/theory.md s.4.B) are garblings of (P,Q), and
    (P,Q) is a garbling of the outer pair [tau, 1-tau, 0], [0, 1-tau, tau]."""
    from modecollapse.regions import blackwell_garbling, mode_collapse_region
    from modecollapse.regions._bounds import _l1_pair

    rng = np.random.default_rng(19)
    for _ in range(12):
        p, q = _random_pair(rng, int(rng.integers(2, 6)))
        tau = _tv(p, q)
        if not 0.02 < tau < 0.98:
            continue
        x = float(q[p > q].sum())  # the apex (Q(S*), P(S*)) of R(P,Q), S* = {p > q}
        inner = (np.array([x + tau, 1 - x - tau]), np.array([x, 1 - x]))
        assert blackwell_garbling(*inner, p, q) is not None
        outer = (np.array([tau, 1 - tau, 0.0]), np.array([0.0, 1 - tau, tau]))
        assert blackwell_garbling(p, q, *outer) is not None
        reg = mode_collapse_region(p, q)
        eps = float(rng.uniform(0, 1))
        delta = float(reg.delta_at(eps))
        if delta > eps + 1e-6 and delta - eps <= tau:
            hp, hq = _l1_pair(x, eps, delta, tau)
            assert blackwell_garbling(hp, hq, p, q) is not None
            assert packed_tv_min_with_collapse(tau, 3, eps=eps, delta=delta).value <= \
                _packed_tv(p, q, 3) + 1e-10


# ---------------------------------------------------------------------------------------------
# L1: minimum under (eps, delta)-mode collapse
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tau, m, eps, delta",
    [(0.2, 2, 0.0, 0.1), (0.5, 3, 0.1, 0.4), (0.3, 4, 0.2, 0.45), (0.35, 5, 0.05, 0.35), (0.6, 3, 0.3, 0.9),
     (0.25, 3, 0.0, 0.25)],
)
def test_L1_pair_attains_and_collapses(tau, m, eps, delta):
    r = packed_tv_min_with_collapse(tau, m, eps=eps, delta=delta)
    assert _tv(r.p, r.q) == pytest.approx(tau, abs=1e-14)
    assert _enum_packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-12)
    assert _packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-11)
    # the extremal pair has the collapse under both readings (a deterministic set realises it)
    assert has_mode_collapse(r.p, r.q, eps, delta)
    assert has_mode_collapse(r.p, r.q, eps, delta, randomized=False)
    # L1 >= L, and L1 = L when the unconstrained binary minimiser already collapses
    L = packed_tv_min(tau, m)
    assert r.value >= L.value - 1e-12
    if has_mode_collapse(L.p, L.q, eps, delta):
        assert r.value == pytest.approx(L.value, abs=1e-12)


@pytest.mark.parametrize("tau, m, eps, delta", [(0.2, 2, 0.0, 0.1), (0.5, 3, 0.1, 0.4), (0.35, 5, 0.05, 0.35),
                                                (0.3, 3, 0.15, 0.4)])
def test_L1_against_dense_scan_of_hulls(tau, m, eps, delta):
    """Independent scan: the pair of conv{(0,0),(eps,delta),(x,x+tau),(1,1)} for 600 contact points x,
    evaluated by enumeration; none is below L1 and the best is within the scan's resolution."""
    best = np.inf
    for x in np.linspace(0, 1 - tau, 600):
        hull = oracles.upper_hull([(0, 0), (eps, delta), (x, x + tau), (1, 1)])
        p, q = oracles.pair_from_chain(hull)
        best = min(best, _enum_packed_tv(p, q, m) if m <= 3 else oracles.packed_tv_atoms(p, q, m))
    v = packed_tv_min_with_collapse(tau, m, eps=eps, delta=delta).value
    assert best >= v - 1e-12
    assert best - v <= 2 * m * (1 - tau) / 599  # Lipschitz (<= 2m per unit of x) times the step


def test_L1_bruteforce_random_collapsing_pairs():
    """Random pairs on 2-5 atoms given (eps, delta)-collapse by construction never beat L1."""
    rng = np.random.default_rng(7)
    mcr = regions.mode_collapse_region
    n_checked = 0
    gaps = []
    for _ in range(250):
        p, q = _random_pair(rng, int(rng.integers(2, 6)))
        tau = _tv(p, q)
        if tau < 1e-3:
            continue
        reg = mcr(p, q)
        eps = float(rng.uniform(0, 0.6))
        top = float(reg.delta_at(eps))
        if top <= eps + 1e-6:
            continue
        delta = float(rng.uniform(eps + 0.5 * (top - eps), top))  # inside the region: collapse holds
        m = int(rng.integers(2, 5))
        v = oracles.packed_tv_atoms(p, q, m)
        L1 = packed_tv_min_with_collapse(tau, m, eps=eps, delta=delta).value
        assert v >= L1 - 1e-10
        gaps.append(v - L1)
        n_checked += 1
    assert n_checked > 100 and min(gaps) < 0.02


def _local_search_min(tau, m, eps=None, delta=None, seed=0, starts=4, k=3):
    """Independent optimiser: Nelder-Mead over pairs on k atoms (softmax logits), Q pulled towards
    P until d_TV = tau, infeasible points penalised. Its minimum can only be >= the true one."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)

    def obj(z):
        p = np.exp(z[:k] - z[:k].max())
        q = np.exp(z[k:] - z[k:].max())
        p, q = p / p.sum(), q / q.sum()
        t = _tv(p, q)
        if t < tau:
            return 2 + tau - t
        q = q + (1 - tau / t) * (p - q)
        if eps is not None and oracles.delta_star(p, q, eps) < delta:
            return 1.5 + delta - oracles.delta_star(p, q, eps)
        return oracles.packed_tv_atoms(p, q, m)

    return min(minimize(obj, rng.normal(0, 2, 2 * k), method="Nelder-Mead",
                        options=dict(maxiter=400, xatol=1e-9, fatol=1e-12)).fun for _ in range(starts))


@pytest.mark.parametrize("tau, m, eps, delta", [(0.5, 5, None, None), (0.5, 3, 0.1, 0.4), (0.35, 4, 0.05, 0.35)])
def test_minima_against_local_search_over_pairs(tau, m, eps, delta):
    """A generic optimiser over 3-atom pairs never goes below L / L1 and gets close to them."""
    found = _local_search_min(tau, m, eps, delta)
    if eps is None:
        claimed = packed_tv_min(tau, m).value
    else:
        claimed = packed_tv_min_with_collapse(tau, m, eps=eps, delta=delta).value
    assert found >= claimed - 1e-10
    assert found <= claimed + 5e-3  # the search is effective, so the first assert can bite


def test_L1_monotone_in_delta_and_m():
    eps, tau = 0.1, 0.4
    vals = [packed_tv_min_with_collapse(tau, 3, eps=eps, delta=d).value for d in np.linspace(0.15, 0.5, 8)]
    assert np.all(np.diff(vals) >= -1e-12)  # stronger collapse, fewer pairs, larger minimum
    vals = [packed_tv_min_with_collapse(tau, m, eps=eps, delta=0.45).value for m in range(1, 7)]
    assert np.all(np.diff(vals) >= -1e-12)
    assert vals[0] == pytest.approx(tau, abs=1e-15)  # m = 1: the TV itself


# ---------------------------------------------------------------------------------------------
# 4.C: maximum without collapse
# ---------------------------------------------------------------------------------------------


def _no_collapse(p, q, eps, delta, two_sided):
    ok = not has_mode_collapse(p, q, eps, delta)
    return ok and (not two_sided or not has_mode_collapse(q, p, eps, delta))


@pytest.mark.parametrize("tau, eps, delta", [(0.6, 0.1, 0.5), (0.45, 0.1, 0.5), (0.2, 0.0, 0.3), (0.5, 0.2, 0.9),
                                             (0.05, 0.1, 0.2)])
@pytest.mark.parametrize("m", [2, 3, 5])
def test_one_sided_equals_unconstrained_max(tau, eps, delta, m):
    r = packed_tv_max_without_collapse(tau, m, eps=eps, delta=delta)
    assert r.value == packed_tv_max(tau, m).value  # the claim: the constraint never lowers the max
    assert r.attained and _no_collapse(r.p, r.q, eps, delta, False)
    assert not has_mode_collapse(r.p, r.q, eps, delta, randomized=False)  # nor under the set reading
    assert _tv(r.p, r.q) == pytest.approx(tau, abs=1e-14)
    assert _packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-11)


def test_one_sided_feasibility_boundary():
    """Feasible iff tau < max(A, B): just below, a witness exists; at and above, every pair collapses
    (checked on 400 random pairs with TV >= max(A, B) and with has_mode_collapse)."""
    eps, delta = 0.1, 0.5
    A, B = (delta - eps) / (1 - eps), (delta - eps) / delta
    packed_tv_max_without_collapse(max(A, B) - 1e-9, 3, eps=eps, delta=delta)
    with pytest.raises(ValueError, match="infeasible"):
        packed_tv_max_without_collapse(max(A, B), 3, eps=eps, delta=delta)
    rng = np.random.default_rng(3)
    seen = 0
    for _ in range(400):
        p, q = _random_pair(rng, int(rng.integers(2, 6)), zero_prob=0.6)
        if _tv(p, q) >= max(A, B):
            assert has_mode_collapse(p, q, eps, delta)
            seen += 1
    assert seen > 10


def test_deterministic_set_reading_remark():
    """Docstring remark: under the set reading the one-sided problem stays feasible up to
    max(delta, 1-eps) (> max(A, B)) with the same optimum, and every pair beyond collapses."""
    eps, delta, m = 0.1, 0.5, 3  # max(A, B) = 0.8 < max(delta, 1 - eps) = 0.9
    tau = 0.85
    p, q = np.array([1.0, 0.0]), np.array([1 - tau, tau])
    assert has_mode_collapse(p, q, eps, delta)  # region reading: infeasible ...
    with pytest.raises(ValueError, match="infeasible"):
        packed_tv_max_without_collapse(tau, m, eps=eps, delta=delta)
    assert not has_mode_collapse(p, q, eps, delta, randomized=False)  # ... set reading: feasible
    assert _enum_packed_tv(p, q, m) == pytest.approx(packed_tv_max(tau, m).value, abs=1e-14)
    p2, q2 = np.array([0.45, 0.55]), np.array([0.0, 1.0])  # tau = 0.45 < delta
    assert not has_mode_collapse(p2, q2, eps, delta, randomized=False)
    rng = np.random.default_rng(5)
    seen = 0
    for _ in range(600):
        p, q = _random_pair(rng, int(rng.integers(2, 6)), zero_prob=0.7)
        if _tv(p, q) >= 0.9:
            assert has_mode_collapse(p, q, eps, delta, randomized=False)
            seen += 1
    assert seen >= 5


@pytest.mark.parametrize("tau, m, eps, delta", [(0.6, 2, 0.1, 0.5), (0.4, 3, 0.05, 0.3), (0.35, 4, 0.1, 0.4)])
def test_two_sided_numeric_branch(tau, m, eps, delta):
    from modecollapse.regions._bounds import _angle_ranges, _two_sided_value

    r = packed_tv_max_without_collapse(tau, m, eps=eps, delta=delta, two_sided=True)
    vmax = packed_tv_max(tau, m).value
    assert r.value < vmax - 1e-3  # strictly below the unconstrained max (m >= 2, tau >= min(A, B))
    assert _tv(r.p, r.q) == pytest.approx(tau, abs=1e-13)
    assert _packed_tv(r.p, r.q, m) == pytest.approx(r.value, abs=1e-11)
    # the pair is feasible in the closed sense (collapse at most with equality on each side)
    assert oracles.delta_star(r.p, r.q, eps) <= delta + 1e-9 and oracles.delta_star(r.q, r.p, eps) <= delta + 1e-9
    # no direction pair on another 30x30 grid does better
    (a0, a1), (b0, b1) = _angle_ranges(eps, delta)
    grid_best = max(_two_sided_value((a, b), eps, delta, tau, m)[0]
                    for a in np.linspace(a0, a1, 30) for b in np.linspace(b0, b1, 30))
    assert grid_best <= r.value + 1e-12
    # symmetric under (eps, delta) -> (1-delta, 1-eps) (the constraint set is the same)
    r2 = packed_tv_max_without_collapse(tau, m, eps=1 - delta, delta=1 - eps, two_sided=True)
    assert r2.value == pytest.approx(r.value, abs=1e-9)
    if not r.attained:
        # the supremum is approached by strictly feasible pairs: the closed optimum for the stricter
        # point (eps+eta, delta-eta) avoids (eps, delta) and its reflection strictly, and converges
        for eta in (1e-2, 1e-4):
            r3 = packed_tv_max_without_collapse(tau, m, eps=eps + eta, delta=delta - eta, two_sided=True)
            assert _no_collapse(r3.p, r3.q, eps, delta, True)
            assert r.value - 10 * eta <= r3.value <= r.value + 1e-12


def test_two_sided_bruteforce_random_pairs():
    """Random pairs on 2-5 atoms, rescaled to TV tau (Q <- Q + (1 - tau/t)(P - Q)), with neither (P,Q)
    nor (Q,P) collapsing, never exceed the two-sided optimum, which lies strictly below 1-(1-tau)^m."""
    rng = np.random.default_rng(11)
    eps, delta = 0.1, 0.5  # min(A, B) = 4/9: the numerical branch covers tau in [4/9, feasibility)
    for tau, m in [(0.5, 2), (0.6, 3)]:
        bound = packed_tv_max_without_collapse(tau, m, eps=eps, delta=delta, two_sided=True).value
        assert bound < packed_tv_max(tau, m).value - 1e-3
        best, hits = 0.0, 0
        for _ in range(3000):
            if hits >= 40:
                break
            p, q = _random_pair(rng, int(rng.integers(2, 6)), zero_prob=0.5)
            t = _tv(p, q)
            if t < tau:
                continue
            q = q + (1 - tau / t) * (p - q)  # d_TV(p, q) = tau now
            if not _no_collapse(p, q, eps, delta, True):
                continue
            v = oracles.packed_tv_atoms(p, q, m)
            assert v <= bound + 1e-10
            best, hits = max(best, v), hits + 1
        assert hits >= 10


@pytest.mark.parametrize("m", [1, 2, 4])
def test_two_sided_closed_form_regimes(m):
    eps, delta = 0.1, 0.5
    A, B = (delta - eps) / (1 - eps), (delta - eps) / delta
    for tau in (0.2, 0.41, min(A, B) - 1e-6):  # tau < d (outer pair) and d <= tau < min(A, B) (triangle)
        r = packed_tv_max_without_collapse(tau, m, eps=eps, delta=delta, two_sided=True)
        assert r.value == packed_tv_max(tau, m).value and r.attained
        assert _no_collapse(r.p, r.q, eps, delta, True)
    if m == 1:  # m = 1: the value is tau itself wherever feasible
        r = packed_tv_max_without_collapse(0.6, 1, eps=eps, delta=delta, two_sided=True)
        assert r.value == pytest.approx(0.6, abs=1e-15) and _no_collapse(r.p, r.q, eps, delta, True)


def test_two_sided_jumps_below_max_at_min_AB():
    """At tau = min(A, B) the triangle witness touches (eps, delta): it is no longer strictly feasible
    and no nearby region is, so the supremum drops discontinuously (checked just below and at it)."""
    eps, delta, m = 0.1, 0.5, 5
    A = (delta - eps) / (1 - eps)  # = 4/9 < B = 4/5
    below = packed_tv_max_without_collapse(A - 1e-9, m, eps=eps, delta=delta, two_sided=True)
    at = packed_tv_max_without_collapse(A, m, eps=eps, delta=delta, two_sided=True)
    assert below.value == packed_tv_max(A - 1e-9, m).value
    assert at.value < packed_tv_max(A, m).value - 0.01
    assert at.method.startswith("numerical")


def test_two_sided_edge_points_supremum_not_attained():
    """eps = 0 (or delta = 1): the two-sided supremum is the unconstrained max but not attained. The
    returned limit pair collapses; pairs strictly feasible for eps' > 0 (hence for eps = 0: delta* is
    non-decreasing) come arbitrarily close as eps' -> 0."""
    tau, m, delta = 0.6, 2, 0.5
    r = packed_tv_max_without_collapse(tau, m, eps=0.0, delta=delta, two_sided=True)
    vmax = packed_tv_max(tau, m).value
    assert r.value == vmax and not r.attained and r.family == "outer (limit)"
    assert has_mode_collapse(r.p, r.q, 0.0, delta)  # the limit itself is infeasible
    close = [packed_tv_max_without_collapse(tau, m, eps=e, delta=delta, two_sided=True).value
             for e in (1e-2, 1e-4)]
    assert close[0] < close[1] < vmax and vmax - close[1] < 1e-3
    # reflection: delta = 1 with eps is the same problem as eps' = 0 with delta' = 1 - eps
    r2 = packed_tv_max_without_collapse(tau, m, eps=0.5, delta=1.0, two_sided=True)
    assert r2.value == vmax and not r2.attained


def test_two_sided_infeasible_and_large_m():
    with pytest.raises(ValueError, match="infeasible"):
        packed_tv_max_without_collapse(0.5, 2, eps=0.2, delta=0.5, two_sided=True)
    # beyond the numerical branch's limit: a certified bracket whose upper end is the unconstrained max
    r = packed_tv_max_without_collapse(0.6, 40, eps=0.1, delta=0.5, two_sided=True)
    assert not r.exact and r.lower <= r.value <= r.upper == packed_tv_max(0.6, 40).value
    with pytest.raises(ValueError, match="TWO_SIDED_MAX_M.*rtol"):
        packed_tv_max_without_collapse(0.3, 17, eps=0.2, delta=0.4, two_sided=True)


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), float("inf")])
def test_bad_tau(bad):
    for f in (packed_tv_max, packed_tv_min):
        with pytest.raises(ValueError, match="tau"):
            f(bad, 2)
    with pytest.raises(ValueError, match="tau"):
        packed_tv_min_with_collapse(bad, 2, eps=0.1, delta=0.2)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "2"])
def test_bad_m(bad):
    with pytest.raises((ValueError, TypeError), match="m"):
        packed_tv_min(0.2, bad)
    with pytest.raises((ValueError, TypeError), match="m"):
        packed_tv_max_without_collapse(0.2, bad, eps=0.1, delta=0.3)


def test_bad_eps_delta_and_infeasible():
    with pytest.raises(ValueError, match="eps < delta"):
        packed_tv_min_with_collapse(0.5, 2, eps=0.3, delta=0.3)
    with pytest.raises(ValueError, match="delta"):
        packed_tv_min_with_collapse(0.5, 2, eps=0.1, delta=1.2)
    with pytest.raises(ValueError, match="eps"):
        packed_tv_max_without_collapse(0.5, 2, eps=-0.1, delta=0.3)
    with pytest.raises(ValueError, match="infeasible"):
        packed_tv_min_with_collapse(0.1, 2, eps=0.1, delta=0.4)  # tau < delta - eps
    with pytest.raises(ValueError, match="L1_MAX_M"):  # beyond every certified method (m > 1e10)
        packed_tv_min_with_collapse(0.5, 10**11, eps=0.1, delta=0.4)
    with pytest.raises(TypeError):
        packed_tv_min_with_collapse(0.5, 2, 0.1, 0.4)  # eps, delta are keyword-only


def test_result_is_frozen():
    r = packed_tv_min(0.2, 3)
    with pytest.raises(Exception):
        r.value = 0.0
    assert float(r) == r.value and math.isfinite(r.value)


def test_doctests_and_names():
    import doctest

    from modecollapse.regions import _bounds, _packing

    for mod in (_bounds, _packing):
        res = doctest.testmod(mod)
        assert res.failed == 0 and res.attempted > 0
        for name in mod.__all__:
            assert getattr(regions, name) is getattr(mod, name)
