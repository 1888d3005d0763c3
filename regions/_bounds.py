"""PacGAN bound optimisations: the range of d_TV(P^m, Q^m) given d_TV(P, Q) = tau (docs/theory.md s.4).

Conventions: **P is the target, Q the generator**; a region is drawn with eps = Q(S) on the x axis
and delta = P(S) on the y axis; (P, Q) has (eps, delta)-mode collapse when (eps, delta) lies in the
mode-collapse region R(P, Q), i.e. ``delta <= delta*(eps)`` (randomised tests, the default reading of
``regions.has_mode_collapse``; for eps = 0 it coincides with the deterministic-set reading).

Every function follows the proof pattern of PacGAN (Lin, Khetan, Fanti, Oh, NeurIPS 2018,
arXiv 1712.04086, Theorems 3-5 and their proofs): constraints on (P, Q) -> the smallest region
R_inner contained in, or the largest region R_outer containing, R(P, Q) -> the small discrete pair
whose region it is -> Blackwell's theorem (region inclusion is preserved by packing, so packed TV
is ordered the same way). The returned result always carries the extremal pair, and the value is
re-evaluated on that pair (the exact path of ``packed_tv``) before it is returned.

Results (derived and checked here; see each docstring):

* ``packed_tv_max``: ``1 - (1 - tau)^m`` (PacGAN Theorem 3, upper bound).
* ``packed_tv_min``: ``L(tau, m)``, exact breakpoint method: the binary objective is ``m`` pieces
  ``a -> P(Bin(m, a+tau) >= j) - P(Bin(m, a) >= j)``, each increasing-then-decreasing, so the
  global minimum sits at one of the ``m - 1`` breakpoints.
* ``packed_tv_min_with_collapse``: ``L1(eps, delta, tau, m)`` of docs/theory.md s.4.B, exact
  (breakpoints plus exact minimisation of every polynomial piece).
* ``packed_tv_max_without_collapse``: one-sided, the optimum **equals** ``1 - (1 - tau)^m`` for every
  feasible tau (the constraint removes tau's, not packed TV); two-sided, it equals it only for
  ``tau < min(A, B)`` (or ``tau < delta - eps``, or eps = 0 or delta = 1 as a supremum),
  ``A = (delta-eps)/(1-eps)``, ``B = (delta-eps)/delta``, and is strictly smaller above (m >= 2); that part is a numerical maximisation over the two
  cut directions (a value reached by its pair, never beaten by dense grids in our checks).

Large m (docs/theory.md s.4.D, ``_asymptotics``): beyond ``L_MAX_M``, ``L1_MAX_M`` and
``TWO_SIDED_MAX_M`` (up to ``ASYMPTOTIC_MAX_M`` = 1e10) the functions return a certified bracket
(``lower``, ``upper``, ``exact`` of the result; Berry-Esseen bounds on likelihood-ratio tests,
uniform over intervals of the family parameter), the exact value where the bracket collapses onto
it, or refuse a bracket wider than ``rtol`` (relative) with its width in the message.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.polynomial import chebyshev as _cheb
from scipy.optimize import minimize, minimize_scalar
from scipy.special import bdtrc, gammaln

from modecollapse.divergences._validation import _int_text, check_integer, check_probability

from . import _asymptotics
from ._bernoulli import _binary_packed_tv
from ._region import _check_level, _region_of, _upper_hull
from ._typeclasses import _times
from ._typeclasses import _classes, _compositions, _exact_feasible, _exact_packed_tv, _sf

__all__ = [
    "PackedTVOptimum",
    "TVBand",
    "packed_tv_max",
    "packed_tv_min",
    "packed_tv_min_with_collapse",
    "packed_tv_max_without_collapse",
    "tv_band",
]

#: Tolerance of the internal attainment check: the value is recomputed on the returned pair by the
#: exact path of ``packed_tv`` (binomial tails over type classes), exact up to ~m * 1e-16 rounding;
#: 1e-11 leaves room for m up to 1e4.
_VERIFY_ATOL = 1e-11

#: Rounding slack of the feasibility test ``tau >= delta - eps`` of ``packed_tv_min_with_collapse``
#: (``0.9 - 0.3`` is ``0.6000000000000001``); within it the boundary case ``delta = eps + tau`` is solved.
_FEAS_ATOL = 1e-12

#: Two-sided optimiser: a cut band whose contact vertex misses the TV line by less than this (the
#: triple point where both cut lines and the TV line meet, computed with rounding) is snapped onto it.
_SNAP_ATOL = 1e-12

#: Largest packing degree of the exact ``packed_tv_min_with_collapse`` (cost ~ m^5 / 4 flops, about 5 s
#: at m = 30) and of the exact numerical branch of the two-sided ``packed_tv_max_without_collapse``
#: (~1.5e3 packed-TV evaluations of pairs on <= 6 atoms, C(m+5, 5) type classes each: about 1 s at
#: m = 16); above them, the certified brackets of docs/theory.md s.4.D.
L1_MAX_M = 30
TWO_SIDED_MAX_M = 16

#: Largest packing degree of the exact breakpoint method of ``packed_tv_min`` (``m - 1`` breakpoints by
#: ~1100-step vectorised bisection: about 9 s at m = 1e5, growing linearly); above it, s.4.D.
L_MAX_M = 100_000

#: Largest packing degree of the large-m paths: Boost's binomial tails stay accurate to ~1e-12 up to
#: about here (checked against the Gaussian limit and mpmath; at 1e11 they drift by ~1e-11).
ASYMPTOTIC_MAX_M = 10**10

#: Beyond the exact limits: the largest number of breakpoints evaluated exactly inside the window of
#: a that the Berry-Esseen bound leaves open (docs/theory.md s.4.D); more, and a bracket is returned.
WINDOW_MAX_BREAKPOINTS = 20_000

#: Default largest relative width ``(upper - lower) / upper`` of a returned bracket (``rtol``); a
#: wider one is refused with its width in the message.
BRACKET_RTOL = 0.05


@dataclass(frozen=True, eq=False)
class PackedTVOptimum:
    """Result of a PacGAN bound optimisation: a value and the pair that attains it.

    Attributes
    ----------
    value : float
        The optimum of ``d_TV(P^m, Q^m)`` (a float exact up to rounding unless ``method`` says
        otherwise).
    p, q : ndarray, shape (k,)
        Extremal pair (target P, generator Q), read-only; ``d_TV(p, q) = tau`` and
        ``d_TV(p^m, q^m) = value`` (re-checked before returning).
    tau : float
    m : int
    kind : str
        ``"max"``, ``"min"``, ``"min_with_collapse"``, ``"max_without_collapse"`` or
        ``"max_without_collapse_two_sided"``.
    alpha : float or None
        The optimising scalar parameter: ``a`` of docs/theory.md s.4 (``packed_tv_min``: P = [1-a, a],
        Q = [1-a-tau, a+tau]; ``packed_tv_min_with_collapse``: the point where the region touches the
        TV line is ``(1-a-tau, 1-a)``); ``None`` where the optimum has no free parameter.
    family : str
        Which family of extremal pairs attains the optimum (see each function).
    eps, delta : float or None
        The mode-collapse point of the constraint, if any.
    attained : bool
        True if the returned pair satisfies the constraint itself. False only for
        ``packed_tv_max_without_collapse(..., two_sided=True)`` when the optimum needs the
        boundary: then ``value`` is a supremum approached by feasible pairs, and ``p, q`` is the
        limit pair (it has the mode collapse with equality, ``delta*(eps) = delta``).
    cut_slopes : tuple of float, or None
        Two-sided optimum only: slopes of the supporting lines through (eps, delta) and through its
        reflection (1-delta, 1-eps) that cut the TV band into the extremal outer region.
    method : str
        How the optimum was found (``"closed form"``, ``"exact breakpoints"``, ...).
    lower, upper : float
        Certified bracket of the optimum. Equal to ``value`` where the value is exact (``exact``
        True); beyond the exact limits (docs/theory.md s.4.D) ``lower < upper`` and ``value`` is the
        end that the returned pair certifies: ``upper`` for a minimum (the pair reaches at most it),
        ``lower`` for a maximum (the pair reaches at least it).
    exact : bool
        Whether ``value`` is the optimum up to rounding (False: only the bracket is certified).
    """

    value: float
    p: np.ndarray
    q: np.ndarray
    tau: float
    m: int
    kind: str
    alpha: float | None = None
    family: str = ""
    eps: float | None = None
    delta: float | None = None
    attained: bool = True
    cut_slopes: tuple | None = None
    method: str = ""
    lower: float | None = None
    upper: float | None = None
    exact: bool = True

    def __post_init__(self):
        for name in ("p", "q"):
            arr = np.array(getattr(self, name), dtype=np.float64)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        for name in ("lower", "upper"):
            v = getattr(self, name)
            object.__setattr__(self, name, float(self.value) if v is None else float(v))

    def __float__(self) -> float:
        return float(self.value)


# ---------------------------------------------------------------------------------------------
# validation and verification
# ---------------------------------------------------------------------------------------------


def _check_tau_m(tau, m) -> tuple[float, int]:
    return check_probability(tau, "tau"), check_integer(m, "m", minimum=1)


def _check_eps_delta(eps, delta) -> tuple[float, float]:
    eps = _check_level(eps, "eps")  # within REGION_ATOL of [0, 1], clipped (the regions' one policy)
    delta = _check_level(delta, "delta")
    if not eps < delta:
        raise ValueError(f"mode collapse needs eps < delta; got eps={eps!r}, delta={delta!r}")
    return eps, delta


def _check_rtol(rtol) -> float:
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float, np.integer, np.floating)):
        raise TypeError(f"rtol must be a real number; got rtol={rtol!r} of type {type(rtol).__name__}")
    try:
        v = float(rtol)
    except OverflowError:  # an int beyond float range (10**400): a tolerance that accepts any bracket
        v = math.inf if rtol > 0 else -math.inf
    if not v >= 0.0:  # nan too
        shown = _int_text(int(rtol)) if isinstance(rtol, (int, np.integer)) else repr(rtol)
        raise ValueError(f"rtol must be >= 0 (math.inf accepts any bracket); got rtol={shown}")
    return v


def _tv(p, q) -> float:
    return 0.5 * float(np.abs(np.asarray(p) - np.asarray(q)).sum())


def _packed_tv_exact(p, q, m: int) -> float:
    """``d_TV(P^m, Q^m)`` of a small pair by the package's exact path (``_typeclasses``).

    The engine only builds pairs on at most six atoms with ``m`` capped by its own limits, so the
    exact path is always feasible; a ``RuntimeError`` says so if that ever fails.
    """
    cl = _classes(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64))
    if not _exact_feasible(cl, m, extended=True):
        raise RuntimeError(
            f"internal error: exact packed TV infeasible for an extremal pair on {cl.k} ratio classes at m={m}"
        )
    return _exact_packed_tv(cl, m)


def _delta_star(p, q, eps: float) -> float:
    """``delta*(eps)`` of a discrete pair (the boundary of its mode-collapse region)."""
    return float(_region_of(np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)).delta_at(eps))


def _pair_from_polygon(points) -> tuple[np.ndarray, np.ndarray]:
    """The pair whose region's upper boundary is the polyline through ``points`` (eps, delta).

    ``points`` run from (0, 0) to (1, 1) with non-decreasing coordinates and non-increasing edge
    slopes. Unlike :func:`pair_from_region`, collinear and repeated points are kept: edge ``i``
    becomes the atom ``q_i = d eps``, ``p_i = d delta`` even when it continues the previous edge,
    so an atom can be split at a chosen eps (a deterministic set then realises a collapse point on
    an edge) and the families keep a fixed number of atoms (possibly of zero mass).
    """
    d = np.diff(np.asarray(points, dtype=np.float64), axis=0)
    return np.clip(d[:, 1], 0.0, None), np.clip(d[:, 0], 0.0, None)


_TYPE_CLASS_CACHE: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _type_classes(k: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The multinomial type classes of ``m`` letters on ``k`` atoms (``_typeclasses._compositions``,
    lexicographic) and their log multinomial coefficients ``log(m! / prod n_i!)``; read-only, cached."""
    key = (k, m)
    if key not in _TYPE_CLASS_CACHE:
        n = _compositions(k, m, exact_total=True)
        logc = gammaln(m + 1.0) - gammaln(n + 1.0).sum(axis=1)
        n.setflags(write=False)
        logc.setflags(write=False)
        _TYPE_CLASS_CACHE[key] = (n, logc)
    return _TYPE_CLASS_CACHE[key]


