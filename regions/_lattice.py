"""Certified packed TV on a lattice of the log-likelihood ratio (private).

Setting (see ``_typeclasses``): the P-only mass ``a`` contributes ``A0 = 1 - (1-a)^m`` exactly;
the finite-ratio classes ``c`` (masses ``P_c, Q_c``, log-ratios ``l_c``) contribute

.. math::  H = \\sum_{x \\in F^m} (P^m(x) - Q^m(x))_+ = E_P[(1 - e^{-L})_+ ; F^m],
           \\qquad L(x) = \\sum_i l_{x_i}

(the privacy-loss random variable of differential privacy; ``H`` is the hockey-stick divergence at
epsilon = 0 of the m-fold composition, as in dp_accounting's PLDs).

Certificate
-----------
Round each ``l_c`` to the nearest lattice point ``h k_c`` (``k_c`` integer) and let
``K(x) = sum_i k_{x_i}``; then ``|L(x) - h K(x)| <= E := m max_c |l_c - h k_c|`` for every sequence.

* **Lower bound** (any test set is one): ``S = {K > 0}`` (plus every sequence with a P-only
  letter) gives ``A0 + P^m(S) - Q^m(S) <= d_TV``. ``P^m(S) = sum_{K>0} P_K`` and
  ``Q^m(S) = sum_{K>0} Q_K`` are read off the *exact* laws ``P_K, Q_K`` of the integer ``K`` under
  P and under Q (two m-fold convolutions of the rounded single-letter laws).
* **Upper bound**: ``S`` and the optimal set ``{L > 0}`` differ only where the rounding can flip the
  sign, i.e. ``|h K| < E``; there ``|P(x) - Q(x)| = P(x) |1 - e^{-L}|`` with ``L`` within ``E`` of
  ``h K``, so

  .. math:: d_{TV} - \\text{lower} \\le G := \\sum_{-E < hK \\le 0} P_K \\,(1 - e^{-(hK + E)})_+
            + \\sum_{0 < hK \\le E} P_K \\,(e^{E - hK} - 1).

  ``G = O(\\rho E^2)`` with ``\\rho`` the density of L at 0: the width shrinks *quadratically* in the
  grid step (dp_accounting's pessimistic/optimistic pair is only linear, ``O(\\rho E)``).

Numerics, all inside the certificate
------------------------------------
* **Window / aliasing**: the laws are computed by a length-N real FFT, i.e. folded modulo N onto a
  window ``[lo, lo + N)``; folding is a group homomorphism, so the computed law is the true one
  plus the mass that lies outside the window, which Chernoff bounds
  ``W(K >= u) <= exp(-t u + m log M_W(t))`` (``t >= 0``, and the mirror image) make smaller than
  ``tau``. Sums over index sets are therefore within ``tau_out`` of the truth (one-sided for ``G``).
* **FFT round-off**: Higham, *Accuracy and Stability of Numerical Algorithms* (2002), Thm 24.2:
  a radix-2-type FFT satisfies ``||fl(F x) - F x||_2 <= eta ||F x||_2`` with
  ``eta ~ log2(N) (mu + gamma_4 (sqrt 2 + mu))``; we take ``eta = 10 log2(N) u`` (``u = 2^-53``,
  twiddles accurate to ``mu <= u`` as in pocketfft) and double it for the real-input transform.
  The m-th power by binary powering multiplies relative errors by at most ``m`` (plus ``m`` complex
  roundings ``gamma = 2 sqrt 2 u``). Propagating through Parseval gives a 2-norm bound
  ``eps_2 = 2 ||x||_2 [m rho^m (eta + gamma)(1 + eta)^2 + eta]`` on the computed law, so a sum over an
  index set ``I`` is within ``sqrt(|I|) eps_2`` (a weighted sum within ``||w_I||_2 eps_2``).
  The tests check that the actual error is orders of magnitude below this bound.
* A sum of ``n`` computed terms, in *any* order (numpy's pairwise sum, ``cumsum``, einsum), is
  within ``gamma_n sum|y|``, ``gamma_n = n u / (1 - n u)`` (Higham 2002, Lemma 3.1 and eq. 3.5);
  all of it is added to the bracket. Dot products use ``einsum`` rather than BLAS (whose threads
  cost milliseconds per call on a loaded machine).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy import fft as _fft
from scipy.signal import lfilter as _lfilter
from scipy.special import logsumexp

from ._typeclasses import _Classes, _one_minus_pow, _pow_mass

__all__: list[str] = []

_U = 2.0**-53


def _gamma(n: int) -> float:
    """``gamma_n = n u / (1 - n u)``: relative error bound of an n-term sum in any order."""
    return n * _U / (1.0 - n * _U)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum a_i b_i`` without BLAS (no thread start-up; the error is covered by ``_gamma``)."""
    return float(np.einsum("i,i->", a, b))


def _l_roundoff(cl: _Classes) -> float:
    """Bound on the error of each computed ``l_c`` (itself a rounded ``log P_c - log Q_c``)."""
    return 4.0 * _U * (1.0 + float(np.max(np.abs(cl.l))))


