"""Item 1 of the cross-checks: the mode-collapse region of a (trained) generator on the mode partition.

Target P and generator Q are pushed through the same map x -> cell (one cell per mode's
``3 std`` disc plus "elsewhere"). By data processing (Blackwell, docs/theory.md s.4) the region of
the discretised pair is *inside* the region of the continuous pair: every collapse found here is a
real collapse of (P, Q), witnessed by a union of discs, and every TV / packed TV computed here is a
*lower* bound on the continuous one. The discretised pair is an honest discrete pair, so the PacGAN
bounds (``L(tau,m) <= d_TV(P^m,Q^m) <= 1-(1-tau)^m``, and ``L1`` for every collapse it has) are
theorems about it: :func:`check_packing_bounds` fails loudly if a pair violates them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modecollapse.divergences._validation import as_pair, check_integer, check_real

from modecollapse.regions import MultinomialEstimate, estimate_cell_masses
from modecollapse.gan.data import GaussianMixture, ModePartition

__all__ = [
    "BOUND_ATOL",
    "BoundCheck",
    "CollapseReport",
    "PackingBoundViolation",
    "check_packing_bounds",
    "collapse_report",
    "generator_collapse_report",
    "trained_collapse_reports",
]

#: Slack allowed between a packed TV and a bound before calling it a violation: both sides are
#: exact computations in float64 (type-class enumeration, breakpoint optimisation), accurate to
#: ~1e-12; 1e-9 leaves room for their round-off and nothing else.
BOUND_ATOL = 1e-9


class PackingBoundViolation(AssertionError):
    """A discrete pair outside the proven PacGAN bounds: a bug in ``regions`` or in the pair's data."""


@dataclass(frozen=True)
class BoundCheck:
    """Where one pair's packed TV sits relative to the PacGAN bounds, for one packing degree ``m``.

    Attributes
    ----------
    m : int
    tau : float
        ``d_TV(P, Q)`` of the (discretised) pair.
    packed_tv : float
        ``regions.packed_tv``: exact ``d_TV(P^m, Q^m)`` for pairs with few likelihood-ratio classes
        (all mode partitions here at ``m <= 4``), else the midpoint of a certified bracket of
        width <= 1e-6 (``regions.packed_tv_bounds``; the check uses the bracket).
    lower : float
        ``L(tau, m)``, the unconstrained lower bound (PacGAN Theorem 3).
    upper : float
        ``1 - (1 - tau)^m`` (PacGAN Theorem 3).
    lower_collapse : float
        ``max`` over the region's vertices ``(eps, delta)`` (``delta > eps``) of
        ``L1(eps, delta, tau, m)`` (docs/theory.md s.4 B): the sharpest lower bound the pair's own
        collapses give. Equals ``lower`` when the region has no vertex above the diagonal.
    lower_collapse_at : tuple of float
        The ``(eps, delta)`` attaining ``lower_collapse``.
    ok : bool
        ``lower - tol <= packed_tv <= upper + tol``, ``lower_collapse - tol <= packed_tv`` and
        ``packed_tv`` inside its certified bracket, with ``tol = atol + bracket width`` (the width
        is 0 on the exact path).
    """

    m: int
    tau: float
    packed_tv: float
    lower: float
    upper: float
    lower_collapse: float
    lower_collapse_at: tuple[float, float]
    ok: bool


def _collapse_points(region, tau: float) -> list[tuple[float, float]]:
    pts = []
    for e, d in np.asarray(region.vertices, dtype=float):
        if d > e + 1e-12 and e < 1.0:
            # delta - eps <= tau is a theorem (TV is the largest delta - eps); clip its last ulp
            pts.append((float(e), float(min(d, e + tau, 1.0))))
    return pts


