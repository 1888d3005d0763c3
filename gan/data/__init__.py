"""Benchmark data of the GAN experiments (numpy only: importing this never imports torch).

* the Gaussian-mixture value and the one "which mode is x in" rule (:mod:`._gaussian`):
  :class:`GaussianMixture`, :class:`ModePartition`, :func:`nearest_mode`, :func:`assign_modes`;
* the 2-D benchmarks (:mod:`._mixtures`): the VEEGAN/PacGAN ``ring`` and ``grid``, AdaGAN's
  ``gmm1`` .. ``gmm10`` (:func:`adagan_gmm`), each a :class:`MixtureDataset` (a mixture with a
  fixed training sample), by name through :func:`get_dataset`.
"""

from modecollapse.gan.data._gaussian import GaussianMixture, ModePartition, assign_modes, nearest_mode
from modecollapse.gan.data._mixtures import (
    DATASET_NAMES,
    N_TRAIN,
    MixtureDataset,
    adagan_gmm,
    get_dataset,
    grid,
    ring,
)

__all__ = [
    "GaussianMixture",
    "ModePartition",
    "nearest_mode",
    "assign_modes",
    "DATASET_NAMES",
    "N_TRAIN",
    "MixtureDataset",
    "ring",
    "grid",
    "adagan_gmm",
    "get_dataset",
]
