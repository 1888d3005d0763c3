"""Samples of GAN vs PacGAN2-4 on the 2D grid and ring (like PacGAN arXiv 1712.04086, Figure 2).

By default the models are the shipped ``cpu``-preset generators
(:mod:`modecollapse.gan.experiments.shipped`: the full 12,000-step schedule, m = 1..4, seed 0 of
the 2-seed ensemble of ``python -m modecollapse.gan train --dataset {grid,ring} --m 1 2 3 4 --seeds
0-1 --preset cpu --threads 1``, whose ``results.json`` is shipped with it), so the figure needs no
training. One seed is one draw: on the grid the seed-0 PacGAN4 covers 24 modes with a diffuse cloud
(9% high quality) while seed 1 covers all 25 (the shipped results.json has both). ``python -m modecollapse.figures --runs DIR`` takes the runs from
any folder written by ``gan train`` (found by their ``spec.json``, no naming convention);
``--retrain`` trains the two runs afresh (seed 0, full preset; ``--gan-steps N`` for ``N`` steps)
into the runs folder (:meth:`FigureContext.gan_run`). Panel titles give the modes captured and the
percentage of high-quality samples (docs/theory.md s.6) of the 2,500 stored evaluation samples,
computed by :mod:`modecollapse.gan.metrics`, beside PacGAN's Table 1
(:data:`modecollapse.gan.experiments.reference.PACGAN_TABLE1`: 10 runs of 400k steps of the paper's
4 x 400 networks; ours: one seed of the cpu reduction, 4 x 64 networks and 3% of the steps, so the
comparison is qualitative). The data file also carries the paper's numbers.
"""

from __future__ import annotations

NAME = "gan_samples"
MS = (1, 2, 3, 4)
SEED = 0
DATASETS = ("grid", "ring")
#: The trained runs the figure draws: (dataset, packing degrees, seed).
GAN_RUNS = tuple((name, MS, SEED) for name in DATASETS)
CAPTION = ("Samples (blue) of GAN and PacGAN2-4 on the 2D grid and ring with the mode centres (orange); "
           "cpu preset, full 12,000-step schedule, seed 0 of the shipped 2-seed ensemble (--retrain trains "
           "afresh, --runs DIR reads your runs), 2,500 samples; titles: modes captured, % high quality, and "
           "PacGAN Table 1's values (10 runs, 400k steps).")
REPRODUCES = ("PacGAN (arXiv 1712.04086) Figure 2 and Table 1 (paper values in the panel titles), qualitatively "
              "(cpu-preset reduction, one seed)")
ORDER = 50


def panel_rows(runs: dict) -> dict:
    """Per-panel numbers (dataset, m, modes, % HQ, reverse KL) from the runs' stored metrics, with
    PacGAN Table 1's (``paper_*``)."""
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1

    rows = {"dataset": [], "m": [], "seed": [], "modes": [], "hq_percent": [], "reverse_kl": [],
            "paper_modes": [], "paper_hq_percent": [], "paper_reverse_kl": []}
    for name in DATASETS:
        res = runs[name]
        for (m, seed), r in zip(res.members, res.metrics):
            rows["dataset"].append(name)
            rows["m"].append(m)
            rows["seed"].append(seed)
            rows["modes"].append(r.modes)
            rows["hq_percent"].append(100.0 * r.hq_fraction)
            rows["reverse_kl"].append(r.reverse_kl)
            for key, v in zip(("paper_modes", "paper_hq_percent", "paper_reverse_kl"), PACGAN_TABLE1[name][m]):
                rows[key].append(v)
    return rows


def build(ctx) -> None:
    import numpy as np

    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.metrics import model_label
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1

    from ._registry import gan_source_label
    from ._style import PALETTE, new_figure

    runs = {name: ctx.gan_run(name, ms=MS, seed=SEED) for name in DATASETS}
    first = runs[DATASETS[0]]
    fig, axes = new_figure(2, 4, width="full", aspect=1.0)
    fig.suptitle(f"{first.spec.preset} preset, {first.spec.resolved().steps:,} training steps, seed {SEED} "
                 f"({gan_source_label(first)}; paper: 10 runs of 400,000 steps)", fontsize=9)
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
