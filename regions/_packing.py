"""Packed TV d_TV(P^m,Q^m) and packed regions R(P^m,Q^m): exact and certified (docs/theory.md s.4).

Conventions (docs/theory.md s.0): **P is the target, Q the generator**; ``P^m, Q^m`` are the m-fold
i.i.d. products ("packing", PacGAN, arXiv 1712.04086, Section 3). ``d_TV(P^m, Q^m)`` and
``R(P^m, Q^m)`` depend only on the law of the likelihood ratio, so everything works on the
likelihood-ratio classes of the pair (atoms with equal ``p_i/q_i`` merged; ``q_i = 0`` atoms form the
ratio-``inf`` class, ``p_i = 0`` atoms the ratio-``0`` class; both are handled exactly).

Two paths:

* **exact** (``method`` ``"closed-form"``, ``"binomial"`` or ``"type-classes"``): multinomial type classes with
  the last two classes summed in closed form as a binomial tail (regularised incomplete beta), or
  sequence by sequence when there are few sequences (``k'^m <= 2^20``, e.g. m = 2 up to k' = 1024).
  Exact to ~1e-14 absolute; used when the number of outer type combinations
  ``C(m+k'-2, k'-2)`` (``k'`` = number of finite-ratio classes) is at most 5e5 and times
  ``k'-2`` at most 3e6 - always for binary pairs (any m, 1e6 in milliseconds), for ``k' = 3`` up to
  m ~ 5e5, ``k' = 10`` up to m ~ 10, ``k' = 100`` at m = 2. An explicit ``method="exact"``
  also runs it whenever the type classes ``C(m+k'-1, k'-1)`` number at most 1e7 (seconds:
  ``k' = 10, m = 20`` takes ~5 s and ~600 MB), where ``"auto"`` prefers the certified bracket.
* **certified lattice** (``method`` ``"lattice-fft"``): the privacy-loss (log-likelihood-ratio)
  random variable rounded onto a lattice, composed m times by FFT, and turned into a certified
  bracket ``lower <= d_TV(P^m, Q^m) <= upper``; see :func:`packed_tv_bounds`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from modecollapse.divergences._validation import as_pair, check_integer, check_real

from ._lattice import (
    _TAIL_SHARE,
    _certified_packed_tv,
    _cost_message,
    _envelope_points,
    _predicted_points,
    _region_certificate,
    _span,
    _TooLarge,
)
from ._region import Region, _check_packing_degree, _region_of
from ._typeclasses import (
    _MERGE_ATOL,
    _PAIR_TYPE_LIMIT,
    _classes,
    _exact_feasible,
    _exact_packed_tv,
    _n_outer,
    _n_types,
    _packed_law,
)

__all__ = [
    "PackedTVBounds",
    "PackedPair",
    "PackedRegion",
    "packed_tv",
    "packed_tv_bounds",
    "packed_pair",
    "packed_region",
    "product_pair",
    "product_tv",
    "product_region",
]

_METHODS = ("auto", "exact", "lattice")


def _unit_sum(p: np.ndarray) -> np.ndarray:
    """``p`` rescaled to sum to 1 (``math.fsum``), unchanged when it already does.

    The validated vectors may miss 1 by up to the sum tolerance; an m-fold product multiplies that
    deficit by m (a pair summing to 1 - 1e-10 would lose 1e-7 of packed TV at m = 1000), so the
    packed computations work with the rescaled pair."""
    s = math.fsum(p.tolist())
    return p if s == 1.0 else p / s


def _check_packed_args(p, q, m, width, max_points, method):
    """The validated arguments of :func:`packed_tv_bounds` and :func:`packed_region`: the pair's
    likelihood-ratio classes, ``m``, ``width``, ``max_points`` (``method`` checked, not returned)."""
    p, q = as_pair(p, q)
    p, q = _unit_sum(p), _unit_sum(q)
    m = _check_packing_degree(m)
    width = check_real(width, "width", lo=0.0, lo_open=True)
    max_points = check_integer(max_points, "max_points", minimum=1024)
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got method={method!r}")
    return _classes(p, q), m, width, max_points

#: Default certified width of :func:`packed_tv` and :func:`packed_tv_bounds` when the exact path
#: is infeasible: the midpoint returned by :func:`packed_tv` is then within ``5e-7`` of the exact
#: value. (Widths down to ~1e-9 are reachable at moderate m; the FFT round-off bound grows like
#: ``m sqrt(N) u``, and a width below it raises a ``ValueError`` saying so.)
PACKED_TV_WIDTH = 1e-6


@dataclass(frozen=True)
class PackedTVBounds:
    """A certified bracket ``lower <= d_TV(P^m, Q^m) <= upper``.

    Attributes
    ----------
    lower, upper : float
        The bracket. ``lower`` is always the value of an actual test (a set ``S`` with
        ``P^m(S) - Q^m(S) >= lower``); ``lower == upper`` when ``exact``.
    exact : bool
        True when computed by the exact path (then both ends equal the exact value up to ~1e-14).
    method : str
        ``"closed-form"`` (at most one finite-ratio class), ``"binomial"`` (two classes),
        ``"type-classes"`` (three or more classes, exact), ``"lattice-fft"`` (certified) or
        ``"hellinger"`` (``[1 - BC^m, 1]``, Bhattacharyya coefficient ``BC``: the certified fallback
        at a packing degree beyond the lattice's ``max_points``, when narrower than the width).
    m : int
        Packing degree.
    n_classes : int
        Number ``k'`` of finite likelihood-ratio classes after merging equal ratios.
    grid_step : float or None
        Lattice step ``h`` of the log-likelihood ratio (certified path only).
    n_points : int or None
        FFT length of the certified path.
    """

    lower: float
    upper: float
    exact: bool
    method: str
    m: int
    n_classes: int
    grid_step: float | None = None
    n_points: int | None = None

    @property
    def width(self) -> float:
        """``upper - lower``."""
        return self.upper - self.lower

    @property
    def midpoint(self) -> float:
        """``(lower + upper) / 2``: within ``width / 2`` of the exact value."""
        return 0.5 * (self.lower + self.upper)


def _method_name(k: int) -> str:
    return "closed-form" if k <= 1 else ("binomial" if k == 2 else "type-classes")


def _certified_bounds(cl, m: int, width: float, max_points: int) -> PackedTVBounds:
    """The lattice path's certified bracket (``_lattice._certified_packed_tv``) as a result object."""
    b = _certified_packed_tv(cl, m, width, max_points=max_points)
    return PackedTVBounds(b.lower, b.upper, False, "lattice-fft", m, cl.k, grid_step=b.grid_step, n_points=b.n_points)


def packed_tv_bounds(p, q, m, *, width: float = PACKED_TV_WIDTH, method: str = "auto", max_points: int = 2**26) -> PackedTVBounds:
    """Certified bracket of the packed total variation ``d_TV(P^m, Q^m)``.

    Exact (``lower == upper``, ``exact=True``) whenever the type-class path is feasible (see the
    module docstring); otherwise the certified lattice path with ``upper - lower <= width``.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors on one support (P target, Q generator); zero atoms allowed.
    m : int
        Packing degree, ``m >= 1``.
    width : float, keyword-only
        Requested certified width of the bracket (``> 0``); only used by the certified path.
    method : {"auto", "exact", "lattice"}, keyword-only
        ``"auto"``: exact when feasible, else certified. ``"exact"``: the exact path whenever
        the type classes number at most 1e7 (or it is cheap), else raise ``ValueError`` (with the
        cost). ``"lattice"``: force the certified path (pairs with
        at most two ratio classes are always exact).
    max_points : int, keyword-only
        Largest FFT length the certified path may use (memory ~ 28 bytes per point).

    Returns
    -------
    PackedTVBounds

    Raises
    ------
    ValueError, TypeError
        Invalid vectors, ``m`` not an integer ``>= 1``, ``width`` not positive, an unknown method,
        or a width that the certified path cannot reach within ``max_points`` (the message states
        the FFT length, memory and time it would need).

    Notes
    -----
    Certified path (``_lattice`` module docstring): the log-likelihood ratio ``L = log(p/q)`` of
    each letter is rounded to the nearest point of a lattice ``h Z``; ``S = {rounded sum > 0}`` is a
    test, so ``P^m(S) - Q^m(S)`` (computed exactly on the lattice by FFT, both laws) is a *lower*
    bound, and the rounding can flip the sign only where ``|rounded sum| < E = m max|rounding|``,
    which bounds the gap by ``G = O(density(0) E^2)``. FFT round-off (Higham 2002, Thm 24.2) and the
    Chernoff-bounded mass outside the FFT window are added to the bracket. The step ``h`` is chosen
    adaptively (a pilot run, then one refinement) so that ``upper - lower <= width``.

    Examples
    --------
    >>> b = packed_tv_bounds([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 40, width=1e-6, method="lattice")
    >>> b.lower <= packed_tv_bounds([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 40).lower <= b.upper
    True
    >>> b.width <= 1e-6, b.exact, b.method
    (True, False, 'lattice-fft')
    """
    cl, m, width, max_points = _check_packed_args(p, q, m, width, max_points, method)
    feasible = _exact_feasible(cl, m, extended=method == "exact")
    if cl.k <= 2 or (feasible and method != "lattice"):
        v = _exact_packed_tv(cl, m)
        return PackedTVBounds(v, v, True, _method_name(cl.k), m, cl.k)
    if method == "exact":
        raise ValueError(
            f"exact packed TV at m={m} over {cl.k} likelihood-ratio classes needs "
            f"{_n_types(cl.k, m):.3g} type classes (limit 1e7) and {_n_outer(cl.k, m):.3g} outer type "
            f"combinations (limit 5e5); use method='auto' for a certified bracket"
        )
    try:
        return _certified_bounds(cl, m, width, max_points)
    except ValueError:
        hb = _hellinger_bounds(cl, m, width)
        if hb is None:
            raise
        return hb


def _hellinger_bounds(cl, m: int, width: float) -> PackedTVBounds | None:
    """``[1 - BC^m, 1]`` when it is narrower than ``width`` (any m; ``None`` otherwise).

    ``1 - d_TV(P^m, Q^m) = sum min(P^m, Q^m) <= sum sqrt(P^m Q^m) = BC(P, Q)^m`` with the
    Bhattacharyya coefficient ``BC = sum_i sqrt(p_i q_i)`` (the Hellinger-affinity bound, Le Cam,
    1973; ``BC`` is multiplicative over products); the optimal test ``{p^m > q^m}`` attains ``d_TV >= 1 - BC^m``. ``log BC``
    is computed to within ``(k + 4) u`` relative, inflated here by twice that before the m-th power.
    """
    if cl.k == 0:
        return None
    bc = float(np.sum(np.sqrt(cl.P * cl.Q)))
    if not 0.0 < bc < 1.0:
        return None
    log_up = m * (math.log(bc) + 2.0 * (cl.k + 4) * 2.0**-53)
    if log_up >= 0.0:
        return None
    bc_m = math.exp(log_up)
    if bc_m > width:
        return None
    lower = float(np.nextafter(1.0 - bc_m, 0.0))  # one ulp down: 1 - bc_m rounded to nearest may be above
    return PackedTVBounds(max(0.0, lower), 1.0, False, "hellinger", m, cl.k)


def packed_tv(p, q, m, *, width: float = PACKED_TV_WIDTH) -> float:
    """Packed total variation ``d_TV(P^m, Q^m)`` (PacGAN, arXiv 1712.04086, Section 3; docs/theory.md s.4).

    .. math::

        d_{TV}(P^m, Q^m) = \\sum_{x \\in [k]^m} \\bigl(P^m(x) - Q^m(x)\\bigr)_+
            = \\sum_{\\text{types } n} \\binom{m}{n} \\Bigl(\\prod_c P_c^{n_c} - \\prod_c Q_c^{n_c}\\Bigr)_+

    over the multinomial types ``n`` of the likelihood-ratio classes ``c``.

    Which float is returned
    -----------------------
    * exact path (binary pairs for any m; few classes, see the module docstring): the exact
      value, accurate to ~1e-14 absolute;
    * otherwise the **midpoint** of the certified bracket of :func:`packed_tv_bounds` with the
      given ``width``: ``|packed_tv - d_TV(P^m, Q^m)| <= width / 2`` (default 5e-7). Call
      :func:`packed_tv_bounds` for the bracket itself.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors on one support: ``p`` the target P, ``q`` the generator Q.
    m : int
        Packing degree, ``m >= 1``.
    width : float, keyword-only
        Certified width used only when the exact path is infeasible.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    ValueError, TypeError
        Invalid probability vectors, ``m`` not an integer ``>= 1``.

    Examples
    --------
    >>> round(packed_tv([0.2, 0.8], [0.0, 1.0], 2), 12)   # PacGAN toy P vs Q1: 1 - 0.8^2
    0.36
    >>> round(packed_tv([0.5, 0.5], [0.3, 0.7], 2), 12)   # PacGAN toy P vs Q2
    0.24
    """
    return packed_tv_bounds(p, q, m, width=width).midpoint


@dataclass(frozen=True, eq=False)
class PackedPair:
    """The exact likelihood-ratio law of ``(P^m, Q^m)`` as a discrete pair.

    Atoms are the multinomial type classes of the likelihood-ratio classes, merged where their
    log-ratios agree (within round-off), sorted by log-ratio descending; the P-only atom
    (``log_ratio = +inf``: sequences with a ``q = 0`` letter) comes first and the Q-only atom
    (``-inf``) last. ``p, q = packed_pair(...)`` unpacks.

    Attributes
    ----------
    p, q : ndarray, shape (n,)
        P^m- and Q^m-masses of the atoms (read-only).
    log_ratio : ndarray, shape (n,)
        ``log(p_i / q_i)`` of each atom.
    m : int
    """

    p: np.ndarray
    q: np.ndarray
    log_ratio: np.ndarray
    m: int

    def __iter__(self):
        return iter((self.p, self.q))

    def __len__(self) -> int:
        return int(self.p.size)


def packed_pair(p, q, m) -> PackedPair:
    """The packed pair ``(P^m, Q^m)`` reduced to its likelihood-ratio law (docs/theory.md s.4).

    ``R(P^m, Q^m)``, ``d_TV`` and every f-divergence of the packed pair depend only on this law, so
    ``mode_collapse_region(*packed_pair(p, q, m))`` is ``R(P^m, Q^m)`` exactly.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors on one support (P target, Q generator).
    m : int
        Packing degree ``>= 1``.

    Returns
    -------
    PackedPair

    Raises
    ------
    ValueError
        When the number of type classes ``C(m+k'-1, k'-1)`` (``k'`` likelihood-ratio classes)
        exceeds 2e6; the message gives the count. Invalid input as in :func:`packed_tv`.

    Examples
    --------
    >>> pp = packed_pair([0.5, 0.5], [0.3, 0.7], 2)
    >>> pp.p.round(12).tolist(), pp.q.round(12).tolist()
    ([0.25, 0.5, 0.25], [0.09, 0.42, 0.49])
    """
    p, q = as_pair(p, q)
    p, q = _unit_sum(p), _unit_sum(q)
    m = _check_packing_degree(m)
    cl = _classes(p, q)
    n = _n_types(cl.k, m)
    if n > _PAIR_TYPE_LIMIT:
        raise ValueError(
            f"packed_pair at m={m} with {cl.k} likelihood-ratio classes has {n:.3g} type classes "
            f"(limit {_PAIR_TYPE_LIMIT:.0e}, ~{n * 40 / 2**30:.2g} GB); use packed_tv_bounds or "
            f"packed_region for certified results"
        )
    P, Q, L = _packed_law(cl, m)
    for arr in (P, Q, L):
        arr.setflags(write=False)
    return PackedPair(P, Q, L, m)


@dataclass(frozen=True, eq=False)
class PackedRegion:
    """Certified enclosure ``inner ⊆ R(P^m, Q^m) ⊆ outer`` of a packed mode-collapse region.

    Attributes
    ----------
    inner, outer : Region
        Polygons with ``inner.issubset(R)`` and ``R.issubset(outer)``; the same object when exact.
    exact : bool
        True when both are the exact region (from :func:`packed_pair`).
    method : str
        ``"type-classes"`` (exact) or ``"lattice-fft"`` (certified).
    m : int
    tv : PackedTVBounds
        Certified bracket of ``d_TV(P^m, Q^m)`` (the max of ``delta - eps`` over the region).
    gap : float
        ``sup_{eps >= eps_floor} (outer.delta_at(eps) - inner.delta_at(eps))``, computed exactly at
        the polygons' vertices (0 when exact); at most the requested ``width``.
    eps_floor : float
        Where the width guarantee starts (0 when exact; ~1e-15 otherwise): the smallest Q-mass the
        lattice path certifies for a test is its absolute round-off bound, so below it the inner
        polygon is a chord from (0, 0) while the exact boundary may rise to nearly 1 there (a pair
        whose likelihood ratio exceeds e^700 with high probability).
    """

    inner: Region
    outer: Region
    exact: bool
    method: str
    m: int
    tv: PackedTVBounds
    gap: float
    eps_floor: float = 0.0

    def hockey_stick_bounds(self, slope) -> tuple[float, float]:
        """Certified ``(lower, upper)`` of ``E_slope(P^m || Q^m) = max_S P^m(S) - slope Q^m(S)``.

        The support values of the two polygons (``inner ⊆ R ⊆ outer``); ``upper - lower`` is at most
        :attr:`gap` plus ``slope * eps_floor``, and both are the exact value when :attr:`exact`.
        ``slope = e^eps`` gives the ``delta(eps)`` of an m-fold composition (differential privacy).

        Examples
        --------
        >>> pr = packed_region([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 40, method="lattice", width=1e-4)
        >>> lo, hi = pr.hockey_stick_bounds(2.0)
        >>> lo <= packed_region([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], 40).region.hockey_stick(2.0) <= hi
        True
        >>> hi - lo <= 1e-4
        True
        """
        return self.inner.hockey_stick(slope), self.outer.hockey_stick(slope)

    @property
    def region(self) -> Region:
        """The exact region; ``ValueError`` when only certified polygons are available."""
        if not self.exact:
            raise ValueError(
                "only certified inner/outer polygons are available for this packed region "
                f"(gap {self.gap:.3g}); use .inner and .outer"
            )
        return self.inner


def _min_envelope(slopes: np.ndarray, inters: np.ndarray) -> np.ndarray:
    """Vertices on [0, 1] of ``f(eps) = min_j (slopes_j eps + inters_j)`` (concave, piecewise linear).

    Two lines whose slopes differ by a subnormal amount cross at an abscissa that overflows to
    +-inf: that is the right side of every comparison below and lies outside [0, 1], so the
    overflow is expected and silenced (not a loss of accuracy).
    """
    order = np.lexsort((inters, -slopes))  # slope descending, then intercept ascending
    with np.errstate(over="ignore"):
        return _min_envelope_sorted(slopes[order], inters[order])


def _min_envelope_sorted(s: np.ndarray, c: np.ndarray) -> np.ndarray:
    stack: list[int] = []
    for i in range(s.size):
        if stack and s[stack[-1]] == s[i]:
            continue  # same slope, larger intercept: dominated
        while len(stack) >= 2:
            j1, j2 = stack[-2], stack[-1]
            x12 = (c[j2] - c[j1]) / (s[j1] - s[j2])
            x13 = (c[i] - c[j1]) / (s[j1] - s[i])
            if x13 <= x12:
                stack.pop()
            else:
                break
        stack.append(i)
    s, c = s[stack], c[stack]
    xs = [0.0]
    for a in range(s.size - 1):
        x = (c[a + 1] - c[a]) / (s[a] - s[a + 1])
        if 0.0 < x < 1.0:
            xs.append(x)
    xs.append(1.0)
    xs = np.array(xs)
    ys = np.min(s[None, :] * xs[:, None] + c[None, :], axis=1)
    return np.column_stack([xs, np.clip(ys, 0.0, 1.0)])


def packed_region(p, q, m, *, width: float = 1e-6, method: str = "auto", max_points: int = 2**26) -> PackedRegion:
    """The mode-collapse region ``R(P^m, Q^m)`` of the packed pair (PacGAN Def. 1; docs/theory.md s.3, s.4).

    Exact (``mode_collapse_region`` of :func:`packed_pair`) when the type classes number at most
    2e6. Otherwise certified polygons from the lattice machinery of :func:`packed_tv_bounds`:

    * ``inner``: the hull of certified points ``(eps, delta)`` with ``Q^m(S_t) <= eps`` and
      ``P^m(S_t) >= delta`` for the tests ``S_t = {rounded log-ratio sum > t}`` at lattice
      thresholds ``t`` (spaced by the P-mass between them);
    * ``outer``: the Neyman-Pearson half-planes ``delta <= lam eps + H_lam`` with certified upper
      bounds of the hockey-stick values ``H_lam = max_S P^m(S) - lam Q^m(S)`` at ``lam = e^{h t}``
      for the same thresholds: the test's own value plus the flip zone of the rounding (the TV
      bracket's argument at slope ``lam``, quadratic in the step), with the Q-masses read off a
      tilted P law above ``lam = 1`` (errors relative to ``1/lam``, not absolute).

    Every rounding, FFT and window-tail error is inside, as for :func:`packed_tv_bounds`. The
    lattice step starts at the TV bracket's and is refined until
    ``sup_{eps >= eps_floor} (outer.delta_at(eps) - inner.delta_at(eps)) <= width`` (``.gap``,
    measured exactly at the vertices; ``eps_floor`` ~ 1e-17, see :class:`PackedRegion`).
    ``.hockey_stick_bounds(lam)`` brackets ``E_lam(P^m || Q^m)`` to within ``gap + lam eps_floor``.
    The cost grows like ``1/sqrt(width)`` for a smooth law of the log-ratio (many classes or large
    m) and like ``1/width`` for a lumpy one (few classes, small m, where the exact path is cheap).

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors on one support (P target, Q generator).
    m : int
        Packing degree ``>= 1``.
    width : float, keyword-only
        Requested certified width: of the TV bracket and of the polygons,
        ``sup_{eps >= eps_floor} (outer - inner) <= width``.
    method : {"auto", "exact", "lattice"}, keyword-only
        ``"exact"`` raises (with the cost) instead of falling back; ``"lattice"`` forces the
        certified polygons (pairs with at most two ratio classes stay exact).
    max_points : int, keyword-only
        Largest FFT length (see :func:`packed_tv_bounds`).

    Returns
    -------
    PackedRegion

    Raises
    ------
    ValueError
        Invalid input; or a certified computation above ``max_points`` (the message gives the
        cost), so a huge ``m`` never hangs silently; or a width below the FFT round-off floor.

    Examples
    --------
    >>> from modecollapse.regions import mode_collapse_region
    >>> pr = packed_region([0.5, 0.5], [0.3, 0.7], 2)
    >>> pr.exact, round(pr.region.tv, 12)     # PacGAN toy: m = 2 TV of P vs Q2 is 0.24
    (True, 0.24)
    >>> packed_region([0.5, 0.5], [0.3, 0.7], 1).region.isclose(mode_collapse_region([0.5, 0.5], [0.3, 0.7]))
    True
    """
    cl, m, width, max_points = _check_packed_args(p, q, m, width, max_points, method)
    small = _n_types(cl.k, m) <= _PAIR_TYPE_LIMIT
    if method == "exact" and not small:
        packed_pair(p, q, m)  # raises with the cost
    if cl.k <= 2 and not small:
        raise ValueError(
            f"packed_region at m={m}: the exact binary region has {m + 1} vertices, above the "
            f"limit {_PAIR_TYPE_LIMIT:.0e} (~{(m + 1) * 40 / 2**20:.3g} MB); packed_tv is exact at any m"
        )
    if small and (method != "lattice" or cl.k <= 2):
        pp = packed_pair(p, q, m)
        region = _region_of(pp.p, pp.q)  # a law built here: its total is (sum p)^m, not revalidated
        v = _exact_packed_tv(cl, m) if _exact_feasible(cl, m) else region.tv
        tvb = PackedTVBounds(v, v, True, _method_name(cl.k), m, cl.k)
        return PackedRegion(region, region, True, "type-classes", m, tvb, 0.0)
    tvb = _certified_bounds(cl, m, width, max_points)
    inner, outer, gap, eps_floor = _certified_polygons(cl, m, width, max_points, tvb.grid_step)
    if _exact_feasible(cl, m):  # binary pairs at huge m: the TV itself is still exact
        v = _exact_packed_tv(cl, m)
        tvb = PackedTVBounds(v, v, True, _method_name(cl.k), m, cl.k)
    return PackedRegion(inner, outer, False, "lattice-fft", m, tvb, gap, eps_floor)


#: Fraction of the width given to each window tail of the region path.
_REGION_TAIL_SHARE = 1e-6


def _polygon_gap(inner: Region, outer: Region, eps_floor: float = 0.0) -> float:
    """``sup_{eps >= eps_floor} (outer.delta_at(eps) - inner.delta_at(eps))``, exactly: both boundaries
    are piecewise linear, so the supremum is attained at a vertex of one of them or at eps_floor."""
    xs = np.unique(np.concatenate([inner.vertices[:, 0], outer.vertices[:, 0], [eps_floor]]))
    xs = xs[xs >= eps_floor]
    return max(0.0, float(np.max(outer.delta_at(xs) - inner.delta_at(xs))))


def _certified_polygons(cl, m: int, width: float, max_points: int, h: float, _steps=None):
    """Inner and outer polygons with ``sup_eps |outer - inner| <= width`` (adaptive lattice step).

    Starts at the TV bracket's step ``h`` and shrinks it like the TV path (the gap is quadratic in
    the step: flip zones ``O(rho s^2)`` and chords between consecutive lattice thresholds
    ``O(rho h^2)``); raises ``ValueError`` with the cost when ``max_points`` does not suffice.
    """
    # window tails enter the lines multiplied by lam (the direct Q sums): a smaller share than the TV's
    log_tau = math.log(width * _REGION_TAIL_SHARE)
    span = _span(cl, m, log_tau)
    chord_budget = 0.25 * width  # see _region_certificate (the measured gap decides)
    prev = None
    for _ in range(8):
        n_pred = _predicted_points(span, m, h)
        if n_pred > max_points:
            raise ValueError(_cost_message(n_pred, m, width, cl.k, max_points).replace("packed TV", "packed region"))
        try:
            cert = _region_certificate(cl, m, h, log_tau, max_points, chord_budget)
        except _TooLarge as exc:
            raise ValueError(_cost_message(exc.n, m, width, cl.k, max_points).replace("packed TV", "packed region")) from None
        inner = Region.hull(cert.points)
        env = _envelope_points(np.append(cert.slopes, 0.0), np.append(cert.intercepts, 1.0))
        outer = Region.hull(env)
        gap = _polygon_gap(inner, outer, cert.eps_floor)
        if _steps is not None:
            _steps.append((h, cert.n_points, gap, cert.s, cert.floor, inner, outer))
        if gap <= width:
            return inner, outer, gap, cert.eps_floor
        if cert.floor > 0.5 * width:
            raise ValueError(
                f"certified packed region cannot reach width={width:g} at m={m}: FFT round-off and "
                f"window tails alone give {cert.floor:.3g} at grid step {h:.3g} ({cert.n_points} points); "
                f"request a larger width"
            )
        # the gap is quadratic in h for a smooth law of L and closer to linear for a lumpy one (few
        # classes, small m: atoms in the flip zones); estimate the order from the last two steps
        order = 2.0
        if prev is not None and prev[0] > h and prev[1] > gap:
            order = min(2.0, max(1.0, math.log(prev[1] / gap) / math.log(prev[0] / h)))
        prev = (h, gap)
        factor = min(0.9, max(1e-3, 0.95 * (0.9 * width / gap) ** (1.0 / order)))
        h *= factor
        chord_budget *= factor**2
    raise ValueError(  # pragma: no cover - converges in 1-3 steps in practice
        f"certified packed region did not reach width={width:g} at m={m}; best gap {gap:.3g}"
    )


#: Largest number of likelihood-ratio atoms :func:`product_pair` builds (before merging) at one step.
_PRODUCT_ATOM_LIMIT = 4_000_000


def product_pair(ps, qs) -> PackedPair:
    """The pair ``(P_1 x ... x P_m, Q_1 x ... x Q_m)`` of different factors, reduced to its likelihood-ratio law.

    The product's likelihood ratio is the product of the factors' ratios, so its law is built factor
    by factor: every atom of the law so far times every atom of the next factor, then atoms with
    equal log-ratios merged (within the round-off of the sums, as in :func:`packed_pair`). Sequences
    with a ``q = 0`` letter form the ratio-``inf`` atom, those with a ``p = 0`` letter the ratio-``0``
    atom (a sequence with both has mass 0 under both laws). ``R``, ``d_TV`` and every f-divergence
    of the product depend only on this law (docs/theory.md s.4); packing is the case of equal
    factors: ``product_pair([p] * m, [q] * m)`` has the law of ``packed_pair(p, q, m)``.

    Parameters
    ----------
    ps, qs : sequences of array_like
        The factors' probability vectors ``p_i, q_i`` (P target, Q generator); the pair ``i`` on one
        support of its own size ``k_i``. Same number ``m >= 1`` of factors on both sides.

    Returns
    -------
    PackedPair
        ``m`` is the number of factors.

    Raises
    ------
    ValueError, TypeError
        Invalid vectors (naming the factor), different numbers of factors, or a law that would need
        more than 4e6 atoms at one step (the message gives the count): use :func:`packed_tv_bounds`
        for identical factors at large ``m``.

    Examples
    --------
    >>> pp = product_pair([[0.5, 0.5], [0.2, 0.8]], [[0.3, 0.7], [0.0, 1.0]])
    >>> round(product_tv([[0.5, 0.5], [0.2, 0.8]], [[0.3, 0.7], [0.0, 1.0]]), 12)
    0.3
    """
    if isinstance(ps, (str, bytes)) or isinstance(qs, (str, bytes)):
        raise TypeError(f"ps and qs must be sequences of probability vectors; got ps={ps!r}, qs={qs!r}")
    try:
        ps, qs = list(ps), list(qs)
    except TypeError:
        raise TypeError(f"ps and qs must be sequences of probability vectors; got ps={ps!r}, qs={qs!r}") from None
    if len(ps) != len(qs) or len(ps) == 0:
        raise ValueError(f"ps and qs must hold the same number (>= 1) of factors; got {len(ps)} and {len(qs)}")
    P, Q, L = np.ones(1), np.ones(1), np.zeros(1)
    scale = 1.0
    for i, (pi, qi) in enumerate(zip(ps, qs)):
        p, q = as_pair(pi, qi, names=(f"ps[{i}]", f"qs[{i}]"))
        keep = (p > 0) | (q > 0)
        p, q = p[keep], q[keep]
        with np.errstate(divide="ignore"):
            lf = np.log(p) - np.log(q)  # +inf where q = 0, -inf where p = 0
        n = P.size * p.size
        if n > _PRODUCT_ATOM_LIMIT:
            raise ValueError(
                f"product_pair: factor {i} would make {n:.3g} likelihood-ratio atoms (limit "
                f"{_PRODUCT_ATOM_LIMIT:.0e}, ~{n * 40 / 2**30:.2g} GB)"
            )
        finite = np.isfinite(lf)
        scale += float(np.max(np.abs(lf[finite]))) if finite.any() else 0.0
        P = np.multiply.outer(P, p).ravel()
        Q = np.multiply.outer(Q, q).ravel()
        with np.errstate(invalid="ignore"):
            L = np.add.outer(L, lf).ravel()
        live = (P > 0) | (Q > 0)
        P, Q, L = P[live], Q[live], L[live]
        L = np.where(Q == 0, np.inf, np.where(P == 0, -np.inf, L))  # inf - inf cannot survive (mass 0)
        P, Q, L = _merge_atoms(P, Q, L, _MERGE_ATOL * scale)
    for arr in (P, Q, L):
        arr.setflags(write=False)
    return PackedPair(P, Q, L, len(ps))


def _merge_atoms(P, Q, L, atol):
    """Atoms sorted by log-ratio descending, equal ratios (within ``atol``; the infinities exactly) merged."""
    order = np.argsort(-L, kind="stable")
    P, Q, L = P[order], Q[order], L[order]
    fin = np.isfinite(L)
    out = []
    for mask in (L == np.inf, fin, L == -np.inf):
        if not mask.any():
            continue
        p, q, l = P[mask], Q[mask], L[mask]
        if mask is fin:
            from ._typeclasses import _group_sorted

            gid = _group_sorted(l, atol)
        else:
            gid = np.zeros(p.size, dtype=np.intp)
        ng = int(gid[-1]) + 1
        cnt = np.bincount(gid, minlength=ng)
        gl = np.bincount(gid, weights=l, minlength=ng) / cnt if mask is fin else np.full(ng, l[0])
        out.append((np.bincount(gid, weights=p, minlength=ng), np.bincount(gid, weights=q, minlength=ng), gl))
    return tuple(np.concatenate([o[j] for o in out]) for j in range(3))


def product_tv(ps, qs) -> float:
    """Exact ``d_TV(P_1 x ... x P_m, Q_1 x ... x Q_m)`` for different factors (see :func:`product_pair`).

    ``sum over atoms of (P - Q)_+`` of the product's likelihood-ratio law; equals
    :func:`packed_tv` when all factors are the same pair. Accurate to ~1e-14 absolute.
    """
    pp = product_pair(ps, qs)
    d = pp.p - pp.q
    return float(min(1.0, max(0.0, d[d > 0].sum())))


def product_region(ps, qs) -> Region:
    """The exact mode-collapse region ``R(P_1 x ... x P_m, Q_1 x ... x Q_m)`` (PacGAN Def. 1; docs/theory.md s.3).

    The region of the product's likelihood-ratio law (:func:`product_pair`): e.g. a packed
    discriminator that sees one sample from each of several generators against the target.
    ``product_region([p] * m, [q] * m)`` is ``packed_region(p, q, m).region`` when that is exact.

    Examples
    --------
    >>> r = product_region([[0.5, 0.5], [0.2, 0.8]], [[0.3, 0.7], [0.0, 1.0]])
    >>> round(r.tv, 12)
    0.3
    """
    pp = product_pair(ps, qs)
    return _region_of(pp.p, pp.q)
