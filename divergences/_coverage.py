"""AdaGAN's coverage metric C (docs/theory.md s.5; AdaGAN talk (Tolstikhin); AdaGAN, arXiv 1701.02386, Section 4).

.. math::

    C := P_{data}\\big(p_{model}(X) > t\\big)\\quad\\text{where}\\quad
    P_{model}\\big(p_{model}(Y) > t\\big) = 0.95 .

Reading (fixed once here): the *model* (the generator, e.g. the AdaGAN mixture) supplies the
density and the level ``t``: ``{p_model > t}`` is the model's own 95% highest-density region;
``C`` is the share of the *data* mass inside it. Data the model misses (a dropped mode) lie where
``p_model`` is small and are not covered; ``C = 0.95`` when model and data agree. ``mass``
(default 0.95) is the model mass of the region.

Three estimators:

* :func:`coverage_discrete` -- exact for probability vectors. When the level set
  ``{p_model = t}`` is an atom the region is completed by randomisation so that its model mass
  is exactly ``mass``; ``lower``/``upper`` give the two deterministic readings
  ``P_data(p_model > t)`` and ``P_data(p_model >= t)``.
* :func:`coverage_monte_carlo` -- a known model density (a callable, e.g.
  :meth:`GaussianMixture.pdf`) with model and data samples; returns the plug-in estimate and a
  distribution-free interval (DKW on both samples, union bound) that holds with probability
  ``>= confidence``.
* :func:`coverage_kde` -- model known only by samples: a Gaussian KDE (as ``scipy.stats.gaussian_kde``)
  whose bandwidth factor maximises the leave-one-out log-likelihood of model samples, then the Monte
  Carlo estimator on that density with leave-one-out densities at the model points (its
  interval is conditional on the fitted KDE: the KDE's own bias is not in it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import _int_text, as_pair, check_integer, check_probability, check_real_array

__all__ = [
    "Coverage",
    "GaussianMixture",
    "coverage_discrete",
    "coverage_monte_carlo",
    "coverage_kde",
]


@dataclass(frozen=True)
class Coverage:
    """A coverage value with its bounds.

    Attributes
    ----------
    coverage : float
        The point value of ``C`` (exact for :func:`coverage_discrete`, the plug-in estimate
        otherwise).
    lower, upper : float
        Discrete: ``P_data(p_model > t)`` and ``P_data(p_model >= t)`` (exact). Samples: a
        confidence interval at level ``confidence``.
    threshold : float
        The level ``t`` (its estimate for samples).
    mass : float
        Model mass of the high-density region (0.95 in the paper).
    method : str
        ``"discrete"``, ``"monte-carlo"`` or ``"kde"``.
    confidence : float or None
        Coverage probability of ``[lower, upper]`` (``None`` when exact).
    bandwidth : float or None
        The KDE bandwidth factor (``gaussian_kde``'s ``bw_method``) chosen by held-out likelihood.
    """

    coverage: float
    lower: float
    upper: float
    threshold: float
    mass: float
    method: str
    confidence: float | None = None
    bandwidth: float | None = None


@dataclass(frozen=True)
class GaussianMixture:
    """A mixture of isotropic Gaussians in ``d`` dimensions (numpy only).

    Attributes
    ----------
    weights : ndarray, shape (K,)
        Mixture weights (a probability vector).
    means : ndarray, shape (K, d)
    stds : ndarray, shape (K,)
        Standard deviation of each (isotropic) component, ``> 0``.
    """

    weights: np.ndarray
    means: np.ndarray
    stds: np.ndarray

    def __post_init__(self):
        from ._validation import as_probability_vector

        w = as_probability_vector(self.weights, "weights")
        m = check_real_array(self.means, "means", allow_scalar=True)
        if m.ndim == 1:
            m = m[:, None]
        s = check_real_array(self.stds, "stds", allow_scalar=True)
        if s.ndim > 1:
            raise ValueError(f"stds must be a number or a 1-D array (one std per component); got shape {s.shape}")
        s = s.reshape(-1)
        if s.size == 1 and w.size > 1:
            s = np.full(w.size, float(s[0]))
        if m.ndim != 2 or m.shape[0] != w.size or s.size != w.size:
            raise ValueError(
                f"means must be (K, d) and stds (K,) with K = len(weights) = {w.size}; "
                f"got means {np.shape(self.means)}, stds {np.shape(self.stds)}"
            )
        if not (np.all(np.isfinite(m)) and np.all(np.isfinite(s)) and np.all(s > 0)):
            raise ValueError(f"means must be finite and stds finite and > 0; got stds={s!r}")
        for name, val in (("weights", w), ("means", m), ("stds", s)):
            val = np.array(val)
            val.setflags(write=False)
            object.__setattr__(self, name, val)

    @property
    def dim(self) -> int:
        return int(self.means.shape[1])

    def _points(self, x) -> np.ndarray:
        x = check_real_array(x, "x", allow_scalar=True)
        if x.ndim == 1 and self.dim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (n, {self.dim}); got {np.shape(x)}")
        if not np.all(np.isfinite(x)):
            i = int(np.flatnonzero(~np.isfinite(x).all(axis=1))[0])
            raise ValueError(f"x must be finite; got x[{i}]={x[i].tolist()!r}")
        return x

    def logpdf(self, x) -> np.ndarray:
        """Log density at the rows of ``x`` (shape ``(n, d)``, or ``(n,)`` when ``d = 1``)."""
        from scipy.special import logsumexp

        x = self._points(x)
        d = self.dim
        sq = ((x[:, None, :] - self.means[None, :, :]) ** 2).sum(-1)  # (n, K)
        with np.errstate(divide="ignore"):
            logw = np.log(self.weights)
        var = self.stds**2
        if np.all(var > 0):
            quad = 0.5 * sq / var
        else:  # std below 1e-154: its square underflows (0 / 0 = nan at a mean); scale first
            with np.errstate(over="ignore"):
                z = (x[:, None, :] - self.means[None, :, :]) / self.stds[None, :, None]
                quad = 0.5 * (z**2).sum(-1)
        comp = logw - d * np.log(self.stds) - 0.5 * d * math.log(2 * math.pi) - quad
        return logsumexp(comp, axis=1)

    def pdf(self, x) -> np.ndarray:
        """Density at the rows of ``x``."""
        return np.exp(self.logpdf(x))

    def sample(self, n, rng=None) -> np.ndarray:
        """``n`` i.i.d. points, shape ``(n, d)``; ``rng`` a ``numpy.random.Generator`` or a seed."""
        n = check_integer(n, "n", minimum=0)
        need = 8 * n * (self.dim + 2)  # the points, the component indices and the normal draws' row
        if need > _MAX_SAMPLE_BYTES:
            gib = f"{need / 2**30:.3g}" if need < 2**1000 else _int_text(need // 2**30)  # no float overflow
            raise ValueError(
                f"n={_int_text(n)} points of dimension {self.dim} need about {gib} GiB, more than "
                f"{_MAX_SAMPLE_BYTES / 2**30:g} GiB; draw them in batches"
            )
        if isinstance(rng, (bool, np.bool_)):
            raise TypeError(f"rng must be a numpy.random.Generator or an integer seed; got rng={rng!r}")
        try:
            rng = np.random.default_rng(rng)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"rng must be a numpy.random.Generator or a non-negative integer seed; "
                            f"got rng={rng!r} ({exc})") from None
        comp = rng.choice(self.weights.size, size=n, p=self.weights)
        return self.means[comp] + self.stds[comp, None] * rng.standard_normal((n, self.dim))


def _check_mass(mass) -> float:
    return check_probability(mass, "mass", open_low=True, open_high=True)


def coverage_discrete(p_data, p_model, *, mass: float = 0.95) -> Coverage:
    """Exact coverage for two probability vectors on one support.

    ``t`` is the largest level with ``P_model(p_model >= t) >= mass``. The region
    ``{p_model > t}`` plus the fraction ``theta`` of the level set ``{p_model = t}`` that makes
    its model mass exactly ``mass`` gives

    .. math::

        C = P_d(p_g > t) + \\theta\\, P_d(p_g = t),\\quad
        \\theta = \\frac{\\text{mass} - P_g(p_g > t)}{P_g(p_g = t)} \\in (0, 1],

    the continuous definition when no level set carries mass. ``lower = P_d(p_g > t)`` and
    ``upper = P_d(p_g >= t)`` are the two deterministic readings. Atoms where the model has no
    mass are never covered.

    Parameters
    ----------
    p_data, p_model : array_like, shape (k,)
    mass : float in (0, 1)

    Returns
    -------
    Coverage

    Examples
    --------
    >>> round(coverage_discrete([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]).coverage, 12)
    0.475
    """
    pd, pg = as_pair(p_data, p_model, ("p_data", "p_model"))
    mass = _check_mass(mass)
    levels, inv = np.unique(pg, return_inverse=True)  # ascending distinct model masses
    model_at = np.bincount(inv, weights=pg, minlength=levels.size)[::-1]  # descending levels
    data_at = np.bincount(inv, weights=pd, minlength=levels.size)[::-1]
    lv = levels[::-1]
    cum = np.cumsum(model_at)
    # the first level whose cumulative model mass reaches `mass` (rounding slack of SUM_ATOL scale)
    j = int(np.argmax(cum >= mass - 1e-12)) if np.any(cum >= mass - 1e-12) else lv.size - 1
    above_model = float(cum[j - 1]) if j > 0 else 0.0
    above_data = float(np.sum(data_at[:j]))
    theta = min(max((mass - above_model) / float(model_at[j]), 0.0), 1.0)
    lower = above_data
    upper = above_data + float(data_at[j])
    cov = lower + theta * float(data_at[j])
    return Coverage(coverage=cov, lower=lower, upper=min(upper, 1.0), threshold=float(lv[j]), mass=mass, method="discrete")


def _dkw_eps(n: int, alpha: float) -> float:
    """Dvoretzky-Kiefer-Wolfowitz (Massart constant): P(sup|F_n - F| > eps) <= 2 exp(-2 n eps^2)."""
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def _coverage_from_values(v_model, u_data, mass, confidence, method, bandwidth=None) -> Coverage:
    """Plug-in coverage and DKW interval from model-density values at model and data samples."""
    v = np.sort(np.asarray(v_model, dtype=float))
    u = np.asarray(u_data, dtype=float)
    m, n = v.size, u.size
    if m == 0 or n == 0:
        raise ValueError(f"need at least one model and one data sample; got {m} model_samples and {n} data_samples")
    for label, vals in (("model_samples", v), ("data_samples", u)):
        if not np.all(np.isfinite(vals)):
            i = int(np.flatnonzero(~np.isfinite(vals))[0])
            raise ValueError(f"model_pdf must be finite at every sample; got {vals[i]!r} at a point of {label}")
    t_hat = float(np.quantile(v, 1.0 - mass))
    cov = float(np.mean(u > t_hat))
    alpha = 1.0 - confidence
    em = _dkw_eps(m, alpha / 2.0)
    en = _dkw_eps(n, alpha / 2.0)
    # t >= v_(i), i = ceil(m (1 - mass - em)); t <= v_(j), j = floor(m (1 - mass + em)) + 1 (1-based)
    i = math.ceil(m * (1.0 - mass - em))
    j = math.floor(m * (1.0 - mass + em)) + 1
    t_lo = -math.inf if i < 1 else float(v[i - 1])
    t_hi = math.inf if j > m else float(v[j - 1])
    lower = max(0.0, float(np.mean(u > t_hi)) - en)
    upper = min(1.0, float(np.mean(u > t_lo)) + en)
    return Coverage(
        coverage=cov, lower=lower, upper=upper, threshold=t_hat, mass=mass, method=method,
        confidence=confidence, bandwidth=bandwidth,
    )


def _as_samples(x, name: str) -> np.ndarray:
    arr = check_real_array(x, name, allow_scalar=True)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must have shape (n,) or (n, d) with n >= 1; got {np.shape(arr)}")
    if not np.all(np.isfinite(arr)):
        i = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ValueError(f"{name} must be finite; got {name}[{i}]={arr[i].tolist()!r}")
    return arr


def coverage_monte_carlo(model_pdf, model_samples, data_samples, *, mass: float = 0.95, confidence: float = 0.99) -> Coverage:
    """Coverage with a known model density, estimated from samples, with a stated error.

    ``t`` is estimated by the empirical ``(1 - mass)``-quantile of ``p_model(Y_j)`` over the
    model samples and ``C`` by the fraction of data samples with ``p_model(X_i) > t``.

    Error statement: with ``eps_m = sqrt(log(4/alpha) / (2 m))`` and
    ``eps_n = sqrt(log(4/alpha) / (2 n))`` (DKW with Massart's constant on both samples,
    ``alpha = 1 - confidence`` split in two), ``t`` lies between the order statistics of
    ``p_model(Y)`` at ranks ``ceil(m (1-mass-eps_m))`` and ``floor(m (1-mass+eps_m)) + 1``,
    and ``C`` -- non-increasing in ``t`` -- lies in ``[lower, upper]``, all with probability
    ``>= confidence`` (for a continuous law of ``p_model(Y)``).

    Parameters
    ----------
    model_pdf : callable
        Vectorised density of the model, ``(n, d)`` (or ``(n,)`` in 1-D) -> ``(n,)``.
    model_samples : array_like, shape (m, d) or (m,)
    data_samples : array_like, shape (n, d) or (n,)
    mass : float in (0, 1)
    confidence : float in (0, 1)

    Returns
    -------
    Coverage
    """
    if not callable(model_pdf):
        raise TypeError(f"model_pdf must be callable; got model_pdf={model_pdf!r} of type {type(model_pdf).__name__}")
    mass = _check_mass(mass)
    confidence = check_probability(confidence, "confidence", open_low=True, open_high=True)
    y = _as_samples(model_samples, "model_samples")
    x = _as_samples(data_samples, "data_samples")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"model_samples and data_samples must have the same dimension; got {y.shape[1]} and {x.shape[1]}")
    sq = (lambda a: a[:, 0]) if y.shape[1] == 1 else (lambda a: a)
    v = np.asarray(model_pdf(sq(y)), dtype=float).reshape(-1)
    u = np.asarray(model_pdf(sq(x)), dtype=float).reshape(-1)
    if v.size != y.shape[0] or u.size != x.shape[0]:
        raise ValueError(
            f"model_pdf must return one density value per sample; got {v.size} values for {y.shape[0]} "
            f"model_samples and {u.size} for {x.shape[0]} data_samples"
        )
    return _coverage_from_values(v, u, mass, confidence, "monte-carlo")


_MAX_SAMPLE_BYTES = 4 * 2**30  # largest sample GaussianMixture.sample draws at once
_CHUNK_BYTES = 64 * 2**20  # memory of one chunk of distances in the KDE
_MAX_BYTES = 2**30  # largest scoring matrix coverage_kde builds


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``a`` and ``b``, clipped at 0."""
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d2, 0.0)


