"""The run folder under faults: flipped bytes, a full disk, two writers, signals, bad sizes, no torch.

Each case is a tiny ``smoke``-preset run of a few steps.
"""

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from modecollapse.gan.cli import main  # noqa: E402
from modecollapse.gan.experiments import _io  # noqa: E402

SMOKE = ["train", "--dataset", "grid", "--m", "1", "2", "--seeds", "0", "--preset", "smoke", "--steps", "12",
         "--checkpoint-every", "5", "--threads", "1", "--no-progress"]

#: blocks ``import torch`` in a subprocess, as if torch were not installed
_NO_TORCH = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
sys.meta_path.insert(0, _Block())
"""


def _long_run(out: Path, *extra: str) -> tuple[list[str], subprocess.Popen]:
    """A training process that would run for a million steps, started and past its spec.json."""
    cmd = [sys.executable, "-m", "modecollapse.gan", *SMOKE, "--steps", "1000000", "--checkpoint-every", "1000000",
           "--out", str(out), *extra]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(1200):
        if (out / "spec.json").exists() or p.poll() is not None:
            break
        time.sleep(0.05)
    return cmd, p


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    yield
    torch.set_num_threads(old)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("rf") / "run"
    assert main([*SMOKE, "--out", str(out)]) == 0
    return out


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for p in src.iterdir():
        (dst / p.name).write_bytes(p.read_bytes())
    return dst


def _flip(path: Path, frac: float) -> None:
    raw = bytearray(path.read_bytes())
    i = min(len(raw) - 1, int(frac * len(raw)))
    raw[i] ^= 0x01
    path.write_bytes(bytes(raw))


def _err_lines(capsys) -> list[str]:
    return [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


# ------------------------------------------------------------------------------- checksums


@pytest.mark.parametrize("frac", [0.0, 0.02, 0.3, 0.5, 0.7, 0.97, 1.0])
def test_flipped_byte_in_checkpoint_is_refused(finished, tmp_path, capsys, frac):
    run = _copy(finished, tmp_path / "c")
    _flip(run / "checkpoint.pt", frac)
    before = (run / "checkpoint.pt").read_bytes()
    assert main(["train", "--resume", "--out", str(run), "--no-progress"]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and str(run / "checkpoint.pt") in err[0] and "--overwrite" in err[0], err
    assert "corrupt" in err[0] or "format" in err[0]
    assert (run / "checkpoint.pt").read_bytes() == before  # nothing was rewritten
    assert main(["evaluate", str(run)]) == 2


def test_flipped_byte_in_results_and_samples(finished, tmp_path):
    from modecollapse.gan.experiments.runs import load_run

    run = _copy(finished, tmp_path / "r")
    text = (run / "results.json").read_text()
    i = text.index('"hq_percent": ') + len('"hq_percent": ')
    (run / "results.json").write_text(text[:i] + ("9" if text[i] != "9" else "8") + text[i + 1:])
    with pytest.raises(_io.CorruptFileError, match=r"results\.json is corrupt.*--overwrite"):
        load_run(run)
    run2 = _copy(finished, tmp_path / "s")
    _flip(run2 / "samples.npz", 0.5)
    res = load_run(run2)
    with pytest.raises(_io.CorruptFileError, match=r"samples\.npz is corrupt"):
        res.samples()


def test_previous_checkpoint_is_the_way_out(tmp_path, capsys):
    out = tmp_path / "p"
    assert main([*SMOKE, "--out", str(out), "--stop-at", "10"]) == 0
    assert (out / "checkpoint.prev.pt").is_file()  # the step-5 checkpoint, kept while the run is going
    _flip(out / "checkpoint.pt", 0.5)
    assert main(["train", "--resume", "--out", str(out), "--no-progress"]) == 2
    assert "checkpoint.prev.pt" in capsys.readouterr().err
    os.replace(out / "checkpoint.prev.pt", out / "checkpoint.pt")
    assert main(["train", "--resume", "--out", str(out), "--no-progress"]) == 0
    assert not (out / "checkpoint.prev.pt").exists()  # dropped once the run finished


# ------------------------------------------------------------------------------- full disk


@pytest.mark.parametrize("which", ["second checkpoint", "samples", "results", "spec"])
def test_disk_full_is_one_line_and_keeps_the_last_good_checkpoint(tmp_path, capsys, monkeypatch, which):
    out = tmp_path / "full"
    real, seen = _io._write_file, []

    def writer(path, data):
        name = Path(path).name
        seen.append(name)
        hit = {"second checkpoint": name == "checkpoint.pt.tmp" and seen.count(name) == 2,
               "samples": name.startswith("samples.npz"), "results": name.startswith("results.json"),
               "spec": name.startswith("spec.json")}[which]
        if hit:
            with open(path, "wb") as fh:  # a partial file, as a full disk leaves it
                fh.write(data[: len(data) // 3])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(_io, "_write_file", writer)
    assert main([*SMOKE, "--out", str(out)]) == 2
    err = _err_lines(capsys)
    assert len(err) == 1 and "No space left on device" in err[0] and "ENOSPC" in err[0], err
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.endswith(".tmp")], names  # no partial file left
    assert "results.json" not in names
    monkeypatch.setattr(_io, "_write_file", real)
    if which != "spec":
        step = _io.load_checkpoint(out / "checkpoint.pt")["state"]["step"]
        assert step == {"second checkpoint": 5}.get(which, 12)  # the last good checkpoint, intact
        assert main(["train", "--resume", "--out", str(out), "--no-progress"]) == 0
        assert (out / "results.json").is_file()


# ------------------------------------------------------------------------------- lock


def test_second_writer_is_refused(tmp_path, capsys):
    out = tmp_path / "locked"
    out.mkdir()
    with _io.RunFolderLock(out):
        assert main([*SMOKE, "--out", str(out)]) == 2
        assert "in use by another run" in capsys.readouterr().err
        assert list(out.iterdir()) == []
    assert main([*SMOKE, "--out", str(out)]) == 0  # released with the block


def test_two_processes_on_one_folder(tmp_path):
    out = tmp_path / "two"
    cmd, a = _long_run(out)
    try:
        b_cmd = [*cmd, "--overwrite"]
        b_cmd[b_cmd.index("--seeds") + 1] = "1"
        b = subprocess.run(b_cmd, capture_output=True, text=True, timeout=120)
        a.send_signal(signal.SIGTERM)
        _, a_err = a.communicate(timeout=120)
    finally:
        if a.poll() is None:
            a.kill()
    assert b.returncode == 2 and "in use by another run" in b.stderr, b.stderr
    assert a.returncode == 128 + signal.SIGTERM, a_err
    # the folder holds only the first run's files
    assert json.loads((out / "spec.json").read_text())["seeds"] == [0]
    assert _io.load_checkpoint(out / "checkpoint.pt")["spec"]["seeds"] == [0]


# ------------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("change, msg", [
    (("--out", ""), "non-empty path"),
    (("--m", "1000000"), "GiB"),
    (("--seeds", "0-1000000"), "1,000,001 seeds"),
    (("--seeds", "0-99999999999999999999"), "seeds must be at most 2**63 - 1"),
    (("--seeds", str(2**63)), "seeds must be at most 2**63 - 1"),
])
def test_sizes_and_empty_out_refused_before_anything_is_built(tmp_path, capsys, monkeypatch, change, msg):
    monkeypatch.chdir(tmp_path)
    argv = [*SMOKE, "--out", str(tmp_path / "o")]
    argv[argv.index(change[0]) + 1] = change[1]
    if change[0] == "--m":
        del argv[argv.index("--m") + 2]
    t0 = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - t0 < 5
    assert msg in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_members_limit():
    from modecollapse.gan.experiments.runs import MAX_MEMBERS, RunSpec, _check_size

    with pytest.raises(ValueError, match="members"):
        _check_size(RunSpec("grid", (1, 2), tuple(range(MAX_MEMBERS // 2 + 1)), "smoke").resolved())


# ------------------------------------------------------------------------------- resume / extend


def test_resume_needs_only_out_and_a_finished_run_extends(finished, tmp_path, capsys):
    run = _copy(finished, tmp_path / "e")
    assert main(["train", "--resume", "--out", str(run), "--no-progress"]) == 0
    a = json.loads((finished / "results.json").read_text())
    assert json.loads((run / "results.json").read_text())["members"] == a["members"]
    assert main(["train", "--resume", "--out", str(run), "--steps", "20", "--no-progress"]) == 0
    assert json.loads((run / "spec.json").read_text())["steps"] == 20
    # the extended run equals a run trained to 20 steps at once (smoke: constant learning rate)
    ref = tmp_path / "ref"
    argv = [*SMOKE, "--out", str(ref)]
    argv[argv.index("--steps") + 1] = "20"
    assert main(argv) == 0
    with np.load(run / "samples.npz") as f, np.load(ref / "samples.npz") as g:
        np.testing.assert_array_equal(f["samples"], g["samples"])


def test_extending_a_decaying_learning_rate_says_why_not(tmp_path, capsys):
    out = tmp_path / "cpu"
    argv = ["train", "--dataset", "ring", "--m", "1", "--preset", "cpu", "--steps", "2", "--eval-samples", "50",
            "--threads", "1", "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    assert main(["train", "--resume", "--out", str(out), "--steps", "4", "--no-progress"]) == 2
    assert "learning rate decays over the whole run" in capsys.readouterr().err


def test_resume_without_spec_needs_dataset(tmp_path, capsys):
    assert main(["train", "--resume", "--out", str(tmp_path / "nothing")]) == 2
    assert "--dataset is required" in capsys.readouterr().err


# ------------------------------------------------------------------------------- signals


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_saves_a_checkpoint_and_says_how_to_resume(tmp_path, sig):
    out = tmp_path / "sig"
    _, p = _long_run(out)
    try:
        time.sleep(1.0)  # a few hundred steps
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 128 + sig, err
    assert "Traceback" not in err and f"--resume --out {out}" in err, err
    step = _io.load_checkpoint(out / "checkpoint.pt")["state"]["step"]
    assert 0 < step < 1_000_000 and f"at step {step}/" in err


# ------------------------------------------------------------------------------- no torch


def test_without_torch_train_gives_the_install_hint(tmp_path):
    code = _NO_TORCH + (
        "from modecollapse.gan.cli import main\n"
        f"sys.exit(main(['train', '--dataset', 'grid', '--preset', 'smoke', '--out', {str(tmp_path / 'o')!r}]))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "pip install 'modecollapse[gan]'" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()


def test_runspec_and_results_readable_without_torch(finished):
    code = _NO_TORCH + (
        "from modecollapse.gan.experiments.runs import RunSpec, load_run\n"
        "from modecollapse.gan.train.config import PRESETS, COVERAGE_PRESETS, STACKED_PRESETS, TrainConfig\n"
        "from modecollapse.gan.experiments.reference import PACGAN_TABLE1\n"
        "import modecollapse.gan.experiments.adagan, modecollapse.gan.experiments.stacked_mnist\n"
        f"r = load_run({str(finished)!r})\n"
        "assert r.spec == RunSpec('grid', (1, 2), (0,), 'smoke', 12, 500, 5)\n"
        "assert r.samples().shape == (2, 500, 2)\n"
        "assert 'torch' not in sys.modules\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
