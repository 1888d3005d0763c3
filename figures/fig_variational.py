"""The variational lower bound E_P[T_s] - E_Q[f*(T_s)] along a witness family that reaches f'(p/q)."""

from __future__ import annotations

import math

import numpy as np

NAME = "variational"
CAPTION = (
    "Variational lower bound E_P[T_s] - E_Q[f*(T_s)] for T_s = (1-s) f'(1) + s f'(p/q) on a fixed "
    "4-atom pair: 0 at s=0, equal to the exact D_f(P||Q) (line) only at s=1, below it elsewhere; "
    "ticks mark witnesses leaving dom f* (bound -inf)."
)
REPRODUCES = ("f-GAN (Nowozin et al. 2016, arXiv 1606.00709) Eq. 4-5, the variational representation as in the "
              "f-GAN/WGAN lecture and the AdaGAN talk (Tolstikhin); docs/theory.md s.1")
ORDER = 11

#: The fixed pair (P target, Q generator): full support so every D_f shown is finite.
P = np.array([0.45, 0.30, 0.20, 0.05])
Q = np.array([0.10, 0.25, 0.25, 0.40])
DIVERGENCES = ("kl", "reverse_kl", "squared_hellinger", "jensen_shannon", "total_variation", "log_trick")
S = np.linspace(0.0, 1.6, 161)


def witness_family(name: str, s: float) -> np.ndarray:
    """``T_s = (1 - s) f'(1) + s f'(p/q)``: the constant witness (bound 0) at s=0, the optimum at s=1."""
    from modecollapse.divergences import get_f_divergence, optimal_witness

    fd = get_f_divergence(name)
    t0 = float(fd.f_prime(np.array([1.0]))[0])
    return (1.0 - s) * t0 + s * optimal_witness(P, Q, name)


def curves():
    """``{name: (bounds over S, D_f)}`` computed by the library."""
    from modecollapse.divergences import f_divergence, variational_lower_bound

    return {
        name: (np.array([variational_lower_bound(P, Q, witness_family(name, s), name) for s in S]),
               f_divergence(P, Q, name))
        for name in DIVERGENCES
    }


def build(ctx) -> None:
    from modecollapse.figures._style import PALETTE, new_figure

    data = curves()
    cols = {"s": np.tile(S, len(DIVERGENCES)),
            "name": np.repeat(np.array(DIVERGENCES), S.size),
            "bound": np.concatenate([data[n][0] for n in DIVERGENCES]),
            "D_f": np.repeat([data[n][1] for n in DIVERGENCES], S.size)}
    ctx.save_csv(NAME, cols)

    ncols = 3
    nrows = math.ceil(len(DIVERGENCES) / ncols)
    fig, axes = new_figure(nrows, ncols, width="full", aspect=0.7, sharex=True)
    axes = np.atleast_1d(axes).ravel()
    for ax, name in zip(axes, DIVERGENCES):
        bound, d = data[name]
        shown = np.where(np.isfinite(bound), bound, np.nan)
        ax.axhline(d, color=PALETTE["black"], lw=0.9, label=r"$D_f(P\|Q)$")
        ax.axvline(1.0, color="0.8", lw=0.6, zorder=0)
        ax.plot(S, shown, color=PALETTE["blue"], label=r"$E_P[T_s]-E_Q[f^*(T_s)]$")
        ax.plot([1.0], [bound[np.argmin(np.abs(S - 1.0))]], "o", ms=3, color=PALETTE["vermillion"])
        # the lower limit sits a margin below the curve's lowest finite value, so a curve that ends
        # there (the witness leaves dom f* right after) is drawn inside its panel, not on its edge
        top = 1.25 * d + 0.02
        lo = min(0.0, np.nanmin(shown))
        ax.set_ylim(max(lo, -0.6 * d - 0.05) - 0.06 * (top - lo), top)
        ax.set_title(name, fontsize=7)
        out = ~np.isfinite(bound)
        if np.any(out):  # witnesses outside dom f*: the bound is -inf; mark them on the s axis
            ax.plot(S[out], np.full(out.sum(), 0.015), "|", ms=3, color=PALETTE["vermillion"],
                    transform=ax.get_xaxis_transform(), label=r"bound $=-\infty$")
    for ax in axes[len(DIVERGENCES):]:
        ax.set_visible(False)
    fig.supxlabel(r"$s$ in $T_s = (1-s)\,f'(1) + s\,f'(p/q)$", fontsize=8)
    fig.supylabel("lower bound on $D_f$", fontsize=8)
    handles = {h.get_label(): h for a in axes for h in a.get_lines() if not h.get_label().startswith("_")}
    axes[0].legend(list(handles.values()), list(handles), loc="lower center", fontsize=6)
    ctx.savefig(fig, NAME)
