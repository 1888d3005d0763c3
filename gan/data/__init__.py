"""Benchmark data of the GAN experiments (numpy only: importing this never imports torch).

* the Gaussian-mixture value and the one "which mode is x in" rule (:mod:`._gaussian`):
  :class:`GaussianMixture`, :class:`ModePartition`, :func:`nearest_mode`, :func:`assign_modes`;
* the 2-D benchmarks (:mod:`._mixtures`): the VEEGAN/PacGAN ``ring`` and ``grid``, AdaGAN's
  ``gmm1`` .. ``gmm10`` (:func:`adagan_gmm`), each a :class:`MixtureDataset` (a mixture with a
  fixed training sample), by name through :func:`get_dataset`;
* stacked MNIST (:mod:`._stacked`): the shipped digits, the split, the 1000 digit-triple modes and
  their counting (its torch views are in ``gan.train``).
"""

from modecollapse.gan.data import _gaussian, _mixtures, _stacked  # their __all__ lists are the public names
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
from modecollapse.gan.data._stacked import (
    N_MODES,
    PROTOCOL_NOTE,
    StackedModes,
    count_modes,
    load_mnist_arrays,
    mnist_data_path,
    split_indices,
    triple_index,
)

__all__ = [*_gaussian.__all__, *_mixtures.__all__, *_stacked.__all__]
