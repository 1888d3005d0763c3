"""Training runs on disk: specification, checkpoints, results, and reuse by figures.

A run folder holds

* ``spec.json`` -- the :class:`RunSpec` (dataset, packing degrees, seeds, preset, settings);
* ``checkpoint.pt`` -- the latest checkpoint (:mod:`gan.checkpoint`), written every
  ``checkpoint_every`` steps and at the end, atomically;
* ``results.json`` -- per-member metrics and per-``m`` mean +/- standard error, written atomically
  when training completes;
* ``samples.npz`` -- the evaluation samples, array ``samples`` of shape (E, eval_samples, 2).

:func:`train_run` validates everything (dataset, preset, m, steps, output folder, an existing run,
a checkpoint to resume) *before* the first training step; nothing is overwritten on an error.
:func:`load_or_train` is what figure modules call: reuse a finished run in ``runs_dir`` or train it.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from modecollapse.divergences._validation import check_integer

from modecollapse.gan.data._mixtures import DATASET_NAMES, get_dataset
from modecollapse.gan.metrics import ModeMetrics, mode_metrics, model_label, summarize_metrics
from modecollapse.gan.train.config import get_preset

__all__ = ["RunSpec", "RunResult", "train_run", "load_run", "load_or_train", "evaluate_run", "ProgressBar",
           "PACGAN_TABLE1"]

#: PacGAN arXiv 1712.04086 Table 1 (THEORY.md s.6; 10 runs of 400k steps each, the ``paper``
#: preset): ``PACGAN_TABLE1[dataset][m] = (modes, % high-quality samples, reverse KL)``.
PACGAN_TABLE1 = {
    "grid": {1: (17.3, 94.8, 0.70), 2: (23.8, 91.3, 0.13), 3: (24.6, 94.2, 0.06), 4: (24.8, 93.6, 0.04)},
    "ring": {1: (6.3, 98.2, 0.45), 2: (7.9, 95.6, 0.07), 3: (7.8, 97.7, 0.10), 4: (7.8, 95.9, 0.07)},
}

RESULTS_FORMAT = "modecollapse.gan.results/1"


@dataclass(frozen=True)
class RunSpec:
    """What to train: ``len(ms) * len(seeds)`` members on one dataset with one preset.

    ``steps``, ``eval_samples`` and ``checkpoint_every`` default (None) to the preset's values;
    :meth:`resolved` fills them in. ``config`` overrides individual ``TrainConfig`` fields.
    """

    dataset: str
    ms: tuple[int, ...]
    seeds: tuple[int, ...]
    preset: str = "cpu"
    steps: int | None = None
    eval_samples: int | None = None
    checkpoint_every: int | None = None
    config: dict = field(default_factory=dict)
    data_seed: int = 0

    def __post_init__(self):
        if self.dataset not in DATASET_NAMES:
            raise ValueError(f"dataset must be one of {list(DATASET_NAMES)}; got dataset={self.dataset!r}")
        get_preset(self.preset)
        ms = tuple(check_integer(m, "m", minimum=1) for m in self.ms)
        seeds = tuple(check_integer(s, "seed", minimum=0) for s in self.seeds)
        if not ms or not seeds:
            raise ValueError(f"need at least one m and one seed; got ms={self.ms!r}, seeds={self.seeds!r}")
        if len(set(ms)) != len(ms) or len(set(seeds)) != len(seeds):
            raise ValueError(f"ms and seeds must not repeat; got ms={ms}, seeds={seeds}")
        object.__setattr__(self, "ms", ms)
        object.__setattr__(self, "seeds", seeds)
        for name in ("steps", "eval_samples", "checkpoint_every"):
            v = getattr(self, name)
            if v is not None:
                check_integer(v, name, minimum=1)
        check_integer(self.data_seed, "data_seed", minimum=0)
        object.__setattr__(self, "config", dict(self.config))
        self.train_config()  # validates the overrides (unknown keys, ranges)

    def resolved(self) -> "RunSpec":
        """A copy with ``steps``, ``eval_samples``, ``checkpoint_every`` taken from the preset if None."""
        p = get_preset(self.preset)
        return RunSpec(self.dataset, self.ms, self.seeds, self.preset,
                       self.steps or p.steps, self.eval_samples or p.eval_samples,
                       self.checkpoint_every or p.checkpoint_every, dict(self.config), self.data_seed)

    def train_config(self):
        """The :class:`gan.train.TrainConfig` (preset values, then ``config`` overrides)."""
        return get_preset(self.preset).train_config(steps=self.steps, **self.config)

    @property
    def members(self) -> list[tuple[int, int]]:
        """``(m, seed)`` pairs, m-major: the member order of every per-member output."""
        return [(m, s) for m in self.ms for s in self.seeds]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ms"], d["seeds"] = list(self.ms), list(self.seeds)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "RunSpec":
        d = dict(d)
        d["ms"], d["seeds"] = tuple(d["ms"]), tuple(d["seeds"])
        return cls(**d)

    def folder_name(self) -> str:
        """A readable, unique-enough folder name for :func:`load_or_train`."""
        r = self.resolved()
        ms = "".join(map(str, r.ms)) if all(m < 10 for m in r.ms) else "_".join(map(str, r.ms))
        seeds = f"{r.seeds[0]}-{r.seeds[-1]}" if list(r.seeds) == list(range(r.seeds[0], r.seeds[-1] + 1)) \
            else "_".join(map(str, r.seeds))
        extra = "" if not r.config else "-" + "-".join(f"{k}{v}" for k, v in sorted(r.config.items()))
        return f"{r.dataset}-{r.preset}-m{ms}-s{seeds}-{r.steps}steps{extra}"


@dataclass(frozen=True)
class RunResult:
    """A finished run read back from disk.

    Attributes
    ----------
    path : Path
    spec : RunSpec (resolved)
    members : list of (m, seed)
    metrics : list of ModeMetrics, one per member (same order)
    summary : dict m -> {"modes", "hq_percent", "reverse_kl"} of MeanSE over seeds
    info : dict (device, elapsed seconds, versions, step)
    """

    path: Path
    spec: RunSpec
    members: list
    metrics: list
    summary: dict
    info: dict

    def samples(self) -> np.ndarray:
        """Evaluation samples, shape (E, eval_samples, d)."""
        with np.load(self.path / "samples.npz") as f:
            return f["samples"]

    def metrics_for(self, m: int) -> list[ModeMetrics]:
        """Per-seed metrics of the members with packing degree ``m``."""
        return [r for (mm, _), r in zip(self.members, self.metrics) if mm == m]


class ProgressBar:
    """A plain-text progress bar on stderr (no tqdm): ``[#####-----] 500/1000 steps 12.3 it/s eta 0:00:40``."""

    def __init__(self, total: int, start: int = 0, *, stream=None, width: int = 30, min_interval: float = 0.5):
        self.total, self.start, self.width, self.min_interval = total, start, width, min_interval
        self.stream = sys.stderr if stream is None else stream
        self.t0 = time.perf_counter()
        self.last = -math.inf

    def update(self, step: int, note: str = "", *, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last < self.min_interval and step < self.total:
            return
        self.last = now
        frac = step / self.total if self.total else 1.0
        fill = int(round(frac * self.width))
        rate = (step - self.start) / max(now - self.t0, 1e-9)
        eta = (self.total - step) / rate if rate > 0 else math.inf
        eta_s = time.strftime("%H:%M:%S", time.gmtime(eta)) if math.isfinite(eta) else "--:--:--"
        self.stream.write(f"\r[{'#' * fill}{'-' * (self.width - fill)}] {step}/{self.total} steps "
                          f"{rate:.1f} it/s eta {eta_s} {note}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PermissionError(f"cannot create output folder {out}: {exc}") from exc
    if not out.is_dir():
        raise ValueError(f"output path {out} exists and is not a folder")
    probe = out / f".write-test-{os.getpid()}"
    try:
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(f"output folder {out} is not writable: {exc}") from exc


def _versions() -> dict:
    import torch

    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "machine": platform.machine(), "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads()}


def _member_metrics(samples: np.ndarray, ds) -> list[ModeMetrics]:
    return [mode_metrics(x, ds.means, ds.std) for x in samples]


def _summaries(spec: RunSpec, metrics: list[ModeMetrics]) -> dict:
    out = {}
    for m in spec.ms:
        rows = [r for (mm, _), r in zip(spec.members, metrics) if mm == m]
        out[m] = summarize_metrics(rows)
    return out


def _format_summary(summary: dict, dataset: str) -> list[str]:
    """Lines of a per-``m`` table (mean +/- SE), with PacGAN Table 1 beside it for grid and ring."""
    paper = PACGAN_TABLE1.get(dataset, {})
    head = f"{'model':<9} {'modes':>14} {'% HQ':>14} {'reverse KL':>16}"
    lines = [head + ("   paper (Table 1): modes / % HQ / reverse KL" if paper else "")]
    for m, s in summary.items():
        row = f"{model_label(m):<9} {str(s['modes']):>14} {str(s['hq_percent']):>14} {str(s['reverse_kl']):>16}"
        if m in paper:
            row += f"   {paper[m][0]} / {paper[m][1]} / {paper[m][2]}"
        lines.append(row)
    return lines


def _results_json(spec: RunSpec, metrics, summary, info) -> str:
    def num(v):
        return v if v is None or math.isfinite(v) else str(v)

    doc = {
        "format": RESULTS_FORMAT,
        "spec": spec.to_dict(),
        "members": [{"m": m, "seed": s, "label": model_label(m),
                     **{k: num(v) if isinstance(v, float) else v for k, v in r.as_dict().items()}}
                    for (m, s), r in zip(spec.members, metrics)],
        "summary": {str(m): {k: {"mean": num(v.mean), "se": num(v.se), "n": v.n} for k, v in s.items()}
                    for m, s in summary.items()},
        "info": info,
    }
    return json.dumps(doc, indent=1, allow_nan=False)


def train_run(spec: RunSpec, out_dir, *, resume: bool = False, overwrite: bool = False, device=None,
              progress: bool = True, stop_at: int | None = None, log=None) -> RunResult | None:
    """Train (or continue) the run ``spec`` in ``out_dir``; return its result (None if stopped early).

    Parameters
    ----------
    spec : RunSpec
    out_dir : path-like
        Run folder (created). If it already holds a checkpoint or results, one of ``resume`` or
        ``overwrite`` is required.
    resume : bool
        Continue from ``checkpoint.pt``; the checkpoint's specification must equal ``spec``.
        The continued run is identical to an uninterrupted one (all RNG and optimiser states are
        restored); on the same device and thread count the final parameters agree bitwise.
    overwrite : bool
        Start afresh, replacing the files of an existing run as new ones are written.
    device : str, optional
        ``"auto"`` (CUDA if available), ``"cpu"``, ``"cuda"``.
    progress : bool
        Draw a progress bar on stderr.
    stop_at : int, optional
        Stop after this many total steps (writing a checkpoint) without evaluating; continue later
        with ``resume=True``. Used to test resumption; ``None`` trains to ``spec.steps``.
    log : callable, optional
        Receives one-line status messages (default: print to stderr).

    Raises
    ------
    ValueError, TypeError, FileExistsError, FileNotFoundError, PermissionError
        On bad input, before any training step.
    """
    from modecollapse.gan.experiments._io import atomic_write_text, load_checkpoint, restore_global_rng, save_checkpoint
    from modecollapse.gan.train._ensemble import GanEnsemble, resolve_device

    log = log or (lambda s: print(s, file=sys.stderr))
    if not isinstance(spec, RunSpec):
        raise TypeError(f"spec must be a RunSpec; got {type(spec).__name__}")
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other")
    spec = spec.resolved()
    if stop_at is not None:
        check_integer(stop_at, "stop_at", minimum=1)
    dev = resolve_device(device)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output path {out} exists and is not a folder")
    ckpt_path, results_path = out / "checkpoint.pt", out / "results.json"
    existing = [p.name for p in (ckpt_path, results_path, out / "spec.json") if p.exists()]
    payload = None
    if resume:
        if not ckpt_path.exists():
            raise FileNotFoundError(f"--resume given but there is no checkpoint at {ckpt_path}")
        payload = load_checkpoint(ckpt_path, expect_spec=spec.to_dict())
    elif existing and not overwrite:
        raise FileExistsError(f"{out} already holds a run ({', '.join(existing)}); pass --resume to continue it "
                              f"or --overwrite to start afresh")
    _check_writable(out)

    ds = get_dataset(spec.dataset, data_seed=spec.data_seed)
    ens = GanEnsemble(ds, spec.members, spec.train_config(), device=dev)
    elapsed0 = 0.0
    if payload is not None:
        ens.load_state_dict(payload["ensemble"])
        restore_global_rng(payload["global_rng"])
        elapsed0 = float(payload["extra"].get("elapsed", 0.0))
        log(f"resuming {out} at step {ens.step}/{spec.steps}")
    if payload is None:
        # A fresh (or --overwrite) run: drop the outputs of an older run so the folder never mixes
        # two runs' files. Reached only after every check above has passed.
        for name in ("results.json", "samples.npz", "evaluation.json", "checkpoint.pt"):
            (out / name).unlink(missing_ok=True)
    atomic_write_text(out / "spec.json", json.dumps(spec.to_dict(), indent=1))

    target = spec.steps if stop_at is None else min(stop_at, spec.steps)
    t0 = time.perf_counter()
    bar = ProgressBar(spec.steps, ens.step) if progress else None

    def elapsed():
        return elapsed0 + time.perf_counter() - t0

    def checkpoint():
        save_checkpoint(ckpt_path, spec=spec.to_dict(), ensemble_state=ens.state_dict(),
                        extra={"elapsed": elapsed(), "device": str(dev)})

    log_every = max(1, spec.steps // 100)
    while ens.step < target:
        n = min(target - ens.step, spec.checkpoint_every - ens.step % spec.checkpoint_every)
        ens.train(n, log_every=log_every,
                  callback=(lambda e: bar.update(e.step)) if bar else None)
        checkpoint()
    if bar:
        bar.update(ens.step, force=True)
        bar.close()
    if ens.step < spec.steps:
        log(f"stopped at step {ens.step}/{spec.steps}; continue with --resume")
        return None
    samples = ens.sample(spec.eval_samples, seed=0)
    metrics = _member_metrics(samples, ds)
    summary = _summaries(spec, metrics)
    info = {"device": str(dev), "elapsed_s": elapsed(), "step": ens.step, "versions": _versions(),
            "data_fingerprint": ens.fingerprint}
    tmp = out / "samples.npz.tmp.npz"
    np.savez_compressed(tmp, samples=samples.astype(np.float32))
    os.replace(tmp, out / "samples.npz")
    atomic_write_text(results_path, _results_json(spec, metrics, summary, info))
    return load_run(out)


def load_run(path) -> RunResult:
    """Read a finished run folder (``results.json`` and ``samples.npz``)."""
    path = Path(path)
    rp = path / "results.json"
    if not rp.is_file():
        raise FileNotFoundError(f"no results.json in {path} (run not finished?)")
    try:
        doc = json.loads(rp.read_text())
        if doc.get("format") != RESULTS_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}")
        spec = RunSpec.from_dict(doc["spec"])
        metrics = []
        for r in doc["members"]:
            metrics.append(ModeMetrics(int(r["modes"]), float(r["hq_percent"]) / 100.0, float(r["reverse_kl"]),
                                       np.asarray(r["counts"], dtype=int), int(r["n_samples"])))
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"{rp} is not a valid results file ({exc})") from exc
    return RunResult(path, spec, spec.members, metrics, _summaries(spec, metrics), doc.get("info", {}))


def evaluate_run(path, *, eval_samples: int | None = None, device=None, seed: int = 0):
    """Recompute the metrics of a run from its checkpoint; returns ``(spec, step, samples, metrics)``."""
    from modecollapse.gan.experiments._io import load_checkpoint
    from modecollapse.gan.train._ensemble import GanEnsemble

    path = Path(path)
    sp = path / "spec.json"
    payload = load_checkpoint(path / "checkpoint.pt")
    spec = RunSpec.from_dict(payload["spec"])
    if sp.is_file() and json.loads(sp.read_text()) != payload["spec"]:
        raise ValueError(f"{sp} does not match the checkpoint's specification")
    ds = get_dataset(spec.dataset, data_seed=spec.data_seed)
    ens = GanEnsemble(ds, spec.members, spec.train_config(), device=device)
    ens.load_state_dict(payload["ensemble"])
    n = spec.eval_samples if eval_samples is None else check_integer(eval_samples, "eval_samples", minimum=1)
    samples = ens.sample(n, seed=seed)
    return spec, ens.step, samples, _member_metrics(samples, ds)


def load_or_train(runs_dir, *, dataset: str, ms, seeds, preset: str = "cpu", steps: int | None = None,
                  config: dict | None = None, device=None, log=print, progress: bool = False) -> RunResult:
    """Reuse the finished run for this setting in ``runs_dir``, or train it there (saying so).

    The folder is ``runs_dir / RunSpec.folder_name()``. A finished run with the same specification
    is loaded; an interrupted one is resumed; otherwise the run is trained from scratch.
    """
    spec = RunSpec(dataset, tuple(ms), tuple(seeds), preset, steps, config=config or {}).resolved()
    path = Path(runs_dir) / spec.folder_name()
    if (path / "results.json").is_file():
        res = load_run(path)
        if res.spec == spec:
            log(f"gan.runs: reusing {path}")
            return res
        log(f"gan.runs: {path} holds a different run; retraining it")
        return train_run(spec, path, overwrite=True, device=device, progress=progress, log=log)
    if (path / "checkpoint.pt").is_file():
        log(f"gan.runs: resuming the interrupted run {path}")
        try:
            return train_run(spec, path, resume=True, device=device, progress=progress, log=log)
        except ValueError as exc:
            log(f"gan.runs: cannot resume ({exc}); training afresh")
            return train_run(spec, path, overwrite=True, device=device, progress=progress, log=log)
    members = len(spec.ms) * len(spec.seeds)
    log(f"gan.runs: no run in {path}; training {members} members x {spec.steps} steps ({spec.preset} preset) ...")
    return train_run(spec, path, device=device, progress=progress, log=log)
