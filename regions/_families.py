"""Closed-form families whose mode-collapse region is known exactly (docs/theory.md s.3, s.4).

* Equal-variance Gaussians ``P = N(mu_P, s^2)``, ``Q = N(mu_Q, s^2)``: the boundary is the
  Gaussian trade-off curve ``delta*(eps) = Phi(Phi^{-1}(eps) + d)``, ``d = |mu_P - mu_Q| / s``
  (Neyman-Pearson: the likelihood ratio is monotone in x, so the optimal tests are half-lines).
  ``d_TV = 2 Phi(d/2) - 1``; packing multiplies d by ``sqrt(m)`` (the m-fold product is again a
  Gaussian location pair, shifted along the diagonal by ``d sqrt(m)`` in units of s).
  :class:`GaussianRegion` implements the common region interface with certified polygons.
* Piecewise-uniform densities on an interval, in particular the PacGAN toy example (PacGAN,
  arXiv 1712.04086, Section 3 / Figure 3; docs/theory.md s.3): they are returned as the equivalent
  **discrete pair** (one atom per piece, masses ``density * width``), which has the same
  likelihood-ratio law and hence the same region and the same packed regions, so packing and
  Blackwell tools apply directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import erf, ndtr, ndtri

from modecollapse.divergences._validation import SUM_ATOL, as_pair, check_real, check_real_array

from ._region import (
    ModeCollapseRegion,
    Region,
    _as_eps_array,
    _check_boundary_n,
    _check_packing_degree,
    _check_polygon_n,
    _check_slope,
    _scalar_or_array,
    mode_collapse_region,
)

__all__ = [
    "GaussianRegion",
    "gaussian_region",
    "LikelihoodRatioPair",
    "piecewise_uniform_pair",
    "pacgan_example",
]

#: Slack added to (outer) or removed from (inner) polygon vertices of smooth regions to cover the
#: float error of ``scipy.special.ndtr`` (a few 1e-16 absolute) and of the line arithmetic.
_POLY_MARGIN = 1e-14

#: Largest ``n`` of the certified polygons of smooth regions (about 2 s at the limit).
_MAX_POLYGON_N = 200_000


class GaussianRegion(ModeCollapseRegion):
    """Region of ``(N(mu_P, s^2), N(mu_Q, s^2))``: ``delta*(eps) = Phi(Phi^{-1}(eps) + d)``.

    Parameters
    ----------
    d : float
        Standardised mean shift ``|mu_P - mu_Q| / s >= 0`` (``d = 0``: P = Q, empty region).

    Notes
    -----
    Closed forms (docs/theory.md s.3; the Gaussian trade-off function of hypothesis testing):

    .. math::

        d_{TV} = 2\\Phi(d/2) - 1 = \\operatorname{erf}(d / (2\\sqrt 2)),\\quad
        \\text{area} = \\Phi(d/\\sqrt 2) - 1/2,\\quad
        E_s = \\Phi(-\\tfrac{\\log s}{d} + \\tfrac d2) - s\\,\\Phi(-\\tfrac{\\log s}{d} - \\tfrac d2).

    The slope of the boundary at ``eps = Phi(z)`` is ``exp(-d z - d^2/2)``, so the support point
    of slope ``s`` is ``z = -log(s)/d - d/2``. The region is symmetric: ``reflect()`` is itself.
    ``pack(m)`` is the exact region of the m-fold products: ``GaussianRegion(d * sqrt(m))``.

    Certified polygons: :meth:`inner_polygon` joins points of the curve by chords (below a
    concave curve: a **subset** of R), lowered by 1e-14; :meth:`outer_polygon` is the envelope
    of tangent lines (above a concave curve: a **superset** of R), raised by 1e-14. Both are
    :class:`Region` objects, so ``g.inner_polygon(n).to_pair()`` is a discrete pair that is a
    garbling of the Gaussian pair (Blackwell) and ``g.outer_polygon(n).to_pair()`` one that
    garbles to it; by tensorisation their packed regions bracket the packed Gaussian region.

    Examples
    --------
    >>> g = GaussianRegion(1.0)
    >>> round(g.tv, 12), round(float(g.delta_at(0.5)), 12)
    (0.382924922548, 0.841344746069)
    >>> g.pack(4) == GaussianRegion(2.0)
    True
    """

    __slots__ = ("_d",)

    def __init__(self, d):
        d = check_real(d, "d", lo=0.0)
        object.__setattr__(self, "_d", d)

    def __setattr__(self, name, value):
        raise AttributeError(f"GaussianRegion is immutable; cannot set {name!r}")

    @property
    def d(self) -> float:
        """Standardised mean shift ``|mu_P - mu_Q| / s``."""
        return self._d

    def __repr__(self) -> str:
        return f"GaussianRegion(d={self._d!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, GaussianRegion):
            return NotImplemented
        return self._d == other._d

    def __hash__(self) -> int:
        return hash(("GaussianRegion", self._d))

    def pack(self, m: int) -> "GaussianRegion":
        """Region of the m-fold products ``(P^m, Q^m)``: mean shift ``d * sqrt(m)`` (exact)."""
        m = _check_packing_degree(m)
        return GaussianRegion(self._d * math.sqrt(m))

    # -- the interface ---------------------------------------------------------------------------

    def delta_at(self, eps):
        e = _as_eps_array(eps)
        return _scalar_or_array(ndtr(ndtri(e) + self._d), eps)

    def support_point(self, slope) -> tuple[float, float]:
        s = _check_slope(slope)
        d = self._d
        if d == 0.0:  # the diagonal: every point maximises at slope 1; take the smallest eps
            return (1.0, 1.0) if s < 1.0 else (0.0, 0.0)
        if s == math.inf:
            return (0.0, 0.0)
        if s == 0.0:
            return (1.0, 1.0)
        z = -math.log(s) / d - d / 2.0
        return (float(ndtr(z)), float(ndtr(z + d)))

    @property
    def tv(self) -> float:
        """``2 Phi(d/2) - 1``, computed as ``erf(d / (2 sqrt 2))`` (no cancellation at small d)."""
        return float(erf(self._d / (2.0 * math.sqrt(2.0))))

    @property
    def area(self) -> float:
        """``Phi(d / sqrt 2) - 1/2 = erf(d/2) / 2`` (AUC of the Gaussian ROC minus 1/2)."""
        return float(erf(self._d / 2.0) / 2.0)

    def reflect(self) -> "GaussianRegion":
        return self

    def _issubset_smooth(self, other, atol):
        if isinstance(other, GaussianRegion):
            return self._d <= other._d
        return None

    def _z_grid(self, n: int, *, tangents: bool = False) -> np.ndarray:
        d = self._d
        lo, hi = -d - 8.5, 8.5  # Phi(-8.5) ~ 1e-17: the curve is within that of (0,0) and (1,1)
        if tangents and d > 0:  # keep the tangent slopes exp(-d z - d^2/2) inside float range
            lo = max(lo, -650.0 / d - d / 2.0)
            hi = min(hi, 650.0 / d - d / 2.0)
        return np.linspace(lo, hi, n)

    def inner_polygon(self, n: int = 128) -> Region:
        """Chord polygon through ``n`` points of the curve, lowered by 1e-14: a certified **subset**.

        ``n`` is an integer in ``[1, 200000]`` (cost ~8 us per point)."""
        n = _check_polygon_n(n, maximum=_MAX_POLYGON_N)
        if self._d == 0.0:
            return Region._from_hull(np.array([[0.0, 0.0], [1.0, 1.0]]))
        z = self._z_grid(n)
        # a point (e', y) with e' >= e and y <= delta*(e) is under the non-decreasing curve:
        # round eps up (also past underflow: Phi(z) < 5e-324 becomes the smallest subnormal)
        e = np.minimum(np.nextafter(ndtr(z) * (1.0 + 1e-15), 1.0), 1.0)
        pts = np.column_stack([e, np.clip(ndtr(z + self._d) - _POLY_MARGIN, 0.0, 1.0)])
        return Region.hull(pts)

    def outer_polygon(self, n: int = 128) -> Region:
        """Envelope of ``n`` tangent lines, raised by 1e-14: a certified **superset**.

        Vertex ``j`` lies at the intersection abscissa of tangents ``j`` and ``j+1`` (clamped to
        their tangent points) and at the larger of the two lines there, so every edge lies on or
        above one tangent line, hence above the concave curve. The first vertex is tangent 1 at
        eps = 0, the last ``(e_n, 1)`` with ``e_n`` the last tangent point (rounded down). Where a
        vertex would lie above delta = 1, the polygon instead leaves the tangent line carrying the
        edge into it where that line reaches 1 (abscissa rounded down) and closes along delta = 1:
        no vertex is clipped, so the polygon contains the curve in exact arithmetic on its own
        float vertices. ``n`` is an integer in ``[1, 200000]``.
        """
        n = _check_polygon_n(n, maximum=_MAX_POLYGON_N)
        d = self._d
        if d == 0.0:
            return Region._from_hull(np.array([[0.0, 0.0], [1.0, 1.0]]))
        z = self._z_grid(n, tangents=True)
        e = ndtr(z)
        s = np.exp(-d * z - d * d / 2.0)
        b = ndtr(z + d) - s * e + _POLY_MARGIN  # intercepts E_s, raised
        pts = [(0.0, min(1.0, b[0]))]
        for j in range(n - 1):
            ds = s[j] - s[j + 1]
            x = (b[j + 1] - b[j]) / ds if ds > 0 else e[j]
            x = min(max(x, e[j]), e[j + 1])
            y = max(b[j] + s[j] * x, b[j + 1] + s[j + 1] * x)
            if y >= 1.0:
                # the edge into this vertex lies on tangent j: end it where tangent j reaches 1
                # (clipping the vertex down to 1 would put the edge below tangent j and can cut
                # the curve) and close with the horizontal edge delta = 1
                pts.append((self._top_crossing(b[j], s[j], pts[-1][0]), 1.0))
                return Region.hull(np.array(pts))
            pts.append((x, y))
        # close at (x, 1) with x <= e_n, the last tangent point (rounded down by 2 ulp, so below
        # 1 even where Phi(z_n) rounds to 1), and x no later than where tangent n reaches 1: both
        # ends of the last edge are on or above tangent n, then a horizontal edge to (1, 1)
        x_end = float(np.nextafter(np.nextafter(e[-1], 0.0), 0.0))
        x_end = min(x_end, self._top_crossing(b[-1], s[-1], pts[-1][0]))
        pts.append((x_end, 1.0))
        return Region.hull(np.array(pts))

    @staticmethod
    def _top_crossing(b: float, s: float, x_prev: float) -> float:
        """Abscissa, rounded down, where the line ``b + s x`` (``s > 0``) reaches 1, in
        ``[x_prev, 1]``: ``(x, 1)`` is on or above the line, so an edge from a vertex at ``x_prev``
        on or above the line to ``(x, 1)`` stays on or above it."""
        x = (1.0 - b) / s
        x = float(np.nextafter(np.nextafter(x, 0.0), 0.0))  # 2 ulp down: covers the two roundings
        return min(max(x, x_prev), 1.0)

    def polygon_gap(self, n: int = 128) -> float:
        """Largest vertical distance between :meth:`outer_polygon` and :meth:`inner_polygon` at ``n``."""
        inner, outer = self.inner_polygon(n), self.outer_polygon(n)
        e = np.unique(np.concatenate([inner.vertices[:, 0], outer.vertices[:, 0]]))
        return float(np.max(outer.delta_at(e) - inner.delta_at(e)))

    def boundary(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``n`` (default 201, at most 1e7) points of the curve, evenly spaced in ``Phi^{-1}(eps)``, plus the ends."""
        n = 201 if n is None else _check_boundary_n(n)
        z = self._z_grid(max(n - 2, 1))
        e = np.concatenate([[0.0], ndtr(z), [1.0]])
        return e, np.concatenate([[0.0], ndtr(z + self._d), [1.0]])


