"""Achievable (d_TV(P,Q), d_TV(P^m,Q^m)) bands for m = 1..5 and 10, with random pairs inside."""

from __future__ import annotations

import numpy as np

NAME = "tv_bands"
CAPTION = (
    "Achievable region of (d_TV(P,Q), d_TV(P^m,Q^m)) for m = 1..5 and 10: the exact band between "
    "L(tau, m) (binary inner pair, exact breakpoint minimum) and 1-(1-tau)^m (outer pair); dots are "
    "random pairs on 2-5 atoms, packed exactly, and all fall inside."
)
REPRODUCES = ("PacGAN (arXiv 1712.04086) Theorem 3 and its 'achievable TV distances' figure; PacGAN talk (Oh); "
              "docs/theory.md s.4.A")
ORDER = 21

#: Packing degrees (one panel each), tau grid, random pairs per panel.
MS = (1, 2, 3, 4, 5, 10)
N_TAU = 61
N_PAIRS = 100


def random_pairs(seed: int, n: int = N_PAIRS):
    """``n`` random pairs on 2-5 atoms (Dirichlet(0.6) masses, some atoms zeroed on one side)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        k = int(rng.integers(2, 6))
        p = rng.dirichlet(np.full(k, 0.6))
        q = rng.dirichlet(np.full(k, 0.6))
        if rng.random() < 0.3:
            p[rng.integers(k)] = 0.0
            p /= p.sum()
        out.append((p, q))
    return out


def compute(seed: int = 0):
    """Band curves and scatter points, all from ``regions``."""
    from modecollapse.regions import packed_tv, packed_tv_max, packed_tv_min

    taus = np.linspace(0.0, 1.0, N_TAU)
    cols = {"tau": taus}
    for m in MS:
        cols[f"L_m{m}"] = np.array([packed_tv_min(t, m).value for t in taus])
        cols[f"U_m{m}"] = np.array([packed_tv_max(t, m).value for t in taus])
    pts = []
    for p, q in random_pairs(seed):
        tau = 0.5 * float(np.abs(p - q).sum())
        row = {"tau": tau}
        for m in MS:
            v = packed_tv(p, q, m)
            row[f"m{m}"] = float(getattr(v, "value", v))
        pts.append(row)
    return cols, pts


def build(ctx):
    from ._style import PALETTE, new_figure

    cols, pts = compute(ctx.seed)
    fig, axes = new_figure(2, 3, width="full", aspect=0.85, sharex=True, sharey=True)
    taus = cols["tau"]
    for ax, m in zip(axes.ravel(), MS):
        lo, hi = cols[f"L_m{m}"], cols[f"U_m{m}"]
        ax.fill_between(taus, lo, hi, color=PALETTE["sky"], alpha=0.35, lw=0, label="achievable")
        ax.plot(taus, hi, color=PALETTE["vermillion"], label=r"$1-(1-\tau)^m$")
        ax.plot(taus, lo, color=PALETTE["blue"], label=r"$L(\tau,m)$")
        ax.plot(taus, taus, color=PALETTE["black"], lw=0.6, ls=":", label=r"$\tau$")
        ax.scatter([r["tau"] for r in pts], [r[f"m{m}"] for r in pts], s=3, color=PALETTE["black"],
                   alpha=0.6, lw=0, label="random pairs", zorder=3)
        ax.set_title(f"m = {m}")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_aspect("equal")
    for ax in axes[-1]:
        ax.set_xlabel(r"$d_{TV}(P,Q)=\tau$")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$d_{TV}(P^m,Q^m)$")
    axes[0, 0].legend(loc="lower right", handlelength=1.2, borderaxespad=0.2)
    ctx.savefig(fig, NAME)
    ctx.save_csv(NAME, cols)
    ctx.save_json(NAME, {"ms": list(MS), "seed": ctx.seed, "pairs": pts})
