"""Cell masses estimated from counts, with simultaneous confidence statements (numpy and scipy).

The cells are any finite partition of the sample space: the modes of a mixture (each mode's
``3 std`` disc plus "elsewhere", the VEEGAN / PacGAN "high quality" criterion of docs/theory.md
s.6), digit triples of stacked MNIST, or the atoms of a discrete law. Two simultaneous
statements about the true masses ``p`` from ``n`` counts: per-cell Clopper-Pearson intervals
(Bonferroni over the cells) and one L1 ball of Weissman et al. (2003), which bounds
``|P(S) - P_hat(S)| <= l1_radius / 2`` for *every* union of cells S at once (docs/theory.md s.7).
``regions.region_from_counts`` builds its inner and outer regions from the L1 ball.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from modecollapse.divergences._validation import as_probability_vector, check_integer, check_probability, check_real

__all__ = [
    "MultinomialEstimate",
    "estimate_cell_masses",
    "l1_radius",
    "samples_for_l1_radius",
]


#: Largest sample size or cell count the bounds accept (a count beyond 2**63 is not a sample)
_MAX_COUNT = 2**63


def _log_weissman_multiplicity(k: int) -> float:
    # log(2^k - 2), k >= 2
    return k * math.log(2.0) + math.log1p(-(2.0 ** (1 - k)))


def l1_radius(n: int, k: int, *, confidence: float = 0.95) -> float:
    """Radius ``r`` of an L1 confidence ball for a multinomial: ``P(||p_hat - p||_1 >= r) <= 1-confidence``.

    Weissman, Ordentlich, Seroussi, Verdu, Weinberger (2003), "Inequalities for the L1 deviation
    of the empirical distribution", Theorem 2.1: ``P(||p_hat_n - p||_1 >= r) <= (2^k - 2)
    exp(-n r^2 / 2)`` for every ``p`` on ``k`` atoms, hence

    .. math:: r = \\sqrt{\\tfrac{2}{n}\\,(\\log(2^k - 2) + \\log\\tfrac{1}{\\alpha})},\\quad \\alpha = 1 - \\text{confidence}.

    Since ``d_TV = ||.||_1 / 2``, the true distribution is within TV ``r/2`` of the estimate.
    This is an *upper* bound on the needed radius (conservative). For ``k = 1`` the radius is 0.
    """
    n = check_integer(n, "n", minimum=1, maximum=_MAX_COUNT)
    k = check_integer(k, "k", minimum=1, maximum=_MAX_COUNT)
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    if k == 1:
        return 0.0
    return math.sqrt(2.0 / n * (_log_weissman_multiplicity(k) - math.log1p(-conf)))


def samples_for_l1_radius(radius: float, k: int, *, confidence: float = 0.95) -> int:
    """Smallest ``n`` with :func:`l1_radius` ``(n, k) <= radius`` (the inverse of that bound)."""
    r = check_real(radius, "radius", lo=0.0, lo_open=True, hi=2.0)
    k = check_integer(k, "k", minimum=2, maximum=_MAX_COUNT)
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    # n = 2 (log(2^k - 2) + log(1/alpha)) / r^2, in logs so that a tiny radius cannot overflow
    log_n = math.log(2.0 * (_log_weissman_multiplicity(k) - math.log1p(-conf))) - 2.0 * math.log(r)
    if log_n > math.log(_MAX_COUNT):
        raise ValueError(f"radius={r!r} on k={k} cells needs about e^{log_n:.4g} samples, more than "
                         f"{_MAX_COUNT} (2**63); ask for a larger radius")
    n = math.ceil(2.0 * (_log_weissman_multiplicity(k) - math.log1p(-conf)) / r**2)  # r**2 > 0 here
    while l1_radius(n, k, confidence=conf) > r:  # guard the float rounding of the ceil
        n += 1
    return n


@dataclass(frozen=True)
class MultinomialEstimate:
    """Cell masses estimated from counts, with simultaneous confidence statements.

    Attributes
    ----------
    counts : ndarray, shape (k,)
    n : int
    p_hat : ndarray, shape (k,)
        Empirical frequencies ``counts / n`` (a probability vector).
    lower, upper : ndarray, shape (k,)
        Simultaneous Clopper-Pearson intervals: each at level ``1 - alpha/k`` (Bonferroni), so
        all ``k`` cover together with probability >= ``confidence``.
    l1_radius : float
        Weissman L1 radius (:func:`l1_radius`): ``||p_hat - p||_1 < l1_radius`` with probability
        >= ``confidence``; 0 when the masses are exact (``exact=True``).
    confidence : float
    exact : bool
        True when the masses were computed exactly rather than estimated.
    """

    counts: np.ndarray
    n: int
    p_hat: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    l1_radius: float
    confidence: float
    exact: bool = False

    @property
    def tv_radius(self) -> float:
        """``l1_radius / 2``: the TV distance between truth and estimate is below it (same confidence)."""
        return 0.5 * self.l1_radius

    @classmethod
    def exact_masses(cls, p) -> "MultinomialEstimate":
        """Masses known exactly (e.g. :meth:`GaussianMixture.cell_masses`): zero-width intervals."""
        p = as_probability_vector(p, "p")
        return cls(counts=np.zeros(p.size, dtype=np.int64), n=0, p_hat=p, lower=p, upper=p,
                   l1_radius=0.0, confidence=1.0, exact=True)


def _check_counts(counts, name: str) -> np.ndarray:
    """``counts`` as a 1-D int64 array of non-negative integers with a positive total, else raise
    naming ``name`` (integral floats such as ``3.0`` are accepted: histograms often arrive so)."""
    if isinstance(counts, (str, bytes)):
        raise TypeError(f"{name} must be an array of non-negative integers; got {counts!r}")
    c = np.asarray(counts)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {c.shape}")
    if not np.issubdtype(c.dtype, np.integer):
        if not np.issubdtype(c.dtype, np.floating) or not np.all(np.isfinite(c)) or np.any(c != np.round(c)):
            raise TypeError(f"{name} must be integers; got {c!r}")
    c = c.astype(np.int64)
    if np.any(c < 0):
        raise ValueError(f"{name} must be non-negative; got {c!r}")
    if int(c.sum()) == 0:
        raise ValueError(f"{name} must contain at least one sample; got all zeros")
    return c


def estimate_cell_masses(counts, *, confidence: float = 0.95) -> MultinomialEstimate:
    """Estimate cell masses from ``counts`` (shape ``(k,)``) with simultaneous intervals.

    Per-cell intervals are Clopper-Pearson at level ``1 - alpha/k`` (Bonferroni, conservative);
    the L1 radius is Weissman's (:func:`l1_radius`). Both hold with probability >= ``confidence``.
    """
    c = _check_counts(counts, "counts")
    n = int(c.sum())
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    k = c.size
    a = (1.0 - conf) / k
    lo = np.where(c == 0, 0.0, stats.beta.ppf(a / 2, c, n - c + 1))
    hi = np.where(c == n, 1.0, stats.beta.ppf(1 - a / 2, c + 1, n - c))
    p_hat = c / n
    for arr in (lo, hi, p_hat):
        arr.setflags(write=False)
    return MultinomialEstimate(counts=c, n=n, p_hat=p_hat, lower=lo, upper=hi,
                               l1_radius=l1_radius(n, k, confidence=conf), confidence=conf)
