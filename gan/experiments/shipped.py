"""Trained GAN / PacGAN generators shipped with the package, checksummed, for the figures.

``python -m modecollapse.figures`` draws ``gan_samples`` and ``crosscheck_regions`` from the full
``cpu``-preset runs (12,000 steps, m = 1..4, seeds 0 and 1, grid and ring) without training them:
their generators and evaluation samples are committed in ``gan/experiments/models/`` (package data,
so a wheel carries them). Per run, a folder ``<dataset>-<preset>`` holds

* ``spec.json``, ``results.json``, ``samples.npz`` -- the run folder's own files, byte for byte
  (:mod:`gan.experiments.runs`: its specification, per-member metrics with their checksum, and the
  evaluation samples);
* ``generators.npz`` -- the generators' weights only (float32; no discriminator, no optimiser
  state: nothing needed to draw samples), arrays ``m<m>.<parameter>`` stacked over the group's
  members in the run's member order.

``MANIFEST.json`` (itself checksummed, :func:`gan.experiments._io.write_checked_json`) lists every
file with its SHA-256 and size, each run's network settings (the ``TrainConfig`` it was trained
with) and where the files were built from (run folder, commit, command, versions).
:func:`load_shipped` verifies the checksums before reading anything and returns a
:class:`ShippedRun`: a :class:`~gan.experiments.runs.RunResult` (members, metrics, summary,
:meth:`~ShippedRun.samples`) whose :meth:`~ShippedRun.generate` draws fresh samples from the
shipped generators when torch is installed. A file that does not match the manifest is a
:class:`~gan.experiments._io.CorruptFileError` that names ``--retrain``.

Rebuild the files from finished run folders (needs torch; the run's ``checkpoint.pt`` supplies the
weights; the stored evaluation samples are redrawn from the extracted weights as a check)::

    python -m modecollapse.gan.experiments.shipped --from RUN [RUN ...] [--to DIR]
    python -m modecollapse.gan.experiments.shipped --check          # verify the shipped files
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from modecollapse.divergences._validation import check_integer
from modecollapse.gan.experiments import _io
from modecollapse.gan.experiments.discovery import SelectedRun, select_members
from modecollapse.gan.experiments.runs import RunSpec, load_run
from modecollapse.gan.metrics import ModeMetrics, summarize_metrics

__all__ = ["MODELS_DIR", "SHIPPED_FORMAT", "ShippedRun", "shipped_runs", "verify_shipped", "load_shipped",
           "build_shipped", "main"]

#: The folder of the committed models (package data).
MODELS_DIR = Path(__file__).resolve().parent / "models"
SHIPPED_FORMAT = "modecollapse.gan.shipped/1"
MANIFEST = "MANIFEST.json"
RUN_FILES = ("spec.json", "results.json", "samples.npz", "generators.npz")


def _way_out(root: Path) -> str:
    return ("train the models afresh with `python -m modecollapse.figures --retrain` (or give `--runs DIR`, a folder "
            "written by `python -m modecollapse.gan train`), or rebuild the shipped files with `python -m "
            f"modecollapse.gan.experiments.shipped --from RUN --to {root}`")


def _root(root) -> Path:
    if root is None:
        return MODELS_DIR
    if not str(root).strip():
        raise ValueError(f"root must be a non-empty path or None; got root={str(root)!r}")
    return Path(root)


def _manifest(root: Path) -> dict:
    path = root / MANIFEST
    if not path.is_file():
        raise _io.CorruptFileError(f"the shipped models are missing: no {path}; {_way_out(root)}")
    doc = _io.read_checked_json(path, way_out=_way_out(root))
    if doc.get("format") != SHIPPED_FORMAT or not isinstance(doc.get("runs"), dict) \
            or not isinstance(doc.get("files"), dict):
        raise _io.CorruptFileError(f"{path} is not a manifest of format {SHIPPED_FORMAT!r} "
                                   f"(format {doc.get('format')!r}); {_way_out(root)}")
    return doc


def shipped_runs(root=None) -> dict[str, RunSpec]:
    """The shipped runs, name (``"grid-cpu"``) -> their :class:`RunSpec`, from the manifest (whose own
    checksum is verified; the files are verified by :func:`verify_shipped` / :func:`load_shipped`)."""
    doc = _manifest(_root(root))
    return {name: RunSpec.from_dict(entry["spec"]) for name, entry in doc["runs"].items()}


def _verify_files(root: Path, doc: dict, names) -> dict[str, bytes]:
    """The bytes of every file of the runs ``names``, each checked against the manifest."""
    out = {}
    for name in names:
        for f in RUN_FILES:
            rel = f"{name}/{f}"
            want = doc["files"].get(rel)
            path = root / rel
            if want is None:
                raise _io.CorruptFileError(f"the manifest {root / MANIFEST} does not list {rel}; {_way_out(root)}")
            if not path.is_file():
                raise _io.CorruptFileError(f"shipped model file {path} is missing; {_way_out(root)}")
            data = path.read_bytes()
            got = _io.sha256_hex(data)
            if got != want["sha256"] or len(data) != want["bytes"]:
                raise _io.CorruptFileError(
                    f"shipped model file {path} is corrupt: sha256 {got[:12]}... ({len(data):,} bytes) does not "
                    f"match the manifest's {want['sha256'][:12]}... ({want['bytes']:,} bytes); {_way_out(root)}")
            out[rel] = data
    return out


def verify_shipped(root=None) -> dict[str, int]:
    """Check every shipped file against ``MANIFEST.json``; returns ``{relative path: bytes}``.

    Raises
    ------
    CorruptFileError
        For a missing or altered file or manifest; the message names the file and ``--retrain``.
    """
    root = _root(root)
    doc = _manifest(root)
    return {rel: len(b) for rel, b in _verify_files(root, doc, doc["runs"]).items()}


@dataclass(frozen=True)
class ShippedRun(SelectedRun):
    """A shipped run (:func:`load_shipped`): a :class:`SelectedRun` whose generators are in
    ``generators.npz`` instead of a checkpoint. ``train_config`` is the ``TrainConfig`` (as a dict)
    the run was trained with."""

    train_config: dict | None = None

    def generate(self, n: int, *, seed: int = 0, device=None) -> np.ndarray:
        """``n`` fresh samples per selected member, shape (len(members), n, d), from the shipped
        generators (needs torch).

        The latents are drawn exactly as :meth:`gan.train.GanEnsemble.sample` draws them, so
        ``seed=0`` with ``n`` the run's ``eval_samples`` (2,500) redraws the shipped evaluation
        samples, equal up to the float round-off of another machine or thread count; BatchNorm
        uses the statistics of the ``n`` rows (the protocol's evaluation batch).
        """
        n = check_integer(n, "n", minimum=1)
        seed = check_integer(seed, "seed", minimum=0)
        root = self.path.parent
        rel = f"{self.path.name}/generators.npz"
        data = _verify_files(root, _manifest(root), [self.path.name])[rel]
        with np.load(io.BytesIO(data)) as f:
            arrays = {k: f[k] for k in f.files}
        ens = _ensemble(self.spec, self.train_config, arrays, device)
        return ens.sample(n, seed=seed)[list(self.rows)]


def _ensemble(spec: RunSpec, config: dict, arrays: dict, device=None):
    """A :class:`GanEnsemble` of ``spec``'s members with the generator weights ``arrays``
    (discriminators left at their initialisation: sampling never uses them)."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError("drawing fresh samples from the shipped generators needs torch "
                          "(pip install 'modecollapse[gan]'); the shipped samples need nothing") from exc
    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.train._ensemble import GanEnsemble
    from modecollapse.gan.train.config import TrainConfig

    ds = get_dataset(spec.dataset, data_seed=spec.data_seed)
    ens = GanEnsemble(ds, spec.members, TrainConfig(**config), device=device)
    for grp in ens.groups:
        prefix = f"m{grp.m}."
        state = {k[len(prefix):]: torch.from_numpy(np.ascontiguousarray(v)).to(ens.device)
                 for k, v in arrays.items() if k.startswith(prefix)}
        try:
            grp.G.load_state_dict(state)
        except RuntimeError as exc:
            raise ValueError(f"the shipped generators do not fit the run's networks (m={grp.m}): {exc}") from exc
    return ens


