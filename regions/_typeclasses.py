"""Exact packed TV and the exact packed pair by likelihood-ratio classes (private).

Notation (docs/theory.md s.0, s.4). A pair ``(p, q)`` is reduced to

* ``a = P(q = 0)``: the "P-only" mass (likelihood ratio ``+inf``),
* ``b = Q(p = 0)``: the "Q-only" mass (likelihood ratio ``0``),
* ``k'`` *finite classes* ``c`` with masses ``P_c, Q_c > 0`` and log-ratio ``l_c = log(P_c/Q_c)``,
  obtained by merging atoms whose log-ratios agree within :data:`_MERGE_ATOL` (sorted, consecutive).

A sequence ``x`` of length ``m`` that contains a P-only letter has ``Q^m(x) = 0``; one that
contains a Q-only letter has ``P^m(x) = 0``. Hence, exactly,

.. math::

    d_{TV}(P^m, Q^m) = \\bigl(1 - (1-a)^m\\bigr)
        + \\sum_{x \\in F^m} \\bigl(P^m(x) - Q^m(x)\\bigr)_+ ,

where ``F`` is the set of finite-ratio letters and ``P, Q`` keep their *unnormalised* masses on ``F``.
The second term only depends on the class counts ``n`` (a multinomial type): the log-ratio of a
type is ``n . l``. We enumerate the counts of all classes but the last two ("outer" classes,
``C(m+k'-2, k'-2)`` combinations) and sum the last two in closed form: given the outer counts
and ``r`` remaining letters, the count ``j`` of the second-to-last class is binomial under both
P and Q, the log-ratio is increasing in ``j`` (the classes are sorted), so the positive part is a
binomial *tail*, evaluated by the regularised incomplete beta function (scipy's Boost binomial
``sf``, relative accuracy ~1e-15 even at m = 1e6). Outer type probabilities are products of
binomial pmfs (sequential conditioning), again Boost, relative accuracy ~1e-15. No ``gammaln`` of
large arguments enters, so the result is exact to ~1e-14 absolute for any m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

try:  # the ufuncs behind scipy.stats.binom (Boost): same numbers, ~30x less call overhead
    from scipy.special._ufuncs import _binom_pmf as _raw_pmf
    from scipy.special._ufuncs import _binom_sf as _raw_sf
except ImportError:  # pragma: no cover - older/newer scipy layouts
    _raw_pmf, _raw_sf = binom.pmf, binom.sf

__all__: list[str] = []

#: Atoms (and packed types) whose log likelihood ratios differ by at most this, consecutively after
#: sorting, are merged into one class. It only absorbs round-off (ratios 1/3 computed as 0.1/0.3 and
#: 0.2/0.6 differ in the last bit); merging two classes whose true ratios differ by ``r`` changes the
#: packed TV by at most ``m * r`` (perturb Q by a relative ``r``), i.e. <= 1e-10 at m = 1000.
_MERGE_ATOL = 1e-13

#: Largest number of outer-count combinations ``C(m+k'-2, k'-2)`` the exact path evaluates
#: (about 2 us each: ~1 s). Beyond it the certified lattice path is used.
_EXACT_OUTER_LIMIT = 500_000
#: Largest ``C(m+k'-2, k'-2) * (k'-2)`` (entries of the count matrix, 8 bytes each, and the
#: number of binomial pmf evaluations): keeps the exact path under ~0.5 s and ~50 MB.
_EXACT_ENTRY_LIMIT = 3_000_000
#: Pairs with at most this many sequences ``k'^m`` are summed sequence by sequence (~10 ms at the
#: limit; m = 2 for k' <= 1024, m = 3 for k' <= 101): cheaper than the type-class path there.
_ENUM_LIMIT = 2**20
#: With an explicit ``method="exact"`` the exact path also runs whenever the multinomial type
#: classes ``C(m+k'-1, k'-1)`` number at most 1e7 (k' = 10, m = 20: ~5 s and ~600 MB here).
_EXACT_TYPE_LIMIT = 10_000_000

#: Largest number of type classes ``C(m+k'-1, k'-1)`` that ``packed_pair`` materialises (~100 MB).
_PAIR_TYPE_LIMIT = 2_000_000


@dataclass(frozen=True)
class _Classes:
    """Likelihood-ratio classes of a pair (see the module docstring)."""

    a: float  # P(q = 0)
    b: float  # Q(p = 0)
    P: np.ndarray  # (k',) finite-class P masses, sorted by log-ratio descending
    Q: np.ndarray  # (k',) finite-class Q masses
    l: np.ndarray  # (k',) log(P_c / Q_c), strictly decreasing (gaps > _MERGE_ATOL)

    @property
    def k(self) -> int:
        return int(self.P.size)


def _group_sorted(values: np.ndarray, atol: float) -> np.ndarray:
    """Group ids of a descending-sorted vector: a new group where the gap to the previous exceeds atol."""
    if values.size == 0:
        return np.zeros(0, dtype=np.intp)
    gaps = -np.diff(values)
    return np.concatenate([[0], np.cumsum(gaps > atol)])


def _classes(p: np.ndarray, q: np.ndarray) -> _Classes:
    """Reduce a validated pair to its likelihood-ratio classes."""
    a = float(p[(q == 0) & (p > 0)].sum())
    b = float(q[(p == 0) & (q > 0)].sum())
    fin = (p > 0) & (q > 0)
    pf, qf = p[fin], q[fin]
    lr = np.log(pf) - np.log(qf)
    order = np.argsort(-lr, kind="stable")
    pf, qf, lr = pf[order], qf[order], lr[order]
    gid = _group_sorted(lr, _MERGE_ATOL)
    ng = int(gid[-1]) + 1 if gid.size else 0
    if ng == gid.size:  # no two ratios within _MERGE_ATOL: nothing to merge
        return _Classes(a, b, pf, qf, lr)
    P = np.bincount(gid, weights=pf, minlength=ng)
    Q = np.bincount(gid, weights=qf, minlength=ng)
    with np.errstate(divide="ignore"):
        lc = np.log(P) - np.log(Q)
    # merged ratios are weighted means of ratios in a group: still sorted, gaps only shrink by
    # <= _MERGE_ATOL per group, so re-sort defensively (stable, no-op in practice)
    o2 = np.argsort(-lc, kind="stable")
    return _Classes(a, b, P[o2], Q[o2], lc[o2])


def _times(m: int, x: float) -> float:
    """``m * x`` for an int ``m`` of any size: ``inf`` with the sign of ``x`` where ``m`` is beyond
    float range (``m = 10**400``), ``x`` itself for ``x = +-0`` (the sign of the plain product
    ``m * x``, m >= 1); the plain product otherwise."""
    if x == 0.0:
        return x
    try:
        return m * x
    except OverflowError:
        return math.copysign(math.inf, x)


def _pow_mass(mass: float, m: int) -> float:
    """``mass ** m`` for a (sub-)probability mass, via logs (no overflow, exact 0 at mass 0)."""
    if mass <= 0.0:
        return 0.0
    # exponent capped at 700: a mass above 1 (by the sum tolerance) must not overflow math.exp
    return math.exp(min(_times(m, math.log(mass)), 700.0))


def _one_minus_pow(a: float, m: int) -> float:
    """``1 - (1 - a)^m`` without cancellation (``-expm1(m log1p(-a))``)."""
    if a <= 0.0:
        return 0.0
    if a >= 1.0:
        return 1.0
    return -math.expm1(_times(m, math.log1p(-a)))


def _n_outer(k: int, m: int) -> int:
    """Number of outer-count combinations ``C(m + k - 2, k - 2)`` for ``k >= 2`` classes."""
    return 1 if k <= 2 else math.comb(m + k - 2, k - 2)


def _n_types(k: int, m: int) -> int:
    """Number of multinomial type classes ``C(m + k - 1, k - 1)``."""
    return 1 if k <= 1 else math.comb(m + k - 1, k - 1)


def _compositions(parts: int, m: int, *, exact_total: bool) -> np.ndarray:
    """All count vectors of ``parts`` non-negative ints with sum ``<= m`` (or ``== m``), shape (T, parts)."""
    if parts == 0:
        return np.zeros((1, 0), dtype=np.int64)
    rows = np.zeros((1, 0), dtype=np.int64)
    rem = np.array([m], dtype=np.int64)
    last = parts - 1
    for i in range(parts):
        if exact_total and i == last:
            rows = np.column_stack([rows, rem])
            rem = np.zeros_like(rem)
            break
        reps = rem + 1
        idx = np.repeat(np.arange(rows.shape[0]), reps)
        starts = np.cumsum(reps) - reps
        n = np.arange(idx.size, dtype=np.int64) - np.repeat(starts, reps)
        rows = np.column_stack([rows[idx], n])
        rem = rem[idx] - n
    return rows


def _pmf(n, r, p):
    """Binomial pmf ``P(Bin(r, p) = n)`` (Boost), 0 outside ``0 <= n <= r``; arrays broadcast."""
    n = np.asarray(n, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    inside = (n >= 0) & (n <= r)
    return np.where(inside, _raw_pmf(np.clip(n, 0, r), r, p), 0.0)


def _sf(j, r, p):
    """Binomial survival ``P(Bin(r, p) > j)`` (Boost incomplete beta); 1 for ``j < 0``, 0 for ``j >= r``."""
    j = np.asarray(j, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    inside = (j >= 0) & (j < r)
    return np.where(inside, _raw_sf(np.clip(j, 0, np.maximum(r - 1, 0)), r, p), np.where(j < 0, 1.0, 0.0))


def _sf_scalar(j: int, r: int, p: float) -> float:
    """Scalar :func:`_sf` without array overhead (the binary path at small m is ~0.1 ms in all)."""
    if j < 0:
        return 1.0
    if j >= r:
        return 0.0
    return float(_raw_sf(float(j), float(r), p))


def _sequential_probs(counts: np.ndarray, masses: np.ndarray, m: int) -> np.ndarray:
    """Probability of the leading class counts under i.i.d. letters with class ``masses``.

    ``counts`` has shape (T, j) for the first ``j`` classes (``j <= len(masses)``); the result is
    ``P(N_1 = n_1, ..., N_j = n_j)`` for the multinomial ``(m; masses)``, computed as a product of
    binomial pmfs ``Bin(m - n_<c, masses_c / sum(masses_>=c))`` times ``sum(masses)^m``. Suffix sums
    (not ``1 - prefix``) keep the conditional probabilities cancellation-free.
    """
    total = float(masses.sum())
    out = np.full(counts.shape[0], _pow_mass(total, m))
    suffix = np.cumsum(masses[::-1])[::-1]
    rem = np.full(counts.shape[0], m, dtype=np.int64)
    for c in range(counts.shape[1]):
        if suffix[c] <= 0.0:
            break
        pc = min(1.0, masses[c] / suffix[c])
        if pc < 1e-300:  # Boost's pmf overflows at subnormal p; the pmf is 1{n=0} within r p < 1e-290
            out = out * (counts[:, c] == 0)
        else:
            out = out * _pmf(counts[:, c], rem, pc)
        rem = rem - counts[:, c]
    return out


def _enumerate(k: int, m: int, n_out: int) -> bool:
    """Sum sequence by sequence: few sequences, and fewer than ~4x the type-class path's entries."""
    if k > 1 and m * math.log(k) > math.log(max(_ENUM_LIMIT, 1)) + 1.0:  # never form k**m for a huge m
        return False
    n_seq = k**m
    return n_seq <= _ENUM_LIMIT and n_seq <= 4 * n_out * max(k - 2, 1)