def _deterministic_E(cl: _Classes, k: np.ndarray, h: float, m: int) -> float:
    """``E``: for every sequence ``|L - hK| <= m (max_c |l_c - h k_c| + l round-off)`` (with slack)."""
    return m * (float(np.max(np.abs(cl.l - h * k))) + _l_roundoff(cl)) * (1.0 + 1e-12)
#: Default largest FFT length of the certified path (rfft of 2^26 points: ~1.6 GB peak, ~4 s).
_MAX_POINTS = 2**26
#: Fraction of the requested width given to each Chernoff tail (window truncation).
_TAIL_SHARE = 1e-3


def _chernoff_hi(logw: np.ndarray, k: np.ndarray, m: int, log_tau: float) -> tuple[float, float]:
    """Smallest ``hi`` (real, on the scale of ``k``) with a certified ``W(K > hi) <= tau``.

    ``K = sum of m i.i.d. letters`` with (sub-probability) weights ``w`` at points ``k``. For
    ``t >= 0``, ``W(K >= u) <= exp(-t u + m log M(t))``, ``M(t) = sum_c w_c e^{t k_c}``; the best ``u``
    for a given ``t`` is the tilted mean ``u(t) = m M'(t)/M(t)``, and the bound decreases in ``t``.
    Returns ``(hi, t)``; ``hi = m max(k)`` (no tail at all) when the bound never drops below tau.
    """
    kmax = float(k.max())
    top = m * kmax
    w = np.exp(logw - logw.max())
    mu = _dot(w, k) / float(w.sum())
    sd = math.sqrt(max(_dot(w, (k - mu) ** 2) / float(w.sum()), 1e-300))
    if sd == 0.0 or sd < 1e-12 * (abs(mu) + 1.0):
        return top, 0.0

    def state(t):
        z = logw + t * k
        zmax = float(z.max())
        e = np.exp(z - zmax)
        s = float(e.sum())
        lm = zmax + math.log(s)
        u = m * _dot(e, k) / s
        return u, -t * u + m * lm

    t = 1.0 / (sd * math.sqrt(m))
    lo_t = 0.0
    for _ in range(200):
        u, lb = state(t)
        if u >= top - 1e-9 * (abs(top) + 1.0):
            return top, t
        if lb <= log_tau:
            break
        lo_t, t = t, 2.0 * t
    else:  # pragma: no cover - the tilted mean reaches the top long before 2^200 doublings
        return top, t
    hi_t = t
    for _ in range(40):  # any t >= 0 gives a valid bound; precision only tightens the window
        mid = 0.5 * (lo_t + hi_t)
        u, lb = state(mid)
        if lb <= log_tau:
            hi_t = mid
        else:
            lo_t = mid
    u, _ = state(hi_t)
    return min(u, top), hi_t


def _tail_bound(logw: np.ndarray, k: np.ndarray, m: int, u: float, t: float) -> float:
    """Certified ``W(K >= u) <= exp(-t u + m log M(t))`` (1e-6 relative slack for round-off)."""
    if t <= 0.0:
        return 0.0 if u > m * float(k.max()) else math.exp(m * float(logsumexp(logw)))
    val = -t * u + m * float(logsumexp(logw + t * k))
    return math.exp(min(val, 700.0)) * (1.0 + 1e-6)


def _window(logw, k, m, log_tau):
    """Integer window ``[lo, hi]`` of K and certified masses below/above it (``k`` integer-valued)."""
    hi_r, t_hi = _chernoff_hi(logw, k, m, log_tau)
    lo_r, t_lo = _chernoff_hi(logw, -k, m, log_tau)
    hi = int(math.ceil(hi_r))
    lo = -int(math.ceil(lo_r))
    tau_hi = 0.0 if hi >= m * int(k.max()) else _tail_bound(logw, k, m, hi + 1.0, t_hi)
    tau_lo = 0.0 if lo <= m * int(k.min()) else _tail_bound(logw, -k, m, -(lo - 1.0), t_lo)
    return lo, hi, tau_lo + tau_hi


def _binary_power(z: np.ndarray, m: int) -> np.ndarray:
    """``z ** m`` elementwise by binary powering (the error bound of the module docstring)."""
    result = None
    base = z  # squared in place: the caller's array is consumed
    e = m
    while True:
        if e & 1:
            if result is None:
                result = base.copy()
            else:
                np.multiply(result, base, out=result)
        e >>= 1
        if not e:
            break
        np.multiply(base, base, out=base)
    return result


def _compose(w: np.ndarray, k: np.ndarray, m: int, n: int) -> tuple[np.ndarray, float]:
    """m-fold convolution of the letter law (``w`` at integers ``k``) folded mod ``n``; 2-norm error bound."""
    x = np.zeros(n)
    np.add.at(x, np.mod(k, n).astype(np.int64), w)
    s2 = math.sqrt(_dot(x, x))
    X = _fft.rfft(x)
    del x
    with np.errstate(under="ignore"):
        Y = _binary_power(X, m)
    del X
    y = _fft.irfft(Y, n=n)
    del Y
    eta = 10.0 * math.log2(max(n, 2)) * _U
    gamma = 2.0 * math.sqrt(2.0) * _U
    # |z| <= total mass (<= 1 + SUM_ATOL as validated) plus round-off
    rho = (max(1.0, float(np.sum(w))) * (1.0 + 2.0 * eta)) ** m
    eps2 = 2.0 * s2 * (m * rho * (eta + gamma) * (1.0 + eta) ** 2 + eta)
    return y, eps2