def gaussian_region(mu_p, mu_q, sigma=1.0, *, m: int = 1) -> GaussianRegion:
    """Exact region of ``(N(mu_p, sigma^2)^m, N(mu_q, sigma^2)^m)``: ``d = |mu_p - mu_q| sqrt(m) / sigma``.

    Examples
    --------
    >>> gaussian_region(0.0, 1.0, 2.0, m=4)
    GaussianRegion(d=1.0)
    """
    mu_p = check_real(mu_p, "mu_p")
    mu_q = check_real(mu_q, "mu_q")
    sigma = check_real(sigma, "sigma", lo=0.0, lo_open=True)
    m = _check_packing_degree(m)
    d = abs(mu_p - mu_q) / sigma * math.sqrt(m)
    if not math.isfinite(d):
        raise ValueError(f"|mu_p - mu_q| sqrt(m) / sigma overflows (sigma too small for the mean shift); "
                         f"got mu_p={mu_p!r}, mu_q={mu_q!r}, sigma={sigma!r}, m={m}")
    return GaussianRegion(d)


@dataclass(frozen=True)
class LikelihoodRatioPair:
    """A discrete pair equivalent to a continuous one: same likelihood-ratio law, same region.

    Attributes
    ----------
    p, q : ndarray, shape (k,)
        Masses of the pieces under the target P and the generator Q (read-only).
    description : str

    Unpacks as ``p, q = pair``; ``pair.region()`` is ``mode_collapse_region(p, q)``.
    """

    p: np.ndarray
    q: np.ndarray
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.description, str):
            raise TypeError(f"description must be a string; got description={self.description!r}")
        for name, v in zip(("p", "q"), as_pair(self.p, self.q)):
            if not (isinstance(v, np.ndarray) and not v.flags.writeable):
                v = np.array(v, dtype=np.float64)
                v.setflags(write=False)
            object.__setattr__(self, name, v)

    def __iter__(self):
        return iter((self.p, self.q))

    def region(self) -> Region:
        """The exact mode-collapse region R(P,Q)."""
        return mode_collapse_region(self.p, self.q)

    @property
    def tv(self) -> float:
        """``d_TV(P,Q) = 1/2 sum |p - q|``."""
        return float(0.5 * np.abs(self.p - self.q).sum())


