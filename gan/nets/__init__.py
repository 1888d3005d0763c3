"""Torch modules of the GAN experiments (importing this imports torch).

* :mod:`._toy` -- the PacGAN toy pair, batched over ``E`` ensemble members
  (:class:`ToyGenerator`, :class:`MaxoutDiscriminator` and their layers), and the packing
  convention, defined once: :func:`pack` / :func:`unpack`;
* :mod:`._mlp` -- the ReLU MLPs of the VEEGAN / Unrolled GAN 2-D experiments, batched the same way
  (:class:`MLPGenerator`, :class:`MLPDiscriminator`);
* :mod:`._critics` -- the small MLP critics of the cross-checks (:func:`mlp_critic`);
* :mod:`._stacked` -- stacked MNIST's digit classifier, the DCGAN-style pair, the Unrolled-GAN pair of
  PacGAN Table 3 (:class:`MetzGenerator`, :class:`MetzDiscriminator`), and
  :func:`init_parameters` (torch's default initialisation drawn from a passed generator).
"""

from modecollapse.gan.nets import _critics, _mlp, _stacked, _toy  # their __all__ lists are the public names
from modecollapse.gan.nets._critics import mlp_critic
from modecollapse.gan.nets._mlp import MLPDiscriminator, MLPGenerator
from modecollapse.gan.nets._stacked import (DigitClassifier, MetzDiscriminator, MetzGenerator, StackedDiscriminator,
                                            StackedGenerator, init_parameters)
from modecollapse.gan.nets._toy import BatchedBatchNorm, BatchedLinear, MaxoutDiscriminator, ToyGenerator, pack, unpack

__all__ = [*_toy.__all__, *_mlp.__all__, *_critics.__all__, *_stacked.__all__]