def _lattice_sizes(cl: _Classes, m: int, h: float, log_tau: float):
    k = np.rint(cl.l / h)
    wins = []
    for mass in (cl.P, cl.Q):
        lo, hi, tau = _window(np.log(mass), k, m, log_tau)
        wins.append((lo, hi, tau, _fft.next_fast_len(hi - lo + 1, real=True)))
    return k, wins


def _span(cl: _Classes, m: int, log_tau: float) -> float:
    """Width in L units of the larger Chernoff window of the two laws (continuous ratios)."""
    spans = []
    for mass in (cl.P, cl.Q):
        hi, _ = _chernoff_hi(np.log(mass), cl.l, m, log_tau)
        lo, _ = _chernoff_hi(np.log(mass), -cl.l, m, log_tau)
        spans.append(hi + lo)
    return max(spans)


def _predicted_points(span: float, m: int, h: float) -> int:
    """FFT length at step ``h``: the window plus ``m`` half-steps of rounding on each side."""
    return int(math.ceil(span / h)) + 2 * m + 1


def _bracket(cl: _Classes, m: int, h: float, log_tau: float, max_points: int):
    """Certified (lower, upper, G, n) at lattice step ``h``."""
    k, wins = _lattice_sizes(cl, m, h, log_tau)
    nmax = max(w[3] for w in wins)
    if nmax > max_points:
        raise _TooLarge(nmax)
    E = _deterministic_E(cl, k, h, m)
    # the rounding error D = L - hK is a sum of m i.i.d. letters: Chernoff makes |D| <= s except on
    # a set of P- and Q-mass tauD (whose flipped sequences cost at most P(x) + Q(x)); s << E = m max|e|
    # (when the Chernoff bound saturates at the top, s ~ E and tauD is useless: keep the deterministic E)
    s_dev, tauD = _rounding_deviation(cl, k, h, m, log_tau + math.log(10.0))
    if s_dev < E and tauD <= 100.0 * math.exp(log_tau):
        E, extra = s_dev * (1.0 + 1e-12), tauD
    else:
        extra = 0.0
    (loP, hiP, tauP, nP), (loQ, hiQ, tauQ, nQ) = wins
    # --- P law: A = P(K > 0); G1 (K <= 0 < L) and the P-form of G2 (L <= 0 < K) ---
    totP = _pow_mass(float(cl.P.sum()), m)
    totQ = _pow_mass(float(cl.Q.sum()), m)
    y, eps2 = _compose(cl.P, k, m, nP)
    Ks = np.arange(loP, hiP + 1)
    vals = y[np.mod(Ks, nP).astype(np.int64)]
    del y
    A, errA = _tail_sum(vals, Ks, totP, eps2, m)
    hK = h * Ks
    s1 = (hK > -E) & (hK <= 0.0)
    g1 = np.minimum(-np.expm1(-np.minimum(hK[s1] + E, 700.0)), 1.0)
    G1 = _dot(g1, vals[s1]) + _weighted_err(g1, vals[s1], eps2) + tauP  # weights <= 1
    s2 = (hK > 0.0) & (hK <= E)
    g2 = np.expm1(np.minimum(E - hK[s2], 700.0)) * (1.0 + 1e-12)
    G2p = _dot(g2, vals[s2]) + _weighted_err(g2, vals[s2], eps2) + math.expm1(min(E, 700.0)) * tauP
    del vals, Ks, hK
    # --- Q law: B = Q(K > 0) and the Q-form of G2 (Q(x) - P(x) <= Q(x) there) ---
    y, eps2q = _compose(cl.Q, k, m, nQ)
    Ks = np.arange(loQ, hiQ + 1)
    vq = y[np.mod(Ks, nQ).astype(np.int64)]
    del y
    B, errB = _tail_sum(vq, Ks, totQ, eps2q, m)
    hK = h * Ks
    s2q = (hK > 0.0) & (hK <= E)
    ones = np.ones(int(s2q.sum()))
    G2q = float(vq[s2q].sum()) + _weighted_err(ones, vq[s2q], eps2q) + tauQ
    del vq, Ks, hK
    G = G1 + min(G2p, G2q) + extra
    A0 = _one_minus_pow(cl.a, m)
    a0_err = 4 * _U * (1 + m * _U) * max(A0, 1e-300) if A0 > 0 else 0.0
    lower = A0 + (A - errA - tauP) - (B + errB + tauQ) - a0_err
    upper = A0 + (A + errA + tauP) - (B - errB - tauQ) + G + a0_err
    lower = max(lower, A0 - a0_err, 0.0)
    upper = min(upper, A0 + totP * (1 + 4 * m * _U) + a0_err, 1.0)
    return lower, upper, dict(G=G, fft=errA + errB, tails=tauP + tauQ, E=E), nmax


