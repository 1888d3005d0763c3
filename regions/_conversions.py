"""Regions from the other coordinates: trade-off curves (f-DP), hockey-stick values, PRD curves.

The inverses of :meth:`ModeCollapseRegion.tradeoff`, :meth:`~ModeCollapseRegion.hockey_stick`
and :meth:`~ModeCollapseRegion.prd` (docs/theory.md s.7). A region is determined by its boundary
points (trade-off curve) or by its support function (hockey-stick values, hence PRD): points
give the hull of what they achieve, a **subset** of the region; support values give the
intersection of half-planes, a **superset**. Both are exact when the data include every vertex,
respectively every edge slope, of a polygon.
"""

from __future__ import annotations

import numpy as np

from modecollapse.divergences._validation import check_real_array

from ._packing import _min_envelope
from ._region import Region, _ENDPOINT_ATOL

__all__ = [
    "region_from_tradeoff",
    "region_from_hockey_stick",
    "region_from_prd",
]


def _pair_arrays(a, b, names):
    arrays = []
    for v, name in ((a, names[0]), (b, names[1])):
        arr = check_real_array(v, name, allow_scalar=True)
        if arr.ndim > 1:
            raise ValueError(f"{name} must be a scalar or a 1-D array; got shape {arr.shape}")
        arrays.append(np.ravel(arr))
    x, y = arrays
    if x.shape != y.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same length; got {x.size} and {y.size}")
    for arr, name in ((x, names[0]), (y, names[1])):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite; got {name}={arr.tolist()}")
    return x, y


def _unit(arr, name):
    if np.any(arr < -_ENDPOINT_ATOL) or np.any(arr > 1.0 + _ENDPOINT_ATOL):
        i = int(np.flatnonzero((arr < -_ENDPOINT_ATOL) | (arr > 1.0 + _ENDPOINT_ATOL))[0])
        raise ValueError(f"{name} must lie in [0, 1]; got {name}[{i}]={arr[i]!r}")
    return np.clip(arr, 0.0, 1.0)


def region_from_tradeoff(alpha, beta) -> Region:
    """The region whose trade-off curve passes through the points ``(alpha_i, beta_i)``.

    Each point is a test with type I error ``Q(S) = alpha`` and type II error ``1 - P(S) = beta``
    (f-DP convention, :meth:`ModeCollapseRegion.tradeoff`), i.e. the region point
    ``(alpha, 1 - beta)``; the result is their hull with (0,0) and (1,1): the smallest region
    achieving them, a subset of the true one, equal to it when the points include its vertices.

    Parameters
    ----------
    alpha, beta : array_like, shape (n,)
        Type I and type II errors in [0, 1].

    Examples
    --------
    >>> region_from_tradeoff([0.3], [0.5]).vertices.tolist()
    [[0.0, 0.0], [0.3, 0.5], [1.0, 1.0]]
    """
    a, b = _pair_arrays(alpha, beta, ("alpha", "beta"))
    a, b = _unit(a, "alpha"), _unit(b, "beta")
    return Region.hull(np.column_stack([a, 1.0 - b]))


def region_from_hockey_stick(slopes, values) -> Region:
    """The region ``{delta <= min_j (values_j + slopes_j eps)}`` of hockey-stick values ``E_s``.

    ``E_s = max_eps delta*(eps) - s eps`` is the support function of the region, so each value
    gives a half-plane containing it; the intersection (with ``delta <= 1``, i.e. ``E_0 = 1``) is
    a superset of the region, equal to it when the slopes include every edge slope of a polygon.

    Parameters
    ----------
    slopes : array_like, shape (n,)
        Finite slopes ``s >= 0``.
    values : array_like, shape (n,)
        ``E_s`` in [0, 1].

    Raises
    ------
    ValueError
        Negative slopes, values outside [0, 1], or values no region has (the envelope must reach
        (1, 1): ``E_s >= 1 - s``).

    Examples
    --------
    PacGAN's P vs Q2 has edges of slope 5/3 and 5/7, where ``E_s = 0`` and ``0.5 - 0.3 * 5/7 = 2/7``:

    >>> region_from_hockey_stick([5/3, 5/7], [0.0, 2/7]).vertices.round(12).tolist()
    [[0.0, 0.0], [0.3, 0.5], [1.0, 1.0]]
    """
    s, v = _pair_arrays(slopes, values, ("slopes", "values"))
    if np.any(s < 0.0):
        raise ValueError(f"slopes must be >= 0; got slopes={s.tolist()}")
    v = _unit(v, "values")
    env = _min_envelope(np.append(s, 0.0), np.append(v, 1.0))
    if env[-1, 1] < 1.0 - _ENDPOINT_ATOL:
        raise ValueError(
            f"slopes and values bound delta*(1) by {float(env[-1, 1])!r} < 1: no region has these hockey-stick "
            f"values (every region has E_s >= 1 - s); got slopes={s.tolist()}, values={v.tolist()}"
        )
    env[-1] = (1.0, 1.0)
    return Region.hull(env)


def region_from_prd(alpha, beta) -> Region:
    """The region of a precision-recall (PRD) curve of Sajjadi et al. 2018.

    Each PRD point ``(alpha, beta)`` with ``beta > 0`` has ``lam = alpha / beta`` and
    ``beta = 1 - E_{1/lam}(P||Q)`` (:meth:`ModeCollapseRegion.prd`), a hockey-stick value at
    slope ``beta / alpha``; points with ``alpha = 0`` give ``delta*(0) <= 1 - beta`` (slope inf),
    those with ``beta = 0`` nothing. The result is :func:`region_from_hockey_stick` of those
    values: a superset of the region, exact when the PRD curve is given at every edge slope.

    Parameters
    ----------
    alpha, beta : array_like, shape (n,)
        Precision and recall in [0, 1].

    Examples
    --------
    >>> from modecollapse.regions import mode_collapse_region
    >>> r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])
    >>> region_from_prd(*r.prd([0.6, 1.4])).isclose(r)
    True
    """
    a, b = _pair_arrays(alpha, beta, ("alpha", "beta"))
    a, b = _unit(a, "alpha"), _unit(b, "beta")
    keep = b > 0.0
    a, b = a[keep], b[keep]
    with np.errstate(over="ignore", divide="ignore"):  # beta / (subnormal alpha) overflows: a vertical edge
        finite = (a > 0.0) & (b / np.where(a > 0.0, a, 1.0) < 1e300)
    slopes = b[finite] / a[finite]
    values = 1.0 - b[finite]
    if np.any(~finite):  # alpha = 0 (or below beta / 1e300): delta*(0) <= 1 - beta, i.e. a huge slope through (0, 1 - beta)
        top = float(np.min(1.0 - b[~finite]))
        slopes = np.append(slopes, 1e300)
        values = np.append(values, top)
    return region_from_hockey_stick(slopes, values)
