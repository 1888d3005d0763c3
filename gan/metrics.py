"""Mode-collapse metrics of the VEEGAN/PacGAN protocol (docs/theory.md s.6), pure numpy.

For generated samples :math:`x_1..x_n` and a mixture with mode centres :math:`\\mu_1..\\mu_k` and
per-coordinate std :math:`\\sigma`:

* a sample is *high quality* (HQ) if :math:`\\min_j \\|x_i - \\mu_j\\|_2 \\le 3\\sigma`
  (the threshold is ``n_std * std`` with ``n_std = 3``; :func:`gan.data.assign_modes`, the
  package's one "which mode is x in" rule); on VEEGAN's 1200-D mixture the radius is the one that
  accepts as many true samples, ``dataset.hq_radius`` (:func:`gan.data.equal_coverage_radius`);
* mode :math:`j` is *captured* if at least one HQ sample has it as nearest mode;
* reverse KL: :math:`\\mathrm{KL}(h \\| u) = \\sum_j h_j \\log(k h_j)`, with :math:`h` the
  histogram of the HQ samples over their nearest modes and :math:`u` uniform on the k modes
  (generator first, as in PacGAN arXiv 1712.04086, Section 5.1). It lies in ``[0, log k]``;
  with no HQ sample at all the histogram is undefined and we report ``inf`` (never ``nan``).

Both the 2-D rule (:func:`mode_metrics`) and the per-dataset one (:func:`dataset_metrics`) assign
modes with :func:`gan.data.assign_modes` and count them with :func:`metrics_from_modes`.

Seed summaries: :func:`mean_se` gives the mean and the standard error ``s / sqrt(n)``
(``s`` the sample standard deviation, ``ddof=1``), as in PacGAN's Table 1 ("mean +/- s.e.").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import rel_entr

from modecollapse.divergences._validation import check_integer, check_real
from modecollapse.gan.data import assign_modes

__all__ = ["ModeMetrics", "MeanSE", "mode_metrics", "metrics_from_modes", "dataset_metrics", "mean_se",
           "summarize_metrics", "N_EVAL_SAMPLES", "model_label"]


def model_label(m: int) -> str:
    """The name results use for packing degree ``m``: ``"GAN"`` for m = 1, ``"PacGAN<m>"`` otherwise."""
    return "GAN" if m == 1 else f"PacGAN{m}"

#: Number of generated samples the protocol evaluates (docs/theory.md s.6).
N_EVAL_SAMPLES = 2500


@dataclass(frozen=True)
class ModeMetrics:
    """Metrics of one sample set.

    Attributes
    ----------
    modes : int
        Number of captured modes (>= 1 HQ sample).
    hq_fraction : float
        Fraction of HQ samples in [0, 1] (multiply by 100 for PacGAN's "% high quality").
    reverse_kl : float
        KL(HQ histogram || uniform) in nats; ``inf`` when there is no HQ sample.
    counts : ndarray of int, shape (k,)
        HQ samples per mode.
    n_samples : int
        Number of samples evaluated.
    """

    modes: int
    hq_fraction: float
    reverse_kl: float
    counts: np.ndarray
    n_samples: int

    def as_dict(self) -> dict:
        """JSON-ready dict (``reverse_kl`` inf is written as the string ``"inf"`` by callers)."""
        return {"modes": self.modes, "hq_percent": 100.0 * self.hq_fraction, "reverse_kl": self.reverse_kl,
                "counts": [int(c) for c in self.counts], "n_samples": self.n_samples}


@dataclass(frozen=True)
class MeanSE:
    """Mean and standard error over ``n`` runs; ``se`` is None when ``n < 2`` (undefined)."""

    mean: float
    se: float | None
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.3g}" if self.se is None else f"{self.mean:.3g} ± {self.se:.2g}"


def mode_metrics(samples, means, std: float, *, n_std: float = 3.0) -> ModeMetrics:
    """Modes captured, HQ fraction and reverse KL of ``samples`` against the given modes.

    Parameters
    ----------
    samples : array_like, shape (n, d)
        Generated points (n >= 1).
    means : array_like, shape (k, d)
        Mode centres of the target mixture.
    std : float
        Per-coordinate standard deviation of every mode (> 0).
    n_std : float, keyword-only
        HQ radius in units of ``std`` (3 in the protocol).

    Examples
    --------
    >>> means = [[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]]
    >>> r = mode_metrics([[0.0, 0.01], [0.02, 0.0], [2.0, 0.0], [9.0, 9.0]], means, 0.05)
    >>> r.modes, r.hq_fraction
    (2, 0.75)
    """
    x = np.asarray(samples, dtype=np.float64)
    mu = np.asarray(means, dtype=np.float64)
    if mu.ndim != 2 or mu.shape[0] < 1:
        raise ValueError(f"means must have shape (k, d) with k >= 1; got shape {mu.shape}")
    if x.ndim != 2 or x.shape[1] != mu.shape[1] or x.shape[0] < 1:
        raise ValueError(f"samples must have shape (n, {mu.shape[1]}) with n >= 1; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite; got a nan or inf coordinate")
    std = check_real(std, "std", lo=0.0, lo_open=True)
    n_std = check_real(n_std, "n_std", lo=0.0, lo_open=True)
    return metrics_from_modes(assign_modes(x, mu, n_std * std), mu.shape[0])


def metrics_from_modes(modes, n_modes: int) -> ModeMetrics:
    """Modes captured, HQ fraction and reverse KL from each sample's mode (``n_modes`` = not HQ).

    The counting half of every mode metric: ``modes[i]`` is the mode of sample ``i`` when it is
    high quality and ``n_modes`` otherwise, as :func:`gan.data.assign_modes` returns them.

    Parameters
    ----------
    modes : array_like of int, shape (n,)
        Values in ``0 .. n_modes`` (n >= 1).
    n_modes : int
        Number of modes ``k`` of the target (>= 1).

    Examples
    --------
    >>> r = metrics_from_modes([0, 0, 1, 3], 3)
    >>> r.modes, r.hq_fraction, [int(c) for c in r.counts]
    (2, 0.75, [2, 1, 0])
    """
    k = check_integer(n_modes, "n_modes", minimum=1)
    a = np.asarray(modes)
    if a.ndim != 1 or a.size < 1 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"modes must be a 1-D integer array with at least one entry; got shape {a.shape}, "
                         f"dtype {a.dtype}")
    if a.min() < 0 or a.max() > k:
        raise ValueError(f"modes must lie in 0..{k} (n_modes = not high quality); got values in "
                         f"{int(a.min())}..{int(a.max())}")
    counts = np.bincount(a, minlength=k + 1)[:k]
    n_hq = int(counts.sum())
    if n_hq == 0:
        rkl = math.inf
    else:
        h = counts / n_hq
        rkl = float(np.sum(rel_entr(h, np.full(k, 1.0 / k))))
    return ModeMetrics(modes=int(np.count_nonzero(counts)), hq_fraction=n_hq / a.size, reverse_kl=rkl,
                       counts=counts, n_samples=int(a.size))


def dataset_metrics(samples, dataset) -> ModeMetrics:
    """Modes captured, HQ fraction and reverse KL of ``samples`` on a benchmark dataset, by its own radius.

    The nearest centre of ``dataset.means`` within ``dataset.hq_radius`` (:func:`gan.data.assign_modes`),
    counted by :func:`metrics_from_modes`. For the 2-D mixtures (``hq_radius = 3 std``) this equals
    :func:`mode_metrics` ``(samples, dataset.means, dataset.std)`` exactly; for VEEGAN's 1200-D
    mixture it is the equal-coverage radius (:mod:`gan.data._veegan1200`).

    Parameters
    ----------
    samples : array_like, shape (n, dataset.dim)
        Generated points (n >= 1, finite).
    dataset : MixtureDataset or Veegan1200Dataset
        Anything with ``means`` (k, d) and ``hq_radius`` (> 0).
    """
    mu = getattr(dataset, "means", None)
    radius = getattr(dataset, "hq_radius", None)
    if mu is None or radius is None:
        raise TypeError(f"dataset must have means and hq_radius (a gan.data dataset); got {type(dataset).__name__}")
    mu = np.asarray(mu, dtype=np.float64)
    radius = check_real(radius, "dataset.hq_radius", lo=0.0, lo_open=True)
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != mu.shape[1] or x.shape[0] < 1:
        raise ValueError(f"samples must have shape (n, {mu.shape[1]}) with n >= 1; got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite; got a nan or inf coordinate")
    return metrics_from_modes(assign_modes(x, mu, radius), mu.shape[0])


def mean_se(values) -> MeanSE:
    """Mean and standard error ``std(ddof=1)/sqrt(n)`` of per-seed values (inf propagates to mean)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size == 0:
        raise ValueError("values must contain at least one run; got an empty array")
    if np.any(np.isnan(v)):
        raise ValueError("values must not contain nan")
    mean = float(np.mean(v))
    if v.size < 2:
        return MeanSE(mean, None, 1)
    if not np.all(np.isfinite(v)):
        return MeanSE(mean, math.inf, int(v.size))
    return MeanSE(mean, float(np.std(v, ddof=1) / math.sqrt(v.size)), int(v.size))


def summarize_metrics(results) -> dict:
    """``{"modes": MeanSE, "hq_percent": MeanSE, "reverse_kl": MeanSE}`` over a list of ModeMetrics."""
    results = list(results)
    return {
        "modes": mean_se([r.modes for r in results]),
        "hq_percent": mean_se([100.0 * r.hq_fraction for r in results]),
        "reverse_kl": mean_se([r.reverse_kl for r in results]),
    }
