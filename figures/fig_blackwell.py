"""A Blackwell-ordered pair: its regions are nested, and so are its packed regions (m = 2, 3)."""

from __future__ import annotations

import numpy as np

NAME = "blackwell"
CAPTION = (
    "Blackwell ordering: (P,Q) = (P2 W, Q2 W) is a garbling of (P2,Q2), so R(P,Q) lies inside "
    "R(P2,Q2); tensorising W keeps the packed regions nested for m = 2, 3 (and every f-divergence "
    "ordered). Top left: the garbling W found by the verified LP of regions.blackwell_garbling."
)
REPRODUCES = "Blackwell (1953); PacGAN (arXiv 1712.04086) proofs of Theorems 3-5 (docs/theory.md s.4)"
ORDER = 23

#: The dominating pair (P2, Q2) on 3 atoms and the kernel that produces the dominated pair.
P2 = np.array([0.55, 0.35, 0.10])
Q2 = np.array([0.10, 0.30, 0.60])
W0 = np.array([[0.70, 0.30, 0.00], [0.20, 0.60, 0.20], [0.00, 0.25, 0.75]])
MS = (1, 2, 3)


def packed_region_of(p, q, m):
    """R(P^m, Q^m) from ``regions.packed_region``, exact (``method="exact"`` raises otherwise)."""
    from modecollapse.regions import packed_region

    return packed_region(p, q, m, method="exact").region


def compute():
    """The pairs, the LP garbling, and both regions for each m, all from ``regions``."""
    from modecollapse.regions import blackwell_garbling, mode_collapse_region, packed_tv

    p, q = P2 @ W0, Q2 @ W0
    w = blackwell_garbling(p, q, P2, Q2)
    if w is None:  # cannot happen for a garbled pair; fail loudly rather than draw a wrong figure
        raise RuntimeError("blackwell_garbling found no garbling for a garbled pair")
    out = {"p": p, "q": q, "p2": P2, "q2": Q2, "W": w, "W0": W0, "regions": {}}
    for m in MS:
        rs = {}
        for key, (a, b) in (("dominated", (p, q)), ("dominating", (P2, Q2))):
            r = mode_collapse_region(a, b) if m == 1 else packed_region_of(a, b, m)
            rs[key] = {"vertices": r.vertices, "tv": r.tv, "packed_tv": packed_tv(a, b, m)}
        inner = mode_collapse_region(p, q) if m == 1 else packed_region_of(p, q, m)
        outer = mode_collapse_region(P2, Q2) if m == 1 else packed_region_of(P2, Q2, m)
        rs["nested"] = inner.issubset(outer)
        out["regions"][str(m)] = rs
    return out


def build(ctx):
    from ._style import PALETTE, new_figure

    data = compute()
    fig, axes = new_figure(2, 2, width="column", aspect=1.0)
    ax = axes[0, 0]
    w = np.asarray(data["W"])
    ax.imshow(w, cmap="Blues", vmin=0, vmax=1)
    for i in range(w.shape[0]):
        for j in range(w.shape[1]):
            ax.text(j, i, f"{w[i, j]:.2f}", ha="center", va="center", fontsize=6,
                    color="white" if w[i, j] > 0.55 else "black")
    ax.set_xticks(range(w.shape[1]))
    ax.set_yticks(range(w.shape[0]))
    ax.set_xlabel("atom of $(P,Q)$")
    ax.set_ylabel("atom of $(P_2,Q_2)$")
    ax.set_title(r"garbling $W$: $P=P_2W$, $Q=Q_2W$")
    for ax, m in zip(axes.ravel()[1:], MS):
        rs = data["regions"][str(m)]
        ax.plot([0, 1], [0, 1], color=PALETTE["black"], lw=0.6, ls=":")
        for key, c, lab in (
            ("dominating", PALETTE["blue"], r"$(P_2,Q_2)$"),
            ("dominated", PALETTE["vermillion"], r"$(P,Q)$"),
        ):
            v = np.asarray(rs[key]["vertices"])
            ax.fill_between(v[:, 0], v[:, 0], v[:, 1], color=c, alpha=0.25, lw=0)
            sup = "" if m == 1 else f"^{m}"
            ax.plot(v[:, 0], v[:, 1], color=c, lw=1.0,
                    label=lab.replace(")$", f"){sup}$") + f"  {rs[key]['tv']:.3f}")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.set_title("unpacked" if m == 1 else f"packed, $m={m}$")
        ax.set_xlabel(r"$\varepsilon$")
        ax.set_ylabel(r"$\delta$")
        ax.legend(loc="lower right", title=r"$d_{TV}$", title_fontsize=6, fontsize=6,
                  handlelength=1.0, borderaxespad=0.1)
    ctx.savefig(fig, NAME)
    ctx.save_json(NAME, data)
