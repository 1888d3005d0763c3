"""Large packing degrees in the PacGAN bounds (docs/theory.md s.4.D).

Oracles: mpmath at 30-40 digits (binomial sums over the +-40 sigma window), the exact breakpoint
method below ``L_MAX_M`` and the exact collapse bounds below their limits, exact type classes for
single pairs, and the Gaussian limit ``L -> 2 Phi(tau sqrt(m)) - 1``.
"""

import math
import time

import mpmath
import numpy as np
import pytest

from modecollapse.regions import (
    packed_tv_max,
    packed_tv_max_without_collapse,
    packed_tv_min,
    packed_tv_min_with_collapse,
    tv_band,
)
from modecollapse.regions import _asymptotics as A
from modecollapse.regions import _bounds as B
from modecollapse.regions._typeclasses import _classes, _exact_packed_tv

C = A.BERRY_ESSEEN_C


@pytest.mark.parametrize("tau, m", [(0.2, 10**6), (0.2, 10**9), (1e-3, 10**9), (0.05, 200_001)])
def test_large_m_min_is_one_within_half_an_ulp(tau, m):
    r = packed_tv_min(tau, m)
    assert r.value == 1.0 and r.method == "hellinger bound" and r.exact and r.lower == 1.0
    # the certificate, in 50-digit arithmetic: L >= 1 - (1 - tau^2)^(m/2) > 1 - 2^-54
    mpmath.mp.dps = 50
    gap = (1 - mpmath.mpf(tau) ** 2) ** (mpmath.mpf(m) / 2)
    assert gap < mpmath.mpf(2) ** -54
    # the bound is the Bhattacharyya coefficient of the extremal pair, at its maximum over a
    a = (1 - mpmath.mpf(tau)) / 2
    bc = mpmath.sqrt(a * (a + tau)) + mpmath.sqrt((1 - a) * (1 - a - tau))
    assert abs(bc - mpmath.sqrt(1 - mpmath.mpf(tau) ** 2)) < mpmath.mpf(10) ** -40
    assert tv_band(tau, m) == (1.0, 1.0)


def test_the_breakpoint_method_agrees_below_the_limit():
    # m = 2000, tau = 0.2: the bracket is 1.9e-18 wide, and the exact breakpoint minimum is 1.0 too
    assert packed_tv_min(0.2, 2000).value == 1.0


def _mp_tail(j, m, p, dps=30, width=40):
    """P(Bin(m, p) >= j) in mpmath: the pmf summed from j up to mean + width sd (the rest < 1e-340)."""
    with mpmath.workdps(dps):
        p = mpmath.mpf(p)
        q = 1 - p
        hi = min(m, int(m * p + width * mpmath.sqrt(m * p * q)) + 1)
        if j > hi:
            return mpmath.mpf(0)
        t = mpmath.exp(mpmath.loggamma(m + 1) - mpmath.loggamma(j + 1) - mpmath.loggamma(m - j + 1)
                       + j * mpmath.log(p) + (m - j) * mpmath.log(q))
        s, r = t, p / q
        for i in range(j, hi):
            t *= r * (m - i) / (i + 1)
            s += t
        return s


def _mp_binary_tv(p, q, m):
    """d_TV(P^m, Q^m) of a binary pair in mpmath: the tail difference at the likelihood-ratio threshold."""
    with mpmath.workdps(40):
        a, b = mpmath.mpf(p[1]), mpmath.mpf(q[1])  # P(letter 1) < Q(letter 1)
        l0 = mpmath.log(1 - a) - mpmath.log(1 - b)
        l1 = mpmath.log(b) - mpmath.log(a)
        j = int(mpmath.floor(m * l0 / (l0 + l1))) + 1  # Q^m/P^m > 1 iff the count of 1s is >= j
        return _mp_tail(j, m, b) - _mp_tail(j, m, a)


@pytest.mark.parametrize("s, m", [(0.1, 200_000), (1.0, 300_000)])
def test_beyond_the_limit_the_value_is_attained_and_the_bracket_holds_against_mpmath(s, m):
    tau = s / math.sqrt(m)
    r = packed_tv_min(tau, m, rtol=math.inf)
    ref = float(_mp_binary_tv(r.p, r.q, m))
    assert r.value == pytest.approx(ref, abs=1e-12)  # the witness pair reaches the value (mpmath, 40 digits)
    assert r.lower <= r.value == r.upper
    # the Berry-Esseen bracket is about 2 C / sqrt(m) wide, never more than 10% above that
    assert r.exact or r.value - r.lower <= 1.1 * 2 * C / math.sqrt(m) * (1 + 2 * tau)
    # and the limit 2 Phi(s) - 1 (L = limit x (1 - ~0.25/m) for small s in our exact runs) lies in it
    # within 1/m
    g = math.erf(s / math.sqrt(2))
    assert r.lower - 1 / m <= g <= r.value + 1 / m


