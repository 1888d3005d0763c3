"""VEEGAN's 1200-dimensional synthetic mixture (``veegan1200``), in the one public reading of it.

VEEGAN (Srivastava et al. 2017, Section 5.1, Table 1) describes "a mixture of ten 700 dimensional
Gaussian distributions embedded in a 1200 dimensional space" and calls a sample high quality when
it is "within 10 standard deviations of the nearest mode"; neither the means nor the embedding
are published. We implement the only reconstruction in public code, PacGAN's unused
``VEEGAN1200DPackingMixture`` (``fjxmlzn/PacGAN``, ``datasets.py``):

* the label ``c`` is uniform on the 10 modes;
* ``x[:700] ~ N(0, I_700)``, ``x[700:] = 0``;
* the scalar ``MEANS[c]`` is added to all 1200 coordinates, ``MEANS = (-1, -0.5, 0, 0.5, -2,
  -2.5, 10, 0.25, -13, -5.5)``.

So mode ``c`` is the degenerate Gaussian ``N(MEANS[c] 1_1200, diag(I_700, 0_500))``: its noise
lives on the first 700 coordinates, its centre is ``MEANS[c]`` times the all-ones vector. The
closest centres (``0``, ``0.25``, ``0.5``) are ``0.25 sqrt(1200) = 8.66`` apart.

High quality in 1200-D (the reading we implement; :data:`HQ_RADIUS`). The noise norm of a perfect
sample is chi-distributed with 700 degrees of freedom (mean ``~ sqrt(699.5) = 26.4``, sd ``~
0.71``), so the literal Euclidean "10 std" rejects every perfect sample (``P(chi_700 <= 10) ~
1e-168``). Instead the radius is the one at which a perfect sample is rejected as often as under
the 2-D protocol's 3-std disc: ``r = sqrt(F^{-1}_{chi2_700}(1 - e^{-4.5})) = 28.08`` (std 1),
:func:`gan.data.equal_coverage_radius` (in 2-D that rule is the 3-std disc itself). A sample is
high quality when its Euclidean distance (all 1200 coordinates) to the nearest centre is at most
``r``; the nearest centre is its mode (:func:`gan.data.assign_modes`, the package's one rule).
The mis-assignment probability of a perfect sample to a neighbour centre is about
``P(Z > 75 / (2 * 0.25 * sqrt(700))) = P(Z > 5.7) ~ 7e-9`` (from ``||x - mu_b||^2 - ||x - mu_a||^2
= 1200 (a - b)^2 + 2 (a - b) sum(z)``), so a perfect sampler scores all 10 modes and ~98.9% high
quality (``1 - e^{-4.5}``). This is a reading, not VEEGAN's radius (unknown): it makes the
1200-D "% high quality" mean what it means in 2-D (the share of samples as close to a centre as
98.9% of true samples are), so the published 1200-D numbers are not directly comparable with ours.
Noise put on the 500 empty coordinates counts in the distance: a sampler with unit noise on all
1200 coordinates (norm ~ sqrt(1200) = 34.6) is rejected.

The training sample is fixed (like the 2-D benchmarks) but smaller by default
(:data:`VEEGAN1200_N_TRAIN` = 20,000 points, 192 MB in float64): VEEGAN states no training-set size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from modecollapse.divergences._validation import check_integer
from modecollapse.gan.data._gaussian import equal_coverage_radius, nearest_mode
from modecollapse.gan.data._training import FixedTrainingSample

__all__ = ["Veegan1200Dataset", "veegan1200", "VEEGAN1200_MEANS", "VEEGAN1200_DIM", "VEEGAN1200_NOISE_DIM",
           "VEEGAN1200_N_TRAIN", "HQ_RADIUS"]

#: PacGAN's ``VEEGAN1200DPackingMixture`` offsets: mode ``c``'s centre is ``MEANS[c] * ones(1200)``.
VEEGAN1200_MEANS = (-1.0, -0.5, 0.0, 0.5, -2.0, -2.5, 10.0, 0.25, -13.0, -5.5)

#: Ambient dimension and the dimension of each mode's noise (the first coordinates).
VEEGAN1200_DIM = 1200
VEEGAN1200_NOISE_DIM = 700

#: Default size of the fixed training sample (VEEGAN states none).
VEEGAN1200_N_TRAIN = 20_000

#: High-quality radius (std 1): equal false-rejection rate ``e^{-4.5}`` to the 2-D 3-std rule.
HQ_RADIUS = equal_coverage_radius(1.0, VEEGAN1200_NOISE_DIM)


@dataclass(frozen=True, eq=False)
class Veegan1200Dataset(FixedTrainingSample):
    """VEEGAN's 1200-D mixture of ten 700-D Gaussians (PacGAN's reconstruction; module docstring).

    The same interface as :class:`gan.data.MixtureDataset` where training and scoring use it
    (``n_modes``, ``dim``, ``means``, ``std``, ``hq_radius``, ``sample``, ``training_points``,
    ``training_modes``, ``nearest_mode``, ``describe``); no density (each mode is degenerate in
    R^1200) and no :class:`GaussianMixture` (the noise is not isotropic in R^1200).

    Attributes
    ----------
    name : str
        ``"veegan1200"``.
    n_train : int
        Size of the fixed training sample (:data:`VEEGAN1200_N_TRAIN`).
    data_seed : int
        Seed of ``numpy.random.default_rng`` that draws the training sample.
    """

    name: str = "veegan1200"
    n_train: int = VEEGAN1200_N_TRAIN
    data_seed: int = 0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "n_train", check_integer(self.n_train, "n_train", minimum=1))
        object.__setattr__(self, "data_seed", check_integer(self.data_seed, "data_seed", minimum=0))
        offsets = np.asarray(VEEGAN1200_MEANS, dtype=np.float64)
        means = np.repeat(offsets[:, None], VEEGAN1200_DIM, axis=1)
        means.setflags(write=False)
        offsets.setflags(write=False)
        self._cache["means"] = means
        self._cache["offsets"] = offsets

    # ------------------------------------------------------------------ structure
    @property
    def n_modes(self) -> int:
        return len(VEEGAN1200_MEANS)

    @property
    def dim(self) -> int:
        return VEEGAN1200_DIM

    @property
    def noise_dim(self) -> int:
        """Dimension of each mode's Gaussian noise (700, the first coordinates)."""
        return VEEGAN1200_NOISE_DIM

    @property
    def means(self) -> np.ndarray:
        """Mode centres, shape (10, 1200): row ``c`` is ``MEANS[c]`` in every coordinate (read-only)."""
        return self._cache["means"]

    @property
    def std(self) -> float:
        """Per-coordinate standard deviation of the noise on its 700 coordinates (1)."""
        return 1.0

    @property
    def weights(self) -> np.ndarray:
        return np.full(self.n_modes, 1.0 / self.n_modes)

    @property
    def hq_radius(self) -> float:
        """Euclidean high-quality radius :data:`HQ_RADIUS` (module docstring)."""
        return HQ_RADIUS

    # ------------------------------------------------------------------ sampling
    def sample(self, n: int, rng: np.random.Generator | int | None = None, *, return_modes: bool = False):
        """``n`` fresh points, shape ``(n, 1200)``: labels by ``rng.integers(0, 10, n)``, then the
        700 noise coordinates by ``rng.standard_normal((n, 700))``, then the offsets.

        ``rng``: a numpy Generator or an int seed (``numpy.random.default_rng(rng)``). Returns the
        labels too when ``return_modes``.
        """
        n = check_integer(n, "n", minimum=0)
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        comp = gen.integers(0, self.n_modes, size=n)
        x = np.zeros((n, VEEGAN1200_DIM))
        x[:, :VEEGAN1200_NOISE_DIM] = gen.standard_normal((n, VEEGAN1200_NOISE_DIM))
        x += self._cache["offsets"][comp][:, None]
        return (x, comp) if return_modes else x

    def nearest_mode(self, x) -> tuple[np.ndarray, np.ndarray]:
        """Index of the nearest centre and the Euclidean distance to it, for each row of ``x`` (n, 1200)."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != VEEGAN1200_DIM:
            raise ValueError(f"x must have shape (n, {VEEGAN1200_DIM}); got shape {arr.shape}")
        idx, sq = nearest_mode(arr, self.means)
        return idx, np.sqrt(np.maximum(sq, 0.0))

    def describe(self) -> dict:
        """JSON-ready description (the centres as their 10 offsets, not 12,000 numbers)."""
        return {"name": self.name, "n_modes": self.n_modes, "dim": self.dim, "noise_dim": self.noise_dim,
                "std": self.std, "offsets": list(VEEGAN1200_MEANS), "hq_radius": self.hq_radius,
                "n_train": self.n_train, "data_seed": self.data_seed}


def veegan1200(*, n_train: int = VEEGAN1200_N_TRAIN, data_seed: int = 0) -> Veegan1200Dataset:
    """VEEGAN's 1200-D mixture (PacGAN's reconstruction; see the module docstring)."""
    return Veegan1200Dataset("veegan1200", n_train, data_seed)
