"""Two-dimensional Gaussian-mixture benchmarks: the VEEGAN/PacGAN ring and grid, AdaGAN's mixtures.

Pure numpy (no torch), so metrics and theory cross-checks can use the datasets without torch.
:func:`get_dataset` also returns VEEGAN's 1200-D mixture (``veegan1200``, :mod:`._veegan1200`).

* ``ring`` -- 8 modes at ``(cos 2 pi i/8, sin 2 pi i/8)``, isotropic std 0.01 (docs/theory.md s.6,
  VEEGAN Table 1, PacGAN arXiv 1712.04086 Section 5.1).
* ``grid`` -- 25 modes at ``{-4, -2, 0, 2, 4}^2``, isotropic std 0.05 (same sources).
* ``gmm1`` ... ``gmm10`` -- AdaGAN's toy mixtures (arXiv 1701.02386, Section 4.1, as released in
  ``tolstikhin/adagan``, ``datahandler.py::_load_gmm`` with ``adagan_gmm.py`` options): ``k`` means
  drawn uniformly from the box ``[-15, 15]^2`` with ``numpy.random.seed(82)`` (legacy global-state
  MT19937, exactly as the released code, so the means are the published ones), and isotropic
  per-coordinate variance ``15 / v(k)`` with ``v(1) = v(2) = 3``, ``v(3) = 8``, ``v(4) = 20``,
  ``v(5) = 10``, ``v(k) = 3 k^2`` for ``k > 5`` (the code's ``variance_factor`` at dimension 2).

All mixtures have uniform weights. The training set is a fixed sample of ``n_train`` points
(100,000 by default, docs/theory.md s.6) drawn once from ``numpy.random.default_rng(data_seed)``; GANs
train on mini-batches drawn from these points, never on fresh draws from the mixture.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from modecollapse.divergences._validation import check_integer, check_real
from modecollapse.gan.data._gaussian import HQ_N_STD, GaussianMixture
from modecollapse.gan.data._training import FixedTrainingSample
from modecollapse.gan.data._veegan1200 import Veegan1200Dataset, veegan1200

__all__ = [
    "DATASET_NAMES",
    "N_TRAIN",
    "MixtureDataset",
    "ring",
    "grid",
    "adagan_gmm",
    "get_dataset",
]

#: Names accepted by :func:`get_dataset` (and the CLI's ``--dataset``); ``veegan1200`` is VEEGAN's
#: 1200-D mixture (:mod:`gan.data._veegan1200`), the others are the 2-D mixtures of this module.
DATASET_NAMES = ("ring", "grid", *(f"gmm{k}" for k in range(1, 11)), "veegan1200")

#: Default number of fixed training points (docs/theory.md s.6).
N_TRAIN = 100_000


@dataclass(frozen=True, eq=False)
class MixtureDataset(FixedTrainingSample):
    """A benchmark: an equal-weight :class:`GaussianMixture` in R^d with a fixed training sample.

    Density: :math:`p(x) = \\frac1k \\sum_{j=1}^k \\mathcal N(x; \\mu_j, \\sigma^2 I_d)`.

    Attributes
    ----------
    name : str
        Short name (``"ring"``, ``"grid"``, ``"gmm5"``, or a user label).
    means : ndarray, shape (k, d)
        The mode centres.
    std : float
        Per-coordinate standard deviation ``sigma`` of every component.
    n_train : int
        Size of the fixed training sample.
    data_seed : int
        Seed of ``numpy.random.default_rng`` that draws the training sample.
    mixture : GaussianMixture
        The mixture itself (weights ``1/k``, ``means``, ``std``): density, nearest mode, mode cells.
    """

    name: str
    means: np.ndarray
    std: float
    n_train: int = N_TRAIN
    data_seed: int = 0
    mixture: GaussianMixture = field(init=False, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        means = np.asarray(self.means, dtype=np.float64)
        if means.ndim != 2 or means.shape[0] < 1 or not np.all(np.isfinite(means)):
            raise ValueError(f"means must be a finite array of shape (k, d) with k >= 1; got shape {means.shape}")
        std = check_real(self.std, "std", lo=0.0, lo_open=True)
        mixture = GaussianMixture.uniform(means, std)
        object.__setattr__(self, "mixture", mixture)
        object.__setattr__(self, "means", mixture.means)
        object.__setattr__(self, "std", mixture.std)
        object.__setattr__(self, "n_train", check_integer(self.n_train, "n_train", minimum=1))
        object.__setattr__(self, "data_seed", check_integer(self.data_seed, "data_seed", minimum=0))

    # ------------------------------------------------------------------ structure
    @property
    def n_modes(self) -> int:
        """Number of mixture components ``k``."""
        return self.mixture.n_modes

    @property
    def dim(self) -> int:
        """Dimension ``d`` of a sample."""
        return self.mixture.dim

    @property
    def weights(self) -> np.ndarray:
        """Mixture weights, shape (k,): uniform ``1/k`` (read-only)."""
        return self.mixture.weights

    @property
    def hq_radius(self) -> float:
        """High-quality radius of the protocol, ``3 std`` (:data:`gan.data.HQ_N_STD`; docs/theory.md s.6)."""
        return HQ_N_STD * self.std

    # ------------------------------------------------------------------ sampling
    def sample(self, n: int, rng: np.random.Generator | int | None = None, *, return_modes: bool = False):
        """Draw ``n`` fresh points from the mixture.

        The benchmark's own draw (the one the fixed training sample is made with): the component
        of each point by ``rng.integers(0, k, n)`` (the weights are equal), then the points by
        :meth:`GaussianMixture.sample_components`.

        Parameters
        ----------
        n : int
            Number of points (>= 0).
        rng : numpy Generator or int seed, optional
            Source of randomness (``numpy.random.default_rng(rng)`` when an int or None).
        return_modes : bool
            Also return the component index of every point.

        Returns
        -------
        x : ndarray, shape (n, d)
        modes : ndarray of int, shape (n,)   (only when ``return_modes``)
        """
        n = check_integer(n, "n", minimum=0)
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        comp = gen.integers(0, self.n_modes, size=n)
        x = self.mixture.sample_components(comp, gen)
        return (x, comp) if return_modes else x

    # ------------------------------------------------------------------ density
    def log_density(self, x) -> np.ndarray:
        """Exact log-density :math:`\\log p(x)` at points ``x`` of shape (n, d) (:meth:`GaussianMixture.logpdf`)."""
        return self.mixture.logpdf(x)

    def density(self, x) -> np.ndarray:
        """Exact density :math:`p(x)` at points ``x`` of shape (n, d)."""
        return self.mixture.pdf(x)

    def nearest_mode(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest mode centre and the Euclidean distance to it, for each point."""
        return self.mixture.nearest_mode(x)

    def describe(self) -> dict:
        """JSON-ready description (name, modes, std, n_train, data_seed)."""
        return {"name": self.name, "n_modes": self.n_modes, "std": self.std, "n_train": self.n_train,
                "data_seed": self.data_seed, "means": self.means.tolist()}


