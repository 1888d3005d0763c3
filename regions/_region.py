"""Mode-collapse regions R(P,Q): the ``Region`` value type (docs/theory.md s.3).

Conventions (docs/theory.md s.0 and s.3): **P is the target, Q the generator**. A point of the unit
square is ``(eps, delta)`` with ``eps = Q(S)`` on the x axis and ``delta = P(S)`` on the y axis.
The pair (P,Q) has (eps, delta)-mode collapse (PacGAN, arXiv 1712.04086, Definition 1) if some set
S has ``P(S) >= delta`` and ``Q(S) <= eps``. The mode-collapse region is

.. math::

    R(P,Q) = \\{(\\varepsilon, \\delta) : \\varepsilon < \\delta \\le \\delta^*(\\varepsilon)\\},
    \\qquad
    \\delta^*(\\varepsilon) = \\max\\{E_P[\\phi] : \\phi \\text{ a randomised test}, E_Q[\\phi] \\le \\varepsilon\\},

the convex hull of the collapse points, bounded above by the ROC curve of the Neyman-Pearson test
"P vs Q" (concave, from (0,0) to (1,1)) and below by the diagonal (excluded).

Design
------
:class:`ModeCollapseRegion` is the small common interface: a concave boundary
``delta_at(eps)`` plus its support points ``support_point(slope)`` (the maximiser of
``delta*(eps) - slope * eps``, whose value is the hockey-stick divergence
``E_slope(P||Q) = max_S P(S) - slope Q(S)``). Everything else (``tv``, ``apex``, ``contains``,
``issubset``, ``eps_at``, ``hockey_stick``) is derived from these two, so polygons
(:class:`Region`, exact for discrete pairs) and smooth closed-form regions (``regions.GaussianRegion``)
compare with each other exactly. Smooth regions also give certified inner and outer polygons
(``inner_polygon(n)`` is a subset, ``outer_polygon(n)`` a superset), each a :class:`Region`.
"""

from __future__ import annotations

import abc
import math
from fractions import Fraction

import numpy as np

from modecollapse.divergences._validation import _int_text, as_pair, check_integer, check_real, check_real_array

__all__ = [
    "ModeCollapseRegion",
    "Region",
    "mode_collapse_region",
    "has_mode_collapse",
    "pair_from_region",
    "REGION_ATOL",
]

#: The one tolerance of the regions package for round-off in the unit square.
#:
#: * Default slack of boundary comparisons: ``contains``, ``issubset``, ``isclose`` (in delta) and
#:   ``has_mode_collapse`` (in favour of collapse, in both coordinates: ``Q(S) <= eps + atol``,
#:   ``P(S) >= delta - atol``).
#: * Slack accepted on coordinates just outside [0, 1]: eps and delta arguments (``delta_at``,
#:   ``eps_at``, ``has_mode_collapse``, the bound optimisations), polygon vertices and hull
#:   points are accepted within ``REGION_ATOL`` of the square and clipped onto it (a float sum of
#:   all atoms may be ``1.0000000000000002``); anything further out raises ``ValueError``.
#:
#: Vertices of a discrete pair are cumulative sums of at most ~1e6 masses, exact to a few 1e-16
#: each; 1e-12 absorbs that round-off and nothing else.
REGION_ATOL = 1e-12

#: Relative tolerance of the concavity check on user vertices (sine of the turning angle).
_COLLINEAR_RTOL = 1e-12

#: Hull clean-up: a vertex within this vertical distance above the chord of its neighbours is dropped as
#: collinear (round-off of cumulative sums). Dropping lowers the boundary by at most this much,
#: so certified outer polygons add a larger margin (1e-14) before the clean-up.
_COLLINEAR_ATOL = 1e-15

#: Slack accepted on the endpoints (0,0), (1,1) and the unit square (see :data:`REGION_ATOL`).
_ENDPOINT_ATOL = REGION_ATOL

#: Largest ``n`` of :meth:`Region.boundary` (about 0.4 s and 0.5 GB per 1e7 points).
_MAX_BOUNDARY_POINTS = 10_000_000

#: Near-ties of ``delta - slope * eps`` within this are resolved to the smallest eps (so the apex
#: is S* = {p > q}, not {p >= q}).
_TIE_ATOL = 1e-14


# ---------------------------------------------------------------------------------------------
# geometry helpers
# ---------------------------------------------------------------------------------------------


def _upper_hull(points: np.ndarray) -> np.ndarray:
    """Upper concave hull (left to right) of points in the unit square, from (0,0) to (1,1).

    ``points`` must already contain (0,0) and (1,1). Two passes: the exact hull (a vertex is
    dropped iff it does not make a strict right turn with its neighbours), then
    :func:`_simplify`, which drops vertices within :data:`_COLLINEAR_ATOL` vertically of the kept
    polygon. A vertical first edge at eps = 0 is kept. Vectorised: O(n log n) for the sort plus
    a few O(n) passes for typical inputs.
    """
    pts = np.asarray(points, dtype=np.float64)
    order = np.lexsort((pts[:, 1], pts[:, 0]))  # by eps, then delta, ascending
    pts = pts[order]
    step = np.diff(pts, axis=0)
    pts = pts[np.concatenate([[True], np.any(step != 0.0, axis=1)])]  # drop exact repeats
    # a vertex on or below the chord of its neighbours is not a strict vertex of the hull of the
    # set, whatever else is removed: drop all such vertices at once, and repeat
    for _ in range(64):
        if pts.shape[0] <= 2:
            break
        d = np.diff(pts, axis=0)
        cross = d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0]
        bad = cross >= 0.0
        for i in np.flatnonzero(np.abs(cross) < _UNDERFLOW):  # products may have underflowed
            bad[i] = _cross_exact(pts[i], pts[i + 1], pts[i + 2]) >= 0
        if not bad.any():
            break
        keep = np.ones(pts.shape[0], dtype=bool)
        keep[1:-1] = ~bad
        pts = pts[keep]
    else:
        pts = _monotone_chain(pts)
    return _simplify(pts, _COLLINEAR_ATOL)


