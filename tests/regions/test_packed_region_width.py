"""Certified packed regions at a requested width: inner ⊆ R(P^m, Q^m) ⊆ outer against the exact
region (type classes), ``sup_eps (outer - inner) <= width``, and certified hockey-stick brackets."""

import numpy as np
import pytest

from modecollapse.regions import packed_pair, packed_region
from modecollapse.regions._region import _region_of

SLOPES = (0.05, 0.3, 1.0, 1.7, 5.0, 40.0, 1e3)


def _pairs():
    rng = np.random.default_rng(2024)
    out = []
    # smooth laws of the log-ratio (width 1e-6), and a lumpy one (few classes, m = 8; width 1e-4)
    for k, m, spread in [(3, 200, 0.2), (4, 60, 0.3), (5, 30, 0.6), (4, 40, 1.5), (3, 300, 0.05), (6, 8, 2.5)]:
        p = rng.dirichlet(np.ones(k))
        q = p * np.exp(spread * rng.standard_normal(k))
        out.append((p, q / q.sum(), m))
    # atoms with q = 0 (P-only) and with p = 0 (Q-only)
    out.append((np.array([0.05, 0.45, 0.3, 0.2, 0.0]), np.array([0.0, 0.3, 0.35, 0.2, 0.15]), 40))
    return out


def _exact(p, q, m):
    pp = packed_pair(p, q, m)
    return _region_of(pp.p, pp.q)


# Few classes make the law of the log-ratio lumpy (atoms), where the lattice gap shrinks only linearly
# in the step (the exact path, which "auto" takes there, is cheap); width 1e-6 on the smoother ones.
CASES = [(c, 1e-4) for c in range(7)] + [(c, 1e-5) for c in (1, 2, 6)] + [(1, 1e-6), (2, 1e-6)]


@pytest.mark.parametrize("case, width", CASES)
def test_certified_polygons_enclose_the_exact_region_within_the_width(case, width):
    p, q, m = _pairs()[case]
    exact = _exact(p, q, m)
    pr = packed_region(p, q, m, method="lattice", width=width)
    assert not pr.exact and pr.method == "lattice-fft"
    assert 0.0 <= pr.gap <= width
    # containment at every vertex of all three polygons (exact region: type classes, ~1e-14)
    xs = np.unique(np.concatenate([exact.vertices[:, 0], pr.inner.vertices[:, 0], pr.outer.vertices[:, 0]]))
    ex = exact.delta_at(xs)
    assert np.all(pr.inner.delta_at(xs) <= ex + 1e-13)
    assert np.all(pr.outer.delta_at(xs) >= ex - 1e-13)
    # the requested width, measured independently of the reported gap (and on a uniform grid too)
    grid = np.concatenate([xs, np.linspace(0.0, 1.0, 20001)])
    grid = grid[grid >= pr.eps_floor]
    assert float(np.max(pr.outer.delta_at(grid) - pr.inner.delta_at(grid))) <= width
    # hockey-stick brackets contain the exact value; their width is the polygons' gap at most
    for lam in SLOPES:
        lo, hi = pr.hockey_stick_bounds(lam)
        h = exact.hockey_stick(lam)
        assert lo - 1e-13 <= h <= hi + 1e-13, (lam, lo, h, hi)
        assert hi - lo <= pr.gap + lam * pr.eps_floor + 1e-15
    # and the TV bracket is still the packed-TV one
    assert pr.tv.lower - 1e-13 <= exact.tv <= pr.tv.upper + 1e-13


def test_exact_region_hockey_stick_bounds_are_the_exact_value():
    pr = packed_region([0.5, 0.5], [0.3, 0.7], 2)
    assert pr.exact and pr.eps_floor == 0.0
    lo, hi = pr.hockey_stick_bounds(1.0)
    assert lo == hi == pytest.approx(0.24, abs=1e-15)


def test_width_is_honoured_on_the_benchmark_scale():
    # k = 100, m = 200 (no exact region): width 1e-6 met, gap measured at the vertices
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(100))
    q = p * np.exp(0.05 * rng.standard_normal(100))
    pr = packed_region(p, q / q.sum(), 200, width=1e-6)
    assert not pr.exact and pr.gap <= 1e-6
    lo, hi = pr.hockey_stick_bounds(1.0)
    assert lo - 1e-15 <= pr.tv.upper and pr.tv.lower <= hi + 1e-15


def test_an_unreachable_width_is_a_cost_error():
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(50))
    q = p * np.exp(0.05 * rng.standard_normal(50))
    with pytest.raises(ValueError, match="certified packed .* max_points"):
        packed_region(p, q / q.sum(), 3000, width=1e-9, max_points=2**16)
