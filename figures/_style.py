"""One look for every figure: colour-blind-safe palette, column-width sizes, labelled axes.

Use :func:`new_figure` instead of ``plt.subplots`` and the names in :data:`PALETTE` for colours.
"""

from __future__ import annotations

#: Okabe-Ito palette (colour-blind safe), in the order lines should use it.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")]

#: Widths in inches: one column of a two-column paper, and the full text width.
COLUMN_WIDTH = 3.4
FULL_WIDTH = 7.0

RC = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "lines.linewidth": 1.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "savefig.dpi": 200,
    "figure.dpi": 100,
}


def new_figure(nrows: int = 1, ncols: int = 1, *, width: str | float = "column", aspect: float = 0.75, **kw):
    """``(fig, axes)`` sized for a paper: ``width`` is ``"column"``, ``"full"`` or inches.

    ``aspect`` is the height of one panel over its width.
    """
    import matplotlib.pyplot as plt
    from cycler import cycler

    plt.rcParams.update(RC)
    plt.rcParams["axes.prop_cycle"] = cycler(color=CYCLE)
    w = {"column": COLUMN_WIDTH, "full": FULL_WIDTH}.get(width, width)
    h = w / ncols * aspect * nrows
    kw.setdefault("constrained_layout", True)
    return plt.subplots(nrows, ncols, figsize=(w, h), **kw)
