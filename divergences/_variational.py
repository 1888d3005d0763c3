r"""Variational (Fenchel) lower bounds on f-divergences and the GAN identities (docs/theory.md s.1).

For any witness ``T`` with values in ``dom f*`` (Nguyen, Wainwright & Jordan 2010; f-GAN,
arXiv 1606.00709, Eq. 4; the f-GAN/WGAN lecture; the AdaGAN talk (Tolstikhin)):

.. math::

    D_f(P\|Q) \;\ge\; \mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)],
    \qquad \text{equality at } T^* = f'(dP/dQ).

The GAN value ``V(D, G) = E_P log D + E_Q log(1 - D)`` is the bound of the ``gan`` generator with
``T = log D`` (since ``f*_gan(log D) = -log(1 - D)``); at ``D* = p/(p+q)`` it equals
``2 JSD - log 4`` (Goodfellow et al. 2014, Theorem 1; GAN lecture notes (Shah), Eq. 7). The
"log trick" generator loss ``-E_Q log D*`` is ``D_f(P||Q) + log 2`` for
``f(u) = log(1 + 1/u) - log 2`` (AdaGAN talk (Tolstikhin)), which by the duality
``D_f(P||Q) = D_{f°}(Q||P)``, ``f°(u) = u f(1/u)``, is an f-divergence of Q from P with ``f°(u) = u log(1+u) - u log 2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from ._fdivergence import F_DIVERGENCES, FDivergence, _arr, _inside, _likelihood_ratio, _resolve
from ._validation import as_pair, check_real, check_real_array

__all__ = [
    "VariationalEstimate",
    "variational_lower_bound",
    "variational_lower_bound_samples",
    "optimal_witness",
    "optimal_discriminator",
    "gan_value",
    "log_trick_loss",
    "reverse_f",
]


def _witness_array(witness, k: int, name: str = "witness") -> np.ndarray:
    if isinstance(witness, (str, bytes)) or callable(witness):
        raise TypeError(f"{name} must be an array of witness values, one per atom; got {name}={witness!r}")
    w = check_real_array(witness, name, allow_scalar=True)
    if w.ndim != 1 or w.size != k:
        raise ValueError(f"{name} must have shape ({k},), one value per atom; got shape {w.shape}")
    if np.any(np.isnan(w)):
        raise ValueError(f"{name} must not contain nan; got {name}={w!r}")
    return w


def _bound_terms(fdiv: FDivergence, p: np.ndarray, q: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Atom-wise ``p_i T_i - q_i f*(T_i)`` with the limits of :func:`variational_lower_bound`."""
    lo, hi = fdiv.conjugate_domain
    terms = np.zeros(p.shape, dtype=np.float64)
    charged = (p > 0) | (q > 0)
    _, qpos = _likelihood_ratio(p, q)  # q > 0 with p/q in the float range; others: q = 0 rules
    fin = np.isfinite(t)
    # finite witness values on Q-charged atoms: p T - q f*(T); f* = +inf outside dom f* -> -inf
    m = qpos & fin
    if np.any(m):
        cs = _arr(fdiv.conjugate(t[m]))
        with np.errstate(invalid="ignore", over="ignore"):
            terms[m] = np.where(p[m] > 0, p[m] * t[m], 0.0) - q[m] * cs
    # Q-null, P-charged atoms: p T, admissible for T <= sup dom f* = f'(inf) (closure of dom f*)
    m = (~qpos) & (p > 0)
    if np.any(m):
        tm = t[m]
        terms[m] = np.where(tm <= hi, p[m] * tm, -math.inf)
    # T = +inf on Q-charged atoms: p t - q f*(t) -> -inf (f*(t)/t -> +inf as t -> +inf)
    terms[qpos & (t == math.inf)] = -math.inf
    # T = -inf: -inf on P-charged atoms (f*(t) = o(|t|) as t -> -inf); q f(0+) where p = 0 < q
    terms[(p > 0) & (t == -math.inf)] = -math.inf
    m = (p == 0) & qpos & (t == -math.inf)
    if np.any(m):
        terms[m] = q[m] * fdiv.f_at_zero
    terms[~charged] = 0.0
    return terms


