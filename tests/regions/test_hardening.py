"""Inputs users really pass to regions: tiny masses, round-off just outside [0, 1], invalid
arguments, sizes that must be refused with their cost before any memory is taken.

Each test pins one case that used to be answered wrongly (a reading that contradicted the other,
a certified polygon below its curve, an OverflowError, a silently accepted argument, a message
naming the wrong parameter).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modecollapse.regions as R
from modecollapse.regions import (
    REGION_ATOL,
    GaussianRegion,
    Region,
    blackwell_garbling,
    blackwell_leq,
    has_mode_collapse,
    mode_collapse_region,
    packed_region,
    packed_tv,
    packed_tv_max,
    packed_tv_max_without_collapse,
    packed_tv_min,
    packed_tv_min_with_collapse,
)

# ---------------------------------------------------------------------------------------------
# has_mode_collapse: the set reading implies the randomised one, at any mass scale
# ---------------------------------------------------------------------------------------------


def test_tiny_mass_collapse_under_both_readings():
    # S = {atom 0}: Q(S) = 1e-20 <= 0 + atol and P(S) = 1, so the set reading collapses; the
    # randomised reading (a superset of tests) must too
    p, q = [1, 0, 0], [1e-20, 0, 1]
    assert has_mode_collapse(p, q, 0, 1, randomized=False)
    assert has_mode_collapse(p, q, 0, 1)


_MASSES = st.sampled_from([0.0, 5e-324, 1e-300, 1e-160, 1e-20, 1e-13, 1e-12, 1e-9, 0.1, 0.5, 1.0, 3.0])


@st.composite
def mixed_scale_pairs(draw):
    """Pairs on 1-5 atoms whose masses mix subnormal, tiny and ordinary scales."""
    k = draw(st.integers(1, 5))
    a = np.array(draw(st.lists(_MASSES, min_size=k, max_size=k)))
    b = np.array(draw(st.lists(_MASSES, min_size=k, max_size=k)))
    a[0] += 1.0 if a.sum() < 1e-6 else 0.0
    b[-1] += 1.0 if b.sum() < 1e-6 else 0.0
    return a / a.sum(), b / b.sum()


@settings(max_examples=200)
@given(mixed_scale_pairs(), st.sampled_from([0.0, 1e-20, 1e-12, 0.1, 0.5]), st.sampled_from([1e-9, 0.3, 0.9, 1.0]))
def test_set_reading_implies_randomised_reading(pq, eps, delta):
    p, q = pq
    if not eps < delta:
        return
    if has_mode_collapse(p, q, eps, delta, randomized=False):
        assert has_mode_collapse(p, q, eps, delta)


# ---------------------------------------------------------------------------------------------
# one tolerance policy for eps and delta: REGION_ATOL outside [0, 1] is clipped, more is refused
# ---------------------------------------------------------------------------------------------


def test_delta_a_float_sum_above_one_is_accepted_everywhere():
    d = 1.0000000000000002  # one ulp above 1, as float sums of all atoms can be
    assert d > 1.0
    p, q = [0.5, 0.5], [0.3, 0.7]
    r = mode_collapse_region(p, q)
    assert r.delta_at(d) == r.delta_at(1.0)  # the region's own policy
    assert has_mode_collapse(p, q, 0.5, d) == has_mode_collapse(p, q, 0.5, 1.0)
    full = mode_collapse_region([1, 0], [0, 1])  # the whole square: (0.5, 1) is in it
    assert full.contains(0.5, d) and full.contains(0.5, 1.0) and full.contains(-1e-17, 0.5)
    assert not full.contains(0.5, 1.0 + 1e-9) and not full.contains(-1e-9, 0.5)
    v = packed_tv_min_with_collapse(0.5, 2, eps=0.5, delta=d).value
    assert v == packed_tv_min_with_collapse(0.5, 2, eps=0.5, delta=1.0).value
    w = packed_tv_max_without_collapse(0.2, 2, eps=-1e-17, delta=0.5)
    assert w.eps == 0.0


@pytest.mark.parametrize("bad", [1.0 + 1e-9, -1e-9, 2.0])
def test_delta_beyond_the_slack_is_refused_naming_it(bad):
    with pytest.raises(ValueError, match="delta"):
        has_mode_collapse([0.5, 0.5], [0.3, 0.7], 0.0, bad)
    with pytest.raises(ValueError, match="delta"):
        packed_tv_min_with_collapse(0.5, 2, eps=0.0, delta=bad)
    with pytest.raises(ValueError, match="delta"):
        mode_collapse_region([0.5, 0.5], [0.3, 0.7]).eps_at(bad)  # the region's own policy agrees
    assert REGION_ATOL < 1e-9  # the values above are outside the documented slack


# ---------------------------------------------------------------------------------------------
# certified Gaussian polygons contain / stay inside the curve in exact arithmetic
# ---------------------------------------------------------------------------------------------


def _polygon_minus_curve(poly: Region, d: float, eps_grid) -> tuple[float, float]:
    """(min, max) over the grid of polygon - curve: the polygon interpolated in rationals on its own
    float vertices, the curve Phi(Phi^{-1}(eps) + d) by mpmath at 90 digits (independent of scipy)."""
    mpmath.mp.dps = 90
    xs = [Fraction(float(x)) for x in poly.vertices[:, 0]]
    ys = [Fraction(float(y)) for y in poly.vertices[:, 1]]
    diffs = []
    for e in eps_grid:
        E = Fraction(float(e))
        i = max(j for j in range(len(xs) - 1) if xs[j] <= E) if E < 1 else len(xs) - 2
        if xs[i + 1] == xs[i]:  # vertical first edge: its top
            y = ys[i + 1]
        else:
            y = ys[i] + (ys[i + 1] - ys[i]) * (E - xs[i]) / (xs[i + 1] - xs[i])
        em = mpmath.mpf(E.numerator) / E.denominator
        curve = mpmath.ncdf(mpmath.sqrt(2) * mpmath.erfinv(2 * em - 1) + d) if 0 < em < 1 else em
        diffs.append(mpmath.mpf(y.numerator) / y.denominator - curve)
    return min(diffs), max(diffs)


def _grid(poly: Region) -> np.ndarray:
    return np.unique(np.concatenate([
        np.linspace(0.0, 1.0, 201), np.linspace(0.98, 0.995, 151), 1.0 - np.logspace(-16, -2, 60),
        np.logspace(-16, -2, 30), poly.vertices[:, 0],
    ]))


@pytest.mark.parametrize("d, n", [(5.0, 8), (8.0, 8), (3.0, 16), (1.0, 5)])
def test_gaussian_outer_polygon_contains_the_curve_exactly(d, n):
    # (5.0, 8): a vertex at delta = 1 + 1e-14 used to be clipped to 1, putting the edge into it
    # 1.5e-17 below the curve near eps = 0.9866
    outer = GaussianRegion(d).outer_polygon(n)
    lo, _ = _polygon_minus_curve(outer, d, _grid(outer))
    assert lo >= 0


@pytest.mark.parametrize("d, n", [(5.0, 8), (8.0, 8), (1.0, 5)])
def test_gaussian_inner_polygon_stays_under_the_curve_exactly(d, n):
    inner = GaussianRegion(d).inner_polygon(n)
    _, hi = _polygon_minus_curve(inner, d, _grid(inner))
    assert hi <= 0


# ---------------------------------------------------------------------------------------------
# invalid arguments get a TypeError / ValueError naming them
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad, exc", [("abc", TypeError), (None, TypeError), (-1, ValueError), (0, ValueError),
                                      (2.5, TypeError), (True, TypeError)])
def test_polygon_n_is_validated(bad, exc):
    r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    for region in (r, GaussianRegion(1.0)):
        with pytest.raises(exc, match="n"):
            region.inner_polygon(bad)
        with pytest.raises(exc, match="n"):
            region.outer_polygon(bad)
    assert r.inner_polygon(3) is r and r.outer_polygon(10) is r  # a polygon is its own, for any valid n


@pytest.mark.parametrize("bad", ["no", "", 1, 0, None, np.array([True])])
def test_two_sided_must_be_a_real_bool(bad):
    with pytest.raises(TypeError, match="two_sided"):
        packed_tv_max_without_collapse(0.6, 2, eps=0.1, delta=0.5, two_sided=bad)
    assert packed_tv_max_without_collapse(0.6, 2, eps=0.1, delta=0.5, two_sided=np.bool_(False)).attained


def test_two_sided_rounding_width_feasible_set_is_infeasible():
    # tau = 0.6, (eps, delta) = (0.1, 0.4): the excluded contact intervals [.,0.2] and [0.2,.] meet
    # at x = 0.2, leaving only a rounding-width gap; refused as infeasible, not an internal error
    with pytest.raises(ValueError, match="infeasible"):
        packed_tv_max_without_collapse(0.6, 2, eps=0.1, delta=0.4, two_sided=True)


# ---------------------------------------------------------------------------------------------
# huge packing degrees: the limit, or a clear refusal
# ---------------------------------------------------------------------------------------------


def test_packed_tv_max_at_a_huge_m_is_the_limit():
    assert packed_tv_max(0.2, 10**400).value == 1.0  # 1 - 0.8^m -> 1
    assert packed_tv_max(0.0, 10**400).value == 0.0
    assert packed_tv_max(1.0, 10**400).value == 1.0
    assert packed_tv_max(0.2, 10**400).m == 10**400
    assert packed_tv_max_without_collapse(0.2, 10**400, eps=0.1, delta=0.5).value == 1.0


def test_huge_m_is_refused_where_it_cannot_be_computed():
    with pytest.raises(ValueError, match="L_MAX_M"):
        packed_tv_min(0.2, 10**400)
    assert packed_tv_min(0.2, 10**6).value == 1.0  # L >= 1 - (1 - tau^2)^(m/2) is 1 within half an ulp
    with pytest.raises(ValueError, match="L_MAX_M"):
        packed_tv_min(1e-6, 10**6)
    with pytest.raises(ValueError, match="m must be <= 2"):
        packed_tv([0.5, 0.5], [0.3, 0.7], 10**400)
    with pytest.raises(ValueError, match="m must be <= 2"):
        GaussianRegion(1.0).pack(10**400)
    assert packed_tv([0.5, 0.5], [0.3, 0.7], 2**53) == 1.0  # the binary exact path at the limit


# ---------------------------------------------------------------------------------------------
# sizes that would exhaust memory: refused with the number, before anything is allocated
# ---------------------------------------------------------------------------------------------


def test_boundary_and_polygon_sizes_are_refused_with_the_cost():
    r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    with pytest.raises(ValueError, match="1000000000"):
        r.boundary(10**9)
    with pytest.raises(ValueError, match="1000000000"):
        GaussianRegion(1.0).boundary(10**9)
    with pytest.raises(ValueError, match="100000000"):
        GaussianRegion(1.0).inner_polygon(10**8)
    with pytest.raises(ValueError, match="100000000"):
        GaussianRegion(1.0).outer_polygon(10**8)
    e, d = r.boundary(1000)
    assert e.size >= 1000 and d.size == e.size


def test_blackwell_garbling_refuses_a_huge_lp_with_its_size():
    p = np.full(1000, 1e-3)
    with pytest.raises(ValueError, match="1000000 unknowns"):
        blackwell_garbling(p, p, p, p)
    assert blackwell_leq(p, p, p, p)  # the geometric test answers the same question


# ---------------------------------------------------------------------------------------------
# messages name the user's parameter
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("f", [blackwell_leq, blackwell_garbling])
def test_blackwell_names_p2_and_q2(f):
    good = [0.5, 0.5]
    with pytest.raises(ValueError, match=r"sum\(p2\)"):
        f(good, good, [0.5, 0.6], good)
    with pytest.raises(ValueError, match=r"sum\(q2\)"):
        f(good, good, good, [0.5, 0.6])
    with pytest.raises(ValueError, match=r"sum\(p\)"):
        f([0.5, 0.6], good, good, good)


@pytest.mark.parametrize("m", [2, 200])
def test_packed_region_accepts_a_p_within_the_sum_tolerance(m):
    p = np.array([0.5, 0.3, 0.2 + 5e-10])  # sums to 1 + 5e-10 < SUM_ATOL: a valid input
    q = [0.2, 0.3, 0.5]
    pr = packed_region(p, q, m)
    assert pr.exact and 0.0 < pr.tv.lower <= 1.0
    # same pair, same TV up to the input's own excess mass: the region's ROC is scaled to end at
    # (1, 1) by the packed totals (1 + 5e-10)^m, which moves it by <= m * 5e-10
    assert pr.region.tv == pytest.approx(packed_tv(p, q, m), abs=2 * m * 5e-10)
    with pytest.raises(ValueError, match=r"sum\(p\)=1\.01"):
        packed_region([0.5, 0.3, 0.21], q, m)  # a genuine error quotes the user's own sum


# --- closed-form families: inputs checked where they enter (found by tests/packaging/test_fuzz.py)


@pytest.mark.parametrize("p", [None, float("nan"), "abc", [[0.5, 0.5]], np.array(["0.5", "0.5"])])
def test_likelihood_ratio_pair_validates_its_masses(p):
    with pytest.raises((TypeError, ValueError), match=r"\bp\b"):
        R.LikelihoodRatioPair(p, [0.5, 0.5])


def test_likelihood_ratio_pair_keeps_valid_masses_and_refuses_a_non_string_description():
    pair = R.LikelihoodRatioPair([0.2, 0.8], [0.0, 1.0])
    assert pair.p.tolist() == [0.2, 0.8] and not pair.p.flags.writeable
    with pytest.raises(TypeError, match="description"):
        R.LikelihoodRatioPair([0.2, 0.8], [0.0, 1.0], None)


@pytest.mark.parametrize("kw, name", [
    (dict(edges="abc"), "edges"),
    (dict(edges=[0, 10**400, 1]), "edges"),
    (dict(edges=np.array(["0", "0.5", "1"])), "edges"),
    (dict(p_density=["1", "1"]), "p_density"),
    (dict(q_density=[None, 1.0]), "q_density"),
    (dict(edges=[0.0, 0.5]), "edges"),
    (dict(description=None), "description"),
])
def test_piecewise_uniform_pair_names_the_bad_argument(kw, name):
    args = dict(edges=[0.0, 0.5, 1.0], p_density=[1.0, 1.0], q_density=[0.6, 1.4])
    args.update(kw)
    with pytest.raises((TypeError, ValueError), match=name):
        R.piecewise_uniform_pair(**args)


def test_pacgan_example_refuses_an_unhashable_name():
    with pytest.raises(ValueError, match="name"):
        R.pacgan_example([])


def test_gaussian_region_names_sigma_when_the_shift_overflows():
    with pytest.raises(ValueError, match="sigma"):
        R.gaussian_region(0.0, 1.0, sigma=5e-324)


# --- bools, huge integers and 2-D curves (found by tests/packaging/test_fuzz.py)


@pytest.mark.parametrize("call", [
    lambda r: r.delta_at(True), lambda r: r.eps_at(True), lambda r: r.contains(True, 0.3),
    lambda r: r.contains(0.1, True), lambda r: r.tradeoff(True), lambda r: r.tradeoff_inverse(True),
    lambda r: r.prd(True),
])
@pytest.mark.parametrize("region", [mode_collapse_region([0.5, 0.5], [0.3, 0.7]), GaussianRegion(1.0)])
def test_a_bool_is_not_read_as_one(region, call):
    with pytest.raises(TypeError, match=r"(eps|delta|alpha|beta|lam) must be"):
        call(region)


@pytest.mark.parametrize("call", [
    lambda: GaussianRegion(1.0).inner_polygon(10**400), lambda: GaussianRegion(1.0).outer_polygon(10**400),
    lambda: GaussianRegion(1.0).polygon_gap(10**400), lambda: GaussianRegion(1.0).boundary(10**400),
    lambda: mode_collapse_region([0.5, 0.5], [0.3, 0.7]).boundary(10**400),
    lambda: R.l1_radius(10**400, 3), lambda: R.l1_radius(100, 10**400),
    lambda: R.samples_for_l1_radius(0.1, 10**400), lambda: R.region_from_counts([5, 5], [5, 5], m=10**400),
])
def test_huge_integers_are_refused_by_name_not_overflowed(call):
    with pytest.raises(ValueError, match=r"\b(n|k|m)\b"):
        call()


@pytest.mark.parametrize("radius", [1e-300, 5e-324, 1e308])
def test_samples_for_l1_radius_refuses_radii_it_cannot_serve(radius):
    with pytest.raises(ValueError, match="radius"):
        R.samples_for_l1_radius(radius, 3)


@pytest.mark.parametrize("fn, a, b", [
    (R.region_from_tradeoff, [[0.3]], [[0.5]]),
    (R.region_from_hockey_stick, [[1.0]], [[0.2]]),
    (R.region_from_prd, [[0.5]], [[0.5]]),
])
def test_curve_conversions_refuse_2d_input(fn, a, b):
    with pytest.raises(ValueError, match="1-D"):
        fn(a, b)


def test_impossible_hockey_stick_values_name_slopes_and_values():
    with pytest.raises(ValueError, match="slopes and values"):
        R.region_from_hockey_stick([0.5], [0.0])  # E_0.5 = 0 < 1 - 0.5


@pytest.mark.parametrize("fn", [R.packed_tv_bounds, packed_region])
def test_a_non_string_method_is_refused_by_name(fn):
    with pytest.raises(ValueError, match="method"):
        fn([0.5, 0.5], [0.3, 0.7], 2, method=np.array(["a", "b"]))


def test_huge_m_of_the_collapse_bound_is_refused_by_name():
    with pytest.raises(ValueError, match="L1_MAX_M"):
        R.packed_tv_min_with_collapse(0.3, 10**400, eps=0.1, delta=0.3)


def test_subnormal_slopes_and_precisions_give_no_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = R.region_from_prd([5e-324, 0.5], [0.5, 0.5])
        assert r.delta_at(0.0) <= 0.5 + 1e-12
        with pytest.raises(ValueError, match="slopes and values"):
            R.region_from_hockey_stick([5e-324, 1.0, 2.0], [0.5, 0.3, 0.1])
