"""Blackwell ordering of binary experiments (docs/theory.md s.4; Blackwell 1953).

``R(P,Q) ⊆ R(P2,Q2)`` iff there is a Markov kernel (garbling) ``W`` with ``p = p2 W`` and
``q = q2 W``: (P,Q) is then a noisier version of (P2,Q2). Tensorising ``W`` gives
``R(P^m,Q^m) ⊆ R(P2^m,Q2^m)`` for every m, so TV and every f-divergence of the packed pairs are
ordered the same way (data processing). This is the step the PacGAN proofs end with
(arXiv 1712.04086, proofs of Theorems 3-5).

Matrix convention: ``W`` has shape ``(k2, k)``; row ``i`` is the law of the garbled atom given
atom ``i`` of the dominating pair, so ``W >= 0`` and ``W.sum(axis=1) == 1`` (row-stochastic),
and distributions are row vectors: ``p = p2 @ W``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from modecollapse.divergences._validation import as_pair, check_real

from ._region import REGION_ATOL, _region_of

__all__ = ["blackwell_garbling", "blackwell_leq", "GARBLING_ATOL"]

#: Every garbling returned satisfies ``W >= 0`` exactly, ``|W.sum(1) - 1| <= 1e-12`` and
#: ``|p2 @ W - p|, |q2 @ W - q| <= GARBLING_ATOL`` entrywise (checked before returning).
#: HiGHS runs with feasibility tolerance 1e-10; 1e-8 leaves room for the clean-up below.
GARBLING_ATOL = 1e-8

_LP_TOL = 1e-10

#: Largest LP of :func:`blackwell_garbling`, in unknowns ``k2 * k`` (HiGHS: about 3 s at 4e4 here;
#: the constraint matrix is sparse, ``3 k2 k`` entries).
_MAX_LP_VARIABLES = 40_000


def blackwell_garbling(p, q, p2, q2):
    """A row-stochastic ``W`` with ``p = p2 @ W`` and ``q = q2 @ W``, or ``None`` if none exists.

    A garbling exists iff ``R(P,Q) ⊆ R(P2,Q2)`` (Blackwell 1953; docs/theory.md s.4). Found as the
    feasibility linear program

    .. math::

        W \\ge 0,\\quad W\\mathbf 1 = \\mathbf 1,\\quad p_2^\\top W = p^\\top,\\quad q_2^\\top W = q^\\top

    in ``k2 * k`` unknowns (scipy ``linprog``, HiGHS, feasibility tolerance 1e-10). The solver's
    answer is cleaned (negatives clipped to 0, rows rescaled to sum 1) and verified before it is
    returned: ``W >= 0``, rows sum to 1 within 1e-12, both equalities within
    :data:`GARBLING_ATOL` = 1e-8 entrywise.

    Parameters
    ----------
    p, q : array_like, shape (k,)
        The (possibly) dominated pair: target P and generator Q.
    p2, q2 : array_like, shape (k2,)
        The (possibly) dominating pair.

    Returns
    -------
    ndarray, shape (k2, k), read-only, or None
        ``None`` when the LP is infeasible, i.e. R(P,Q) is not contained in R(P2,Q2) up to the
        LP tolerance. Rows of atoms with ``p2_i = q2_i = 0`` are arbitrary (whatever the solver
        returns, made stochastic).

    Raises
    ------
    ValueError, TypeError
        Invalid probability vectors (named ``p``, ``q``, ``p2``, ``q2``), or an LP above
        ``k2 * k = 40000`` unknowns (the message gives the size; :func:`blackwell_leq` answers the
        same question without an LP).
    RuntimeError
        If the solver fails for another reason, or its solution does not pass the check.

    Notes
    -----
    Cost: an LP with ``k2 * k`` variables and ``2k + k2`` equalities (fine up to a few
    thousand variables; ``blackwell_leq`` decides the same question geometrically in
    O((k + k2) log(k + k2))).

    Examples
    --------
    >>> W = blackwell_garbling([0.5, 0.5], [0.3, 0.7], [0.2, 0.8], [0.0, 1.0])  # PacGAN Q2 vs Q1
    >>> W is None   # same TV, but R(P,Q2) is not inside R(P,Q1)
    True
    >>> W = blackwell_garbling([0.6, 0.4], [0.4, 0.6], [1.0, 0.0], [0.0, 1.0])
    >>> W.round(12).tolist()
    [[0.6, 0.4], [0.4, 0.6]]
    """
    p, q = as_pair(p, q, ("p", "q"))
    p2, q2 = as_pair(p2, q2, ("p2", "q2"))
    k, k2 = p.size, p2.size
    n = k2 * k
    if n > _MAX_LP_VARIABLES:
        raise ValueError(
            f"blackwell_garbling with len(p)={k} and len(p2)={k2} is an LP with k2*k={n} unknowns "
            f"(limit {_MAX_LP_VARIABLES}, ~3 s at the limit); use blackwell_leq, which decides "
            f"the same inclusion geometrically in O((k + k2) log(k + k2))"
        )
    # equalities: columns j of p2 W and q2 W; rows i of W sum to 1 (unknown i*k + j is W[i, j]);
    # sparse: 3 entries per unknown instead of a dense (2k + k2) x k2 k matrix
    col = np.arange(n)
    i, j = col // k, col % k
    a_eq = sparse.csc_array(
        (np.concatenate([p2[i], q2[i], np.ones(n)]), (np.concatenate([j, k + j, 2 * k + i]), np.tile(col, 3))),
        shape=(2 * k + k2, n),
    )
    a_eq.eliminate_zeros()  # zero masses in p2, q2: the same matrix as its dense form
    b_eq = np.concatenate([p, q, np.ones(k2)])
    res = linprog(
        np.zeros(n),
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0.0, None),
        method="highs",
        options={"primal_feasibility_tolerance": _LP_TOL, "dual_feasibility_tolerance": _LP_TOL},
    )
    if res.status == 2:  # infeasible
        return None
    if res.status != 0:
        raise RuntimeError(f"blackwell_garbling: linprog failed (status {res.status}): {res.message}")
    w = np.clip(res.x.reshape(k2, k), 0.0, None)
    rows = w.sum(axis=1)
    bad = rows <= 0
    w[bad] = 1.0 / k
    w[~bad] /= rows[~bad, None]
    err = _garbling_residual(w, p, q, p2, q2)
    if err > GARBLING_ATOL:
        raise RuntimeError(
            f"blackwell_garbling: the LP solution misses p = p2 W or q = q2 W by {err:.3g} "
            f"> GARBLING_ATOL={GARBLING_ATOL:g}; the instance is ill-conditioned"
        )
    w.setflags(write=False)
    return w


def _garbling_residual(w, p, q, p2, q2) -> float:
    if np.any(w < 0) or np.max(np.abs(w.sum(axis=1) - 1.0)) > 1e-12:
        return float("inf")
    return float(max(np.max(np.abs(p2 @ w - p)), np.max(np.abs(q2 @ w - q))))


def blackwell_leq(p, q, p2, q2, *, atol: float = REGION_ATOL) -> bool:
    """Whether (P,Q) is Blackwell-dominated by (P2,Q2): ``R(P,Q) ⊆ R(P2,Q2)`` within ``atol``.

    Decided geometrically from the exact regions (``Region.issubset``), without an LP; by
    Blackwell's theorem this is equivalent to :func:`blackwell_garbling` returning a matrix.
    Errors in the inputs name the argument (``p``, ``q``, ``p2``, ``q2``).

    Examples
    --------
    >>> blackwell_leq([0.6, 0.4], [0.4, 0.6], [1.0, 0.0], [0.0, 1.0])
    True
    >>> blackwell_leq([0.5, 0.5], [0.3, 0.7], [0.2, 0.8], [0.0, 1.0])
    False
    """
    p, q = as_pair(p, q, ("p", "q"))
    p2, q2 = as_pair(p2, q2, ("p2", "q2"))
    atol = check_real(atol, "atol", lo=0.0)
    return _region_of(p, q).issubset(_region_of(p2, q2), atol=atol)
