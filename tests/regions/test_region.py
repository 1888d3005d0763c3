"""Tests of the mode-collapse region type (regions/_region.py; docs/theory.md s.3).

Oracles of another kind than the sorted-ROC construction under test: the upper hull of the
points (Q(S), P(S)) over *all* 2^k subsets S, an LP over randomised tests (scipy linprog), the
closed form of the hockey-stick divergence sum_i (p_i - s q_i)_+, and brute force over subsets
for the deterministic reading of mode collapse.
"""

from __future__ import annotations

import doctest
import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from modecollapse import regions
from modecollapse.regions import ModeCollapseRegion, Region, has_mode_collapse, mode_collapse_region, pair_from_region
from modecollapse.regions import _region


# --------------------------------------------------------------------------- strategies / oracles


@st.composite
def pairs(draw, min_k=1, max_k=6, zeros=True):
    """Random discrete pairs with (optionally) zero atoms on either side and ties in the ratio."""
    k = draw(st.integers(min_k, max_k))
    # small integers make equal likelihood ratios and exact zeros likely
    lo = 0 if zeros else 1
    a = np.array(draw(st.lists(st.integers(lo, 6), min_size=k, max_size=k)), dtype=float)
    b = np.array(draw(st.lists(st.integers(lo, 6), min_size=k, max_size=k)), dtype=float)
    if a.sum() == 0:
        a[0] = 1.0
    if b.sum() == 0:
        b[-1] = 1.0
    return a / a.sum(), b / b.sum()


def subset_points(p, q):
    """(Q(S), P(S)) for every subset S of the atoms."""
    k = len(p)
    pts = []
    for mask in itertools.product((0, 1), repeat=k):
        m = np.array(mask, dtype=bool)
        pts.append((q[m].sum(), p[m].sum()))
    return np.array(pts)


def lp_delta_star(p, q, eps):
    """max p.phi s.t. q.phi <= eps, 0 <= phi <= 1: the randomised Neyman-Pearson value by LP."""
    res = linprog(-np.asarray(p), A_ub=[q], b_ub=[eps], bounds=[(0, 1)] * len(p), method="highs")
    assert res.status == 0
    return -res.fun


def hull_delta(points, e):
    """Upper concave envelope of a point cloud (with (0,0), (1,1)) evaluated at e, by LP-free brute force:
    max over pairs of points bracketing e of the chord value."""
    pts = np.vstack([[0, 0], points, [1, 1]])
    best = -np.inf
    for (x0, y0) in pts:
        for (x1, y1) in pts:
            if x0 <= e <= x1:
                if x1 == x0:
                    best = max(best, y0, y1)
                else:
                    best = max(best, y0 + (y1 - y0) * ((e - x0) / (x1 - x0)))  # no underflow
    return best


# --------------------------------------------------------------------------- reference values


def test_pacgan_reference_regions():
    # docs/theory.md s.3 (PacGAN example): P=U[0,1], Q1=U[0.2,1] -> atoms p=[.2,.8], q=[0,1];
    # Q2 density 0.6 on [0,.5], 1.4 on (.5,1] -> p=[.5,.5], q=[.3,.7]. Both TV 0.2,
    # apexes (0, 0.2) and (0.3, 0.5).
    r1 = mode_collapse_region([0.2, 0.8], [0.0, 1.0])
    r2 = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    assert r1.tv == pytest.approx(0.2, abs=1e-15)
    assert r2.tv == pytest.approx(0.2, abs=1e-15)
    np.testing.assert_allclose(r1.apex, (0.0, 0.2), atol=1e-15)
    np.testing.assert_allclose(r2.apex, (0.3, 0.5), atol=1e-15)
    np.testing.assert_allclose(r1.vertices, [[0, 0], [0, 0.2], [1, 1]], atol=1e-15)
    np.testing.assert_allclose(r2.vertices, [[0, 0], [0.3, 0.5], [1, 1]], atol=1e-15)
    # same TV, different regions: neither contains the other
    assert not r1.issubset(r2) and not r2.issubset(r1)
    # Q1 collapses with eps = 0 (a vertical edge); Q2 has no (0, delta) collapse for any delta > 0
    assert r1.contains(0.0, 0.2) and not r2.contains(0.0, 0.01)


