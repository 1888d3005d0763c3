"""Mode-collapse regions of the PacGAN toy example, unpacked and packed with m = 2."""

from __future__ import annotations

import numpy as np

NAME = "regions_toy"
CAPTION = (
    "Mode-collapse regions R(P,Q) of the PacGAN toy example, P = U[0,1] against Q1 = U[0.2,1] and "
    "Q2 (density 0.6 on [0,.5], 1.4 on (.5,1]): same d_TV = 0.2, different regions; packing with "
    "m = 2 separates them (d_TV 0.36 vs 0.24). Dots mark the apex (Q(S*), P(S*)), S* = {p > q}."
)
REPRODUCES = ("PacGAN (arXiv 1712.04086) Section 3 toy example and its region figure; PacGAN talk (Oh); "
              "docs/theory.md s.3")
ORDER = 20

#: Packing degrees drawn, one panel each.
MS = (1, 2)
PAIRS = ("Q1", "Q2")


def packed_region_of(p, q, m):
    """R(P^m, Q^m) from ``regions.packed_region``, exact (``method="exact"`` raises otherwise)."""
    from modecollapse.regions import packed_region

    return packed_region(p, q, m, method="exact").region


def compute():
    """Vertices, TV and apex of each region, all from ``regions``."""
    from modecollapse.regions import mode_collapse_region, pacgan_example, packed_tv

    out = {}
    for name in PAIRS:
        pair = pacgan_example(name)
        for m in MS:
            r = mode_collapse_region(pair.p, pair.q) if m == 1 else packed_region_of(pair.p, pair.q, m)
            out[f"{name}_m{m}"] = {
                "pair": name,
                "m": m,
                "description": pair.description,
                "vertices": r.vertices,
                "tv": r.tv,
                "packed_tv": packed_tv(pair.p, pair.q, m),
                "apex": list(r.apex),
                "area": r.area,
            }
    return out


def build(ctx):
    from ._style import PALETTE, new_figure

    data = compute()
    colours = {"Q1": PALETTE["blue"], "Q2": PALETTE["orange"]}
    fig, axes = new_figure(1, len(MS), width="column", aspect=1.0, sharey=True)
    for ax, m in zip(axes, MS):
        ax.plot([0, 1], [0, 1], color=PALETTE["black"], lw=0.6, ls=":")
        for name in PAIRS:
            d = data[f"{name}_m{m}"]
            v = np.asarray(d["vertices"])
            c = colours[name]
            ax.fill_between(v[:, 0], v[:, 0], v[:, 1], color=c, alpha=0.22, lw=0)
            ax.plot(v[:, 0], v[:, 1], color=c, label=fr"$(P,{name[0]}_{name[1]})$  {d['tv']:.2f}")
            ae, ad = d["apex"]
            ax.plot([ae], [ad], "o", ms=3.5, color=c, zorder=4, clip_on=False)
            ax.plot([ae, ae], [ae, ad], color=c, lw=0.7, ls="--")  # TV = delta - eps at the apex
        ax.set_title("unpacked" if m == 1 else fr"packed, $m={m}$: $(P^{m},Q^{m})$")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_xlabel(r"$\varepsilon = Q(S)$")
        ax.legend(loc="lower right", title=r"$d_{TV}$", title_fontsize=6, handlelength=1.0,
                  borderaxespad=0.1, fontsize=6)
    axes[0].set_ylabel(r"$\delta = P(S)$")
    ctx.savefig(fig, NAME)
    ctx.save_json(NAME, data)
