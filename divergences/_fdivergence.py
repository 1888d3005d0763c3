r"""f-divergences: the :class:`FDivergence` value type, the registry, ``D_f``, TV, KL and JS.

Conventions (``docs/theory.md`` s.0-1)
----------------------------------------
A discrete pair is two probability vectors ``p, q`` on one support; **P is the target (real
data), Q the generator** and Q is the reference measure:

.. math::

    D_f(P\|Q) = \sum_i q_i\, f(p_i / q_i),

with ``f`` convex on ``[0, inf)`` and the limits

* ``0 f(0/0) = 0`` (atoms where both masses vanish contribute nothing);
* ``0 f(a/0) = a * f'(inf)`` with ``f'(inf) = lim_{u->inf} f(u)/u`` (P-mass where Q has none);
  this is ``+inf`` for KL, Pearson and friends, finite for TV, JS, Neyman, Hellinger.

These limits are implemented in exactly one place, :func:`_perspective_terms`, which every
f-divergence in the toolkit goes through. ``kl_divergence`` and ``js_divergence`` use
:func:`scipy.special.rel_entr`, whose conventions (``0 log 0 = 0``, ``a log(a/0) = inf``) are
the same limits for ``f(u) = u log u``; the tests check that both paths agree at the edges.
Infinite divergences are ``inf``, never ``nan``.

Each registered :class:`FDivergence` carries ``f``, ``f'``, the Fenchel conjugate
``f*(t) = sup_{u >= 0} (t u - f(u))``, the effective domain of ``f*``, and the f-GAN output
activation ``g_f`` (Nowozin et al. 2016, "f-GAN", arXiv 1606.00709, Table 2; for ``log_trick``,
which the table lacks, ``-exp(-v)``) mapping the reals into that domain.

Conjugates are the exact conjugates of ``f`` restricted to ``u >= 0`` (the only values a
likelihood ratio takes). Two of them therefore differ from f-GAN Table 2 outside the range of
``f'``: Pearson (f-GAN: ``t + t^2/4`` for all t, exact: ``-1`` for ``t < -2``) and TV (f-GAN:
``t`` on ``|t| <= 1/2``, exact: ``max(t, -1/2)`` on ``t <= 1/2``). The f-GAN forms are larger,
so they give valid but looser variational bounds; on the range of ``f'`` (where the optimal
witness lives) both agree.
"""

from __future__ import annotations

import math
import numbers
import types
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
from scipy.special import rel_entr, xlogy

from ._validation import _int_text, as_pair, check_real, check_real_array

__all__ = [
    "FDivergence",
    "F_DIVERGENCES",
    "get_f_divergence",
    "f_divergence",
    "tv_distance",
    "kl_divergence",
    "js_divergence",
]

_LOG2 = math.log(2.0)

# Likelihood ratios from which f(u) may overflow (u log u > 1.8e308 from u ~ 2.5e305 on): a
# non-finite f there is read as the q -> 0 limit p f'(inf) (relative error O(log(u) / u)).
_HUGE_RATIO = 1e300

ArrayFn = Callable[[np.ndarray], np.ndarray]


