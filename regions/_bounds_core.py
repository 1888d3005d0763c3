"""Private numerics for the PacGAN bound optimisations (``regions._bounds``).

Self-contained on purpose: the bounds need their own exact evaluators (binary packed TV as a
function of the Bernoulli parameter, packed TV of pairs on a few atoms by type classes, the pair
of a concave polygon, the ROC curve of a pair). The public ``regions.packed_tv`` is an independent
implementation; the tests cross-check the two.

Everything here works in float64 and is exact up to rounding (no truncation, no sampling):

* ``_binary_packed_tv(a, b, m)``: ``d_TV(Bern(a)^m, Bern(b)^m)`` as a sum of binomial pmf
  differences computed in log space (``scipy.special.gammaln``), O(m).
* ``_packed_tv_atoms(p, q, m)``: ``d_TV(P^m, Q^m)`` for a pair on ``k`` atoms by enumerating the
  ``C(m+k-1, k-1)`` multinomial type classes (after merging atoms with equal likelihood ratio).
* ``_pair_from_polygon(points)``: the pair whose mode-collapse region is the concave polygon
  through ``points`` (its atoms are the polygon's edges, THEORY.md s.3).
"""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

__all__: list[str] = []

#: Largest number of type classes ``_packed_tv_atoms`` enumerates before refusing (memory/time guard).
_MAX_TYPE_CLASSES = 3_000_000


def _log_binom_pmf(m: int, a: float) -> np.ndarray:
    """log pmf of Bin(m, a) at j = 0..m, exact limits at a = 0 and a = 1 (-inf where the mass is 0)."""
    j = np.arange(m + 1, dtype=np.float64)
    logc = gammaln(m + 1.0) - gammaln(j + 1.0) - gammaln(m - j + 1.0)
    # 0 * log(0) = 0 convention: at a = 0 only j = 0 has mass, at a = 1 only j = m
    if a <= 0.0:
        t1 = np.where(j > 0, -np.inf, 0.0)
    else:
        t1 = j * np.log(a)
    if a >= 1.0:
        t2 = np.where(j < m, -np.inf, 0.0)
    else:
        t2 = (m - j) * np.log1p(-a)
    return logc + t1 + t2


def _binary_packed_tv(a: float, b: float, m: int) -> float:
    """``d_TV(Bern(a)^m, Bern(b)^m) = 1/2 sum_j C(m,j) |a^j (1-a)^(m-j) - b^j (1-b)^(m-j)|``.

    The number of ones is sufficient, so the packed TV is the TV of Bin(m, a) and Bin(m, b).
    Each pmf term is accurate to a few ulp (log space); the sum is exact up to ~m ulp.
    """
    pa = np.exp(_log_binom_pmf(m, a))
    pb = np.exp(_log_binom_pmf(m, b))
    return float(min(1.0, 0.5 * np.abs(pa - pb).sum()))


@lru_cache(maxsize=64)
def _type_classes(k: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """All compositions ``n`` of ``m`` into ``k`` non-negative parts, shape ``(C(m+k-1,k-1), k)``, and the
    log multinomial coefficients ``log(m! / prod n_i!)``."""
    count = math.comb(m + k - 1, k - 1)
    if count > _MAX_TYPE_CLASSES:
        raise ValueError(
            f"packing degree m={m} on k={k} atoms needs {count} type classes (> {_MAX_TYPE_CLASSES}); "
            "use a smaller m or fewer atoms"
        )
    if k == 1:
        n = np.array([[m]], dtype=np.int64)
    else:
        # stars and bars: choose k-1 bar positions among m+k-1 slots
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


def _merge_equal_ratio(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop atoms with p = q = 0 and merge atoms whose likelihood ratios p/q agree to ~1e-13 (the
    packed TV depends only on the law of the likelihood ratio, THEORY.md s.4)."""
    keep = (p > 0) | (q > 0)
    p, q = p[keep], q[keep]
    # angle of (q, p) is a monotone function of the ratio, robust at q = 0
    ang = np.arctan2(p, q)
    order = np.argsort(ang)
    ang, p, q = ang[order], p[order], q[order]
    groups = np.concatenate([[0], np.cumsum(np.diff(ang) > 1e-13)])
    pm = np.bincount(groups, weights=p)
    qm = np.bincount(groups, weights=q)
    return pm, qm


def _packed_tv_atoms(p, q, m: int) -> float:
    """``d_TV(P^m, Q^m)`` for a pair on a few atoms, by type classes: exact up to rounding.

    ``1/2 sum_n (m; n) |prod p_i^n_i - prod q_i^n_i|`` over compositions ``n`` of ``m``; each term is
    formed in log space. Cost ``C(m+k'-1, k'-1) k'`` where ``k'`` is the number of distinct
    likelihood ratios.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p, q = _merge_equal_ratio(p, q)
    k = p.size
    if k == 1:
        return 0.0
    if k == 2:
        # binary: Bern(p[1])^m vs Bern(q[1])^m
        return _binary_packed_tv(float(p[1]), float(q[1]), m)
    n, logc = _type_classes(k, m)
    # n_i * log(0) is -inf for n_i > 0 and 0 (not nan) for n_i = 0; merged atoms are never both zero
    lp = np.log(np.where(p > 0, p, 1.0))
    lq = np.log(np.where(q > 0, q, 1.0))
    sp = n @ lp
    sq = n @ lq
    sp[(n[:, p == 0] > 0).any(axis=1)] = -np.inf
    sq[(n[:, q == 0] > 0).any(axis=1)] = -np.inf
    return float(min(1.0, 0.5 * np.abs(np.exp(logc + sp) - np.exp(logc + sq)).sum()))


def _pair_from_polygon(points) -> tuple[np.ndarray, np.ndarray]:
    """The pair whose region's upper boundary is the polyline through ``points`` (eps, delta).

    ``points`` run from (0, 0) to (1, 1) with non-decreasing coordinates and non-increasing edge
    slopes (a concave chain; collinear and repeated points are allowed and give atoms with equal
    ratio or zero mass). Edge ``i`` becomes the atom with ``q_i = d eps``, ``p_i = d delta``.
    """
    pts = np.asarray(points, dtype=np.float64)
    d = np.diff(pts, axis=0)
    q = np.clip(d[:, 0], 0.0, None)
    p = np.clip(d[:, 1], 0.0, None)
    return p, q


def _upper_hull(points) -> np.ndarray:
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


def _roc_points(p, q) -> np.ndarray:
    """Vertices of the ROC curve (eps, delta*(eps)) of a discrete pair: atoms by p/q descending."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    keep = (p > 0) | (q > 0)
    p, q = p[keep], q[keep]
    ang = np.arctan2(p, q)
    order = np.argsort(-ang, kind="stable")
    e = np.concatenate([[0.0], np.cumsum(q[order])])
    d = np.concatenate([[0.0], np.cumsum(p[order])])
    return np.column_stack([e, d])


def _delta_star(p, q, eps: float) -> float:
    """``delta*(eps) = max{E_P phi : E_Q phi <= eps}`` (randomised tests) for a discrete pair."""
    pts = _roc_points(p, q)
    e, d = pts[:, 0], pts[:, 1]
    if eps >= e[-1]:
        return float(d[-1])
    # e is non-decreasing; vertical segments (q = 0 atoms) come first: take the top of a jump
    i = np.searchsorted(e, eps, side="right")
    if i == 0:
        return 0.0
    e0, d0 = e[i - 1], d[i - 1]
    e1, d1 = e[i], d[i]
    if e1 == e0:
        return float(d1)
    return float(d0 + (d1 - d0) * (eps - e0) / (e1 - e0))