def variational_lower_bound(p, q, witness, f) -> float:
    r"""The Fenchel lower bound ``E_P[T] - E_Q[f*(T)] <= D_f(P||Q)`` for a witness on the atoms.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors (P target, Q generator), as in :func:`f_divergence`.
    witness : array_like, shape (k,)
        ``T_i``, the witness (critic/discriminator output) on atom ``i``. Values in
        ``[-inf, inf]``; ``nan`` is rejected.
    f : FDivergence or str

    Returns
    -------
    float
        The bound, a **lower** bound on ``D_f(P||Q)`` for every witness, with equality at
        :func:`optimal_witness`. Conventions, atom by atom (``0 * anything = 0`` on atoms with
        ``p_i = q_i = 0``):

        * a value outside ``dom f*`` on an atom with ``q_i > 0`` gives ``E_Q f*(T) = inf``, so the
          bound is ``-inf``;
        * on atoms with ``q_i = 0 < p_i`` the term is ``p_i T_i``; values above
          ``sup dom f* = f'(inf)`` are not admissible (they would break the bound) and make it
          ``-inf``; ``T_i = f'(inf)`` is allowed (the limit, ``+inf`` for KL);
        * infinite values are read as limits: ``T_i = -inf`` gives ``-inf`` if ``p_i > 0`` and
          ``q_i f(0+)`` if ``p_i = 0``; ``T_i = +inf`` gives ``-inf`` if ``q_i > 0``;
        * a finite ``T_i`` inside ``dom f*`` whose ``f*(T_i)`` overflows the float range gives
          ``-inf`` for its term (a valid but loose lower bound); when another atom's term is
          ``+inf`` the bound is ``+inf`` (the exact sum).

    Raises
    ------
    ValueError
        Bad ``p``/``q``; ``witness`` of the wrong shape or with ``nan``; or terms ``+inf`` and
        ``-inf`` at once (the bound is undefined).

    References
    ----------
    Nowozin, Cseke, Tomioka, "f-GAN", NIPS 2016 (arXiv 1606.00709), Eq. (4)-(5).

    Examples
    --------
    >>> from modecollapse.divergences import kl_divergence
    >>> p, q = [0.5, 0.5], [0.25, 0.75]
    >>> T = optimal_witness(p, q, "kl")
    >>> abs(variational_lower_bound(p, q, T, "kl") - kl_divergence(p, q)) < 1e-15
    True
    """
    fdiv = _resolve(f)
    a, b = as_pair(p, q)
    t = _witness_array(witness, a.size)
    terms = _bound_terms(fdiv, a, b, t)
    if np.any(terms == math.inf) and np.any(terms == -math.inf):
        # A -inf from q_i f*(T_i) overflowing (T_i finite and inside dom f*, e.g. Pearson's
        # f*(T) = T + T^2/4 at T = 1e160) is finite in exact arithmetic: the bound is +inf.
        _, qpos = _likelihood_ratio(a, b)
        neg = terms == -math.inf
        overflow = neg & qpos & np.isfinite(t) & fdiv.in_conjugate_domain(t)
        if np.all(overflow[neg]):
            return math.inf
        raise ValueError(
            "witness gives +inf on some atoms and -inf on others: E_P[T] - E_Q[f*(T)] is undefined; "
            f"got witness={t!r}"
        )
    return float(np.sum(terms))


@dataclass(frozen=True)
class VariationalEstimate:
    """Monte-Carlo estimate of ``E_P[T] - E_Q[f*(T)]`` from witness values on samples.

    Attributes
    ----------
    value : float
        ``mean(t_p) - mean(f*(t_q))``: an unbiased estimate of the bound, itself a lower bound on
        ``D_f(P||Q)`` in expectation (not for every draw).
    stderr : float
        ``sqrt(var(t_p)/n_p + var(f*(t_q))/n_q)`` (sample variances, ``ddof=1``; P- and
        Q-samples independent).
    mean_p, mean_conjugate_q : float
        The two averages.
    n_p, n_q : int
        Sample sizes.
    """

    value: float
    stderr: float
    mean_p: float
    mean_conjugate_q: float
    n_p: int
    n_q: int

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """Normal-approximation interval ``value -+ z * stderr`` (``z = 1.96``: about 95%)."""
        z = check_real(z, "z", lo=0.0, lo_open=True)
        return (self.value - z * self.stderr, self.value + z * self.stderr)


