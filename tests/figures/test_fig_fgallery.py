"""fig_fgallery: builds, and its data file holds f and f* as the library computes them."""

import csv
import math

import numpy as np
import pytest

from modecollapse.divergences import F_DIVERGENCES
from modecollapse.figures.fig_fgallery import NAME


def test_fgallery_builds_and_data_match_library(tmp_path, build_figure):
    build_figure(NAME, tmp_path)
    assert (tmp_path / f"{NAME}.png").stat().st_size > 10_000
    with open(tmp_path / f"{NAME}.csv") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["name"] for r in rows}
    assert names == set(F_DIVERGENCES)  # every registered generator has a panel
    for name, fd in F_DIVERGENCES.items():
        for kind, fn in (("f", fd.f), ("conjugate", fd.conjugate)):
            sel = [r for r in rows if r["name"] == name and r["kind"] == kind]
            assert len(sel) > 100
            x = np.array([float(r["x"]) for r in sel])
            y = np.array([float(r["y"]) for r in sel])
            np.testing.assert_allclose(y, fn(x), rtol=1e-15, atol=0)  # written at full precision (repr)
            if kind == "conjugate":
                # f* is only drawn on its effective domain, where it is finite
                assert np.all(fd.in_conjugate_domain(x)) and np.all(np.isfinite(y))
            else:
                assert x.min() == 0.0 and y[np.argmin(np.abs(x - 1.0))] == pytest.approx(fd.f_at_one, abs=1e-12)
    # the conjugate is convex and non-decreasing wherever drawn (a property of f* for f on u >= 0)
    for name in F_DIVERGENCES:
        sel = [r for r in rows if r["name"] == name and r["kind"] == "conjugate"]
        y = np.array([float(r["y"]) for r in sel])
        assert np.all(np.diff(y) >= -1e-12), name
        assert not any(math.isnan(v) for v in y)