def test_extreme_regions():
    full = mode_collapse_region([1, 0], [0, 1])  # disjoint supports: the whole upper triangle
    np.testing.assert_array_equal(full.vertices, [[0, 0], [0, 1], [1, 1]])
    assert full.tv == 1.0 and full.area == 0.5
    empty = mode_collapse_region([0.3, 0.7], [0.3, 0.7])  # P = Q: boundary is the diagonal
    np.testing.assert_array_equal(empty.vertices, [[0, 0], [1, 1]])
    assert empty.tv == 0.0 and empty.area == 0.0
    assert not empty.contains(0.5, 0.5)  # the diagonal is excluded, even for P = Q
    assert empty.issubset(full) and not full.issubset(empty)
    one = mode_collapse_region([1.0], [1.0])
    assert one == empty


def test_subnormal_masses_do_not_overflow():
    # p / q overflows for q = 5e-324; the region must still be exact and warning-free
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = mode_collapse_region([1, 0], [5e-324, 1])
        np.testing.assert_array_equal(r.vertices, [[0, 0], [5e-324, 1], [1, 1]])
        assert r.tv == 1.0
        # a q = 0 atom still comes before the subnormal-q atom (larger likelihood ratio)
        r2 = mode_collapse_region([0.5, 0.5, 0], [0, 5e-324, 1])
        np.testing.assert_array_equal(r2.vertices, [[0, 0], [0, 0.5], [5e-324, 1], [1, 1]])


# --------------------------------------------------------------------------- hypothesis properties


@given(pairs())
def test_boundary_is_hull_of_all_subsets(pq):
    p, q = pq
    r = mode_collapse_region(p, q)
    pts = subset_points(p, q)
    # every vertex is achieved by some subset (deterministic test) ...
    for e, d in r.vertices:
        assert np.min(np.hypot(pts[:, 0] - e, pts[:, 1] - d)) < 1e-12
    # ... and no subset lies above the boundary (brute force over all 2^k subsets)
    assert np.all(pts[:, 1] <= r.delta_at(pts[:, 0]) + 1e-12)
    # the boundary is concave, non-decreasing, from (0,0) to (1,1), without collinear vertices
    v = r.vertices
    assert tuple(v[0]) == (0.0, 0.0) and tuple(v[-1]) == (1.0, 1.0)
    dv = np.diff(v, axis=0)
    assert np.all(dv >= 0) and np.all(dv.sum(axis=1) > 0)
    cross = dv[:-1, 0] * dv[1:, 1] - dv[:-1, 1] * dv[1:, 0]
    assert np.all(cross < 0)  # strictly concave turns: no repeated or collinear interior vertex


@settings(max_examples=30)  # an LP or an O(n^2) brute force per example
@given(pairs(), st.floats(0, 1))
def test_delta_star_matches_lp(pq, e):
    p, q = pq
    r = mode_collapse_region(p, q)
    np.testing.assert_allclose(r.delta_at(e), lp_delta_star(p, q, e), atol=1e-9)  # HiGHS feasibility tol


@given(pairs())
def test_tv_is_max_delta_minus_eps(pq):
    p, q = pq
    r = mode_collapse_region(p, q)
    tv = 0.5 * np.abs(p - q).sum()
    np.testing.assert_allclose(r.tv, tv, atol=1e-12)  # cumulative-sum round-off
    grid = np.linspace(0, 1, 2001)
    assert np.max(r.delta_at(grid) - grid) <= r.tv + 1e-12
    # the apex is (Q(S*), P(S*)) with S* = {p > q}
    s = p > q
    np.testing.assert_allclose(r.apex, (q[s].sum(), p[s].sum()), atol=1e-12)


@given(pairs(), st.floats(0, 8))
def test_hockey_stick_closed_form(pq, s):
    p, q = pq
    r = mode_collapse_region(p, q)
    # E_s(P||Q) = max_S P(S) - s Q(S) = sum_i (p_i - s q_i)_+
    np.testing.assert_allclose(r.hockey_stick(s), np.clip(p - s * q, 0, None).sum(), atol=1e-12)
    np.testing.assert_allclose(r.hockey_stick(np.inf), p[q == 0].sum(), atol=1e-15)


