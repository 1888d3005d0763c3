"""Training runs on disk: specification, checkpoints, results, and reuse by figures.

A run folder holds

* ``spec.json`` -- the :class:`RunSpec` (dataset, packing degrees, seeds, preset, settings);
* ``checkpoint.pt`` -- the latest checkpoint (:mod:`._io`, checksummed), written every
  ``checkpoint_every`` steps, on SIGINT/SIGTERM and at the end, atomically; while the run is going
  the one before it is kept as ``checkpoint.prev.pt``;
* ``results.json`` -- per-member metrics and per-``m`` mean +/- standard error, written atomically
  with its checksum (and that of ``samples.npz``) when training completes;
* ``samples.npz`` -- the evaluation samples, array ``samples`` of shape (E, eval_samples, d) (d = 2, or 1200 for ``veegan1200``);
* ``metrics.jsonl`` -- the training curves (:mod:`._curves`): every member's D and G losses every
  ``steps // 100`` steps, and its metrics (modes, % high quality, reverse KL of ``eval_samples``
  samples, sample seed 0) at every ``checkpoint_every`` steps and at the end; ``tensorboard/``
  holds the same as TensorBoard events when tensorboard is installed.

:func:`train_run` validates everything (dataset, preset, m, steps, the size of the ensemble, output
folder, an existing run, a checkpoint to resume) *before* the first training step, and holds the
folder's lock (:class:`._io.RunFolderLock`) for the run's life; nothing is overwritten on an error,
and a failed write leaves the last good checkpoint in place. :func:`load_or_train` is what figure
modules call: reuse a finished run in ``runs_dir`` or train it.
"""

from __future__ import annotations

import json
import math
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from modecollapse.divergences._validation import check_integer

from modecollapse.gan.data._mixtures import DATASET_NAMES, get_dataset
from modecollapse.gan.experiments import _curves, _io
from modecollapse.gan.experiments._io import RunInterrupted, SignalGuard, StopRequested  # noqa: F401
from modecollapse.gan.experiments.reference import PACGAN_TABLE1
from modecollapse.gan.metrics import ModeMetrics, dataset_metrics, model_label, summarize_metrics
from modecollapse.gan.train.config import get_preset

__all__ = ["RunSpec", "RunResult", "Evaluation", "train_run", "load_run", "load_or_train",
           "evaluate_run", "evaluate_run_folder", "estimate_run_bytes", "train_command", "evaluate_command",
           "METHOD_LABELS", "method_label"]

RESULTS_FORMAT = "modecollapse.gan.results/2"

#: Most members one ensemble may hold (members are stepped in Python loops).
MAX_MEMBERS = 10_000

#: Most memory (bytes) the ensemble's parameters, optimiser state and one step's activations
#: may need, by the estimate of :func:`estimate_run_bytes` (the ``paper`` preset with m = 1..4
#: and 10 seeds needs about 0.9 GiB by this estimate).
MAX_RUN_BYTES = 8 * 2**30


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
        p = get_preset(self.preset, self.method)
        return RunSpec(self.dataset, self.ms, self.seeds, self.preset,
                       self.steps or p.steps, self.eval_samples or p.eval_samples,
                       self.checkpoint_every or p.checkpoint_every, dict(self.config), self.data_seed)

    def train_config(self):
        """The :class:`gan.train.TrainConfig` (preset values, then ``config`` overrides)."""
        return get_preset(self.preset, self.method).train_config(steps=self.steps, **self.config)

    @property
    def method(self) -> str:
        """The training objective (``config["method"]``, default ``"gan"``)."""
        return self.config.get("method", "gan")

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
        """Evaluation samples, shape (E, eval_samples, d), checked against the checksum in ``results.json``.

        Raises
        ------
        CorruptFileError
            If ``samples.npz`` does not match the checksum stored when the run finished.
        """
        p = self.path / "samples.npz"
        data = p.read_bytes()
        want = self.info.get("samples_sha256")
        if want is not None and _io.sha256_hex(data) != want:
            raise _io.CorruptFileError(f"{p} is corrupt: its content does not match the sha256 recorded in "
                                       f"results.json; recompute it with `python -m modecollapse.gan evaluate "
                                       f"{self.path}` or retrain with --overwrite")
        import io

        with np.load(io.BytesIO(data)) as f:
            return f["samples"]

    def metrics_for(self, m: int) -> list[ModeMetrics]:
        """Per-seed metrics of the members with packing degree ``m``."""
        return [r for (mm, _), r in zip(self.members, self.metrics) if mm == m]


