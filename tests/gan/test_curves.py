"""Training curves (``metrics.jsonl``, TensorBoard events) and tqdm progress of the three run kinds.

The oracles: the losses in the curve are those of a :class:`GanEnsemble` stepped by hand; a
curve's evaluation at a checkpoint step is what ``evaluate_run`` recomputes from that step's
checkpoint; the final evaluation is ``results.json``'s; a stopped-and-resumed run has the same
lines as an uninterrupted one (wall times aside), and its results are bit-for-bit the same with
or without a TensorBoard writer.
"""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from modecollapse.gan.experiments import _curves, _io  # noqa: E402
from modecollapse.gan.experiments import adagan as ag  # noqa: E402
from modecollapse.gan.experiments.runs import RunSpec, evaluate_run, train_run  # noqa: E402

SPEC = RunSpec("ring", (1, 2), (0,), "smoke", steps=30, eval_samples=300, checkpoint_every=10)


def _quiet(msg):
    pass


def _lines(folder) -> list[dict]:
    """The curve records without their wall times, in a canonical order."""
    recs = [{k: v for k, v in r.items() if k not in ("time", "elapsed_s")} for r in _curves.read_curves(folder)]
    return sorted(recs, key=lambda r: json.dumps(r, sort_keys=True))


def _keys(folder) -> list:
    return [(r["kind"], json.dumps(r["member"], sort_keys=True), r.get("component"), r["step"])
            for r in _curves.read_curves(folder)]


class _Recorder:
    """A stand-in for ``torch.utils.tensorboard.SummaryWriter`` that records what it is given."""

    made: list = []

    def __init__(self, log_dir, purge_step=None):
        self.log_dir, self.purge_step, self.scalars, self.closed = log_dir, purge_step, [], False
        _Recorder.made.append(self)

    def add_scalar(self, tag, value, step, walltime=None):
        assert isinstance(value, (int, float)) and np.isfinite(value)
        self.scalars.append((tag, value, step))

    def flush(self):
        pass

    def close(self):
        self.closed = True


@pytest.fixture()
def recorder(monkeypatch):
    _Recorder.made = []
    monkeypatch.setattr(_curves, "summary_writer_class", lambda: _Recorder)
    return _Recorder


