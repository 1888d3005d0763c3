"""The shipped cpu-preset generators (gan/experiments/models) and the run discovery behind ``figures --runs``.

Oracles of other kinds: the shipped metrics against the committed benchmark results file (written by
another code path, ``gan train``, at another time) and against metrics recomputed here from the
shipped samples; the shipped weights against the shipped samples (fresh samples drawn from the
weights must redraw them); corruption by flipping one byte. The module imports no torch at its top:
the loading and discovery tests run without torch, the others ask for the ``torch`` fixture.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from modecollapse.gan.data import get_dataset
from modecollapse.gan.experiments import _io, shipped
from modecollapse.gan.experiments.discovery import SelectedRun, find_runs, select_members, select_run
from modecollapse.gan.experiments.runs import RunResult, RunSpec, load_run
from modecollapse.gan.metrics import mode_metrics

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "results"
DATASETS = ("grid", "ring")


# ------------------------------------------------------------------------- the shipped models


def test_the_shipped_files_match_their_manifest_and_stay_small():
    sizes = shipped.verify_shipped()
    assert set(sizes) == {f"{d}-cpu/{f}" for d in DATASETS for f in shipped.RUN_FILES}
    total = sum(sizes.values()) + (shipped.MODELS_DIR / shipped.MANIFEST).stat().st_size
    assert total < 2 * 2**20, f"the shipped models take {total:,} bytes"
    runs = shipped.shipped_runs()
    assert {n: (s.dataset, s.preset, s.method, s.ms, s.seeds, s.resolved().steps) for n, s in runs.items()} == {
        f"{d}-cpu": (d, "cpu", "gan", (1, 2, 3, 4), (0, 1), 12_000) for d in DATASETS}


@pytest.mark.parametrize("dataset", DATASETS)
def test_shipped_metrics_are_those_of_the_shipped_samples(dataset):
    run = shipped.load_shipped(dataset)
    assert isinstance(run, RunResult) and run.spec.members == run.members
    bench = json.loads((BENCH / f"gan_cpu_preset_{dataset}.json").read_text())
    assert RunSpec.from_dict(bench["spec"]) == run.spec  # the committed cpu-preset protocol, same settings
    ds = get_dataset(dataset, n_train=1)
    x = run.samples()
    assert x.shape == (8, 2500, 2) and x.dtype == np.float32
    for met, xi in zip(run.metrics, x):
        ref = mode_metrics(xi, ds.means, ds.std)  # recomputed from the shipped samples
        assert ref.modes == met.modes and ref.counts.tolist() == met.counts.tolist()
        assert 100 * ref.hq_fraction == pytest.approx(100 * met.hq_fraction, abs=1e-9)
    # the figure's claim: on the grid every packed member covers more modes than every GAN member
    # (shipped: GAN 14 and 14 of 25; PacGAN2-4 22 to 25)
    if dataset == "grid":
        gan = [r.modes for r in run.metrics_for(1)]
        packed = [r.modes for m in (2, 3, 4) for r in run.metrics_for(m)]
        assert max(gan) < min(packed) and max(packed) == 25, (gan, packed)


def test_selection_keeps_the_chosen_members_in_order():
    full = shipped.load_shipped("grid")
    sel = shipped.load_shipped("grid", ms=(4, 1), seeds=(0,))
    assert isinstance(sel, shipped.ShippedRun) and sel.spec == full.spec
    assert sel.members == [(4, 0), (1, 0)] and sel.rows == (6, 0)
    np.testing.assert_array_equal(sel.samples(), full.samples()[[6, 0]])
    assert [r.modes for r in sel.metrics] == [full.metrics[6].modes, full.metrics[0].modes]
    assert sel.summary[4]["modes"].n == 1 and sel.summary[4]["modes"].mean == full.metrics[6].modes
    with pytest.raises(ValueError, match=r"no member\(s\) \[\(1, 5\)\]"):
        select_members(full, ms=(1,), seeds=(5,))
    with pytest.raises(ValueError, match="no shipped 'wgan' run"):
        shipped.load_shipped("grid", method="wgan")


def test_fresh_samples_from_the_shipped_generators_redraw_the_shipped_samples(torch):
    run = shipped.load_shipped("ring", ms=(1, 4), seeds=(1,))
    x = run.generate(2500, seed=0)
    np.testing.assert_allclose(x, run.samples(), atol=1e-4, rtol=0)  # the weights made the results
    other = run.generate(500, seed=3)
    assert other.shape == (2, 500, 2) and not np.allclose(other[:, :10], x[:, :10])


@pytest.fixture
def models_copy(tmp_path):
    dest = tmp_path / "models"
    shutil.copytree(shipped.MODELS_DIR, dest)
    return dest


@pytest.mark.parametrize("target", ["grid-cpu/generators.npz", "grid-cpu/results.json", "grid-cpu/samples.npz",
                                    "MANIFEST.json"])
def test_one_flipped_byte_is_a_corrupt_file_error_that_names_retrain(models_copy, target):
    path = models_copy / target
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(_io.CorruptFileError, match="--retrain") as err:
        shipped.load_shipped("grid", root=models_copy)
    assert target.split("/")[-1] in str(err.value)
    with pytest.raises(_io.CorruptFileError, match="--retrain"):
        shipped.verify_shipped(models_copy)
    if target != "MANIFEST.json":
        shipped.load_shipped("ring", root=models_copy)  # the other run is intact and still loads


def test_a_missing_file_or_manifest_names_retrain(models_copy):
    (models_copy / "ring-cpu" / "spec.json").unlink()
    with pytest.raises(_io.CorruptFileError, match="spec.json is missing.*--retrain"):
        shipped.load_shipped("ring", root=models_copy)
    (models_copy / "MANIFEST.json").unlink()
    with pytest.raises(_io.CorruptFileError, match="no .*MANIFEST.json.*--retrain"):
        shipped.load_shipped("grid", root=models_copy)


def test_check_command_verifies_the_package_models(capsys):
    assert shipped.main(["--check"]) == 0
    out = capsys.readouterr().out
    assert "grid-cpu: grid, gan, cpu preset" in out and "8 files verified" in out


# ------------------------------------------------------------------ building from a run folder


@pytest.fixture(scope="module")
def smoke_runs(tmp_path_factory):
    """Two finished smoke runs at different depths under names that say nothing, and an unfinished one."""
    pytest.importorskip("torch")
    from modecollapse.gan.experiments.runs import train_run

    root = tmp_path_factory.mktemp("runs")
    train_run(RunSpec("grid", (1, 2), (0, 1), "smoke", 6), root / "x", progress=False, log=lambda s: None)
    train_run(RunSpec("ring", (1, 3), (2,), "smoke", 6), root / "deep" / "er" / "y", progress=False,
              log=lambda s: None)
    train_run(RunSpec("grid", (1, 2), (0,), "smoke", 20), root / "z", progress=False, stop_at=10,
              log=lambda s: None)
    return root


def test_build_from_run_folders_then_load_and_redraw(smoke_runs, tmp_path, torch):
    to = tmp_path / "models"
    doc = shipped.build_shipped([smoke_runs / "x"], to, log=lambda s: None)
    assert set(doc["runs"]) == {"grid-smoke"}
    shipped.build_shipped([smoke_runs / "deep" / "er" / "y"], to, log=lambda s: None)  # merged, not replaced
    assert set(shipped.shipped_runs(to)) == {"grid-smoke", "ring-smoke"}
    src = load_run(smoke_runs / "x")
    got = shipped.load_shipped("grid", preset="smoke", root=to)
    assert got.spec == src.spec and got.members == src.members
    assert [r.modes for r in got.metrics] == [r.modes for r in src.metrics]
    np.testing.assert_array_equal(got.samples(), src.samples())
    for name in ("spec.json", "results.json", "samples.npz"):  # the run's own files, byte for byte
        assert (to / "grid-smoke" / name).read_bytes() == (smoke_runs / "x" / name).read_bytes()
    with np.load(to / "grid-smoke" / "generators.npz") as f:
        assert all(f[k].dtype == np.float32 for k in f.files)
        assert all(k.split(".")[0] in ("m1", "m2") for k in f.files)  # generators only: no D, no optimiser
    np.testing.assert_allclose(got.generate(500), src.samples(), atol=1e-5, rtol=0)
    # the run folder's own checkpoint draws the same fresh samples as the shipped weights
    sel = select_members(src, ms=(2,), seeds=(1,))
    np.testing.assert_allclose(sel.generate(300, seed=4),
                               shipped.load_shipped("grid", preset="smoke", root=to, ms=(2,), seeds=(1,))
                               .generate(300, seed=4), atol=1e-6, rtol=0)


def test_build_refuses_unfinished_or_missing_runs_before_writing(smoke_runs, tmp_path, torch):
    to = tmp_path / "models"
    with pytest.raises(FileNotFoundError, match="no results.json"):
        shipped.build_shipped([smoke_runs / "x", smoke_runs / "z"], to, log=lambda s: None)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        shipped.build_shipped([tmp_path / "nope"], to, log=lambda s: None)
    assert not to.exists()


# ----------------------------------------------------------------------------- run discovery


def test_find_runs_reads_each_spec_at_any_depth(smoke_runs):
    found = {f.path.relative_to(smoke_runs).as_posix(): f for f in find_runs(smoke_runs)}
    assert set(found) == {"x", "deep/er/y", "z"}
    assert found["deep/er/y"].spec.dataset == "ring" and found["deep/er/y"].finished
    assert not found["z"].finished
    assert [f.path for f in find_runs(smoke_runs / "x")] == [smoke_runs / "x"]  # a run folder itself


def test_select_run_matches_by_spec_and_says_what_it_found(smoke_runs, tmp_path):
    logs = []
    run = select_run(smoke_runs, dataset="ring", ms=(3, 1), seeds=(2,), log=logs.append)
    assert isinstance(run, SelectedRun) and run.members == [(3, 2), (1, 2)] and run.path.name == "y"
    assert any("deep/er/y" in s for s in logs)
    with pytest.raises(ValueError) as err:
        select_run(smoke_runs, dataset="grid", ms=(1, 2, 3, 4))
    msg = str(err.value)
    assert "no finished 'gan' run on 'grid' with m 1 2 3 4" in msg
    assert "x (grid, method gan, m 1-2, seeds 0-1, smoke preset, 6 steps, finished)" in msg
    assert "z (grid, method gan, m 1-2, seeds 0, smoke preset, 20 steps, not finished" in msg
    # a folder of another method is refused, naming the method it holds
    other = tmp_path / "wgan"
    shutil.copytree(smoke_runs / "x", other)
    spec = json.loads((other / "spec.json").read_text())
    spec["config"] = {"method": "wgan"}
    (other / "spec.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="method wgan"):
        select_run(other, dataset="grid", ms=(1, 2))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no run folder"):
        select_run(tmp_path / "empty", dataset="grid", ms=(1,))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        select_run(tmp_path / "typo", dataset="grid", ms=(1,))
    assert not (tmp_path / "typo").exists()


def test_a_spec_of_another_kind_is_listed_not_fatal(tmp_path):
    (tmp_path / "adagan").mkdir()
    (tmp_path / "adagan" / "spec.json").write_text('{"modes": [1, 2]}')
    [f] = find_runs(tmp_path)
    assert f.spec is None and "not a GAN run" not in f.problem and f.problem
    with pytest.raises(ValueError, match=r"adagan \(not a GAN run"):
        select_run(tmp_path, dataset="grid", ms=(1,))