def _result(path: Path, results: bytes, spec: RunSpec, *, way_out: str):
    """The per-member metrics and info of a results.json (read here, not with ``load_run``, so the
    shipped files stay readable if the run folder's format moves on)."""
    doc = json.loads(results.decode("utf-8"))
    doc.pop("sha256", None)
    try:
        if RunSpec.from_dict(doc["spec"]) != spec:
            raise ValueError("its spec differs from spec.json")
        members = [(int(r["m"]), int(r["seed"])) for r in doc["members"]]
        if members != spec.members:
            raise ValueError(f"members {members} differ from the spec's {spec.members}")
        metrics = [ModeMetrics(int(r["modes"]), float(r["hq_percent"]) / 100.0, float(r["reverse_kl"]),
                               np.asarray(r["counts"], dtype=int), int(r["n_samples"])) for r in doc["members"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise _io.CorruptFileError(f"{path / 'results.json'} is not a valid results file ({exc}); {way_out}") from exc
    return members, metrics, doc.get("info", {})


def load_shipped(dataset: str, *, ms=None, seeds=None, method: str = "gan", preset: str = "cpu",
                 root=None) -> ShippedRun:
    """The shipped run of ``method`` / ``preset`` on ``dataset``, restricted to ``ms`` x ``seeds``
    (None: all its members); every file is checked against the manifest first.

    Parameters
    ----------
    dataset : str
        ``"grid"`` or ``"ring"`` (the shipped runs; :func:`shipped_runs` lists them).
    ms, seeds : sequence of int, optional
        Members to keep, m-major (the figures take seed 0 of the 2-seed ensemble).
    method, preset : str
        Which run (only ``"gan"`` / ``"cpu"`` are shipped).
    root : path-like, optional
        Folder of the models (default :data:`MODELS_DIR`, the package's own).

    Raises
    ------
    CorruptFileError
        If the manifest or a file of the run is missing or does not match its checksum (the message
        names ``--retrain``).
    ValueError
        If no shipped run is of this dataset / method / preset, or a requested member is not in it.
    """
    if not isinstance(dataset, str):
        raise TypeError(f"dataset must be a string such as 'grid'; got dataset={dataset!r}")
    root = _root(root)
    doc = _manifest(root)
    names = [name for name, e in doc["runs"].items()
             if e["spec"]["dataset"] == dataset and e["spec"]["preset"] == preset
             and e["spec"].get("config", {}).get("method", "gan") == method]
    if not names:
        have = ", ".join(f"{n} ({e['spec']['dataset']}, {e['spec'].get('config', {}).get('method', 'gan')}, "
                         f"{e['spec']['preset']})" for n, e in doc["runs"].items())
        raise ValueError(f"no shipped {method!r} run of preset {preset!r} on dataset={dataset!r}; shipped: {have}; "
                         f"train one with `python -m modecollapse.figures --retrain` or `python -m modecollapse.gan "
                         f"train`")
    name = names[0]
    files = _verify_files(root, doc, [name])
    path = root / name
    way_out = _way_out(root)
    spec = RunSpec.from_dict(json.loads(files[f"{name}/spec.json"].decode("utf-8")))
    if spec.to_dict() != doc["runs"][name]["spec"]:
        raise _io.CorruptFileError(f"{path / 'spec.json'} differs from the manifest's specification; {way_out}")
    members, metrics, info = _result(path, files[f"{name}/results.json"], spec, way_out=way_out)
    summary = {m: summarize_metrics([r for (mm, _), r in zip(members, metrics) if mm == m]) for m in spec.ms}
    run = ShippedRun(path, spec, members, metrics, summary, info, rows=tuple(range(len(members))),
                     source=f"shipped model {name} ({root})", train_config=dict(doc["runs"][name]["train_config"]))
    return select_members(run, ms=ms, seeds=seeds) if (ms is not None or seeds is not None) else run


# ------------------------------------------------------------------------------------ building


def _git_commit() -> str | None:
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (res.stdout.strip() or None) if res.returncode == 0 else None


def _extract(run_dir: Path):
    """``(RunResult, train_config dict, {name: float32 array})`` of a finished run folder."""
    res = load_run(run_dir)  # checks results.json
    res.samples()  # checks samples.npz against results.json
    ckpt = run_dir / "checkpoint.pt"
    if not ckpt.is_file():
        raise FileNotFoundError(f"{run_dir} has no checkpoint.pt: the generators' weights come from it")
    payload = _io.load_checkpoint(ckpt, expect_spec=res.spec.to_dict())
    state = payload["state"]
    if int(state["step"]) != res.spec.steps:
        raise ValueError(f"{ckpt} is at step {state['step']}, the run's results are of step {res.spec.steps}")
    arrays = {}
    for grp in state["groups"]:
        for k, v in grp["G"].items():
            arrays[f"m{grp['m']}.{k}"] = v.detach().cpu().numpy().astype(np.float32)
    return res, dict(state["config"]), arrays


def build_shipped(run_dirs, to=None, *, log=print, atol: float = 1e-4) -> dict:
    """Write the shipped files of the finished runs ``run_dirs`` into ``to`` (default
    :data:`MODELS_DIR`) and update ``MANIFEST.json`` (runs already there under other names stay).

    Each run becomes ``<dataset>-<preset>[-<method>]``. Before anything is written, every run is
    checked: finished, checksums intact, and its stored evaluation samples redrawn from the extracted
    generator weights to within ``atol`` (the generators are those that made the results).

    Returns the new manifest.
    """
    runs = [Path(r) for r in ([run_dirs] if isinstance(run_dirs, (str, Path)) else run_dirs)]
    if not runs:
        raise ValueError("run_dirs must name at least one finished run folder")
    root = _root(to)
    prepared = []
    for run in runs:
        if not run.is_dir():
            raise FileNotFoundError(f"run folder {run} does not exist")
        res, config, arrays = _extract(run)
        redrawn = _ensemble(res.spec, config, arrays).sample(res.spec.eval_samples, seed=0)
        diff = float(np.max(np.abs(redrawn - res.samples())))
        if not diff <= atol:
            raise ValueError(f"the generators extracted from {run} do not redraw its evaluation samples "
                             f"(max |diff| = {diff:.3g} > atol = {atol:g}); not shipping them")
        log(f"{run}: {len(res.members)} generators, redrawn samples within {diff:.2g} of samples.npz")
        method = res.spec.method
        name = f"{res.spec.dataset}-{res.spec.preset}" + ("" if method == "gan" else f"-{method}")
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        files = {f: (run / f).read_bytes() for f in ("spec.json", "results.json", "samples.npz")}
        files["generators.npz"] = buf.getvalue()
        prepared.append((name, run, res, config, files))
    root.mkdir(parents=True, exist_ok=True)
    old = _manifest(root) if (root / MANIFEST).is_file() else {"runs": {}, "files": {}}
    doc = {"format": SHIPPED_FORMAT, "runs": dict(old["runs"]), "files": dict(old["files"])}
    for name, run, res, config, files in prepared:
        (root / name).mkdir(exist_ok=True)
        for f, data in files.items():
            _io.atomic_write_bytes(root / name / f, data)
            doc["files"][f"{name}/{f}"] = {"sha256": _io.sha256_hex(data), "bytes": len(data)}
        doc["runs"][name] = {
            "spec": res.spec.to_dict(), "train_config": config,
            "members": [list(m) for m in res.members],
            "built_from": {"run": str(run.resolve()), "commit": _git_commit(),
                           "command": " ".join(["python -m modecollapse.gan.experiments.shipped", *sys.argv[1:]]),
                           "built_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "versions": _io.environment()},
        }
    _io.write_checked_json(root / MANIFEST, doc)
    total = sum(e["bytes"] for e in doc["files"].values()) + (root / MANIFEST).stat().st_size
    log(f"wrote {len(prepared)} run(s) into {root}; {len(doc['files']) + 1} files, {total:,} bytes in all")
    return doc


def main(argv=None) -> int:
    """``python -m modecollapse.gan.experiments.shipped``: build (``--from``), verify (``--check``)
    or list the shipped models."""
    parser = argparse.ArgumentParser(prog="python -m modecollapse.gan.experiments.shipped",
                                     description="Build, verify or list the trained generators shipped for the figures.")
    parser.add_argument("--from", dest="runs", nargs="+", metavar="RUN",
                        help="finished run folders written by `python -m modecollapse.gan train`")
    parser.add_argument("--to", default=None, help=f"models folder (default: the package's, {MODELS_DIR})")
    parser.add_argument("--check", action="store_true", help="verify the shipped files against MANIFEST.json")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for the redraw check (default 1)")
    args = parser.parse_args(argv)
    try:
        if args.runs:
            if args.threads < 1:
                raise ValueError(f"--threads must be >= 1; got {args.threads}")
            import torch

            torch.set_num_threads(args.threads)
            build_shipped(args.runs, args.to)
        root = _root(args.to)
        sizes = verify_shipped(root)
        for name, spec in shipped_runs(root).items():
            r = spec.resolved()
            print(f"{name}: {r.dataset}, {r.method}, {r.preset} preset, m {list(r.ms)}, seeds {list(r.seeds)}, "
                  f"{r.steps:,} steps")
        print(f"{len(sizes)} files verified, {sum(sizes.values()):,} bytes (+ {MANIFEST})")
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