def _versions() -> dict:
    """The environment record of :func:`._io.environment` (kept for older callers)."""
    return _io.environment()


class Evaluation(NamedTuple):
    """What :func:`evaluate_run` recomputes from a run's checkpoint."""

    spec: "RunSpec"
    step: int
    samples: np.ndarray
    metrics: list


def estimate_run_bytes(spec: "RunSpec") -> int:
    """Rough memory (bytes) of an ensemble: float32 parameters, gradients and two Adam moments
    (16 bytes per parameter) plus one training step's activations, summed over members.

    ALI / VEEGAN add their x -> z network (the generator's size) and the latent width to the
    discriminator's input; Unrolled GAN keeps ``2 K`` more discriminator passes in its graph."""
    c = spec.train_config()
    d = get_dataset(spec.dataset, n_train=1).dim  # 2 for ring/grid/gmm, 1200 for veegan1200
    joint = c.method in ("ali", "veegan")
    pieces = c.d_pieces if c.arch == "pacgan" else 1
    g = c.latent_dim * c.g_hidden + (c.g_layers - 1) * c.g_hidden ** 2 + c.g_hidden * d + 4 * c.g_layers * c.g_hidden
    if joint:
        g *= 2  # the encoder / reconstructor mirrors the generator
    d_passes = 1 + 2 * (c.unroll_steps or 0)
    total = 0
    for m in spec.ms:
        dd = (m * (d + c.latent_dim * joint)) * c.d_hidden * pieces + (c.d_layers - 1) * c.d_hidden ** 2 * pieces \
            + c.d_hidden
        act = 4 * m * c.batch_size * (c.g_layers * c.g_hidden * 3 + 2 * d_passes * c.d_layers * c.d_hidden * pieces)
        total += len(spec.seeds) * (16 * (g + dd) + act)
    return int(total)


def _check_size(spec: "RunSpec") -> None:
    n = len(spec.ms) * len(spec.seeds)
    if n > MAX_MEMBERS:
        raise ValueError(f"the run asks for {len(spec.ms)} packing degrees x {len(spec.seeds)} seeds = {n:,} members; "
                         f"at most {MAX_MEMBERS:,} are allowed in one run (split it into several --out folders)")
    est = estimate_run_bytes(spec)
    if est > MAX_RUN_BYTES:
        raise ValueError(f"the run would need about {est / 2**30:,.1f} GiB (members x network size, m up to "
                         f"{max(spec.ms)}); at most {MAX_RUN_BYTES / 2**30:.0f} GiB is allowed: ask for fewer --m / "
                         f"--seeds or a smaller preset")


def _member_metrics(samples: np.ndarray, ds) -> list[ModeMetrics]:
    """Each member's metrics by the dataset's own high-quality radius (3 std in 2-D; the
    equal-coverage radius of :mod:`gan.data._veegan1200` in 1200-D)."""
    return [dataset_metrics(x, ds) for x in samples]


def _curve_metrics(r: ModeMetrics) -> dict:
    """The metrics a curve line records (the per-mode counts stay in ``results.json``)."""
    return {"modes": r.modes, "hq_percent": 100.0 * r.hq_fraction, "reverse_kl": r.reverse_kl}


def _summaries(spec: RunSpec, metrics: list[ModeMetrics]) -> dict:
    out = {}
    for m in spec.ms:
        rows = [r for (mm, _), r in zip(spec.members, metrics) if mm == m]
        out[m] = summarize_metrics(rows)
    return out


#: Display names of the training methods (``TrainConfig.method``) in tables and results files.
METHOD_LABELS = {"gan": "GAN", "minimax": "GAN-minimax", "mle": "MLE-GAN", "unrolled": "Unrolled", "wgan": "WGAN",
                 "wgan-gp": "WGAN-GP", "fgan": "f-GAN", "ali": "ALI", "veegan": "VEEGAN"}