def ring(*, n_train: int = N_TRAIN, data_seed: int = 0) -> MixtureDataset:
    """The 2D ring: 8 modes at ``(cos 2 pi i/8, sin 2 pi i/8)``, std 0.01 (docs/theory.md s.6)."""
    t = 2.0 * np.pi * np.arange(8) / 8
    return MixtureDataset("ring", np.stack([np.cos(t), np.sin(t)], axis=1), 0.01, n_train, data_seed)


def grid(*, n_train: int = N_TRAIN, data_seed: int = 0) -> MixtureDataset:
    """The 2D grid: 25 modes at ``{-4, -2, 0, 2, 4}^2``, std 0.05 (docs/theory.md s.6)."""
    v = np.arange(-4.0, 4.1, 2.0)
    means = np.array([(a, b) for a in v for b in v])
    return MixtureDataset("grid", means, 0.05, n_train, data_seed)


def _adagan_variance_factor(k: int) -> float:
    # tolstikhin/adagan datahandler.py::_load_gmm, variance_factor(num, dim) at dim = 2.
    table = {1: 3.0, 2: 3.0, 3: 8.0, 4: 20.0, 5: 10.0}
    return table.get(k, 3.0 * k**2)


@functools.lru_cache(maxsize=None)
def _adagan_means(k: int, means_seed: int) -> np.ndarray:
    # The released code seeds the legacy global generator and draws uniform(-15, 15, (k, 2)); we use
    # a private RandomState with the same seed, which gives the same numbers without touching the
    # global state.
    return np.random.RandomState(means_seed).uniform(-15.0, 15.0, size=(k, 2))


def adagan_gmm(n_modes: int, *, n_train: int = N_TRAIN, data_seed: int = 0, means_seed: int = 82) -> MixtureDataset:
    """AdaGAN's toy mixture of ``n_modes`` 2D Gaussians (arXiv 1701.02386, Section 4.1).

    Means uniform on ``[-15, 15]^2`` from ``RandomState(means_seed)`` (82 in the released code);
    per-coordinate variance ``15 / v(k)`` (see the module docstring). The released code draws
    256,000 training points; we keep docs/theory.md's 100,000 (``n_train``) for every dataset.
    """
    k = check_integer(n_modes, "n_modes", minimum=1, maximum=10)
    means = _adagan_means(k, check_integer(means_seed, "means_seed", minimum=0))
    std = math.sqrt(15.0 / _adagan_variance_factor(k))
    return MixtureDataset(f"gmm{k}", means, std, n_train, data_seed)


def get_dataset(name: str, *, n_train: int | None = None,
                data_seed: int = 0) -> MixtureDataset | Veegan1200Dataset:
    """The dataset called ``name`` (one of :data:`DATASET_NAMES`).

    ``n_train`` (fixed training points) defaults to the dataset's own: :data:`N_TRAIN` for the 2-D
    mixtures, :data:`gan.data.VEEGAN1200_N_TRAIN` for ``veegan1200``.
    """
    if not isinstance(name, str) or name not in DATASET_NAMES:
        raise ValueError(f"dataset must be one of {list(DATASET_NAMES)}; got dataset={name!r}")
    if name == "veegan1200":
        return veegan1200(data_seed=data_seed) if n_train is None else veegan1200(n_train=n_train, data_seed=data_seed)
    n_train = N_TRAIN if n_train is None else n_train
    if name == "ring":
        return ring(n_train=n_train, data_seed=data_seed)
    if name == "grid":
        return grid(n_train=n_train, data_seed=data_seed)
    return adagan_gmm(int(name[3:]), n_train=n_train, data_seed=data_seed)
