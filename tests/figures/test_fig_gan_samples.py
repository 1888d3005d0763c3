"""fig_gan_samples: the shipped cpu-preset models by default (no training), ``--runs DIR`` by spec,
``--retrain`` / ``--gan-steps`` through gan.runs; its numbers are the library's."""

import csv
import math
import shutil

import pytest

import modecollapse.figures.fig_gan_samples as fig
from modecollapse.figures import build_figures


def _rows(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


def _check_rows_against(rows, runs):
    """Every CSV row equals the metrics recomputed from that run's stored samples (seed 0)."""
    from modecollapse.gan.data._mixtures import get_dataset
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1
    from modecollapse.gan.metrics import mode_metrics

    assert [(r["dataset"], int(r["m"]), int(r["seed"])) for r in rows] == [
        (d, m, fig.SEED) for d in fig.DATASETS for m in fig.MS]
    for name in fig.DATASETS:
        run = runs[name]
        ds = get_dataset(name, n_train=1)
        for x, (m, s) in zip(run.samples(), run.members):
            assert s == fig.SEED
            ref = mode_metrics(x, ds.means, ds.std)  # recomputed from the stored samples
            [row] = [r for r in rows if r["dataset"] == name and int(r["m"]) == m]
            assert int(row["modes"]) == ref.modes
            assert float(row["hq_percent"]) == pytest.approx(100 * ref.hq_fraction, abs=1e-9)
            assert (float(row["paper_modes"]), float(row["paper_hq_percent"]),
                    float(row["paper_reverse_kl"])) == PACGAN_TABLE1[name][m]
            kl = float(row["reverse_kl"])
            assert (math.isinf(kl) and math.isinf(ref.reverse_kl)) or kl == pytest.approx(ref.reverse_kl, rel=1e-9)


def test_default_uses_the_shipped_models_and_shows_packing(tmp_path, build_figure):
    from modecollapse.gan.experiments.shipped import load_shipped

    logs = []
    files, figure = build_figure(fig.NAME, tmp_path, log=logs.append)
    assert {p.name for p in files} == {"gan_samples.png", "gan_samples.csv"}
    assert any("shipped" in s for s in logs) and not any("training" in s for s in logs)
    assert not (tmp_path / "_runs").exists(), "nothing is trained"
    assert "12,000 training steps" in figure._suptitle.get_text() and "shipped" in figure._suptitle.get_text()
    # the count of samples beyond a panel's limits is under the panel, never drawn over its points
    panels = [ax for ax in figure.axes if ax.collections]
    assert len(panels) == len(fig.DATASETS) * len(fig.MS)
    assert all(not ax.texts for ax in panels)
    rows = _rows(tmp_path / "gan_samples.csv")
    _check_rows_against(rows, {d: load_shipped(d, ms=fig.MS, seeds=(fig.SEED,)) for d in fig.DATASETS})
    # PacGAN's effect, as the paper's Table 1 shows it: each packed generator covers more modes
    for name in fig.DATASETS:
        modes = {int(r["m"]): int(r["modes"]) for r in rows if r["dataset"] == name}
        assert all(modes[m] > modes[1] for m in (2, 3, 4)), (name, modes)


@pytest.mark.needs_torch
def test_runs_dir_is_read_by_spec_at_any_depth(tmp_path, build_figure):
    from modecollapse.gan.experiments.discovery import select_run
    from modecollapse.gan.experiments.runs import RunSpec, train_run

    runs = tmp_path / "mine"
    for name, where in (("grid", "a/first"), ("ring", "b/c/second")):
        train_run(RunSpec(name, fig.MS, (0, 1), "smoke", 3), runs / where, progress=False, log=lambda s: None)
    logs = []
    _, figure = build_figure(fig.NAME, tmp_path / "out", runs_dir=runs, log=logs.append)
    assert not any("training" in s for s in logs) and any("b/c/second" in s for s in logs)
    assert "run second" in figure._suptitle.get_text() or "run first" in figure._suptitle.get_text()
    _check_rows_against(_rows(tmp_path / "out" / "gan_samples.csv"),
                        {d: select_run(runs, dataset=d, ms=fig.MS, seeds=(0,)) for d in fig.DATASETS})

    # a folder of one dataset only: refused before anything is built, naming what it holds
    with pytest.raises(ValueError, match=r"no finished 'gan' run on 'ring'.*first \(grid, method gan"):
        build_figures([fig.NAME], out_dir=tmp_path / "out2", runs_dir=runs / "a", log=lambda s: None)
    assert not (tmp_path / "out2").exists()
    # another method: refused the same way
    other = tmp_path / "wgan"
    shutil.copytree(runs, other)
    for spec in other.rglob("spec.json"):
        spec.write_text(spec.read_text().replace('"config": {}', '"config": {"method": "wgan"}'))
    with pytest.raises(ValueError, match="method wgan"):
        build_figures([fig.NAME], out_dir=tmp_path / "out3", runs_dir=other, log=lambda s: None)


@pytest.mark.slow  # trains (2 steps x 8 members) and builds two figures; the wiring is checked by the test below
@pytest.mark.needs_torch
def test_gan_steps_trains_into_the_runs_folder_and_is_reused(tmp_path, build_figure):
    import modecollapse.figures.fig_crosscheck_regions as xr
    from modecollapse.gan.experiments.runs import RunSpec

    logs = []
    # gan_steps=2: the training code path only (python -m modecollapse.figures --gan-steps 2)
    _, figure = build_figure(fig.NAME, tmp_path, gan_steps=2, log=logs.append)
    assert any("training" in s for s in logs)
    assert "2 training steps" in figure._suptitle.get_text()
    assert any("outside" in ax.get_xlabel() for ax in figure.axes if ax.collections)  # 2 steps: far off
    for name in fig.DATASETS:
        spec = RunSpec(name, fig.MS, (fig.SEED,), "cpu", 2).resolved()
        assert (tmp_path / "_runs" / spec.folder_name() / "results.json").is_file()
    # crosscheck_regions with the same steps reuses the grid run
    logs.clear()
    build_figure(xr.NAME, tmp_path, gan_steps=2, log=logs.append)
    assert any("reusing" in s for s in logs) and not any("training" in s for s in logs)


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


def test_a_corrupted_shipped_model_fails_the_figure_naming_retrain(tmp_path, monkeypatch):
    from modecollapse.gan.experiments import shipped

    copy = tmp_path / "models"
    shutil.copytree(shipped.MODELS_DIR, copy)
    target = copy / "ring-cpu" / "samples.npz"
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    monkeypatch.setattr(shipped, "MODELS_DIR", copy)
    [(_spec, files, _dt, err)] = build_figures([fig.NAME], out_dir=tmp_path / "out", log=lambda s: None)
    assert err and "CorruptFileError" in err and "samples.npz is corrupt" in err and "--retrain" in err
    assert files == []


@pytest.mark.no_matplotlib
@pytest.mark.parametrize("given_runs", [False, True])
def test_retrain_trains_the_full_preset_into_the_runs_folder(tmp_path, monkeypatch, given_runs):
    # the wiring of --retrain without its 18 minutes: load_or_train is asked for seed 0 of the cpu
    # preset with its own step count (None: the preset's 12,000) in the runs folder
    from modecollapse.gan.experiments import runs as runs_mod
    from modecollapse.figures import FigureContext

    calls = []

    def fake(runs_dir, **kw):
        calls.append((runs_dir, kw))
        raise RuntimeError("stop here")

    monkeypatch.setattr(runs_mod, "load_or_train", fake)
    runs_dir = tmp_path / "mine" if given_runs else None
    ctx = FigureContext(out_dir=tmp_path / "out", runs_dir=runs_dir, retrain=True, log=lambda s: None)
    assert ctx.gan_source == "train"
    with pytest.raises(RuntimeError, match="stop here"):
        ctx.gan_run("grid", ms=fig.MS, seed=fig.SEED)
    [(where, kw)] = calls
    assert where == (runs_dir if given_runs else tmp_path / "out" / "_runs")
    assert kw["dataset"] == "grid" and tuple(kw["ms"]) == fig.MS and tuple(kw["seeds"]) == (fig.SEED,)
    assert kw["preset"] == "cpu" and kw["steps"] is None
    from modecollapse.gan.experiments.runs import RunSpec

    assert RunSpec("grid", fig.MS, (fig.SEED,), "cpu", kw["steps"]).resolved().steps == 12_000
    # without --retrain: the shipped models, or (runs_dir given) the runs found there; nothing trains
    assert FigureContext(out_dir=tmp_path).gan_source == "shipped"
    assert FigureContext(out_dir=tmp_path, runs_dir=tmp_path).gan_source == "runs"
    assert FigureContext(out_dir=tmp_path, gan_steps=7).gan_source == "train"
    with pytest.raises(TypeError, match="retrain"):
        FigureContext(out_dir=tmp_path, retrain="yes")