def _samples(x, name: str) -> np.ndarray:
    a = check_real_array(x, name, allow_scalar=True)
    if a.ndim != 1 or a.size < 2:
        raise ValueError(f"{name} must be 1-D with at least 2 samples (for a standard error); got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        i = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ValueError(f"{name} must be finite; got {name}[{i}]={float(a[i])!r}")
    return a


def _scaled_mean_sd(x: np.ndarray) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``) of finite ``x`` without overflow."""
    scale = float(np.max(np.abs(x)))
    if scale == 0.0:
        return 0.0, 0.0
    z = x / scale
    return scale * (math.fsum(z) / z.size), scale * float(np.std(z, ddof=1))


def variational_lower_bound_samples(t_p, t_q, f) -> VariationalEstimate:
    r"""Estimate ``E_P[T] - E_Q[f*(T)]`` from ``t_p = T(x_i), x_i ~ P`` and ``t_q = T(y_j), y_j ~ Q``.

    Parameters
    ----------
    t_p : array_like, shape (n_p,)
        Witness values on samples from P (the target), ``n_p >= 2``.
    t_q : array_like, shape (n_q,)
        Witness values on samples from Q (the generator), ``n_q >= 2``.
    f : FDivergence or str

    Returns
    -------
    VariationalEstimate
        ``value`` and ``stderr``. The estimate is unbiased for the bound; being a lower bound
        on ``D_f`` holds for its expectation, not for each draw.

    Raises
    ------
    ValueError
        If a value is not finite or lies outside ``dom f*`` (the witness is not admissible;
        usually the f-GAN ``output_activation`` was not applied). Unlike
        :func:`variational_lower_bound`, which returns the exact ``-inf``, a sample estimate of
        ``-inf`` carries no information, so this is an error.
    """
    fdiv = _resolve(f)
    a = _samples(t_p, "t_p")
    b = _samples(t_q, "t_q")
    for name, x in (("t_p", a), ("t_q", b)):
        bad = ~fdiv.in_conjugate_domain(x)
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{name} must lie in dom f* = {fdiv.conjugate_domain} for {fdiv.name!r}; got {name}[{i}]={float(x[i])!r} "
                "(apply the FDivergence's output_activation to the critic's raw output)"
            )
    cb = _arr(fdiv.conjugate(b))
    with np.errstate(over="ignore", invalid="ignore"):
        mp, mq = float(np.mean(a)), float(np.mean(cb))
        se = math.sqrt(float(np.var(a, ddof=1)) / a.size + float(np.var(cb, ddof=1)) / b.size)
    if not (math.isfinite(mp) and math.isfinite(mq) and math.isfinite(se) and math.isfinite(mp - mq)):
        # finite values near the float limit (e.g. -1e308) overflow the plain sums: scaled sums
        mp, sp = _scaled_mean_sd(a)
        mq, sq = _scaled_mean_sd(cb)
        se = math.hypot(sp / math.sqrt(a.size), sq / math.sqrt(b.size))
        if not (math.isfinite(mp - mq) and math.isfinite(se)):
            raise ValueError(
                f"the estimate of E_P[T] - E_Q[f*(T)] for {fdiv.name!r} is beyond the float range "
                f"(mean(t_p)={mp!r}, mean(f*(t_q))={mq!r}); rescale the critic"
            )
    return VariationalEstimate(value=mp - mq, stderr=se, mean_p=mp, mean_conjugate_q=mq, n_p=a.size, n_q=b.size)


def optimal_witness(p, q, f) -> np.ndarray:
    r"""The witness ``T* = f'(p/q)`` attaining the variational bound (f-GAN Eq. 5).

    Atoms with ``q_i = 0 < p_i`` get ``f'(inf)`` (``+inf`` for KL; the sup of ``dom f*``); atoms
    with ``p_i = 0 < q_i`` get ``f'(0+)`` (often ``-inf``); atoms with ``p_i = q_i = 0`` carry no
    mass and get ``f'(1)``. With these values
    ``variational_lower_bound(p, q, optimal_witness(p, q, f), f) == f_divergence(p, q, f)`` up to
    round-off, including when both are ``inf``.

    On atoms with ``p_i, q_i > 0`` the value is kept inside ``dom f*`` in floating point: when
    ``f'(p_i/q_i)`` rounds onto an open end of the domain (e.g. Jensen-Shannon or ``gan`` with
    ``q_i = 1e-20``, where ``f'`` is within an ulp of ``sup dom f*``) the nearest float inside is
    returned, and when it overflows to ``-inf`` (``reverse_kl``, ``neyman``, ``log_trick`` at
    subnormal ratios) the most negative float is. The bound at the witness is then finite; in
    the overflow case ``f'(p_i/q_i)`` lies beyond the float range, no float witness attains
    ``D_f`` and the bound is the best one a float witness reaches, below ``D_f``.

    Returns
    -------
    ndarray, shape (k,)
    """
    fdiv = _resolve(f)
    a, b = as_pair(p, q)
    out = np.empty(a.shape, dtype=np.float64)
    ratio, pos = _likelihood_ratio(a, b)  # overflowing p/q counts as q = 0 (see f_divergence)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out[pos] = _arr(fdiv.f_prime(ratio[pos]))
    lo, hi = fdiv.conjugate_domain
    live = pos & (a > 0)  # p, q > 0: the witness must be a finite value inside dom f*
    if math.isfinite(hi) and not fdiv.domain_closed[1]:
        top = float(np.nextafter(hi, -math.inf))
        out[live & (out > top)] = top
    bottom = (
        -float(np.finfo(np.float64).max)
        if not math.isfinite(lo)
        else (lo if fdiv.domain_closed[0] else float(np.nextafter(lo, math.inf)))
    )
    out[live & (out < bottom)] = bottom
    out[(~pos) & (a > 0)] = fdiv.f_prime_inf
    out[(~pos) & (a == 0)] = float(_arr(fdiv.f_prime(np.array([1.0])))[0])
    return out


def optimal_discriminator(p, q) -> np.ndarray:
    r"""``D*(x) = p(x) / (p(x) + q(x))``, the Bayes-optimal "real vs generated" discriminator.

    Goodfellow et al. 2014, Proposition 1 (GAN lecture notes (Shah)). Atoms with ``p = q = 0``
    get ``1/2`` (no mass; any value is optimal). Note ``log D* = f'_gan(p/q)`` is the optimal witness of ``gan``.

    Returns
    -------
    ndarray, shape (k,), values in [0, 1]
    """
    a, b = as_pair(p, q)
    s = a + b
    out = np.full(a.shape, 0.5)
    pos = s > 0
    out[pos] = a[pos] / s[pos]
    return out


def _discriminator(d, k: int) -> np.ndarray:
    w = _witness_array(d, k, "d")
    if np.any((w < 0) | (w > 1)):
        i = int(np.flatnonzero((w < 0) | (w > 1))[0])
        raise ValueError(f"d must be a probability in [0, 1] on every atom; got d[{i}]={float(w[i])!r}")
    return w


def gan_value(p, q, d) -> float:
    r"""The GAN objective ``V(D, G) = E_P[log D] + E_Q[log(1 - D)]`` for discriminator values ``d``.

    ``0 log 0 = 0`` on atoms without mass (``scipy.special.xlogy``); ``-inf`` if ``D = 0`` on a
    P-charged or ``D = 1`` on a Q-charged atom. ``V(D, G) <= V(D*, G) = 2 JSD(P, Q) - log 4``
    (Goodfellow et al. 2014, Theorem 1; GAN lecture notes (Shah), Eq. 7), and ``V(D, G)`` equals
    ``variational_lower_bound(p, q, log d, "gan")``.

    Parameters
    ----------
    p, q : array_like, shape (k,)
    d : array_like, shape (k,)
        ``D(x_i) in [0, 1]``, the probability the discriminator assigns to "real".
    """
    a, b = as_pair(p, q)
    w = _discriminator(d, a.size)
    with np.errstate(divide="ignore"):
        return float(np.sum(xlogy(a, w)) + np.sum(xlogy(b, 1.0 - w)))


def log_trick_loss(p, q, d) -> float:
    r"""The non-saturating ("log trick") generator loss ``-E_Q[log D]``.

    AdaGAN talk (Tolstikhin); Goodfellow et al. 2014, Section 3.

    At ``D* = p/(p+q)`` it equals ``E_Q[log(1 + q/p)] = D_{log_trick}(P||Q) + log 2`` with
    ``f(u) = log(1 + 1/u) - log 2``; equivalently ``D_{f°}(Q||P) + log 2`` with
    ``f°(u) = u log(1+u) - u log 2`` (see :func:`reverse_f`). ``inf`` if ``D = 0`` on a
    Q-charged atom. ``p`` is validated (and fixes ``k``) but does not enter the formula.
    """
    a, b = as_pair(p, q)
    w = _discriminator(d, a.size)
    with np.errstate(divide="ignore"):
        return float(-np.sum(xlogy(b, w)))


# ----------------------------------------------------------------------------------------------
# f / f° duality
# ----------------------------------------------------------------------------------------------

# Registered generators whose reverse f°(u) = u f(1/u) is again registered (exact closed forms).
_REVERSE_NAMES = {
    "kl": "reverse_kl",
    "reverse_kl": "kl",
    "pearson": "neyman",
    "neyman": "pearson",
    "squared_hellinger": "squared_hellinger",
    "jensen_shannon": "jensen_shannon",
    "jsd": "jsd",
    "gan": "gan",
    "total_variation": "total_variation",
}

_SIGN = np.int64(-0x8000000000000000)
_MAG = np.int64(0x7FFFFFFFFFFFFFFF)


def _ordered_key(x: np.ndarray) -> np.ndarray:
    """Map doubles to int64 preserving order (bisection over the floats in <= 64 steps)."""
    bits = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
    return np.where(bits >= 0, bits, -(bits & _MAG))


def _from_key(k: np.ndarray) -> np.ndarray:
    bits = np.where(k >= 0, k, (-k) | _SIGN)
    return np.ascontiguousarray(bits, dtype=np.int64).view(np.float64)


def _boundary(pred, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Largest float ``r`` in ``[lo, hi)`` with ``pred(r)`` true, given ``pred(lo)`` true, ``pred(hi)`` false."""
    klo, khi = _ordered_key(lo), _ordered_key(hi)
    for _ in range(70):
        active = khi - 1 > klo  # (khi - klo can overflow int64)
        if not np.any(active):
            break
        mid = klo // 2 + khi // 2 + ((klo % 2 + khi % 2) // 2)
        ok = pred(_from_key(mid))
        klo = np.where(active & ok, mid, klo)
        khi = np.where(active & ~ok, mid, khi)
    return _from_key(klo)


