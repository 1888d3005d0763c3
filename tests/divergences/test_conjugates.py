"""Every closed-form Fenchel conjugate f*(t) = sup_{u>=0} (t u - f(u)) of the registry, checked
(1) symbolically with sympy: the sup computed from the stationarity condition f'(u) = t, and the
    Fenchel-Young equality f(u) + f*(f'(u)) = u f'(u) (which is f** = f on the range of f');
(2) numerically against a direct sup over u with scipy (grid in log u + bounded refinement);
(3) the library's numpy f, f', f* against the sympy expressions at sample points.
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from modecollapse.divergences import F_DIVERGENCES, get_f_divergence

u = sp.Symbol("u", positive=True)
t = sp.Symbol("t", real=True)
LOG2 = sp.log(2)

# Independent sympy statements (f-GAN Tables 1-2; derivations in divergences/_fdivergence.py).
# Each: f(u), closed-form f*(t) on the interior of the range of f', and a sample of t in that range.
SYMBOLIC = {
    "kl": (u * sp.log(u), sp.exp(t - 1), [-3, 0, sp.Rational(1, 2), 2]),
    "reverse_kl": (-sp.log(u), -1 - sp.log(-t), [-5, -1, -sp.Rational(1, 10)]),
    "pearson": ((u - 1) ** 2, t + t**2 / 4, [-sp.Rational(3, 2), 0, 3]),
    "neyman": ((1 - u) ** 2 / u, 2 - 2 * sp.sqrt(1 - t), [-4, 0, sp.Rational(9, 10)]),
    "squared_hellinger": ((sp.sqrt(u) - 1) ** 2, t / (1 - t), [-4, 0, sp.Rational(9, 10)]),
    "jensen_shannon": (u * sp.log(u) - (u + 1) * sp.log((u + 1) / 2), -sp.log(2 - sp.exp(t)), [-3, 0, sp.Rational(6, 10)]),
    "gan": (u * sp.log(u) - (u + 1) * sp.log(u + 1), -sp.log(1 - sp.exp(t)), [-3, -1, -sp.Rational(1, 10)]),
    "log_trick": (
        sp.log(1 + 1 / u) - LOG2,
        # r = sqrt(-t): -2r/(r + sqrt(r^2+4)) + log 2 - 2 asinh(r/2)
        -2 * sp.sqrt(-t) / (sp.sqrt(-t) + sp.sqrt(4 - t)) + LOG2 - 2 * sp.asinh(sp.sqrt(-t) / 2),
        [-8, -1, -sp.Rational(1, 10)],
    ),
}


def _numeric_equal(a, b, points, subs_symbol, digits=40):
    for x in points:
        va = sp.N(a.subs(subs_symbol, x), digits)
        vb = sp.N(b.subs(subs_symbol, x), digits)
        assert abs(va - vb) < sp.Float(10) ** (-(digits - 5)), (x, va, vb)


@pytest.mark.parametrize("name", sorted(SYMBOLIC))
def test_fenchel_young_equality_symbolic(name):
    """f(u) + f*(f'(u)) = u f'(u) for u > 0, i.e. the sup defining f*(f'(u)) is attained at u (f** = f)."""
    f, fstar, _ = SYMBOLIC[name]
    fp = sp.diff(f, u)
    expr = sp.simplify(f + fstar.subs(t, fp) - u * fp)
    if expr != 0:  # simplify is not complete for nested radicals/asinh: 40-digit check at many points
        _numeric_equal(f + fstar.subs(t, fp), u * fp, [sp.Rational(k, 7) for k in range(1, 40)], u)


@pytest.mark.parametrize("name", sorted(SYMBOLIC))
def test_sup_computed_symbolically(name):
    """Solve d/du (t u - f(u)) = 0 for u, check it is a maximum (f'' > 0), substitute, compare with f*."""
    f, fstar, ts = SYMBOLIC[name]
    fp = sp.diff(f, u)
    assert all(sp.N(sp.diff(f, u, 2).subs(u, x)) > 0 for x in (sp.Rational(1, 3), 1, 5))  # concave objective
    for tv in ts:
        sols = [s for s in sp.solve(sp.Eq(fp, tv), u) if s.is_positive]
        if not sols:  # log-type f': solve exp(f'(u)) = exp(t) instead (same roots, exp is injective)
            sols = [s for s in sp.solve(sp.exp(fp) - sp.exp(tv), u) if s.is_positive]
        assert len(sols) == 1, (name, tv, sols)
        sup_val = tv * sols[0] - f.subs(u, sols[0])
        assert abs(sp.N(sup_val - fstar.subs(t, tv), 40)) < 1e-35, (name, tv)


def test_total_variation_conjugate_symbolic():
    # f(u) = |u-1|/2 is piecewise linear on u >= 0, so t u - f(u) is concave piecewise linear with
    # its kink at u = 1: the sup is at u = 0 or u = 1, or +inf if the slope t - 1/2 on u > 1 is > 0.
    f = sp.Abs(u - 1) / 2
    g = t * u - f
    assert sp.limit(g.subs(t, sp.Rational(3, 5)), u, sp.oo) == sp.oo  # t > 1/2: outside dom f*
    assert sp.limit(g.subs(t, sp.Rational(1, 2)), u, sp.oo) == sp.Rational(1, 2)  # t = 1/2: f* = 1/2
    for tv in (-3, -sp.Rational(1, 2), -sp.Rational(1, 5), 0, sp.Rational(1, 2)):
        sup_val = max(g.subs({t: tv, u: 0}), g.subs({t: tv, u: 1}))
        assert sup_val == max(tv, -sp.Rational(1, 2))
    lib = get_f_divergence("total_variation")
    np.testing.assert_array_equal(lib.conjugate(np.array([-3, -0.5, -0.2, 0.0, 0.5])), [-0.5, -0.5, -0.2, 0.0, 0.5])


def test_pearson_conjugate_branch_below_minus_two():
    # f'(0) = -2: for t <= -2 the sup over u >= 0 sits at u = 0 and f*(t) = -f(0) = -1
    f = (u - 1) ** 2
    for tv in (-2, -3, -10):
        g = tv * u - f  # decreasing on u >= 0 when t <= -2
        assert sp.diff(g, u).subs(u, 0) <= 0
        assert g.subs(u, 0) == -1
    np.testing.assert_array_equal(get_f_divergence("pearson").conjugate(np.array([-2.0, -3.0, -10.0])), [-1, -1, -1])


@pytest.mark.parametrize("name", sorted(SYMBOLIC))
def test_library_matches_sympy(name):
    f, fstar, ts = SYMBOLIC[name]
    lib = get_f_divergence(name)
    us = np.array([0.01, 0.3, 1.0, 2.5, 40.0])
    f_np = sp.lambdify(u, f, "mpmath")
    fp_np = sp.lambdify(u, sp.diff(f, u), "mpmath")
    np.testing.assert_allclose(lib.f(us), [float(f_np(x)) for x in us], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(lib.f_prime(us), [float(fp_np(x)) for x in us], rtol=1e-13, atol=1e-15)
    tvals = np.array([float(x) for x in ts])
    fs_np = sp.lambdify(t, fstar, "mpmath")
    np.testing.assert_allclose(lib.conjugate(tvals), [float(fs_np(x)) for x in tvals], rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# numeric sup with scipy
# ---------------------------------------------------------------------------------------------

# u <= 1e8 keeps the cancellation in t u - f(u) below ~1e-8 (eps * t * u)
_GRID = np.concatenate([[0.0], np.logspace(-12, 8, 2001)])


def _numeric_sup(fd, tv):
    """sup_{u in [0, 1e8]} (t u - f(u)): log-grid then bounded Brent refinement in log u."""
    with np.errstate(all="ignore"):
        vals = tv * _GRID - fd.f(_GRID)
    i = int(np.nanargmax(vals))
    best = float(vals[i])
    if 0 < i < _GRID.size - 1:
        lo, hi = math.log(_GRID[max(i - 1, 1)]), math.log(_GRID[i + 1])
        res = minimize_scalar(lambda s: -(tv * math.exp(s) - float(fd.f(np.array([math.exp(s)]))[0])),
                              bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
        best = max(best, -float(res.fun))
    return best, i


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_conjugate_against_numeric_sup(name):
    fd = get_f_divergence(name)
    lo, hi = fd.conjugate_domain
    lo_f = max(lo, -20.0) if math.isinf(lo) else lo
    hi_f = min(hi, 8.0)
    # interior points of the domain (shrunk from open ends)
    ts = np.linspace(lo_f + 1e-3, hi_f - (1e-2 if not fd.domain_closed[1] else 0.0), 13)
    closed_form = fd.conjugate(ts)
    for tv, cf in zip(ts, closed_form):
        num, _ = _numeric_sup(fd, float(tv))
        # the numeric sup is a lower bound (finite grid, u <= 1e8) up to cancellation ~1e-8; where
        # the sup is approached only as u -> inf (closed ends: Neyman t=1, log trick t=0) it
        # converges like 1/u, so the gap is <= ~1e-8 there too
        assert num <= cf + 1e-8 * (1 + abs(cf)), (name, tv, num, cf)
        assert cf - num <= 1e-6 * (1 + abs(cf)), (name, tv, num, cf)
    # outside the domain: the objective is unbounded, the library says +inf
    if math.isfinite(hi):
        beyond = hi + 0.05 * abs(hi) + 0.05
        assert fd.conjugate(np.array([beyond]))[0] == math.inf
        num, i = _numeric_sup(fd, beyond)
        assert i == _GRID.size - 1 and num > 1e5  # maximiser runs to the end of the grid
        if not fd.domain_closed[1]:
            assert fd.conjugate(np.array([hi]))[0] == math.inf
        else:
            assert math.isfinite(fd.conjugate(np.array([hi]))[0])


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_conjugate_at_minus_infinity_is_minus_f0(name):
    fd = get_f_divergence(name)
    assert fd.conjugate(np.array([-math.inf]))[0] == -fd.f_at_zero
    assert fd.conjugate(np.array([-1e6]))[0] >= -fd.f_at_zero - 1e-12  # f* decreases to -f(0)


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_output_activation_maps_into_domain(name):
    fd = get_f_divergence(name)
    v = np.linspace(-30, 30, 601)
    g = fd.output_activation(v)
    assert np.all(fd.in_conjugate_domain(g))
    assert np.all(np.isfinite(fd.conjugate(g)))
    assert np.all(np.diff(g) >= 0)  # monotone (f-GAN Table 2 activations are increasing)


@given(st.sampled_from(sorted(F_DIVERGENCES)), st.floats(1e-6, 1e6), st.floats(-50, 50))
def test_fenchel_young_inequality_and_equality(name, uu, tt):
    fd = get_f_divergence(name)
    fu = float(fd.f(np.array([uu]))[0])
    cs = float(fd.conjugate(np.array([tt]))[0])
    # t u - f(u) <= f*(t) (definition of the sup); rtol for the cancellation in t u - f(u)
    assert tt * uu - fu <= cs + 1e-12 * (abs(tt * uu) + abs(fu) + 1)
    # equality at t = f'(u)
    tp = float(fd.f_prime(np.array([uu]))[0])
    ce = float(fd.conjugate(np.array([tp]))[0])
    assert abs(tp * uu - fu - ce) <= 1e-9 * (abs(tp * uu) + abs(fu) + 1)
