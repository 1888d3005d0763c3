"""Independent oracles for the regions package: hull, ROC, ratio merging and packed TV.

Second implementations of what ``modecollapse.regions`` computes (``_region._upper_hull``,
``_region._roc_points`` / ``Region.delta_at``, ``_typeclasses._classes`` and the exact packed TV),
written differently on purpose so that the tests can check one against the other:

* ``upper_hull``: a plain monotone chain on the sorted point set (no exact-arithmetic fallback,
  no collinear clean-up);
* ``roc_points`` / ``delta_star``: the ROC curve sorted by the angle ``arctan2(p, q)`` (not by
  log-ratio), interpolated directly;
* ``merge_equal_ratio``: atoms grouped by that angle (not by log-ratio);
* ``binary_packed_tv``: the binary pair through ``scipy.stats.binom`` pmfs;
* ``packed_tv_atoms``: ``d_TV(P^m, Q^m)`` by enumerating every multinomial type class with
  ``gammaln`` coefficients (the package sums the last two classes as a binomial tail instead);
* ``pair_from_chain``: the pair of a concave polyline, edge by edge.

Everything works in float64 and is exact up to rounding (no truncation, no sampling).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np
from scipy.special import gammaln
from scipy.stats import binom

#: Largest number of type classes ``packed_tv_atoms`` enumerates before refusing (memory/time guard).
MAX_TYPE_CLASSES = 3_000_000


def binary_packed_tv(a: float, b: float, m: int) -> float:
    """``d_TV(Bern(a)^m, Bern(b)^m)``: the TV of Bin(m, a) and Bin(m, b).

    The pmfs come from ``scipy.stats.binom`` (Boost's incomplete-beta based pmf), not from the
    package's log-space ``gammaln`` sum in ``regions._bernoulli``: an independent evaluation.
    """
    j = np.arange(m + 1)
    return float(min(1.0, 0.5 * np.abs(binom.pmf(j, m, a) - binom.pmf(j, m, b)).sum()))


@lru_cache(maxsize=64)
def type_classes(k: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """All compositions ``n`` of ``m`` into ``k`` non-negative parts, shape ``(C(m+k-1,k-1), k)``,
    and the log multinomial coefficients ``log(m! / prod n_i!)`` (stars and bars)."""
    count = math.comb(m + k - 1, k - 1)
    if count > MAX_TYPE_CLASSES:
        raise ValueError(f"oracle: m={m} on k={k} atoms needs {count} type classes (> {MAX_TYPE_CLASSES})")
    if k == 1:
        n = np.array([[m]], dtype=np.int64)
    else:
        rows = []
        for bars in itertools.combinations(range(m + k - 1), k - 1):
            prev = -1
            row = []
            for b in bars:
                row.append(b - prev - 1)
                prev = b
            row.append(m + k - 1 - prev - 1)
            rows.append(row)
        n = np.array(rows, dtype=np.int64)
    logc = gammaln(m + 1.0) - gammaln(n + 1.0).sum(axis=1)
    n.setflags(write=False)
    logc.setflags(write=False)
    return n, logc


def merge_equal_ratio(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop atoms with p = q = 0 and merge atoms whose likelihood ratios p/q agree to ~1e-13."""
    keep = (p > 0) | (q > 0)
    p, q = p[keep], q[keep]
    ang = np.arctan2(p, q)  # a monotone function of the ratio, robust at q = 0
    order = np.argsort(ang)
    ang, p, q = ang[order], p[order], q[order]
    groups = np.concatenate([[0], np.cumsum(np.diff(ang) > 1e-13)])
    return np.bincount(groups, weights=p), np.bincount(groups, weights=q)


def packed_tv_atoms(p, q, m: int) -> float:
    """``d_TV(P^m, Q^m)`` for a pair on a few atoms, by type classes: exact up to rounding.

    ``1/2 sum_n (m; n) |prod p_i^n_i - prod q_i^n_i|`` over compositions ``n`` of ``m``, each term in
    log space, after merging atoms of equal ratio.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p, q = merge_equal_ratio(p, q)
    k = p.size
    if k == 1:
        return 0.0
    if k == 2:
        return binary_packed_tv(float(p[1]), float(q[1]), m)
    n, logc = type_classes(k, m)
    lp = np.log(np.where(p > 0, p, 1.0))
    lq = np.log(np.where(q > 0, q, 1.0))
    sp = n @ lp
    sq = n @ lq
    sp[(n[:, p == 0] > 0).any(axis=1)] = -np.inf
    sq[(n[:, q == 0] > 0).any(axis=1)] = -np.inf
    return float(min(1.0, 0.5 * np.abs(np.exp(logc + sp) - np.exp(logc + sq)).sum()))


def pair_from_chain(points) -> tuple[np.ndarray, np.ndarray]:
    """The pair whose region's upper boundary is the polyline through ``points``: edge ``i`` is the
    atom ``q_i = d eps``, ``p_i = d delta`` (collinear and repeated points allowed)."""
    d = np.diff(np.asarray(points, dtype=np.float64), axis=0)
    return np.clip(d[:, 1], 0.0, None), np.clip(d[:, 0], 0.0, None)


def upper_hull(points) -> np.ndarray:
    """Upper concave hull (monotone chain) of points in the unit square, from (0,0) to (1,1)."""
    pts = sorted(set((float(x), float(y)) for x, y in points))
    hull: list[tuple[float, float]] = []
    for pt in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            cross = (x2 - x1) * (pt[1] - y1) - (y2 - y1) * (pt[0] - x1)
            if cross >= 0:  # hull[-1] is on or below the chord: drop it
                hull.pop()
            else:
                break
        hull.append(pt)
    return np.array(hull)


def roc_points(p, q) -> np.ndarray:
    """Vertices of the ROC curve (eps, delta*(eps)) of a discrete pair: atoms by p/q descending."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    keep = (p > 0) | (q > 0)
    p, q = p[keep], q[keep]
    order = np.argsort(-np.arctan2(p, q), kind="stable")
    e = np.concatenate([[0.0], np.cumsum(q[order])])
    d = np.concatenate([[0.0], np.cumsum(p[order])])
    return np.column_stack([e, d])


def delta_star(p, q, eps: float) -> float:
    """``delta*(eps) = max{E_P phi : E_Q phi <= eps}`` (randomised tests) for a discrete pair."""
    pts = roc_points(p, q)
    e, d = pts[:, 0], pts[:, 1]
    if eps >= e[-1]:
        return float(d[-1])
    i = np.searchsorted(e, eps, side="right")  # vertical segments (q = 0 atoms) first: top of a jump
    if i == 0:
        return 0.0
    e0, d0 = e[i - 1], d[i - 1]
    e1, d1 = e[i], d[i]
    if e1 == e0:
        return float(d1)
    return float(d0 + (d1 - d0) * (eps - e0) / (e1 - e0))