def _enumerated_part(cl: _Classes, m: int) -> float:
    """``sum over x in F^m of (P^m(x) - Q^m(x))_+`` by listing all ``k'^m`` sequences (few of them).

    Each product carries a relative error ``<= m u`` and the (pairwise) sum of the positive parts
    adds ``O(log2(k'^m) u)``: accurate to ~1e-14 absolute, like the type-class path.
    """
    vP, vQ = cl.P, cl.Q
    for _ in range(m - 1):
        vP = np.multiply.outer(vP, cl.P).ravel()
        vQ = np.multiply.outer(vQ, cl.Q).ravel()
    d = vP - vQ
    return float(d[d > 0.0].sum())


def _finite_part(cl: _Classes, m: int) -> float:
    """``sum over x in F^m of (P^m(x) - Q^m(x))_+`` exactly (module docstring)."""
    k = cl.k
    if k == 0:
        return 0.0
    if k == 1:
        return max(0.0, _pow_mass(float(cl.P[0]), m) - _pow_mass(float(cl.Q[0]), m)) if cl.l[0] > 0 else 0.0
    if k == 2:  # binary fast path (scalars): one binomial tail under each of P and Q
        la, lb = float(cl.l[0]), float(cl.l[1])
        t = -(m * lb) / (la - lb)  # log-ratio of j class-a letters: m lb + j (la - lb) > 0 iff j > t
        j0 = min(max(math.floor(t) + 1, 0), m + 1)
        sP, sQ = float(cl.P.sum()), float(cl.Q.sum())
        tailP = _sf_scalar(j0 - 1, m, float(cl.P[0]) / sP)
        tailQ = _sf_scalar(j0 - 1, m, float(cl.Q[0]) / sQ)
        return max(0.0, _pow_mass(sP, m) * tailP - _pow_mass(sQ, m) * tailQ)
    n_out = _n_outer(k, m)
    if not _exact_feasible(cl, m, extended=True):  # the one statement of the limits
        raise _Infeasible(n_out)
    if _enumerate(k, m, n_out):
        return _enumerated_part(cl, m)
    outer = _compositions(k - 2, m, exact_total=False)
    ia, ib = k - 2, k - 1  # inner classes: l_a > l_b
    total = 0.0
    chunk = 200_000
    for s in range(0, outer.shape[0], chunk):
        n = outer[s : s + chunk]
        r = m - n.sum(axis=1)
        wP = _sequential_probs(n, cl.P, m)
        wQ = _sequential_probs(n, cl.Q, m)
        base = np.einsum("ij,j->i", n, cl.l[: k - 2]) + r * cl.l[ib]  # no BLAS threads
        # log-ratio of (n, j, r - j) is base + j (l_a - l_b): positive iff j > t
        t = -base / (cl.l[ia] - cl.l[ib])
        j0 = np.clip(np.floor(t) + 1.0, 0.0, r + 1.0)
        piP = cl.P[ia] / (cl.P[ia] + cl.P[ib])
        piQ = cl.Q[ia] / (cl.Q[ia] + cl.Q[ib])
        tailP = _sf(j0 - 1.0, r, piP)
        tailQ = _sf(j0 - 1.0, r, piQ)
        total += float(np.sum(wP * tailP - wQ * tailQ))
    return max(0.0, total)