def _lse_gauss(d2: np.ndarray, dmin: np.ndarray, factor: float) -> np.ndarray:
    """``log sum_j exp(-d2_ij / (2 factor^2))`` per row, given the row minima ``dmin`` (stable)."""
    e = (d2 - dmin[:, None]) * (-0.5 / factor**2)  # <= 0, -inf for excluded entries
    np.exp(e, out=e)
    return np.log(e.sum(axis=1)) - 0.5 * dmin / factor**2


def _kde_log_density(query: np.ndarray, centres: np.ndarray, factor: float, log_norm: float, *, exclude_self=False, chunk=1024):
    """``log (1/n') sum_i N(query; centres_i, factor^2 Sigma)`` in whitened coordinates.

    ``exclude_self`` drops the ``j``-th centre from the ``j``-th query (leave-one-out; the
    query set is then a prefix of ``centres``) and divides by ``n - 1``.
    """
    n = centres.shape[0]
    chunk = max(1, min(chunk, _CHUNK_BYTES // (8 * n)))  # a chunk's distance matrix within 64 MiB
    out = np.empty(query.shape[0])
    denom = n - 1 if exclude_self else n
    for s0 in range(0, query.shape[0], chunk):
        d2 = _sq_dists(query[s0 : s0 + chunk], centres)
        if exclude_self:
            rows = np.arange(d2.shape[0])
            d2[rows, s0 + rows] = np.inf
        out[s0 : s0 + chunk] = _lse_gauss(d2, d2.min(axis=1), factor)
    return out - math.log(denom) + log_norm - centres.shape[1] * math.log(factor)


def coverage_kde(
    model_samples,
    data_samples,
    *,
    mass: float = 0.95,
    confidence: float = 0.99,
    bandwidths=None,
    max_select: int = 500,
    seed: int = 0,
    max_kernels: int = 10**9,
) -> Coverage:
    """Coverage when the model is known only by samples: Gaussian KDE, held-out-likelihood bandwidth.

    The KDE of the ``m`` model samples is
    ``p_b(x) = (1/m) sum_j N(x; y_j, b^2 Sigma)`` with ``Sigma`` the sample covariance
    (``ddof=1``), i.e. ``scipy.stats.gaussian_kde(y, bw_method=b)``, computed here in whitened
    coordinates with numpy. The factor ``b`` maximises the *leave-one-out* (held-out)
    log-likelihood ``mean_j log p_{b,-j}(y_j)`` over the candidates, evaluated on at most
    ``max_select`` model points drawn with ``seed`` (the paper, Section 4, chooses the bandwidth
    by cross-validation). The threshold ``t`` is the ``(1 - mass)``-quantile of the
    leave-one-out densities ``p_{b,-j}(y_j)`` of all model points (the density at a sample
    point must not count its own kernel), and ``C`` the fraction of data points with
    ``p_b(x_i) > t``. ``[lower, upper]`` is the DKW interval of :func:`coverage_monte_carlo`,
    conditional on the fitted KDE (the KDE's own bias is not in it).

    Parameters
    ----------
    model_samples : array_like, shape (m, d) or (m,)
        Samples of the model (the generator); ``m >= d + 2``.
    data_samples : array_like, shape (n, d) or (n,)
    mass, confidence : float in (0, 1)
    bandwidths : array_like, optional
        Candidate factors, each in ``[1e-150, 1e150]``. Default: Scott's factor ``m^(-1/(d+4))`` times 10 values log-spaced
        in ``[0.02, 2]`` (small factors matter for well-separated modes), then 9 log-spaced
        values between the two neighbours of the best of those.
    max_select : int
        Most model points used to score the candidates (cost ``19 * max_select * m``).
    seed : int
        Seed of that subset.
    max_kernels : int
        Refuse (``ValueError`` with the count) when the estimate needs more than this many kernel
        evaluations, ``m (m + n) + min(m, max_select) m``: the default ``1e9`` is under a minute
        on one CPU core; ``m = 10^6`` model samples need ``1e12``. Memory is bounded separately:
        densities are computed in chunks of at most 64 MiB, and the scoring matrix
        (``8 min(m, max_select) m`` bytes) must stay below 1 GiB.

    Returns
    -------
    Coverage
        With ``method="kde"`` and the chosen ``bandwidth``.
    """
    mass = _check_mass(mass)
    confidence = check_probability(confidence, "confidence", open_low=True, open_high=True)
    max_select = check_integer(max_select, "max_select", minimum=2)
    seed = check_integer(seed, "seed", minimum=0)
    y = _as_samples(model_samples, "model_samples")
    x = _as_samples(data_samples, "data_samples")
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"model_samples and data_samples must have the same dimension; got {y.shape[1]} and {x.shape[1]}")
    m, d = y.shape
    if m < d + 2:
        raise ValueError(f"model_samples needs at least d + 2 = {d + 2} points; got m={m}")
    max_kernels = check_integer(max_kernels, "max_kernels", minimum=1)
    n_sel = min(m, max_select)
    kernels = m * (m + x.shape[0]) + n_sel * m  # leave-one-out densities, data densities, scoring
    if kernels > max_kernels:
        raise ValueError(
            f"coverage_kde would evaluate {kernels:.3g} kernels (m * (m + n) + min(m, max_select) * m "
            f"with m={m} model and n={x.shape[0]} data samples), more than max_kernels={max_kernels:.3g}; "
            "subsample the model samples (the cost grows like m^2) or raise max_kernels"
        )
    memory = 8 * n_sel * m  # the scoring matrix, kept for every candidate bandwidth
    if memory > _MAX_BYTES:
        raise ValueError(
            f"coverage_kde would hold a {memory / 2**30:.3g} GiB scoring matrix (max_select={max_select} x m={m} "
            f"float64), more than {_MAX_BYTES / 2**30:g} GiB; lower max_select or subsample the model samples"
        )
    cov = np.atleast_2d(np.cov(y.T))
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError as exc:
        raise ValueError("model_samples have a singular covariance (degenerate samples); no Gaussian KDE") from exc
    log_norm = -0.5 * d * math.log(2 * math.pi) - float(np.sum(np.log(np.diag(chol))))
    from scipy.linalg import solve_triangular

    zy = solve_triangular(chol, y.T, lower=True).T
    zx = solve_triangular(chol, x.T, lower=True).T
    # put the scoring subset first so that leave-one-out can drop the diagonal
    perm = np.random.default_rng(seed).permutation(m)
    zy = zy[perm]
    d2 = _sq_dists(zy[:n_sel], zy)
    d2[np.arange(n_sel), np.arange(n_sel)] = np.inf
    dmin = d2.min(axis=1)

    def score(b):
        return float(np.mean(_lse_gauss(d2, dmin, b))) - d * math.log(b)

    if bandwidths is None:
        # coarse grid, then a finer grid between the neighbours of the coarse optimum
        coarse = m ** (-1.0 / (d + 4)) * np.geomspace(0.02, 2.0, 10)
        sc = [score(b) for b in coarse]
        i = int(np.argmax(sc))
        fine = np.geomspace(coarse[max(i - 1, 0)], coarse[min(i + 1, coarse.size - 1)], 9)
        cands = np.concatenate([coarse, fine])
        scores = sc + [score(b) for b in fine]
    else:
        cands = check_real_array(bandwidths, "bandwidths", allow_scalar=True).reshape(-1)
        if cands.size == 0 or not np.all(np.isfinite(cands)) or np.any(cands <= 0):
            raise ValueError(f"bandwidths must be finite positive factors; got {bandwidths!r}")
        if np.any(cands < 1e-150) or np.any(cands > 1e150):  # the kernel squares them: no over/underflow
            raise ValueError(f"bandwidths must be factors in [1e-150, 1e150] (relative to Scott's); got {bandwidths!r}")
        scores = [score(b) for b in cands]
    k = int(np.argmax(scores))
    if not np.isfinite(scores[k]):
        raise ValueError("every candidate bandwidth gave held-out log-likelihood -inf; widen `bandwidths`")
    best = float(cands[k])
    v = np.exp(_kde_log_density(zy, zy, best, log_norm, exclude_self=True))
    u = np.exp(_kde_log_density(zx, zy, best, log_norm))
    return _coverage_from_values(v, u, mass, confidence, "kde", bandwidth=best)
