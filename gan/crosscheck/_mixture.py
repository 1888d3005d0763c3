"""Known-density Gaussian mixtures, the mode partition, and multinomial confidence regions.

The numpy half of the cross-checks (``gan.crosscheck``): everything here is exact or carries a
stated confidence level, and nothing imports torch.

Conventions (``THEORY.md`` s.0): **P is the target, Q the generator**. A *mode partition* of the
plane has one cell per mode (the closed disc of radius ``3 std`` around the mode, the VEEGAN /
PacGAN "high quality" criterion of ``THEORY.md`` s.6) plus one last cell, "elsewhere".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from modecollapse.divergences._validation import as_probability_vector, check_integer, check_probability, check_real

__all__ = [
    "GaussianMixture",
    "ModePartition",
    "MultinomialEstimate",
    "estimate_cell_masses",
    "l1_radius",
    "samples_for_l1_radius",
]


def _as_points(x, name: str, dim: int | None = None) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of points; got {x!r}")
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d); got shape {arr.shape}")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} columns; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got a non-finite entry in {name}")
    return arr


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """Isotropic Gaussian mixture ``sum_c w_c N(mu_c, std^2 I)`` with a known density.

    Used both for the toy targets (ring, grid) and for the parametric "generators" of the
    cross-checks (the same modes with other weights, e.g. 20 of 25 grid modes).

    Parameters
    ----------
    weights : array_like, shape (K,)
        Mixture weights (a probability vector; zero weights are dropped modes).
    centers : array_like, shape (K, d)
        Component means.
    std : float
        Common standard deviation of every coordinate (> 0).
    """

    weights: np.ndarray
    centers: np.ndarray
    std: float

    def __post_init__(self):
        w = as_probability_vector(self.weights, "weights")
        c = _as_points(self.centers, "centers")
        if c.shape[0] != w.size:
            raise ValueError(f"centers must have one row per weight; got {c.shape[0]} rows for {w.size} weights")
        s = check_real(self.std, "std", lo=0.0, lo_open=True)
        c = c.copy()
        c.setflags(write=False)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "centers", c)
        object.__setattr__(self, "std", s)

    @classmethod
    def from_dataset(cls, dataset) -> "GaussianMixture":
        """The mixture of a ``gan.datasets`` benchmark (uses its ``weights``, ``means`` and ``std``)."""
        return cls(dataset.weights, dataset.means, dataset.std)

    @property
    def dim(self) -> int:
        return int(self.centers.shape[1])

    def with_weights(self, weights) -> "GaussianMixture":
        """The same components with other weights (a new object)."""
        return GaussianMixture(weights, self.centers, self.std)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` i.i.d. points, shape ``(n, d)``, drawn with ``rng``."""
        n = check_integer(n, "n", minimum=0)
        comp = rng.choice(self.weights.size, size=n, p=self.weights)
        return self.centers[comp] + self.std * rng.standard_normal((n, self.dim))

    def log_prob(self, x) -> np.ndarray:
        """Log density at the rows of ``x`` (shape ``(n,)``), by ``logsumexp`` over components."""
        x = _as_points(x, "x", self.dim)
        d2 = ((x[:, None, :] - self.centers[None, :, :]) ** 2).sum(-1)
        with np.errstate(divide="ignore"):
            logw = np.log(self.weights)
        log_norm = -0.5 * self.dim * math.log(2 * math.pi * self.std**2)
        return special.logsumexp(logw[None, :] - 0.5 * d2 / self.std**2, axis=1) + log_norm

    def cell_masses(self, partition: "ModePartition") -> np.ndarray:
        """Exact masses of the cells of ``partition``, shape ``(K_cells + 1,)``; last = elsewhere.

        The mass of the disc ``B(c, r)`` under ``N(mu, std^2 I_d)`` is the non-central chi-square
        CDF ``F(r^2/std^2; d, ||mu-c||^2/std^2)``; the discs are disjoint (checked by
        :class:`ModePartition`), so the cell masses add up and "elsewhere" is the complement,
        computed per component from the survival function of the own disc (no cancellation
        when a component sits on a mode). Accurate to about 1e-15 absolute.
        """
        if partition.centers.shape[1] != self.dim:
            raise ValueError(f"partition has dimension {partition.centers.shape[1]}, mixture has {self.dim}")
        x = (partition.radius / self.std) ** 2
        nc = ((self.centers[:, None, :] - partition.centers[None, :, :]) ** 2).sum(-1) / self.std**2
        cdf = np.where(nc == 0.0, stats.chi2.cdf(x, self.dim), stats.ncx2.cdf(x, self.dim, np.maximum(nc, 1e-300)))
        cdf = np.clip(cdf, 0.0, 1.0)
        per_comp = np.empty((self.weights.size, partition.n_modes + 1))
        per_comp[:, :-1] = cdf
        # complement of the union of the discs, per component, without 1 - (sum of ~1 terms)
        own = np.argmin(nc, axis=1)
        sf_own = np.where(
            nc[np.arange(nc.shape[0]), own] == 0.0,
            stats.chi2.sf(x, self.dim),
            stats.ncx2.sf(x, self.dim, np.maximum(nc[np.arange(nc.shape[0]), own], 1e-300)),
        )
        others = cdf.sum(axis=1) - cdf[np.arange(nc.shape[0]), own]
        per_comp[:, -1] = np.clip(sf_own - others, 0.0, 1.0)
        masses = self.weights @ per_comp
        return masses / masses.sum()  # sums to 1 within ~1e-15 already; removes the last ulp


