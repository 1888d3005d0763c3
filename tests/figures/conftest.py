"""Set-up shared by the figure tests: the matplotlib backend, the optional extras, the builder.

- matplotlib (the ``figures`` extra) is imported here once and put on the ``Agg`` backend. Without
  it every test in this folder is skipped, except those marked ``no_matplotlib`` (they build no
  image: listing, argument checks, the missing-matplotlib message).
- torch (the ``gan`` extra): tests marked ``needs_torch`` (or whole modules: ``pytestmark =
  pytest.mark.needs_torch``) train small models. Without torch they are skipped; with it each runs
  on one torch thread (small matmuls gain nothing from a second thread and lose a lot to contention
  on a shared machine), restored afterwards. The thread setting is a function-scoped fixture: a
  module-scoped fixture that trains would run before it.

Skipping happens at collection (a skip mark on each item), before any fixture runs, so the test
modules import neither matplotlib nor torch at their top: what needs torch is imported inside the
tests. A missing extra therefore skips, it never errors at collection.
"""

from __future__ import annotations

import importlib
import itertools
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest


def _optional(name: str):
    """The module ``name``, or None when it is not installed (or blocked)."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


_HERE = Path(__file__).resolve().parent
matplotlib = _optional("matplotlib")
if matplotlib is not None:
    matplotlib.use("Agg")


def _has_torch() -> bool:
    return _optional("torch") is not None


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_torch: the test trains small models or runs torch "
                                       "(skipped without torch; one torch thread)")
    config.addinivalue_line("markers", "no_matplotlib: the test builds no image and runs without matplotlib")


def pytest_collection_modifyitems(config, items):
    no_mpl = pytest.mark.skip(reason="needs matplotlib (the figures extra: pip install 'modecollapse[figures]')")
    no_torch = pytest.mark.skip(reason="trains a model: needs torch (the gan extra: pip install 'modecollapse[gan]')")
    torch_checked = None
    for item in items:
        if _HERE not in Path(item.path).parents:  # the hook sees every item of the session
            continue
        if item.get_closest_marker("no_matplotlib") is None and matplotlib is None:
            item.add_marker(no_mpl)
        if item.get_closest_marker("needs_torch") is not None:
            if torch_checked is None:
                torch_checked = _has_torch()
            if not torch_checked:
                item.add_marker(no_torch)


@pytest.fixture(autouse=True)
def _one_torch_thread(request):
    """torch on one thread for the tests marked ``needs_torch``; the caller's setting restored after."""
    if request.node.get_closest_marker("needs_torch") is None:
        yield
        return
    torch = pytest.importorskip("torch")
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


class Built(NamedTuple):
    """What :func:`build_figure` returns: the files written and the drawn matplotlib figure."""

    files: list
    figure: object


@pytest.fixture(scope="session")
def build_figure():
    """``build_figure(name, out_dir, **kw) -> Built``: build one figure quietly, assert it built.

    Keyword arguments go to :func:`modecollapse.figures.build_figures` (``runs_dir``, ``seed``,
    ``gan_steps``, ``log``). ``Built.figure`` is the figure the module saved, on a fresh Agg canvas
    and drawn, so tests can read its artists and their extents.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from modecollapse.figures import FigureContext, build_figures

    def build(name, out_dir, **kw):
        kw.setdefault("log", lambda s: None)
        saved = []
        original = FigureContext.savefig

        def savefig(self, fig, fig_name):
            path = original(self, fig, fig_name)  # closes the figure (and drops its canvas)
            saved.append(fig)
            return path

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(FigureContext, "savefig", savefig)
            [(spec, files, _seconds, err)] = build_figures([name], out_dir=out_dir, **kw)
        assert err is None, err
        assert spec.name == name and len(saved) == 1, (spec.name, len(saved))
        [fig] = saved
        FigureCanvasAgg(fig).draw()
        return Built(files, fig)

    return build


@pytest.fixture(scope="session")
def text_over_lines():
    """``text_over_lines(ax) -> list``: ``(text, line label)`` for every text or legend of ``ax`` whose
    box a drawn line, vertical/horizontal line collection or scatter point enters (display space)."""

    def boxes(ax, renderer):
        out = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_visible()]
        leg = ax.get_legend()
        if leg is not None and leg.get_visible():
            out.append(("legend", leg.get_window_extent(renderer)))
        return out

    def points(ax):
        from matplotlib.collections import LineCollection, PathCollection

        for line in ax.lines:
            xy = line.get_transform().transform(np.column_stack(line.get_data()).astype(float))
            yield line.get_label(), _densify(xy)
        for coll in ax.collections:
            if isinstance(coll, LineCollection):
                for seg in coll.get_segments():
                    yield coll.get_label(), _densify(coll.get_transform().transform(seg))
            elif isinstance(coll, PathCollection):
                yield coll.get_label(), coll.get_offset_transform().transform(coll.get_offsets())

    def check(ax):
        renderer = ax.figure.canvas.get_renderer()
        hits = []
        for text, box in boxes(ax, renderer):
            for label, xy in points(ax):
                xy = xy[np.all(np.isfinite(xy), axis=1)]
                inside = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
                if inside.any():
                    hits.append((text, label))
        return hits

    return check


def _densify(xy, n=50):
    """Points along the polyline ``xy`` (display space), ``n`` per segment, so a segment that crosses a
    box without a vertex inside it is caught."""
    if len(xy) < 2:
        return xy
    t = np.linspace(0.0, 1.0, n)[:, None, None]
    return (xy[:-1][None] * (1 - t) + xy[1:][None] * t).reshape(-1, 2)


@pytest.fixture(scope="session")
def product_region():
    """``product_region(p, q, m)``: R(P^m, Q^m) from the k^m product atoms, enumerated here
    (independent of the library's packing code)."""
    from modecollapse.regions import mode_collapse_region

    def region(p, q, m):
        pm = [np.prod(t) for t in itertools.product(p, repeat=m)]
        qm = [np.prod(t) for t in itertools.product(q, repeat=m)]
        return mode_collapse_region(pm, qm)

    return region