@pytest.mark.parametrize("m", [301, 2000, 5000])
@pytest.mark.parametrize("s", [0.05, 0.5, 2.0])
def test_the_large_m_method_below_the_limit_brackets_the_exact_breakpoint_minimum(m, s):
    tau = s / math.sqrt(m)
    exact, _ = B._binary_min(tau, m)
    value, a, lower, is_exact = B._binary_min_large(tau, m, math.inf)
    # both are floats exact up to rounding (~m ulp in the log-space sums, 1e-14 relative in Boost's tails)
    assert lower - 1e-11 <= exact <= value + 1e-11
    assert value == pytest.approx(B._binary_value(a, tau, m), abs=1e-13)  # attained
    if is_exact:
        assert value == pytest.approx(exact, abs=1e-11)


def test_the_breakpoint_window_is_exact_across_the_limit():
    # m = 1e5 is the last exact-method m: the large-m path at m = 1e5 + 1 and the exact one at 1e5
    # agree to O(1/m) (L changes by ~1e-6 relative per unit of m here)
    tau = 0.1 / math.sqrt(100_000)
    r = packed_tv_min(tau, 100_001)
    assert r.exact and r.method == "exact breakpoints in the Berry-Esseen window"
    assert r.value == pytest.approx(B._binary_min_large(tau, 100_000, 0.0)[0], rel=1e-5)
    assert r.value == pytest.approx(math.erf(0.1 / math.sqrt(2)), rel=1e-5)


def test_large_m_answers_in_about_a_second_with_a_stated_bracket():
    for m in (10**6, 10**9, 10**10):
        t0 = time.perf_counter()
        r = packed_tv_min(0.3 / math.sqrt(m), m)
        assert time.perf_counter() - t0 < 5.0  # ~0.1 s on an idle core; catches hangs and O(m) work
        assert r.lower < r.value and not r.exact and r.method == "Berry-Esseen bracket"
        assert r.value - r.lower <= 1.1 * 2 * C / math.sqrt(m)
        lo, hi = tv_band(0.3 / math.sqrt(m), m)
        assert lo == r.lower and hi == packed_tv_max(0.3 / math.sqrt(m), m).value


def test_a_bracket_wider_than_rtol_is_refused_with_its_width():
    with pytest.raises(ValueError, match=r"L_MAX_M.*relative width .* > rtol=0.05"):
        packed_tv_min(1e-6, 10**6)  # tau sqrt(m) = 1e-3: L ~ 8e-4, below the Berry-Esseen error
    r = packed_tv_min(1e-6, 10**6, rtol=math.inf)  # accepted when asked for
    assert r.lower < r.value and r.lower >= 1e-6 - 2e-12  # the floor d_TV(P^m, Q^m) >= tau (less the rounding pad)
    with pytest.raises(ValueError, match="ASYMPTOTIC_MAX_M"):
        packed_tv_min(1e-7, 10**11)
    for bad in ("0.1", None):
        with pytest.raises(TypeError, match="rtol"):
            packed_tv_min(0.1, 10, rtol=bad)
    for bad in (-1.0, math.nan):
        with pytest.raises(ValueError, match="rtol"):
            packed_tv_min(0.1, 10, rtol=bad)


def test_pair_bracket_contains_the_exact_packed_tv():
    rng = np.random.default_rng(7)
    for _ in range(12):
        m = int(rng.integers(200, 3000))
        p = rng.dirichlet(np.ones(3))
        q = p * np.exp(rng.normal(0, 3 / math.sqrt(m), 3))
        q /= q.sum()
        ex = _exact_packed_tv(_classes(p, q), m)
        lo, hi = A.pair_bracket(p, q, m)
        assert lo <= ex <= hi
        assert hi - lo < 20 / math.sqrt(m)  # Berry-Esseen width, O(1/sqrt(m))
    # mass where one side is zero: the exact decomposition by infinite ratios
    p, q = np.array([0.01, 0.5, 0.49]), np.array([0.0, 0.52, 0.48])
    lo, hi = A.pair_bracket(p, q, 500)
    assert lo <= _exact_packed_tv(_classes(p, q), 500) <= hi


def test_interval_lower_bound_holds_on_every_point_of_the_interval():
    # binary family at m = 3000: the bound over [x1, x2] never exceeds the exact objective anywhere in it
    m, tau = 3000, 0.02
    fam = B._binary_family(tau)
    x1 = np.array([0.05, 0.3, 0.47, 0.489])
    x2 = np.array([0.08, 0.34, 0.49, 0.4899])
    lb = A.interval_lower(fam, x1, x2, m)
    for lo, hi, b in zip(x1, x2, lb):
        vals = [B._binary_value(a, tau, m) for a in np.linspace(lo, hi, 41)]
        assert b <= min(vals)