def _weighted_err(w: np.ndarray, v: np.ndarray, eps2: float) -> float:
    """Certified error of ``dot(w, v)`` for computed ``v``: FFT part ``||w||_2 eps2`` plus summation."""
    if w.size == 0:
        return 0.0
    return math.sqrt(_dot(w, w)) * eps2 + _gamma(w.size + 1) * _dot(np.abs(w), np.abs(v))


def _tail_sum(vals: np.ndarray, Ks: np.ndarray, total: float, eps2: float, m: int) -> tuple[float, float]:
    """Estimate and certified error (tails excluded) of ``sum_{K > 0}`` of the true law.

    Either directly over the window's ``K > 0`` part, or as ``total - sum_{K <= 0}`` (folding keeps the
    total mass), whichever index set is smaller (the FFT error grows like its square root).
    """
    pos = Ks > 0
    npos = int(pos.sum())
    if npos <= Ks.size - npos:
        v = vals[pos]
        return float(v.sum()), _weighted_err(np.ones(v.size), v, eps2)
    v = vals[~pos]
    # total = exp(m log(mass)): relative error <= (m |log mass| + 2) u + u; allow 4 (m + 2) u
    tot_err = 4.0 * (m + 2) * _U * total
    return total - float(v.sum()), _weighted_err(np.ones(v.size), v, eps2) + tot_err


class _TooLarge(Exception):
    def __init__(self, n):
        super().__init__(n)
        self.n = n


def _cost_message(n: int, m: int, width: float, k: int, max_points: int) -> str:
    mem_gb = n * 8 * 3.5 / 2**30
    secs = n * math.log2(n) * 6e-9
    return (
        f"certified packed TV with width={width:g} at m={m} over {k} likelihood-ratio classes needs "
        f"an FFT of ~{n:.3g} points (~{mem_gb:.2g} GB, ~{secs:.2g} s here), above the limit "
        f"max_points={max_points:.3g}; request a larger width or pass a larger max_points"
    )


def _rounding_deviation(cl: _Classes, k: np.ndarray, h: float, m: int, log_tau: float) -> tuple[float, float]:
    """``s`` and a certified ``P^m(|D| > s) + Q^m(|D| > s)`` for ``D = sum_i (l_{x_i} - h k_{x_i})``.

    Chernoff on the m-fold sum of the per-letter rounding errors under P and under Q (both tails),
    plus ``m`` times the round-off of each computed ``l_c`` (a deterministic shift).
    """
    e = cl.l - h * k
    shift = m * _l_roundoff(cl)
    s, tails = 0.0, 0.0
    parts = []
    for mass in (cl.P, cl.Q):
        lw = np.log(mass)
        up, t_up = _chernoff_hi(lw, e, m, log_tau)
        dn, t_dn = _chernoff_hi(lw, -e, m, log_tau)
        parts.append((lw, up, t_up, dn, t_dn))
        s = max(s, up, dn)
    for lw, up, t_up, dn, t_dn in parts:
        tails += _tail_bound(lw, e, m, s, t_up) if t_up > 0 else 0.0
        tails += _tail_bound(lw, -e, m, s, t_dn) if t_dn > 0 else 0.0
    return s + shift, tails