@dataclass(frozen=True, eq=False)
class ModePartition:
    """Cells ``B(c_j, radius)`` (one per mode, pairwise disjoint) plus "elsewhere" (the last cell).

    Parameters
    ----------
    centers : array_like, shape (K, d)
        Mode centres.
    radius : float
        Disc radius; the benchmarks use ``3 * std`` (``THEORY.md`` s.6).

    Raises
    ------
    ValueError
        If two discs overlap (centres closer than ``2 * radius``): then the cells would not be a
        partition and the exact cell masses of :meth:`GaussianMixture.cell_masses` would be wrong.
    """

    centers: np.ndarray
    radius: float

    def __post_init__(self):
        c = _as_points(self.centers, "centers")
        r = check_real(self.radius, "radius", lo=0.0, lo_open=True)
        if c.shape[0] >= 2:
            d = np.sqrt(((c[:, None, :] - c[None, :, :]) ** 2).sum(-1))
            d[np.diag_indices_from(d)] = np.inf
            if d.min() <= 2 * r:
                raise ValueError(
                    f"radius={r!r} makes the discs overlap: closest centres are {d.min()!r} apart (need > 2*radius)"
                )
        c = c.copy()
        c.setflags(write=False)
        object.__setattr__(self, "centers", c)
        object.__setattr__(self, "radius", r)

    @classmethod
    def from_mixture(cls, mixture: GaussianMixture, *, n_std: float = 3.0) -> "ModePartition":
        """The partition of ``mixture``'s modes with discs of radius ``n_std * std``."""
        return cls(mixture.centers, check_real(n_std, "n_std", lo=0.0, lo_open=True) * mixture.std)

    @property
    def n_modes(self) -> int:
        return int(self.centers.shape[0])

    @property
    def n_cells(self) -> int:
        """Number of cells, ``n_modes + 1`` (the last is "elsewhere")."""
        return self.n_modes + 1

    def assign(self, x) -> np.ndarray:
        """Cell index of each row of ``x``: the mode whose disc contains it, else ``n_modes``."""
        x = _as_points(x, "x", self.centers.shape[1])
        out = np.empty(x.shape[0], dtype=np.int64)
        for start in range(0, x.shape[0], 65536):  # bounded memory for large sample sets
            xb = x[start : start + 65536]
            d2 = ((xb[:, None, :] - self.centers[None, :, :]) ** 2).sum(-1)
            j = np.argmin(d2, axis=1)
            inside = d2[np.arange(xb.shape[0]), j] <= self.radius**2
            out[start : start + 65536] = np.where(inside, j, self.n_modes)
        return out

    def counts(self, x) -> np.ndarray:
        """Number of rows of ``x`` in each cell, shape ``(n_cells,)``."""
        return np.bincount(self.assign(x), minlength=self.n_cells)


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
    n = check_integer(n, "n", minimum=1)
    k = check_integer(k, "k", minimum=1)
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    if k == 1:
        return 0.0
    return math.sqrt(2.0 / n * (_log_weissman_multiplicity(k) - math.log1p(-conf)))


def samples_for_l1_radius(radius: float, k: int, *, confidence: float = 0.95) -> int:
    """Smallest ``n`` with :func:`l1_radius` ``(n, k) <= radius`` (the inverse of that bound)."""
    r = check_real(radius, "radius", lo=0.0, lo_open=True)
    k = check_integer(k, "k", minimum=2)
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    n = math.ceil(2.0 * (_log_weissman_multiplicity(k) - math.log1p(-conf)) / r**2)
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


def estimate_cell_masses(counts, *, confidence: float = 0.95) -> MultinomialEstimate:
    """Estimate cell masses from ``counts`` (shape ``(k,)``) with simultaneous intervals.

    Per-cell intervals are Clopper-Pearson at level ``1 - alpha/k`` (Bonferroni, conservative);
    the L1 radius is Weissman's (:func:`l1_radius`). Both hold with probability >= ``confidence``.
    """
    if isinstance(counts, (str, bytes)):
        raise TypeError(f"counts must be an array of non-negative integers; got {counts!r}")
    c = np.asarray(counts)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array; got shape {c.shape}")
    if not np.issubdtype(c.dtype, np.integer):
        if not np.issubdtype(c.dtype, np.floating) or not np.all(np.isfinite(c)) or np.any(c != np.round(c)):
            raise TypeError(f"counts must be integers; got {c!r}")
    c = c.astype(np.int64)
    if np.any(c < 0):
        raise ValueError(f"counts must be non-negative; got {c!r}")
    n = int(c.sum())
    if n == 0:
        raise ValueError("counts must contain at least one sample; got all zeros")
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