def _reverse_conjugate(base: FDivergence):
    r"""``(f°)*(t) = -sup{r : f*(r) <= -t}`` (derived from ``(f°)*(t) = sup_v (t - f(v))/v``)."""
    lo, hi = base.conjugate_domain
    f0 = base.f_at_zero
    with np.errstate(divide="ignore", invalid="ignore"):
        fp0 = float(_arr(base.f_prime(np.array([0.0])))[0])

    def conj(t):
        with np.errstate(all="ignore"):  # doubling searches may overflow to inf; handled below
            return _conj(t)

    def _conj(t):
        t = _arr(t)
        shape = t.shape
        t = t.reshape(-1).copy()
        out = np.full(t.shape, math.inf)
        nan = np.isnan(t)
        out[nan] = math.nan
        # t > f(0+): {r : f*(r) <= -t} is empty -> +inf. t = f(0+) finite: boundary r = f'(0+).
        live = (~nan) & (t < f0)
        if f0 < math.inf:
            at = (~nan) & (t == f0)
            out[at] = -fp0 if fp0 > -math.inf else math.inf
        out[(~nan) & (t == -math.inf)] = -base.f_prime_inf  # lim_{t->-inf} (f°)*(t) = -f°(0) = -f'(inf)
        live &= t > -math.inf
        if not np.any(live):
            return out.reshape(shape)
        tl = t[live]
        target = -tl

        def pred(r, tgt=target):
            with np.errstate(all="ignore"):
                return _arr(base.conjugate(r)) <= tgt

        # upper end: hi itself if admissible, else hi (open) / a doubling search when hi = inf
        res = np.empty(tl.shape)
        done = np.zeros(tl.shape, dtype=bool)
        if math.isfinite(hi):
            if base.domain_closed[1]:
                top_ok = pred(np.full(tl.shape, hi))
                res[top_ok] = hi
                done |= top_ok
            r_hi = np.full(tl.shape, hi)
        else:
            r_hi = np.ones(tl.shape)
            for _ in range(1100):
                grow = pred(r_hi) & np.isfinite(r_hi)
                if not np.any(grow):
                    break
                r_hi = np.where(grow, 2.0 * r_hi, r_hi)
        r_lo = np.minimum(-1.0, r_hi - 1.0)
        for _ in range(1100):
            shrink = ~pred(r_lo) & np.isfinite(r_lo)
            if not np.any(shrink):
                break
            r_lo = np.where(shrink, 2.0 * r_lo, r_lo)
        empty = ~pred(r_lo)  # boundary below -1e308: (f°)* beyond the float range
        res[empty & ~done] = math.inf
        todo = ~done & ~empty
        if np.any(todo):
            sub = target[todo]
            res[todo] = -_boundary(lambda r: pred(r, sub), r_lo[todo], r_hi[todo])
        res[done] = -res[done]
        out[live] = res
        return out.reshape(shape)

    return conj


