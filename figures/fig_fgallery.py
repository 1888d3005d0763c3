"""Gallery of the registered f-divergences: the generator f(u) and its Fenchel conjugate f*(t)."""

from __future__ import annotations

import math

import numpy as np

NAME = "fgallery"
CAPTION = (
    "Registered f-divergence generators f(u) (solid, u >= 0) and Fenchel conjugates "
    "f*(t) = sup_u tu - f(u) (dashed) on the effective domain of f*; a dot marks a closed end, "
    "a dotted line an open end."
)
REPRODUCES = "f-GAN (Nowozin et al. 2016) Tables 1-2; docs/theory.md s.1 (with the exact conjugate on u >= 0)"
ORDER = 10

U = np.linspace(0.0, 4.0, 401)
T_RANGE = (-3.0, 4.0)
Y_LIM = (-2.5, 4.0)
#: What D_f is, in short, for the panel titles (the full statement is FDivergence.quantity).
SHORT = {
    "kl": "KL(P||Q)",
    "reverse_kl": "KL(Q||P)",
    "pearson": r"Pearson $\chi^2$",
    "neyman": r"Neyman $\chi^2$",
    "squared_hellinger": r"$H^2$",
    "jensen_shannon": "2 JSD",
    "jsd": "JSD",
    "gan": "2 JSD - log 4",
    "total_variation": r"$d_{TV}$",
    "log_trick": "log trick",
}


def gallery_data():
    """Long-format arrays (name, kind, x, y) for every registered generator: f on U, f* on its domain."""
    from modecollapse.divergences import F_DIVERGENCES

    rows_name, rows_kind, xs, ys = [], [], [], []
    for name, fd in F_DIVERGENCES.items():
        fu = np.asarray(fd.f(U), dtype=float)
        lo, hi = fd.conjugate_domain
        t_lo = max(lo, T_RANGE[0])
        t_hi = min(hi, T_RANGE[1])
        t = np.linspace(t_lo, t_hi, 401)
        if not fd.domain_closed[1] and math.isfinite(hi):
            t = t[t < hi]
        ct = np.asarray(fd.conjugate(t), dtype=float)
        for kind, x, y in (("f", U, fu), ("conjugate", t, ct)):
            rows_name += [name] * x.size
            rows_kind += [kind] * x.size
            xs.append(x)
            ys.append(y)
    return np.array(rows_name), np.array(rows_kind), np.concatenate(xs), np.concatenate(ys)


def build(ctx) -> None:
    from modecollapse.divergences import F_DIVERGENCES
    from modecollapse.figures._style import PALETTE, new_figure

    names, kinds, xs, ys = gallery_data()
    ctx.save_csv(NAME, {"name": names, "kind": kinds, "x": xs, "y": ys})

    order = list(F_DIVERGENCES)
    ncols = 5
    nrows = math.ceil(len(order) / ncols)
    fig, axes = new_figure(nrows, ncols, width="full", aspect=0.85, sharex=True, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    for ax, name in zip(axes, order):
        fd = F_DIVERGENCES[name]
        sel_f = (names == name) & (kinds == "f")
        sel_c = (names == name) & (kinds == "conjugate")
        with np.errstate(invalid="ignore"):
            yf = np.where(np.isfinite(ys[sel_f]), ys[sel_f], np.nan)
            yc = np.where(np.isfinite(ys[sel_c]), ys[sel_c], np.nan)
        ax.axhline(0.0, color="0.85", lw=0.6, zorder=0)
        ax.axvline(0.0, color="0.85", lw=0.6, zorder=0)
        ax.plot(xs[sel_f], yf, color=PALETTE["blue"], label="$f(u)$")
        ax.plot(xs[sel_c], yc, color=PALETTE["orange"], ls="--", label="$f^*(t)$")
        lo, hi = fd.conjugate_domain
        if math.isfinite(hi) and hi <= T_RANGE[1]:
            if fd.domain_closed[1]:
                ax.plot([hi], [float(fd.conjugate(np.array([hi]))[0])], "o", ms=3, color=PALETTE["orange"])
            else:
                ax.axvline(hi, color=PALETTE["orange"], ls=":", lw=0.9)
        ax.plot([1.0], [fd.f_at_one], "o", ms=2.5, color=PALETTE["blue"])  # f(1) (0 except gan: -log 4)
        ax.set_title(f"{name}: {SHORT.get(name, fd.quantity[:20])}", fontsize=6.5)
        ax.set_xlim(*T_RANGE)
        ax.set_ylim(*Y_LIM)
    for ax in axes[len(order):]:
        ax.set_visible(False)
    fig.supxlabel("$u$ (argument of $f$)  /  $t$ (argument of $f^*$)", fontsize=8)
    fig.supylabel("$f(u)$, $f^*(t)$", fontsize=8)
    axes[0].legend(loc="upper left", handlelength=1.8)
    ctx.savefig(fig, NAME)
