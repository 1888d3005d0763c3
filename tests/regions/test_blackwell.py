"""Tests of the Blackwell ordering (regions/_blackwell.py; docs/theory.md s.4).

Included pairs are built as random garblings (p2 W, q2 W) of a random pair; the swapped order
is then usually not included. Packed pairs are computed here by brute-force enumeration of the
k^m product atoms (an oracle independent of regions' packing code), and their f-divergences by
divergences.f_divergence.
"""

from __future__ import annotations

import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modecollapse import regions
from modecollapse.divergences import F_DIVERGENCES, f_divergence
from modecollapse.regions import GARBLING_ATOL, blackwell_garbling, blackwell_leq, mode_collapse_region
from modecollapse.regions import _blackwell


def random_pair(rng, k, zero_prob=0.25):
    p = rng.dirichlet(np.ones(k)) * (rng.random(k) > zero_prob)
    q = rng.dirichlet(np.ones(k)) * (rng.random(k) > zero_prob)
    if p.sum() == 0:
        p[0] = 1.0
    if q.sum() == 0:
        q[-1] = 1.0
    return p / p.sum(), q / q.sum()


def random_garbling(rng, k2, k):
    w = rng.dirichlet(np.full(k, 0.7), size=k2)
    return w / w.sum(axis=1, keepdims=True)


def garbled_pair(seed, k2, k):
    """A random pair (p2, q2) on k2 atoms and its image (p, q) under a random k2 x k garbling."""
    rng = np.random.default_rng(seed)
    p2, q2 = random_pair(rng, k2)
    w0 = random_garbling(rng, k2, k)
    return p2 @ w0, q2 @ w0, p2, q2


def packed_bruteforce(p, q, m):
    """P^m, Q^m over all k^m product atoms."""
    pm = np.array([np.prod(t) for t in itertools.product(p, repeat=m)])
    qm = np.array([np.prod(t) for t in itertools.product(q, repeat=m)])
    return pm, qm


def check_garbling(w, p, q, p2, q2):
    assert w.shape == (len(p2), len(p))
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(p2 @ w, p, atol=GARBLING_ATOL)
    np.testing.assert_allclose(q2 @ w, q, atol=GARBLING_ATOL)


def region_gap(r1, r2):
    """max (delta*_1 - delta*_2) over all vertices of both (exact for polygons)."""
    e = np.unique(np.concatenate([r1.vertices[:, 0], r2.vertices[:, 0]]))
    return float(np.max(r1.delta_at(e) - r2.delta_at(e)))


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4))
def test_random_garbling_is_included_and_found(seed, k2, k):
    p, q, p2, q2 = garbled_pair(seed, k2, k)
    # data processing: the garbled pair's region is inside
    assert mode_collapse_region(p, q).issubset(mode_collapse_region(p2, q2))
    assert blackwell_leq(p, q, p2, q2)
    w = blackwell_garbling(p, q, p2, q2)
    assert w is not None
    check_garbling(w, p, q, p2, q2)
    with pytest.raises(ValueError):
        w[0, 0] = 0.5  # read-only


@given(st.integers(0, 2**32 - 1), st.integers(1, 4), st.integers(1, 4), st.booleans())
def test_inclusion_iff_garbling_exists(seed, k, k2, swapped):
    rng = np.random.default_rng(seed)
    if swapped:  # the reverse of a garbling: included only if the garbling lost nothing
        p2, q2 = random_pair(rng, k)
        w0 = random_garbling(rng, k, k2)
        p, q, p2, q2 = p2, q2, p2 @ w0, q2 @ w0
    else:  # unrelated pairs
        p, q = random_pair(rng, k)
        p2, q2 = random_pair(rng, k2)
    r, r2 = mode_collapse_region(p, q), mode_collapse_region(p2, q2)
    gap = region_gap(r, r2)
    if abs(gap) < 1e-7:  # too close to call at the LP's tolerance
        return
    w = blackwell_garbling(p, q, p2, q2)
    assert (w is not None) == (gap < 0) == r.issubset(r2) == blackwell_leq(p, q, p2, q2)
    if w is not None:
        check_garbling(w, p, q, p2, q2)