def method_label(method: str, m: int, f: str | None = None) -> str:
    """``"GAN"`` / ``"PacGAN<m>"`` for the default method (:func:`gan.metrics.model_label`), else the
    method's name with ``m`` (``"WGAN-GP"``, ``"WGAN-GP m=2"``; f-GAN with its divergence)."""
    if method == "gan":
        return model_label(m)
    name = METHOD_LABELS[method] + (f"({f})" if method == "fgan" and f else "")
    return name if m == 1 else f"{name} m={m}"


def _format_summary(summary: dict, dataset: str, method: str = "gan", f: str | None = None) -> list[str]:
    """Lines of a per-``m`` table (mean +/- SE), with PacGAN Table 1 beside it for grid and ring
    (for the ``gan`` method, the one that table reports)."""
    paper = PACGAN_TABLE1.get(dataset, {}) if method == "gan" else {}
    w = max(9, *(len(method_label(method, m, f)) for m in summary)) if summary else 9
    head = f"{'model':<{w}} {'modes':>14} {'% HQ':>14} {'reverse KL':>16}"
    lines = [head + ("   paper (Table 1): modes / % HQ / reverse KL" if paper else "")]
    for m, s in summary.items():
        row = f"{method_label(method, m, f):<{w}} {str(s['modes']):>14} {str(s['hq_percent']):>14} {str(s['reverse_kl']):>16}"
        if m in paper:
            row += f"   {paper[m][0]} / {paper[m][1]} / {paper[m][2]}"
        lines.append(row)
    return lines


def _results_doc(spec: RunSpec, metrics, summary, info) -> dict:
    def num(v):
        return v if v is None or math.isfinite(v) else str(v)

    return {
        "format": RESULTS_FORMAT,
        "spec": spec.to_dict(),
        "members": [{"m": m, "seed": s, "label": method_label(spec.method, m, spec.config.get("f")),
                     **{k: num(v) if isinstance(v, float) else v for k, v in r.as_dict().items()}}
                    for (m, s), r in zip(spec.members, metrics)],
        "summary": {str(m): {k: {"mean": num(v.mean), "se": num(v.se), "n": v.n} for k, v in s.items()}
                    for m, s in summary.items()},
        "info": info,
    }


def _resume_hint(out: Path) -> str:
    return f"python -m modecollapse.gan train --resume --out {out}"


