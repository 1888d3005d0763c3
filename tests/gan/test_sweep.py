"""Sweeps (gan/experiments/sweep.py): jobs, their folder checks, the local and Ray backends.

The Ray tests skip when Ray is not installed (``pip install 'modecollapse[ray]'``); the one that
starts a local Ray with two workers and compares the smoke table with the in-process one is slow
(Ray's start and one torch import per worker) and runs with ``-m slow``.
"""

import socket
import time
from pathlib import Path

import pytest

from modecollapse.gan.experiments import _io
from modecollapse.gan.experiments.runs import RunSpec, load_run
from modecollapse.gan.experiments.sweep import Job, check_job, probe_ray_address, run_job, run_jobs

DATA = Path(__file__).parent / "data" / "table_smoke_pacgan-table1.json"


def _toy_job(dataset="ring", method=None, seeds=(0,)):
    spec = RunSpec(dataset, (1,), seeds, "smoke", steps=6, eval_samples=50, checkpoint_every=3,
                   config={} if method is None else {"method": method}).resolved()
    return Job("toy", spec.folder_name(), spec.to_dict())


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    return port


def test_job_validation():
    with pytest.raises(ValueError, match="kind must be one of"):
        Job("movie", "x")
    for bad in ("", "a/b", "..", "."):
        with pytest.raises(ValueError, match="name must be a single folder name"):
            Job("toy", bad)
    with pytest.raises(TypeError, match="spec must be a dict"):
        Job("toy", "x", [1])


def test_run_jobs_bad_arguments(tmp_path):
    job = _toy_job()
    with pytest.raises(ValueError, match="backend must be one of"):
        run_jobs([job], tmp_path, backend="dask")
    with pytest.raises(ValueError, match="address applies to backend 'ray' only"):
        run_jobs([job], tmp_path, address="127.0.0.1:1")
    with pytest.raises(ValueError, match="share the folder name"):
        run_jobs([job, Job("toy", job.name, {**job.spec, "seeds": [1]})], tmp_path)
    with pytest.raises(TypeError, match="Job values"):
        run_jobs([job.to_dict()], tmp_path)
    assert not any(tmp_path.iterdir())


def test_local_jobs_train_reuse_and_refuse(tmp_path):
    a, b = _toy_job("ring"), _toy_job("grid", "minimax")
    rec = run_jobs([a, a], tmp_path, threads=1, device="cpu", log=lambda s: None, progress=False)
    assert [r["status"] for r in rec] == ["trained"]  # the same job twice runs once
    first = load_run(tmp_path / a.name).metrics
    rec = run_jobs([a], tmp_path, threads=1, device="cpu", log=lambda s: None, progress=False)
    assert [r["status"] for r in rec] == ["reused"]
    assert [m.counts.tolist() for m in load_run(tmp_path / a.name).metrics] == [m.counts.tolist() for m in first]
    # a folder of this name holding another dataset's and method's run is refused before anything trains
    other = Job("toy", a.name, b.spec)
    with pytest.raises(ValueError, match="differs in: .*dataset"):
        run_jobs([b, other], tmp_path, threads=1, log=lambda s: None)
    assert not (tmp_path / b.name).exists()
    with pytest.raises(ValueError, match="refusing to overwrite"):
        check_job(other, tmp_path)
    assert load_run(tmp_path / a.name).spec.dataset == "ring"  # untouched


def test_interrupted_job_resumes_to_the_same_result(tmp_path):
    from modecollapse.gan.experiments.runs import train_run

    job = _toy_job()
    whole = run_job(job, tmp_path / "whole", device="cpu", log=lambda s: None, progress=False)
    part_dir = tmp_path / "part" / job.name
    assert train_run(RunSpec.from_dict(job.spec), part_dir, stop_at=3, device="cpu", progress=False,
                     log=lambda s: None) is None
    rec = run_job(job, tmp_path / "part", device="cpu", log=lambda s: None, progress=False)
    assert rec["status"] == "resumed"
    a, b = load_run(whole["path"]), load_run(part_dir)
    assert [m.counts.tolist() for m in a.metrics] == [m.counts.tolist() for m in b.metrics]


def test_probe_of_an_address_that_does_not_answer_is_fast():
    port = _closed_port()
    t = time.perf_counter()
    with pytest.raises(ConnectionError, match="does not answer"):
        probe_ray_address(f"127.0.0.1:{port}")
    with pytest.raises(ConnectionError, match="does not answer"):
        probe_ray_address(f"ray://127.0.0.1:{port}")
    assert time.perf_counter() - t < 10
    for bad in ("", "nohostport", "host:notaport"):
        with pytest.raises(ValueError, match="address"):
            probe_ray_address(bad)


def test_ray_address_that_does_not_answer_trains_nothing(tmp_path):
    pytest.importorskip("ray")
    port = _closed_port()
    t = time.perf_counter()
    with pytest.raises(ConnectionError, match="nothing was trained"):
        run_jobs([_toy_job()], tmp_path, backend="ray", address=f"127.0.0.1:{port}", log=lambda s: None)
    assert time.perf_counter() - t < 15
    assert not any(tmp_path.iterdir())


def test_ray_address_from_the_environment(tmp_path, monkeypatch):
    pytest.importorskip("ray")
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{_closed_port()}")
    with pytest.raises(ConnectionError, match="does not answer"):
        run_jobs([_toy_job()], tmp_path, backend="ray", log=lambda s: None)
    assert not any(tmp_path.iterdir())


def test_ray_missing_is_a_clear_error(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(ValueError, match=r"pip install 'modecollapse\[ray\]'"):
        run_jobs([_toy_job()], tmp_path, backend="ray", log=lambda s: None)


@pytest.mark.slow
def test_ray_smoke_table_equals_the_in_process_one(tmp_path):
    """A local Ray with two workers trains the smoke pacgan-table1; the table equals the in-process one
    (the committed smoke file, which the default suite checks the in-process command against, and a
    fresh in-process run)."""
    ray = pytest.importorskip("ray")
    from modecollapse.gan.experiments.tables import table_command, table_numbers

    local = table_command("pacgan-table1", preset="smoke", out=tmp_path / "local", threads=1, device="cpu",
                          quiet=True)
    assert {r["status"] for r in local["runs"]} == {"trained"}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        doc = table_command("pacgan-table1", preset="smoke", out=tmp_path / "ray", backend="ray", threads=1,
                            device="cpu", quiet=True)
        assert {r["status"] for r in doc["runs"]} == {"trained"}
        again = table_command("pacgan-table1", preset="smoke", out=tmp_path / "ray", backend="ray", threads=1,
                              device="cpu", quiet=True)
        assert {r["status"] for r in again["runs"]} == {"reused"}  # nothing trained twice
    finally:
        ray.shutdown()
    got = table_numbers(_io.read_checked_json(tmp_path / "ray" / "pacgan-table1.json"))
    assert got == table_numbers(_io.read_checked_json(tmp_path / "local" / "pacgan-table1.json"))
    assert got == table_numbers(_io.read_checked_json(DATA))
