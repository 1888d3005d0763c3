"""Mode-collapse regions from samples: the estimate, the certified band, and the exact region."""

from __future__ import annotations

import numpy as np

NAME = "regions_from_samples"
CAPTION = (
    "Regions from samples at 95% confidence (docs/theory.md s.7). Left: P = N(1,1) against Q = N(0,1) "
    "scored by the likelihood ratio; the empirical ROC hull (dashed) and the DKW inner region "
    "(solid; filled for the larger n) "
    "for n = 1,000 and 10,000 samples per side, under the exact region (black). Middle: a generator "
    "missing 2 of 8 equal modes, from 2,000 cell counts per side: inner and outer regions (band) around "
    "the exact region, unpacked and packed with m = 2. Right: the same inner regions as f-DP trade-off "
    "curves (type I error -> least type II error), above the exact Gaussian curve Phi(Phi^-1(1-a) - 1)."
)
REPRODUCES = "docs/theory.md s.7 (regions from samples); PacGAN (arXiv 1712.04086) Definition 1"
ORDER = 24

#: Gaussian mean shift of the score panel, sample sizes per side, confidence.
MU = 1.0
NS = (1_000, 10_000)
CONFIDENCE = 0.95
#: The counts panel: 8 equal target modes, the generator uniform on 6 of them.
N_COUNTS = 2_000
MS = (1, 2)


def mode_pair():
    p = np.full(8, 1 / 8)
    q = np.array([0, 1, 1, 1, 0, 1, 1, 1]) / 6
    return p, q


def compute(seed: int = 0):
    """Every region drawn, from ``regions`` (no training; well under a second)."""
    from modecollapse.regions import gaussian_region, packed_region, region_from_counts, region_from_scores

    rng = np.random.default_rng(seed)
    exact = gaussian_region(MU, 0.0)
    grid = np.linspace(0.0, 1.0, 401)
    out = {"confidence": CONFIDENCE, "mu": MU, "grid": grid, "exact_delta": exact.delta_at(grid),
           "exact_tradeoff": exact.tradeoff(grid), "exact_tv": exact.tv, "scores": {}, "counts": {}}
    for n in NS:
        res = region_from_scores(rng.normal(MU, 1.0, n), rng.normal(0.0, 1.0, n), confidence=CONFIDENCE)
        out["scores"][str(n)] = {
            "estimate": res.estimate.vertices, "inner": res.inner.vertices, "tv_lower": res.tv_lower,
            "radius": res.radius_p, "inner_tradeoff": res.inner.tradeoff(grid),
            "inner_inside_exact": bool(res.inner.issubset(exact)),
        }
    p, q = mode_pair()
    cp, cq = rng.multinomial(N_COUNTS, p), rng.multinomial(N_COUNTS, q)
    for m in MS:
        ex = packed_region(p, q, m).region
        res = region_from_counts(cp, cq, confidence=CONFIDENCE, m=m)
        out["counts"][str(m)] = {
            "exact": ex.vertices, "estimate": res.estimate.vertices, "inner": res.inner.vertices,
            "outer": res.outer.vertices, "tv": ex.tv, "tv_lower": res.tv_lower, "tv_upper": res.tv_upper,
            "enclosed": bool(res.inner.issubset(ex) and ex.issubset(res.outer)),
        }
    return out


def _fill(ax, v, lower, color, alpha, **kw):
    """Fill between a region's boundary ``v`` (vertices) and ``lower(eps)`` on a fine grid."""
    e = np.unique(np.concatenate([np.linspace(0, 1, 401), v[:, 0]]))
    top = np.interp(e, v[:, 0], v[:, 1])
    if v.shape[0] > 1 and v[1, 0] == 0.0:  # vertical first edge
        top[0] = v[1, 1]
    ax.fill_between(e, lower(e), top, color=color, alpha=alpha, lw=0, **kw)


def build(ctx):
    from ._style import PALETTE, new_figure

    data = compute(ctx.seed)
    fig, (a0, a1, a2) = new_figure(1, 3, width="full", aspect=1.0)
    g = data["grid"]
    diag = lambda e: e  # noqa: E731
    colours = {str(NS[0]): PALETTE["sky"], str(NS[1]): PALETTE["blue"]}
    for n, d in data["scores"].items():
        c = colours[n]
        inner, est = np.asarray(d["inner"]), np.asarray(d["estimate"])
        if int(n) == max(NS):
            _fill(a0, inner, diag, c, 0.2)
        a0.plot(inner[:, 0], inner[:, 1], color=c, lw=1.1,
                label=fr"inner, $n={int(n):,}$: $d_{{TV}} \geq {d['tv_lower']:.3f}$")
        a0.plot(est[:, 0], est[:, 1], color=c, lw=0.7, ls="--")
        a2.plot(g, d["inner_tradeoff"], color=c, label=fr"inner, $n={int(n):,}$")
    a0.plot(g, data["exact_delta"], color=PALETTE["black"], lw=1.0,
            label=fr"exact: $d_{{TV}} = {data['exact_tv']:.3f}$")
    a0.set_title(r"scores: $N(1,1)$ vs $N(0,1)$")
    a2.plot(g, data["exact_tradeoff"], color=PALETTE["black"], lw=1.0, label=r"exact $G_1$")
    a2.set_title("as trade-off curves (f-DP)")
    a2.set_xlabel(r"type I error $\alpha = Q(S)$")
    a2.set_ylabel(r"type II error $1 - P(S)$")
    mc = {"1": PALETTE["green"], "2": PALETTE["vermillion"]}
    for m, d in data["counts"].items():
        c = mc[m]
        inner, outer, ex = (np.asarray(d[k]) for k in ("inner", "outer", "exact"))
        _fill(a1, outer, lambda e, v=inner: np.interp(e, v[:, 0], v[:, 1]), c, 0.25)
        a1.plot(ex[:, 0], ex[:, 1], color=c, lw=1.0,
                label=fr"$m={m}$: ${d['tv_lower']:.2f} \leq d_{{TV}} = {d['tv']:.2f} \leq {d['tv_upper']:.2f}$")
    a1.set_title(fr"counts: 6 of 8 modes, $n={N_COUNTS:,}$")
    for ax in (a0, a1, a2):
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
    for ax in (a0, a1):
        ax.plot([0, 1], [0, 1], color=PALETTE["black"], lw=0.6, ls=":")
        ax.set_xlabel(r"$\varepsilon = Q(S)$")
        ax.legend(loc="lower right", fontsize=6, handlelength=1.2, borderaxespad=0.1)
    a0.set_ylabel(r"$\delta = P(S)$")
    a2.legend(loc="upper right", fontsize=6, handlelength=1.2, borderaxespad=0.1)
    ctx.savefig(fig, NAME)
    ctx.save_json(NAME, data)