@pytest.fixture()
def no_tensorboard(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # import fails as if not installed
    assert _curves.summary_writer_class() is None


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("curves") / "full"
    res = train_run(SPEC, out, progress=False, log=_quiet)
    return out, res


def test_train_curve_holds_the_losses_and_metrics_of_every_member(full):
    from modecollapse.gan.data._mixtures import get_dataset
    from modecollapse.gan.train._ensemble import GanEnsemble

    out, res = full
    recs = _curves.read_curves(out)
    members = [{"m": 1, "seed": 0}, {"m": 2, "seed": 0}]
    train = [r for r in recs if r["kind"] == "train"]
    assert [r["step"] for r in train] == [s for s in range(1, 31) for _ in members]  # steps // 100 -> every step
    assert [r["member"] for r in train] == members * 30
    # the losses are those of the same ensemble stepped by hand
    spec = SPEC.resolved()
    ens = GanEnsemble(get_dataset("ring", data_seed=0), spec.members, spec.train_config(), device="cpu")
    for step in range(1, 31):
        d, g = ens.train_step()
        got = [r["losses"] for r in train if r["step"] == step]
        assert got == [{"d": float(d[i]), "g": float(g[i])} for i in range(2)], step
    evals = [r for r in recs if r["kind"] == "eval"]
    assert [(r["step"], r["member"]) for r in evals] == [(s, m) for s in (10, 20, 30) for m in members]
    final = [r["metrics"] for r in evals if r["step"] == 30]
    for got, want in zip(final, res.metrics):
        assert got["modes"] == want.modes and got["hq_percent"] == 100.0 * want.hq_fraction
        assert got["reverse_kl"] == (want.reverse_kl if np.isfinite(want.reverse_kl) else str(want.reverse_kl))
    assert all(r["elapsed_s"] >= 0 and r["time"] > 1.7e9 for r in recs)
    assert len(set(_keys(out))) == len(recs)


def test_the_curve_at_a_checkpoint_step_is_what_that_checkpoint_evaluates_to(full, tmp_path):
    out = tmp_path / "at20"
    assert train_run(SPEC, out, progress=False, stop_at=20, log=_quiet) is None
    ev = evaluate_run(out, seed=0)
    assert ev.step == 20
    got = [r["metrics"] for r in _curves.read_curves(out) if r["kind"] == "eval" and r["step"] == 20]
    assert [g["modes"] for g in got] == [m.modes for m in ev.metrics]
    assert [g["hq_percent"] for g in got] == [100.0 * m.hq_fraction for m in ev.metrics]
    # and the run stopped at 20 has exactly the lines of the full run up to step 20
    assert _lines(out) == [r for r in _lines(full[0]) if r["step"] <= 20]


@pytest.mark.parametrize("stop", [7, 20])  # inside a checkpoint interval, and on its boundary
def test_stop_and_resume_neither_duplicates_nor_loses_lines(full, tmp_path, stop):
    out = tmp_path / "r"
    assert train_run(SPEC, out, progress=False, stop_at=stop, log=_quiet) is None
    assert max(r["step"] for r in _curves.read_curves(out)) == stop
    # a process killed after its checkpoint: lines beyond it and half a line
    with open(out / "metrics.jsonl", "a") as fh:
        fh.write(json.dumps({"kind": "train", "step": stop + 1, "member": {"m": 1, "seed": 0},
                             "losses": {"d": 0.0, "g": 0.0}}) + "\n")
        fh.write('{"kind": "train", "step": ')
    res = train_run(SPEC, out, resume=True, progress=False, log=_quiet)
    assert _lines(out) == _lines(full[0])
    assert len(set(_keys(out))) == len(_keys(out))
    assert [m.as_dict() for m in res.metrics] == [m.as_dict() for m in full[1].metrics]
    # resuming a finished run re-evaluates it and writes nothing twice
    train_run(SPEC, out, resume=True, progress=False, log=_quiet)
    assert _lines(out) == _lines(full[0])
    # --overwrite starts the curve afresh
    train_run(SPEC, out, overwrite=True, progress=False, log=_quiet, stop_at=3)
    assert max(r["step"] for r in _curves.read_curves(out)) == 3


def test_tensorboard_events_when_available_and_identical_results_either_way(full, tmp_path, recorder):
    out = tmp_path / "tb"
    assert train_run(SPEC, out, progress=False, stop_at=12, log=_quiet) is None
    first = recorder.made[-1]
    assert first.log_dir == str(out / "tensorboard") and first.purge_step is None and first.closed
    tags = {t for t, _, _ in first.scalars}
    assert {"loss_d/m1_seed0", "loss_g/m2_seed0", "modes/m1_seed0", "hq_percent/m2_seed0"} <= tags
    assert ("loss_d/m1_seed0", _curves.read_curves(out)[0]["losses"]["d"], 1) in first.scalars
    res = train_run(SPEC, out, resume=True, progress=False, log=_quiet)
    second = recorder.made[-1]
    assert second is not first and second.purge_step == 13  # events after the checkpoint are purged
    assert min(s for _, _, s in second.scalars) == 13
    n_scalars = sum(len(w.scalars) for w in recorder.made)
    n_values = sum(len(r.get("losses", {})) + sum(isinstance(v, (int, float)) for v in r.get("metrics", {}).values())
                   for r in _curves.read_curves(out))
    assert n_scalars == n_values  # every finite value of the JSON lines, once
    # the results do not depend on the writer
    assert (out / "samples.npz").read_bytes() == (full[0] / "samples.npz").read_bytes()
    assert json.loads((out / "results.json").read_text())["members"] == \
        json.loads((full[0] / "results.json").read_text())["members"]
    assert res.info["samples_sha256"] == full[1].info["samples_sha256"]


def test_without_tensorboard_the_run_is_silent_and_the_same(full, tmp_path, no_tensorboard, capsys):
    out = tmp_path / "notb"
    train_run(SPEC, out, progress=False, log=_quiet)
    assert not (out / "tensorboard").exists()
    assert capsys.readouterr().err == ""
    assert (out / "samples.npz").read_bytes() == (full[0] / "samples.npz").read_bytes()
    assert _lines(out) == _lines(full[0])


def test_summary_writer_class_reads_torch_utils_tensorboard(monkeypatch):
    stub = types.ModuleType("torch.utils.tensorboard")
    stub.SummaryWriter = _Recorder
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", stub)
    assert _curves.summary_writer_class() is _Recorder


def test_progress_bar_is_tqdm_and_no_progress_is_silent(tmp_path, capsys, no_tensorboard):
    from modecollapse.gan.cli import main

    args = ["train", "--dataset", "ring", "--m", "1", "--preset", "smoke", "--steps", "12", "--threads", "1",
            "--device", "cpu"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "12/12" in err and "step/s" in err and "d=" in err  # tqdm's bar with the mean losses
    assert main([*args, "--out", str(tmp_path / "b"), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
    assert main([*args, "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_bar_without_tqdm_says_so_once(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(_curves, "_warned", False)
    for _ in range(2):
        with _curves.progress_bar(10) as bar:
            bar.update(1)
            bar.set_postfix(d="1")
    assert capsys.readouterr().err.count("tqdm is not installed") == 1
    assert isinstance(_curves.progress_bar(10, enabled=False), _curves._NoBar)


def test_curve_log_refuses_a_corrupt_middle_line_and_writes_strict_json(tmp_path):
    (tmp_path / "metrics.jsonl").write_text('{"kind": "train", "step": 1, "member": {}}\nnot json\n{"step": 2}\n')
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        _curves.CurveLog(tmp_path, resume=True, tensorboard=False)
    with _curves.CurveLog(tmp_path, resume=False, tensorboard=False) as log:
        log.log("eval", 5, {"m": 1}, metrics={"kl": float("inf"), "modes": np.int64(3)})
        log.log("eval", 5, {"m": 1}, metrics={"kl": 0.0})  # the same key: not written twice
    text = (tmp_path / "metrics.jsonl").read_text()
    assert text.count("\n") == 1 and json.loads(text)["metrics"] == {"kl": "inf", "modes": 3}


_TINY = dict(modes=(2,), n_runs=1, methods=("ensemble", "boosted"), n_components=3, eval_at=(1, 3), steps=12,
             n_train=400, classifier_hidden=8, classifier_steps=20, classifier_batch=64, n_pool=300, n_eval=200,
             train=dict(batch_size=32, lr=2e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=8, g_layers=2,
                        d_hidden=8, d_layers=2, d_pieces=3))


def test_adagan_curves_survive_an_interruption(tmp_path, monkeypatch, recorder):
    cfg = ag.CoverageConfig(**_TINY)
    full = ag.run_coverage_experiment(cfg, tmp_path / "a", device="cpu", log=_quiet)
    recs = _curves.read_curves(tmp_path / "a")
    evals = [r for r in recs if r["kind"] == "eval"]
    assert [(r["component"], r["member"]["method"]) for r in evals] == [(t, m) for t in (1, 2, 3)
                                                                         for m in ("ensemble", "boosted")]
    for run in full["runs"]:  # the coverage in the curve is the results file's
        for r in evals:
            if r["member"]["method"] == run["method"] and str(r["component"]) in run["coverage"]:
                assert r["metrics"]["coverage"] == run["coverage"][str(r["component"])][0]
    ens = [r for r in evals if r["member"]["method"] == "ensemble"]
    assert [r["metrics"]["component_coverage"] for r in ens] == full["runs"][0]["component_coverage"]
    train1 = [r for r in recs if r["kind"] == "train" and r["component"] == 1]
    assert {tuple(r["member"]["methods"]) for r in train1} == {("boosted", "ensemble")}  # component 1 is shared
    assert len(train1) == 12 and len([r for r in recs if r["kind"] == "train" and r["component"] == 2]) == 24
    real_save = ag._save

    def failing_save(path, payload):
        real_save(path, payload)
        if payload["t"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(ag, "_save", failing_save)
    with pytest.raises(KeyboardInterrupt):
        ag.run_coverage_experiment(cfg, tmp_path / "b", device="cpu", log=_quiet)
    monkeypatch.setattr(ag, "_save", real_save)
    with open(tmp_path / "b" / "metrics.jsonl", "a") as fh:  # component 3 had begun when the process died
        fh.write(json.dumps({"kind": "train", "step": 1, "member": {"modes": 2}, "component": 3}) + "\n")
    resumed = ag.run_coverage_experiment(cfg, tmp_path / "b", resume=True, device="cpu", log=_quiet)
    assert resumed["runs"] == full["runs"]
    assert _lines(tmp_path / "b") == _lines(tmp_path / "a")
    assert recorder.made[-1].purge_step == 2 * cfg.steps + 1


def test_stacked_curves_survive_an_interruption(tmp_path, monkeypatch, no_tensorboard):
    from modecollapse.gan.experiments import stacked_mnist as sm

    cfg = sm.StackedConfig(image_size=14, width=4, latent_dim=8, batch_size=8, steps=4, lr=1e-3, n_eval=100,
                           classifier_epochs=1)
    kw = dict(ms=[1, 2], seeds=[0], checkpoint_every=2, device="cpu", log=_quiet)
    full = sm.run_stacked_experiment(cfg, tmp_path / "a", **kw)
    recs = _curves.read_curves(tmp_path / "a")
    assert [(r["kind"], r["member"]["m"], r["step"]) for r in recs] == \
        [(kind, m, s) for m in (1, 2) for kind, s in [("train", 1), ("train", 2), ("train", 3), ("train", 4),
                                                      ("eval", 4)]]
    assert [r["metrics"]["modes"] for r in recs if r["kind"] == "eval"] == [r["modes"] for r in full["runs"]]
    real = _io.save_checkpoint

    def failing(path, **kwargs):
        real(path, **kwargs)
        if kwargs["state"]["m"] == 2 and kwargs["state"]["step"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(_io, "save_checkpoint", failing)
    with pytest.raises(KeyboardInterrupt):
        sm.run_stacked_experiment(cfg, tmp_path / "b", **kw)
    monkeypatch.setattr(_io, "save_checkpoint", real)
    resumed = sm.run_stacked_experiment(cfg, tmp_path / "b", resume=True, **kw)
    assert [r["modes"] for r in resumed["runs"]] == [r["modes"] for r in full["runs"]]
    assert _lines(tmp_path / "b") == _lines(tmp_path / "a")
    # the lines of other runs in the same folder stay: m = 3 alone, later
    sm.run_stacked_experiment(cfg, tmp_path / "b", **{**kw, "ms": [3]})
    assert {r["member"]["m"] for r in _curves.read_curves(tmp_path / "b")} == {1, 2, 3}


def test_real_tensorboard_event_files_hold_the_curve(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "tb"
    assert train_run(SPEC, out, progress=False, stop_at=15, log=_quiet) is None
    train_run(SPEC, out, resume=True, progress=False, log=_quiet)
    acc = EventAccumulator(str(out / "tensorboard"))
    acc.Reload()
    events = acc.Scalars("loss_d/m1_seed0")
    want = [r["losses"]["d"] for r in _curves.read_curves(out) if r["kind"] == "train" and r["member"]["m"] == 1]
    assert [e.step for e in events] == list(range(1, 31))  # once each across the resume
    assert [e.value for e in events] == [float(np.float32(v)) for v in want]
    assert [e.step for e in acc.Scalars("modes/m2_seed0")] == [10, 20, 30]
