"""The fixed training sample of a benchmark dataset, drawn once and cached (one place for both
:class:`gan.data.MixtureDataset` and :class:`gan.data.Veegan1200Dataset`)."""

from __future__ import annotations

import numpy as np


class FixedTrainingSample:
    """Mixin: ``training_points()`` / ``training_modes()`` from ``self.sample``.

    The host class provides ``n_train``, ``data_seed``, a dict ``_cache`` and
    ``sample(n, rng, return_modes=True)``. The sample is ``sample(n_train,
    numpy.random.default_rng(data_seed))``, drawn on first use and kept read-only.
    """

    def training_points(self) -> np.ndarray:
        """The fixed training sample, shape (n_train, d), float64, read-only (cached)."""
        if "train" not in self._cache:
            x, comp = self.sample(self.n_train, np.random.default_rng(self.data_seed), return_modes=True)
            x.setflags(write=False)
            comp.setflags(write=False)
            self._cache["train"], self._cache["train_modes"] = x, comp
        return self._cache["train"]

    def training_modes(self) -> np.ndarray:
        """Component index (mode label) of every training point, shape (n_train,)."""
        self.training_points()
        return self._cache["train_modes"]