class _Infeasible(Exception):
    """Raised internally when the exact path would exceed its resource limit."""

    def __init__(self, cost: int):
        super().__init__(cost)
        self.cost = cost


def _exact_packed_tv(cl: _Classes, m: int) -> float:
    """Exact ``d_TV(P^m, Q^m)`` from the classes; raises ``_Infeasible`` beyond the limit."""
    val = _one_minus_pow(cl.a, m) + _finite_part(cl, m)
    return float(min(1.0, max(0.0, val)))


def _exact_feasible(cl: _Classes, m: int, *, extended: bool = False) -> bool:
    """Whether the exact path runs: cheaply (default limits, < ~0.5 s), or ``extended`` (an
    explicit ``method="exact"``) whenever the type classes number at most ``_EXACT_TYPE_LIMIT``."""
    if cl.k <= 2:
        return True
    n = _n_outer(cl.k, m)
    if _enumerate(cl.k, m, n):
        return True
    if n <= _EXACT_OUTER_LIMIT and n * (cl.k - 2) <= _EXACT_ENTRY_LIMIT:
        return True
    return extended and _n_types(cl.k, m) <= _EXACT_TYPE_LIMIT


def _packed_law(cl: _Classes, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact law of the packed likelihood ratio: (P masses, Q masses, log-ratios), merged, sorted.

    The P-only atom (log-ratio ``+inf``) comes first, the Q-only atom (``-inf``) last; finite types
    with log-ratios equal within a tolerance that scales with ``m max|l|`` (round-off of ``n . l``)
    are merged.
    """
    k = cl.k
    Ps, Qs, Ls = [], [], []
    pa = _one_minus_pow(cl.a, m)
    if pa > 0.0:
        Ps.append([pa]), Qs.append([0.0]), Ls.append([np.inf])
    if k > 0:
        counts = _compositions(k, m, exact_total=True)
        wP = _sequential_probs(counts, cl.P, m)
        wQ = _sequential_probs(counts, cl.Q, m)
        lr = counts @ cl.l
        order = np.argsort(-lr, kind="stable")
        wP, wQ, lr = wP[order], wQ[order], lr[order]
        scale = max(1.0, m * float(np.max(np.abs(cl.l))))
        gid = _group_sorted(lr, _MERGE_ATOL * scale)
        ng = int(gid[-1]) + 1
        gP = np.bincount(gid, weights=wP, minlength=ng)
        gQ = np.bincount(gid, weights=wQ, minlength=ng)
        gL = np.bincount(gid, weights=lr, minlength=ng) / np.bincount(gid, minlength=ng)
        keep = (gP > 0) | (gQ > 0)  # underflowed far-tail types carry < 1e-300
        Ps.append(gP[keep]), Qs.append(gQ[keep]), Ls.append(gL[keep])
    qb = _one_minus_pow(cl.b, m)
    if qb > 0.0:
        Ps.append([0.0]), Qs.append([qb]), Ls.append([-np.inf])
    return (np.concatenate(Ps), np.concatenate(Qs), np.concatenate(Ls))
