"""AdaGAN data weights from a trained real-vs-mixture classifier vs the exact R*_beta weights.

Target: the 8-mode ring; current model: the same components with weights (.3,.25,.2,.15,.1,0,0,0)
(a known density). A small classifier (MLP, BCE, CPU) is trained on 2,000 data points vs 2,000
model samples; ``divergences.adagan_weights`` turns its logits into AdaGAN weights, and the exact
likelihood ratios p_g/p_d into the exact ones. Left: per-point weights, classifier vs exact.
Right: the mass each weighting puts on each mode, with R*_beta of the mixture weights
(``divergences.adagan_optimal_component``).
"""

from __future__ import annotations

NAME = "crosscheck_adagan"
BETA = 0.3
N_DATA = 2000
STEPS = 300
CAPTION = (f"AdaGAN weights (beta={BETA}) from a trained real-vs-mixture classifier vs exact R*_beta weights "
           "(ring target, model missing 3 modes): per point (left), per mode with R*_beta of the weights (right).")
REPRODUCES = ("AdaGAN (arXiv 1701.02386) Theorem 1 and the data-weight rule of the AdaGAN talk (Tolstikhin), "
              "checked on a trained classifier; docs/theory.md s.5")
ORDER = 62


def compute() -> dict:
    from modecollapse.gan.crosscheck import adagan_weight_crosscheck, scenario

    target, model = scenario("ring_adagan")
    r = adagan_weight_crosscheck(target, model, beta=BETA, n_data=N_DATA, steps=STEPS, seed=0)
    return {"beta": r.beta, "n_data": r.n_data, "steps": STEPS, "correlation": r.correlation,
            "tv_weights": r.tv_weights, "lambda_classifier": r.lambda_classifier,
            "lambda_exact_sample": r.lambda_exact_sample, "lambda_star": r.lambda_star,
            "weights_classifier": r.weights_classifier, "weights_exact": r.weights_exact,
            "mode_mass_classifier": r.mode_mass_classifier, "mode_mass_exact": r.mode_mass_exact,
            "mode_mass_star": r.mode_mass_star, "model_weights": model.weights}


def build(ctx) -> None:
    import numpy as np

    from ._style import PALETTE, new_figure

    d = compute()
    fig, (ax, bx) = new_figure(1, 2, width="full", aspect=0.7)
    we, wc = np.asarray(d["weights_exact"]), np.asarray(d["weights_classifier"])
    ax.plot(we * d["n_data"], wc * d["n_data"], ".", ms=2, color=PALETTE["blue"], alpha=0.5)
    top = 1.05 * max(we.max(), wc.max()) * d["n_data"]
    ax.plot([0, top], [0, top], color="0.5", lw=0.8, ls=":")
    ax.set_xlabel(r"exact weight $N w_i$ (from $p_g/p_d$)")
    ax.set_ylabel(r"classifier weight $N \hat w_i$")
    ax.set_title(f"corr {d['correlation']:.4f}, TV {d['tv_weights']:.3f}; "
                 f"$\\hat\\lambda$={d['lambda_classifier']:.3f}, $\\lambda^*$={d['lambda_star']:.3f}")
    k = len(d["mode_mass_star"])
    x = np.arange(k)
    bx.bar(x - 0.27, d["mode_mass_star"], 0.27, color=PALETTE["black"], label=r"$R^*_\beta$ (weights)")
    bx.bar(x, d["mode_mass_exact"], 0.27, color=PALETTE["blue"], label="exact, on data")
    bx.bar(x + 0.27, d["mode_mass_classifier"], 0.27, color=PALETTE["orange"], label="classifier")
    bx.set_xticks(x)
    bx.set_xticklabels([f"{i}\n{w:.2f}" for i, w in enumerate(d["model_weights"])])
    bx.set_xlabel("ring mode (model weight below)")
    bx.set_ylabel("mass of the new component")
    bx.legend(loc="upper left", fontsize=6)
    ctx.save_json(NAME, d)
    ctx.savefig(fig, NAME)
