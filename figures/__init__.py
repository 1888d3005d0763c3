"""Every figure the toolkit owns, regenerated from the library.

Run ``python -m modecollapse.figures --list`` to see them and ``python -m modecollapse.figures --out DIR`` to build them
all. Each figure lives in its own module ``figures/fig_<name>.py`` that defines ``NAME``,
``CAPTION``, ``REPRODUCES`` (the theorem or paper figure it reproduces) and
``build(ctx: FigureContext) -> None``; the image is written next to its data (CSV/JSON) so a
user can re-plot. matplotlib is imported lazily, only when a figure is built.
"""

from ._registry import FigureContext, FigureSpec, available_figures, build_figures

__all__ = ["FigureContext", "FigureSpec", "available_figures", "build_figures"]