#: Below this, a float cross product may have lost its sign to underflow: recompute exactly.
_UNDERFLOW = 1e-280


def _cross_exact(o, a, b) -> Fraction:
    """Exact orientation ``(a - o) x (b - o)`` in rationals (floats are exact rationals)."""
    ox, oy, ax, ay, bx, by = (Fraction(float(v)) for v in (*o, *a, *b))
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)


def _monotone_chain(pts: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain (upper hull) of points sorted by (eps, delta); exact turns."""
    hull: list[tuple[float, float]] = []
    for x, y in pts:
        while len(hull) >= 2:
            ox, oy = hull[-2]
            ax, ay = hull[-1]
            cross = (ax - ox) * (y - oy) - (ay - oy) * (x - ox)
            if abs(cross) < _UNDERFLOW:
                cross = _cross_exact((ox, oy), (ax, ay), (x, y))
            if cross >= 0.0:
                hull.pop()
            else:
                break
        hull.append((float(x), float(y)))
    return np.array(hull, dtype=np.float64)


def _simplify(h: np.ndarray, tol: float) -> np.ndarray:
    """Drop vertices of a concave polyline while every dropped one stays within ``tol`` (vertically)
    of the kept chord that replaces it, measured against the *original* vertices (so the total
    lowering is at most ``tol``, not ``tol`` per dropped vertex). Vertices on the square's
    boundary (eps = 0 or delta = 1) are never dropped: they carry the exact masses of atoms with
    q = 0 or p = 0, and near (0,0) or (1,1) no vertical slack is safe.

    Only a vertex within ``tol`` of the chord of its two neighbours can be dropped (on a concave
    polyline any longer chord lies lower), so the greedy runs only over runs of such vertices.
    """
    n = h.shape[0]
    if n <= 2:
        return h
    x0, y0 = h[:-2, 0], h[:-2, 1]
    x1, y1 = h[2:, 0], h[2:, 1]
    xm, ym = h[1:-1, 0], h[1:-1, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        chord = y0 + (y1 - y0) * ((xm - x0) / (x1 - x0))
    cand = (x1 > x0) & (ym - chord <= tol) & (xm != 0.0) & (ym != 1.0)
    if not cand.any():
        return h
    keep = np.ones(n, dtype=bool)
    idx = np.flatnonzero(cand) + 1  # vertex indices that may go
    # split into maximal runs of consecutive candidate vertices
    breaks = np.flatnonzero(np.diff(idx) != 1)
    for run in np.split(idx, breaks + 1):
        a, last = int(run[0]) - 1, int(run[-1]) + 1  # kept anchors around the run
        while a < last:
            j = a + 1
            while j < last:
                c = j + 1
                mid = h[a + 1 : c]
                xa, ya = h[a]
                xc, yc = h[c]
                dev = float(np.max(mid[:, 1] - (ya + (yc - ya) * ((mid[:, 0] - xa) / (xc - xa)))))
                if dev <= tol:
                    keep[j] = False
                    j = c
                else:
                    break
            a = j
    return h[keep]


def _as_eps_array(eps, name: str = "eps") -> np.ndarray:
    arr = _as_real_array(eps, name, allow_nan=True)
    # round-off slack of 1e-12 outside [0, 1] is accepted and clipped (sums of masses)
    bad = ~np.isfinite(arr) | (arr < -_ENDPOINT_ATOL) | (arr > 1.0 + _ENDPOINT_ATOL)
    if np.any(bad):
        v = arr[bad].ravel()[0]
        raise ValueError(f"{name} must lie in [0, 1]; got {name}={float(v)!r}")
    return np.clip(arr, 0.0, 1.0)


def _check_level(value, name: str) -> float:
    """A scalar eps or delta in [0, 1]: accepted within :data:`REGION_ATOL` outside and clipped."""
    v = check_real(value, name)
    if not -_ENDPOINT_ATOL <= v <= 1.0 + _ENDPOINT_ATOL:
        raise ValueError(f"{name} must lie in [0, 1] (within REGION_ATOL={REGION_ATOL:g}); got {name}={v!r}")
    return min(max(v, 0.0), 1.0)


def _float_or_inf(x: int) -> float:
    """An int cost estimate as a float for a message (``inf`` past float range, e.g. ``n = 10**400``)."""
    return float(x) if x < 2**1023 else math.inf


def _check_count(value, name: str, *, minimum: int, maximum: int | None, cost, limit: str | None = None) -> int:
    """An integer ``>= minimum``; above ``maximum`` (written ``limit``) refused, naming ``name``,
    with ``cost(n)`` saying why (``n`` as a float, ``inf`` past the float range)."""
    n = check_integer(value, name, minimum=minimum)
    if maximum is not None and n > maximum:
        raise ValueError(f"{name} must be <= {limit or maximum}; got {name}={_int_text(n)} ({cost(_float_or_inf(n))})")
    return n


def _check_polygon_n(n, *, maximum: int | None = None) -> int:
    """The vertex count ``n`` of a certified polygon: an integer ``>= 1`` (at most ``maximum``)."""
    return _check_count(n, "n", minimum=1, maximum=maximum,
                        cost=lambda x: f"polygon time and memory grow linearly (~{x * 8e-6:.3g} s and "
                                       f"~{x * 100 / 2**30:.3g} GB)")


#: Largest packing degree of the exact and certified packed computations: letter counts up to
#: ``m`` are handled as float64 integers, exact up to 2^53.
_MAX_PACKING_DEGREE = 2**53


def _check_packing_degree(m) -> int:
    """The packing degree ``m``: an integer in ``[1, 2^53]``, refused (naming ``m``) beyond."""
    return _check_count(m, "m", minimum=1, maximum=_MAX_PACKING_DEGREE, limit=f"2**53 = {_MAX_PACKING_DEGREE}",
                        cost=lambda x: "letter counts are float64 integers")


def _check_boundary_n(n) -> int:
    """The point count of ``boundary(n)``: an integer in ``[2, 1e7]``, refused with the cost above."""
    return _check_count(n, "n", minimum=2, maximum=_MAX_BOUNDARY_POINTS,
                        cost=lambda x: f"boundary(n) would build n points (~{x * 48 / 2**30:.3g} GB)")


def _as_real_array(x, name: str, *, allow_nan: bool = False) -> np.ndarray:
    """``x`` as float64 (any shape, scalars too): strings, bools, objects and complex refused by name."""
    arr = check_real_array(x, name, allow_scalar=True)
    if allow_nan:
        return arr
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN; got {name}={x!r}")
    return arr


def _check_slope(slope) -> float:
    s = check_real(slope, "slope", lo=0.0) if not (isinstance(slope, float) and slope == math.inf) else math.inf
    return s


def _scalar_or_array(arr: np.ndarray, *inputs):
    if all(np.ndim(x) == 0 for x in inputs):
        v = arr.reshape(())
        return bool(v) if arr.dtype == bool else float(v)
    return arr


# ---------------------------------------------------------------------------------------------
# the common interface
# ---------------------------------------------------------------------------------------------


class ModeCollapseRegion(abc.ABC):
    """A mode-collapse region ``R = {(eps, delta) : eps < delta <= delta*(eps)}`` in [0,1]^2.

    Subclasses provide the concave boundary :meth:`delta_at`, its support points
    :meth:`support_point`, :meth:`reflect`, :attr:`area` and certified polygons
    :meth:`inner_polygon` (a subset) / :meth:`outer_polygon` (a superset). Everything else is
    derived and therefore shared by polygons and smooth closed-form regions.
    """

    __slots__ = ()

    # -- to implement ---------------------------------------------------------------------------

    @abc.abstractmethod
    def delta_at(self, eps):
        """Upper boundary ``delta*(eps)``: the most P-mass of a randomised test with Q-mass <= eps.

        Vectorised over ``eps`` (array_like in [0, 1]; ``ValueError`` otherwise). At ``eps = 0``
        it is the top of a vertical first edge, ``P(q = 0)`` for a discrete pair.
        """

    @abc.abstractmethod
    def support_point(self, slope) -> tuple[float, float]:
        """The boundary point maximising ``delta - slope * eps`` (smallest eps among ties).

        ``slope`` is in ``[0, inf]``. Its value ``delta - slope * eps`` is the hockey-stick
        divergence ``E_slope(P||Q) = max_S (P(S) - slope Q(S))`` (see :meth:`hockey_stick`).
        """

    @abc.abstractmethod
    def reflect(self) -> "ModeCollapseRegion":
        """``R(Q,P)``: the reflection ``(eps, delta) -> (1 - delta, 1 - eps)`` in the anti-diagonal."""

    @property
    @abc.abstractmethod
    def area(self) -> float:
        """Lebesgue measure of R: ``int_0^1 (delta*(eps) - eps) d eps`` = AUC - 1/2, in [0, 1/2]."""

    @abc.abstractmethod
    def inner_polygon(self, n: int = 64) -> "Region":
        """A :class:`Region` contained in this one (this one itself for a polygon).

        ``n`` (an integer ``>= 1``, else ``TypeError``/``ValueError``) is the number of curve
        points of a smooth region; subclasses refuse sizes above their limit with the cost.
        """

    @abc.abstractmethod
    def outer_polygon(self, n: int = 64) -> "Region":
        """A :class:`Region` containing this one (this one itself for a polygon); ``n`` as in
        :meth:`inner_polygon`."""

    @abc.abstractmethod
    def boundary(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(eps, delta)`` arrays tracing the upper boundary from (0,0) to (1,1), for plotting
        (``n`` at most 1e7 points; larger requests are refused with their memory cost)."""

    # -- derived --------------------------------------------------------------------------------

    def hockey_stick(self, slope) -> float:
        """``E_slope(P||Q) = max_S P(S) - slope * Q(S) = max_eps delta*(eps) - slope * eps``.

        The hockey-stick (E_gamma) divergence; at ``slope = 1`` it is d_TV(P,Q).
        """
        s = _check_slope(slope)
        e, d = self.support_point(s)
        return float(d) if s == math.inf else float(d - s * e)

    @property
    def tv(self) -> float:
        """``d_TV(P,Q) = max_{(eps,delta) in R} (delta - eps)`` (docs/theory.md s.3), attained at :attr:`apex`."""
        e, d = self.support_point(1.0)
        return max(0.0, float(d - e))

    @property
    def apex(self) -> tuple[float, float]:
        """The boundary point ``(Q(S*), P(S*))`` attaining d_TV, ``S* = {p > q}`` (smallest eps)."""
        e, d = self.support_point(1.0)
        return (float(e), float(d))

    def eps_at(self, delta):
        """Inverse boundary: the least ``eps`` with ``delta*(eps) >= delta`` (vectorised).

        The smallest Q-mass a (randomised) test must have to catch P-mass ``delta``; computed as
        ``1 - reflect().delta_at(1 - delta)``.
        """
        d = _as_eps_array(delta, "delta")
        out = 1.0 - np.asarray(self.reflect().delta_at(1.0 - d), dtype=np.float64)
        return _scalar_or_array(np.clip(out, 0.0, 1.0), delta)

    def contains(self, eps, delta, *, atol: float = REGION_ATOL):
        """Whether ``(eps, delta)`` lies in ``R = {eps < delta <= delta*(eps)}`` (vectorised).

        Boundary handling: the lower edge is strict and exact (``delta > eps``: points on the
        diagonal are never in R, even for P = Q); the upper edge is inclusive with slack ``atol``
        (``delta <= delta*(eps) + atol``) to absorb float round-off in the boundary. Points
        within :data:`REGION_ATOL` outside the unit square are clipped onto it (the regions' one
        policy for eps and delta); points further out are not contained (no error). Returns a
        bool for scalar input, else a bool array of the broadcast shape.
        """
        atol = check_real(atol, "atol", lo=0.0)
        e = _as_real_array(eps, "eps")
        d = _as_real_array(delta, "delta")
        e, d = np.broadcast_arrays(e, d)
        lo, hi = -_ENDPOINT_ATOL, 1.0 + _ENDPOINT_ATOL
        near = (e >= lo) & (e <= hi) & (d >= lo) & (d <= hi)
        e, d = np.clip(e, 0.0, 1.0), np.clip(d, 0.0, 1.0)
        inside = near & (d > e)
        out = np.zeros(e.shape, dtype=bool)
        if np.any(inside):
            top = np.asarray(self.delta_at(e[inside]), dtype=np.float64)
            out[inside] = d[inside] <= top + atol
        return _scalar_or_array(out, eps, delta)

    def issubset(self, other: "ModeCollapseRegion", *, atol: float = REGION_ATOL) -> bool:
        """Whether ``self ⊆ other``, i.e. ``delta*_self <= delta*_other + atol`` on [0, 1].

        Exact for a polygon on either side: against a polygon ``other`` it checks other's
        vertices and, on each edge of slope ``s``, self's support point of slope ``s`` (the
        maximiser of the concave ``delta*_self - s eps``); a polygon ``self`` only needs its
        vertices under a concave ``other``. Two smooth regions use a closed form where the
        subclass has one, else the certified polygons (raising ``ValueError`` if they cannot
        decide at this ``atol``). By Blackwell (1953), ``R(P,Q) ⊆ R(P2,Q2)`` iff a garbling maps
        (P2,Q2) to (P,Q) (see ``regions.blackwell_garbling``).
        """
        atol = check_real(atol, "atol", lo=0.0)
        if not isinstance(other, ModeCollapseRegion):
            raise TypeError(f"other must be a ModeCollapseRegion; got {type(other).__name__}")
        if isinstance(self, Region):  # linear between vertices vs a concave other: vertices suffice
            v = self.vertices
            return bool(np.all(v[:, 1] <= np.asarray(other.delta_at(v[:, 0])) + atol))
        if isinstance(other, Region):
            v = other.vertices
            if np.any(np.asarray(self.delta_at(v[:, 0])) > other.delta_at(v[:, 0]) + atol):
                return False
            for (e0, d0), (e1, d1) in zip(v[:-1], v[1:]):
                if e1 <= e0:  # vertical first edge: covered by delta_at(0)
                    continue
                s = (d1 - d0) / (e1 - e0)
                es, ds = self.support_point(s)
                if e0 < es < e1 and ds > d0 + s * (es - e0) + atol:
                    return False
            return True
        res = self._issubset_smooth(other, atol)
        if res is not None:
            return res
        for n in (64, 256, 1024):
            if self.outer_polygon(n).issubset(other, atol=atol):
                return True
            if not self.inner_polygon(n).issubset(other, atol=atol):
                return False
        raise ValueError(
            f"cannot decide whether {self!r} is a subset of {other!r} at atol={atol!r}: "
            "the boundaries agree to within the certified polygon gap; raise atol"
        )

    def _issubset_smooth(self, other, atol):  # closed forms in subclasses; None = unknown
        return None

    def isclose(self, other: "ModeCollapseRegion", *, atol: float = REGION_ATOL) -> bool:
        """Equal within ``atol``: ``self ⊆ other`` and ``other ⊆ self`` (sup-distance of boundaries <= atol)."""
        return self.issubset(other, atol=atol) and other.issubset(self, atol=atol)

    # -- conversions (docs/theory.md s.7): ROC <-> hockey-stick <-> trade-off (f-DP) <-> PRD ------

    def hockey_stick_inverse(self, value) -> float:
        """The least slope ``s >= 0`` with ``E_s(P||Q) <= value``: the inverse of :meth:`hockey_stick`.

        ``E_s`` is convex and non-increasing in ``s``, from ``E_0 = 1`` to ``E_inf = delta*(0) =
        P(q = 0)``; so the answer is 0 for ``value >= 1``, ``inf`` for ``value < delta*(0)``, and
        otherwise the point where ``E_s`` reaches ``value`` (exact for a polygon; bisection to
        ~1e-13 relative for smooth regions). With ``s = e^eps_dp`` this is the privacy profile
        read backwards: the smallest ``eps_dp`` of an ``(eps_dp, value)``-DP pair.
        """
        v = check_real(value, "value", lo=0.0)
        if v >= 1.0:
            return 0.0
        if v < self.hockey_stick(math.inf):
            return math.inf
        lo, hi = 0.0, 1.0
        while self.hockey_stick(hi) > v:
            lo, hi = hi, 2.0 * hi
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if self.hockey_stick(mid) > v:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-13 * hi:
                break
        return hi

    def tradeoff(self, alpha):
        """The hypothesis-testing trade-off curve ``T(Q, P)(alpha) = 1 - delta*(alpha)`` (vectorised).

        f-DP convention (Dong, Roth, Su, "Gaussian differential privacy", arXiv 1905.02383,
        Definition 2.1): for the null hypothesis "generated" (Q) against "target" (P), the least
        type II error ``1 - E_P[phi]`` of a test ``phi`` with type I error ``E_Q[phi] <= alpha``.
        Convex, non-increasing, ``T(0) = 1 - P(q = 0)``, ``T(1) = 0``; for
        ``N(mu_P, 1)`` vs ``N(mu_Q, 1)`` it is ``Phi(Phi^{-1}(1 - alpha) - |mu_P - mu_Q|)``.
        ``T(P, Q)`` is the trade-off of :meth:`reflect`.
        """
        a = _as_eps_array(alpha, "alpha")
        return _scalar_or_array(1.0 - np.asarray(self.delta_at(a), dtype=np.float64), alpha)

    def tradeoff_inverse(self, beta):
        """The least type I error ``alpha`` with ``T(alpha) <= beta`` (vectorised): ``eps_at(1 - beta)``.

        On the strictly decreasing part of :meth:`tradeoff` it is its inverse; for a symmetric
        pair (``R(Q,P) = R(P,Q)``, e.g. Gaussian shifts) it equals ``tradeoff`` itself.
        """
        b = _as_eps_array(beta, "beta")
        return _scalar_or_array(np.asarray(self.eps_at(1.0 - b), dtype=np.float64), beta)

    def prd(self, lam) -> tuple[np.ndarray, np.ndarray] | tuple[float, float]:
        """The precision-recall curve (PRD) of Sajjadi et al. 2018 at ``lam`` in ``[0, inf]``.

        Sajjadi, Bachem, Lucic, Bousquet, Gelly, "Assessing generative models via precision and
        recall" (NeurIPS 2018, arXiv 1806.00035), Definition 3 / Theorem 1, with P the reference
        (target) and Q the model: ``alpha(lam) = sum min(lam p, q)`` (precision) and
        ``beta(lam) = sum min(p, q / lam)`` (recall). Since ``sum min(p, q/lam) = 1 - E_{1/lam}(P||Q)``,
        ``beta(lam) = 1 - hockey_stick(1 / lam)`` and ``alpha = lam * beta`` (derived,
        docs/theory.md s.7): one support point of the region per ``lam``, exact for exact regions.
        ``lam = 0`` gives ``(0, 1 - P(q = 0))``; ``lam = inf`` gives ``(Q(p > 0), 0)``.

        Returns
        -------
        alpha, beta : float or ndarray (the shape of ``lam``)
        """
        lam_arr = _as_real_array(lam, "lam")
        if np.any(lam_arr < 0.0):
            raise ValueError(f"lam must be in [0, inf]; got lam={lam!r}")
        flat = lam_arr.ravel()
        alpha = np.empty(flat.shape)
        beta = np.empty(flat.shape)
        for i, l in enumerate(flat.tolist()):
            if l == math.inf:  # precision Q(p > 0): the least Q-mass of a test catching all of P
                alpha[i], beta[i] = float(self.eps_at(1.0)), 0.0
                continue
            b = 1.0 - (self.hockey_stick(math.inf) if l == 0.0 else self.hockey_stick(1.0 / l))
            beta[i] = min(1.0, max(0.0, b))
            alpha[i] = min(1.0, max(0.0, l * beta[i])) if l > 0.0 else 0.0
        alpha, beta = alpha.reshape(lam_arr.shape), beta.reshape(lam_arr.shape)
        if lam_arr.ndim == 0:
            return float(alpha), float(beta)
        return alpha, beta


# ---------------------------------------------------------------------------------------------
# polygons
# ---------------------------------------------------------------------------------------------


class Region(ModeCollapseRegion):
    """A polygonal mode-collapse region: the exact R(P,Q) of a discrete pair (docs/theory.md s.3).

    Parameters
    ----------
    vertices : array_like, shape (n, 2)
        ``(eps, delta)`` rows of a concave polygon from (0, 0) to (1, 1) inside the unit square,
        in order of increasing eps (a vertical first edge at eps = 0 is allowed). Endpoints and
        the square are checked with slack 1e-12 (then snapped); concavity with the relative
        tolerance 1e-12 on the sine of the turning angle. Repeated and collinear vertices are
        removed (a vertex within 1e-15 vertically of the chord of its neighbours), so :attr:`vertices` is
        canonical: two regions with the same boundary have equal vertices up to round-off.

    Raises
    ------
    ValueError
        Wrong shape, non-finite values, a vertex outside [0,1]^2, wrong endpoints, eps or delta
        decreasing, or a non-concave turn (the message names the vertex).

    Notes
    -----
    Immutable: :attr:`vertices` is a read-only array. ``==`` is exact (same canonical
    vertices, hashable); use :meth:`isclose` for equality within a tolerance.

    Examples
    --------
    >>> r = mode_collapse_region([0.5, 0.5], [0.3, 0.7])   # PacGAN's P vs Q2
    >>> r.vertices.tolist()
    [[0.0, 0.0], [0.3, 0.5], [1.0, 1.0]]
    >>> round(r.tv, 12), r.apex
    (0.2, (0.3, 0.5))
    >>> bool(r.contains(0.2, 0.3)), bool(r.contains(0.0, 0.1))
    (True, False)
    """

    __slots__ = ("_v", "_xs", "_ys", "__weakref__")

    def __init__(self, vertices):
        v = _validate_vertices(vertices)
        self._set(_upper_hull(v))

    @classmethod
    def _from_hull(cls, hull: np.ndarray) -> "Region":
        obj = cls.__new__(cls)
        obj._set(hull)
        return obj

    def _set(self, hull: np.ndarray) -> None:
        hull = np.array(hull, dtype=np.float64)
        hull.setflags(write=False)
        object.__setattr__(self, "_v", hull)
        # interpolation table: drop (0,0) when the first edge is vertical (np.interp needs
        # strictly increasing abscissae; delta*(0) is the top of that edge)
        if hull.shape[0] > 1 and hull[1, 0] == 0.0:
            xs, ys = hull[1:, 0], hull[1:, 1]
        else:
            xs, ys = hull[:, 0], hull[:, 1]
        object.__setattr__(self, "_xs", xs)
        object.__setattr__(self, "_ys", ys)

    def __setattr__(self, name, value):
        raise AttributeError(f"Region is immutable; cannot set {name!r}")

    @classmethod
    def hull(cls, points) -> "Region":
        """The smallest region containing the points ``(eps, delta)`` (rows, in [0,1]^2).

        The upper concave hull of the points together with (0,0) and (1,1): the region of all
        (randomised) mixtures of tests achieving the given (Q-mass, P-mass) pairs.
        """
        pts = _as_real_array(points, "points")
        if pts.size == 0:
            pts = pts.reshape(0, 2)
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise ValueError(f"points must have shape (n, 2); got shape {pts.shape}")
        if np.any(~np.isfinite(pts)) or np.any(pts < -_ENDPOINT_ATOL) or np.any(pts > 1 + _ENDPOINT_ATOL):
            raise ValueError("points must lie in the unit square [0, 1]^2")
        pts = np.clip(pts, 0.0, 1.0)
        allp = np.vstack([[0.0, 0.0], pts, [1.0, 1.0]])
        return cls._from_hull(_upper_hull(allp))

    # -- data -----------------------------------------------------------------------------------

    @property
    def vertices(self) -> np.ndarray:
        """Read-only ``(n, 2)`` array of ``(eps, delta)``: the concave boundary from (0,0) to (1,1)."""
        return self._v

    def __len__(self) -> int:
        return self._v.shape[0]

    def __repr__(self) -> str:
        rows = np.array2string(self._v, precision=6, separator=", ", threshold=12, max_line_width=10**6)
        return f"Region(vertices={rows.replace(chr(10), '')}, tv={self.tv:.6g})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Region):
            return NotImplemented
        return self._v.shape == other._v.shape and bool(np.array_equal(self._v, other._v))

    def __hash__(self) -> int:
        return hash(self._v.tobytes())

    # -- boundary -------------------------------------------------------------------------------

    def delta_at(self, eps):
        e = _as_eps_array(eps)
        xs, ys = self._xs, self._ys
        # linear interpolation in the form y0 + t (y1 - y0), t = (e - x0) / (x1 - x0) in [0, 1]:
        # unlike a slope (which np.interp uses) it cannot overflow on edges of subnormal width
        i = np.clip(np.searchsorted(xs, e, side="right") - 1, 0, xs.size - 2)
        x0, x1, y0, y1 = xs[i], xs[i + 1], ys[i], ys[i + 1]
        t = np.clip((e - x0) / (x1 - x0), 0.0, 1.0)
        return _scalar_or_array(y0 + t * (y1 - y0), eps)

    def support_point(self, slope) -> tuple[float, float]:
        s = _check_slope(slope)
        v = self._v
        if s == math.inf:
            i = 1 if v.shape[0] > 1 and v[1, 0] == 0.0 else 0
            return (float(v[i, 0]), float(v[i, 1]))
        val = v[:, 1] - s * v[:, 0]
        i = int(np.flatnonzero(val >= val.max() - _TIE_ATOL * max(1.0, s))[0])
        return (float(v[i, 0]), float(v[i, 1]))

    def reflect(self) -> "Region":
        v = self._v[::-1]
        return Region._from_hull(np.column_stack([1.0 - v[:, 1], 1.0 - v[:, 0]]))

    @property
    def area(self) -> float:
        v = self._v
        return float(np.sum(np.diff(v[:, 0]) * (v[1:, 1] + v[:-1, 1])) / 2.0 - 0.5)

    def inner_polygon(self, n: int = 64) -> "Region":
        """The region itself: a polygon is its own certified inner polygon for every valid ``n``
        (an integer ``>= 1``; anything else raises)."""
        _check_polygon_n(n)
        return self

    def outer_polygon(self, n: int = 64) -> "Region":
        """The region itself: a polygon is its own certified outer polygon for every valid ``n``
        (an integer ``>= 1``; anything else raises)."""
        _check_polygon_n(n)
        return self

    def boundary(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The vertices as ``(eps, delta)`` (``n=None``, exact), or ``n`` points: the vertices plus
        evenly spaced eps, merged (for smooth plotting of fills); ``2 <= n <= 1e7``."""
        if n is None:
            return self._v[:, 0].copy(), self._v[:, 1].copy()
        n = _check_boundary_n(n)
        grid = np.linspace(0.0, 1.0, n)
        e = np.unique(np.concatenate([grid, self._v[:, 0]]))
        d = np.asarray(self.delta_at(e), dtype=np.float64)
        if self._v.shape[0] > 1 and self._v[1, 0] == 0.0:
            e, d = np.concatenate([[0.0], e]), np.concatenate([[0.0], d])
        return e, d

    # -- conversions ----------------------------------------------------------------------------

    def hockey_stick_inverse(self, value) -> float:
        """Exact for a polygon: ``max(0, max_i (delta_i - value) / eps_i)`` over the vertices with
        ``eps_i > 0`` (``E_s = max_i (delta_i - s eps_i)``), ``inf`` if ``delta*(0) > value``."""
        v = check_real(value, "value", lo=0.0)
        if v >= 1.0:
            return 0.0
        e, d = self._v[:, 0], self._v[:, 1]
        if np.any(d[e == 0.0] > v):
            return math.inf
        pos = e > 0.0
        return float(max(0.0, np.max((d[pos] - v) / e[pos])))

    def to_pair(self) -> tuple[np.ndarray, np.ndarray]:
        """``(p, q)``: the discrete pair whose atoms are the edges (``q_i = d eps``, ``p_i = d delta``).

        Ordered by decreasing likelihood ratio (an atom with ``q = 0`` first, ``p = 0`` last);
        ``mode_collapse_region(*r.to_pair())`` reproduces ``r`` (docs/theory.md s.3, region -> pair).
        """
        d = np.diff(self._v, axis=0)
        q, p = np.clip(d[:, 0], 0.0, None), np.clip(d[:, 1], 0.0, None)
        if p.size == 0:  # cannot happen: a region has at least two vertices
            raise ValueError("a region needs at least two vertices")
        p.setflags(write=False)
        q.setflags(write=False)
        return p, q


def _validate_vertices(vertices) -> np.ndarray:
    v = _as_real_array(vertices, "vertices")
    if v.ndim != 2 or v.shape[1] != 2:
        raise ValueError(f"vertices must have shape (n, 2) of (eps, delta) rows; got shape {v.shape}")
    if v.shape[0] < 2:
        raise ValueError(f"vertices needs at least the two endpoints (0,0) and (1,1); got {v.shape[0]} row(s)")
    if not np.all(np.isfinite(v)):
        raise ValueError("vertices must be finite")
    if np.any(v < -_ENDPOINT_ATOL) or np.any(v > 1 + _ENDPOINT_ATOL):
        i = int(np.flatnonzero(np.any((v < -_ENDPOINT_ATOL) | (v > 1 + _ENDPOINT_ATOL), axis=1))[0])
        raise ValueError(f"vertices must lie in the unit square; got vertices[{i}]={v[i].tolist()}")
    if np.max(np.abs(v[0])) > _ENDPOINT_ATOL:
        raise ValueError(f"vertices must start at (0, 0); got vertices[0]={v[0].tolist()}")
    if np.max(np.abs(v[-1] - 1.0)) > _ENDPOINT_ATOL:
        raise ValueError(f"vertices must end at (1, 1); got vertices[-1]={v[-1].tolist()}")
    v = np.clip(v, 0.0, 1.0)
    v[0] = (0.0, 0.0)
    v[-1] = (1.0, 1.0)
    dv = np.diff(v, axis=0)
    if np.any(dv < -_ENDPOINT_ATOL):
        i = int(np.flatnonzero(np.any(dv < -_ENDPOINT_ATOL, axis=1))[0])
        raise ValueError(
            f"vertices must be non-decreasing in eps and delta; got vertices[{i}]={v[i].tolist()} "
            f"then vertices[{i + 1}]={v[i + 1].tolist()}"
        )
    dv = np.clip(dv, 0.0, None)
    keep = np.any(dv > 0.0, axis=1)
    edges = dv[keep]
    for j in range(len(edges) - 1):
        u, w = edges[j], edges[j + 1]
        cross = u[0] * w[1] - u[1] * w[0]
        if cross > _COLLINEAR_RTOL * math.hypot(*u) * math.hypot(*w):
            raise ValueError(
                "vertices must form a concave boundary (slopes non-increasing); "
                f"edge {j} has slope {u[1] / u[0] if u[0] > 0 else math.inf:.6g} and edge {j + 1} "
                f"has larger slope {w[1] / w[0] if w[0] > 0 else math.inf:.6g}"
            )
    return v


# ---------------------------------------------------------------------------------------------
# discrete pairs
# ---------------------------------------------------------------------------------------------


def _roc_points(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cumulative (Q-mass, P-mass) after sorting atoms by p/q descending (q=0 first, p=0 last)."""
    live = (p > 0) | (q > 0)
    p, q = p[live], q[live]
    # sort by log-ratio: p / q overflows for subnormal q (p = 1, q = 5e-324), log p - log q does not
    logratio = np.full(p.shape, np.inf)
    with np.errstate(divide="ignore"):  # log 0 = -inf for p = 0 atoms: they sort last, as they must
        np.subtract(np.log(p), np.log(q), out=logratio, where=q > 0)
    order = np.argsort(-logratio, kind="stable")
    cq = np.concatenate([[0.0], np.cumsum(q[order])])
    cp = np.concatenate([[0.0], np.cumsum(p[order])])
    # the pair is accepted within SUM_ATOL of total mass 1: put the endpoint exactly at (1, 1)
    # by scaling with the actual totals (changes vertices by <= 1e-9, never their order)
    cq /= cq[-1]
    cp /= cp[-1]
    return np.column_stack([cq, cp])


def mode_collapse_region(p, q) -> Region:
    """The exact mode-collapse region R(P,Q) of a discrete pair (docs/theory.md s.3; PacGAN Def. 1).

    Atoms are sorted by likelihood ratio ``p_i / q_i`` descending (``q_i = 0`` atoms first: a
    vertical edge at eps = 0 of height ``P(q = 0)``; ``p_i = 0`` atoms last: a horizontal edge at
    delta = 1) and their (Q-mass, P-mass) accumulated from (0, 0); the boundary is the concave
    polygon through these points, cleaned of repeated/collinear vertices. Atoms with zero mass
    on both sides are ignored, so R depends only on the law of the likelihood ratio.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors on one support: ``p`` the target P, ``q`` the generator Q.

    Returns
    -------
    Region
        With ``tv == 0.5 * sum|p - q|`` and ``apex == (Q(S*), P(S*))``, ``S* = {p > q}``.

    Raises
    ------
    ValueError, TypeError
        Invalid probability vectors (see ``divergences._validation.as_pair``).

    Examples
    --------
    >>> mode_collapse_region([0.2, 0.8], [0.0, 1.0]).vertices.tolist()   # P=U[0,1], Q1=U[0.2,1]
    [[0.0, 0.0], [0.0, 0.2], [1.0, 1.0]]
    """
    p, q = as_pair(p, q)
    return _region_of(p, q)


def _region_of(p: np.ndarray, q: np.ndarray) -> Region:
    """:func:`mode_collapse_region` of an already validated pair (non-negative float arrays of one
    length, totals within tolerance of 1): for internal pairs, whose errors are the caller's."""
    return Region._from_hull(_upper_hull(_roc_points(p, q)))


def pair_from_region(vertices) -> tuple[np.ndarray, np.ndarray]:
    """The discrete pair ``(p, q)`` whose region is the given concave polygon (docs/theory.md s.3).

    Each edge ``(d eps, d delta)`` of the boundary becomes one atom with ``q_i = d eps`` and
    ``p_i = d delta``: a vertical first edge is an atom with ``q = 0``, a horizontal last edge
    one with ``p = 0``. Collinear edges are merged first, so the pair has as many atoms as the
    canonical polygon has edges.

    Parameters
    ----------
    vertices : array_like, shape (n, 2), or Region
        Concave polygon from (0,0) to (1,1), ``(eps, delta)`` rows (validated as in :class:`Region`).

    Returns
    -------
    p, q : ndarray, shape (n_edges,)

    Raises
    ------
    ValueError
        If the polygon is not a valid concave boundary from (0,0) to (1,1) in the unit square.

    Examples
    --------
    >>> p, q = pair_from_region([[0, 0], [0.3, 0.5], [1, 1]])
    >>> p.tolist(), q.tolist()
    ([0.5, 0.5], [0.3, 0.7])
    """
    r = vertices if isinstance(vertices, Region) else Region(vertices)
    return r.to_pair()


# ---------------------------------------------------------------------------------------------
# has_mode_collapse
# ---------------------------------------------------------------------------------------------

_BNB_NODE_LIMIT = 2_000_000


def _deterministic_max_p(p: np.ndarray, q: np.ndarray, eps: float, target: float, atol: float) -> bool:
    """Is there a set S with Q(S) <= eps + atol and P(S) >= target - atol? (0/1 knapsack, exact)

    Branch and bound over atoms sorted by p/q, bounded by the fractional (randomised-test)
    relaxation, i.e. by the ROC of the remaining atoms. Atoms with q = 0 are always taken,
    atoms with p = 0 never.
    """
    free = q == 0
    base = float(p[free].sum())
    keep = (~free) & (p > 0)
    pp, qq = p[keep], q[keep]
    with np.errstate(over="ignore"):  # p / (subnormal q) is inf: it sorts first, as it must
        ratio = pp / qq
    order = np.argsort(-ratio, kind="stable")
    pp, qq = pp[order].tolist(), qq[order].tolist()
    n = len(pp)
    cap = eps + atol
    need = target - atol
    if base >= need:
        return True
    nodes = 0
    stack = [(0, 0.0, base)]  # (next item, used Q, collected P)
    while stack:
        i, used, got = stack.pop()
        nodes += 1
        if nodes > _BNB_NODE_LIMIT:
            raise RuntimeError(
                f"deterministic mode-collapse search exceeded {_BNB_NODE_LIMIT} branch-and-bound nodes "
                f"on {n} atoms with 0 < q; use randomized=True (the region) or fewer atoms"
            )
        # greedy fill of the remaining capacity: an integral solution (prefix i..j-1) and,
        # with a fraction of item j, the randomised-test (LP) upper bound
        room = cap - used
        prefix = got
        j = i
        while j < n and qq[j] <= room:
            prefix += pp[j]
            room -= qq[j]
            j += 1
        if prefix >= need:
            return True
        bound = prefix + (pp[j] * (room / qq[j]) if j < n else 0.0)
        if bound < need:
            continue
        if i >= n:
            continue
        # branch on item i: exclude (pushed first, explored second), include
        stack.append((i + 1, used, got))
        if used + qq[i] <= cap:
            stack.append((i + 1, used + qq[i], got + pp[i]))
    return False


def has_mode_collapse(p, q, eps, delta, *, randomized: bool = True, atol: float = REGION_ATOL) -> bool:
    """Whether (P,Q) has (eps, delta)-mode collapse (PacGAN Definition 1; docs/theory.md s.3).

    Two readings:

    * ``randomized=True`` (default, the region): some randomised test ``phi`` has
      ``E_Q[phi] <= eps`` and ``E_P[phi] >= delta``, i.e. ``delta <= delta*(eps)``, i.e.
      ``(eps, delta)`` lies in R(P,Q) (:meth:`Region.contains`).
    * ``randomized=False`` (sets): some set S of atoms has ``Q(S) <= eps`` and
      ``P(S) >= delta``. Decided exactly by branch and bound (a 0/1 knapsack, bounded by the
      randomised relaxation); raises ``RuntimeError`` past 2e6 nodes rather than hang.

    The set reading implies the randomised one; they coincide at ``eps = 0`` (both ask whether
    ``P(q = 0) >= delta``) and at the vertices of the region (prefix sets). Between vertices a
    point may be in R without a set achieving it: P = [1, 0], Q = [0.5, 0.5] at (0.25, 0.5) is in
    R (test the first atom with probability 1/2), but no set
    has Q(S) <= 0.25 and P(S) >= 0.5.

    Comparisons are made with slack ``atol`` in favour of collapse, in both readings and in both
    coordinates: a set or test counts if ``Q(S) <= eps + atol`` and ``P(S) >= delta - atol``
    (randomised: ``delta <= delta*(eps + atol) + atol``). So the set reading implies the
    randomised one also at tiny masses (P = [1, 0], Q = [1e-20, 1 - 1e-20] collapses at
    (0, 1) under both). ``eps`` and ``delta`` within ``REGION_ATOL`` outside [0, 1] (a float sum
    of all atoms) are clipped onto it.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Target and generator probability vectors.
    eps, delta : float
        ``0 <= eps < delta <= 1`` within ``REGION_ATOL`` (``ValueError`` otherwise, naming the
        parameter).
    randomized : bool, keyword-only
    atol : float, keyword-only

    Examples
    --------
    >>> has_mode_collapse([1, 0], [0.5, 0.5], 0.25, 0.5)
    True
    >>> has_mode_collapse([1, 0], [0.5, 0.5], 0.25, 0.5, randomized=False)
    False
    """
    p, q = as_pair(p, q)
    eps = _check_level(eps, "eps")
    delta = _check_level(delta, "delta")
    if not eps < delta:
        raise ValueError(f"mode collapse needs eps < delta; got eps={eps!r} and delta={delta!r}")
    if not isinstance(randomized, (bool, np.bool_)):
        raise TypeError(f"randomized must be a bool; got randomized={randomized!r}")
    atol = check_real(atol, "atol", lo=0.0)
    if randomized:
        top = float(_region_of(p, q).delta_at(min(eps + atol, 1.0)))
        return bool(delta <= top + atol)
    return _deterministic_max_p(p, q, eps, delta, atol)
