"""Mode-collapse regions of trained GAN / PacGAN generators from samples: classifier vs partition.

Draws the committed results of ``benchmarks/regions_trained.py`` (the figure trains nothing): the
package data file ``figures/data/regions_trained.json``, written by that script next to its full
record ``benchmarks/results/regions_trained.json``. Rebuild both with the command stored in the
data file (``command``); the figure then follows.
"""

from __future__ import annotations

import json
from importlib import resources

import numpy as np

NAME = "regions_trained"
CAPTION = (
    "Mode-collapse regions of trained generators from samples, 95% confidence (docs/theory.md s.7; "
    "benchmarks/regions_trained.py). Columns: the 2-D ring (8 modes) and grid (25 modes) cpu-preset runs (GAN and "
    "PacGAN2-4, seeds 0 and 1) and stacked MNIST (1000 digit-triple modes, cpu preset; GAN seeds 0 and 1, PacGAN2-4 "
    "seed 0). Top: seed 0's GAN and "
    "PacGAN4 at m = 1; the shaded band runs from the inner to the outer region of the mode-partition counts "
    "(region_from_counts), the solid line is the inner region certified by a classifier scored on held-out samples "
    "(estimate_region: an MLP on the points, a CNN on the images). Bottom: every member's d_TV bounds on single "
    "samples (m = 1) and on pairs (m = 2): the partition's interval (bar, estimate marked) and the classifier's lower "
    "bound (triangle; a packed classifier at m = 2). On the ring the MLP's inner region sticks out of the partition's "
    "outer one at m = 1 for every member: it certifies differences inside the mode discs (their shape and spread) "
    "that no union of discs shows. On the grid, where the difference is mass off the modes, it stays inside and is "
    "weaker than the counts. On stacked MNIST the CNN certifies d_TV near 0.9, far above what any union of the 1000 "
    "triples shows (26,000 samples per side leave that band wide): the images differ in quality, which mode counts "
    "never see."
)
REPRODUCES = ("PacGAN (arXiv 1712.04086) Definition 1 and Section 5, applied to trained generators through "
              "docs/theory.md s.7 (regions from samples)")
ORDER = 25

#: The package data file the figure draws, relative to ``modecollapse.figures``.
DATA_FILE = ("data", "regions_trained.json")
DATASETS = ("ring", "grid", "stacked")
TITLES = {"ring": "2-D ring (8 modes)", "grid": "2-D grid (25 modes)", "stacked": "stacked MNIST (1000 modes)"}
#: The two models of the top row (packing degree of the GAN's discriminator; seed 0).
SHOWN = (1, 4)


def load_data() -> dict:
    """The committed numbers: ``figures/data/regions_trained.json`` from the installed package."""
    path = resources.files("modecollapse.figures").joinpath(*DATA_FILE)
    return json.loads(path.read_text())


def summarise(data: dict) -> dict:
    """Per dataset and packing degree: how many members, whether every partition interval is ordered,
    and how often the classifier's (and the cell score's) inner region sticks out of the partition's
    outer region (recomputed from the stored vertices where they are stored)."""
    from modecollapse.regions import Region

    out = {}
    for name, d in data["datasets"].items():
        rows = d["members"]
        s = {}
        for m in ("1", "2"):
            tv = np.array([r[m]["partition_tv"] for r in rows])
            s[m] = {
                "members": len(rows),
                "ordered": bool(np.all(tv[:, 0] <= tv[:, 1]) and np.all(tv[:, 1] <= tv[:, 2])),
                "classifier_outside_outer": int(sum(r[m]["classifier_excess"] > 1e-9 for r in rows)),
                "classifier_above_tv_upper": int(sum(r[m]["classifier_tv_lower"] > r[m]["partition_tv"][2]
                                                     for r in rows)),
                "cell_above_tv_upper": int(sum(r[m]["cell_tv_lower"] > r[m]["partition_tv"][2] for r in rows)),
            }
        shown = {}
        for r in rows:
            if "regions" in r:
                reg = {k: Region.hull(np.asarray(v)) for k, v in r["regions"].items()}  # hull: the stored vertices are rounded
                shown[r["label"]] = {
                    "inner_in_outer": bool(reg["partition_inner"].issubset(reg["partition_outer"], atol=1e-3)),
                    "classifier_in_outer": bool(reg["classifier_inner"].issubset(reg["partition_outer"], atol=1e-3)),
                    "classifier_tv": float(reg["classifier_inner"].tv),
                }
        s["seed0_regions"] = shown
        out[name] = s
    return out