def check_packing_bounds(p, q, ms=(1, 2, 3, 4), *, atol: float = BOUND_ATOL, raise_on_violation: bool = True):
    """Compare ``d_TV(P^m, Q^m)`` of a discrete pair with the PacGAN bounds, for each ``m`` in ``ms``.

    Checks ``L(tau, m) <= d_TV(P^m, Q^m) <= 1 - (1-tau)^m`` (PacGAN, arXiv 1712.04086, Theorem 3)
    and ``L1(eps, delta, tau, m) <= d_TV(P^m, Q^m)`` for every vertex ``(eps, delta)`` of
    ``R(P, Q)`` above the diagonal (docs/theory.md s.4 B; the pair has ``(eps, delta)``-mode
    collapse there). These are theorems for every pair: a violation means a bug in one of the
    two computations, and raises :class:`PackingBoundViolation` unless ``raise_on_violation`` is
    False.

    Returns
    -------
    list of BoundCheck
    """
    from modecollapse import regions

    p, q = as_pair(p, q, ("p", "q"))
    atol = check_real(atol, "atol", lo=0.0)
    ms = [check_integer(m, "m", minimum=1) for m in ms]
    region = regions.mode_collapse_region(p, q)
    tau = float(region.tv)
    pts = _collapse_points(region, tau)
    out = []
    for m in ms:
        bracket = regions.packed_tv_bounds(p, q, m)  # certified [lower, upper]; exact for our sizes
        packed_lo, packed_hi = float(bracket.lower), float(bracket.upper)
        packed = float(regions.packed_tv(p, q, m))
        if tau > 0:
            lo = float(regions.packed_tv_min(tau, m).value)
            hi = float(regions.packed_tv_max(tau, m).value)
        else:
            lo = hi = 0.0
        best, at = lo, (0.0, 0.0)
        for e, d in pts:
            v = float(regions.packed_tv_min_with_collapse(tau, m, eps=e, delta=d).value)
            if v > best:
                best, at = v, (e, d)
        # the float may sit anywhere in its certified bracket: allow the bracket's width on top of atol
        tol = atol + (packed_hi - packed_lo)
        ok = (lo - tol <= packed <= hi + tol) and (best - tol <= packed) and (packed_lo - tol <= packed <= packed_hi + tol)
        chk = BoundCheck(m=m, tau=tau, packed_tv=packed, lower=lo, upper=hi, lower_collapse=best,
                         lower_collapse_at=at, ok=bool(ok))
        if not ok and raise_on_violation:
            raise PackingBoundViolation(f"pair outside the PacGAN bounds: {chk}; p={p.tolist()}, q={q.tolist()}")
        out.append(chk)
    return out


@dataclass(frozen=True)
class CollapseReport:
    """Mode-collapse cross-check of one (target, generator) pair on the mode partition.

    Every interval holds with probability >= ``confidence`` jointly (one Weissman L1 ball for each
    estimated side, see :func:`gan.crosscheck.l1_radius`); with exact masses they have zero width.

    Attributes
    ----------
    p, q : MultinomialEstimate
        Cell masses of the target and of the generator (last cell: "elsewhere").
    region : regions.Region
        Exact ``R(P_hat, Q_hat)`` of the estimated discrete pair.
    tv : float
        ``d_TV(P_hat, Q_hat)``; ``tv_interval`` = ``tv -+ (r_P + r_Q)/2`` clipped to [0, 1] where
        ``r`` are the L1 radii (TV is 1-Lipschitz in each argument w.r.t. ``||.||_1 / 2``).
    apex_delta : float
        ``delta*(0) = P_hat(q_hat = 0)``: the largest delta with ``(0, delta)``-mode collapse
        (the mass of the modes the generator never hits).
    tv_point : tuple of float
        ``region.apex = (Q_hat(S*), P_hat(S*))`` with ``S* = {p > q}``: the collapse with the
        largest ``delta - eps`` (``= tv``).
    shift : tuple of float
        ``(r_Q/2, r_P/2)``: with the stated confidence, the true discretised region contains
        ``(eps + r_Q/2, delta - r_P/2)`` for every ``(eps, delta)`` of the estimated region (and
        vice versa): a test's power/size moves by at most the TV error of each side.
    packed : tuple of BoundCheck
        Exact packed TV of ``(P_hat, Q_hat)`` for each ``m`` with the PacGAN bounds.
    packed_interval : tuple of (float, float)
        ``packed_tv -+ m (r_P + r_Q)/2`` (``d_TV(P^m, P'^m) <= m d_TV(P, P')``), clipped to [0, 1].
    confidence : float
    """

    p: MultinomialEstimate
    q: MultinomialEstimate
    region: object
    tv: float
    tv_interval: tuple[float, float]
    apex_delta: float
    tv_point: tuple[float, float]
    shift: tuple[float, float]
    packed: tuple[BoundCheck, ...]
    packed_interval: tuple[tuple[float, float], ...]
    confidence: float

    def to_dict(self) -> dict:
        """JSON-ready summary (lists and floats)."""
        return {
            "p_hat": self.p.p_hat.tolist(), "p_lower": self.p.lower.tolist(), "p_upper": self.p.upper.tolist(),
            "p_exact": self.p.exact, "p_n": self.p.n, "p_l1_radius": self.p.l1_radius,
            "q_hat": self.q.p_hat.tolist(), "q_lower": self.q.lower.tolist(), "q_upper": self.q.upper.tolist(),
            "q_exact": self.q.exact, "q_n": self.q.n, "q_l1_radius": self.q.l1_radius,
            "region_vertices": np.asarray(self.region.vertices, dtype=float).tolist(),
            "tv": self.tv, "tv_interval": list(self.tv_interval),
            "apex_delta": self.apex_delta, "tv_point": list(self.tv_point), "shift": list(self.shift),
            "confidence": self.confidence,
            "packed": [
                {"m": c.m, "packed_tv": c.packed_tv, "interval": list(iv), "lower_L": c.lower, "upper": c.upper,
                 "lower_L1": c.lower_collapse, "L1_at": list(c.lower_collapse_at), "ok": c.ok}
                for c, iv in zip(self.packed, self.packed_interval)
            ],
        }