def reverse_f(f) -> FDivergence:
    r"""The reversed generator ``f°(u) = u f(1/u)``: ``D_f(P||Q) = D_{f°}(Q||P)``.

    ``f°`` is convex with ``f°(1) = f(1)``, ``f°(0+) = f'(inf)``, ``f°'(inf) = f(0+)`` and
    ``f°'(u) = f(1/u) - f'(1/u)/u`` (``f°'(0+) = -f*(f'(inf))``). For registered generators whose
    reverse is registered (``kl`` <-> ``reverse_kl``, ``pearson`` <-> ``neyman``; self-dual:
    ``squared_hellinger``, ``jensen_shannon``, ``jsd``, ``gan``, ``total_variation``) the
    registered entry with its closed-form conjugate is returned. Otherwise (``log_trick``, user
    generators) the conjugate is computed numerically from ``f*``:

    .. math:: (f^\circ)^*(t) = \sup_{v>0} \frac{t - f(v)}{v} = -\sup\{r : f^*(r) \le -t\},

    by bisection over the floats (exact to one ulp of ``r`` given ``f*``), domain
    ``(-inf, f(0+)]``. The output activation of a numeric reverse is ``f(0+) - exp(-v)`` (identity
    when ``f(0+) = inf``).

    Examples
    --------
    >>> from modecollapse.divergences import f_divergence
    >>> reverse_f("kl").name
    'reverse_kl'
    >>> lt = reverse_f("log_trick")
    >>> p, q = [0.2, 0.8], [0.6, 0.4]
    >>> abs(f_divergence(p, q, "log_trick") - f_divergence(q, p, lt)) < 1e-12
    True
    """
    base = _resolve(f)
    if base.name in _REVERSE_NAMES and F_DIVERGENCES.get(base.name) is base:
        return F_DIVERGENCES[_REVERSE_NAMES[base.name]]
    f0 = base.f_at_zero
    fpi = base.f_prime_inf
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fp0 = float(_arr(base.f_prime(np.array([0.0])))[0])
        conj_at_fpi = float(_arr(base.conjugate(np.array([fpi])))[0]) if math.isfinite(fpi) else math.inf

    def g(u):
        u = _arr(u)
        out = np.full(u.shape, math.inf)
        out[np.isnan(u)] = math.nan
        pos = u > 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out[pos] = u[pos] * _arr(base.f(1.0 / u[pos]))
        out[u == 0] = fpi
        return out

    def g_prime(u):
        u = _arr(u)
        out = np.full(u.shape, math.nan)
        pos = u > 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            v = 1.0 / u[pos]
            out[pos] = _arr(base.f(v)) - _arr(base.f_prime(v)) * v
        out[u == 0] = -conj_at_fpi
        return out

    if math.isinf(f0):
        act = lambda v: _arr(v) + 0.0  # noqa: E731
        closed_hi = False
    else:
        closed_hi = fp0 > -math.inf
        act = _inside(lambda v: f0 - np.exp(-_arr(v)), -math.inf, f0, closed_hi)
    return FDivergence(
        name=f"reverse({base.name})",
        f=g,
        f_prime=g_prime,
        conjugate=_reverse_conjugate(base),
        conjugate_domain=(-math.inf, f0),
        output_activation=act,
        f_prime_inf=f0,
        domain_closed=(False, closed_hi),
        quantity=f"[{base.quantity}] with P and Q swapped: D_f°(P||Q) = D_f(Q||P)",
    )
