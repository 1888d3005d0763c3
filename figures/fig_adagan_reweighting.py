"""AdaGAN reweighting on a 1-D mixture: the optimal next component R*_beta and the (1-beta)^t bound."""

from __future__ import annotations

import numpy as np

NAME = "adagan_reweighting"
CAPTION = (
    "AdaGAN on a 1-D Gaussian mixture: data p_d, a collapsed model p_g, the optimal component "
    "R*_beta and the new mixture max((1-beta) p_g, lambda* p_d) for two beta; right: D_f(P_t || P_d) "
    "of the optimal iterates (constant beta) against the (1-beta)^t D_f(P_0 || P_d) bound (they reach "
    "P_d exactly after n = ceil(log M / log(1/(1-beta))) steps, M = max p_g/p_d, printed in the panel)."
)
REPRODUCES = (
    "AdaGAN (Tolstikhin et al. 2017, arXiv 1701.02386) Theorem 1 (R*_beta), the (1-beta) contraction "
    "and finite-step convergence; AdaGAN talk (Tolstikhin); docs/theory.md s.5"
)
ORDER = 40

#: Grid, data mixture (weights, means, stds), collapsed model, betas shown, iterate schedule.
GRID = (-7.0, 8.0, 1501)
DATA = ((0.4, 0.35, 0.25), (-3.0, 0.5, 4.0), (0.6, 0.8, 0.5))
MODEL = ((1.0,), (-2.5,), (1.2,))
BETAS = (0.3, 0.6)
ITER_BETA = 0.3
ITER_T = 15
DIVERGENCES = ("kl", "reverse_kl", "jsd", "squared_hellinger", "total_variation")
LABELS = {
    "kl": "KL",
    "reverse_kl": "reverse KL",
    "jsd": "JSD",
    "squared_hellinger": r"$H^2$",
    "total_variation": r"$d_{TV}$",
}


def _mixture_masses(x, spec):
    """Gaussian-mixture density at the grid points, normalised to cell masses (numpy only)."""
    w, mu, sd = (np.asarray(v, dtype=float)[:, None] for v in spec)
    dens = (w * np.exp(-0.5 * ((x[None, :] - mu) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))).sum(0)
    return dens / dens.sum()


def problem():
    """``(x, dx, p_data, p_model)``: the two mixtures as probability vectors on the grid cells."""
    x = np.linspace(*GRID)
    dx = float(x[1] - x[0])
    return x, dx, _mixture_masses(x, DATA), _mixture_masses(x, MODEL)


def compute():
    """Everything the figure draws, from the library: components, mixtures and iterate divergences."""
    from modecollapse.divergences import adagan_finite_steps, adagan_iterates, adagan_optimal_component, f_divergence

    x, dx, pd, pg = problem()
    cols = {"x": x, "p_data": pd / dx, "p_model": pg / dx}
    lams = {}
    for b in BETAS:
        res = adagan_optimal_component(pd, pg, b)
        cols[f"R_star_{b}"] = res.component / dx
        cols[f"mixture_{b}"] = res.mixture / dx
        lams[str(b)] = res.lam
    it = adagan_iterates(pd, pg, [ITER_BETA] * ITER_T)
    curves = {}
    for name in DIVERGENCES:
        vals = [f_divergence(m, pd, name) for m in it.models]
        curves[name] = {"value": vals, "bound": [(1 - ITER_BETA) ** t * vals[0] for t in range(ITER_T + 1)]}
    ess_sup = float(np.max(pg[pd > 0] / pd[pd > 0])) if np.all(pg[pd == 0] == 0) else float("inf")
    meta = {
        "betas": list(BETAS),
        "lambda_star": lams,
        "iterate_beta": ITER_BETA,
        "t": list(range(ITER_T + 1)),
        "iterate_lambdas": it.lams,
        "divergences": curves,
        "ess_sup": ess_sup,
        "finite_steps": adagan_finite_steps(ess_sup=ess_sup, beta=ITER_BETA),
    }
    return cols, meta


def build(ctx) -> None:
    from modecollapse.figures._style import PALETTE, new_figure

    cols, meta = compute()
    ctx.save_csv(NAME, cols)
    ctx.save_json(NAME, meta)

    fig, axes = new_figure(1, 3, width="full", aspect=0.8, width_ratios=(1, 1, 1.3))
    x = cols["x"]
    for ax, b in zip(axes[:2], BETAS):
        ax.fill_between(x, cols["p_data"], color=PALETTE["black"], alpha=0.12, lw=0, label=r"data $p_d$")
        ax.plot(x, cols["p_model"], color=PALETTE["blue"], label=r"model $p_g$")
        ax.plot(x, cols[f"R_star_{b}"], color=PALETTE["vermillion"], ls="--", label=r"$R^*_\beta$")
        ax.plot(x, cols[f"mixture_{b}"], color=PALETTE["green"], lw=1.0,
                label=r"new model $(1-\beta)p_g+\beta R^*_\beta$")
        lam = meta["lambda_star"][str(b)]
        ax.set_title(rf"$\beta={b}$, $\lambda^*={lam:.3f}$")
        ax.set_xlabel("$x$")
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(0, None)
    axes[0].set_ylabel("density")
    handles, labels = axes[0].get_legend_handles_labels()

    ax = axes[2]
    t = np.array(meta["t"])
    n = meta["finite_steps"]
    colours = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple")]
    # after t = 0 the reverse-KL, H^2 and TV values lie within a factor ~2 of each other: each series
    # is drawn with its own open marker and shifted sideways by a fraction of a step (the bounds stay
    # at the integer steps), so no series hides behind another
    markers = ("o", "s", "^", "D", "v")
    for j, (name, c, mk) in enumerate(zip(DIVERGENCES, colours, markers)):
        cur = meta["divergences"][name]
        v = np.array(cur["value"], dtype=float)
        dodge = (j - (len(DIVERGENCES) - 1) / 2) * 0.17
        ax.semilogy(t + dodge, np.where(v > 0, v, np.nan), mk, ms=2.6, mfc="none", mew=0.7, color=c,
                    label=LABELS[name])
        ax.semilogy(t, cur["bound"], "-", lw=0.8, color=c, alpha=0.7)
    ax.text(0.97, 0.97, rf"$P_t=P_d$ exactly for $t\geq n={n}$" + "\n" + rf"($M=\max p_g/p_d={meta['ess_sup']:.2g}$)",
            transform=ax.transAxes, ha="right", va="top", fontsize=6)
    ax.plot([], [], "-", color="0.4", lw=0.8, label=r"$(1-\beta)^t D_f(P_0\|P_d)$")
    ax.set_xticks(range(0, ITER_T + 1, 5))
    ax.set_xlabel(r"AdaGAN step $t$")
    ax.set_ylabel(r"$D_f(P_t\,\|\,P_d)$")
    ax.set_title(rf"optimal updates, $\beta={meta['iterate_beta']}$")
    top = max(max(meta["divergences"][nm]["bound"]) for nm in DIVERGENCES)
    ax.set_ylim(top=30 * top)  # room for the note above the curves
    h2, l2 = ax.get_legend_handles_labels()
    fig.legend(handles + h2, labels + l2, loc="outside lower center", ncol=5, fontsize=7)
    ctx.savefig(fig, NAME)
