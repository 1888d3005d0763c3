"""Samples of GAN vs PacGAN2-4 on the 2D grid and ring (like PacGAN arXiv 1712.04086, Figure 2).

The models are trained with :func:`modecollapse.gan.experiments.runs.load_or_train` (``cpu``
preset, shortened to :data:`STEPS` steps unless ``python -m modecollapse.figures --gan-steps N``
says otherwise, seed 0) in ``ctx.runs_dir``, or reused from there when a run with the same
specification exists. Panel titles give the modes captured and the percentage of high-quality
samples (docs/theory.md s.6) of the 2,500 evaluation samples, computed by
:mod:`modecollapse.gan.metrics`, beside PacGAN's Table 1
(:data:`modecollapse.gan.experiments.reference.PACGAN_TABLE1`: 10 runs of 400k steps; ours: one seed,
short training, so the comparison is qualitative). The data file also carries the paper's numbers.
"""

from __future__ import annotations

NAME = "gan_samples"
#: Training steps per model for this figure: a short run that fits the figures job's training budget
#: (throughput: benchmarks/results/gan_throughput.json). Far from converged: the figure shows early
#: training, not PacGAN's Fig. 2.
STEPS = 800  # default; ``--gan-steps`` (FigureContext.gan_steps) overrides it
MS = (1, 2, 3, 4)
SEED = 0
DATASETS = ("grid", "ring")
CAPTION = (f"Samples (blue) of GAN and PacGAN2-4 on the 2D grid and ring with the mode centres (orange); "
           f"cpu preset shortened to {STEPS} steps by default (far from converged; --gan-steps 12000 trains "
           f"the full preset, steps in the figure title), "
           f"seed 0, 2,500 samples; titles: modes captured, % high quality, and PacGAN Table 1's values "
           f"(10 runs, 400k steps).")
REPRODUCES = ("PacGAN (arXiv 1712.04086) Figure 2 and Table 1 (paper values in the panel titles), qualitatively "
              "(short CPU training unless `--gan-steps`)")
ORDER = 50


def panel_rows(runs: dict) -> dict:
    """Per-panel numbers (dataset, m, modes, % HQ, reverse KL) from the runs' stored metrics, with
    PacGAN Table 1's (``paper_*``)."""
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1

    rows = {"dataset": [], "m": [], "modes": [], "hq_percent": [], "reverse_kl": [],
            "paper_modes": [], "paper_hq_percent": [], "paper_reverse_kl": []}
    for name in DATASETS:
        res = runs[name]
        for (m, _seed), r in zip(res.members, res.metrics):
            rows["dataset"].append(name)
            rows["m"].append(m)
            rows["modes"].append(r.modes)
            rows["hq_percent"].append(100.0 * r.hq_fraction)
            rows["reverse_kl"].append(r.reverse_kl)
            for key, v in zip(("paper_modes", "paper_hq_percent", "paper_reverse_kl"), PACGAN_TABLE1[name][m]):
                rows[key].append(v)
    return rows


def train_runs(runs_dir, log=print, steps: int | None = None) -> dict:
    """The two runs of the figure (trained or reused), keyed by dataset name; ``steps`` default :data:`STEPS`."""
    from modecollapse.gan.experiments.runs import load_or_train

    steps = STEPS if steps is None else steps
    return {name: load_or_train(runs_dir, dataset=name, ms=MS, seeds=(SEED,), preset="cpu", steps=steps, log=log)
            for name in DATASETS}


def build(ctx) -> None:
    import numpy as np

    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.metrics import model_label
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1

    from ._style import PALETTE, new_figure

    runs = train_runs(ctx.runs_dir, log=ctx.log, steps=ctx.gan_steps)
    fig, axes = new_figure(2, 4, width="full", aspect=1.0)
    fig.suptitle(f"cpu preset, {runs[DATASETS[0]].spec.steps:,} training steps, seed 0 "
                 "(paper: 10 runs of 400,000 steps)", fontsize=9)
    for row, name in enumerate(DATASETS):
        ds = get_dataset(name, n_train=1)
        res = runs[name]
        x = res.samples()
        lim = 5.5 if name == "grid" else 1.5
        for col, ((m, _seed), met) in enumerate(zip(res.members, res.metrics)):
            ax = axes[row, col]
            pts = x[col]
            inside = np.all(np.abs(pts) <= lim, axis=1)
            ax.scatter(pts[inside, 0], pts[inside, 1], s=1.0, color=PALETTE["blue"], alpha=0.35, linewidths=0,
                       rasterized=True)
            ax.scatter(ds.means[:, 0], ds.means[:, 1], s=6, marker="x", color=PALETTE["orange"], linewidths=0.8)
            label = model_label(m)
            paper = PACGAN_TABLE1[name][m]
            ax.set_title(f"{name} {label}\n{met.modes}/{ds.n_modes} modes, {100 * met.hq_fraction:.0f}% HQ\n"
                         f"paper: {paper[0]}, {paper[1]:.0f}%", fontsize=8)
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_aspect("equal")
            # samples beyond the axes are counted under the panel, where no point or tick can cover it
            outside = int((~inside).sum())
            ax.set_xlabel("$x_1$" + (f"  ({outside} outside)" if outside else ""))
            if col == 0:
                ax.set_ylabel("$x_2$")
    ctx.savefig(fig, NAME)
    ctx.save_csv(NAME, panel_rows(runs))
