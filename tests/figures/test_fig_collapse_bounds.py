"""fig_collapse_bounds: every drawn number is the library's, and the caption's claims hold on them."""

import csv
import json

import numpy as np
import pytest

from modecollapse.figures import fig_collapse_bounds as fig
from modecollapse.regions import packed_tv_max, packed_tv_min, packed_tv_min_with_collapse


@pytest.fixture(scope="module")
def built(tmp_path_factory, build_figure):
    out = tmp_path_factory.mktemp("fig")
    files, figure = build_figure(fig.NAME, out)
    with open(out / f"{fig.NAME}.csv") as fh:
        rows = list(csv.DictReader(fh))
    cols = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    for k in ("m", "eps", "delta", "tau", "value"):
        cols[k] = cols[k].astype(float)
    meta = json.loads((out / f"{fig.NAME}.json").read_text())
    return out, files, cols, meta, figure


def test_files_written(built):
    out, files, *_ = built
    assert {f"{fig.NAME}.png", f"{fig.NAME}.csv", f"{fig.NAME}.json"} <= {p.name for p in files}


def test_feasibility_limits(built):
    *_, meta, _ = built
    e, d = fig.NO_COLLAPSE
    A, B = (d - e) / (1 - e), (d - e) / d
    assert meta["one_sided_limit"] == pytest.approx(max(A, B), abs=1e-12)  # tau < max(A, B)
    # two-sided, (0.1, 0.5): the contact x must lie in (tau/4, 1 - 1.25 tau), non-empty iff tau < 2/3
    assert meta["two_sided_limit"] == pytest.approx(2 / 3, abs=1e-12)
    assert meta["two_sided_below_max_from"] == pytest.approx(min(A, B), abs=1e-15)


def test_curves_match_library_and_claims(built):
    _, _, c, meta, _ = built
    for i in np.nonzero(c["curve"] == "L1")[0][::9]:  # spot-check L1 against a fresh library call
        m, t, e, d = int(c["m"][i]), c["tau"][i], c["eps"][i], c["delta"][i]
        assert c["value"][i] == pytest.approx(packed_tv_min_with_collapse(t, m, eps=e, delta=d).value, abs=1e-13)
        assert c["value"][i] >= packed_tv_min(t, m).value - 1e-12  # collapse only raises the minimum
    for i in np.nonzero(c["curve"] == "nocollapse_one_sided")[0]:
        m, t = int(c["m"][i]), c["tau"][i]
        assert c["value"][i] == packed_tv_max(t, m).value  # caption: one-sided = unconstrained max
    two = np.nonzero(c["curve"] == "nocollapse_two_sided")[0]
    jumped = 0
    for i in two:
        m, t = int(c["m"][i]), c["tau"][i]
        vmax = packed_tv_max(t, m).value
        if t < meta["two_sided_below_max_from"]:
            assert c["value"][i] == vmax
        else:
            assert c["value"][i] < vmax - 1e-3  # caption: strictly below for tau >= min(A, B)
            assert t < meta["two_sided_limit"]
            jumped += 1
    assert jumped >= len(fig.MS) * 3


def test_two_sided_curve_is_drawn_dashed_as_the_caption_says(built):
    # regression: it was drawn with "x" markers every few hundredths of tau, which read as a solid line
    *_, figure = built
    assert "two-sided" in fig.CAPTION and "dashed" in fig.CAPTION
    colour = None
    for ax in figure.axes:
        [labelled] = [ln for ln in ax.lines if "two-sided" in ln.get_label()] or [None]
        if labelled is not None:
            colour = labelled.get_color()
        two = [ln for ln in ax.lines if colour is not None and ln.get_color() == colour]
        assert len(two) == 2, "one line per branch (closed form, numerical) in every panel"
        for ln in two:
            assert ln.get_linestyle() == "--" and ln.get_marker() in ("None", "", None), (ln.get_linestyle(),
                                                                                         ln.get_marker())
