"""Packed TV d_TV(P^m,Q^m) and packed regions R(P^m,Q^m): exact and certified (THEORY.md s.4).

Conventions (THEORY.md s.0): **P is the target, Q the generator**; ``P^m, Q^m`` are the m-fold
i.i.d. products ("packing", PacGAN, arXiv 1712.04086, Section 3). ``d_TV(P^m, Q^m)`` and
``R(P^m, Q^m)`` depend only on the law of the likelihood ratio, so everything works on the
likelihood-ratio classes of the pair (atoms with equal ``p_i/q_i`` merged; ``q_i = 0`` atoms form the
ratio-``inf`` class, ``p_i = 0`` atoms the ratio-``0`` class; both are handled exactly).

Two paths:

* **exact** (``method`` ``"closed-form"``, ``"binomial"`` or ``"type-classes"``): multinomial type classes with
  the last two classes summed in closed form as a binomial tail (regularised incomplete beta).
  Exact to ~1e-14 absolute; used when the number of outer type combinations
  ``C(m+k'-2, k'-2)`` (``k'`` = number of finite-ratio classes) is at most 5e5 - always for binary
  pairs (any m, 1e6 in milliseconds) and for ``k' = 3`` up to m ~ 5e5.
* **certified lattice** (``method`` ``"lattice-fft"``): the privacy-loss (log-likelihood-ratio)
  random variable rounded onto a lattice, composed m times by FFT, and turned into a certified
  bracket ``lower <= d_TV(P^m, Q^m) <= upper``; see :func:`packed_tv_bounds`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from divergences._validation import as_pair, check_integer, check_real

from ._typeclasses import _classes, _exact_feasible, _exact_packed_tv, _n_outer

__all__ = [
    "PackedTVBounds",
    "packed_tv",
    "packed_tv_bounds",
]

#: Default certified width of :func:`packed_tv` when the exact path is infeasible: the returned
#: midpoint is then within ``5e-10`` of the exact value.
PACKED_TV_WIDTH = 1e-9


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
        ``"type-classes"`` (three or more classes, exact) or ``"lattice-fft"`` (certified).
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


def packed_tv_bounds(p, q, m, *, width: float = 1e-9) -> PackedTVBounds:
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

    Returns
    -------
    PackedTVBounds

    Raises
    ------
    ValueError, TypeError
        Invalid vectors, ``m`` not an integer ``>= 1``, ``width`` not positive.
    """
    p, q = as_pair(p, q)
    m = check_integer(m, "m", minimum=1)
    width = check_real(width, "width", lo=0.0, lo_open=True)
    cl = _classes(p, q)
    if _exact_feasible(cl, m):
        v = _exact_packed_tv(cl, m)
        return PackedTVBounds(v, v, True, _method_name(cl.k), m, cl.k)
    from ._lattice import _certified_packed_tv

    return _certified_packed_tv(cl, m, width)


def packed_tv(p, q, m, *, width: float = PACKED_TV_WIDTH) -> float:
    """Packed total variation ``d_TV(P^m, Q^m)`` (PacGAN, arXiv 1712.04086, Section 3; THEORY.md s.4).

    .. math::

        d_{TV}(P^m, Q^m) = \\sum_{x \\in [k]^m} \\bigl(P^m(x) - Q^m(x)\\bigr)_+
            = \\sum_{\\text{types } n} \\binom{m}{n} \\Bigl(\\prod_c P_c^{n_c} - \\prod_c Q_c^{n_c}\\Bigr)_+

    over the multinomial types ``n`` of the likelihood-ratio classes ``c``.

    Which float is returned
    -----------------------
    * exact path (binary pairs for any m; few classes, see the module docstring): the exact
      value, accurate to ~1e-14 absolute;
    * otherwise the **midpoint** of the certified bracket of :func:`packed_tv_bounds` with the
      given ``width``: ``|packed_tv - d_TV(P^m, Q^m)| <= width / 2`` (default 5e-10). Call
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
