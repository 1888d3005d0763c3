"""``python -m modecollapse.gan train / evaluate``: outputs, exact --resume, and errors before any training."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from modecollapse.gan.cli import main

BASE = ["train", "--dataset", "grid", "--m", "1", "3", "--seeds", "0-1", "--preset", "smoke", "--steps", "12",
        "--checkpoint-every", "5", "--threads", "1", "--no-progress"]


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "full"
    assert main([*BASE, "--out", str(out)]) == 0
    return out


def test_train_writes_results(finished, capsys):
    names = {p.name for p in finished.iterdir()}
    # metrics.jsonl: the training curves; tensorboard/ only where tensorboard is installed
    assert names - {"tensorboard"} == {"spec.json", "checkpoint.pt", "results.json", "samples.npz", "metrics.jsonl"}
    doc = json.loads((finished / "results.json").read_text())
    assert [(r["m"], r["seed"]) for r in doc["members"]] == [(1, 0), (1, 1), (3, 0), (3, 1)]
    assert doc["spec"]["steps"] == 12 and doc["info"]["step"] == 12
    assert set(doc["summary"]) == {"1", "3"}
    with np.load(finished / "samples.npz") as f:
        assert f["samples"].shape == (4, 500, 2)  # smoke preset: 500 evaluation samples
    # The stored metrics are those of the stored samples.
    from modecollapse.gan.data._mixtures import grid
    from modecollapse.gan.metrics import mode_metrics

    with np.load(finished / "samples.npz") as f:
        x = f["samples"]
    for r, xi in zip(doc["members"], x):
        assert r["modes"] == mode_metrics(xi, grid().means, 0.05).modes


def test_resume_equals_uninterrupted(finished, tmp_path):
    out = tmp_path / "resumed"
    assert main([*BASE, "--out", str(out), "--stop-at", "7"]) == 0
    assert not (out / "results.json").exists() and (out / "checkpoint.pt").exists()
    assert main([*BASE, "--out", str(out), "--resume"]) == 0
    a, b = json.loads((finished / "results.json").read_text()), json.loads((out / "results.json").read_text())
    assert a["members"] == b["members"]
    with np.load(finished / "samples.npz") as f, np.load(out / "samples.npz") as g:
        np.testing.assert_array_equal(f["samples"], g["samples"])  # bitwise: same device and threads


def test_evaluate_recomputes(finished, capsys):
    assert main(["evaluate", str(finished), "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert "matches results.json" in out and "PacGAN3" in out
    # PacGAN Table 1 beside our numbers (grid, m = 3: 24.6 modes, 94.2% HQ, reverse KL 0.06)
    row = next(ln for ln in out.splitlines() if ln.startswith("PacGAN3"))
    assert row.endswith("24.6 / 94.2 / 0.06")
    ev = json.loads((finished / "evaluation.json").read_text())
    assert ev["members"] == json.loads((finished / "results.json").read_text())["members"]


def test_summary_table_has_the_paper_column_only_where_paper_numbers_exist():
    from modecollapse.gan.data._mixtures import ring
    from modecollapse.gan.metrics import mode_metrics, summarize_metrics
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1
    from modecollapse.gan.experiments.runs import _format_summary

    ds = ring()
    x = ds.means[np.arange(100) % 8] + 0.001
    summary = {1: summarize_metrics([mode_metrics(x, ds.means, ds.std)])}
    with_paper = _format_summary(summary, "ring")
    assert "paper (Table 1)" in with_paper[0] and with_paper[1].endswith("6.3 / 98.2 / 0.45")
    assert PACGAN_TABLE1["ring"][1] == (6.3, 98.2, 0.45)
    without = _format_summary(summary, "gmm3")
    assert "paper" not in without[0] and len(without) == 2 and without[1].split()[1] == "8"


@pytest.mark.parametrize("args, msg", [
    (["--dataset", "rings"], "dataset must be one of"),
    (["--preset", "fast"], "preset must be one of"),
    (["--m", "0"], "m must be >= 1"),
    (["--steps", "0"], "steps must be >= 1"),
    (["--steps", "-3"], "steps must be >= 1"),
    (["--seeds", "x"], "seeds must look like"),
])
def test_bad_arguments_fail_before_training(tmp_path, capsys, args, msg):
    out = tmp_path / "o"
    argv = [*BASE, "--out", str(out)]
    for i in range(0, len(args), 2):
        k = argv.index(args[i])
        argv[k + 1] = args[i + 1]
        if args[i] == "--m":
            del argv[k + 2]
    assert main(argv) == 2
    assert msg in capsys.readouterr().err
    assert not out.exists()


def test_existing_run_is_not_overwritten(finished, capsys):
    before = _snapshot(finished)
    assert main([*BASE, "--out", str(finished)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert _snapshot(finished) == before


def test_mismatched_or_corrupt_checkpoint(finished, tmp_path, capsys):
    before = _snapshot(finished)
    argv = [*BASE, "--out", str(finished), "--resume"]
    argv[argv.index("--seeds") + 1] = "0-2"
    assert main(argv) == 2
    assert "does not match" in capsys.readouterr().err
    assert _snapshot(finished) == before
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "checkpoint.pt").write_bytes(b"garbage")
    assert main([*BASE, "--out", str(bad), "--resume"]) == 2
    assert "corrupt" in capsys.readouterr().err
    assert (bad / "checkpoint.pt").read_bytes() == b"garbage"
    assert main([*BASE, "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_unwritable_output(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert main([*BASE, "--out", str(f / "sub")]) == 2
    assert "cannot create output folder" in capsys.readouterr().err
    assert main([*BASE, "--out", str(f)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "modecollapse.gan", "-h"], capture_output=True, text=True, check=True).stdout
    assert "train" in out and "evaluate" in out


def test_evaluate_run_returns_named_fields(finished):
    from modecollapse.gan.experiments.runs import Evaluation, evaluate_run, load_run

    ev = evaluate_run(finished, device="cpu")
    assert isinstance(ev, Evaluation) and ev.step == 12 and ev.samples.shape == (4, 500, 2)
    spec, step, samples, metrics = ev  # still unpacks like the old 4-tuple
    assert spec == load_run(finished).spec and [m.modes for m in metrics] == [m.modes for m in load_run(finished).metrics]


def test_train_fused_flag_goes_into_the_spec(tmp_path):
    # --fused selects TrainConfig.fused (the opt-in fast path); it is part of the run's identity
    out = tmp_path / "fused"
    assert main(["train", "--dataset", "ring", "--m", "1", "--seeds", "0", "--preset", "smoke", "--steps", "3",
                 "--out", str(out), "--no-progress", "--fused"]) == 0
    spec = json.loads((out / "spec.json").read_text())
    assert spec["config"].get("fused") is True
    assert json.loads((out / "results.json").read_text())["info"]["step"] == 3
