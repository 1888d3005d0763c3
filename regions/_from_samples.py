"""Mode-collapse regions from samples, with a stated confidence (docs/theory.md s.7).

The principle: every test S gives an achievable point ``(Q(S), P(S))`` of R(P,Q), so a point
``(e, d)`` with ``Q(S) <= e`` and ``P(S) >= d`` lies in R(P,Q) too (the region is closed under
moving right and down, above the diagonal), and so does the concave hull of such points (mix the
tests at random). Certified points therefore need only an *upper* bound on the generator's mass
``Q(S)`` and a *lower* bound on the target's mass ``P(S)``, simultaneously over the tests used.

* :func:`region_from_scores`: the tests are the thresholds of a fixed score (a classifier trained
  on other data); one-sided DKW bands (Massart's constant) on each side give every threshold's
  certified point at once: an **inner** region, no outer one (a score may be poor).
* :func:`region_from_counts`: the tests are the unions of the cells of a finite partition; one
  Weissman L1 ball per side bounds every union's mass at once: an **inner** and an **outer**
  region of the discretised pair.

Both return a :class:`RegionEstimate`. Conventions as everywhere in ``regions``: **P is the
target, Q the generator**, ``eps = Q(S)`` on x, ``delta = P(S)`` on y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from modecollapse.divergences._validation import check_integer, check_probability, check_real_array

from ._multinomial import _check_counts, l1_radius, samples_for_l1_radius
from ._packing import packed_region
from ._region import Region, _check_packing_degree, _region_of

__all__ = [
    "RegionEstimate",
    "region_from_scores",
    "region_from_counts",
    "dkw_radius",
]

#: Margin added to the outer polygon's boundary before its clean-up (as ``packed_region`` does):
#: larger than ``Region``'s collinear clean-up (1e-15), far below ``REGION_ATOL``.
_OUTER_MARGIN = 1e-14


@dataclass(frozen=True, eq=False)
class RegionEstimate:
    """A mode-collapse region estimated from samples, with certified bounds.

    Attributes
    ----------
    estimate : Region
        The plug-in region: the empirical ROC hull of the score (:func:`region_from_scores`) or
        the exact region of the empirical cell frequencies (:func:`region_from_counts`). Neither
        inside nor outside R with any guarantee (the best empirical threshold is optimistic).
    inner : Region
        ``inner ⊆ R`` with probability at least ``confidence`` over the draw of the samples.
    outer : Region or None
        ``R ⊆ outer`` with the same joint probability as ``inner`` (counts only; None for scores:
        a fixed score cannot bound what a better test could find).
    tv_lower : float
        ``inner.tv``: a lower confidence bound on ``d_TV`` (of the packs when ``m > 1``).
    tv_upper : float or None
        ``outer.tv`` (counts), else None.
    method : str
        ``"dkw-massart"`` (scores), ``"weissman-l1"`` (counts, ``m = 1``) or
        ``"weissman-l1-product"`` (counts, ``m > 1``).
    confidence : float
        Joint level of ``inner`` (and ``outer``).
    m : int
        Packing degree: the bounds are about R(P^m, Q^m).
    n_p, n_q : int
        Observations used per side: scored packs (scores) or counts (counts).
    radius_p, radius_q : float
        The uniform slack on every certified ``P``- and ``Q``-mass: ``inner`` is the estimate's
        points moved down by ``radius_p`` and right by ``radius_q`` (``outer``: up and left).
    """

    estimate: Region
    inner: Region
    outer: Region | None
    tv_lower: float
    tv_upper: float | None
    method: str
    confidence: float
    m: int
    n_p: int
    n_q: int
    radius_p: float
    radius_q: float


# ---------------------------------------------------------------------------------------------
# shared geometry
# ---------------------------------------------------------------------------------------------


def _inner_shift(points: np.ndarray, right: float, down: float) -> Region:
    """Hull of ``(min(1, e + right), max(0, d - down))`` over achievable points ``(e, d)`` of the
    estimate: each is certified when ``Q(S) <= Q_hat(S) + right`` and ``P(S) >= P_hat(S) - down``,
    so is their hull (clipping keeps a certified point certified)."""
    pts = np.asarray(points, dtype=np.float64)
    moved = np.column_stack([np.minimum(1.0, pts[:, 0] + right), np.maximum(0.0, pts[:, 1] - down)])
    return Region.hull(moved[moved[:, 1] > moved[:, 0]]) if np.any(moved[:, 1] > moved[:, 0]) else Region.hull(
        np.zeros((0, 2)))


def _outer_shift(region: Region, left: float, up: float) -> Region:
    """The region bounded by ``g(e) = min(1, delta_hat(min(1, e + left)) + up)``.

    Every achievable ``(Q(S), P(S))`` with ``Q(S) >= Q_hat(S) - left`` and
    ``P(S) <= P_hat(S) + up`` lies under ``g`` (``g`` is non-decreasing and ``delta_hat`` bounds
    every ``P_hat(S)`` at ``Q_hat(S)``). ``g`` is concave and piecewise linear with breakpoints at
    the shifted vertices, at ``e = 0`` and where it reaches 1, so the polygon through those
    points (raised by 1e-14 against round-off) is exact.
    """
    xs = region.vertices[:, 0] - left
    cand = [0.0, 1.0, *xs[(xs > 0.0) & (xs < 1.0)].tolist()]
    if up < 1.0:
        cross = float(region.eps_at(1.0 - up)) - left  # least e with delta_hat(e + left) + up >= 1
        if 0.0 < cross < 1.0:
            cand.append(cross)
    e = np.unique(np.asarray(cand, dtype=np.float64))
    d = np.minimum(1.0, np.asarray(region.delta_at(np.minimum(1.0, e + left)), dtype=np.float64) + up + _OUTER_MARGIN)
    return Region.hull(np.column_stack([e, d]))


#: Certified width asked of ``packed_region`` where the packed empirical region is not exact: far
#: below the sampling slack (``r/2 >= 1e-3`` for any count below 10^7), and cheap to reach.
_PACKED_WIDTH = 1e-4


def _check_confidence(confidence) -> float:
    return check_probability(confidence, "confidence", open_low=True, open_high=True)


# ---------------------------------------------------------------------------------------------
# scores
# ---------------------------------------------------------------------------------------------


def dkw_radius(n, *, alpha) -> float:
    """One-sided DKW radius with Massart's constant: ``sqrt(log(1/alpha) / (2n))``.

    Massart (1990), "The tight constant in the Dvoretzky-Kiefer-Wolfowitz inequality", Theorem 1
    (one-sided): for ``n`` i.i.d. draws with a continuous distribution function F,
    ``P(sup_t sqrt(n) (F_n(t) - F(t)) > lam) <= exp(-2 lam^2)`` for ``lam >= sqrt(log(2) / 2)``,
    i.e. whenever ``exp(-2 lam^2) <= 1/2``, so ``alpha <= 1/2``; by symmetry the same holds for
    ``F - F_n``. For any F (atoms allowed) write ``F_n = G_n(F)`` with ``G_n`` the empirical
    distribution function of uniforms (quantile transform): the supremum only shrinks, and the
    left limits ``F(t-)`` are limits of values, so the bound holds for them too.

    Parameters
    ----------
    n : int
        Sample size ``>= 1``.
    alpha : float
        Error probability in ``(0, 1/2]``.
    """
    n = check_integer(n, "n", minimum=1, maximum=2**63)
    a = check_probability(alpha, "alpha", open_low=True)
    if a > 0.5:
        raise ValueError(f"alpha must be in (0, 0.5] (Massart's one-sided constant); got alpha={a!r}")
    return math.sqrt(-math.log(a) / (2.0 * n))


def _check_scores(x, name: str) -> np.ndarray:
    arr = check_real_array(x, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of scores; got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one score; got an empty array")
    if not np.all(np.isfinite(arr)):
        i = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must be finite; got {name}[{i}]={arr[i]!r}")
    return arr


def _pack_sums(s: np.ndarray, m: int, name: str) -> np.ndarray:
    n = s.size // m
    if n == 0:
        raise ValueError(f"m={m} is larger than the sample allows: {name} has {s.size} score(s), "
                         f"fewer than one pack of m")
    return s[: n * m].reshape(n, m).sum(axis=1)


def _min_band_samples(alpha_side: float) -> int:
    """Smallest ``n`` with ``2 * dkw_radius(n, alpha_side) < 1`` (equal sizes on both sides)."""
    n = max(1, math.floor(-2.0 * math.log(alpha_side)) + 1)
    while 2.0 * math.sqrt(-math.log(alpha_side) / (2.0 * n)) >= 1.0:
        n += 1
    return n


def region_from_scores(scores_p, scores_q, *, confidence: float = 0.95, m: int = 1,
                       packed: bool = False) -> RegionEstimate:
    """Inner confidence region of R(P,Q) (or R(P^m, Q^m)) from the scores of held-out samples.

    ``scores_p`` are the scores of samples of the target P, ``scores_q`` of the generator Q, by a
    score fixed independently of them (trained on other samples); higher means "more like the
    target". The tests are ``S_t = {score >= t}`` and ``{score > t}`` for every ``t``: only the
    distinct observed values matter, so the achievable empirical points are the cumulative
    ``(Q_hat, P_hat)`` over the distinct values in decreasing order, ties counted exactly (a set
    ``{score > v}`` is ``{score >= v'}`` for the next larger value ``v'``).

    The band (docs/theory.md s.7)
        Two one-sided DKW bands with Massart's constant, one per side, each at level
        ``alpha / 2`` (``alpha = 1 - confidence``; union bound): with probability at least
        ``confidence``, *every* threshold at once has
        ``P(S_t) >= P_hat(S_t) - r_P`` and ``Q(S_t) <= Q_hat(S_t) + r_Q`` with
        ``r = sqrt(log(2/alpha) / (2n))`` (:func:`dkw_radius`). Only one direction per side is
        needed (a lower bound on P, an upper bound on Q), so each band is one-sided and the
        whole level goes to the two directions that matter. Each certified point
        ``(Q_hat + r_Q, P_hat - r_P)`` then lies in R; ``inner`` is their concave hull with
        (0,0) and (1,1), a subset of R because a hull of achievable points is achievable by
        randomising. Why DKW: it holds for every distribution (atoms and ties included), for all
        thresholds without a grid fixed in advance, with an explicit constant. What it costs:
        ``inner`` is the empirical hull moved right by ``r_Q`` and down by ``r_P``, so its area
        is at most about ``r_P + r_Q`` below the estimate's and ``tv_lower`` is
        ``max(P_hat - Q_hat) - r_P - r_Q`` (at ``n = 10^4`` per side and 95%: ``r = 0.0136``).
        It is uniform in the threshold, so wasteful in the corners where a rate is near 0 or 1
        (a binomial bound there would be ~``sqrt(p(1-p))`` narrower).

    Packing (``m > 1``)
        The scores are summed over disjoint consecutive groups of ``m`` (a leftover
        ``n mod m`` is dropped): each group is one draw of P^m (resp. Q^m), and any fixed
        function of a pack is a test of P^m against Q^m, so ``inner ⊆ R(P^m, Q^m)`` with the
        stated confidence. The sum is the Neyman-Pearson statistic of the packs when the score is
        the log likelihood ratio. Pass ``packed=True`` when the scores already are of packs (a
        packed discriminator's output, one per pack); then ``m`` only labels the result. The
        samples must be in draw order (or any order chosen without looking at them).

    Parameters
    ----------
    scores_p, scores_q : array_like, shape (n_p,), (n_q,)
        Finite scores of held-out target and generated samples.
    confidence : float, keyword-only
        In (0, 1).
    m : int, keyword-only
        Packing degree ``>= 1``.
    packed : bool, keyword-only
        Scores are of packs already (see above).

    Returns
    -------
    RegionEstimate
        ``outer`` and ``tv_upper`` are None; ``n_p``, ``n_q`` count the packs used.

    Raises
    ------
    ValueError
        Empty or non-finite scores; ``confidence`` outside (0, 1); ``m`` above the sample size;
        fewer samples (packs) than the band can use: ``r_P + r_Q < 1`` is needed for any point
        above the diagonal, with equal sizes ``n > 2 log(2/alpha)``, i.e. at least 8 per side at
        95% (the message gives the number).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> res = region_from_scores(rng.normal(1.0, 1.0, 10_000), rng.normal(0.0, 1.0, 10_000))
    >>> round(res.radius_p, 4), res.method
    (0.0136, 'dkw-massart')
    >>> from modecollapse.regions import gaussian_region
    >>> res.inner.issubset(gaussian_region(1.0, 0.0))
    True
    """
    sp = _check_scores(scores_p, "scores_p")
    sq = _check_scores(scores_q, "scores_q")
    conf = _check_confidence(confidence)
    m = _check_packing_degree(m)
    if not isinstance(packed, (bool, np.bool_)):
        raise TypeError(f"packed must be a bool; got packed={packed!r}")
    if m > 1 and not packed:
        sp, sq = _pack_sums(sp, m, "scores_p"), _pack_sums(sq, m, "scores_q")
    n_p, n_q = sp.size, sq.size
    alpha_side = (1.0 - conf) / 2.0
    r_p, r_q = dkw_radius(n_p, alpha=alpha_side), dkw_radius(n_q, alpha=alpha_side)
    if r_p + r_q >= 1.0:
        need = _min_band_samples(alpha_side)
        unit = "packs of m" if m > 1 else "samples"
        name = "scores_p" if n_p <= n_q else "scores_q"
        raise ValueError(
            f"fewer {unit} than the band can use: {name} gives {min(n_p, n_q)} (scores_p {n_p}, scores_q {n_q}); "
            f"the DKW radii r_P + r_Q = {r_p + r_q:.3g} must be < 1, which needs more than "
            f"2 log(2/(1-confidence)) = {-2.0 * math.log(alpha_side):.3g} per side: at least {need} {unit} "
            f"on each side at confidence={conf!r}"
        )
    vals, inv = np.unique(np.concatenate([sp, sq]), return_inverse=True)
    inv = inv.ravel()
    cp = np.bincount(inv[:n_p], minlength=vals.size)[::-1]  # decreasing score
    cq = np.bincount(inv[n_p:], minlength=vals.size)[::-1]
    pts = np.column_stack([np.concatenate([[0], np.cumsum(cq)]) / n_q, np.concatenate([[0], np.cumsum(cp)]) / n_p])
    estimate = Region.hull(pts)
    inner = _inner_shift(estimate.vertices, r_q, r_p)
    return RegionEstimate(estimate=estimate, inner=inner, outer=None, tv_lower=float(inner.tv), tv_upper=None,
                          method="dkw-massart", confidence=conf, m=m, n_p=n_p, n_q=n_q,
                          radius_p=r_p, radius_q=r_q)


# ---------------------------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------------------------


def _min_count_samples(k: int, side: float) -> int:
    """Smallest ``n`` with ``2 * l1_radius(n, k) / 2 < 1`` (equal totals on both sides)."""
    n = samples_for_l1_radius(1.0, k, confidence=side)
    while l1_radius(n, k, confidence=side) >= 1.0:
        n += 1
    return n


def region_from_counts(counts_p, counts_q, *, confidence: float = 0.95, m: int = 1) -> RegionEstimate:
    """Inner and outer confidence regions of R(P,Q) (or R(P^m, Q^m)) from cell counts.

    ``counts_p[i]`` and ``counts_q[i]`` are the numbers of target and generated samples in cell
    ``i`` of a finite partition (modes, digit triples); the statement is about the pair of cell
    laws (P, Q) on these cells, whose region lies inside that of the underlying continuous pair
    (data processing, docs/theory.md s.4).

    The confidence set (docs/theory.md s.7)
        One Weissman L1 ball per side at level ``alpha / 2`` (:func:`l1_radius`; union bound,
        ``alpha = 1 - confidence``): ``||p - p_hat||_1 < r_P`` and ``||q - q_hat||_1 < r_Q``
        jointly with probability at least ``confidence``. An L1 ball bounds *every* union of
        cells at once, ``|P(S) - P_hat(S)| < r_P / 2``, which is what a region needs (its points
        are masses of sets), so ``inner`` is the estimate moved right by ``r_Q/2`` and down by
        ``r_P/2`` and ``outer`` the estimate moved left and up (capped at the square); the
        same ``CollapseReport.shift`` the mode-partition cross-check reports. Per-cell
        Clopper-Pearson intervals would be narrower for single cells but add up over unions.

    Packing (``m > 1``)
        The product of the two confidence sets: the estimate is ``R(P_hat^m, Q_hat^m)``
        (:func:`packed_region`) and each side's slack becomes ``1 - (1 - r/2)^m``, since
        ``d_TV(P^m, P'^m) <= 1 - (1 - d_TV(P, P'))^m`` (couple the m coordinates). This uses
        every count for the k cell masses; counting m-tuples instead would spend n/m packs on
        k^m cells, an L1 radius ~``sqrt(m k^m / n)`` instead of ~``m sqrt(k / n)``. Where
        ``packed_region`` is only certified (many cells at large ``m``), ``inner`` is built from
        its inner polygon, ``outer`` from its outer polygon, and ``estimate`` is the inner one.

    Parameters
    ----------
    counts_p, counts_q : array_like of int, shape (k,)
        Non-negative integer counts on the same cells, each with a positive total.
    confidence : float, keyword-only
        In (0, 1).
    m : int, keyword-only
        Packing degree ``>= 1``.

    Returns
    -------
    RegionEstimate
        ``inner ⊆ R ⊆ outer`` jointly with probability at least ``confidence``.

    Raises
    ------
    ValueError, TypeError
        Counts negative, non-integer, all zero, of different lengths; ``confidence`` outside
        (0, 1); fewer counts than the band can use (``r_P/2 + r_Q/2 < 1`` is needed; the message
        gives the counts per side); ``m`` so large that the packed slack leaves nothing.

    Examples
    --------
    >>> res = region_from_counts([500, 300, 200], [200, 300, 500])
    >>> res.method, res.inner.issubset(res.estimate), res.estimate.issubset(res.outer)
    ('weissman-l1', True, True)
    """
    cp = _check_counts(counts_p, "counts_p")
    cq = _check_counts(counts_q, "counts_q")
    if cp.size != cq.size:
        raise ValueError(f"counts_p and counts_q must count the same cells; got len(counts_p)={cp.size} "
                         f"and len(counts_q)={cq.size}")
    conf = _check_confidence(confidence)
    m = _check_packing_degree(m)
    k = cp.size
    n_p, n_q = int(cp.sum()), int(cq.sum())
    side = 1.0 - (1.0 - conf) / 2.0
    rho_p = 0.5 * l1_radius(n_p, k, confidence=side)
    rho_q = 0.5 * l1_radius(n_q, k, confidence=side)
    if rho_p + rho_q >= 1.0:
        need = _min_count_samples(k, side)
        name = "counts_p" if n_p <= n_q else "counts_q"
        raise ValueError(
            f"fewer counts than the band can use: {name} totals {min(n_p, n_q)} (counts_p {n_p}, counts_q {n_q}) on "
            f"{k} cells; the L1 slacks r_P/2 + r_Q/2 = {rho_p + rho_q:.3g} must be < 1, which needs at least "
            f"{need} counts on each side at confidence={conf!r}"
        )
    if m > 1:
        rho_p, rho_q = -math.expm1(m * math.log1p(-min(rho_p, 1.0))), -math.expm1(m * math.log1p(-min(rho_q, 1.0)))
        if rho_p + rho_q >= 1.0:
            raise ValueError(
                f"m={m} is larger than the counts allow: the packed slacks 1 - (1 - r/2)^m add up to "
                f"{rho_p + rho_q:.3g} >= 1 with counts_p {n_p} and counts_q {n_q}; use a smaller m or more counts"
            )
    p_hat, q_hat = cp / n_p, cq / n_q
    if m == 1:
        est = _region_of(p_hat, q_hat)
        lo_est = hi_est = est
    else:
        pr = packed_region(p_hat, q_hat, m, width=_PACKED_WIDTH)
        est, lo_est, hi_est = pr.inner, pr.inner, pr.outer
    inner = _inner_shift(lo_est.vertices, rho_q, rho_p)
    outer = _outer_shift(hi_est, rho_q, rho_p)
    return RegionEstimate(estimate=est, inner=inner, outer=outer, tv_lower=float(inner.tv), tv_upper=float(outer.tv),
                          method="weissman-l1" if m == 1 else "weissman-l1-product", confidence=conf, m=m,
                          n_p=n_p, n_q=n_q, radius_p=rho_p, radius_q=rho_q)