def piecewise_uniform_pair(edges, p_density, q_density, *, description: str = "") -> LikelihoodRatioPair:
    """Discrete pair of two densities that are constant on the pieces ``[edges[i], edges[i+1])``.

    Each piece becomes one atom with masses ``density * width``: within a piece the likelihood
    ratio is constant, so the discrete pair has the same likelihood-ratio law, hence the same
    region R(P,Q), the same d_TV and the same packed regions as the continuous pair.

    Parameters
    ----------
    edges : array_like, shape (k+1,)
        Strictly increasing, finite.
    p_density, q_density : array_like, shape (k,)
        Non-negative densities of P (target) and Q (generator) on each piece; each must integrate
        to 1 within ``SUM_ATOL`` (no renormalisation).

    Examples
    --------
    >>> p, q = piecewise_uniform_pair([0, 0.5, 1], [1, 1], [0.6, 1.4])
    >>> p.tolist(), q.tolist()
    ([0.5, 0.5], [0.3, 0.7])
    """
    if not isinstance(description, str):
        raise TypeError(f"description must be a string; got description={description!r}")
    x = check_real_array(edges, "edges")
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"edges must be a 1-D array of at least 2 points; got shape {x.shape}")
    if not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
        raise ValueError(f"edges must be finite and strictly increasing; got edges={x.tolist()}")
    w = np.diff(x)
    out = []
    for name, dens in (("p_density", p_density), ("q_density", q_density)):
        f = check_real_array(dens, name)
        if f.shape != w.shape:
            raise ValueError(f"{name} must have one value per piece of edges ({w.size} pieces from {x.size} edges); "
                             f"got shape {f.shape}")
        if not np.all(np.isfinite(f)) or np.any(f < 0):
            raise ValueError(f"{name} must be finite and non-negative; got {name}={f.tolist()}")
        mass = f * w
        if abs(mass.sum() - 1.0) > SUM_ATOL:
            raise ValueError(f"{name} must integrate to 1 within {SUM_ATOL:g} over the pieces of edges; "
                             f"got integral {float(mass.sum())!r} with edges={x.tolist()}")
        mass.setflags(write=False)
        out.append(mass)
    return LikelihoodRatioPair(out[0], out[1], description)


