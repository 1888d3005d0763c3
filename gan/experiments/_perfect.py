"""What a perfect generator scores under a table's own sample counts (numpy only, seeded).

No paper prints these rows, yet every published number should be read against them: with ``N``
evaluation samples even the true distribution misses modes, leaves a plug-in KL above zero and
has samples outside the "high quality" radius.

* :func:`perfect_mixture_metrics` draws ``N`` points from the benchmark mixture itself, ``R``
  times, and scores each draw with :func:`modecollapse.gan.metrics.mode_metrics` -- the very
  function the runs are scored with -- so the row is the metric's value at a perfect generator.
* :func:`perfect_stacked_metrics` draws ``N`` uniform digit triples, optionally relabels every
  digit through a classifier's confusion matrix ``C[true, predicted]`` (the counting classifier's
  errors spread mass over spurious triples), and counts modes and KL with
  :func:`modecollapse.gan.data.count_modes`.
* :func:`expected_modes`, :func:`plugin_kl_floor` and :func:`hq_ceiling` are the closed forms the
  simulations are tested against: ``K (1 - (1 - 1/K)^N)`` modes seen, the plug-in KL's
  ``(K - 1) / (2 N)`` (first order in ``1/N``; the exact expectation is below it by
  ``O(K^2 / N^2)`` terms of either sign, so it is an approximation, not a bound), and the chi-square
  probability ``P(chi2_d <= n_std^2)`` that a Gaussian sample lies within ``n_std`` standard
  deviations of its own centre (a lower bound on the HQ fraction, which counts the nearest centre,
  equal to it when the modes are far apart compared with ``n_std * std``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from modecollapse.divergences._validation import check_integer, check_real

__all__ = ["PerfectRow", "perfect_mixture_metrics", "perfect_stacked_metrics", "expected_modes",
           "plugin_kl_floor", "hq_ceiling", "exact_plugin_kl", "summarize_draws"]


@dataclass(frozen=True)
class PerfectRow:
    """Mean, standard error (``sd / sqrt(R)``) and standard deviation of each metric over ``R`` draws.

    ``values[metric] = (mean, se, sd)``; ``n_samples`` is the ``N`` of each draw, ``repeats`` is ``R``.
    """

    values: dict
    n_samples: int
    repeats: int
    seed: int

    def as_dict(self) -> dict:
        return {"values": {k: {"mean": v[0], "se": v[1], "sd": v[2]} for k, v in self.values.items()},
                "n_samples": self.n_samples, "repeats": self.repeats, "seed": self.seed}


def summarize_draws(draws: dict, *, n_samples: int, repeats: int, seed: int) -> PerfectRow:
    """``{metric: list of R values}`` -> :class:`PerfectRow` (sd with ``ddof=1``; inf where a value is
    infinite, as :func:`modecollapse.gan.metrics.mean_se` reports it)."""
    out = {}
    for k, v in draws.items():
        a = np.asarray(v, dtype=np.float64)
        if a.size < 2:
            out[k] = (float(a.mean()), math.nan, math.nan)
        elif not np.all(np.isfinite(a)):  # e.g. reverse KL inf (no HQ sample): the spread is unbounded,
            out[k] = (float(a.mean()), math.inf, math.inf)  # as gan.metrics.mean_se reports it
        else:
            sd = float(np.std(a, ddof=1))
            out[k] = (float(a.mean()), sd / math.sqrt(a.size), sd)
    return PerfectRow(out, n_samples, repeats, seed)


def _checked(n_samples, repeats, seed):
    return (check_integer(n_samples, "n_samples", minimum=1), check_integer(repeats, "repeats", minimum=2),
            check_integer(seed, "seed", minimum=0))


def perfect_mixture_metrics(dataset, n_samples: int, *, repeats: int = 100, seed: int = 0,
                            n_std: float = 3.0, score=None) -> PerfectRow:
    """Modes, % high quality and reverse KL of ``repeats`` draws of ``n_samples`` points from ``dataset``.

    Parameters
    ----------
    dataset : MixtureDataset
        Anything with ``sample(n, rng)``, ``means`` and ``std`` (:mod:`modecollapse.gan.data`).
    n_samples : int
        ``N``, the evaluation sample count of the runs the row stands beside (2,500 in the protocol).
    repeats : int, keyword-only
        ``R >= 2`` independent draws.
    seed : int, keyword-only
        Seed of ``numpy.random.default_rng``; draw ``r`` uses the child ``SeedSequence(seed).spawn``.
    n_std : float, keyword-only
        HQ radius in standard deviations, passed to :func:`mode_metrics` (3 in the protocol).
    score : callable, keyword-only
        ``score(x) -> ModeMetrics`` for a sample ``x`` of shape (n, d): the rule the runs beside
        the row are scored with (default :func:`mode_metrics` against ``dataset``'s means and std
        at ``n_std``); pass the runs' own rule when a dataset scores differently.

    Returns
    -------
    PerfectRow
        Metrics ``modes``, ``hq_percent``, ``reverse_kl`` as the runs report them.
    """
    from modecollapse.gan.metrics import mode_metrics

    n, r, seed = _checked(n_samples, repeats, seed)
    n_std = check_real(n_std, "n_std", lo=0.0, lo_open=True)
    draws = {"modes": [], "hq_percent": [], "reverse_kl": []}
    for child in np.random.SeedSequence(seed).spawn(r):
        x = dataset.sample(n, np.random.default_rng(child))
        mm = score(x) if score is not None else mode_metrics(x, dataset.means, dataset.std, n_std=n_std)
        draws["modes"].append(mm.modes)
        draws["hq_percent"].append(100.0 * mm.hq_fraction)
        draws["reverse_kl"].append(mm.reverse_kl)
    return summarize_draws(draws, n_samples=n, repeats=r, seed=seed)


def _check_confusion(confusion) -> np.ndarray:
    c = np.asarray(confusion, dtype=np.float64)
    if c.shape != (10, 10):
        raise ValueError(f"confusion must have shape (10, 10) (rows: true digit, columns: predicted); "
                         f"got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c.sum(axis=1) <= 0):
        raise ValueError("confusion must hold finite non-negative counts with every row summing to > 0")
    return c / c.sum(axis=1, keepdims=True)


def perfect_stacked_metrics(n_samples: int, *, confusion=None, repeats: int = 100, seed: int = 0) -> PerfectRow:
    """Modes (of 1000) and KL to uniform of ``repeats`` perfect stacked-MNIST samplers of ``n_samples``.

    Each sample is a uniform digit triple (each channel independent and uniform on 0..9, as the
    data); with ``confusion`` (10 x 10 counts or probabilities, rows the true digit) every digit is
    replaced by a draw from its row, i.e. labelled by a classifier with those errors, before the
    triples are counted (:func:`modecollapse.gan.data.count_modes`). Without it the classifier is
    taken as perfect.
    """
    from modecollapse.gan.data._stacked import count_modes

    n, r, seed = _checked(n_samples, repeats, seed)
    cdf = None if confusion is None else np.cumsum(_check_confusion(confusion), axis=1)
    draws = {"modes": [], "kl": []}
    for child in np.random.SeedSequence(seed).spawn(r):
        rng = np.random.default_rng(child)
        t = rng.integers(0, 10, size=(n, 3))
        if cdf is not None:
            u = rng.random((n, 3))
            # predicted digit: first column whose cumulative probability exceeds u (clipped for rounding)
            t = np.minimum((u[..., None] >= cdf[t]).sum(axis=-1), 9)
        cm = count_modes(t)
        draws["modes"].append(cm.modes)
        draws["kl"].append(cm.kl)
    return summarize_draws(draws, n_samples=n, repeats=r, seed=seed)


def expected_modes(k: int, n: int, p_hit: float = 1.0) -> float:
    """Expected number of the ``k`` equally likely modes hit at least once by ``n`` samples, each of
    which counts with probability ``p_hit``: ``k (1 - (1 - p_hit / k)^n)`` (exact)."""
    k, n = check_integer(k, "k", minimum=1), check_integer(n, "n", minimum=0)
    p_hit = check_real(p_hit, "p_hit", lo=0.0, hi=1.0)
    q = p_hit / k
    if q >= 1.0:  # k = 1 and every sample counts
        return float(k) if n > 0 else 0.0
    return float(k * -math.expm1(n * math.log1p(-q)))


def plugin_kl_floor(k: int, n: float) -> float:
    """``(k - 1) / (2 n)``: the first-order expectation of the plug-in ``KL(hist || uniform)`` of ``n``
    samples from the uniform law on ``k`` bins (the chi-square limit ``2 n KL -> chi2_{k-1}``)."""
    k = check_integer(k, "k", minimum=1)
    n = check_real(n, "n", lo=0.0, lo_open=True)
    return (k - 1) / (2.0 * n)


def hq_ceiling(dim: int, n_std: float = 3.0) -> float:
    """``P(chi2_dim <= n_std^2)``: the probability that a sample of an isotropic Gaussian lies within
    ``n_std`` standard deviations of its centre (``1 - exp(-n_std^2 / 2)`` in 2-D: 0.98889 at 3)."""
    from scipy.stats import chi2

    dim = check_integer(dim, "dim", minimum=1)
    n_std = check_real(n_std, "n_std", lo=0.0, lo_open=True)
    return float(chi2.cdf(n_std ** 2, dim))


def exact_plugin_kl(k: int, n: int) -> tuple[float, float]:
    """Exact expectations of (modes seen, plug-in KL) of ``n`` uniform samples on ``k`` bins, by summing
    over every multinomial count vector (only for tiny ``k`` and ``n``: ``C(n + k - 1, k - 1)`` terms)."""
    from itertools import combinations

    k, n = check_integer(k, "k", minimum=1, maximum=8), check_integer(n, "n", minimum=1, maximum=40)
    e_modes = e_kl = 0.0
    log_total = n * math.log(k)
    for bars in combinations(range(n + k - 1), k - 1):  # stars and bars: every count vector once
        edges = (-1, *bars, n + k - 1)
        counts = [edges[i + 1] - edges[i] - 1 for i in range(k)]
        logp = math.lgamma(n + 1) - sum(math.lgamma(c + 1) for c in counts) - log_total
        p = math.exp(logp)
        e_modes += p * sum(c > 0 for c in counts)
        e_kl += p * sum(c / n * math.log(k * c / n) for c in counts if c)
    return e_modes, e_kl
