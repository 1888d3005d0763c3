"""Packed-TV bounds with and without (eps, delta)-mode collapse (docs/theory.md s.4.B, 4.C)."""

from __future__ import annotations

import numpy as np

NAME = "collapse_bounds"
CAPTION = (
    "Packed TV against tau for m = 2, 3, 5. Solid colours: exact lower bounds L1 for pairs WITH "
    "(eps, delta)-mode collapse; grey band: all pairs. Without collapse of (0.1, 0.5): the one-sided "
    "optimum (dots) is exactly the unconstrained maximum 1-(1-tau)^m wherever feasible (tau < 0.8), "
    "so one-sided 'no collapse' gives no better upper bound; the two-sided optimum (neither (P,Q) "
    "nor (Q,P) collapses; dashed, numerical over the supporting lines) jumps below it at "
    "tau = min(A, B) = 4/9 (dotted) and is infeasible from tau = 2/3 on."
)
REPRODUCES = (
    "PacGAN (arXiv 1712.04086) Theorems 4-5 (mode-collapse lower bound, no-collapse upper bound) "
    "as exact optimisations; PacGAN talk (Oh) slides 'R_inner(tau, alpha, eps1, delta1)' and "
    "'R_outer(tau, eps0, delta0, alpha)'"
)
ORDER = 22

MS = (2, 3, 5)
#: (eps, delta) of the collapse lower bounds L1.
COLLAPSE = ((0.0, 0.1), (0.0, 0.3), (0.1, 0.5))
#: (eps, delta) of the no-collapse upper bounds.
NO_COLLAPSE = (0.1, 0.5)
N_TAU = 17
N_TWO_SIDED = 5


def _feasible_taus(eps, delta, two_sided, n):
    """``n`` feasible taus of problem 4.C (docs/theory.md) on [0, 1), ending just below the feasibility limit (found by
    bisection on the library's own error: the limit is where it starts raising ValueError)."""
    from modecollapse.regions import packed_tv_max_without_collapse

    def ok(t):
        try:
            packed_tv_max_without_collapse(t, 1, eps=eps, delta=delta, two_sided=two_sided)
            return True
        except ValueError:
            return False

    lo, hi = 0.0, 1.0
    if ok(hi):
        return np.linspace(0.0, 1.0, n), 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return np.linspace(0.0, lo, n), hi


def compute():
    """Long-format table ``(m, curve, eps, delta, tau, value)`` from ``regions`` plus metadata."""
    from modecollapse.regions import (
        packed_tv_max,
        packed_tv_max_without_collapse,
        packed_tv_min,
        packed_tv_min_with_collapse,
    )

    rows = {"m": [], "curve": [], "eps": [], "delta": [], "tau": [], "value": []}

    def add(m, curve, eps, delta, tau, value):
        for k, v in zip(rows, (m, curve, eps, delta, tau, value)):
            rows[k].append(v)

    e0, d0 = NO_COLLAPSE
    taus1, lim1 = _feasible_taus(e0, d0, False, N_TAU)
    _, lim2 = _feasible_taus(e0, d0, True, 2)
    A, B = (d0 - e0) / (1 - e0), (d0 - e0) / d0
    start2 = min(A, B)
    # two-sided: closed form below min(A, B); numerical from there to just below the limit
    taus2 = np.concatenate([np.linspace(0.0, start2, 8)[:-1], np.linspace(start2, lim2, N_TWO_SIDED + 1)[:-1]])
    for m in MS:
        for t in np.linspace(0.0, 1.0, N_TAU):
            add(m, "L", np.nan, np.nan, t, packed_tv_min(t, m).value)
            add(m, "max", np.nan, np.nan, t, packed_tv_max(t, m).value)
        for eps, delta in COLLAPSE:
            for t in np.linspace(delta - eps, 1.0, N_TAU):
                add(m, "L1", eps, delta, t, packed_tv_min_with_collapse(t, m, eps=eps, delta=delta).value)
        for t in taus1:
            add(m, "nocollapse_one_sided", e0, d0, t,
                packed_tv_max_without_collapse(t, m, eps=e0, delta=d0).value)
        for t in taus2:
            add(m, "nocollapse_two_sided", e0, d0, t,
                packed_tv_max_without_collapse(t, m, eps=e0, delta=d0, two_sided=True).value)
    meta = {"one_sided_limit": lim1, "two_sided_limit": lim2, "two_sided_below_max_from": start2,
            "A": A, "B": B, "ms": list(MS), "collapse": [list(c) for c in COLLAPSE],
            "no_collapse": list(NO_COLLAPSE)}
    return {k: np.array(v) for k, v in rows.items()}, meta


def build(ctx):
    from ._style import PALETTE, new_figure

    cols, meta = compute()
    fig, axes = new_figure(1, len(MS), width="full", aspect=1.0, sharey=True)
    colours = [PALETTE["blue"], PALETTE["green"], PALETTE["purple"]]
    e0, d0 = NO_COLLAPSE
    for ax, m in zip(np.atleast_1d(axes), MS):
        sel = lambda c, e=None, d=None: (cols["m"] == m) & (cols["curve"] == c) & (  # noqa: E731
            True if e is None else (cols["eps"] == e) & (cols["delta"] == d))
        s = sel("L")
        t, lo = cols["tau"][s], cols["value"][s]
        hi = cols["value"][sel("max")]
        ax.fill_between(t, lo, hi, color="0.88", lw=0, label="all pairs")
        ax.plot(t, hi, color="0.45", lw=0.8)
        ax.plot(t, lo, color="0.45", lw=0.8)
        for (eps, delta), c in zip(COLLAPSE, colours):
            s = sel("L1", eps, delta)
            ax.plot(cols["tau"][s], cols["value"][s], color=c,
                    label=rf"$L_1$, collapse $(\varepsilon,\delta)=({eps:g},{delta:g})$")
        s = sel("nocollapse_one_sided", e0, d0)
        ax.plot(cols["tau"][s], cols["value"][s], ls="none", marker="o", ms=2.2, color=PALETTE["vermillion"], zorder=3,
                label=rf"max, no $({e0:g},{d0:g})$ collapse (one-sided)")
        s = sel("nocollapse_two_sided", e0, d0)
        t2, v2 = cols["tau"][s], cols["value"][s]
        below = t2 < meta["two_sided_below_max_from"]  # closed form (= the max) / numerical branch
        # dashed as the caption says: long dashes and no markers, so the dashes show between the
        # closely spaced points and do not hide the one-sided dots the closed-form branch runs over
        dashes = dict(ls=(0, (4, 2.5)), lw=1.4, color=PALETTE["orange"])
        ax.plot(t2[below], v2[below], label=rf"max, no $({e0:g},{d0:g})$ collapse (two-sided)", **dashes)
        ax.plot(t2[~below], v2[~below], **dashes)
        ax.axvline(meta["two_sided_below_max_from"], color="0.6", lw=0.5, ls=":")
        ax.set_title(f"m = {m}")
        ax.set_xlabel(r"$d_{TV}(P,Q)=\tau$")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
    np.atleast_1d(axes)[0].set_ylabel(r"$d_{TV}(P^m,Q^m)$")
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, handlelength=1.6)
    ctx.savefig(fig, NAME)
    ctx.save_csv(NAME, cols)
    ctx.save_json(NAME, meta)
