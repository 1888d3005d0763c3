"""Every figure the toolkit owns, regenerated from the library.

Run ``python -m modecollapse.figures --list`` to see them and ``python -m modecollapse.figures
--out DIR`` to build them all. Each figure lives in its own module ``figures/fig_<name>.py`` that
defines ``NAME``, ``CAPTION``, ``REPRODUCES`` (the theorem or paper figure it reproduces) and
``build(ctx: FigureContext) -> None``; the image is written next to its data (CSV/JSON) so a user
can re-plot. :func:`available_figures` finds the modules as ``modecollapse.figures.fig_*``, so a
``figures/`` folder in the working directory cannot shadow or join them.

Neither matplotlib nor torch is imported here or at the top of a figure module: matplotlib when a
figure is built, torch only by the figures that train small models, so ``--list`` and the
numbers-only parts work without either extra.
"""

from ._registry import FORMATS, FigureContext, FigureSpec, available_figures, build_figures

__all__ = ["FORMATS", "FigureContext", "FigureSpec", "available_figures", "build_figures"]