def test_collapse_bound_large_m_brackets_the_exact_one_at_small_m():
    # _l1_large is the path above L1_MAX_M; at m <= 16 the exact method (s.4.B) is the oracle
    for tau, eps, delta, m in [(0.3, 0.1, 0.3, 12), (0.2, 0.0, 0.1, 16), (0.2, 0.4, 0.5, 16), (0.25, 0.1, 0.2, 10)]:
        ex = packed_tv_min_with_collapse(tau, m, eps=eps, delta=delta).value
        r = B._l1_large(tau, m, eps, delta, math.inf)
        assert r.lower - 1e-12 <= ex <= r.upper + 1e-12
        assert r.lower >= packed_tv_min(tau, m).value - 1e-12 or r.lower >= tau  # never below its floors
        if r.exact:
            assert r.value == pytest.approx(ex, abs=1e-10)
        # the Blackwell lower bound (exact packed TV of intersection regions) keeps it narrow at small m
        assert r.upper - r.lower < 1e-5


def test_collapse_bound_at_huge_m():
    m = 10**9
    tau = 1 / math.sqrt(m)
    t0 = time.perf_counter()
    # the centre a = (1-tau)/2 lies in the binary range: L1 = L, the same bracket
    r = packed_tv_min_with_collapse(tau, m, eps=0.45, delta=0.45 + 0.5 * tau)
    L = packed_tv_min(tau, m)
    assert r.family == "binary" and r.value == pytest.approx(L.value, abs=1e-12)
    assert r.lower <= r.value and r.value - r.lower <= 1.1 * 2 * C / math.sqrt(m)
    # the collapse point far from the centre: a three-atom witness, strictly above L
    r3 = packed_tv_min_with_collapse(tau, m, eps=0.1, delta=0.1 + 0.5 * tau)
    assert r3.family.startswith("three-atom") and r3.lower > L.value
    lo, hi = A.pair_bracket(r3.p, r3.q, m)
    assert hi == pytest.approx(r3.upper, abs=1e-12)  # valued by its Berry-Esseen upper end
    assert time.perf_counter() - t0 < 10.0  # ~0.5 s for both on an idle core
    assert packed_tv_min_with_collapse(0.2, m, eps=0.0, delta=0.1).value == 1.0  # Hellinger: 1 within half an ulp
    with pytest.raises(ValueError, match="L1_MAX_M"):
        packed_tv_min_with_collapse(0.3, 10**400, eps=0.1, delta=0.3)


def test_collapse_witness_is_exact_up_to_the_type_class_limit():
    # m = 2000: the three-atom witness is valued exactly (type classes) and the pair collapses
    from modecollapse.regions import has_mode_collapse

    r = packed_tv_min_with_collapse(0.05, 2000, eps=0.1, delta=0.14, rtol=math.inf)
    assert r.value == pytest.approx(_exact_packed_tv(_classes(r.p, r.q), 2000), abs=1e-12)
    assert has_mode_collapse(r.p, r.q, 0.1, 0.14)
    assert r.lower <= r.value


def test_two_sided_beyond_the_limit_brackets_the_numerical_optimum():
    # m = 8: the numerical branch (exact type classes) against the large-m path run at the same m
    tau, eps, delta, m = 0.3, 0.2, 0.4, 8
    ex = packed_tv_max_without_collapse(tau, m, eps=eps, delta=delta, two_sided=True).value
    common = dict(kind="max_without_collapse_two_sided", eps=eps, delta=delta)
    r = B._two_sided_numeric(tau, m, eps, delta, common, large_rtol=math.inf)
    assert r.lower - 1e-9 <= ex <= r.upper + 1e-12
    assert r.upper == packed_tv_max(tau, m).value


def test_two_sided_at_huge_m_is_one_or_refused():
    r = packed_tv_max_without_collapse(0.3, 10**9, eps=0.2, delta=0.4, two_sided=True)
    assert r.value == 1.0 and r.exact  # Hellinger on the witness: within half an ulp of 1
    with pytest.raises(ValueError, match=r"TWO_SIDED_MAX_M.*rtol"):
        packed_tv_max_without_collapse(0.3, 17, eps=0.2, delta=0.4, two_sided=True)
    r = packed_tv_max_without_collapse(0.3, 17, eps=0.2, delta=0.4, two_sided=True, rtol=math.inf)
    assert 0.9 < r.lower < r.upper == packed_tv_max(0.3, 17).value and not r.exact