@given(pairs(), st.randoms(use_true_random=False), st.integers(0, 3))
def test_invariant_under_permutation_and_zero_atoms(pq, rnd, nzero):
    p, q = pq
    r = mode_collapse_region(p, q)
    perm = list(range(len(p) + nzero))
    rnd.shuffle(perm)
    p2 = np.concatenate([p, np.zeros(nzero)])[perm]
    q2 = np.concatenate([q, np.zeros(nzero)])[perm]
    r2 = mode_collapse_region(p2, q2)
    assert r2.isclose(r, atol=1e-12)
    np.testing.assert_allclose(r2.vertices, r.vertices, atol=1e-12)


@given(pairs())
def test_reflection_is_swapped_pair(pq):
    p, q = pq
    r = mode_collapse_region(p, q)
    rq = mode_collapse_region(q, p)
    np.testing.assert_allclose(r.reflect().vertices, rq.vertices, atol=1e-12)
    assert r.reflect().reflect().isclose(r, atol=1e-15)
    assert rq.tv == pytest.approx(r.tv, abs=1e-12)
    assert rq.area == pytest.approx(r.area, abs=1e-12)


@given(pairs())
def test_round_trip_region_pair_region(pq):
    p, q = pq
    r = mode_collapse_region(p, q)
    p2, q2 = pair_from_region(r.vertices)
    assert len(p2) == len(r.vertices) - 1  # one atom per edge of the canonical polygon
    np.testing.assert_allclose(p2.sum(), 1, atol=1e-12)
    np.testing.assert_allclose(q2.sum(), 1, atol=1e-12)
    r2 = mode_collapse_region(p2, q2)
    np.testing.assert_allclose(r2.vertices, r.vertices, atol=1e-12)
    assert Region(r.vertices) == r  # canonical vertices are a fixed point of the constructor
    np.testing.assert_allclose(np.column_stack(r.to_pair()), np.column_stack((p2, q2)), atol=0)


@settings(max_examples=30)  # an LP or an O(n^2) brute force per example
@given(pairs(), st.floats(0, 1), st.floats(0, 1))
def test_contains_matches_lp(pq, e, d):
    p, q = pq
    r = mode_collapse_region(p, q)
    star = lp_delta_star(p, q, e)
    if abs(d - star) < 1e-8:  # too close to call against the LP's tolerance
        return
    assert r.contains(e, d) == (d > e and d <= star)


@given(pairs(max_k=6), st.floats(0, 1), st.floats(0, 1))
def test_has_mode_collapse_both_readings_against_brute_force(pq, e, d):
    p, q = pq
    if not e < d:
        with pytest.raises(ValueError, match="eps < delta"):
            has_mode_collapse(p, q, e, d)
        return
    pts = subset_points(p, q)
    det = bool(np.any((pts[:, 0] <= e + 1e-12) & (pts[:, 1] >= d - 1e-12)))
    assert has_mode_collapse(p, q, e, d, randomized=False) == det
    star = lp_delta_star(p, q, e)
    if abs(d - star) > 1e-8:
        assert has_mode_collapse(p, q, e, d) == (d <= star)
    if det:  # a set is a (0/1) randomised test
        assert has_mode_collapse(p, q, e, d)


@given(pairs(), st.floats(1e-6, 1))
def test_readings_coincide_at_eps_zero(pq, d):
    p, q = pq
    assert has_mode_collapse(p, q, 0.0, d) == has_mode_collapse(p, q, 0.0, d, randomized=False)


def test_randomised_and_set_readings_differ_between_vertices():
    # P = [1, 0], Q = [.5, .5]: phi = (1/2, 0) has E_Q = 1/4, E_P = 1/2; no set does.
    assert has_mode_collapse([1, 0], [0.5, 0.5], 0.25, 0.5)
    assert not has_mode_collapse([1, 0], [0.5, 0.5], 0.25, 0.5, randomized=False)


