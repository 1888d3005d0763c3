"""Variational bounds in practice: trained f-GAN critics and a WGAN critic against exact values.

Target: the 8-mode ring; generator: the same components with weights
(.25,.2,.2,.15,.1,.05,.03,.02). Left: held-out f-GAN bounds E_P[T] - E_Q[f*(T)] for KL, 2 JSD and
the GAN divergence along training, as the fraction (bound - f(1)) / (D_f - f(1)) of the exact upper
bracket D_f(w||v); the band shows the exact lower bracket (mode partition). Right: a WGAN-GP
critic, divided by its Lipschitz constant on the samples, vs the exact LP W1 of the two empirical
measures (400 points each). Small CPU training in the figure.
"""

from __future__ import annotations

NAME = "crosscheck_variational"
NAMES = ("kl", "jensen_shannon", "gan")
STEPS = 300
N_EVAL = 4000
N_W1 = 300
CAPTION = ("Trained critics vs exact values (ring target, skewed-weight generator): f-GAN held-out bounds as a "
           "fraction of the exact D_f (left) and the Lipschitz-rescaled WGAN critic vs the exact LP W1 on the "
           "samples (right); all lower bounds, gaps shrink with training. Small CPU training.")
REPRODUCES = ("f-GAN (arXiv 1606.00709) eq. (4) and WGAN (arXiv 1701.07875) duality, checked with trained critics "
              "on a known pair; docs/theory.md s.1-2")
ORDER = 63


def compute() -> dict:
    from modecollapse.gan.crosscheck import run_variational, run_wasserstein

    var = run_variational(names=NAMES, steps=STEPS, n_eval=N_EVAL, seed=0)
    w1 = run_wasserstein(n=N_W1, steps=STEPS, seed=0)
    return {"variational": var, "wasserstein": w1}


def build(ctx) -> None:
    import numpy as np

    from modecollapse import divergences

    from ._style import CYCLE, PALETTE, new_figure

    d = compute()
    fig, (ax, bx) = new_figure(1, 2, width="full", aspect=0.7)
    for i, (name, t) in enumerate(d["variational"]["traces"].items()):
        f1 = divergences.get_f_divergence(name).f_at_one
        scale = t["exact_upper"] - f1
        steps = np.asarray(t["steps"]) + 1
        frac = (np.asarray(t["bound"]) - f1) / scale
        c = CYCLE[i]
        # the GAN divergence is 2 JSD - log 4: after this normalisation its curve is the JS one
        style = "x--" if name == "gan" else "o-"
        label = f"{name}: $D_f$={t['exact_upper']:.3f}"
        if name == "gan":
            label += "\n(= 2 JS - log 4: same normalised curve as JS)"
        ax.plot(steps, frac, style, ms=2.5, color=c, label=label)
        ax.axhspan((t["exact_lower"] - f1) / scale, 1.0, color=c, alpha=0.15)
    ax.axhline(1.0, color="0.4", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel("critic training step + 1")
    ax.set_ylabel(r"$(\mathrm{bound} - f(1)) / (D_f - f(1))$")
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), 1.1)
    ax.legend(loc="lower right", fontsize=6)
    w = d["wasserstein"]
    bx.plot(np.asarray(w["steps"]) + 1, w["bound"], "o-", ms=2.5, color=PALETTE["blue"], label="critic / Lip. const.")
    bx.axhline(w["w1"], color=PALETTE["vermillion"], ls="--", lw=1.0, label=f"exact LP $W_1$ = {w['w1']:.3f}")
    bx.set_xscale("log")
    bx.set_xlabel("critic training step + 1")
    bx.set_ylabel(r"lower bound on $W_1(\hat P_n, \hat Q_n)$")
    bx.set_ylim(0, 1.15 * w["w1"])
    bx.legend(loc="lower right", fontsize=6)
    ctx.save_json(NAME, d)
    ctx.savefig(fig, NAME)