def collapse_report(p, q, *, ms=(1, 2, 3, 4)) -> CollapseReport:
    """Exact region, TV, largest collapses and packed TV of a discretised pair, with intervals.

    Parameters
    ----------
    p, q : MultinomialEstimate or array_like, shape (k,)
        Target and generator cell masses. A plain vector is taken as *exact* (zero-width interval);
        pass :func:`gan.crosscheck.estimate_cell_masses` of sample counts for an estimate.
    ms : iterable of int
        Packing degrees.

    The stored ``confidence`` is the joint level ``1 - (alpha_P + alpha_Q)`` (union bound over
    the two sides' L1 balls; an exact side contributes ``alpha = 0``).

    Raises
    ------
    PackingBoundViolation
        If the pair violates a PacGAN bound (see :func:`check_packing_bounds`).
    """
    from modecollapse import regions

    pe = p if isinstance(p, MultinomialEstimate) else MultinomialEstimate.exact_masses(p)
    qe = q if isinstance(q, MultinomialEstimate) else MultinomialEstimate.exact_masses(q)
    ph, qh = as_pair(pe.p_hat, qe.p_hat, ("p", "q"))
    region = regions.mode_collapse_region(ph, qh)
    tv = float(region.tv)
    rp, rq = pe.tv_radius, qe.tv_radius
    checks = tuple(check_packing_bounds(ph, qh, ms))
    packed_iv = tuple((max(0.0, c.packed_tv - c.m * (rp + rq)), min(1.0, c.packed_tv + c.m * (rp + rq))) for c in checks)
    alpha = (1.0 - pe.confidence) + (1.0 - qe.confidence)
    return CollapseReport(
        p=pe, q=qe, region=region, tv=tv,
        tv_interval=(max(0.0, tv - rp - rq), min(1.0, tv + rp + rq)),
        apex_delta=float(ph[qh == 0].sum()),
        tv_point=tuple(float(v) for v in region.apex),
        shift=(rq, rp), packed=checks, packed_interval=packed_iv,
        confidence=float(max(0.0, 1.0 - alpha)),
    )


def generator_collapse_report(target: GaussianMixture, generator_samples, *, n_std: float = 3.0,
                              ms=(1, 2, 3, 4), confidence: float = 0.95) -> CollapseReport:
    """:func:`collapse_report` for a known target and a sample of a generator.

    The target's cell masses are exact (:meth:`GaussianMixture.cell_masses`); the generator's are
    estimated from ``generator_samples`` (shape ``(n, d)``) with the stated ``confidence``.
    With ``n`` samples on ``k = K + 1`` cells the TV half-width is
    ``sqrt((log(2^k - 2) + log(1/alpha)) / (2 n))``: about 0.010 for the 25-mode grid at
    ``n = 100,000`` and ``confidence = 0.95`` (0.046 at ``n = 5,000``).
    """
    part = ModePartition.from_mixture(target, n_std=n_std)
    pe = MultinomialEstimate.exact_masses(target.cell_masses(part))
    qe = estimate_cell_masses(part.counts(generator_samples), confidence=confidence)
    return collapse_report(pe, qe, ms=ms)


def trained_collapse_reports(run, *, n_samples: int | None = None, ms=(1, 2, 3, 4), confidence: float = 0.95,
                             seed: int = 0, device=None) -> list[tuple[int, int, CollapseReport]]:
    """:func:`generator_collapse_report` for every member of a finished ``gan.experiments.runs`` run.

    Parameters
    ----------
    run : gan.experiments.runs.RunResult or path
        A finished run (ring or grid; any ``gan.data`` benchmark works).
    n_samples : int, optional
        Draw this many fresh samples per member from the run's checkpoint (narrower intervals);
        default: the run's stored evaluation samples (2,500 per member in the protocol).

    Returns
    -------
    list of (m, seed, CollapseReport)
        In the run's member order.
    """
    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.experiments.runs import RunResult, evaluate_run, load_run

    res = run if isinstance(run, RunResult) else load_run(run)
    target = get_dataset(res.spec.dataset, data_seed=res.spec.data_seed).mixture
    if n_samples is None:
        samples = res.samples()
    else:
        n_samples = check_integer(n_samples, "n_samples", minimum=1)
        samples = evaluate_run(res.path, eval_samples=n_samples, seed=seed, device=device).samples
    return [(m, s, generator_collapse_report(target, samples[i], ms=ms, confidence=confidence))
            for i, (m, s) in enumerate(res.members)]