def test_swapped_garbling_usually_not_included():
    # the "swapped" direction must actually produce non-inclusions (else the test above is vacuous)
    rng = np.random.default_rng(1)
    outcomes = []
    for _ in range(30):
        p2, q2 = random_pair(rng, 3, zero_prob=0.0)
        w0 = random_garbling(rng, 3, 3)
        outcomes.append(blackwell_garbling(p2, q2, p2 @ w0, q2 @ w0) is None)
    assert sum(outcomes) >= 25


@settings(max_examples=15)
@given(st.integers(0, 2**32 - 1), st.integers(2, 3), st.integers(2, 3))
def test_inclusion_preserved_by_packing(seed, k2, k):
    p, q, p2, q2 = garbled_pair(seed, k2, k)
    w = blackwell_garbling(p, q, p2, q2)
    assert w is not None
    wm = w
    for m in range(2, 6):
        wm = np.kron(wm, w)  # tensorised garbling W^{(x) m} maps the packed pairs
        pm, qm = packed_bruteforce(p, q, m)
        pm2, qm2 = packed_bruteforce(p2, q2, m)
        np.testing.assert_allclose(pm2 @ wm, pm, atol=1e-7)
        np.testing.assert_allclose(qm2 @ wm, qm, atol=1e-7)
        rm, rm2 = mode_collapse_region(pm, qm), mode_collapse_region(pm2, qm2)
        assert rm.issubset(rm2, atol=1e-7)  # LP-level slack on W, propagated through the products
        assert rm.tv <= rm2.tv + 1e-7
        for name in F_DIVERGENCES:
            d1, d2 = f_divergence(pm, qm, name), f_divergence(pm2, qm2, name)
            assert d1 <= d2 + 1e-9 * max(1.0, abs(d2)), (name, m, d1, d2)  # inf <= inf holds


def test_pacgan_pairs_are_not_ordered_but_packing_separates_them():
    # docs/theory.md s.3: same TV 0.2, different regions: neither garbles into the other
    p1, q1 = [0.2, 0.8], [0.0, 1.0]
    p2, q2 = [0.5, 0.5], [0.3, 0.7]
    assert blackwell_garbling(p1, q1, p2, q2) is None
    assert blackwell_garbling(p2, q2, p1, q1) is None
    assert not blackwell_leq(p1, q1, p2, q2) and not blackwell_leq(p2, q2, p1, q1)


def test_extreme_pairs():
    # the perfectly informative pair dominates everything; P = Q is dominated by everything
    rng = np.random.default_rng(3)
    for _ in range(5):
        p, q = random_pair(rng, 4)
        w = blackwell_garbling(p, q, [1, 0], [0, 1])
        check_garbling(w, p, q, np.array([1.0, 0.0]), np.array([0.0, 1.0]))
        np.testing.assert_allclose(w, np.vstack([p, q]), atol=1e-9)  # forced: rows are p and q
        w = blackwell_garbling([1.0], [1.0], p, q)
        np.testing.assert_allclose(w, np.ones((4, 1)), atol=1e-12)
    assert blackwell_garbling([1, 0], [0, 1], [0.5, 0.5], [0.4, 0.6]) is None


def test_bad_input():
    with pytest.raises(ValueError, match="p2"):
        blackwell_garbling([0.5, 0.5], [0.5, 0.5], [0.5, 0.6], [0.5, 0.5])
    with pytest.raises(ValueError, match="same number"):
        blackwell_garbling([0.5, 0.5], [0.5, 0.5], [1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="atol"):
        blackwell_leq([0.5, 0.5], [0.5, 0.5], [1.0], [1.0], atol=-1.0)


def test_doctests_and_names():
    assert doctest.testmod(_blackwell).failed == 0
    for name in _blackwell.__all__:
        assert getattr(regions, name) is getattr(_blackwell, name)
