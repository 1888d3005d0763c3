"""Packed TV of a binary pair as a function of its Bernoulli parameters (private).

``d_TV(Bern(a)^m, Bern(b)^m)`` for any ``a, b`` in ``[0, 1]``, O(m), as the total variation of
``Bin(m, a)`` and ``Bin(m, b)`` (the number of ones is sufficient). The breakpoint method of
``_bounds.packed_tv_min`` evaluates it along a continuous family ``a -> (a, a + tau)``, including
the ends ``a = 0`` and ``a + tau = 1``; the general exact path (``_typeclasses``) works on the
likelihood-ratio classes of a validated pair instead, which change at those ends.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

__all__: list[str] = []


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

    Each pmf term is accurate to a few ulp (log space); the sum is exact up to ~m ulp.
    """
    pa = np.exp(_log_binom_pmf(m, a))
    pb = np.exp(_log_binom_pmf(m, b))
    return float(min(1.0, 0.5 * np.abs(pa - pb).sum()))