def _finish(value, p, q, tau, m, **kw) -> PackedTVOptimum:
    """Re-evaluate the packed TV and the TV of the extremal pair before returning (never trust a
    formula that was not checked on its own witness)."""
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, None)
    q = np.clip(np.asarray(q, dtype=np.float64), 0.0, None)
    tv1 = _tv(p, q)
    if abs(tv1 - tau) > 1e-12 or abs(p.sum() - 1) > 1e-12 or abs(q.sum() - 1) > 1e-12:
        raise RuntimeError(f"internal error: extremal pair has d_TV={tv1!r}, want tau={tau!r} (p={p}, q={q})")
    check = _packed_tv_exact(p, q, m)
    if abs(check - value) > _VERIFY_ATOL:
        raise RuntimeError(f"internal error: extremal pair reaches {check!r}, claimed value {value!r}")
    return PackedTVOptimum(value=float(value), p=p, q=q, tau=tau, m=m, **kw)


# ---------------------------------------------------------------------------------------------
# A. unconstrained
# ---------------------------------------------------------------------------------------------


def packed_tv_max(tau, m) -> PackedTVOptimum:
    """Largest packed TV over all pairs with ``d_TV(P, Q) = tau`` (PacGAN Theorem 3, upper bound).

    .. math::

        \\max_{d_{TV}(P,Q)=\\tau} d_{TV}(P^m, Q^m) = 1 - (1-\\tau)^m,

    computed as ``-expm1(m log1p(-tau))`` (no cancellation for small tau). Attained by the pair
    whose region is the whole TV band, ``P = [tau, 1-tau, 0]``, ``Q = [0, 1-tau, tau]`` (family
    ``"outer"``). The bound is the coupling bound: P^m and Q^m agree on the event that all m draws
    come from the common part, of mass (1-tau)^m.

    Parameters
    ----------
    tau : float in [0, 1]
    m : int >= 1
        Any size: for huge m the float value is the limit 1 (tau > 0).

    Returns
    -------
    PackedTVOptimum
        ``kind="max"``, ``alpha=None``.

    Examples
    --------
    >>> round(packed_tv_max(0.2, 2).value, 12)
    0.36
    """
    tau, m = _check_tau_m(tau, m)
    # _times: m may be any Python int (m = 10**400 gives the limit 1 for tau > 0, not an OverflowError)
    value = 1.0 if tau == 1.0 else float(-math.expm1(_times(m, math.log1p(-tau))))
    p = [tau, 1.0 - tau, 0.0]
    q = [0.0, 1.0 - tau, tau]
    return _finish(value, p, q, tau, m, kind="max", family="outer", method="closed form")


def _binary_breakpoints(tau: float, m: int, js: np.ndarray) -> np.ndarray:
    """Vectorised bisection for the roots ``r_j`` in ``(0, 1-tau)`` of
    ``j log(b/a) + (m-j) log((1-b)/(1-a)) = 0``, ``b = a + tau`` (strictly decreasing in a)."""
    js = np.asarray(js, dtype=np.float64)
    lo = np.zeros_like(js)
    hi = np.full_like(js, 1.0 - tau)
    for _ in range(1200):  # the bracket reaches adjacent floats after at most ~1100 halvings
        mid = 0.5 * (lo + hi)
        active = (mid > lo) & (mid < hi)
        if not active.any():
            break
        b = mid + tau
        with np.errstate(divide="ignore", invalid="ignore"):
            h = js * (np.log(b) - np.log(mid)) + (m - js) * (np.log1p(-np.minimum(b, 1.0)) - np.log1p(-mid))
        pos = active & (h > 0)  # root to the right of mid
        neg = active & ~(h > 0)
        lo = np.where(pos, mid, lo)
        hi = np.where(neg, mid, hi)
    return 0.5 * (lo + hi)


def _binary_min(tau: float, m: int, lo: float = 0.0, hi: float | None = None) -> tuple[float, float]:
    """``(min, argmin)`` of ``f(a) = d_TV(Bern(a)^m, Bern(a+tau)^m)`` over ``[lo, hi]`` (exact).

    On ``[r_{j-1}, r_j]`` (``r_0 = 0``, ``r_m = 1-tau``, ``r_j`` the breakpoints) the objective is
    ``g_j(a) = P(Bin(m, a+tau) >= j) - P(Bin(m, a) >= j)``, whose derivative
    ``m [pmf_{m-1}(j-1; a+tau) - pmf_{m-1}(j-1; a)]`` changes sign at most once, from + to -: every
    piece is increasing-then-decreasing, so the minimum over an interval is at a breakpoint inside
    it or at its ends.
    """
    if hi is None:
        hi = 1.0 - tau
    cands = [lo, hi]
    r = np.empty(0)
    if m >= 2 and 0.0 < tau < 1.0:
        r = _binary_breakpoints(tau, m, np.arange(1, m))
        cands.extend(r[(r > lo) & (r < hi)].tolist())
    cands = np.asarray(cands)
    if m <= 400:
        vals = np.array([_binary_packed_tv(a, a + tau, m) for a in cands])
    else:
        # O(1) per breakpoint: at a = r_j the objective is the piece g_j(a) = S_{a+tau}(j) - S_a(j)
        # (S the binomial survival function, scipy's bdtrc); the two ends cost O(m) each
        vals = np.empty(cands.size)
        vals[:2] = [_binary_packed_tv(a, a + tau, m) for a in cands[:2]]
        if cands.size > 2:
            jj = np.nonzero((r > lo) & (r < hi))[0] + 1  # r[j-1] = r_j
            b = np.minimum(cands[2:] + tau, 1.0)
            vals[2:] = bdtrc(jj - 1, m, b) - bdtrc(jj - 1, m, cands[2:])
    i = int(np.argmin(vals))
    a = float(cands[i])
    return _binary_packed_tv(a, a + tau, m), a


def _binary_family(tau: float):
    """``P = [1-a, a]``, ``Q = [1-a-tau, a+tau]`` as affine masses in a (``_asymptotics``)."""
    return (np.array([1.0, 0.0]), np.array([-1.0, 1.0]), np.array([1.0 - tau, tau]), np.array([-1.0, 1.0]))