def _initial_step(cl: _Classes, m: int, width: float, span: float) -> float:
    """Pilot lattice step: resolve the window with ~2^15 points, but keep ``E = m h / 2`` below a
    quarter of max(|mean|, sd) of L under P and near ``sqrt(width / rho)``, ``rho`` the CLT density
    of L at 0 (a heuristic for the *choice* of h only; the certificate never uses it)."""
    w = cl.P / cl.P.sum()
    mu1 = _dot(w, cl.l)
    var1 = _dot(w, (cl.l - mu1) ** 2)
    mu, sd = m * mu1, math.sqrt(max(m * var1, 1e-300))
    rho = math.exp(-0.5 * (mu / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    e0 = max(abs(mu), sd) / 4.0
    if rho > 0.0:
        e0 = min(e0, math.sqrt(0.75 * width / rho))
    h = max(min(span / 2**15, 2.0 * e0 / m), 1e-300)
    # the effective rounding bound is the Chernoff deviation s(h) ~ sqrt(m) h, not m h / 2: grow h
    # until s(h) ~ e0 (cheap: no FFT)
    log_tau_d = math.log(width * _TAIL_SHARE * 10.0)
    cap = span / 2**15 if span > 0 else h
    for _ in range(6):
        if h >= cap:
            return cap
        s_dev, _ = _rounding_deviation(cl, np.rint(cl.l / h), h, m, log_tau_d)
        if s_dev <= 0.0 or abs(s_dev / e0 - 1.0) < 0.05:
            break
        h *= min(e0 / s_dev, 20.0) if s_dev < e0 else 0.95 * e0 / s_dev
    return min(h, cap)


class _Bracket(NamedTuple):
    """A certified bracket of the lattice path; ``_packing`` turns it into a ``PackedTVBounds``
    (this module sits below ``_packing`` and does not import it)."""

    lower: float
    upper: float
    grid_step: float
    n_points: int


def _certified_packed_tv(cl: _Classes, m: int, width: float, *, max_points: int = _MAX_POINTS, _steps=None) -> _Bracket:
    """Certified bracket with ``upper - lower <= width`` (adaptive lattice step); see module docstring."""
    log_tau = math.log(width * _TAIL_SHARE)
    # pilot: a window of ~2^15 points
    span = _span(cl, m, log_tau)
    h = _initial_step(cl, m, width, span)
    target = 0.9 * width
    best = None
    for _ in range(8):
        n_pred = _predicted_points(span, m, h)
        if n_pred > max_points:
            raise ValueError(_cost_message(n_pred, m, width, cl.k, max_points))
        try:
            lower, upper, info, n = _bracket(cl, m, h, log_tau, max_points)
        except _TooLarge as exc:
            raise ValueError(_cost_message(exc.n, m, width, cl.k, max_points)) from None
        best = _Bracket(lower, upper, h, n)
        if _steps is not None:
            _steps.append((h, n, upper - lower))
        if upper - lower <= width:
            return best
        floor = upper - lower - info["G"]  # tails + FFT round-off: not reduced by a finer grid
        if floor > 0.5 * width:
            raise ValueError(
                f"certified packed TV cannot reach width={width:g} at m={m}: FFT round-off and "
                f"window tails alone give {floor:.3g} at grid step {h:.3g} ({n} points); request a larger width"
            )
        # G ~ rho E^2 and E ~ m h / 2: shrink h by sqrt(target / G) with a small safety factor
        # (the extrapolation is accurate to a few % once the pilot resolves the density at 0)
        factor = min(0.9, 0.97 * math.sqrt(max(target - floor, 0.1 * target) / max(info["G"], 1e-300)))
        h *= max(factor, 1e-3)
    raise ValueError(  # pragma: no cover - the loop converges in 2-3 steps in practice
        f"certified packed TV did not reach width={width:g} at m={m}; best bracket "
        f"[{best.lower!r}, {best.upper!r}]"
    )


def _rounding_tails(cl: _Classes, k: np.ndarray, h: float, m: int, log_tau: float) -> tuple[float, float, float]:
    r"""``s`` with certified costs of the sequences whose rounding error ``D = L - hK`` exceeds it.

    Returns ``(s, tail_P, tail_lam)``. A sequence with ``|D| > s`` may sit on the wrong side of
    the test ``{K > t}`` at ``lam = e^{h t}``: outside it with ``L > h t`` (cost ``<= P(x)``, total
    ``<= P^m(D > s) <= tail_P``, Chernoff on both tails) or inside it with ``L <= h t`` (cost
    ``<= lam Q(x)``). For the latter ``hK > h t`` and ``D < -s``, so for any ``a >= 0``

    .. math:: \sum lam Q(x) \le e^{-a s} E_Q[e^{hK - h t + h t - a D}] e^{-h t} lam
              = e^{-a s} \Bigl(\sum_c P_c e^{-(1 + a) e_c}\Bigr)^m =: tail_lam

    (``Q_c e^{h k_c} = P_c e^{-e_c}``, ``e_c = l_c - h k_c``), the same for every ``lam``.
    """
    e = cl.l - h * k
    shift = m * _l_roundoff(cl)
    s = 0.0
    parts = []
    for mass in (cl.P, cl.Q):
        lw = np.log(mass)
        up, t_up = _chernoff_hi(lw, e, m, log_tau)
        dn, t_dn = _chernoff_hi(lw, -e, m, log_tau)
        parts.append((lw, t_up, t_dn))
        s = max(s, up, dn)
    lwP, t_up, t_dn = parts[0]
    tail_P = (_tail_bound(lwP, e, m, s, t_up) if t_up > 0 else 0.0) + (_tail_bound(lwP, -e, m, s, t_dn) if t_dn > 0 else 0.0)
    if t_dn > 0:
        tail_lam = min(_tail_bound(lwP - e, -e, m, s, a) for a in (t_dn, 0.5 * t_dn, 2.0 * t_dn))
    else:  # no lower tail at all: D >= -s for every sequence
        tail_lam = 0.0
    return s + shift, tail_P, tail_lam


def _flip_weights(h: float, s: float) -> np.ndarray:
    """Weights ``g(j)``, ``j = -J..J``, of the flip zone of the test ``{K > t}`` at ``lam = e^{h t}``.

    With ``|L - hK| <= s`` the test ``{K > t}`` and the optimal ``{L > h t}`` differ only where
    ``|h(K - t)| < s``; there ``|P(x) - lam Q(x)| = P(x) |1 - e^{ht - L}|`` is at most
    ``P(x) (1 - e^{-(hj + s)})`` for ``j = K - t <= 0`` and ``P(x) (e^{s - hj} - 1)`` for ``j > 0``.
    """
    J = int(math.ceil(s / h)) + 1
    j = np.arange(-J, J + 1, dtype=np.float64)
    hj = h * j
    g = np.where(j <= 0, -np.expm1(-np.minimum(hj + s, 700.0)), np.expm1(np.minimum(s - hj, 700.0)))
    g = np.where(((j <= 0) & (hj > -s)) | ((j > 0) & (hj <= s)), np.maximum(g, 0.0), 0.0)
    return g * (1.0 + 1e-10)  # exp/expm1 and h*j round-off (the weights vanish at the zone's ends)


#: Smallest eps at which the region path guarantees the requested width (below it the exact boundary
#: may rise from (0, A0) to nearly 1 within a Q-mass no float lattice resolves: likelihood ratios
#: beyond e^700).
_EPS_FLOOR = 1e-17


class _RegionCertificate(NamedTuple):
    """Certified achievable points and hockey-stick lines of ``R(P^m, Q^m)`` at one lattice step."""

    points: np.ndarray  # (n, 2): (eps, delta) of tests, eps an upper and delta a lower bound
    slopes: np.ndarray  # lam_t = e^{h t}
    intercepts: np.ndarray  # certified upper bounds of H_lam = max_S P^m(S) - lam Q^m(S)
    h: float
    n_points: int
    s: float  # the rounding deviation used (Chernoff, or the deterministic E)
    floor: float  # FFT round-off and window tails: the part of the gap a finer lattice cannot reduce
    eps_floor: float  # the gap is measured above it (_EPS_FLOOR or the smallest certified eps of a test)


def _region_certificate(
    cl: _Classes, m: int, h: float, log_tau: float, max_points: int, chord_budget: float
) -> _RegionCertificate:
    """Certified points and lines of ``R(P^m, Q^m)`` at the lattice thresholds ``t``: the tests
    ``S_t = {K > t}`` (plus the P-only sequences) and ``delta <= lam_t eps + H^up_t``, ``lam_t = e^{h t}``.

    Certificate (``_lattice`` module docstring, with the TV's flip-zone argument at ``lam`` instead of
    1): ``H_lam = A0 + E_P[(1 - lam e^{-L})_+ ; F^m]`` is at most ``P^m(S_t) - lam Q^m(S_t)`` plus the
    flip-zone sum ``G_t = sum_K P_K g(K - t)`` (:func:`_flip_weights`) over sequences with
    ``|L - hK| <= s``, plus the certified cost of the others (:func:`_rounding_tails`, Chernoff;
    the deterministic ``E`` with no tail when Chernoff does not beat it). Also
    ``H_lam <= A0 + P^m(L > h t)`` (no lam Q part), used for steep lines.

    Q-masses: ``Q_c = P_c e^{-l_c} = e^{-h k_c} P'_c`` with ``P'_c = P_c e^{-e_c}``
    (``e_c = l_c - h k_c``), so the law of K under Q is *exactly* ``e^{-hK}`` times the m-fold law of
    P', and ``lam Q^m(S_t) = R_t = sum_{K > t} P'_K e^{-h(K - t)}`` (a first-order recursion, weights
    <= 1). Above ``t = 0`` this has an error relative to ``e^{-ht}`` where the direct Q sums have an
    absolute one (which the lines would multiply by ``lam``); at and below it the direct Q law is
    used. Every sum carries the FFT round-off bound, the summation bound ``gamma_n sum|y|`` and the
    window tails. ``G_t`` is a direct correlation (no FFT) of the computed law with ``2J + 1``
    weights, ``J ~ s / h``.

    Only some thresholds are kept (and ``t = 0``): between kept thresholds ``t1 < t2`` the chord of
    the inner polygon and the two lines of the outer one differ by at most about
    ``Q-mass between * (lam_t2 - lam_t1) ~ h P_K (t2 - t1)^2``, so thresholds are spaced to keep
    that below ``chord_budget`` (unit steps of ``sum_K sqrt(h P_K / chord_budget)``). Fewer points
    and lines only loosen the polygons, and the caller measures the gap.
    """
    k, wins = _lattice_sizes(cl, m, h, log_tau)
    Pt = cl.P * np.exp(-(cl.l - h * k))
    loT, hiT, tauT = _window(np.log(Pt), k, m, log_tau)
    wins.append((loT, hiT, tauT, _fft.next_fast_len(hiT - loT + 1, real=True)))
    nmax = max(w[3] for w in wins)
    if nmax > max_points:
        raise _TooLarge(nmax)
    E = _deterministic_E(cl, k, h, m)
    s, tDP, tDQ = _rounding_tails(cl, k, h, m, log_tau + math.log(10.0))
    if not (s < E and tDP + tDQ <= 100.0 * math.exp(log_tau)):  # Chernoff saturated: the deterministic E
        s, tDP, tDQ = E, 0.0, 0.0
    s *= 1.0 + 1e-12
    A0 = _one_minus_pow(cl.a, m)
    a0_err = 4 * _U * (1 + m * _U) * max(A0, 1e-300) if A0 > 0 else 0.0
    lo, hi = min(w[0] for w in wins), max(w[1] for w in wins)
    size = hi - lo + 1
    laws = []
    for mass, (lw, hw, tau, n) in zip((cl.P, cl.Q, Pt), wins):
        v = np.zeros(size)
        y, e2 = _compose(mass, k, m, n)
        v[lw - lo : hw - lo + 1] = y[np.mod(np.arange(lw, hw + 1), n).astype(np.int64)]
        del y
        laws.append((v, e2, tau, lw, hw, float(np.abs(v).sum())))
    (vP, e2P, tauP, loP, hiP, absP), (vQ, e2Q, tauQ, loQ, hiQ, absQ), (vT, e2T, tauT, loT, hiT, absT) = laws
    # relative error of each P'_c against the exact Q_c e^{h k_c} (l_c's and exp's round-off), to the m
    rel_T = math.expm1(m * (_l_roundoff(cl) + 8 * _U)) * (1.0 + 1e-6)
    # thresholds t = lo - 1 .. hi; c[i] = sum_{K > lo - 1 + i}
    cP = np.concatenate([np.cumsum(vP[::-1])[::-1], [0.0]])
    cQ = np.concatenate([np.cumsum(vQ[::-1])[::-1], [0.0]])
    r = math.exp(-h)
    S = _lfilter([1.0], [1.0, -r], vT[::-1])[::-1]  # S[K - lo] = sum_{K' >= K} P'_K' r^(K' - K)
    Sabs = _lfilter([1.0], [1.0, -r], np.abs(vT)[::-1])[::-1]
    # recursion round-off (two roundings a step, and r's own rounding raised to the power j, all
    # damped by r^j): <= 4 u / (1 - r) times the largest |S| above
    rec = (4.0 * _U / max(-math.expm1(-h), 1e-300)) * np.maximum.accumulate(Sabs[::-1])[::-1]
    R = np.concatenate([r * S, [0.0]])
    Rerr = np.concatenate([r * rec, [0.0]]) * (1.0 + 4 * _U) + 4 * _U * np.abs(R)
    del S, Sabs, rec
    ts = np.arange(lo - 1, hi + 1)
    # (chords where Q^m(S_t) < _EPS_FLOOR lie below the eps floor, where the gap is not measured)
    th_all = h * ts.astype(np.float64)
    cnt_all = np.clip(hiT - np.maximum(ts, loT - 1), 0, None).astype(np.float64)
    with np.errstate(over="ignore", under="ignore"):  # eps upper bounds as below, all thresholds
        eps_all = (R + Rerr + np.sqrt(cnt_all) * e2T + tauT) * np.exp(-np.minimum(th_all, 745.0)) * 1.001
    seen = np.where(th_all > 0.0, eps_all, cQ) >= _EPS_FLOOR
    del th_all, cnt_all, eps_all
    dens = np.sqrt(np.maximum(vP, 0.0) * (h / chord_budget)) * seen[:-1]
    phi = np.concatenate([[0.0], np.cumsum(dens)])
    del dens
    level = np.floor(phi)
    edge = np.flatnonzero(seen[1:] != seen[:-1])  # where Q^m(S_t) crosses the floor
    sel = np.concatenate([[0], np.flatnonzero(level[1:] != level[:-1]) + 1, edge, edge + 1, [ts.size - 1]])
    sel = np.unique(np.concatenate([sel, sel - 1, [min(max(-(lo - 1), 0), ts.size - 1)]]).clip(0, ts.size - 1))
    # H_lam <= A0 + P^m(L > theta) <= A0 + P(K > t - J) + P^m(|D| > s): no lam Q part, for steep lines
    Jz = int(math.ceil(s / h)) + 1
    cP_alt = cP[np.maximum(sel - Jz, 0)]
    cnt_alt = np.clip(hiP - np.maximum(ts[sel] - Jz, loP - 1), 0, None).astype(np.float64)
    ts, cP, cQ, R, Rerr = ts[sel], cP[sel], cQ[sel], R[sel], Rerr[sel]
    cntP = np.clip(hiP - np.maximum(ts, loP - 1), 0, None).astype(np.float64)
    cntQ = np.clip(hiQ - np.maximum(ts, loQ - 1), 0, None).astype(np.float64)
    cntT = np.clip(hiT - np.maximum(ts, loT - 1), 0, None).astype(np.float64)
    errP = np.sqrt(cntP) * e2P + _gamma(size + 1) * absP + tauP
    errQ = np.sqrt(cntQ) * e2Q + _gamma(size + 1) * absQ + tauQ
    Rerr = Rerr + np.sqrt(cntT) * e2T + tauT  # FFT part (weights <= 1) and the folded / outside mass
    del cntP, cntQ, cntT
    theta = h * ts.astype(np.float64)
    lam = np.exp(np.minimum(theta, 700.0))
    ok = theta <= 700.0
    up = theta > 0.0  # lam > 1: the tilted law; else the direct Q law
    lamQ_up = np.where(up, (R + Rerr) * (1.0 + rel_T), lam * (cQ + errQ))
    lamQ_low = np.where(up, np.maximum(R - Rerr, 0.0) * (1.0 - rel_T), lam * np.maximum(cQ - errQ, 0.0))
    delta = np.clip(A0 + cP - errP - a0_err - 4 * _U * (1.0 + A0), 0.0, 1.0)
    # eps = Q^m(S_t) <= lamQ_up / lam (e^{-theta} by exp of -theta, 4 ulp of slack)
    with np.errstate(over="ignore", under="ignore"):
        eps = lamQ_up * np.exp(-np.maximum(theta, -700.0)) * (1.0 + 8 * _U) + 4 * _U * np.where(up, 0.0, 1.0)
    eps = np.where(theta > 700.0, np.minimum(cQ + errQ, 1.0) + 4 * _U, eps)
    eps = np.where(np.isfinite(eps), eps, 1.0)
    points = np.column_stack([np.clip(eps, 0.0, 1.0), delta])
    del eps, delta
    g = _flip_weights(h, s)
    J = (g.size - 1) // 2
    vpad = np.concatenate([np.zeros(J + 1), vP, np.zeros(J)])
    # G[i] = sum_j g(j) vP[t_i + j] = sum_r g[r] vpad[i + r], i = t_i - (lo - 1); blocks of ~16 MB
    view = np.lib.stride_tricks.sliding_window_view(vpad, g.size)
    G = np.empty(sel.size)
    step = max(1, (1 << 21) // g.size)
    for b0 in range(0, sel.size, step):
        G[b0 : b0 + step] = np.einsum("ij,j->i", view[sel[b0 : b0 + step]], g)
    del vpad, view
    gmax = float(g.max()) if g.size else 0.0
    Gerr = math.sqrt(_dot(g, g)) * e2P + _gamma(g.size + 1) * gmax * absP + gmax * tauP
    Hup = A0 + a0_err + cP + errP - lamQ_low + G + Gerr + tDP + tDQ
    Hup += 8 * _U * (1.0 + A0 + np.abs(cP) + lamQ_low + np.abs(G))
    H_alt = A0 + a0_err + cP_alt + np.sqrt(cnt_alt) * e2P + _gamma(size + 1) * absP + tauP + tDP
    H_alt += 8 * _U * (1.0 + A0 + np.abs(cP_alt))
    Hup = np.minimum(np.minimum(Hup, H_alt), 1.0)
    floor = float(np.max(errP) + np.max(np.where(up, Rerr, lam * errQ))) + Gerr + tDP + tDQ
    eps_floor = max(float(np.min(points[:, 0])), _EPS_FLOOR)
    return _RegionCertificate(points, lam[ok], Hup[ok], h, nmax, s, floor, eps_floor)


def _hull_lines(slopes: np.ndarray, inters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lines of ``f(eps) = min_j (slopes_j eps + inters_j)`` that can touch it, by slope descending.

    A line not below the minimum of its two neighbours (their crossing to the left of its crossing
    with the next) is nowhere the strict minimum of the whole set, so all such lines are dropped at
    once, repeatedly; dropping lines only raises ``f``, so any float slip errs on the safe side for
    an outer bound.
    """
    order = np.lexsort((inters, -slopes))
    s, c = slopes[order], inters[order]
    keep = np.concatenate([[True], s[1:] != s[:-1]])  # equal slopes: the smallest intercept
    s, c = s[keep], c[keep]
    for _ in range(10_000):
        if s.size <= 2:
            break
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            x = (c[1:] - c[:-1]) / (s[:-1] - s[1:])
        bad = ~(x[:-1] < x[1:])
        if not bad.any():
            break
        keep = np.ones(s.size, dtype=bool)
        keep[1:-1] = ~bad
        s, c = s[keep], c[keep]
    return s, c


def _envelope_points(slopes: np.ndarray, inters: np.ndarray) -> np.ndarray:
    """Points on or above ``min_j (slopes_j eps + inters_j)`` at its vertices in [0, 1].

    Each point is the larger of its two lines' values (plus a round-off margin), so the chord
    between consecutive points lies on or above the line they share: the upper hull of the points
    is above the minimum of the lines everywhere.
    """
    s, c = _hull_lines(slopes, inters)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = (c[1:] - c[:-1]) / (s[:-1] - s[1:])
    a = np.flatnonzero((x > 0.0) & (x < 1.0))  # vertex between lines a and a + 1
    xi = x[a]
    with np.errstate(over="ignore", invalid="ignore"):
        yi = np.maximum(s[a] * xi + c[a], s[a + 1] * xi + c[a + 1])
        y0 = float(np.min(c))  # f(0) and f(1): the active lines' values there
        y1 = float(np.min(s + c))
    xs = np.concatenate([[0.0], xi, [1.0]])
    ys = np.concatenate([[y0], yi, [y1]])
    ys = ys + 1e-14 + 4 * _U * np.abs(ys)
    ys = np.where(np.isfinite(ys), ys, 1.0)
    return np.column_stack([xs, np.clip(ys, 0.0, 1.0)])