@given(pairs(max_k=5), pairs(max_k=5))
def test_issubset_against_grid(pq1, pq2):
    r1, r2 = mode_collapse_region(*pq1), mode_collapse_region(*pq2)
    # oracle: compare boundaries at every vertex of both (piecewise-linear, so exact there) and a grid
    e = np.unique(np.concatenate([r1.vertices[:, 0], r2.vertices[:, 0], np.linspace(0, 1, 101)]))
    gap = np.max(r1.delta_at(e) - r2.delta_at(e))
    if abs(gap) < 1e-9:
        return
    assert r1.issubset(r2) == (gap < 0)
    assert r1.isclose(r2) == (abs(gap) < 1e-12 and abs(np.max(r2.delta_at(e) - r1.delta_at(e))) < 1e-12)


@given(pairs())
def test_area_and_inverse(pq):
    p, q = pq
    r = mode_collapse_region(p, q)
    # area = AUC - 1/2; AUC of a discrete ROC = P(ratio_X > ratio_Y) + 1/2 P(tie), X~P, Y~Q, i.e.
    # sum_{i,j} p_i q_j [r_i > r_j] + 1/2 [r_i == r_j] (Mann-Whitney form, by brute force)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.where(q > 0, p / np.where(q > 0, q, 1), np.inf)
    live = (p > 0) | (q > 0)
    auc = 0.0
    for i in np.flatnonzero(live):
        for j in np.flatnonzero(live):
            if np.isclose(lr[i], lr[j], rtol=1e-12) or (np.isinf(lr[i]) and np.isinf(lr[j])):
                auc += 0.5 * p[i] * q[j]
            elif lr[i] > lr[j]:
                auc += p[i] * q[j]
    np.testing.assert_allclose(r.area, auc - 0.5, atol=1e-12)
    d = np.linspace(0, 1, 41)
    e = r.eps_at(d)
    assert np.all(r.delta_at(e) >= d - 1e-12)  # eps_at reaches delta ...
    assert np.all(r.delta_at(np.clip(e - 1e-6, 0, 1))[e > 1e-6] < d[e > 1e-6] + 1e-12)  # ... and is least


# --------------------------------------------------------------------------- the type


def test_region_is_immutable_and_hashable():
    r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    with pytest.raises(ValueError):
        r.vertices[0, 0] = 0.1
    with pytest.raises(AttributeError):
        r.foo = 1
    assert {r: 1}[Region([[0, 0], [0.3, 0.5], [1, 1]])] == 1
    assert isinstance(r, ModeCollapseRegion)
    assert r != mode_collapse_region([0.2, 0.8], [0.0, 1.0])


def test_region_constructor_cleans_and_hull():
    r = Region([[0, 0], [0, 0], [0.1, 0.2], [0.2, 0.4], [0.2, 0.4], [1, 1]])
    np.testing.assert_allclose(r.vertices, [[0, 0], [0.2, 0.4], [1, 1]], atol=1e-15)
    h = Region.hull([[0.3, 0.5], [0.1, 0.1], [0.5, 0.6]])
    np.testing.assert_allclose(h.vertices, [[0, 0], [0.3, 0.5], [1, 1]], atol=1e-15)
    e, d = h.boundary()
    np.testing.assert_array_equal(np.column_stack([e, d]), h.vertices)
    e, d = mode_collapse_region([0.2, 0.8], [0, 1]).boundary(11)
    assert e[0] == 0 and d[0] == 0 and d[1] == pytest.approx(0.2) and e[-1] == 1


def test_vectorised_shapes():
    r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    assert isinstance(r.delta_at(0.3), float)
    assert r.delta_at(np.zeros((2, 3))).shape == (2, 3)
    assert isinstance(r.contains(0.1, 0.15), bool)
    out = r.contains(np.linspace(0, 1, 5)[:, None], np.linspace(0, 1, 4)[None, :])
    assert out.shape == (5, 4) and out.dtype == bool
    assert not r.contains(-0.1, 0.5) and not r.contains(0.5, 1.2)


@pytest.mark.parametrize(
    "vertices, match",
    [
        ([[0, 0], [0.5, 0.2], [0.6, 0.8], [1, 1]], "concave"),
        ([[0, 0], [0.5, 0.7]], "end at"),
        ([[0.1, 0], [1, 1]], "start at"),
        ([[0, 0], [0.5, 1.2], [1, 1]], "unit square"),
        ([[0, 0], [0.6, 0.7], [0.5, 0.8], [1, 1]], "non-decreasing"),
        ([0, 0, 1, 1], "shape"),
        ([[0, 0], [np.nan, 0.5], [1, 1]], "NaN"),
        ([[0, 0]], "two endpoints"),
    ],
)
def test_bad_vertices(vertices, match):
    with pytest.raises(ValueError, match=match):
        pair_from_region(vertices)