def _binary_pair(a: float, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """``P = [1-a, a]``, ``Q = [1-b, b]``, ``b = a + tau``, with sums exactly 1 in floating point.

    At large m an ulp of total mass matters (``(1 - 2^-53)^m`` is ``1 - 1.1e-7`` at m = 1e9), so a and
    b are snapped to ``1 - fl(1 - x)``, for which ``fl(1 - x) + x`` is exactly 1 (Sterbenz: ``1 - x``
    is exact for x in [0, 1] when ``fl(1 - x) >= 1/2``); this moves them by at most an ulp.
    """
    a = 1.0 - (1.0 - a)
    b = 1.0 - (1.0 - min(a + tau, 1.0))
    return np.array([1.0 - a, a]), np.array([1.0 - b, b])


def _binary_value(a: float, tau: float, m: int) -> float:
    """``d_TV(Bern(a)^m, Bern(a+tau)^m)`` in O(1) at any m (the binary fast path of ``_typeclasses``)."""
    return _exact_packed_tv(_classes(*_binary_pair(a, tau)), m)


def _breakpoint_index(a, tau: float, m: int):
    """The (real) j whose breakpoint r_j is ``a``: ``j log(b/a) = (m - j) log((1-a)/(1-b))``, b = a + tau
    (increasing in a, so ``r_j`` lies in [A, B] iff ``j(A) <= j <= j(B)``)."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        l0 = np.log1p(-a) - np.log1p(-(a + tau))
        l1 = np.log(a + tau) - np.log(a)
        j = m * l0 / (l0 + l1)
    return np.where(np.isfinite(j), j, np.where(a <= 0, 0.0, float(m)))


def _window_breakpoints(tau: float, m: int, lo: float, hi: float, max_count: int):
    """``(a, value)`` of the breakpoints ``r_j`` of the binary objective inside ``(lo, hi)``, each by
    bisection to adjacent floats, and the values ``f(r_j) = P(Bin(m, r_j+tau) >= j) - P(Bin(m, r_j) >= j)``
    (Boost's binomial tails, accurate at any m); None when more than ``max_count`` lie there."""
    j_lo = max(1, int(math.floor(float(_breakpoint_index(lo, tau, m)))) - 1)
    j_hi = min(m - 1, int(math.ceil(float(_breakpoint_index(hi, tau, m)))) + 1)
    if j_hi < j_lo:
        return np.empty(0), np.empty(0)
    if j_hi - j_lo + 1 > max_count:
        return None
    js = np.arange(j_lo, j_hi + 1, dtype=np.float64)

    def h(a):
        b = a + tau
        with np.errstate(divide="ignore", invalid="ignore"):
            return js * (np.log(b) - np.log(a)) + (m - js) * (np.log1p(-np.minimum(b, 1.0)) - np.log1p(-a))

    inside = (h(np.full_like(js, lo)) > 0) & (h(np.full_like(js, hi)) < 0)  # the root is in (lo, hi)
    js = js[inside]
    # bisection on log(a) first (roots span hundreds of decades near a = 0; ~60 steps reach 1e-15
    # relative), then on a itself down to adjacent floats (a few steps)
    t_lo, t_hi = np.full_like(js, math.log(max(lo, 1e-300))), np.full_like(js, math.log(hi))
    for _ in range(80):
        mid = 0.5 * (t_lo + t_hi)
        act = t_hi - t_lo > 1e-15
        if not act.any():
            break
        pos = h(np.exp(mid)) > 0
        t_lo = np.where(act & pos, mid, t_lo)
        t_hi = np.where(act & ~pos, mid, t_hi)
    a_lo, a_hi = np.maximum(np.exp(t_lo) * (1 - 4e-16), lo), np.minimum(np.exp(t_hi) * (1 + 4e-16), hi)
    a_lo = np.where(h(a_lo) > 0, a_lo, np.maximum(lo, np.nextafter(a_lo, 0.0)))  # keep the sign change
    for _ in range(60):
        mid = 0.5 * (a_lo + a_hi)
        act = (mid > a_lo) & (mid < a_hi)
        if not act.any():
            break
        pos = h(mid) > 0
        a_lo = np.where(act & pos, mid, a_lo)
        a_hi = np.where(act & ~pos, mid, a_hi)
    r = 0.5 * (a_lo + a_hi)
    return r, _sf(js - 1.0, float(m), np.minimum(r + tau, 1.0)) - _sf(js - 1.0, float(m), r)


def _binary_min_large(tau: float, m: int, rtol: float, lo: float = 0.0, hi: float | None = None):
    """``min f`` over a in ``[lo, hi]`` for ``L_MAX_M < m <= ASYMPTOTIC_MAX_M`` (docs/theory.md s.4.D).

    Returns ``(value, a, lower, exact)``: ``value = f(a)`` attained; the minimum lies in
    ``[lower, value]``, and ``exact`` says ``lower == value`` (the window that the Berry-Esseen bound
    leaves open held at most ``WINDOW_MAX_BREAKPOINTS`` breakpoints, all evaluated). The default
    range uses the symmetry ``f(a) = f(1 - tau - a)`` (only ``[0, (1-tau)/2]`` is searched).
    """
    full = hi is None
    if full:
        hi = 0.5 * (1.0 - tau)
    # the attained value: the breakpoints next to the point of [lo, hi] nearest the centre of symmetry
    # (1-tau)/2 (where f is smallest: every breakpoint there was the minimiser in our exact runs), and
    # the ends of the range
    c = min(max(0.5 * (1.0 - tau), lo), hi)
    w_lo, w_hi = (0.0, 1.0 - tau) if full else (lo, hi)
    near = _window_breakpoints(tau, m, max(w_lo, c - 4.0 / m), min(w_hi, c + 4.0 / m), 64)
    cands = [(_binary_value(lo, tau, m), lo), (_binary_value(hi, tau, m), hi)]
    if near is not None and near[0].size:
        i = int(np.argmin(near[1]))
        cands.append((float(near[1][i]), float(near[0][i])))
    value, a = min(cands)
    if not value >= tau * (1.0 - 1e-9):
        # every packed TV is >= tau; a smaller attained value means the binomial tails' difference
        # (two numbers near 1/2) has cancelled below its rounding: nothing can be certified
        raise ValueError(
            f"m={m} is above L_MAX_M={L_MAX_M} and tau={tau!r} is too small for the large-m bracket: "
            f"tau sqrt(m) = {tau * math.sqrt(m):.3g}, and the packed TV (about 0.8 tau sqrt(m)) is "
            f"below the rounding of the binomial tails it is a difference of"
        )
    lower, leaves = _asymptotics.family_min_lower([(_binary_family(tau), lo, hi)], m, value, floor=tau)
    if not leaves:
        value = _binary_value(a, tau, m)  # the returned pair's own value (masses snapped to unit sums)
        return value, a, value, True
    A = min(float(x1.min()) for _, x1, _ in leaves)
    B = max(float(x2.max()) for _, _, x2 in leaves)
    win = _window_breakpoints(tau, m, A, B, WINDOW_MAX_BREAKPOINTS)
    if win is None:
        # the returned pair's own value: its masses are snapped to unit sums, which moves its TV from
        # tau by an ulp and its packed TV by ~sqrt(m) ulp
        value = _binary_value(a, tau, m)
        return value, a, min(lower, value), False
    # the minimum over [A, B] is at a breakpoint inside or at an end (pieces rise then fall); outside
    # [A, B] every a has f(a) >= value
    cands = [(value, a), (_binary_value(A, tau, m), A), (_binary_value(B, tau, m), B)]
    if win[0].size:
        i = int(np.argmin(win[1]))
        cands.append((float(win[1][i]), float(win[0][i])))
    value, a = min(cands)
    value = _binary_value(a, tau, m)
    return value, a, value, True


def packed_tv_min(tau, m, *, rtol=BRACKET_RTOL) -> PackedTVOptimum:
    """Smallest packed TV over all pairs with ``d_TV(P, Q) = tau`` (PacGAN Theorem 3, lower bound).

    .. math::

        L(\\tau, m) = \\min_{0 \\le a \\le 1-\\tau} d_{TV}(\\mathrm{Bern}(a)^m, \\mathrm{Bern}(a+\\tau)^m).

    Why binary: any R(P,Q) with TV tau contains a point (x, x+tau), hence the triangle
    R_inner = conv{(0,0), (x, x+tau), (1,1)}, the region of a binary pair; Blackwell orders the
    packed TVs. Extremal pair (docs/theory.md s.4.A) ``P = [1-a, a]``, ``Q = [1-a-tau, a+tau]``.

    Method (exact, no grid): the objective equals ``g_j(a) = P(Bin(m, a+tau) >= j) - P(Bin(m,a) >= j)``
    between consecutive breakpoints ``r_{j-1} < r_j``, where ``r_j`` is the unique root of
    ``j log((a+tau)/a) = (m-j) log((1-a)/(1-a-tau))`` (a strictly decreasing function of a, solved
    by bisection to adjacent floats). Each ``g_j`` increases then decreases (its derivative
    ``m [pmf_{m-1}(j-1; a+tau) - pmf_{m-1}(j-1; a)]`` changes sign once), so the global minimum is the
    smallest value at the ``m - 1`` breakpoints; the ends ``a = 0, 1-tau`` give ``1-(1-tau)^m``.
    The value is a float exact up to ~m ulp (log-space binomial sums). ``L(tau, 2) = tau``.

    Cost: O(m) bisections of ~1100 vectorised steps plus O(m) per candidate evaluation, i.e.
    O(m^2) for m <= 400 and O(m) (incomplete beta) above: about 0.05 s at m = 1e3, 9 s at m = 1e5.

    Beyond ``L_MAX_M`` (docs/theory.md s.4.D), m <= ``ASYMPTOTIC_MAX_M`` = 1e10, in under a
    second: if the Hellinger bracket ``[1 - (1 - tau^2)^(m/2), 1]`` is narrower than half an ulp of 1
    the value is 1.0 (exact as a float: e.g. tau = 0.2 from m ~ 1.8e3, tau = 1e-3 from m ~ 7.5e7).
    Otherwise the value is that of the breakpoints next to the centre a = (1-tau)/2 (attained by the
    returned pair), and a **certified lower bound** comes from a Berry-Esseen bound on a likelihood-
    ratio test, valid for every a at once (interval arithmetic over a, ``_asymptotics``); it is about
    ``2 C / sqrt(m)`` below the value (C = 0.4748, Shevtsova 2011): 3e-3 at m = 1e5, 3e-5 at m = 1e9.
    Outside the a-window where that bound stays below the value, f(a) >= value; if the window holds
    at most ``WINDOW_MAX_BREAKPOINTS`` breakpoints they are all evaluated and the result is **exact**
    (``method="exact breakpoints in the Berry-Esseen window"``; e.g. tau = 1e-4, m = 1e6), else
    the **bracket** ``[lower, value]`` is returned (``exact=False``, ``method="Berry-Esseen
    bracket"``; e.g. tau = 1e-5 ... 1e-4 at m = 1e9), or refused when its relative width exceeds ``rtol``.

    Parameters
    ----------
    tau : float in [0, 1]
    m : int, 1 <= m <= ``ASYMPTOTIC_MAX_M`` = 1e10 (any m when tau is 0 or 1, or when L rounds to 1)
    rtol : float >= 0, keyword-only, default ``BRACKET_RTOL`` = 0.05
        Largest accepted ``(upper - lower) / upper`` of a bracket beyond ``L_MAX_M`` (``math.inf``
        accepts any certified bracket; 0 demands an exact value).

    Returns
    -------
    PackedTVOptimum
        ``kind="min"``, ``alpha = a``, ``family="binary"``; ``lower``, ``upper``, ``exact`` as above.

    Raises
    ------
    ValueError
        On bad inputs; beyond ``L_MAX_M`` when the bracket is wider than ``rtol`` allows (the
        message gives it), or m above ``ASYMPTOTIC_MAX_M``.

    Examples
    --------
    >>> round(packed_tv_min(0.2, 3).value, 6)   # docs/theory.md s.4.A reference value
    0.264651
    >>> packed_tv_min(0.3, 2).value              # L(tau, 2) = tau
    0.3
    """
    tau, m = _check_tau_m(tau, m)
    rtol = _check_rtol(rtol)
    if tau == 0.0 or tau == 1.0 or m == 1:
        a = (1.0 - tau) / 2
        value = tau if m == 1 or tau in (0.0, 1.0) else None
        return _finish(value, [1 - a, a], [1 - a - tau, a + tau], tau, m, kind="min", alpha=a, family="binary",
                       method="closed form")
    if m > L_MAX_M:
        # Hellinger sandwich: 1 - d_TV(P^m, Q^m) <= BC(P, Q)^m and BC <= sqrt(1 - tau^2) for every
        # binary pair at TV tau (the maximum at a = (1 - tau)/2), so L(tau, m) >= 1 - (1 - tau^2)^(m/2);
        # when that is below half an ulp of 1 the float L is 1.0 (any m, no breakpoints)
        log_gap = _times(m, 0.5 * math.log1p(-tau * tau))
        if log_gap < math.log(2.0**-54) and m <= 2**53:  # letter counts stay float64 integers
            a = (1.0 - tau) / 2
            return _finish(1.0, [1.0 - a, a], [1.0 - a - tau, a + tau], tau, m, kind="min", alpha=a,
                           family="binary", method="hellinger bound")
        if m > ASYMPTOTIC_MAX_M:
            raise ValueError(
                f"m={m if m < 10**30 else f'<{len(str(m))} digits>'} is above L_MAX_M={L_MAX_M} for "
                f"packed_tv_min and above ASYMPTOTIC_MAX_M=1e10 for its large-m bracket (binomial tails "
                f"lose accuracy beyond); the Hellinger bracket [1 - (1 - tau^2)^(m/2), 1] is "
                f"{math.exp(max(log_gap, -745.0)):.3g} wide"
            )
        value, a, lower, exact = _binary_min_large(tau, m, rtol)
        pair = _binary_pair(a, tau)
        if exact:
            return _finish(value, *pair, tau, m, kind="min", alpha=a, family="binary",
                           method="exact breakpoints in the Berry-Esseen window")
        width = value - lower
        if not width <= rtol * value:
            raise ValueError(
                f"m={m} is above L_MAX_M={L_MAX_M} for the exact breakpoint method, and the certified "
                f"bracket [{lower:.6g}, {value:.6g}] (Berry-Esseen, docs/theory.md s.4.D) has relative "
                f"width {width / value:.3g} > rtol={rtol:g}; pass a larger rtol to accept it"
            )
        return _finish(value, *pair, tau, m, kind="min", alpha=a, family="binary", lower=lower, upper=value,
                       exact=False, method="Berry-Esseen bracket")
    value, a = _binary_min(tau, m)
    if m == 2:
        # L(tau, 2) = tau exactly (breakpoint at a = (1-tau)/2); return the exact float
        a, value = (1.0 - tau) / 2, tau
    return _finish(value, [1.0 - a, a], [1.0 - a - tau, a + tau], tau, m, kind="min", alpha=a, family="binary",
                   method="exact breakpoints")


class TVBand(NamedTuple):
    """The exact range ``lower <= d_TV(P^m, Q^m) <= upper`` over pairs with ``d_TV(P, Q) = tau``.

    A named tuple: ``lo, hi = tv_band(tau, m)`` unpacks. The extremal pairs are in
    :func:`packed_tv_min` and :func:`packed_tv_max`.

    Attributes
    ----------
    lower : float
        ``L(tau, m)``, the value of :func:`packed_tv_min` (its certified lower end where it returns a
        bracket).
    upper : float
        ``1 - (1 - tau)^m``, the value of :func:`packed_tv_max`.
    """

    lower: float
    upper: float


def tv_band(tau, m) -> TVBand:
    """``TVBand(L(tau, m), 1 - (1-tau)^m)``: the exact range of ``d_TV(P^m, Q^m)`` over pairs with
    ``d_TV(P, Q) = tau`` (both ends attained; PacGAN Theorem 3).

    Beyond ``L_MAX_M``, where :func:`packed_tv_min` returns a certified bracket of L (``exact`` is
    False), ``lower`` is that bracket's lower end: the band returned then contains the exact one
    (the safe direction for "every pair with TV tau has packed TV at least lower"), and is at most
    ``BRACKET_RTOL`` relatively wider at its lower end; a wider bracket is refused.

    Parameters
    ----------
    tau : float in [0, 1]
    m : int >= 1 (<= ``ASYMPTOTIC_MAX_M`` unless tau is 0 or 1 or L rounds to 1)

    Returns
    -------
    TVBand
        ``(lower, upper)``; unpacks as a pair.

    Examples
    --------
    >>> lo, hi = tv_band(0.3, 2)
    >>> round(lo, 12), round(hi, 12)
    (0.3, 0.51)
    >>> round(tv_band(0.3, 2).upper, 12)
    0.51
    """
    return TVBand(packed_tv_min(tau, m).lower, packed_tv_max(tau, m).value)


# ---------------------------------------------------------------------------------------------
# B. lower bound under (eps, delta)-mode collapse
# ---------------------------------------------------------------------------------------------


def _l1_family_masses(x: np.ndarray, fam: str, eps: float, delta: float, tau: float):
    """Atom masses (N, 3) of the three-atom pairs of docs/theory.md s.4.B as functions of the contact
    abscissa x (the region touches the TV line at (x, x+tau)); linear in x.

    ``"R"`` (x > eps: vertex (eps, delta) before the contact): P = [delta, x+tau-delta, 1-x-tau],
    Q = [eps, x-eps, 1-x]. ``"L"`` (x < eps): P = [x+tau, delta-x-tau, 1-delta],
    Q = [x, eps-x, 1-eps].
    """
    x = np.asarray(x, dtype=np.float64)
    one = np.ones_like(x)
    if fam == "R":
        P = np.stack([delta * one, x + tau - delta, 1 - x - tau], axis=-1)
        Q = np.stack([eps * one, x - eps, 1 - x], axis=-1)
    else:
        P = np.stack([x + tau, delta - x - tau, (1 - delta) * one], axis=-1)
        Q = np.stack([x, eps - x, (1 - eps) * one], axis=-1)
    return np.clip(P, 0.0, None), np.clip(Q, 0.0, None)


def _safe_log(a: np.ndarray) -> np.ndarray:
    out = np.full(a.shape, -np.inf)
    np.log(a, out=out, where=a > 0)
    return out


def _classes_tv(P: np.ndarray, Q: np.ndarray, m: int) -> np.ndarray:
    """Packed TV of N three-atom pairs at once (rows of P, Q), by type classes."""
    n, logc = _type_classes(P.shape[1], m)
    lp, lq = _safe_log(P), _safe_log(Q)  # (N, 3)
    nf = n.astype(np.float64)
    out = np.empty(P.shape[0])
    for i in range(P.shape[0]):
        with np.errstate(invalid="ignore"):
            sp = np.where(n > 0, nf * lp[i], 0.0).sum(axis=1)
            sq = np.where(n > 0, nf * lq[i], 0.0).sum(axis=1)
        out[i] = 0.5 * np.abs(np.exp(logc + sp) - np.exp(logc + sq)).sum()
    return np.minimum(out, 1.0)


def _classes_log_ratio(P: np.ndarray, Q: np.ndarray, m: int) -> np.ndarray:
    """Log likelihood ratio of every type class (C, N); classes of probability zero under both
    P^m and Q^m get 0 (their sign is irrelevant)."""
    n, _ = _type_classes(P.shape[1], m)
    lp, lq = _safe_log(P), _safe_log(Q)
    with np.errstate(invalid="ignore"):
        d = lp - lq  # nan where p = q = 0
    d = np.where(np.isnan(d), 0.0, d)
    nf = n.astype(np.float64)
    with np.errstate(invalid="ignore"):
        lr = np.where(n[:, None, :] > 0, nf[:, None, :] * d[None, :, :], 0.0).sum(axis=2)
    return np.where(np.isnan(lr), 0.0, lr)


def _family_breakpoints(lo: float, hi: float, fam, eps, delta, tau, m) -> np.ndarray:
    """Values of x in (lo, hi) where some type-class likelihood ratio crosses 1.

    In both families every atom ratio is non-increasing in x (``(x+tau-delta)/(x-eps)`` has
    derivative ``(delta-eps-tau)/(x-eps)^2 <= 0``, ``(1-x-tau)/(1-x)`` decreases, and so on), so each
    class log-ratio is monotone and crosses 0 at most once: bisection from the interval ends.
    """
    ends = np.array([lo, hi])
    P, Q = _l1_family_masses(ends, fam, eps, delta, tau)
    lr = _classes_log_ratio(P, Q, m)  # (C, 2)
    cross = np.nonzero((lr[:, 0] > 0) & (lr[:, 1] < 0))[0]
    if cross.size == 0:
        return np.empty(0)
    n, _ = _type_classes(3, m)
    sub = n[cross].astype(np.float64)
    a = np.full(cross.size, lo)
    b = np.full(cross.size, hi)
    for _ in range(200):
        mid = 0.5 * (a + b)
        active = (mid > a) & (mid < b)
        if not active.any():
            break
        Pm, Qm = _l1_family_masses(mid, fam, eps, delta, tau)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.log(Pm) - np.log(Qm)
        d = np.where(np.isnan(d), 0.0, d)
        with np.errstate(invalid="ignore"):
            val = np.where(sub > 0, sub * d, 0.0).sum(axis=1)
        right = active & (val > 0)
        a = np.where(right, mid, a)
        b = np.where(active & ~(val > 0), mid, b)
    return np.unique(0.5 * (a + b))


def _family_min(lo: float, hi: float, fam, eps, delta, tau, m) -> tuple[float, float]:
    """Exact ``(min, argmin)`` of the packed TV along a three-atom family on ``[lo, hi]``.

    Between consecutive breakpoints the sign pattern of the type classes is fixed, so the packed
    TV is one polynomial of degree <= m in x; it is interpolated exactly at m+1 Chebyshev points of
    the piece and minimised through the real roots of its derivative (plus the piece's ends).
    """
    bps = _family_breakpoints(lo, hi, fam, eps, delta, tau, m)
    knots = np.unique(np.concatenate([[lo, hi], bps]))
    cands = [knots]
    deg = m
    for u, v in zip(knots[:-1], knots[1:]):
        if v - u <= 1e-15:
            continue
        t = np.cos(np.pi * (np.arange(deg + 1) + 0.5) / (deg + 1))  # Chebyshev points in (-1, 1)
        xs = 0.5 * (u + v) + 0.5 * (v - u) * t
        P, Q = _l1_family_masses(xs, fam, eps, delta, tau)
        vals = _classes_tv(P, Q, m)
        coef = _cheb.chebfit(t, vals, deg)
        roots = _cheb.chebroots(_cheb.chebder(coef)) if deg >= 2 else np.empty(0)
        roots = roots[np.abs(roots.imag) < 1e-9].real if roots.size else roots
        roots = roots[(roots > -1) & (roots < 1)]
        cands.append(0.5 * (u + v) + 0.5 * (v - u) * roots)
    xs = np.unique(np.concatenate(cands))
    P, Q = _l1_family_masses(xs, fam, eps, delta, tau)
    vals = _classes_tv(P, Q, m)
    i = int(np.argmin(vals))
    return float(vals[i]), float(xs[i])


def _l1_ranges(eps, delta, tau):
    """Split x in [0, 1-tau] into the three families of docs/theory.md s.4.B.

    The binary triangle conv{(0,0), (x, x+tau), (1,1)} contains (eps, delta) iff
    ``x_lo <= x <= x_hi`` with ``x_lo = 1 - tau(1-eps)/(delta-eps)``, ``x_hi = eps tau/(delta-eps)``.
    """
    d = delta - eps
    x_lo = 1.0 - tau * (1.0 - eps) / d
    x_hi = eps * tau / d
    return x_lo, x_hi


def _l1_pair(x: float, eps, delta, tau):
    """Three-atom pair of the hull of (0,0), (eps, D), (x, x+tau), (1,1), where D is the hull's height
    at eps (D = delta on the three-atom families, D >= delta on the binary range). The first atom(s)
    form a deterministic set S with P(S) = D >= delta, Q(S) = eps: collapse under both readings."""
    if x >= eps:
        D = delta if x <= 0 else max(delta, eps * (x + tau) / x)
        D = min(D, x + tau)
        pts = [(0.0, 0.0), (eps, D), (x, x + tau), (1.0, 1.0)]
    else:
        D = max(delta, x + tau + (eps - x) * (1 - x - tau) / (1 - x))
        pts = [(0.0, 0.0), (x, x + tau), (eps, min(D, 1.0)), (1.0, 1.0)]
    return _pair_from_polygon(pts)


#: Three-atom witnesses of the large-m collapse bound are evaluated exactly (type classes, O(m)) up to
#: this m, by their Berry-Esseen bracket's upper end above it.
_L1_EXACT_WITNESS_M = 20_000


def _l1_families(eps, delta, tau):
    """The three families of docs/theory.md s.4.B as affine masses in the contact abscissa x, with
    their x ranges: ``[(name, (P0, dP, Q0, dQ), lo, hi)]`` (``_l1_family_masses`` in affine form)."""
    x_lo, x_hi = _l1_ranges(eps, delta, tau)
    top = 1.0 - tau
    out = []
    b_lo, b_hi = max(0.0, x_lo), min(top, x_hi)
    if b_lo <= b_hi:  # P = [x+tau, 1-x-tau], Q = [x, 1-x]
        out.append(("binary", (np.array([tau, 1 - tau]), np.array([1.0, -1.0]), np.array([0.0, 1.0]),
                               np.array([1.0, -1.0])), b_lo, b_hi))
    if x_hi < top:
        out.append(("three-atom (apex first)", (np.array([delta, tau - delta, 1 - tau]), np.array([0.0, 1.0, -1.0]),
                                                np.array([eps, -eps, 1.0]), np.array([0.0, 1.0, -1.0])),
                    max(x_hi, 0.0), top))
    if x_lo > 0.0:
        out.append(("three-atom (apex last)", (np.array([tau, delta - tau, 1 - delta]), np.array([1.0, -1.0, 0.0]),
                                               np.array([0.0, eps, 1 - eps]), np.array([1.0, -1.0, 0.0])),
                    0.0, min(x_lo, top)))
    return out


def _feasible_collapse_contact(eps, delta, tau) -> float:
    """A contact abscissa x in [0, 1-tau] (any works: the hull pair of every x collapses)."""
    x_lo, x_hi = _l1_ranges(eps, delta, tau)
    return min(max(0.5 * (max(x_lo, 0.0) + min(x_hi, 1.0 - tau)), 0.0), 1.0 - tau)


#: Up to this m the large-m collapse bound also uses the Blackwell lower bound of
#: :func:`_l1_blackwell_lower` (exact packed TV of intersection regions, O(m) each), with at most
#: ``_L1_BLACKWELL_EVALS`` evaluations.
_L1_BLACKWELL_M = 400
_L1_BLACKWELL_EVALS = 240


def _meet(a1, a2, b1, b2):
    """Intersection of the line through a1, a2 with the line through b1, b2 (points (u, v))."""
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = a1, a2, b1, b2
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
    return (x1 + t * (x2 - x1), y1 + t * (y2 - y1))


def _l1_intersection_pair(name, x1, x2, eps, delta, tau):
    """The pair of ``R(x1) ∩ R(x2)`` for a family of docs/theory.md s.4.B (R(x) its hull region).

    On every family the boundary of R(x) falls with x left of the contact point and rises with x
    right of it (each chord's slope is monotone in x; ``tau >= delta - eps``), so
    ``min_{x in [x1, x2]} boundary_x = min(boundary_x1, boundary_x2)``: the intersection is a region
    contained in every R(x) of the interval, and by Blackwell its packed TV is a lower bound for all
    of them. Its vertices: the fixed ones and the meeting point Z of x2's chord on the left of its
    contact with x1's chord on the right of its contact.
    """
    c1, c2 = (x1, x1 + tau), (x2, x2 + tau)
    z, o, one = (eps, delta), (0.0, 0.0), (1.0, 1.0)
    if name == "binary":
        pts = [o, _meet(o, c2, c1, one), one]
    elif "first" in name:  # (0,0), (eps, delta), contact, (1,1)
        pts = [o, z, _meet(z, c2, c1, one), one]
    else:  # (0,0), contact, (eps, delta), (1,1)
        pts = [o, _meet(o, c2, c1, z), z, one]
    pts = np.array(pts)
    pts[:, 1] = np.clip(pts[:, 1], pts[:, 0], 1.0)
    return _pair_from_polygon(_upper_hull(pts))


def _l1_blackwell_lower(fams, m, eps, delta, tau, target, floor):
    """Lower bound of the packed TV over the families: branch-and-bound over x with the exact
    packed TV of intersection regions (:func:`_l1_intersection_pair`); first-order in the interval
    width, so it helps at moderate m, where the Berry-Esseen bound is loose. Returns the bound and
    the family and midpoint of the lowest leaf (where the minimiser is likeliest)."""
    leaves = []  # (bound, name, x1, x2)
    evals = 0

    def bound(name, x1, x2):
        nonlocal evals
        evals += 1
        p, q = _l1_intersection_pair(name, x1, x2, eps, delta, tau)
        cl = _classes(p, q)
        if not _exact_feasible(cl, m):
            return floor
        return max(_exact_packed_tv(cl, m) - 1e-12, floor)

    for name, _, lo, hi in fams:
        g = np.linspace(lo, hi, 9) if hi > lo else np.array([lo, lo])
        leaves += [(bound(name, u, v), name, u, v) for u, v in zip(g[:-1], g[1:])]
    while evals + 2 <= _L1_BLACKWELL_EVALS:
        leaves.sort(key=lambda t: t[0])
        b, name, u, v = leaves[0]
        if b >= target or v - u < 1e-12:
            break
        w = 0.5 * (u + v)
        leaves[0] = (bound(name, u, w), name, u, w)
        leaves.append((bound(name, w, v), name, w, v))
    b, name, u, v = min(leaves, key=lambda t: t[0])
    return b, name, 0.5 * (u + v)


def _l1_large(tau, m, eps, delta, rtol) -> PackedTVOptimum:
    """``packed_tv_min_with_collapse`` for ``L1_MAX_M < m <= ASYMPTOTIC_MAX_M`` (docs/theory.md s.4.D).

    Upper end: the smallest certified value among the witnesses (the binary range by the large-m
    binary method, each three-atom family at the minimiser of its Gaussian estimate, valued exactly
    up to ``_L1_EXACT_WITNESS_M`` and by its Berry-Esseen upper end above). Lower end: the
    Berry-Esseen / Hellinger branch-and-bound over all three families at once (``_asymptotics``),
    floored by tau and by the packed TV of the triangle through (eps, delta) (every feasible region
    contains it). Exact when the binary part is exact and no three-atom interval stays below it.
    """
    fams = _l1_families(eps, delta, tau)
    common = dict(kind="min_with_collapse", eps=eps, delta=delta)
    if _times(m, 0.5 * math.log1p(-tau * tau)) < math.log(2.0**-54):
        # L1 >= L(tau, m) >= 1 - (1 - tau^2)^(m/2) > 1 - 2^-54: the float value is 1.0 (any feasible pair)
        x = _feasible_collapse_contact(eps, delta, tau)
        p, q = _l1_pair(x, eps, delta, tau)
        fam = "binary" if _l1_ranges(eps, delta, tau)[0] <= x <= _l1_ranges(eps, delta, tau)[1] else "three-atom"
        return PackedTVOptimum(value=1.0, p=p, q=q, tau=tau, m=m, alpha=1.0 - x - tau, family=fam,
                               method="hellinger bound", **common)
    # every feasible region contains conv{(0,0), (eps, delta), (1,1)}: the binary pair [delta, 1-delta], [eps, 1-eps]
    tri_p, tri_q = np.array([delta, 1.0 - delta]), np.array([eps, 1.0 - eps])
    floor = max(tau, _exact_packed_tv(_classes(tri_p, tri_q), m) - _asymptotics._ROUND_PAD)
    best = None  # (upper, value is exact, x, family)
    bin_exact, bin_lower = True, math.inf
    for name, fam, lo, hi in fams:
        if name == "binary":
            a_lo, a_hi = 1.0 - hi - tau, 1.0 - lo - tau
            v, a, lw, ex = _binary_min_large(tau, m, rtol, max(a_lo, 0.0), max(a_hi, 0.0))
            bin_exact, bin_lower = ex, lw
            cand = (v, True, 1.0 - a - tau, name)
        else:
            x = _asymptotics.family_argmin(fam, lo, hi, m)
            P, Q = _l1_family_masses(np.array([x]), "R" if "first" in name else "L", eps, delta, tau)
            cl = _classes(P[0], Q[0])
            if m <= _L1_EXACT_WITNESS_M and _exact_feasible(cl, m):
                cand = (_exact_packed_tv(cl, m), True, x, name)
            else:
                cand = (_asymptotics.pair_bracket(P[0], Q[0], m)[1], False, x, name)
        if best is None or cand[0] < best[0]:
            best = cand
    upper, val_exact, x, family = best
    three = [(fam, lo, hi) for name, fam, lo, hi in fams if name != "binary"]
    lower, leaves = (_asymptotics.family_min_lower(three, m, upper, floor) if three else (upper, []))
    used_blackwell = False
    if three and m <= _L1_BLACKWELL_M and leaves:
        names3 = [f for f in fams if f[0] != "binary"]
        b, name, xb = _l1_blackwell_lower(names3, m, eps, delta, tau, upper, floor)
        used_blackwell = b > lower
        lower = max(lower, b)
        P, Q = _l1_family_masses(np.array([xb]), "R" if "first" in name else "L", eps, delta, tau)
        cl = _classes(P[0], Q[0])
        if _exact_feasible(cl, m):
            v = _exact_packed_tv(cl, m)  # a witness at the lowest leaf: perhaps a better upper end
            if v < upper:
                upper, val_exact, x, family = v, True, xb, name
    lower = min(lower, bin_lower)
    exact = (val_exact and bin_exact and not leaves and family == "binary" and bin_lower >= upper) or lower >= upper
    if exact:
        lower = upper
    width = upper - lower
    p, q = _l1_pair(x, eps, delta, tau)
    if family == "binary":  # the split atom does not change the packed TV; value it on the unsplit pair
        check = _binary_value(1.0 - x - tau, tau, m)
    elif val_exact:  # the returned (hull) pair itself, by type classes
        check = _exact_packed_tv(_classes(p, q), m)
    else:  # its Berry-Esseen upper end
        check = _asymptotics.pair_bracket(p, q, m)[1]
    if abs(check - upper) > _VERIFY_ATOL:
        raise RuntimeError(f"internal error: extremal pair reaches {check!r}, claimed value {upper!r}")
    if not exact and not width <= rtol * upper:
        raise ValueError(
            f"m={m} is above L1_MAX_M={L1_MAX_M} for the exact method, and the certified bracket "
            f"[{lower:.6g}, {upper:.6g}] (Berry-Esseen, docs/theory.md s.4.D) has relative width "
            f"{width / max(upper, 1e-300):.3g} > rtol={rtol:g}; pass a larger rtol to accept it"
        )
    tv1 = _tv(p, q)
    if abs(tv1 - tau) > 1e-12:
        raise RuntimeError(f"internal error: extremal pair has d_TV={tv1!r}, want tau={tau!r}")
    method = ("exact breakpoints in the Berry-Esseen window" if exact else
              ("Blackwell-intersection bracket" if used_blackwell else "Berry-Esseen bracket")
              + ("" if val_exact else " (witness valued by its Berry-Esseen upper end)"))
    return PackedTVOptimum(value=float(upper), p=p, q=q, tau=tau, m=m, alpha=1.0 - x - tau, family=family,
                           method=method, lower=float(lower), upper=float(upper), exact=exact, **common)


def packed_tv_min_with_collapse(tau, m, *, eps, delta, rtol=BRACKET_RTOL) -> PackedTVOptimum:
    """Smallest packed TV over pairs with ``d_TV(P,Q) = tau`` that have (eps, delta)-mode collapse.

    .. math::

        L_1(\\varepsilon, \\delta, \\tau, m) = \\min\\{d_{TV}(P^m, Q^m) : d_{TV}(P,Q) = \\tau,
        (\\varepsilon,\\delta) \\in R(P,Q)\\}

    (docs/theory.md s.4.B, derived; PacGAN Theorem 4 bounds the same problem through a 3-atom
    "inner1" pair). Feasible iff ``tau >= delta - eps`` (``delta - eps <= d_TV`` for any collapsing
    pair). Any feasible R(P,Q) contains (eps, delta) and some (x, x+tau), hence the region
    ``conv{(0,0), (eps,delta), (x,x+tau), (1,1)}`` (whose TV is exactly tau), and Blackwell orders
    the packed TVs; so ``L1 = min_x`` of the packed TV of that hull's pair, over ``x in [0, 1-tau]``.
    With ``a = 1-x-tau`` the hull's pair is (docs/theory.md s.4.B)

    * family ``"three-atom (apex first)"``, ``x > x_hi = eps tau/(delta-eps)``:
      P = [delta, 1-a-delta, a], Q = [eps, 1-a-tau-eps, a+tau];
    * family ``"binary"``, ``x_lo <= x <= x_hi`` (``x_lo = 1 - tau(1-eps)/(delta-eps)``): the
      binary pair P = [1-a, a], Q = [1-a-tau, a+tau], returned with one atom split at eps so that a
      deterministic set realises the collapse;
    * family ``"three-atom (apex last)"``, ``x < x_lo``:
      P = [1-a, a+delta-1, 1-delta], Q = [1-a-tau, a+tau+eps-1, 1-eps].

    Method (exact): on the binary range, the breakpoint method of :func:`packed_tv_min`; on each
    three-atom range, the breakpoints where a type class changes sign (each class's likelihood
    ratio is monotone in x), and on every piece between them the exact minimum of the degree-m
    polynomial (Chebyshev interpolation at m+1 points, real roots of the derivative). The returned
    pair has the collapse under both readings of ``has_mode_collapse`` (a deterministic set S with
    P(S) >= delta, Q(S) = eps), so the minimum is the same for both readings.

    Cost: about ``(m^2/2) * (m+1) * (m^2/2)`` flops; m <= ``L1_MAX_M`` (= 30, about 5 s; 1 s at m = 20).

    Above ``L1_MAX_M`` (docs/theory.md s.4.D), in about a second up to ``ASYMPTOTIC_MAX_M`` = 1e10:
    1.0 where ``L >= 1 - (1 - tau^2)^(m/2)`` is within half an ulp of 1; otherwise a **certified
    bracket**: ``upper`` the best witness (the binary range by the large-m method of
    :func:`packed_tv_min`, each three-atom family at the minimiser of its Gaussian estimate, valued
    exactly by type classes up to m = 2e4 and by its Berry-Esseen upper end above), ``lower`` the
    Berry-Esseen / Hellinger bound over all three families at once, floored by tau and by the packed
    TV of the triangle through (eps, delta), and up to m = 400 by the Blackwell bound of
    :func:`_l1_blackwell_lower` (exact packed TV of the intersection of the hull regions at the ends
    of an x-interval, a region inside all of them). ``value = upper``; ``exact`` when the bracket collapses
    (e.g. when the centre a = (1-tau)/2 lies in the binary range, where ``L1 = L``). The bracket is
    about ``2 C / sqrt(m)`` wide (C = 0.4748) times a factor for light atoms, so it is wide at m of
    a few tens; wider than ``rtol`` (relative) is refused.

    Parameters
    ----------
    tau : float in [0, 1]
    m : int, 1 <= m <= ``ASYMPTOTIC_MAX_M`` (exact up to ``L1_MAX_M`` = 30)
    eps, delta : float, 0 <= eps < delta <= 1 (keyword-only)
    rtol : float >= 0, keyword-only, default ``BRACKET_RTOL`` = 0.05
        Largest accepted ``(upper - lower) / upper`` above ``L1_MAX_M`` (``math.inf``: any).

    Returns
    -------
    PackedTVOptimum
        ``kind="min_with_collapse"``, ``alpha = a``, ``family`` as above; ``lower``, ``upper``,
        ``exact``.

    Raises
    ------
    ValueError
        On bad inputs, on ``tau < delta - eps`` (infeasible), above ``L1_MAX_M`` on a bracket wider
        than ``rtol`` allows, or on ``m > ASYMPTOTIC_MAX_M``.

    Examples
    --------
    >>> round(packed_tv_min_with_collapse(0.2, 2, eps=0.0, delta=0.1).value, 5)  # docs/theory.md s.4.B
    0.25333
    """
    tau, m = _check_tau_m(tau, m)
    eps, delta = _check_eps_delta(eps, delta)
    if tau < delta - eps - _FEAS_ATOL:
        raise ValueError(
            f"infeasible: a pair with (eps, delta)-mode collapse has d_TV >= delta - eps = {delta - eps!r}; "
            f"got tau={tau!r} (eps={eps!r}, delta={delta!r})"
        )
    if tau < delta - eps:  # within rounding of the boundary (e.g. 0.9 - 0.3 > 0.6): the boundary case
        delta = eps + tau
    rtol = _check_rtol(rtol)
    if m > L1_MAX_M:
        if m > ASYMPTOTIC_MAX_M:
            raise ValueError(
                f"m={_int_text(m)} is above L1_MAX_M={L1_MAX_M} (the exact method costs ~m^5/4 flops) and "
                f"above ASYMPTOTIC_MAX_M=1e10 for the large-m bracket"
            )
        return _l1_large(tau, m, eps, delta, rtol)
    x_lo, x_hi = _l1_ranges(eps, delta, tau)
    top = 1.0 - tau
    cands = []  # (value, x, family)
    b_lo, b_hi = max(0.0, x_lo), min(top, x_hi)
    if b_lo <= b_hi:
        v, x = _binary_min(tau, m, b_lo, b_hi) if tau > 0 else (0.0, b_lo)
        cands.append((v, x, "binary"))
    if x_hi < top:
        v, x = _family_min(max(x_hi, 0.0), top, "R", eps, delta, tau, m)
        cands.append((v, x, "three-atom (apex first)"))
    if x_lo > 0.0:
        v, x = _family_min(0.0, min(x_lo, top), "L", eps, delta, tau, m)
        cands.append((v, x, "three-atom (apex last)"))
    value, x, family = min(cands, key=lambda c: c[0])
    p, q = _l1_pair(x, eps, delta, tau)
    if m == 2 and family == "binary":
        value = _packed_tv_exact(p, q, m)
    return _finish(value, p, q, tau, m, kind="min_with_collapse", alpha=1.0 - x - tau, family=family,
                   eps=eps, delta=delta, method="exact breakpoints + exact polynomial pieces")


# ---------------------------------------------------------------------------------------------
# C. upper bound without (eps, delta)-mode collapse
# ---------------------------------------------------------------------------------------------


def _triangle_avoids(x: float, eps, delta, tau) -> bool:
    """Does the binary triangle conv{(0,0), (x,x+tau), (1,1)} avoid (eps, delta) strictly?"""
    x_lo, x_hi = _l1_ranges(eps, delta, tau)
    return x < x_lo or x > x_hi


def _feasible_point(eps, delta, tau, two_sided: bool) -> float | None:
    """A contact abscissa x in [0, 1-tau] whose triangle avoids the constraint point(s), or None.

    A pair is feasible iff its region touches the TV line at such an x (the triangle
    conv{(0,0), (x,x+tau), (1,1)} is the smallest region through (x, x+tau)). Triangle(x) contains
    (eps, delta) iff x in [x_lo, x_hi]; it contains (1-delta, 1-eps) iff triangle(1-tau-x) contains
    (eps, delta), i.e. x in [1-tau-x_hi, 1-tau-x_lo]. Returns the smallest such x or a point of the
    first gap between the excluded closed intervals.
    """
    x_lo, x_hi = _l1_ranges(eps, delta, tau)
    top = 1.0 - tau
    bad = [(x_lo, x_hi)] + ([(top - x_hi, top - x_lo)] if two_sided else [])
    bad = sorted((lo, hi) for lo, hi in bad if lo <= hi)
    cur, cur_open = 0.0, False  # candidates: cur itself (closed) or just above it (open)
    for lo, hi in bad:
        if cur < lo:
            x = cur if not cur_open else 0.5 * (cur + min(lo, top))
            return x if x <= top else None
        if hi >= cur:
            cur, cur_open = hi, True
    if not cur_open:
        return cur if cur <= top else None
    return top if cur < top else None


def _outer_polygon(tau: float, halfplanes) -> np.ndarray | None:
    """Upper boundary of {u <= v <= min(u+tau, 1)} cut by half-planes ``nu*u + nv*v <= c``
    (``nv > 0`` or a vertical line); returns the concave chain from (0,0) to (1,1) or None if empty."""
    # each constraint v <= s u + c0 (nv > 0); vertical ones (nv == 0) restrict u
    lines = [(1.0, tau), (0.0, 1.0)]
    u_min, u_max = 0.0, 1.0
    for nu, nv, c in halfplanes:
        if nv > 1e-15:
            lines.append((-nu / nv, c / nv))
        elif nu < 0:  # -|nu| u <= c  ->  u >= -c/|nu|
            u_min = max(u_min, c / nu)
        elif nu > 0:
            u_max = min(u_max, c / nu)
    if u_min > 1e-15 or u_max < 1.0 - 1e-15:
        return None
    xs = {0.0, 1.0}
    for (s1, c1), (s2, c2) in itertools.combinations(lines, 2):
        if s1 != s2:
            u = (c2 - c1) / (s1 - s2)
            if 0.0 < u < 1.0:
                xs.add(u)
    xs = sorted(xs)
    g = [min(s * u + c0 for s, c0 in lines) for u in xs]
    if g[0] < -1e-12 or g[-1] < 1.0 - 1e-12:
        return None
    pts = [(0.0, 0.0)] + [(u, min(max(v, u), 1.0)) for u, v in zip(xs, g)]
    pts[-1] = (1.0, 1.0)
    return np.array(pts)


def _line_through(point, angle: float):
    """Half-plane below the line through ``point`` with direction angle ``angle`` (0 = horizontal,
    pi/2 = vertical): ``-sin(angle) u + cos(angle) v <= -sin(angle) u0 + cos(angle) v0``."""
    s, c = math.sin(angle), math.cos(angle)
    return (-s, c, -s * point[0] + c * point[1])


def _two_sided_value(angles, eps, delta, tau, m, value_fn=None):
    z, zr = (eps, delta), (1.0 - delta, 1.0 - eps)
    poly = _outer_polygon(tau, [_line_through(z, angles[0]), _line_through(zr, angles[1])])
    if poly is None:
        return -1.0, None
    gap = poly[:, 1] - poly[:, 0]
    i = int(np.argmax(gap))
    if gap[i] < tau - _SNAP_ATOL:
        return -1.0, None
    # the optimum typically has both cut lines meet ON the TV line (a triple point computed with
    # rounding): put that vertex exactly on the line (moves the boundary by < _SNAP_ATOL)
    poly[i, 1] = poly[i, 0] + tau
    # near-concurrent lines leave clusters of vertices within ~1e-12 of each other: clip every
    # vertex into the band and the square and take the upper concave hull (a valid region again)
    poly[:, 1] = np.clip(poly[:, 1], poly[:, 0], np.minimum(poly[:, 0] + tau, 1.0))
    poly = _upper_hull(np.vstack([[[0.0, 0.0], [1.0, 1.0]], poly]))
    # only regions that strictly feasible pairs approach count: the band contact must contain an x
    # whose triangle avoids both points strictly (then mixing the boundary with that triangle gives
    # strictly feasible pairs converging to this one; every strictly feasible region sits in such a
    # cut band and shares its contact x)
    gap = poly[:, 1] - poly[:, 0]
    on = poly[gap >= tau - 1e-13, 0]
    if on.size == 0 or not _strict_contact(float(on.min()), float(on.max()), eps, delta, tau):
        return -1.0, None
    p, q = _pair_from_polygon(poly)
    return (_packed_tv_exact(p, q, m) if value_fn is None else value_fn(p, q)), (p, q)


def _strict_contact(c1: float, c2: float, eps, delta, tau) -> bool:
    """Does [c1, c2] contain an x with triangle(x) and triangle(1-tau-x) both strictly avoiding
    (eps, delta), i.e. x outside the closed intervals [x_lo, x_hi] and [1-tau-x_hi, 1-tau-x_lo]?"""
    x_lo, x_hi = _l1_ranges(eps, delta, tau)
    top = 1.0 - tau
    bad = sorted((lo, hi) for lo, hi in [(x_lo, x_hi), (top - x_hi, top - x_lo)] if lo <= hi)
    cur, cur_open = c1, False
    for lo, hi in bad:
        if hi < cur or (hi == cur and cur_open):
            continue
        if lo > cur:
            return cur <= c2 and (not cur_open or cur < c2)
        cur, cur_open = hi, True
        if cur > c2:
            return False
    return cur < c2 if cur_open else cur <= c2


def _angle_ranges(eps, delta):
    """Admissible direction angles of supporting lines through z = (eps, delta) and through
    z' = (1-delta, 1-eps): the line must pass on or above (0,0) and (1,1)."""
    a_lo = math.atan2(1 - delta, 1 - eps)
    a_hi = math.atan2(delta, eps)
    b_lo = math.atan2(eps, delta)
    b_hi = math.atan2(1 - eps, 1 - delta)
    return (a_lo, a_hi), (b_lo, b_hi)


def packed_tv_max_without_collapse(tau, m, *, eps, delta, two_sided: bool = False,
                                   rtol=BRACKET_RTOL) -> PackedTVOptimum:
    """Largest packed TV over pairs with ``d_TV(P,Q) = tau`` and no (eps, delta)-mode collapse.

    Problem s.4.C of docs/theory.md (PacGAN, arXiv 1712.04086, Theorem 5; the
    ``R_outer(tau, eps0, delta0, alpha)`` region of the PacGAN talk (Oh)). "No collapse" means
    (eps, delta) is not in R(P,Q), i.e. ``delta*(eps) < delta`` (randomised tests, the default
    reading of ``has_mode_collapse``).

    **One-sided** (``two_sided=False``; only (P, Q) is constrained). Result: the optimum **equals the
    unconstrained maximum** ``1 - (1-tau)^m`` for every feasible tau. Feasible iff
    ``tau < max(A, B)``, ``A = (delta-eps)/(1-eps)``, ``B = (delta-eps)/delta`` (``tau = 0`` always).
    Proof: a pair with TV tau touches the TV line at some (x, x+tau), so its region contains the
    triangle conv{(0,0), (x,x+tau), (1,1)}, which avoids (eps, delta) iff ``x < 1 - tau(1-eps)/(delta-eps)``
    or ``x > eps tau/(delta-eps)``; some x in [0, 1-tau] qualifies iff ``tau < max(A, B)``. The
    triangles at x = 0 (``P = [tau, 1-tau]``, ``Q = [0, 1]``, family ``"vertical"``, feasible iff
    ``tau < A``) and at x = 1-tau (``P = [1, 0]``, ``Q = [1-tau, tau]``, family ``"horizontal"``,
    feasible iff ``tau < B``) both reach ``1-(1-tau)^m`` (one side of each pair puts no mass where the
    other is heavier, so P^m and Q^m overlap only on the common part). So the constraint shrinks
    the feasible taus but never the packed TV. (If ``tau < delta - eps`` no pair with TV tau can
    collapse and the outer pair ``[tau, 1-tau, 0], [0, 1-tau, tau]`` is returned.)

    **Two-sided** (``two_sided=True``: neither (P,Q) nor (Q,P) has (eps,delta)-mode collapse, i.e.
    R(P,Q) avoids (eps,delta) and its anti-diagonal reflection (1-delta, 1-eps)). Result:

    * ``1 - (1-tau)^m`` iff ``tau < delta - eps`` or ``tau < min(A, B)`` or ``m = 1`` (value tau);
      attained by the outer pair resp. a triangle pair.
    * ``eps = 0`` or ``delta = 1`` (a constraint point on the edge of the square), m >= 2,
      ``min(A, B) <= tau`` (feasible iff tau < 1): the supremum is still ``1-(1-tau)^m`` but it is
      **not attained**: the constraint only caps the mass of infinite (resp. zero) likelihood ratio,
      and atoms with huge finite ratio approach the outer pair, returned as the limit
      (``attained=False``, family ``"outer (limit)"``).
    * For m >= 2, ``0 < eps``, ``delta < 1`` and ``min(A, B) <= tau`` (feasible), strictly less:
      ``d_TV(P^m,Q^m) = 1-(1-tau)^m`` forces (m >= 2) either P-mass tau where q = 0 (the region
      contains (0, tau)) or Q-mass tau where p = 0 (it contains (1-tau, 1)); both need
      ``tau < min(A, B)`` under the two-sided constraint, and with the constraint points inside
      the square the admissible cut slopes are bounded, so the supremum is a maximum over a compact
      family that contains no such region.
      Every feasible region lies in the TV band below a line through (eps,delta) and below a line
      through (1-delta, 1-eps) (separating lines), so the optimum is the maximum over the two
      directions of those lines of the packed TV of the cut band (a polygon with <= 6 vertices,
      whose pair is evaluated exactly by type classes). That two-parameter maximisation is
      **numerical**: seven one-parameter families of directions (one line at an end of its range,
      or both lines through a common point of the TV line, of v = 1 or of u = 0), each on a
      64-point grid refined by bounded Brent, plus a 13 x 13 direction grid polished by bounded
      Nelder-Mead (``method`` says so). In our checks the optimum always lay on one of these
      families and no 150 x 150 direction grid beat the result (20 random cases), but this is
      not a proof: treat ``value`` as a lower bound on the supremum that is, to our knowledge,
      tight. It is reached by the returned pair (rounding aside). When the optimal region touches
      a constraint point, the supremum is not attained:
      ``attained=False`` and ``p, q`` is the limit pair (``delta*(eps) = delta``).

    Deterministic-set reading (not what this function optimises; stated because it differs): with
    "no set S has P(S) >= delta and Q(S) <= eps" (``has_mode_collapse(..., randomized=False)``)
    more pairs qualify. One-sided, that problem is feasible iff ``tau < max(delta, 1-eps)`` and its
    optimum is again ``1-(1-tau)^m``: P = [1, 0], Q = [1-tau, tau] works for tau < 1-eps (every set
    holding atom 0 has Q-mass >= 1-tau > eps) and P = [tau, 1-tau], Q = [0, 1] for tau < delta;
    for ``tau >= max(delta, 1-eps)`` the set S* = {p > q} has P(S*) >= tau >= delta and
    Q(S*) = P(S*) - tau <= 1-tau <= eps.

    Feasibility (both variants): raises ``ValueError`` if no pair with TV tau avoids the collapse.
    Two-sided feasibility: some x in [0, 1-tau] has both triangle(x) and triangle(1-tau-x) avoiding
    (eps, delta) (the reflection of triangle(x) is triangle(1-tau-x)).

    Two-sided above ``TWO_SIDED_MAX_M`` (docs/theory.md s.4.D, up to ``ASYMPTOTIC_MAX_M`` = 1e10,
    about a second): the same search, guided by the Gaussian estimate of each cut band's packed TV;
    the returned witness's packed TV is certified from below (``packed_tv_bounds`` up to m = 2000,
    Berry-Esseen or Hellinger above) and the unconstrained ``1 - (1-tau)^m`` is the upper end, so
    ``value = lower`` and the bracket is narrow only where both ends approach 1 (``exact`` when both
    are the float 1.0); a bracket wider than ``rtol`` (relative) is refused. No certified upper end
    below ``1 - (1-tau)^m`` is computed at these m.

    Parameters
    ----------
    tau : float in [0, 1]
    m : int >= 1 (two-sided: exact numerical branch up to ``TWO_SIDED_MAX_M`` = 16, bracket up to
        ``ASYMPTOTIC_MAX_M``)
    eps, delta : float, 0 <= eps < delta <= 1 (keyword-only; within ``REGION_ATOL``, clipped)
    two_sided : bool, default False
        A real bool (``TypeError`` otherwise: a truthy string is not a choice).
    rtol : float >= 0, keyword-only, default ``BRACKET_RTOL`` = 0.05
        Largest accepted ``(upper - lower) / upper`` of the two-sided bracket above ``TWO_SIDED_MAX_M``.

    Returns
    -------
    PackedTVOptimum
        ``kind="max_without_collapse"`` or ``"max_without_collapse_two_sided"``; ``cut_slopes``
        (two-sided, numerical branch) are the slopes of the two supporting lines.

    Examples
    --------
    >>> r = packed_tv_max_without_collapse(0.6, 4, eps=0.1, delta=0.5)   # A = 4/9, B = 4/5
    >>> r.value == packed_tv_max(0.6, 4).value, r.family, r.p.tolist(), r.q.tolist()
    (True, 'horizontal', [1.0, 0.0], [0.4, 0.6])
    >>> r2 = packed_tv_max_without_collapse(0.6, 2, eps=0.1, delta=0.5, two_sided=True)
    >>> round(r2.value, 9), round(packed_tv_max(0.6, 2).value, 9), r2.attained
    (0.74, 0.84, False)
    """
    tau, m = _check_tau_m(tau, m)
    eps, delta = _check_eps_delta(eps, delta)
    if not isinstance(two_sided, (bool, np.bool_)):
        raise TypeError(f"two_sided must be a bool; got two_sided={two_sided!r} of type {type(two_sided).__name__}")
    two_sided = bool(two_sided)
    rtol = _check_rtol(rtol)
    kind = "max_without_collapse_two_sided" if two_sided else "max_without_collapse"
    d = delta - eps
    A, B = d / (1.0 - eps), d / delta
    vmax = packed_tv_max(tau, m).value
    common = dict(kind=kind, eps=eps, delta=delta)
    if tau < d:
        return _finish(vmax, [tau, 1 - tau, 0.0], [0.0, 1 - tau, tau], tau, m, family="outer",
                       method="closed form (tau < delta - eps: no pair with TV tau collapses)", **common)
    x_feas = _feasible_point(eps, delta, tau, two_sided)
    if x_feas is None:
        cond = ("some x in [0, 1-tau] with both triangle(x) and triangle(1-tau-x) avoiding (eps, delta)"
                if two_sided else f"tau < max(A, B) = {max(A, B)!r}")
        raise ValueError(
            f"infeasible: every pair with d_TV = tau={tau!r} has (eps, delta)-mode collapse "
            f"{'on one side ' if two_sided else ''}(eps={eps!r}, delta={delta!r}); need {cond}"
        )
    one_ok = [tau < A, tau < B]  # triangle(0) avoids z; triangle(1-tau) avoids z
    if not two_sided or m == 1 or (one_ok[0] and one_ok[1]):
        # witnesses: triangle(0) needs tau < A (and, two-sided, its reflection triangle(1-tau): tau < B)
        if m == 1 and two_sided and not (one_ok[0] and one_ok[1]):
            x = x_feas
            p, q = [x + tau, 1 - x - tau], [x, 1 - x]
            return _finish(tau, p, q, tau, m, family="binary", alpha=1 - x - tau, method="closed form (m = 1)",
                           **common)
        if one_ok[0]:
            return _finish(vmax, [tau, 1 - tau], [0.0, 1.0], tau, m, family="vertical", alpha=1 - tau,
                           method="closed form (witness triangle at x = 0)", **common)
        return _finish(vmax, [1.0, 0.0], [1 - tau, tau], tau, m, family="horizontal", alpha=0.0,
                       method="closed form (witness triangle at x = 1 - tau)", **common)
    if eps == 0.0 or delta == 1.0:
        # a constraint point on the left edge (0, delta) or top edge (eps, 1) only caps the mass of
        # infinite (zero) likelihood ratio: steep but finite atoms (P-mass tau - delta + eta, Q-mass ->
        # 0) keep TV tau and avoid it strictly, converging to the outer pair; sup = max, not attained
        return _finish(vmax, [tau, 1 - tau, 0.0], [0.0, 1 - tau, tau], tau, m, family="outer (limit)",
                       attained=False, method="closed form (eps = 0 or delta = 1: supremum, not attained)",
                       **common)
    if m > TWO_SIDED_MAX_M:
        if m > ASYMPTOTIC_MAX_M:
            raise ValueError(
                f"m={_int_text(m)} is above TWO_SIDED_MAX_M={TWO_SIDED_MAX_M} for the numerical two-sided "
                f"branch and above ASYMPTOTIC_MAX_M=1e10 for its large-m bracket"
            )
        return _two_sided_numeric(tau, m, eps, delta, common, large_rtol=rtol)
    return _two_sided_numeric(tau, m, eps, delta, common)


#: Two-sided optimiser: points per one-parameter family, refined local maxima per family, and the
#: side of the coarse two-dimensional safety grid.
_FAMILY_POINTS = 64
_FAMILY_REFINE = 2
_SAFETY_GRID = 13


def _two_sided_families(eps, delta, tau):
    """One-parameter families of cut directions ``s in [0, 1] -> (angle_a, angle_b)`` on which the
    two-sided optimum was found to lie (numerically, never beaten by dense 2-D grids): one line at
    an end of its admissible range and the other free (4 families), or both lines through a common
    point of the TV line (the "triple point"), of the top edge v = 1, or of the left edge u = 0."""
    (a_lo, a_hi), (b_lo, b_hi) = _angle_ranges(eps, delta)
    z, zr = (eps, delta), (1.0 - delta, 1.0 - eps)
    clip = lambda x, lo, hi: min(max(x, lo), hi)  # noqa: E731

    def through(w):
        def ang(pt, lo, hi):
            du, dv = w[0] - pt[0], w[1] - pt[1]
            if abs(du) + abs(dv) < 1e-15:
                return lo
            return clip(math.atan2(dv, du) % math.pi, lo, hi)
        return ang(z, a_lo, a_hi), ang(zr, b_lo, b_hi)

    top = 1.0 - tau
    return [
        lambda s: (a_lo, b_lo + s * (b_hi - b_lo)),
        lambda s: (a_hi, b_lo + s * (b_hi - b_lo)),
        lambda s: (a_lo + s * (a_hi - a_lo), b_lo),
        lambda s: (a_lo + s * (a_hi - a_lo), b_hi),
        lambda s: through((s * top, s * top + tau)),
        lambda s: through((s, 1.0)),
        lambda s: through((0.0, s)),
    ]


def _two_sided_numeric(tau, m, eps, delta, common, large_rtol=None) -> PackedTVOptimum:
    """Maximise the packed TV of the doubly cut TV band over the two cut directions.

    Search: every one-parameter family of :func:`_two_sided_families` on a grid of
    ``_FAMILY_POINTS`` points with its best ``_FAMILY_REFINE`` local maxima refined by bounded Brent,
    plus a ``_SAFETY_GRID``-square grid of the two directions polished by bounded Nelder-Mead. The
    best point found is returned (a value attained by its pair: never above the true supremum
    beyond rounding)."""
    (a_lo, a_hi), (b_lo, b_hi) = _angle_ranges(eps, delta)
    # beyond TWO_SIDED_MAX_M the search is guided by the Gaussian estimate of each cut band's packed
    # TV, and only the final witness is certified (below)
    value_fn = None if large_rtol is None else (lambda p, q: _asymptotics.pair_estimate(p, q, m))
    f = lambda ang: _two_sided_value(ang, eps, delta, tau, m, value_fn)[0]  # noqa: E731
    best_val, best_ang = -1.0, None

    def consider(val, ang):
        nonlocal best_val, best_ang
        if val > best_val:
            best_val, best_ang = float(val), (float(ang[0]), float(ang[1]))

    s_grid = np.linspace(0.0, 1.0, _FAMILY_POINTS)
    h = s_grid[1] - s_grid[0]
    for fam in _two_sided_families(eps, delta, tau):
        vals = np.array([f(fam(s)) for s in s_grid])
        for i in np.argsort(vals)[::-1][:_FAMILY_REFINE]:
            if vals[i] < 0:
                break
            consider(vals[i], fam(s_grid[i]))
            lo, hi = max(0.0, s_grid[i] - h), min(1.0, s_grid[i] + h)
            res = minimize_scalar(lambda s: -f(fam(s)), bounds=(lo, hi), method="bounded",
                                  options=dict(xatol=1e-12))
            consider(-res.fun, fam(res.x))
    n = _SAFETY_GRID
    ga, gb = np.linspace(a_lo, a_hi, n), np.linspace(b_lo, b_hi, n)
    grid = np.array([[f((a, b)) for b in gb] for a in ga])
    i, j = np.unravel_index(int(np.argmax(grid)), grid.shape)
    if grid[i, j] >= 0:
        consider(grid[i, j], (ga[i], gb[j]))
        s0 = np.array([ga[i], gb[j]])
        step = np.array([(a_hi - a_lo) / (n - 1), (b_hi - b_lo) / (n - 1)])
        simplex = np.clip([s0, s0 + [step[0], 0], s0 + [0, step[1]]], [a_lo, b_lo], [a_hi, b_hi])
        res = minimize(lambda v: -f(v), s0, method="Nelder-Mead", bounds=[(a_lo, a_hi), (b_lo, b_hi)],
                       options=dict(initial_simplex=simplex, xatol=1e-10, fatol=1e-15, maxiter=600))
        consider(-res.fun, res.x)
    if best_ang is None:
        # _feasible_point found a contact abscissa, but only in a gap of rounding width between the
        # excluded intervals: no cut band keeps a strictly feasible contact, so within rounding the
        # problem is infeasible
        raise ValueError(
            f"infeasible within rounding: the contact abscissae x in [0, 1-tau] whose triangles avoid "
            f"(eps, delta) and its reflection form a set narrower than float rounding "
            f"(tau={tau!r}, eps={eps!r}, delta={delta!r}, two-sided)"
        )
    value, (p, q) = _two_sided_value(best_ang, eps, delta, tau, m, value_fn)
    tol = 1e-12
    attained = (_delta_star(p, q, eps) < delta - tol) and (_delta_star(p, q, 1 - delta) < 1 - eps - tol)
    if large_rtol is not None:
        return _two_sided_certify(p, q, tau, m, best_ang, attained, large_rtol, common)
    return _finish(value, p, q, tau, m, family="two-sided outer region",
                   cut_slopes=(math.tan(best_ang[0]), math.tan(best_ang[1])), attained=attained,
                   method="numerical: 7 one-parameter families (grid + Brent) and a 13x13 direction grid + Nelder-Mead", **common)


#: Beyond TWO_SIDED_MAX_M the two-sided witness is valued by the certified lattice path of
#: ``packed_tv_bounds`` up to this m (fast there), by Berry-Esseen / Hellinger above.
_TWO_SIDED_LATTICE_M = 2_000


def _two_sided_certify(p, q, tau, m, best_ang, attained, rtol, common) -> PackedTVOptimum:
    """Bracket of the two-sided optimum beyond ``TWO_SIDED_MAX_M`` (docs/theory.md s.4.D).

    Lower end: a certified lower bound of the witness's packed TV (a value that feasible pairs reach
    or approach): ``packed_tv_bounds`` at width 1e-9 up to ``_TWO_SIDED_LATTICE_M``, else the larger
    of its Berry-Esseen and Hellinger lower bounds. Upper end: the unconstrained maximum
    ``1 - (1-tau)^m``. So the bracket is certified, but wide unless both ends are near 1; wider than
    ``rtol`` relative is refused.
    """
    vmax = packed_tv_max(tau, m).value
    lower = None
    if m <= _TWO_SIDED_LATTICE_M:
        from ._packing import packed_tv_bounds  # the certified lattice path (imported where it is used)

        try:
            lower = packed_tv_bounds(p, q, m, width=1e-9).lower
        except ValueError:
            lower = None
    if lower is None:
        bc = float(np.sqrt(np.asarray(p) * np.asarray(q)).sum())
        log_gap = m * math.log(bc) if 0.0 < bc < 1.0 else 0.0
        # 1 - BC^m within half an ulp of 1: the float 1.0 is the certified lower end
        hel = 1.0 if log_gap < math.log(2.0**-54) else -math.expm1(log_gap) - _asymptotics._ROUND_PAD
        lower = max(_asymptotics.pair_bracket(p, q, m)[0], hel)
    lower = min(max(lower, 0.0), vmax)
    exact = lower >= vmax
    width = vmax - lower
    if not exact and not width <= rtol * vmax:
        raise ValueError(
            f"m={m} is above TWO_SIDED_MAX_M={TWO_SIDED_MAX_M} for the numerical two-sided branch, and the "
            f"certified bracket [{lower:.6g}, {vmax:.6g}] (witness lower bound, unconstrained maximum; "
            f"docs/theory.md s.4.D) has relative width {width / max(vmax, 1e-300):.3g} > rtol={rtol:g}; pass a larger "
            f"rtol to accept it"
        )
    tv1 = _tv(p, q)
    if abs(tv1 - tau) > 1e-12:
        raise RuntimeError(f"internal error: extremal pair has d_TV={tv1!r}, want tau={tau!r}")
    return PackedTVOptimum(
        value=float(lower), p=p, q=q, tau=tau, m=m, family="two-sided outer region",
        cut_slopes=(math.tan(best_ang[0]), math.tan(best_ang[1])), attained=attained,
        method=("numerical search guided by the Gaussian estimate; " +
                ("both bracket ends equal" if exact else "certified bracket [witness lower bound, 1 - (1-tau)^m]")),
        lower=float(lower), upper=float(vmax if not exact else lower), exact=exact, **common)
