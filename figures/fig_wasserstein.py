"""Wasserstein-1: primal LP = Kantorovich-Rubinstein dual on random instances, and a 1-D example."""

from __future__ import annotations

import numpy as np

NAME = "wasserstein"
CAPTION = (
    "Wasserstein-1. (a) Primal transport LP vs the Kantorovich-Rubinstein dual on random discrete "
    "instances (d = 1, 2, 3): strong duality puts every point on y = x. (b) A 1-D pair: W1 is the "
    "area between the CDFs. (c) Its optimal 1-Lipschitz potential f, slope sign(F_Q - F_P)."
)
REPRODUCES = "WGAN (Arjovsky et al. 2017) Eq. 2-3, Kantorovich-Rubinstein duality; docs/theory.md s.2"
ORDER = 12

N_INSTANCES = 36


def random_instances(seed: int):
    """Random weighted point clouds: ``[(x, y, a, b, d)]`` (d cycles through 1, 2, 3)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(N_INSTANCES):
        d = 1 + i % 3
        n, m = rng.integers(3, 13, size=2)
        x = rng.normal(size=(n, d))
        y = rng.normal(size=(m, d)) * rng.uniform(0.5, 1.5) + rng.uniform(-1.0, 1.0, size=d)
        a, b = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
        out.append((x, y, a, b, d))
    return out


def example_1d():
    """The 1-D pair of panels (b)-(c): P on 4 atoms, Q on 3 atoms."""
    x = np.array([-1.5, -0.2, 0.6, 2.0])
    a = np.array([0.2, 0.3, 0.3, 0.2])
    y = np.array([-0.8, 1.0, 1.6])
    b = np.array([0.5, 0.25, 0.25])
    return x, y, a, b


def scatter_data(seed: int):
    """Primal (LP, forced) and dual values of every random instance, from the library."""
    from modecollapse.divergences import wasserstein1, wasserstein1_dual

    rows = []
    for x, y, a, b, d in random_instances(seed):
        primal = wasserstein1(x, y, a, b, method="lp")
        dual = wasserstein1_dual(x, y, a, b, method="lp").value
        rows.append((d, x.shape[0], y.shape[0], primal, dual))
    return np.array(rows)


def build(ctx) -> None:
    from modecollapse.divergences import wasserstein1, wasserstein1_dual
    from modecollapse.figures._style import PALETTE, new_figure

    rows = scatter_data(ctx.seed)
    ctx.save_csv(NAME, {"d": rows[:, 0].astype(int), "n": rows[:, 1].astype(int), "m": rows[:, 2].astype(int),
                        "primal": rows[:, 3], "dual": rows[:, 4]})
    x, y, a, b = example_1d()
    w_sorted = wasserstein1(x, y, a, b)
    dual = wasserstein1_dual(x, y, a, b)
    ctx.save_json(NAME + "_1d", {"x": x, "y": y, "a": a, "b": b, "w1_sorted": w_sorted, "w1_dual": dual.value,
                                 "points": dual.points[:, 0], "potential": dual.potential,
                                 "max_abs_gap_random": float(np.max(np.abs(rows[:, 3] - rows[:, 4])))})

    fig, axes = new_figure(1, 3, width="full", aspect=0.8)
    ax = axes[0]
    colors = {1: PALETTE["blue"], 2: PALETTE["orange"], 3: PALETTE["green"]}
    lim = (0.0, 1.05 * rows[:, 3:].max())
    ax.plot(lim, lim, color="0.6", lw=0.8, zorder=0, label="$y=x$")
    for d in (1, 2, 3):
        sel = rows[:, 0] == d
        ax.plot(rows[sel, 3], rows[sel, 4], "o", ms=3, mfc="none", color=colors[d], label=f"$d={d}$")
    gap = float(np.max(np.abs(rows[:, 3] - rows[:, 4])))
    ax.text(0.97, 0.04, f"max |primal-dual| = {gap:.1e}", transform=ax.transAxes, ha="right", fontsize=6)
    ax.set_xlabel(r"primal $\min_\gamma \sum \gamma_{ij}\|x_i-y_j\|$")
    ax.set_ylabel(r"dual $\max_{\|f\|_L\leq 1} E_P f - E_Q f$")
    ax.set_xlim(lim)
    ax.set_ylim(lim)
    ax.legend(loc="upper left", fontsize=6)
    ax.set_title("(a) strong duality", fontsize=7)

    # (b) CDFs of the 1-D example and the area between them
    ax = axes[1]
    z = dual.points[:, 0]
    grid = np.concatenate([[z[0] - 0.5], z, [z[-1] + 0.5]])
    FP = np.array([a[x <= g].sum() for g in grid])
    FQ = np.array([b[y <= g].sum() for g in grid])
    ax.step(grid, FP, where="post", color=PALETTE["blue"], label="$F_P$")
    ax.step(grid, FQ, where="post", color=PALETTE["orange"], ls="--", label="$F_Q$")
    ax.fill_between(grid, FP, FQ, step="post", color=PALETTE["sky"], alpha=0.35, lw=0, label="area")
    ax.set_xlabel("$t$")
    ax.set_ylabel("CDF")
    # short labels fit the empty corner left of the first step; the value goes in the title
    ax.legend(loc="upper left", fontsize=6)
    ax.set_title(f"(b) $W_1=\\int|F_P-F_Q|\\,dt$ = {w_sorted:.3f}", fontsize=7)

    # (c) the optimal potential on the union of the support points
    ax = axes[2]
    ax.plot(z, dual.potential, "-o", ms=3, color=PALETTE["vermillion"], label="optimal $f$")
    ax.vlines(x, 0, 1, transform=ax.get_xaxis_transform(), colors=PALETTE["blue"], lw=0.6, alpha=0.5)
    ax.vlines(y, 0, 1, transform=ax.get_xaxis_transform(), colors=PALETTE["orange"], lw=0.6, ls="--", alpha=0.5)
    ax.set_xlabel("$z$ (support of P: solid, Q: dashed)")
    ax.set_ylabel("$f(z)$")
    # the value goes in the title: inside the panel every spot is crossed by a support line
    ax.set_title(f"(c) Kantorovich-Rubinstein potential\n$E_Pf-E_Qf$ = {dual.value:.3f}", fontsize=7)
    ctx.savefig(fig, NAME)
