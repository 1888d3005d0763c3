"""fig_gan_samples builds, trains through gan.runs, reuses the run, and its numbers are the library's."""

import csv
import math

import pytest

import modecollapse.figures.fig_gan_samples as fig
from modecollapse.figures import build_figures


@pytest.mark.needs_torch
def test_builds_and_numbers_match_library(tmp_path, build_figure):
    logs = []
    # gan_steps=5: code path only (python -m modecollapse.figures --gan-steps); the default trains fig.STEPS steps
    files, figure = build_figure(fig.NAME, tmp_path, gan_steps=5, log=logs.append)
    assert {p.name for p in files} == {"gan_samples.png", "gan_samples.csv"}
    assert any("training" in s for s in logs)
    # the count of samples beyond a panel's limits is under the panel, never drawn over its points
    # (regression: it was a text in the lower-left corner, on the samples and the ticks)
    panels = [ax for ax in figure.axes if ax.collections]
    assert len(panels) == len(fig.DATASETS) * len(fig.MS)
    assert all(not ax.texts for ax in panels)
    assert any("outside" in ax.get_xlabel() for ax in panels)  # 5 steps leave samples out of every grid

    from modecollapse.gan.data._mixtures import get_dataset
    from modecollapse.gan.metrics import mode_metrics
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1
    from modecollapse.gan.experiments.runs import RunSpec, load_run

    with open(tmp_path / "gan_samples.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["dataset"], int(r["m"])) for r in rows] == [(d, m) for d in fig.DATASETS for m in fig.MS]
    for name in fig.DATASETS:
        spec = RunSpec(name, fig.MS, (fig.SEED,), "cpu", 5).resolved()
        run = load_run(tmp_path / "_runs" / spec.folder_name())
        ds = get_dataset(name, n_train=1)
        for x, (m, _s) in zip(run.samples(), run.members):
            ref = mode_metrics(x, ds.means, ds.std)  # recomputed from the stored samples
            [row] = [r for r in rows if r["dataset"] == name and int(r["m"]) == m]
            assert int(row["modes"]) == ref.modes
            assert float(row["hq_percent"]) == pytest.approx(100 * ref.hq_fraction, abs=1e-9)
            assert (float(row["paper_modes"]), float(row["paper_hq_percent"]),
                    float(row["paper_reverse_kl"])) == PACGAN_TABLE1[name][m]
            kl = float(row["reverse_kl"])
            assert (math.isinf(kl) and math.isinf(ref.reverse_kl)) or kl == pytest.approx(ref.reverse_kl, rel=1e-9)

    # A second build reuses the runs instead of training again.
    logs.clear()
    build_figure(fig.NAME, tmp_path, gan_steps=5, log=logs.append)
    assert any("reusing" in s for s in logs) and not any("training" in s for s in logs)


@pytest.mark.needs_torch
def test_crosscheck_regions_reuses_the_run_with_the_same_gan_steps(tmp_path, build_figure):
    import modecollapse.figures.fig_crosscheck_regions as xr

    build_figure(fig.NAME, tmp_path, gan_steps=6)
    run, reused = xr.trained_run(tmp_path / "_runs", log=lambda s: None, steps=6)
    assert reused and run.spec.steps == 6


@pytest.mark.no_matplotlib
@pytest.mark.parametrize("bad", [0, -3, 2.5, True])
def test_bad_gan_steps_is_refused_before_building(tmp_path, bad):
    with pytest.raises(ValueError, match="gan_steps"):
        build_figures([fig.NAME], out_dir=tmp_path / "x", gan_steps=bad)
    assert not (tmp_path / "x" / "_runs").exists()


@pytest.mark.no_matplotlib
def test_cli_rejects_nonpositive_gan_steps(capsys):
    from modecollapse.figures.__main__ import main

    with pytest.raises(SystemExit):
        main(["gan_samples", "--gan-steps", "0"])
    assert "--gan-steps must be >= 1" in capsys.readouterr().err
