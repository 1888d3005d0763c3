"""modecollapse: total variation, f-divergences and mode-collapse regions of generative models.

One import package with four sub-packages, each importable on its own (arrows only downward)::

    modecollapse.figures  ->  modecollapse.gan  ->  modecollapse.regions  ->  modecollapse.divergences

* :mod:`modecollapse.divergences` -- f-divergences, conjugates, variational bounds, Wasserstein-1,
  AdaGAN theory (numpy + scipy);
* :mod:`modecollapse.regions` -- mode-collapse regions, packed TV, Blackwell ordering, PacGAN's
  bound optimisations (numpy + scipy);
* :mod:`modecollapse.gan` -- GAN / PacGAN / AdaGAN training and the cross-checks (the ``gan`` extra,
  torch);
* :mod:`modecollapse.figures` -- every theorem and cross-check plot (the ``figures`` extra,
  matplotlib).

``import modecollapse`` imports none of the sub-packages: a user of the numerical core never pays
for torch or matplotlib. The console script ``modecollapse`` (or ``python -m modecollapse``) has
the sub-commands ``figures`` and ``gan``.

In the source tree this file sits at the repository root: the root folder *is* the package
(``pyproject.toml`` maps ``modecollapse`` to ``.``), so the design card's top-level folders
``divergences/ regions/ gan/ figures/`` are its sub-packages without a ``src/`` indirection.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