def _fill(ax, lower, upper, color, alpha):
    """Fill between two regions' boundaries (vertex arrays) on a fine grid of eps."""
    e = np.unique(np.concatenate([np.linspace(0, 1, 401), lower[:, 0], upper[:, 0]]))
    top = np.interp(e, upper[:, 0], upper[:, 1])
    if upper.shape[0] > 1 and upper[1, 0] == 0.0:  # vertical first edge
        top[0] = upper[1, 1]
    ax.fill_between(e, np.interp(e, lower[:, 0], lower[:, 1]), top, color=color, alpha=alpha, lw=0)


def build(ctx):
    from ._style import PALETTE, new_figure

    data = load_data()
    names = [n for n in DATASETS if n in data["datasets"]]
    fig, axes = new_figure(2, len(names), width="full", aspect=1.0, squeeze=False)
    colours = {1: PALETTE["vermillion"], 4: PALETTE["blue"]}
    mcol = {"1": PALETTE["blue"], "2": PALETTE["orange"]}
    for j, name in enumerate(names):
        rows = data["datasets"][name]["members"]
        top, bot = axes[0, j], axes[1, j]
        for r in rows:
            if r["seed"] != 0 or r["m_gan"] not in SHOWN or "regions" not in r:
                continue
            c = colours[r["m_gan"]]
            reg = {k: np.asarray(v) for k, v in r["regions"].items()}
            _fill(top, reg["partition_inner"], reg["partition_outer"], c, 0.22)
            ci = reg["classifier_inner"]
            p = r["1"]["partition_tv"]
            top.plot(ci[:, 0], ci[:, 1], color=c, lw=1.1,
                     label=fr"{r['label']}: clf $\geq {r['1']['classifier_tv_lower']:.2f}$, "
                           fr"counts ${p[0]:.2f}$-${p[2]:.2f}$")
        top.plot([0, 1], [0, 1], color=PALETTE["black"], lw=0.6, ls=":")
        top.set_xlim(0, 1)
        top.set_ylim(0, 1)
        top.set_aspect("equal")
        top.set_title(TITLES.get(name, name))
        top.set_xlabel(r"$\varepsilon = Q(S)$")
        top.legend(loc="lower right", fontsize=5.5, handlelength=1.0, borderaxespad=0.1)
        order = sorted(range(len(rows)), key=lambda i: (rows[i]["m_gan"], rows[i]["seed"]))
        for x, i in enumerate(order):
            r = rows[i]
            for m, dx in (("1", -0.17), ("2", 0.17)):
                lo, est, hi = r[m]["partition_tv"]
                xx = x + dx
                bot.plot([xx, xx], [lo, hi], color=mcol[m], lw=2.2, alpha=0.45, solid_capstyle="butt",
                         label=f"counts, m={m}" if x == 0 else None)
                bot.plot([xx - 0.1, xx + 0.1], [est, est], color=mcol[m], lw=0.9)
                bot.plot([xx], [r[m]["classifier_tv_lower"]], marker="^", ms=4.5, color=mcol[m], ls="none",
                         markeredgewidth=0, label=f"classifier, m={m}" if x == 0 else None)
        labels = [f"{rows[i]['label'].replace('PacGAN', 'Pac')}\ns{rows[i]['seed']}" for i in order]
        bot.set_xticks(range(len(order)))
        bot.set_xticklabels(labels, fontsize=5)
        bot.set_ylim(0, 1.02)
        bot.set_xlim(-0.6, len(order) - 0.4)
        if j == 0:
            bot.set_ylabel(r"$d_{TV}(P^m, Q^m)$ bounds")
            top.set_ylabel(r"$\delta = P(S)$")
        if j == 0:  # one legend for the row, where the ring's bounds leave room
            bot.legend(loc="upper right", fontsize=5.5, ncol=2, handlelength=1.0, borderaxespad=0.1)
    ctx.savefig(fig, NAME)
    ctx.save_json(NAME, {"confidence": data["confidence"], "command": data["command"], "commit": data["commit"],
                         "summary": summarise(data)})
