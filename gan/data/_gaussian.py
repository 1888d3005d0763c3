"""The Gaussian-mixture value of the GAN benchmarks and the one "which mode is x in" rule (numpy only).

* :class:`GaussianMixture` -- ``sum_j w_j N(mu_j, std^2 I_d)``: weights, means and one common
  per-coordinate std, sampled with a passed ``numpy.random.Generator``, with an exact log density
  and exact masses of the mode cells. The benchmark datasets (:mod:`gan.data`'s ``ring``, ``grid``,
  ``gmm1`` .. ``gmm10``) hold one; the metrics, the cross-checks' targets and their synthetic
  "generators" (the same modes with other weights) are one.
* :func:`nearest_mode` -- the nearest mode centre of each point and the squared distance to it;
  :func:`assign_modes` thresholds it at a radius ("elsewhere" = ``k``). Everything that asks which
  mode a sample is in (the metrics' high-quality rule, the mode partition of the cross-checks,
  the datasets) goes through these two. :func:`equal_coverage_radius` carries the 2-D 3-std
  radius to other noise dimensions (same share of true samples accepted, :data:`HQ_COVERAGE`).
* :class:`ModePartition` -- the cells ``B(mu_j, radius)`` (pairwise disjoint) plus "elsewhere":
  the discretisation of the cross-checks; the benchmarks' radius is ``3 std``, the VEEGAN / PacGAN
  "high quality" criterion (docs/theory.md s.6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from modecollapse.divergences._validation import as_probability_vector, check_integer, check_real

__all__ = ["GaussianMixture", "ModePartition", "nearest_mode", "assign_modes", "HQ_N_STD", "HQ_COVERAGE",
           "equal_coverage_radius"]

#: Most rows per block in :func:`nearest_mode` (bounded memory for large sample sets; results do
#: not depend on it, every row is computed on its own).
_CHUNK = 65536

#: Most float64 entries of one block's ``(rows, d)`` difference array in :func:`nearest_mode`
#: (64 MB): high-dimensional data get fewer rows per block; the 2-D benchmarks keep ``_CHUNK``.
_BLOCK_ENTRIES = 2**23

#: The protocol's high-quality radius in units of the per-coordinate std (VEEGAN / PacGAN, 2-D).
HQ_N_STD = 3.0

#: Probability that a 2-D Gaussian sample lies within 3 std of its centre, ``P(chi2_2 <= 9) = 1 -
#: e^{-4.5} = 0.98889``: the share of true samples the 2-D high-quality rule accepts.
HQ_COVERAGE = -math.expm1(-HQ_N_STD**2 / 2)


def equal_coverage_radius(std: float, noise_dim: int, coverage: float = HQ_COVERAGE) -> float:
    """Radius of the ball that holds a sample of ``N(mu, std^2 I_noise_dim)`` with probability ``coverage``.

    ``std * sqrt(F^{-1}(coverage))`` with ``F`` the chi-square CDF with ``noise_dim`` degrees of
    freedom (the squared noise norm over ``std^2`` is exactly chi-square). With the default
    ``coverage`` (:data:`HQ_COVERAGE`) it is the high-quality radius that rejects a true sample
    as often as the 2-D protocol's 3-std disc does (``e^{-4.5} = 1.1%``); at ``noise_dim = 2``
    it is ``3 std`` (to a few ulps; the 2-D benchmarks use :data:`HQ_N_STD` ``* std`` itself).
    VEEGAN's 1200-D mixture uses it at ``noise_dim = 700`` (:mod:`gan.data._veegan1200`).
    """
    s = check_real(std, "std", lo=0.0, lo_open=True)
    k = check_integer(noise_dim, "noise_dim", minimum=1)
    q = check_real(coverage, "coverage", lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    return s * math.sqrt(float(stats.chi2.ppf(q, k)))


def _as_points(x, name: str, dim: int | None = None) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of points; got {x!r}")
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d); got shape {arr.shape}")
    if dim is not None and arr.shape[1] != dim:
        raise ValueError(f"{name} must have shape (n, {dim}), i.e. {dim} columns; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; got a non-finite entry in {name}")
    return arr


def nearest_mode(x: np.ndarray, means: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest mode centre of each point, and the squared Euclidean distance to it.

    Parameters
    ----------
    x : ndarray, shape (n, d), float64
        Points (not validated: callers check their own inputs and name them).
    means : ndarray, shape (k, d), float64
        Mode centres.

    Returns
    -------
    idx : ndarray of int, shape (n,)
        ``argmin_j ||x_i - mu_j||`` (the first such ``j`` on a tie).
    sq_dist : ndarray, shape (n,)
        ``min_j ||x_i - mu_j||^2``.
    """
    n = x.shape[0]
    idx = np.empty(n, dtype=np.intp)
    sq = np.empty(n, dtype=np.float64)
    k, d = means.shape
    chunk = max(1, min(_CHUNK, _BLOCK_ENTRIES // max(1, d)))
    for start in range(0, n, chunk):
        xb = x[start : start + chunk]
        d2 = np.empty((xb.shape[0], k))
        for c in range(k):  # one (rows, d) temporary at a time: cheap in 1200-D, the same sums in 2-D
            d2[:, c] = ((xb - means[c]) ** 2).sum(axis=-1)
        j = np.argmin(d2, axis=1)
        idx[start : start + chunk] = j
        sq[start : start + chunk] = d2[np.arange(xb.shape[0]), j]
    return idx, sq


def assign_modes(x: np.ndarray, means: np.ndarray, radius: float) -> np.ndarray:
    """Mode of each point: its nearest mode if within ``radius`` of it (closed disc), else ``k``.

    ``k = len(means)`` stands for "elsewhere". With ``radius = 3 std`` a point with a mode is a
    *high-quality* sample of the VEEGAN / PacGAN protocol (docs/theory.md s.6). The discs may
    overlap (e.g. AdaGAN's wide mixtures); a point then belongs to the nearest centre.
    """
    idx, sq = nearest_mode(x, means)
    return np.where(sq <= radius**2, idx, means.shape[0])


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """Isotropic Gaussian mixture ``sum_j w_j N(mu_j, std^2 I_d)`` with a known density.

    Parameters
    ----------
    weights : array_like, shape (k,)
        Mixture weights (a probability vector; a zero weight is a dropped mode).
    means : array_like, shape (k, d)
        Component means (the mode centres).
    std : float
        Common standard deviation of every coordinate of every component (> 0).

    Examples
    --------
    >>> import numpy as np
    >>> mix = GaussianMixture([0.5, 0.5, 0.0], [[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]], 0.05)
    >>> x = mix.sample(1000, np.random.default_rng(0))
    >>> int(np.bincount(mix.nearest_mode(x)[0], minlength=3)[2])  # the dropped mode gets no sample
    0
    """

    weights: np.ndarray
    means: np.ndarray
    std: float

    def __post_init__(self):
        w = as_probability_vector(self.weights, "weights")
        mu = _as_points(self.means, "means")
        if mu.shape[0] != w.size:
            raise ValueError(f"means must have one row per weight; got {mu.shape[0]} rows for {w.size} weights")
        s = check_real(self.std, "std", lo=0.0, lo_open=True)
        mu = mu.copy()
        mu.setflags(write=False)
        w.setflags(write=False)
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "means", mu)
        object.__setattr__(self, "std", s)

    @classmethod
    def uniform(cls, means, std: float) -> "GaussianMixture":
        """Equal weights ``1/k`` on the ``k`` rows of ``means`` (the benchmark mixtures)."""
        mu = _as_points(means, "means")
        if mu.shape[0] < 1:
            raise ValueError(f"means must have at least one row; got shape {mu.shape}")
        return cls(np.full(mu.shape[0], 1.0 / mu.shape[0]), mu, std)

    @classmethod
    def from_dataset(cls, dataset) -> "GaussianMixture":
        """The mixture of a benchmark dataset (``dataset.mixture``; any object with ``weights``, ``means``, ``std``)."""
        mix = getattr(dataset, "mixture", None)
        if isinstance(mix, GaussianMixture):
            return mix
        return cls(dataset.weights, dataset.means, dataset.std)

    @property
    def n_modes(self) -> int:
        """Number of components ``k`` (dropped ones included)."""
        return int(self.means.shape[0])

    @property
    def dim(self) -> int:
        """Dimension ``d`` of a sample."""
        return int(self.means.shape[1])

    def with_weights(self, weights) -> "GaussianMixture":
        """The same components with other weights (a new object)."""
        return GaussianMixture(weights, self.means, self.std)

    # ------------------------------------------------------------------ sampling
    def sample_components(self, components, rng: np.random.Generator) -> np.ndarray:
        """One point from each listed component: ``mu_c + std * z`` with ``z`` drawn by ``rng``.

        Parameters
        ----------
        components : array_like of int, shape (n,)
            Component index of each point.
        rng : numpy.random.Generator

        Returns
        -------
        ndarray, shape (n, d)
        """
        comp = np.asarray(components)
        return self.means[comp] + self.std * _generator(rng).standard_normal((comp.shape[0], self.dim))

    def sample(self, n: int, rng: np.random.Generator, *, return_modes: bool = False):
        """``n`` i.i.d. points, shape ``(n, d)``: components by ``rng.choice(k, n, p=weights)``, then the points.

        Returns the component indices too when ``return_modes``.
        """
        n = check_integer(n, "n", minimum=0)
        gen = _generator(rng)
        comp = gen.choice(self.weights.size, size=n, p=self.weights)
        x = self.sample_components(comp, gen)
        return (x, comp) if return_modes else x

    # ------------------------------------------------------------------ density
    def logpdf(self, x) -> np.ndarray:
        """Log density at the rows of ``x`` (shape ``(n,)``), by ``logsumexp`` over components."""
        x = _as_points(x, "x", self.dim)
        d2 = ((x[:, None, :] - self.means[None, :, :]) ** 2).sum(-1)
        with np.errstate(divide="ignore"):
            logw = np.log(self.weights)
        log_norm = -0.5 * self.dim * math.log(2 * math.pi * self.std**2)
        return special.logsumexp(logw[None, :] - 0.5 * d2 / self.std**2, axis=1) + log_norm

    def pdf(self, x) -> np.ndarray:
        """Density at the rows of ``x``."""
        return np.exp(self.logpdf(x))

    # ------------------------------------------------------------------ modes
    def nearest_mode(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest mode centre and the Euclidean distance to it, for each row of ``x``."""
        idx, sq = nearest_mode(_as_points(x, "x", self.dim), self.means)
        return idx, np.sqrt(np.maximum(sq, 0.0))

    def partition(self, *, n_std: float = 3.0) -> "ModePartition":
        """The mode partition with discs of radius ``n_std * std`` (:meth:`ModePartition.from_mixture`)."""
        return ModePartition.from_mixture(self, n_std=n_std)

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
        nc = ((self.means[:, None, :] - partition.centers[None, :, :]) ** 2).sum(-1) / self.std**2
        cdf = np.where(nc == 0.0, stats.chi2.cdf(x, self.dim), stats.ncx2.cdf(x, self.dim, np.maximum(nc, 1e-300)))
        cdf = np.clip(cdf, 0.0, 1.0)
        per_comp = np.empty((self.weights.size, partition.n_modes + 1))
        per_comp[:, :-1] = cdf
        # complement of the union of the discs, per component, without 1 - (sum of ~1 terms)
        rows = np.arange(nc.shape[0])
        own = np.argmin(nc, axis=1)
        sf_own = np.where(
            nc[rows, own] == 0.0,
            stats.chi2.sf(x, self.dim),
            stats.ncx2.sf(x, self.dim, np.maximum(nc[rows, own], 1e-300)),
        )
        others = cdf.sum(axis=1) - cdf[rows, own]
        per_comp[:, -1] = np.clip(sf_own - others, 0.0, 1.0)
        masses = self.weights @ per_comp
        return masses / masses.sum()  # sums to 1 within ~1e-15 already; removes the last ulp


def _generator(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got rng={rng!r}")
    return rng


@dataclass(frozen=True, eq=False)
class ModePartition:
    """Cells ``B(c_j, radius)`` (one per mode, pairwise disjoint) plus "elsewhere" (the last cell).

    Parameters
    ----------
    centers : array_like, shape (K, d)
        Mode centres.
    radius : float
        Disc radius; the benchmarks use ``3 * std`` (docs/theory.md s.6).

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
        return cls(mixture.means, check_real(n_std, "n_std", lo=0.0, lo_open=True) * mixture.std)

    @property
    def n_modes(self) -> int:
        return int(self.centers.shape[0])

    @property
    def n_cells(self) -> int:
        """Number of cells, ``n_modes + 1`` (the last is "elsewhere")."""
        return self.n_modes + 1

    def assign(self, x) -> np.ndarray:
        """Cell index of each row of ``x``: the mode whose disc contains it, else ``n_modes`` (:func:`assign_modes`)."""
        return assign_modes(_as_points(x, "x", self.centers.shape[1]), self.centers, self.radius).astype(np.int64)

    def counts(self, x) -> np.ndarray:
        """Number of rows of ``x`` in each cell, shape ``(n_cells,)``."""
        return np.bincount(self.assign(x), minlength=self.n_cells)
