"""Exact packed TV d_TV(P^m, Q^m) against independent oracles (docs/theory.md s.4).

Oracles: brute-force enumeration of all k^m sequences (numpy products, no type classes);
mpmath 50-digit binomial sums for binary pairs; closed forms (PacGAN toy values, 1 - (1-a)^m).
"""

import itertools
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from modecollapse.regions import packed_tv, packed_tv_bounds


def brute_tv(p, q, m):
    """1/2 sum over all k^m sequences of |P^m(x) - Q^m(x)| (independent of the type-class code)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    idx = np.array(list(itertools.product(range(p.size), repeat=m)))
    return 0.5 * float(np.abs(np.prod(p[idx], axis=1) - np.prod(q[idx], axis=1)).sum())


def mp_binary_tv(p1, q1, m, dps=50):
    """sum_j C(m,j) |p1^j p0^(m-j) - q1^j q0^(m-j)| / 2 in mpmath at `dps` digits."""
    with mpmath.workdps(dps):
        p1, q1 = mpmath.mpf(p1), mpmath.mpf(q1)
        s = mpmath.mpf(0)
        for j in range(m + 1):
            c = mpmath.binomial(m, j)
            s += c * abs(p1**j * (1 - p1) ** (m - j) - q1**j * (1 - q1) ** (m - j))
        return float(s / 2)


def pairs(k_min=1, k_max=4, zeros=True):
    """Random pairs on k atoms with optional exact zeros on either side (normalised)."""

    def build(draw):
        k = draw(st.integers(k_min, k_max))
        w = st.floats(0.0, 1.0) if zeros else st.floats(0.01, 1.0)
        p = np.array(draw(st.lists(w, min_size=k, max_size=k)))
        q = np.array(draw(st.lists(w, min_size=k, max_size=k)))
        if p.sum() < 1e-3:
            p[0] = 1.0
        if q.sum() < 1e-3:
            q[-1] = 1.0
        return p / p.sum(), q / q.sum()

    return st.composite(lambda draw: build(draw))()


# --- reference values ----------------------------------------------------------------------


def test_pacgan_toy_values():
    # docs/theory.md s.3 (PacGAN Fig.): P=U[0,1] vs Q1=U[0.2,1] -> [.2,.8] vs [0,1]: m=2 TV = 1-0.8^2 = 0.36;
    # P vs Q2 (density .6/1.4 on halves) -> [.5,.5] vs [.3,.7]: m=2 TV = 0.24. Unpacked both 0.2.
    assert packed_tv([0.2, 0.8], [0.0, 1.0], 1) == pytest.approx(0.2, abs=1e-15)
    assert packed_tv([0.5, 0.5], [0.3, 0.7], 1) == pytest.approx(0.2, abs=1e-15)
    assert packed_tv([0.2, 0.8], [0.0, 1.0], 2) == pytest.approx(0.36, abs=1e-15)
    assert packed_tv([0.5, 0.5], [0.3, 0.7], 2) == pytest.approx(0.24, abs=1e-15)


def test_extremal_pair_reaches_pacgan_max():
    # PacGAN Thm 3 extremal pair P=[tau,1-tau,0], Q=[0,1-tau,tau]: TV^m = 1-(1-tau)^m exactly.
    for tau in (0.01, 0.2, 0.7):
        for m in (1, 3, 50, 10_000):
            expect = -math.expm1(m * math.log1p(-tau))
            got = packed_tv([tau, 1 - tau, 0.0], [0.0, 1 - tau, tau], m)
            assert got == pytest.approx(expect, abs=1e-14)  # closed form, expm1/log1p accurate


# --- brute force and mpmath oracles --------------------------------------------------------


@pytest.mark.parametrize("k,m", [(2, 1), (2, 7), (3, 4), (4, 5), (5, 4), (6, 3)])
def test_against_enumeration_fixed(k, m):
    rng = np.random.default_rng(100 * k + m)
    for _ in range(3):
        p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
        # enumeration sums k^m products: error ~k^m ulp; 1e-13 is a 100x margin
        assert packed_tv(p, q, m) == pytest.approx(brute_tv(p, q, m), abs=1e-13)


@given(pairs(1, 4), st.integers(1, 5))
def test_against_enumeration_random(pq, m):
    p, q = pq
    b = packed_tv_bounds(p, q, m)
    assert b.exact and b.lower == b.upper
    assert b.lower == pytest.approx(brute_tv(p, q, m), abs=1e-13)


@pytest.mark.parametrize("k,m", [(5, 2), (12, 3), (40, 2), (7, 4)])
def test_sequence_and_type_class_paths_agree(k, m, monkeypatch):
    # two exact paths (all k^m sequences vs multinomial type classes + binomial tails) must agree;
    # 1e-14: both are sums of nonnegative terms with O(m u) relative error each
    from modecollapse.regions import _typeclasses as tc

    rng = np.random.default_rng(7 * k + m)
    for _ in range(3):
        p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
        cl = tc._classes(p, q)
        assert tc._enumerate(cl.k, m, tc._n_outer(cl.k, m))  # the default path here enumerates
        by_sequence = tc._finite_part(cl, m)
        monkeypatch.setattr(tc, "_ENUM_LIMIT", 0)
        by_type = tc._finite_part(cl, m)
        monkeypatch.undo()
        assert by_sequence == pytest.approx(by_type, abs=1e-14)
        if k**m <= 5000:
            assert by_sequence == pytest.approx(brute_tv(p, q, m), abs=1e-13)


@pytest.mark.parametrize(
    "p1,q1,m",
    [(0.5, 0.3, 40), (0.01, 0.011, 200), (0.9, 0.1, 60), (1e-4, 2e-4, 500), (0.37, 0.37 + 1e-9, 300)],
)
def test_binary_against_mpmath(p1, q1, m):
    # 50-digit binomial sum; the exact path must agree to ~1e-14 absolute
    got = packed_tv([1 - p1, p1], [1 - q1, q1], m)
    assert got == pytest.approx(mp_binary_tv(p1, q1, m), abs=2e-14)


def test_binary_large_m_against_mpmath_window():
    # m = 1e5: 40-digit sum of |pmf differences| over mean +- 40 sd (the rest is < e^-700),
    # pmfs by the exact ratio recurrence from an mpmath.loggamma start (independent code path).
    p1, q1, m = 0.3, 0.302, 100_000
    sd = math.sqrt(m * 0.3 * 0.7)
    lo, hi = int(m * p1 - 40 * sd), int(m * q1 + 40 * sd)
    with mpmath.workdps(40):
        def pmf_start(x):
            x = mpmath.mpf(x)
            return mpmath.exp(
                mpmath.loggamma(m + 1) - mpmath.loggamma(lo + 1) - mpmath.loggamma(m - lo + 1)
                + lo * mpmath.log(x) + (m - lo) * mpmath.log(1 - x)
            )
        a, b = pmf_start(p1), pmf_start(q1)
        rp, rq = mpmath.mpf(p1) / (1 - mpmath.mpf(p1)), mpmath.mpf(q1) / (1 - mpmath.mpf(q1))
        s = mpmath.mpf(0)
        for j in range(lo, hi + 1):
            s += abs(a - b)
            a *= (m - j) * rp / (j + 1)
            b *= (m - j) * rq / (j + 1)
        ref = float(s / 2)
    assert packed_tv([1 - p1, p1], [1 - q1, q1], m) == pytest.approx(ref, abs=1e-13)


def test_binary_one_million_runs_and_is_sane():
    # m = 1e6 binary (speed is measured in benchmarks/): value in [0,1], above the unpacked TV
    v = packed_tv([0.5, 0.5], [0.499, 0.501], 10**6)
    assert 0.001 < v < 1.0
    # CLT: TV(Bin(m,.5), Bin(m,.501)) ~ 2 Phi(sqrt(m) * 0.001 / 2 / 0.5) - 1 = erf(1/sqrt2)... ~0.6827
    assert v == pytest.approx(math.erf(1.0 / math.sqrt(2.0)), abs=2e-3)


# --- invariances and orderings --------------------------------------------------------------


@given(pairs(2, 4), st.integers(1, 6), st.randoms(use_true_random=False))
def test_invariances(pq, m, rnd):
    p, q = pq
    v = packed_tv(p, q, m)
    perm = list(range(p.size))
    rnd.shuffle(perm)
    assert packed_tv(p[perm], q[perm], m) == pytest.approx(v, abs=1e-13)  # relabelling atoms
    assert packed_tv(np.append(p, 0.0), np.append(q, 0.0), m) == pytest.approx(v, abs=1e-13)  # null atom
    # splitting atom 0 into two with the same likelihood ratio leaves the ratio law unchanged
    s = rnd.uniform(0.1, 0.9)
    p2 = np.concatenate([[s * p[0], (1 - s) * p[0]], p[1:]])
    q2 = np.concatenate([[s * q[0], (1 - s) * q[0]], q[1:]])
    assert packed_tv(p2, q2, m) == pytest.approx(v, abs=1e-13)
    # TV is symmetric: (Q, P) gives the same value
    assert packed_tv(q, p, m) == pytest.approx(v, abs=1e-13)


@given(pairs(2, 4))
def test_monotone_in_m_and_pacgan_upper_bound(pq):
    p, q = pq
    tau = 0.5 * float(np.abs(p - q).sum())
    vals = [packed_tv(p, q, m) for m in (1, 2, 3, 5, 8, 13, 40)]
    assert vals[0] == pytest.approx(tau, abs=1e-14)  # m = 1 is the plain TV
    assert all(b >= a - 1e-13 for a, b in zip(vals, vals[1:]))  # data processing: drop a copy
    for m, v in zip((1, 2, 3, 5, 8, 13, 40), vals):
        # PacGAN Thm 3: d_TV(P^m,Q^m) <= 1-(1-tau)^m
        bound = 1.0 if tau >= 1.0 else -math.expm1(m * math.log1p(-tau))
        assert v <= bound + 1e-13


def test_zero_atoms_exact_masses():
    # P-only atom of mass a, Q-only atom of mass b, one shared atom: sequences hitting the P-only
    # atom give 1-(1-a)^m; the all-shared sequence gives ((1-a)^m - (1-b)^m)_+.
    a, b, m = 0.1, 0.3, 7
    p = [a, 1 - a, 0.0]
    q = [0.0, 1 - b, b]
    expect = (1 - (1 - a) ** m) + max(0.0, (1 - a) ** m - (1 - b) ** m)
    assert packed_tv(p, q, m) == pytest.approx(expect, abs=1e-15)
    assert packed_tv(p, q, m) == pytest.approx(brute_tv(p, q, m), abs=1e-14)
    assert packed_tv([1.0, 0.0], [0.0, 1.0], 5) == 1.0  # disjoint supports
    assert packed_tv([0.3, 0.7], [0.3, 0.7], 1000) == 0.0  # identical


def test_three_atoms_m1000_matches_direct_type_sum():
    # k = 3, m = 1000: compare with a direct (log-space, mpmath-free) double sum over all 501501 types
    from scipy.special import gammaln

    p = np.array([0.2, 0.5, 0.3])
    q = np.array([0.25, 0.45, 0.3])
    m = 1000
    n1 = np.repeat(np.arange(m + 1), np.arange(m + 1, 0, -1))
    n2 = np.concatenate([np.arange(m + 1 - i) for i in range(m + 1)])
    n3 = m - n1 - n2
    logc = gammaln(m + 1) - gammaln(n1 + 1) - gammaln(n2 + 1) - gammaln(n3 + 1)
    lp = logc + n1 * np.log(p[0]) + n2 * np.log(p[1]) + n3 * np.log(p[2])
    lq = logc + n1 * np.log(q[0]) + n2 * np.log(q[1]) + n3 * np.log(q[2])
    ref = 0.5 * np.abs(np.exp(lp) - np.exp(lq)).sum()
    # gammaln(1001) ~ 5912 carries ~1e-12 relative error per term: tolerance 1e-11
    assert packed_tv(p, q, m) == pytest.approx(ref, abs=1e-11)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p,q,m,exc,match",
    [
        ([0.5, 0.5], [0.5, 0.5], 0, ValueError, "m must be >= 1"),
        ([0.5, 0.5], [0.5, 0.5], 2.0, TypeError, "m must be an integer"),
        ([0.5, 0.5], [0.5, 0.5], True, TypeError, "m must be an integer"),
        ([0.5, 0.6], [0.5, 0.5], 2, ValueError, "p must sum to 1"),
        ([0.5, 0.5], [1.0], 2, ValueError, "same number of atoms"),
        ([1.5, -0.5], [0.5, 0.5], 2, ValueError, "non-negative"),
        ([0.5, np.nan], [0.5, 0.5], 2, ValueError, "finite"),
        ("ab", [0.5, 0.5], 2, TypeError, "p must be"),
    ],
)
def test_bad_input(p, q, m, exc, match):
    with pytest.raises(exc, match=match):
        packed_tv(p, q, m)


def test_bad_width():
    with pytest.raises(ValueError, match="width"):
        packed_tv_bounds([0.5, 0.5], [0.4, 0.6], 3, width=0.0)


def test_sum_deficit_within_tolerance_is_not_multiplied_by_m():
    # A pair that misses 1 by 5e-10 (inside SUM_ATOL = 1e-9) is the same distribution as its
    # rescaled self; an m-fold product must not turn the deficit into an m * 5e-10 error.
    p = np.array([0.34, 0.33, 0.33]) - np.array([5e-10, 0.0, 0.0])
    q = np.array([0.33, 0.34, 0.33])
    for m in (300, 1000):
        got = packed_tv(p, q, m)
        ref = packed_tv(p / math.fsum(p), q, m)
        assert abs(got - ref) <= 1e-12, (m, got, ref)