def _arr(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


class UserFunctionError(ValueError):
    """A callable of an :class:`FDivergence` raised; the message names the divergence and the callable."""


def _guarded(fn: ArrayFn, div_name: str, attr: str) -> ArrayFn:
    """``fn`` whose exceptions are re-raised as :class:`UserFunctionError` naming ``attr`` of ``div_name``."""
    if getattr(fn, "_guarded_for", None) is not None:
        return fn

    def call(x):
        try:
            return fn(x)
        except UserFunctionError:
            raise
        except Exception as exc:
            shape = getattr(x, "shape", None)
            raise UserFunctionError(
                f"{attr} of FDivergence {div_name!r} raised {type(exc).__name__}: {exc} "
                f"(called on an array of shape {shape}; it must be vectorised: array in, array out)"
            ) from exc

    call._guarded_for = (div_name, attr)
    call.__wrapped__ = fn
    return call


def _where_ok(u: np.ndarray, ok: np.ndarray, fn: ArrayFn, fill: float) -> np.ndarray:
    """``fn(u)`` where ``ok``, ``fill`` elsewhere; ``nan`` inputs stay ``nan``; no warnings."""
    out = np.full(u.shape, fill, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if np.any(ok):
            out[ok] = fn(u[ok])
    out[np.isnan(u)] = np.nan
    return out


# ----------------------------------------------------------------------------------------------
# The value type
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FDivergence:
    r"""A convex generator ``f`` with its derivative, Fenchel conjugate and f-GAN activation.

    ``D_f(P||Q) = sum_i q_i f(p_i/q_i)`` (Csiszar / f-GAN order, Q the reference; see the module
    docstring for the limits at ``q_i = 0``). Instances are immutable values; build your own by
    calling the constructor with vectorised numpy callables.

    Parameters
    ----------
    name : str
        Registry key / label.
    f : callable
        ``f(u)`` for ``u >= 0`` (array in, array out), convex, finite on ``(0, inf)``. At ``u = 0``
        it must return the limit ``f(0+)`` (possibly ``+inf``). Convex-analysis convention:
        ``+inf`` for ``u < 0``.
    f_prime : callable
        ``f'(u)`` on ``[0, inf)`` (a subgradient where ``f`` has a kink; ``f'(0+)`` at 0, possibly
        ``-inf``).
    conjugate : callable
        Fenchel conjugate ``f*(t) = sup_{u >= 0} (t u - f(u))``; ``+inf`` outside the effective
        domain (including an open endpoint).
    conjugate_domain : (float, float)
        Endpoints ``(lo, hi)`` of the effective domain of ``f*`` (``-inf``/``inf`` allowed).
    output_activation : callable
        f-GAN output activation ``g_f`` mapping the reals into the domain of ``f*``
        (f-GAN, arXiv 1606.00709, Table 2). The registered activations (and those of
        :meth:`scaled` and :func:`reverse_f`) stay strictly inside an open end of the domain in
        floating point too: outputs that would round onto it are moved to the nearest float
        inside, so ``conjugate(output_activation(v))`` is finite for every finite ``v``.
    f_prime_inf : float
        ``f'(inf) = lim_{u->inf} f(u)/u``, possibly ``inf``. Needed for P-mass on atoms where
        ``q = 0``: ``0 f(a/0) = a f'(inf)``. It equals ``lim f'(u)`` and ``sup`` of the domain of
        ``f*``.
    domain_closed : (bool, bool)
        Whether ``lo`` / ``hi`` belong to the domain of ``f*`` (e.g. TV: ``f*(1/2)`` is finite).
    quantity : str
        Which quantity ``D_f`` is, in words (e.g. ``"2*JSD(P,Q)"``). Read this before comparing
        with a paper: conventions differ by factors of 2 and by additive constants.

    Notes
    -----
    Instances compare by identity (callables have no meaningful equality); ``f_at_one`` and
    ``f_at_zero`` (``f(1)`` and ``f(0+)``) are computed at construction.

    ``D_f >= f(1)`` always (Jensen); ``f(1) = 0`` for every registered entry except ``gan``,
    whose ``f(1) = -log 4`` so that ``D_gan = 2 JSD - log 4`` is the GAN value at the optimal
    discriminator (f-GAN Table 1). :meth:`divergence` rounds results below ``f(1)`` up to it.
    """

    name: str
    f: ArrayFn
    f_prime: ArrayFn
    conjugate: ArrayFn
    conjugate_domain: tuple[float, float]
    output_activation: ArrayFn
    f_prime_inf: float
    domain_closed: tuple[bool, bool] = (False, False)
    quantity: str = ""
    f_at_one: float = field(init=False, repr=False)
    f_at_zero: float = field(init=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty str; got name={self.name!r}")
        for attr in ("f", "f_prime", "conjugate", "output_activation"):
            if not callable(getattr(self, attr)):
                raise TypeError(f"{attr} must be callable; got {attr}={getattr(self, attr)!r}")
            object.__setattr__(self, attr, _guarded(getattr(self, attr), self.name, attr))
        dom = self.conjugate_domain
        try:
            if isinstance(dom, (str, bytes)) or any(isinstance(d, (str, bytes, np.str_)) for d in dom):
                raise TypeError  # float('0.5') would convert
            lo, hi = (float(dom[0]), float(dom[1]))
            if len(dom) != 2:
                raise ValueError
        except Exception as exc:
            raise ValueError(f"conjugate_domain must be a pair (lo, hi); got conjugate_domain={dom!r}") from exc
        if math.isnan(lo) or math.isnan(hi) or not lo < hi:
            raise ValueError(f"conjugate_domain must satisfy lo < hi; got conjugate_domain={dom!r}")
        dc = self.domain_closed
        if not isinstance(dc, (tuple, list)) or not all(isinstance(c, (bool, np.bool_)) for c in dc):
            raise TypeError(f"domain_closed must be a pair of bools; got domain_closed={dc!r}")
        closed = tuple(bool(c) for c in dc)
        if len(closed) != 2 or (closed[0] and math.isinf(lo)) or (closed[1] and math.isinf(hi)):
            raise ValueError(f"domain_closed must be two bools, False at infinite ends; got {self.domain_closed!r}")
        fpi = self.f_prime_inf
        if isinstance(fpi, numbers.Integral) and not isinstance(fpi, bool) and abs(fpi) > 2**1023:
            raise ValueError(f"f_prime_inf must be a real number or inf (lim f(u)/u); got "
                             f"f_prime_inf={_int_text(int(fpi))} (beyond the float range)")
        if not isinstance(self.quantity, str):
            raise TypeError(f"quantity must be a string; got quantity={self.quantity!r}")
        if isinstance(fpi, bool) or not isinstance(fpi, (numbers.Real, np.floating, np.integer)) or math.isnan(fpi) or fpi == -math.inf:
            raise ValueError(f"f_prime_inf must be a real number or inf (lim f(u)/u); got f_prime_inf={fpi!r}")
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # f(0) may be a log(0)
            f1 = float(np.asarray(self.f(np.array([1.0])), dtype=np.float64).reshape(-1)[0])
            f0 = float(np.asarray(self.f(np.array([0.0])), dtype=np.float64).reshape(-1)[0])
        if not math.isfinite(f1):
            raise ValueError(f"f(1) must be finite for an f-divergence; got f(1)={f1!r} for {self.name!r}")
        if math.isnan(f0) or f0 == -math.inf:
            raise ValueError(f"f(0) must return the limit f(0+) in (-inf, inf]; got f(0)={f0!r} for {self.name!r}")
        object.__setattr__(self, "conjugate_domain", (lo, hi))
        object.__setattr__(self, "domain_closed", closed)
        object.__setattr__(self, "f_prime_inf", float(fpi))
        object.__setattr__(self, "f_at_one", f1)
        object.__setattr__(self, "f_at_zero", f0)

    def __repr__(self) -> str:
        return f"FDivergence(name={self.name!r}, quantity={self.quantity!r})"

    def divergence(self, p, q) -> float:
        """``D_f(P||Q) = sum_i q_i f(p_i/q_i)``; same as ``f_divergence(p, q, self)``."""
        return f_divergence(p, q, self)

    def in_conjugate_domain(self, t) -> np.ndarray:
        """Boolean array: is ``t`` in the effective domain of ``f*`` (endpoints per ``domain_closed``).

        Raises
        ------
        TypeError
            If ``t`` is not real numbers (``None``, strings, bools).
        """
        t = check_real_array(t, "t", allow_scalar=True)
        lo, hi = self.conjugate_domain
        above = (t >= lo) if self.domain_closed[0] else (t > lo)
        below = (t <= hi) if self.domain_closed[1] else (t < hi)
        return above & below & np.isfinite(t)

    def scaled(self, c: float, *, name: str | None = None, quantity: str | None = None) -> "FDivergence":
        r"""The generator ``c f`` (``c > 0``): ``D_{cf} = c D_f``.

        Uses ``(c f)*(t) = c f*(t/c)``, domain ``c * dom f*``, activation ``c g_f``,
        ``(c f)'(inf) = c f'(inf)``.
        """
        c = check_real(c, "c", lo=0.0, lo_open=True)
        for label, text in (("name", name), ("quantity", quantity)):
            if text is not None and not isinstance(text, str):
                raise TypeError(f"{label} must be a string or None; got {label}={text!r}")
        base = self
        lo, hi = base.conjugate_domain
        return FDivergence(
            name=name or f"{c:g}*{base.name}",
            f=lambda u: c * _arr(base.f(u)),
            f_prime=lambda u: c * _arr(base.f_prime(u)),
            conjugate=lambda t: c * _arr(base.conjugate(_arr(t) / c)),
            conjugate_domain=(c * lo, c * hi),
            output_activation=_inside(
                lambda v: c * _arr(base.output_activation(v)), c * lo, c * hi, base.domain_closed[1]
            ),
            f_prime_inf=c * base.f_prime_inf,
            domain_closed=base.domain_closed,
            quantity=quantity if quantity is not None else f"{c:g} * [{base.quantity}]",
        )


# ----------------------------------------------------------------------------------------------
# The one place for the edge conventions
# ----------------------------------------------------------------------------------------------


def _likelihood_ratio(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(u, live)``: ``u = p/q`` where ``live``, i.e. ``q > 0`` and ``p/q`` is finite; 0 elsewhere.

    Atoms that are not ``live`` follow the ``q = 0`` conventions (this includes a ``q > 0`` so
    small that ``p/q`` overflows, i.e. ``q < p * 5.6e-309``: its limit is the ``q -> 0`` one).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(q > 0, p / np.where(q > 0, q, 1.0), 0.0)
    live = (q > 0) & np.isfinite(ratio)
    return np.where(live, ratio, 0.0), live


def _perspective_terms(fdiv: FDivergence, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Atom-wise terms of ``D_f(P||Q)``: ``q f(p/q)``, ``0`` where ``p = q = 0``, ``p f'(inf)`` where ``q = 0 < p``.

    The single implementation of the limits of docs/theory.md s.0. Atoms whose ratio ``p/q``
    overflows the float range, or is above ``1e300`` with ``f(p/q)`` overflowing, are given the
    ``q -> 0`` limit ``p f'(inf)`` (exact to double precision when
    ``f'(inf)`` is finite; ``inf`` when it is infinite, although e.g. KL's true term
    ``p log(p/q)`` is then finite: :func:`kl_divergence` handles that case exactly).
    Terms are in ``(-inf, inf]``:
    ``q f(u)`` with ``q > 0`` is never ``-inf`` because ``f > -inf``, and ``f'(inf) > -inf`` for
    convex ``f``; so sums are never ``nan``.
    """
    terms = np.zeros(p.shape, dtype=np.float64)
    ratio, pos = _likelihood_ratio(p, q)
    if np.any(pos):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            vals = _arr(fdiv.f(ratio[pos]))
            terms[pos] = q[pos] * vals
        # f(u) itself overflows (inf, or inf - inf = nan) for u near the float limit although
        # q f(u) ~ p f'(inf) is finite: use that limit there, as for an overflowing ratio
        big = pos & (ratio >= _HUGE_RATIO) & ~np.isfinite(terms)
        if np.any(big):
            terms[big] = p[big] * fdiv.f_prime_inf
    only_p = (~pos) & (p > 0)
    if np.any(only_p):
        terms[only_p] = p[only_p] * fdiv.f_prime_inf
    return terms


def _resolve(f) -> FDivergence:
    if isinstance(f, FDivergence):
        return f
    if isinstance(f, str):
        return get_f_divergence(f)
    raise TypeError(f"f must be an FDivergence or a registry name (str); got f={f!r} of type {type(f).__name__}")


# ----------------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------------


def f_divergence(p, q, f) -> float:
    r"""The f-divergence ``D_f(P||Q) = sum_i q_i f(p_i/q_i)`` (Csiszar; f-GAN Eq. 1).

    Parameters
    ----------
    p, q : array_like, shape (k,)
        Probability vectors (P target, Q generator/reference); validated by
        :func:`modecollapse.divergences._validation.as_pair` (finite, non-negative, sum to 1 within
        ``SUM_ATOL``). Zero atoms are legal.
    f : FDivergence or str
        The generator, or its name in :data:`F_DIVERGENCES`.

    Returns
    -------
    float
        ``D_f`` in ``[f(1), inf]``; ``inf`` when P puts mass where ``q = 0`` and
        ``f'(inf) = inf``. Limits: ``0 f(0/0) = 0``, ``0 f(a/0) = a f'(inf)``. Round-off below
        the Jensen bound ``f(1)`` is rounded up to ``f(1)`` (0 for normalised ``f``). A ratio
        ``p_i/q_i`` beyond the float range (``q_i < p_i * 5.6e-309``) is treated as ``q_i = 0``;
        for KL prefer :func:`kl_divergence`, which stays finite there.

    Raises
    ------
    ValueError
        If ``p`` or ``q`` is not a probability vector or their lengths differ.
    TypeError
        If ``f`` is neither an :class:`FDivergence` nor a string; ``KeyError``-like
        ``ValueError`` listing the names if the string is unknown.

    Examples
    --------
    >>> round(f_divergence([0.5, 0.5], [0.25, 0.75], "kl"), 12)
    0.143841036226
    >>> f_divergence([0.5, 0.5], [1.0, 0.0], "kl")
    inf
    >>> f_divergence([0.5, 0.5], [1.0, 0.0], "total_variation")
    0.5
    """
    fdiv = _resolve(f)
    a, b = as_pair(p, q)
    total = float(np.sum(_perspective_terms(fdiv, a, b)))
    if math.isnan(total):
        raise ValueError(f"f of {fdiv.name!r} returned nan on the likelihood ratios of p and q; check f")
    return max(total, fdiv.f_at_one)


def tv_distance(p, q) -> float:
    r"""Total variation ``d_TV(P,Q) = sup_S |P(S)-Q(S)| = 1/2 sum_i |p_i - q_i|`` in ``[0, 1]``.

    Equals ``f_divergence(p, q, "total_variation")`` (``f(u) = |u-1|/2``), computed directly.

    Examples
    --------
    >>> tv_distance([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])
    0.5
    """
    a, b = as_pair(p, q)
    return float(min(1.0, 0.5 * np.sum(np.abs(a - b))))


def kl_divergence(p, q) -> float:
    r"""Kullback-Leibler divergence ``KL(P||Q) = sum_i p_i log(p_i/q_i)`` in nats.

    Uses :func:`scipy.special.rel_entr` (``0 log(0/q) = 0``, ``p log(p/0) = inf``): the result is
    ``inf`` exactly when P is not absolutely continuous w.r.t. Q. Equals
    ``f_divergence(p, q, "kl")``. Round-off below 0 is returned as 0.

    Examples
    --------
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 12)
    0.143841036226
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    a, b = as_pair(p, q)
    return max(0.0, float(np.sum(rel_entr(a, b))))


def js_divergence(p, q) -> float:
    r"""Jensen-Shannon divergence ``JSD = 1/2 KL(P||M) + 1/2 KL(Q||M)``, ``M = (P+Q)/2``, nats.

    Symmetric, in ``[0, log 2]`` (``log 2`` iff disjoint supports); ``sqrt(JSD)`` is a metric.
    Note the factor: the registry entry ``"jensen_shannon"`` (the generator of the seeds and
    f-GAN Table 1, ``f(u) = u log u - (u+1) log((u+1)/2)``) has ``D_f = 2 JSD``; the entry
    ``"jsd"`` is half of it and has ``D_f = JSD``. The GAN value at the optimal discriminator is
    ``2 JSD - log 4`` (Goodfellow et al. 2014, Theorem 1). Round-off outside ``[0, log 2]`` is
    clipped.

    Examples
    --------
    >>> js_divergence([1.0, 0.0], [0.0, 1.0]) == math.log(2)
    True
    """
    a, b = as_pair(p, q)
    s = a + b
    m = 0.5 * s
    ta, tb = rel_entr(a, m), rel_entr(b, m)
    under = (m == 0) & (s > 0)  # (a + b) / 2 underflows to 0 at subnormal masses: a / m = 2a / s
    if np.any(under):
        ta[under] = xlogy(a[under], 2.0 * a[under] / s[under])
        tb[under] = xlogy(b[under], 2.0 * b[under] / s[under])
    val = 0.5 * float(np.sum(ta)) + 0.5 * float(np.sum(tb))
    return min(max(val, 0.0), _LOG2)


# ----------------------------------------------------------------------------------------------
# Registered generators (f-GAN Tables 1-2; docs/theory.md s.1)
# ----------------------------------------------------------------------------------------------


def _nonneg(fn: ArrayFn) -> ArrayFn:
    """Wrap ``fn`` defined for ``u >= 0``: ``+inf`` for ``u < 0`` (convex extension)."""

    def wrapped(u):
        u = _arr(u)
        return _where_ok(u, u >= 0, fn, math.inf)

    return wrapped


def _nonneg_prime(fn: ArrayFn) -> ArrayFn:
    """Wrap ``f'`` defined for ``u >= 0``: ``nan`` for ``u < 0`` (no derivative outside the domain)."""

    def wrapped(u):
        u = _arr(u)
        return _where_ok(u, u >= 0, fn, math.nan)

    return wrapped


def _conj(fn: ArrayFn, lo: float, hi: float, *, at_neg_inf: float, closed_hi: bool = False) -> ArrayFn:
    """Wrap a conjugate formula valid on ``(lo, hi)`` (``hi`` included if ``closed_hi``): ``+inf`` elsewhere.

    ``t = -inf`` returns ``at_neg_inf``, the limit ``lim_{t->-inf} f*(t) = -f(0+)``.
    """

    def wrapped(t):
        t = _arr(t)
        ok = (t > lo) & ((t <= hi) if closed_hi else (t < hi))
        out = _where_ok(t, ok, fn, math.inf)
        out[t == -math.inf] = at_neg_inf
        return out

    return wrapped


def _softplus(v):
    return np.logaddexp(0.0, v)


def _inside(fn: ArrayFn, lo: float, hi: float, closed_hi: bool) -> ArrayFn:
    """Wrap an output activation so that finite outputs stay inside ``dom f*`` in floats.

    For large critic outputs an activation such as ``1 - exp(-v)`` rounds onto an open end of
    the domain (``v >= 37.5`` for squared Hellinger and Jensen-Shannon, ``v > 745`` for ``gan``)
    where ``f*`` is ``+inf``, and ``exp`` overflows to ``-inf`` for very negative ``v``. Such
    values are moved to the nearest float inside the domain: ``nextafter(hi, -inf)`` at an open
    upper end, ``-max float`` (or ``nextafter(lo, inf)``) at the lower one. Values already inside
    are returned bit for bit; ``nan`` stays ``nan``.
    """
    top = hi if closed_hi else float(np.nextafter(hi, -math.inf))
    bottom = float(np.nextafter(lo, math.inf)) if math.isfinite(lo) else -float(np.finfo(np.float64).max)

    def wrapped(v):
        with np.errstate(over="ignore"):
            out = _arr(fn(v))
        return np.maximum(np.minimum(out, top), bottom)

    wrapped.__wrapped__ = fn
    return wrapped


def _logtrick_conj(t):
    # f(u) = log(1 + 1/u) - log 2; sup_u t u - f(u) at u = (sqrt(1 - 4/t) - 1)/2 for t < 0.
    # With r = sqrt(-t): value = -2r/(r + sqrt(r^2+4)) + log 2 - 2 asinh(r/2), and log 2 at t = 0.
    r = np.sqrt(-t)
    return -2.0 * r / (r + np.sqrt(r * r + 4.0)) + _LOG2 - 2.0 * np.arcsinh(r / 2.0)


def _tv_conj(t):
    return np.maximum(t, -0.5)


def _pearson_conj(t):
    return np.where(t >= -2.0, t + 0.25 * t * t, -1.0)


def _registry() -> dict[str, FDivergence]:
    inf = math.inf
    entries = [
        FDivergence(
            name="kl",
            f=_nonneg(lambda u: xlogy(u, u)),
            f_prime=_nonneg_prime(lambda u: 1.0 + np.log(u)),
            conjugate=_conj(lambda t: np.exp(t - 1.0), -inf, inf, at_neg_inf=0.0),
            conjugate_domain=(-inf, inf),
            output_activation=lambda v: _arr(v) + 0.0,
            f_prime_inf=inf,
            quantity="KL(P||Q) = sum p log(p/q)",
        ),
        FDivergence(
            name="reverse_kl",
            f=_nonneg(lambda u: -np.log(u)),
            f_prime=_nonneg_prime(lambda u: -1.0 / u),
            conjugate=_conj(lambda t: -1.0 - np.log(-t), -inf, 0.0, at_neg_inf=-inf),
            conjugate_domain=(-inf, 0.0),
            output_activation=_inside(lambda v: -np.exp(-_arr(v)), -inf, 0.0, False),
            f_prime_inf=0.0,
            quantity="KL(Q||P) = sum q log(q/p)",
        ),
        FDivergence(
            name="pearson",
            f=_nonneg(lambda u: (u - 1.0) ** 2),
            f_prime=_nonneg_prime(lambda u: 2.0 * (u - 1.0)),
            conjugate=_conj(_pearson_conj, -inf, inf, at_neg_inf=-1.0),
            conjugate_domain=(-inf, inf),
            output_activation=lambda v: _arr(v) + 0.0,
            f_prime_inf=inf,
            quantity="Pearson chi^2(P||Q) = sum (p-q)^2/q",
        ),
        FDivergence(
            name="neyman",
            f=_nonneg(lambda u: (1.0 - u) ** 2 / u),
            f_prime=_nonneg_prime(lambda u: 1.0 - 1.0 / (u * u)),
            conjugate=_conj(lambda t: 2.0 - 2.0 * np.sqrt(1.0 - t), -inf, 1.0, at_neg_inf=-inf, closed_hi=True),
            conjugate_domain=(-inf, 1.0),
            domain_closed=(False, True),
            output_activation=_inside(lambda v: 1.0 - np.exp(-_arr(v)), -inf, 1.0, True),
            f_prime_inf=1.0,
            quantity="Neyman chi^2(P||Q) = sum (p-q)^2/p = Pearson chi^2(Q||P)",
        ),
        FDivergence(
            name="squared_hellinger",
            f=_nonneg(lambda u: (np.sqrt(u) - 1.0) ** 2),
            f_prime=_nonneg_prime(lambda u: 1.0 - 1.0 / np.sqrt(u)),
            conjugate=_conj(lambda t: t / (1.0 - t), -inf, 1.0, at_neg_inf=-1.0),
            conjugate_domain=(-inf, 1.0),
            output_activation=_inside(lambda v: 1.0 - np.exp(-_arr(v)), -inf, 1.0, False),
            f_prime_inf=1.0,
            quantity="H^2(P,Q) = sum (sqrt p - sqrt q)^2 in [0, 2] (no factor 1/2)",
        ),
        FDivergence(
            name="jensen_shannon",
            f=_nonneg(lambda u: xlogy(u, u) - (u + 1.0) * np.log((u + 1.0) / 2.0)),
            f_prime=_nonneg_prime(lambda u: _LOG2 + np.log(u) - np.log1p(u)),
            conjugate=_conj(lambda t: -np.log(2.0 - np.exp(t)), -inf, _LOG2, at_neg_inf=-_LOG2),
            conjugate_domain=(-inf, _LOG2),
            output_activation=_inside(lambda v: _LOG2 - _softplus(-_arr(v)), -inf, _LOG2, False),
            f_prime_inf=_LOG2,
            quantity="2*JSD(P,Q) = KL(P||M) + KL(Q||M), M=(P+Q)/2 (twice js_divergence)",
        ),
        FDivergence(
            name="gan",
            f=_nonneg(lambda u: xlogy(u, u) - xlogy(u + 1.0, u + 1.0)),
            f_prime=_nonneg_prime(lambda u: np.log(u) - np.log1p(u)),
            conjugate=_conj(lambda t: -np.log(-np.expm1(t)), -inf, 0.0, at_neg_inf=0.0),
            conjugate_domain=(-inf, 0.0),
            output_activation=_inside(lambda v: -_softplus(-_arr(v)), -inf, 0.0, False),
            f_prime_inf=0.0,
            quantity="2*JSD(P,Q) - log 4 in [-log 4, 0] (f(1) = -log 4): the GAN value V(D*, G)",
        ),
        FDivergence(
            name="total_variation",
            f=_nonneg(lambda u: 0.5 * np.abs(u - 1.0)),
            f_prime=_nonneg_prime(lambda u: 0.5 * np.sign(u - 1.0)),
            conjugate=_conj(_tv_conj, -inf, 0.5, at_neg_inf=-0.5, closed_hi=True),
            conjugate_domain=(-inf, 0.5),
            domain_closed=(False, True),
            output_activation=lambda v: 0.5 * np.tanh(_arr(v)),
            f_prime_inf=0.5,
            quantity="d_TV(P,Q) = 1/2 sum |p-q|",
        ),
        FDivergence(
            name="log_trick",
            f=_nonneg(lambda u: np.log1p(1.0 / u) - _LOG2),
            f_prime=_nonneg_prime(lambda u: -1.0 / (u * (u + 1.0))),
            conjugate=_conj(_logtrick_conj, -inf, 0.0, at_neg_inf=-inf, closed_hi=True),
            conjugate_domain=(-inf, 0.0),
            domain_closed=(False, True),
            # not in f-GAN Table 2: -exp(-v) maps the reals onto (-inf, 0), inside dom f*
            output_activation=_inside(lambda v: -np.exp(-_arr(v)), -inf, 0.0, True),
            f_prime_inf=0.0,
            quantity=(
                "E_Q[log(1 + q/p)] - log 2 = -E_Q[log D*] - log 2: the non-saturating ('log trick') "
                "generator loss at the optimal discriminator, minus log 2 (AdaGAN talk (Tolstikhin))"
            ),
        ),
    ]
    reg = {e.name: e for e in entries}
    reg["jsd"] = reg["jensen_shannon"].scaled(
        0.5, name="jsd", quantity="JSD(P,Q) = 1/2 KL(P||M) + 1/2 KL(Q||M) in [0, log 2] (= js_divergence)"
    )
    return reg


#: Read-only mapping name -> :class:`FDivergence`: ``kl``, ``reverse_kl``, ``pearson``,
#: ``neyman``, ``squared_hellinger``, ``jensen_shannon`` (``D_f = 2 JSD``), ``jsd``
#: (``D_f = JSD``), ``gan`` (``D_f = 2 JSD - log 4``), ``total_variation`` (``D_f = d_TV``),
#: ``log_trick``. Each entry's ``quantity`` says which quantity its ``D_f`` is.
F_DIVERGENCES: Mapping[str, FDivergence] = types.MappingProxyType(_registry())


def get_f_divergence(name: str) -> FDivergence:
    """The registered :class:`FDivergence` called ``name``.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is unknown; the message lists the registered names.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; got name={name!r} of type {type(name).__name__}")
    try:
        return F_DIVERGENCES[name]
    except KeyError:
        raise ValueError(f"unknown f-divergence name={name!r}; registered: {sorted(F_DIVERGENCES)}") from None