def test_bad_inputs():
    r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    with pytest.raises(ValueError, match="eps"):
        r.delta_at(1.5)
    with pytest.raises(ValueError, match="eps"):
        r.delta_at(np.nan)
    with pytest.raises(TypeError, match="eps"):
        r.delta_at("a")
    with pytest.raises(ValueError, match="sum"):
        mode_collapse_region([0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="same number"):
        mode_collapse_region([0.5, 0.5], [1.0])
    with pytest.raises(ValueError, match="eps=0.5 and delta=0.5"):
        has_mode_collapse([0.5, 0.5], [0.3, 0.7], 0.5, 0.5)
    with pytest.raises(ValueError, match="delta"):
        has_mode_collapse([0.5, 0.5], [0.3, 0.7], 0.1, 1.5)
    with pytest.raises(TypeError, match="randomized"):
        has_mode_collapse([0.5, 0.5], [0.3, 0.7], 0.1, 0.5, randomized="yes")
    with pytest.raises(TypeError, match="other"):
        r.issubset([[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="slope"):
        r.hockey_stick(-1.0)


def test_deterministic_search_is_bounded():
    # 40 atoms with P = Q: 2^40 subsets, but the randomised (LP) bound delta*(0.3) = 0.3 < 0.30001
    # prunes at the root, so the exact search answers at once.
    rng = np.random.default_rng(0)
    q = rng.dirichlet(np.ones(40))
    p = q.copy()
    assert not has_mode_collapse(p, q, 0.3, 0.30001, randomized=False)


def test_doctests():
    res = doctest.testmod(_region)
    assert res.failed == 0 and res.attempted > 0


def test_public_names():
    for name in _region.__all__:
        assert getattr(regions, name) is getattr(_region, name)


@settings(max_examples=30)  # an LP or an O(n^2) brute force per example
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=0, max_size=12))
def test_hull_of_points_against_brute_force(points):
    pts = np.array(points, dtype=float).reshape(-1, 2)
    r = Region.hull(pts)
    # every vertex is one of the points (or an endpoint), and the boundary is the concave
    # majorant: at every point's abscissa and every vertex it equals the best chord (brute force)
    allp = np.vstack([[0, 0], [1, 1], pts])
    for e, d in r.vertices:
        assert np.any(np.all(allp == (e, d), axis=1))
    for e in np.concatenate([pts[:, 0], r.vertices[:, 0], [0.5]]):
        np.testing.assert_allclose(r.delta_at(e), hull_delta(pts, e), atol=1e-15)  # clean-up slack
    # the vectorised hull agrees with Andrew's monotone chain
    order = np.lexsort((allp[:, 1], allp[:, 0]))
    chain = _region._simplify(_region._monotone_chain(allp[order]), _region._COLLINEAR_ATOL)
    np.testing.assert_array_equal(r.vertices, chain)


def test_deterministic_search_raises_instead_of_hanging(monkeypatch):
    # near-equal likelihood ratios and a target between the best set and the randomised bound
    # force branching; with the node budget lowered the search must raise, naming the way out
    rng = np.random.default_rng(1)
    q = rng.dirichlet(np.ones(16))
    p = q * (1 + 1e-3 * rng.standard_normal(16))
    p /= p.sum()
    masks = ((np.arange(2**16)[:, None] >> np.arange(16)) & 1).astype(float)
    best = (masks @ p)[(masks @ q) <= 0.37].max()  # brute force over all 2^16 sets
    target = (best + mode_collapse_region(p, q).delta_at(0.37)) / 2
    assert target > best + 1e-9
    assert not has_mode_collapse(p, q, 0.37, target, randomized=False)  # exact answer with the default budget
    monkeypatch.setattr(_region, "_BNB_NODE_LIMIT", 10)
    with pytest.raises(RuntimeError, match="randomized=True"):
        has_mode_collapse(p, q, 0.37, target, randomized=False)
