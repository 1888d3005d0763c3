"""Certified large-m brackets for packed TV along families of small pairs (private; docs/theory.md s.4.D).

The PacGAN bound optimisations minimise ``d_TV(P(x)^m, Q(x)^m)`` over a one-parameter family of
pairs on <= 3 atoms whose masses are **affine** in the parameter x (``_bounds``: the binary family
of ``packed_tv_min`` and the three families of ``packed_tv_min_with_collapse``). For m beyond the
exact methods this module gives rigorous lower bounds on that minimum and rigorous brackets on
the packed TV of one pair, from three inequalities (each holds for every m, pair and x):

* **Berry-Esseen on a linear test.** For letter weights ``w`` and a threshold ``c``, the set
  ``S = {sum_i w(X_i) > m c}`` gives ``d_TV >= P^m(S) - Q^m(S)``, and for the sum of m i.i.d.
  letters with mean mu, standard deviation sigma and third absolute central moment rho,
  ``sup_t |F(t) - Phi((t - m mu) / (sigma sqrt(m)))| <= C rho / (sigma^3 sqrt(m))`` with
  ``C = BERRY_ESSEEN_C = 0.4748`` (Shevtsova 2011, arXiv 1111.6554, the i.i.d. constant). So
  ``d_TV >= Phi(z_Q) - Phi(z_P) - e_P - e_Q`` with ``z = sqrt(m) (c - mu) / sigma``. Over an
  interval of x the moments are bounded by interval arithmetic on the affine masses (mean affine,
  variance a concave quadratic, rho bounded atom by atom), so the bound holds for **every** x of
  the interval, not only at grid points. Any weights and threshold give a valid bound; the log
  likelihood ratio at the interval's midpoint (clipped to +-30) and the z-balancing threshold
  make it tight to O(1/sqrt(m)).
* **Hellinger.** ``d_TV(P^m, Q^m) >= 1 - BC(P, Q)^m`` with ``BC = sum sqrt(p q)``, bounded above on
  an interval by ``sum sqrt(max p max q)``.
* **Data processing.** ``d_TV(P^m, Q^m) >= d_TV(P, Q)`` (the family's TV, a floor).

A branch-and-bound over x refines the intervals whose bound is below a target (an attained value
from the caller) until the interval bound is within a small fraction of the pointwise bound at its
midpoint; the certified lower bound is the minimum over the leaves (minus ``_ROUND_PAD`` for
rounding). Direction: always a lower bound on the minimum; its distance to the truth is at most the
bracket width the caller reports (at the centre of the binary family about ``2 C / sqrt(m)``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

__all__: list[str] = []

#: Berry-Esseen constant for sums of i.i.d. variables (Shevtsova 2011, arXiv 1111.6554: C <= 0.4748).
BERRY_ESSEEN_C = 0.4748

#: Absolute slack subtracted from every certified bound for floating-point rounding (the bounds are
#: sums of O(10) terms, each accurate to ~1e-15 relative; 1e-12 covers that with margin).
_ROUND_PAD = 1e-12

#: Clip of the test weights (log likelihood ratios): any weights give a valid test, and a finite
#: weight keeps the moments finite where an atom's mass vanishes at an interval end.
_W_CLIP = 30.0


def _masses(P0, dP, x):
    return np.clip(P0[None, :] + x[:, None] * dP[None, :], 0.0, None)


def _moment_ranges(P0, dP, x1, x2, w):
    """Ranges over x in [x1, x2] (rows) of the mean, variance and an upper bound of the third absolute
    central moment of the weight ``w`` (rows, per atom) under the affine masses P0 + x dP."""
    p1, p2 = _masses(P0, dP, x1), _masses(P0, dP, x2)
    mu1, mu2 = (p1 * w).sum(1), (p2 * w).sum(1)
    mu_lo, mu_hi = np.minimum(mu1, mu2), np.maximum(mu1, mu2)
    v1 = np.maximum((p1 * w * w).sum(1) - mu1 * mu1, 0.0)
    v2 = np.maximum((p2 * w * w).sum(1) - mu2 * mu2, 0.0)
    # var(x) = (A + B x) - (Cc + D x)^2 is concave: its minimum is at an end, its maximum at an end
    # or at the vertex x* = (B - 2 Cc D) / (2 D^2)
    A, B = (P0 * w * w).sum(1), (dP * w * w).sum(1)
    Cc, D = (P0 * w).sum(1), (dP * w).sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = (B - 2 * Cc * D) / (2 * D * D)
    inside = np.isfinite(xs) & (xs > x1) & (xs < x2)
    vs = np.where(inside, A + B * np.where(inside, xs, 0.0) - (Cc + D * np.where(inside, xs, 0.0)) ** 2, 0.0)
    var_lo, var_hi = np.minimum(v1, v2), np.maximum(np.maximum(v1, v2), vs)
    pmax = np.maximum(p1, p2)
    dev = np.maximum(np.abs(w - mu_lo[:, None]), np.abs(w - mu_hi[:, None]))
    rho_hi = (pmax * dev**3).sum(1)
    return mu_lo, mu_hi, np.sqrt(var_lo), np.sqrt(var_hi), rho_hi


def _z_lower(num_lo, s_lo, s_hi):
    """Lower bound of num / s over num >= num_lo, s in [s_lo, s_hi] (s > 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(num_lo >= 0, num_lo / s_hi, num_lo / s_lo)


def _z_upper(num_hi, s_lo, s_hi):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(num_hi >= 0, num_hi / s_lo, num_hi / s_hi)


def _weights(P0, dP, Q0, dQ, xm):
    """Test weights and threshold mix at the midpoints ``xm``: the clipped log likelihood ratio, and
    ``lam`` such that the threshold ``c = lam mu_P + (1 - lam) mu_Q`` balances the two z-scores of
    the Gaussian approximation (``lam = sigma_Q / (sigma_P + sigma_Q)``)."""
    p, q = _masses(P0, dP, xm), _masses(Q0, dQ, xm)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.log(p) - np.log(q)
    w = np.where(np.isnan(w), 0.0, np.clip(w, -_W_CLIP, _W_CLIP))
    mp, mq = (p * w).sum(1), (q * w).sum(1)
    sp = np.sqrt(np.maximum((p * w * w).sum(1) - mp * mp, 0.0))
    sq = np.sqrt(np.maximum((q * w * w).sum(1) - mq * mq, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(sp + sq > 0, sq / (sp + sq), 0.5)
    return w, lam


def interval_lower(fam, x1, x2, m: int, floor: float = 0.0) -> np.ndarray:
    """Certified lower bound of ``d_TV(P(x)^m, Q(x)^m)`` for all x in each ``[x1[i], x2[i]]``.

    ``fam = (P0, dP, Q0, dQ)``: masses ``P(x) = P0 + x dP``, ``Q(x) = Q0 + x dQ`` (non-negative on
    the intervals). The bound is ``max(Berry-Esseen test bound, Hellinger bound, floor) - _ROUND_PAD``
    (module docstring), never above the true packed TV of any pair of the interval. The test at x
    has fixed weights and the threshold ``c(x) = lam mu_P(x) + (1 - lam) mu_Q(x)``, which moves with
    x: then ``c - mu_P = (1 - lam) (mu_Q - mu_P)`` and ``c - mu_Q = lam (mu_P - mu_Q)`` are affine in
    x (constant where dP = dQ, as on every family of ``_bounds``), so the bound does not lose the
    ``sqrt(m)`` per unit of x that a fixed threshold would.
    """
    P0, dP, Q0, dQ = (np.asarray(a, dtype=np.float64) for a in fam)
    x1, x2 = np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)
    w, lam = _weights(P0, dP, Q0, dQ, 0.5 * (x1 + x2))
    rm = math.sqrt(m)
    _, _, sP_lo, sP_hi, rP = _moment_ranges(P0, dP, x1, x2, w)
    _, _, sQ_lo, sQ_hi, rQ = _moment_ranges(Q0, dQ, x1, x2, w)
    # gap(x) = mu_P(x) - mu_Q(x) = sum (P0 - Q0) w + x sum (dP - dQ) w: affine, range at the ends
    g0, g1 = ((P0 - Q0) * w).sum(1), ((dP - dQ) * w).sum(1)
    gap_lo = np.minimum(g0 + x1 * g1, g0 + x2 * g1)
    gap_hi = np.maximum(g0 + x1 * g1, g0 + x2 * g1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        eP = np.where(sP_lo > 0, BERRY_ESSEEN_C * rP / (sP_lo**3 * rm), np.inf)
        eQ = np.where(sQ_lo > 0, BERRY_ESSEEN_C * rQ / (sQ_lo**3 * rm), np.inf)
        zQ = rm * _z_lower(lam * gap_lo, sQ_lo, sQ_hi)  # c - mu_Q = lam gap >= lam gap_lo
        zP = rm * _z_upper(-(1.0 - lam) * gap_lo, sP_lo, sP_hi)  # c - mu_P = -(1 - lam) gap
        be = ndtr(zQ) - ndtr(zP) - eP - eQ
    be = np.where(np.isfinite(be), be, -np.inf)
    p1, p2 = _masses(P0, dP, x1), _masses(P0, dP, x2)
    q1, q2 = _masses(Q0, dQ, x1), _masses(Q0, dQ, x2)
    bc = np.minimum(np.sqrt(np.maximum(p1, p2) * np.maximum(q1, q2)).sum(1), 1.0)
    with np.errstate(divide="ignore"):
        hel = np.where(bc < 1.0, -np.expm1(m * np.log(bc)), 0.0)
    return np.maximum(np.maximum(be, hel), floor) - _ROUND_PAD


def family_min_lower(fams, m: int, target: float, floor: float = 0.0, *, max_leaves: int = 20_000,
                     rounds: int = 40):
    """Certified lower bound of ``min_x d_TV(P(x)^m, Q(x)^m)`` over several affine families.

    ``fams``: list of ``((P0, dP, Q0, dQ), lo, hi)``. ``target`` is a value attained by some pair of
    the families (the caller's upper end): intervals whose bound reaches it are settled. Returns
    ``(lower, candidates)``, ``candidates`` a list of ``(family index, x1, x2)`` arrays of the leaves
    whose bound stays below ``target`` (where the minimiser may lie). Refinement stops when every
    unsettled leaf is within ``eta`` of its midpoint's pointwise bound (finer intervals cannot
    gain more), after ``rounds`` halvings, or at ``max_leaves`` leaves.
    """
    leaves = []
    for fam, lo, hi in fams:
        if hi > lo:
            g = np.linspace(lo, hi, 129)
            leaves.append([fam, g[:-1], g[1:]])
        else:
            leaves.append([fam, np.array([lo]), np.array([lo])])
    for _ in range(rounds):
        bounds, points = [], []
        for fam, x1, x2 in leaves:
            bounds.append(interval_lower(fam, x1, x2, m, floor))
            xm = 0.5 * (x1 + x2)
            points.append(interval_lower(fam, xm, xm, m, floor))
        pmin = min(float(p.min()) for p in points)
        eta = 0.01 * max(target - pmin, 0.0) + 1e-13
        n_leaves = sum(x1.size for _, x1, _ in leaves)
        grew = False
        for i, (fam, x1, x2) in enumerate(leaves):
            act = (bounds[i] < target) & (points[i] - bounds[i] > eta) & (x2 - x1 > 1e-15 * (1.0 + np.abs(x1)))
            if not act.any() or n_leaves + int(act.sum()) > max_leaves:
                continue
            mid = 0.5 * (x1[act] + x2[act])
            leaves[i] = [fam, np.concatenate([x1[~act], x1[act], mid]), np.concatenate([x2[~act], mid, x2[act]])]
            n_leaves += int(act.sum())
            grew = True
        if not grew:
            break
    lower, cands = math.inf, []
    for i, (fam, x1, x2) in enumerate(leaves):
        b = interval_lower(fam, x1, x2, m, floor)
        lower = min(lower, float(b.min()))
        below = b < target
        if below.any():
            cands.append((i, x1[below], x2[below]))
    return min(lower, target), cands


def pair_bracket(p, q, m: int) -> tuple[float, float]:
    """Certified ``(lower, upper)`` of ``d_TV(P^m, Q^m)`` for one small pair at any m (Berry-Esseen).

    Exact decomposition by the infinite likelihood ratios: with ``pa`` the P-mass where q = 0 and
    ``qb`` the Q-mass where p = 0, and P', Q' the laws conditioned on the remaining atoms,
    ``d_TV = 1 - (1-pa)^m + (1-pa)^m P'^m(L > 0) - (1-qb)^m Q'^m(L > 0)`` with L the sum of the m
    letters' log likelihood ratios ``log(p/q)`` (the optimal set); each ``P'^m(L > 0)`` is bracketed
    by Berry-Esseen.
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    pa = float(p[(p > 0) & (q <= 0)].sum())
    qb = float(q[(q > 0) & (p <= 0)].sum())
    f = (p > 0) & (q > 0)
    keep_p = (1.0 - pa) ** m if pa < 1 else 0.0
    keep_q = (1.0 - qb) ** m if qb < 1 else 0.0
    head = -math.expm1(m * math.log1p(-pa)) if pa < 1 else 1.0
    if not f.any():
        return head, head
    pf, qf = p[f] / p[f].sum(), q[f] / q[f].sum()
    w = np.log(p[f]) - np.log(q[f])  # the letters' own log ratios (not those of the conditioned laws)
    rm = math.sqrt(m)

    def tail(mass):  # P(L > 0) bracket for the sum of m letters of law ``mass``
        mu = float((mass * w).sum())
        s = math.sqrt(max(float((mass * w * w).sum()) - mu * mu, 0.0))
        if s == 0.0:
            v = 1.0 if mu > 0 else 0.0
            return v, v
        e = BERRY_ESSEEN_C * float((mass * np.abs(w - mu) ** 3).sum()) / (s**3 * rm)
        g = float(ndtr(rm * mu / s))  # 1 - Phi(-sqrt(m) mu / s)
        return max(g - e, 0.0), min(g + e, 1.0)

    tp, tq = tail(pf), tail(qf)
    lo = head + keep_p * tp[0] - keep_q * tq[1] - _ROUND_PAD
    hi = head + keep_p * tp[1] - keep_q * tq[0] + _ROUND_PAD
    return min(max(lo, 0.0), 1.0), min(max(hi, 0.0), 1.0)


def gauss_estimate(fam, x, m: int) -> np.ndarray:
    """Gaussian (central limit) estimate of ``d_TV(P(x)^m, Q(x)^m)`` at points x (no error bound;
    only used to place candidate witnesses, whose values are then certified)."""
    P0, dP, Q0, dQ = (np.asarray(a, dtype=np.float64) for a in fam)
    x = np.atleast_1d(np.asarray(x, dtype=np.float64))
    w, lam = _weights(P0, dP, Q0, dQ, x)
    p, q = _masses(P0, dP, x), _masses(Q0, dQ, x)
    mp, mq = (p * w).sum(1), (q * w).sum(1)
    sp = np.sqrt(np.maximum((p * w * w).sum(1) - mp * mp, 0.0))
    sq = np.sqrt(np.maximum((q * w * w).sum(1) - mq * mq, 0.0))
    rm = math.sqrt(m)
    with np.errstate(divide="ignore", invalid="ignore"):
        zq = rm * lam * (mp - mq) / sq
        zp = -rm * (1.0 - lam) * (mp - mq) / sp
        est = ndtr(zq) - ndtr(zp)
    return np.where(np.isfinite(est), est, 1.0)


def family_argmin(fam, lo: float, hi: float, m: int, n: int = 257) -> float:
    """x in [lo, hi] minimising :func:`gauss_estimate` on a grid refined twice around its best point."""
    for _ in range(3):
        xs = np.linspace(lo, hi, n)
        i = int(np.argmin(gauss_estimate(fam, xs, m)))
        lo, hi = xs[max(i - 1, 0)], xs[min(i + 1, n - 1)]
    return float(xs[i])


def pair_estimate(p, q, m: int) -> float:
    """Gaussian (central limit) estimate of ``d_TV(P^m, Q^m)`` for one small pair (the midpoint of
    :func:`pair_bracket` without its error terms; no error bound, a search guide only)."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    pa = float(p[(p > 0) & (q <= 0)].sum())
    qb = float(q[(q > 0) & (p <= 0)].sum())
    f = (p > 0) & (q > 0)
    head = -math.expm1(m * math.log1p(-pa)) if pa < 1 else 1.0
    if not f.any():
        return head
    pf, qf = p[f] / p[f].sum(), q[f] / q[f].sum()
    w = np.log(p[f]) - np.log(q[f])
    rm = math.sqrt(m)

    def tail(mass):
        mu = float((mass * w).sum())
        s = math.sqrt(max(float((mass * w * w).sum()) - mu * mu, 0.0))
        return (1.0 if mu > 0 else 0.0) if s == 0.0 else float(ndtr(rm * mu / s))

    keep_p = (1.0 - pa) ** m if pa < 1 else 0.0
    keep_q = (1.0 - qb) ** m if qb < 1 else 0.0
    return min(max(head + keep_p * tail(pf) - keep_q * tail(qf), 0.0), 1.0)