_PACGAN = {
    # PacGAN (arXiv 1712.04086) Section 3 toy example, docs/theory.md s.3: P = U[0,1].
    "Q1": ([0.0, 0.2, 1.0], [1.0, 1.0], [0.0, 1.25], "P = U[0,1] vs Q1 = U[0.2,1]"),
    "Q2": ([0.0, 0.5, 1.0], [1.0, 1.0], [0.6, 1.4], "P = U[0,1] vs Q2 = 0.6 on [0,.5], 1.4 on (.5,1]"),
}


def pacgan_example(name: str) -> LikelihoodRatioPair:
    """The PacGAN toy pairs as discrete pairs: ``"Q1"`` (p=[.2,.8], q=[0,1]) or ``"Q2"`` (p=[.5,.5], q=[.3,.7]).

    Both have d_TV = 0.2; R(P,Q1) has apex (0, 0.2) (mode collapse with eps = 0), R(P,Q2) apex
    (0.3, 0.5); packed with m = 2 their TVs are 0.36 and 0.24 (docs/theory.md s.3).

    Examples
    --------
    >>> pacgan_example("Q1").region().apex
    (0.0, 0.2)
    """
    if not isinstance(name, str) or name not in _PACGAN:
        raise ValueError(f"name must be one of {sorted(_PACGAN)}; got name={name!r}")
    edges, fp, fq, desc = _PACGAN[name]
    return piecewise_uniform_pair(edges, fp, fq, description=desc)