def _way_out(path: Path) -> str:
    prev = _io.previous_checkpoint(path)
    older = f"rename {prev.name} (the checkpoint before it) to {path.name} and --resume, or " if prev.is_file() else ""
    return f"{older}start afresh with --overwrite"




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
        Continue from ``checkpoint.pt``; the checkpoint's specification must equal ``spec``, or
        differ only by a larger ``steps`` (extending the run) where the training configuration
        does not depend on the run length.
        The continued run is identical to an uninterrupted one (all RNG and optimiser states are
        restored); on the same device and thread count the final parameters agree bitwise.
    overwrite : bool
        Start afresh, replacing the files of an existing run as new ones are written.
    device : str, optional
        ``"auto"`` (CUDA if available), ``"cpu"``, ``"cuda"``.
    progress : bool
        Draw a progress bar (tqdm) on stderr.
    stop_at : int, optional
        Stop after this many total steps (writing a checkpoint) without evaluating; continue later
        with ``resume=True``. Used to test resumption; ``None`` trains to ``spec.steps``.
    log : callable, optional
        Receives one-line status messages (default: print to stderr).

    Raises
    ------
    ValueError, TypeError, FileExistsError, FileNotFoundError, PermissionError
        On bad input (including a run too large for :data:`MAX_MEMBERS` / :data:`MAX_RUN_BYTES`,
        a corrupt checkpoint, one written for another run), before any training step.
    RunFolderLockedError
        If another process holds ``out_dir``'s lock.
    WriteError
        If a file cannot be written (disk full, ...); the last good checkpoint stays in place.
    RunInterrupted
        On SIGINT/SIGTERM, after a checkpoint of the current step was saved.
    """
    from modecollapse.gan.train._ensemble import GanEnsemble, resolve_device

    log = log or (lambda s: print(s, file=sys.stderr))
    if not isinstance(spec, RunSpec):
        raise TypeError(f"spec must be a RunSpec; got {type(spec).__name__}")
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other")
    if not str(out_dir).strip():
        raise ValueError(f"out must be a non-empty path (the run folder); got out={str(out_dir)!r}")
    spec = spec.resolved()
    _check_size(spec)
    if stop_at is not None:
        check_integer(stop_at, "stop_at", minimum=1)
    dev = resolve_device(device)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"output path {out} exists and is not a folder")
    if resume and not (out / "checkpoint.pt").exists():
        _missing_checkpoint(out / "checkpoint.pt")
    _io.check_writable(out)
    with _io.RunFolderLock(out):
        return _train_locked(spec, out, resume=resume, overwrite=overwrite, dev=dev, progress=progress,
                             stop_at=stop_at, log=log, GanEnsemble=GanEnsemble)


def _missing_checkpoint(ckpt_path: Path):
    prev = _io.previous_checkpoint(ckpt_path)
    hint = f" (the one before it is {prev}: rename it to {ckpt_path.name})" if prev.is_file() else ""
    raise FileNotFoundError(f"--resume given but there is no checkpoint at {ckpt_path}{hint}")


def _train_locked(spec, out, *, resume, overwrite, dev, progress, stop_at, log, GanEnsemble):
    ckpt_path, results_path = out / "checkpoint.pt", out / "results.json"
    existing = [p.name for p in (ckpt_path, results_path, out / "spec.json") if p.exists()]
    payload = None
    if resume:
        if not ckpt_path.exists():
            _missing_checkpoint(ckpt_path)
        payload = _io.load_checkpoint(ckpt_path, way_out=_way_out(ckpt_path))
        stored = payload["spec"]
        diff = _io.spec_diff(spec.to_dict(), stored)
        if diff == ["steps"] and stored["steps"] < spec.steps:
            old = RunSpec.from_dict(stored)
            if old.train_config() != spec.train_config():
                raise ValueError(f"cannot extend {out} from {stored['steps']} to {spec.steps} steps: with preset "
                                 f"{spec.preset!r} the learning rate decays over the whole run (lr_decay_steps = "
                                 f"steps), so a longer run is a different run; start afresh with --overwrite")
            log(f"extending {out} from {stored['steps']} to {spec.steps} steps")
        elif diff:
            _io.load_checkpoint(ckpt_path, expect_spec=spec.to_dict())  # raises, naming the differing keys
    elif existing and not overwrite:
        raise FileExistsError(f"{out} already holds a run ({', '.join(existing)}); pass --resume to continue it "
                              f"or --overwrite to start afresh")

    ds = get_dataset(spec.dataset, data_seed=spec.data_seed)
    ens = GanEnsemble(ds, spec.members, spec.train_config(), device=dev)
    elapsed0 = 0.0
    if payload is not None:
        ens.load_state_dict(payload["state"])
        _io.restore_global_rng(payload["global_rng"])
        elapsed0 = float(payload["extra"].get("elapsed", 0.0))
        log(f"resuming {out} at step {ens.step}/{spec.steps}")
    if payload is None:
        # A fresh (or --overwrite) run: drop the outputs of an older run so the folder never mixes
        # two runs' files. Reached only after every check above has passed.
        for name in ("results.json", "samples.npz", "evaluation.json", "checkpoint.pt", "checkpoint.prev.pt"):
            (out / name).unlink(missing_ok=True)
    _io.atomic_write_text(out / "spec.json", json.dumps(spec.to_dict(), indent=1))

    target = spec.steps if stop_at is None else min(stop_at, spec.steps)
    t0 = time.perf_counter()

    def elapsed():
        return elapsed0 + time.perf_counter() - t0

    start = ens.step
    # a resumed run keeps the curve lines its checkpoint covers (a killed process may have written more)
    curves = _curves.CurveLog(out, resume=payload is not None, keep=lambda r: r["step"] <= start,
                              purge_step=lambda run: start + 1, clock=elapsed)
    bar = _curves.progress_bar(spec.steps, initial=ens.step, enabled=progress)
    with curves, bar:
        members = [{"m": m, "seed": s} for m, s in spec.members]

        def checkpoint():
            curves.sync()
            _io.save_checkpoint(ckpt_path, spec=spec.to_dict(), state=ens.state_dict(), keep_previous=True,
                                extra={"elapsed": elapsed(), "device": str(dev)})

        def log_metrics(step, metrics):
            curves.log_many([curves.record("eval", step, mem, metrics=_curve_metrics(r))
                             for mem, r in zip(members, metrics)])

        log_every = max(1, spec.steps // 100)
        with SignalGuard() as guard:
            def step_done(e):
                bar.update(1)
                if e.history and e.history[-1][0] == e.step:  # a logging step: the losses train() recorded
                    _, d, g = e.history[-1]
                    curves.log_many([curves.record("train", e.step, mem, losses={"d": dl, "g": gl})
                                     for mem, dl, gl in zip(members, d, g)])
                    bar.set_postfix(d=f"{sum(d) / len(d):.3f}", g=f"{sum(g) / len(g):.3f}", refresh=False)
                if guard.signum is not None:
                    raise StopRequested

            try:
                while ens.step < target:
                    n = min(target - ens.step, spec.checkpoint_every - ens.step % spec.checkpoint_every)
                    ens.train(n, log_every=log_every, callback=step_done)
                    if ens.step % spec.checkpoint_every == 0 and ens.step < spec.steps:
                        # the curve's evaluation: samples from their own seeded stream (training untouched)
                        log_metrics(ens.step, _member_metrics(ens.sample(spec.eval_samples, seed=0), ds))
                    checkpoint()
            except StopRequested:
                if ens.step % spec.checkpoint_every == 0 and ens.step < spec.steps:  # stopped on the boundary
                    log_metrics(ens.step, _member_metrics(ens.sample(spec.eval_samples, seed=0), ds))
                checkpoint()
                bar.close()
                name = signal.Signals(guard.signum).name
                raise RunInterrupted(f"{name} at step {ens.step}/{spec.steps}: checkpoint saved to {ckpt_path}; "
                                     f"resume with: {_resume_hint(out)}", guard.signum) from None
        bar.close()
        if ens.step < spec.steps:
            log(f"stopped at step {ens.step}/{spec.steps}; continue with: {_resume_hint(out)}")
            return None
        samples = ens.sample(spec.eval_samples, seed=0)
        metrics = _member_metrics(samples, ds)
        log_metrics(ens.step, metrics)
    summary = _summaries(spec, metrics)
    sha = _io.atomic_save_npz(out / "samples.npz", samples=samples.astype(np.float32))
    info = {"device": str(dev), "elapsed_s": elapsed(), "step": ens.step, "versions": _io.environment(),
            "data_fingerprint": ens.fingerprint, "samples_sha256": sha}
    _io.write_checked_json(results_path, _results_doc(spec, metrics, summary, info))
    _io.previous_checkpoint(ckpt_path).unlink(missing_ok=True)
    return load_run(out)


def load_run(path) -> RunResult:
    """Read a finished run folder (``results.json`` and ``samples.npz``)."""
    path = Path(path)
    rp = path / "results.json"
    if not rp.is_file():
        raise FileNotFoundError(f"no results.json in {path} (run not finished?)")
    doc = _io.read_checked_json(rp, way_out=f"recompute it with `python -m modecollapse.gan evaluate {path}` "
                                            f"or retrain with --overwrite")
    try:
        if doc.get("format") != RESULTS_FORMAT:
            raise ValueError(f"format {doc.get('format')!r}")
        spec = RunSpec.from_dict(doc["spec"])
        metrics = []
        for r in doc["members"]:
            metrics.append(ModeMetrics(int(r["modes"]), float(r["hq_percent"]) / 100.0, float(r["reverse_kl"]),
                                       np.asarray(r["counts"], dtype=int), int(r["n_samples"])))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{rp} is not a valid results file ({exc})") from exc
    return RunResult(path, spec, spec.members, metrics, _summaries(spec, metrics), doc.get("info", {}))


def evaluate_run(path, *, eval_samples: int | None = None, device=None, seed: int = 0) -> Evaluation:
    """Recompute the metrics of a run from its checkpoint; returns an :class:`Evaluation`
    ``(spec, step, samples, metrics)`` (a named tuple)."""
    from modecollapse.gan.train._ensemble import GanEnsemble

    path = Path(path)
    sp = path / "spec.json"
    ckpt = path / "checkpoint.pt"
    payload = _io.load_checkpoint(ckpt, way_out=_way_out(ckpt))
    spec = RunSpec.from_dict(payload["spec"])
    if sp.is_file() and json.loads(sp.read_text()) != payload["spec"]:
        raise ValueError(f"{sp} does not match the checkpoint's specification")
    ds = get_dataset(spec.dataset, data_seed=spec.data_seed)
    ens = GanEnsemble(ds, spec.members, spec.train_config(), device=device)
    ens.load_state_dict(payload["state"])
    n = spec.eval_samples if eval_samples is None else check_integer(eval_samples, "eval_samples", minimum=1)
    samples = ens.sample(n, seed=seed)
    return Evaluation(spec, ens.step, samples, _member_metrics(samples, ds))


def evaluate_run_folder(path, *, eval_samples: int | None = None, device=None, seed: int = 0) -> dict:
    """What ``gan evaluate`` does: :func:`evaluate_run`, compare with ``results.json`` when the
    settings are the run's own, and write ``evaluation.json`` (checksummed) into the run folder.

    Returns a dict with the :class:`Evaluation` (``"evaluation"``), the per-``m`` ``"summary"``,
    the printable ``"lines"`` and ``"matches"`` (True/False, or None when not comparable).
    """
    path = Path(path)
    if not str(path).strip() or not path.is_dir():
        raise FileNotFoundError(f"run folder {path} does not exist")
    check_integer(seed, "sample_seed", minimum=0)
    ev = evaluate_run(path, eval_samples=eval_samples, device=device, seed=seed)
    summary = _summaries(ev.spec, ev.metrics)
    lines = [f"{ev.spec.dataset}, {ev.spec.method}, {ev.spec.preset} preset, step {ev.step}/{ev.spec.steps}, "
             f"{ev.samples.shape[1]} samples per member", *_format_summary(summary, ev.spec.dataset, ev.spec.method,
                                                                ev.spec.config.get("f"))]
    matches = None
    rp = path / "results.json"
    if rp.is_file() and eval_samples is None and seed == 0 and ev.step == ev.spec.steps:
        stored = load_run(path).metrics
        matches = all(r.modes == x.modes and abs(r.hq_fraction - x.hq_fraction) < 1e-11
                      for r, x in zip(stored, ev.metrics))
    info = {"step": ev.step, "device": str(device), "samples": int(ev.samples.shape[1]), "sample_seed": seed}
    with _io.RunFolderLock(path):
        _io.write_checked_json(path / "evaluation.json", _results_doc(ev.spec, ev.metrics, summary, info))
    return {"evaluation": ev, "summary": summary, "lines": lines, "matches": matches}


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
            log(f"reusing the finished run {path}")
            return res
        log(f"{path} holds a different run; retraining it")
        return train_run(spec, path, overwrite=True, device=device, progress=progress, log=log)
    if (path / "checkpoint.pt").is_file():
        log(f"resuming the interrupted run {path}")
        try:
            return train_run(spec, path, resume=True, device=device, progress=progress, log=log)
        except ValueError as exc:
            log(f"cannot resume ({exc}); training afresh")
            return train_run(spec, path, overwrite=True, device=device, progress=progress, log=log)
    members = len(spec.ms) * len(spec.seeds)
    log(f"no run in {path}; training {members} members x {spec.steps} steps ({spec.preset} preset) ...")
    return train_run(spec, path, device=device, progress=progress, log=log)


def _set_threads(threads) -> None:
    if threads is not None:
        check_integer(threads, "threads", minimum=1)
        import torch

        torch.set_num_threads(threads)


def train_command(*, dataset=None, ms=None, seeds=None, preset=None, steps=None, eval_samples=None,
                  checkpoint_every=None, out, resume: bool = False, overwrite: bool = False, device="auto",
                  threads=None, stop_at=None, progress: bool = True, print_=print, method=None,
                  unroll_steps=None, f=None, gp_lambda=None, clip=None, fused=None) -> int:
    """``gan train``: build the :class:`RunSpec` from the arguments, train, print the summary.

    With ``resume=True`` the run's ``spec.json`` in ``out`` supplies every setting not given
    (only ``out`` is needed); a larger ``steps`` extends a finished run where the preset allows it.
    ``ms`` is a list (``--m 1 2 3``) or a string (``"1,2,3"``); ``seeds`` a string such as ``"0-9"``.
    ``fused=True`` selects the opt-in fast CPU path (``TrainConfig.fused``: other float rounding).
    ``method`` and its options (``unroll_steps``, ``f``, ``gp_lambda``, ``clip``; see
    :class:`gan.train.TrainConfig`) go into the spec's ``config``; an option of another method,
    an unknown method or a bad value is a ``ValueError`` before anything is written.
    Returns the exit status (0).
    """
    from modecollapse.gan.train.config import parse_ints, parse_seeds

    if not str(out).strip():
        raise ValueError(f"--out must be a non-empty path (the run folder); got --out {str(out)!r}")
    if threads is not None:
        check_integer(threads, "threads", minimum=1)
    stored = {}
    if resume and (Path(out) / "spec.json").is_file():
        try:
            stored = RunSpec.from_dict(json.loads((Path(out) / "spec.json").read_text())).to_dict()
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{Path(out) / 'spec.json'} is not a valid run specification ({exc}); "
                             f"start afresh with --overwrite") from exc
    if dataset is None and not stored:
        raise ValueError("--dataset is required (unless --resume finds the run's spec.json in --out)")
    config = dict(stored.get("config", {}))
    for key, value in (("method", method), ("unroll_steps", unroll_steps), ("f", f), ("gp_lambda", gp_lambda),
                       ("clip", clip), ("fused", fused)):
        if value is not None:
            config[key] = value
    if config.get("method") == "gan":
        config.pop("method")  # the default: the spec (and folder) of a plain GAN run stay as before
    spec = RunSpec(
        dataset if dataset is not None else stored["dataset"],
        parse_ints(ms, name="m") if ms is not None else tuple(stored.get("ms", (1, 2, 3, 4))),
        tuple(parse_seeds(seeds)) if seeds is not None else tuple(stored.get("seeds", (0,))),
        preset if preset is not None else stored.get("preset", "cpu"),
        steps if steps is not None else stored.get("steps"),
        eval_samples if eval_samples is not None else stored.get("eval_samples"),
        checkpoint_every if checkpoint_every is not None else stored.get("checkpoint_every"),
        config, stored.get("data_seed", 0))
    _check_size(spec.resolved())
    _set_threads(threads)
    res = train_run(spec, out, resume=resume, overwrite=overwrite, device=device, progress=progress,
                    stop_at=stop_at)
    if res is not None:
        print_("\n".join([f"{res.spec.dataset}, {res.spec.method}, {res.spec.preset} preset, {len(res.spec.seeds)} seed(s), "
                          f"{res.info.get('device')}", *_format_summary(res.summary, res.spec.dataset,
                                                                          res.spec.method, res.spec.config.get("f"))]))
        print_(f"results: {res.path / 'results.json'}")
    return 0


def evaluate_command(run_dir, *, eval_samples=None, seed: int = 0, device="auto", threads=None, print_=print) -> int:
    """``gan evaluate``: :func:`evaluate_run_folder` and print its table; returns the exit status (0)."""
    if threads is not None:
        check_integer(threads, "threads", minimum=1)
    path = Path(run_dir)
    if not str(run_dir).strip() or not path.is_dir():
        raise FileNotFoundError(f"run folder {path} does not exist")
    check_integer(seed, "sample_seed", minimum=0)
    _set_threads(threads)
    rep = evaluate_run_folder(path, eval_samples=eval_samples, device=device, seed=seed)
    print_("\n".join(rep["lines"]))
    if rep["matches"] is not None:
        print_("matches results.json" if rep["matches"] else "DIFFERS from results.json (other device or thread count?)")
    return 0
