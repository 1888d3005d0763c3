"""Packed discriminators as estimators of the packed total variation d_TV(P^m, Q^m).

Target: the 25-mode grid; generator: uniform on 20 of the 25 modes (known collapse). For each m,
a packed discriminator (MLP on the m concatenated samples, GAN/BCE loss) is trained at growing
(width, training samples); its held-out set estimate P^m(S) - Q^m(S), S = {D > 1/2}, is a lower
bound on d_TV(P^m, Q^m) up to the one-sided Hoeffding radius (error bars, level 0.999). Dashed:
the exact discretised packed TV (regions.packed_tv on the mode partition). Uses the results file
of ``python -m modecollapse.gan crosscheck packed-disc`` when it is in ``ctx.runs_dir/crosscheck``, otherwise
trains the small settings :data:`SCALES` here.
"""

from __future__ import annotations

NAME = "crosscheck_packed_disc"
MS = (1, 2, 4)
#: (hidden width, training samples per side) of the in-figure training, smallest first.
SCALES = ((4, 250), (16, 1000), (32, 2000))
STEPS = 250
N_TEST = 5000
CAPTION = ("Held-out packed-discriminator estimates of d_TV(P^m,Q^m) (grid target, generator on 20 of 25 modes) "
           "vs (width, samples), Hoeffding 99.9% bars; dashed: exact discretised packed TV. Small CPU training "
           "(or the CLI's results file when present).")
REPRODUCES = ("PacGAN (arXiv 1712.04086) Section 3: the packed discriminator sees d_TV(P^m, Q^m), checked on "
              "trained discriminators; docs/theory.md s.4")
ORDER = 61


def compute(runs_dir) -> dict:
    """The rows of the figure: from ``runs_dir/crosscheck/crosscheck_packed_disc_seed0.json`` or trained here."""
    from pathlib import Path

    from modecollapse.gan.crosscheck import read_results, run_packed_disc

    path = Path(runs_dir) / "crosscheck" / "crosscheck_packed_disc_seed0.json"
    if path.is_file():
        res = read_results(path)
        if not res.get("quick", False):
            res["source"] = str(path)
            return res
    res = run_packed_disc(ms=MS, scales=SCALES, steps=STEPS, n_test=N_TEST, seed=0)
    res["source"] = f"trained in the figure: steps={STEPS}, n_test={N_TEST}"
    return res


def build(ctx) -> None:
    import numpy as np

    from ._style import CYCLE, new_figure

    res = compute(ctx.runs_dir)
    rows = res["rows"]
    fig, ax = new_figure(1, 1, width="column", aspect=0.8)
    ms = sorted({r["m"] for r in rows})
    labels = []
    for i, m in enumerate(ms):
        rr = [r for r in rows if r["m"] == m]
        x = np.arange(len(rr)) + (i - (len(ms) - 1) / 2) * 0.08
        c = CYCLE[i % len(CYCLE)]
        ax.errorbar(x, [r["estimate"] for r in rr], yerr=[r["radius"] for r in rr], fmt="o-", color=c, ms=3,
                    capsize=2, lw=1.0, label=f"m={m}")
        ax.axhline(rr[0]["exact_lower"], color=c, ls="--", lw=0.9)
        labels = [f"h={r['hidden']}\nn={r['n_train']}" for r in rr]
    ax.set_xticks(np.arange(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlabel("discriminator width h, training samples n per side")
    ax.set_ylabel(r"held-out estimate of $d_{TV}(P^m,Q^m)$")
    ax.set_ylim(0, 0.7)
    ax.legend(loc="upper left", ncol=3, fontsize=6)
    ctx.save_json(NAME, res)
    ctx.savefig(fig, NAME)
