"""Discovery of figure modules and the context object they draw into."""

from __future__ import annotations

import importlib
import io
import pkgutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["FigureContext", "FigureSpec", "available_figures", "build_figures", "FORMATS"]

FORMATS = ("png", "pdf", "svg")


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its name, caption, what it reproduces, and its builder."""

    name: str
    caption: str
    reproduces: str
    module: str
    order: int
    build: Callable[["FigureContext"], None]
    #: ``(dataset, ms, seed)`` of every trained GAN run the figure draws (``GAN_RUNS`` of its module),
    #: checked against ``--runs`` before anything is built.
    gan_runs: tuple = ()


def available_figures() -> list[FigureSpec]:
    """All figure modules ``figures/fig_*.py``, in display order (``ORDER``, then name)."""
    # the folder of this module, not the package face (which imports this module: no circle)
    package = __name__.rpartition(".")[0]
    specs = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("fig_"):
            continue
        mod = importlib.import_module(f"{package}.{info.name}")
        specs.append(
            FigureSpec(
                name=mod.NAME,
                caption=mod.CAPTION,
                reproduces=getattr(mod, "REPRODUCES", ""),
                module=mod.__name__,
                order=int(getattr(mod, "ORDER", 100)),
                build=mod.build,
                gan_runs=tuple(getattr(mod, "GAN_RUNS", ())),
            )
        )
    names = [s.name for s in specs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise RuntimeError(f"duplicate figure names: {sorted(dupes)}")
    return sorted(specs, key=lambda s: (s.order, s.name))


@dataclass
class FigureContext:
    """Where and how a figure module writes its outputs.

    Attributes
    ----------
    out_dir : Path
        Folder that receives ``<name>.<fmt>`` and the data files.
    fmt : str
        Image format, one of ``png``, ``pdf``, ``svg``.
    runs_dir : Path
        Folder of trained-model results (``--runs``; default ``out_dir / "_runs"``). Figures that
        train other models (AdaGAN, cross-checks) reuse and write their runs there. For the
        GAN/PacGAN runs see ``gan_source``.
    seed : int
        Base seed for anything random a figure draws.
    gan_steps : int or None
        Training steps of the GAN/PacGAN runs when they are trained (``--gan-steps``; implies
        ``retrain``). None: the ``cpu`` preset's full 12,000 steps.
    retrain : bool
        Train the GAN/PacGAN runs into ``runs_dir`` (``--retrain``) instead of using the shipped models.
    written : list of Path
        Every file written through this context, in order.
    gan_source : str
        Where :meth:`gan_run` takes the GAN/PacGAN runs from (set from the fields above):
        ``"shipped"`` (the default: the cpu-preset generators committed in the package,
        :mod:`modecollapse.gan.experiments.shipped`), ``"runs"`` (``runs_dir`` was given: the
        finished runs found in it by their ``spec.json``, :func:`~modecollapse.gan.experiments.discovery.select_run`;
        nothing is trained) or ``"train"`` (``retrain`` or ``gan_steps``: trained into, or reused
        from, ``runs_dir`` by :func:`~modecollapse.gan.experiments.runs.load_or_train`).
    """

    out_dir: Path
    fmt: str = "png"
    runs_dir: Path | None = None
    seed: int = 0
    gan_steps: int | None = None
    written: list[Path] = field(default_factory=list)
    log: Callable[[str], None] = print
    retrain: bool = False
    gan_source: str = field(init=False, default="shipped")

    def __post_init__(self):
        self.out_dir = Path(self.out_dir)
        if self.gan_steps is not None and (isinstance(self.gan_steps, bool) or not isinstance(self.gan_steps, int)
                                           or self.gan_steps < 1):
            raise ValueError(f"gan_steps must be a positive integer or None; got gan_steps={self.gan_steps!r}")
        if not isinstance(self.retrain, bool):
            raise TypeError(f"retrain must be True or False; got retrain={self.retrain!r}")
        if self.retrain or self.gan_steps is not None:
            self.gan_source = "train"
        elif self.runs_dir is not None:
            self.gan_source = "runs"
        if self.runs_dir is None:
            self.runs_dir = self.out_dir / "_runs"
        self.runs_dir = Path(self.runs_dir)

    def gan_run(self, dataset: str, *, ms, seed: int = 0):
        """The GAN/PacGAN run on ``dataset`` with members ``ms`` x ``(seed,)``, from ``gan_source``.

        Returns a :class:`~modecollapse.gan.experiments.discovery.SelectedRun` (a ``RunResult``
        restricted to those members: ``members``, ``metrics``, ``samples()``; ``spec`` is the
        run's own, ``source`` says where it came from).

        Raises
        ------
        CorruptFileError
            (shipped) A shipped file does not match its checksum; the message names ``--retrain``.
        FileNotFoundError, ValueError
            (runs) ``runs_dir`` does not exist, or holds no matching finished run (the message lists
            the runs it found).
        """
        from modecollapse.gan.experiments.discovery import select_members

        if self.gan_source == "shipped":
            from modecollapse.gan.experiments.shipped import load_shipped

            run = load_shipped(dataset, ms=ms, seeds=(seed,))
            self.log(f"using the shipped {run.spec.preset}-preset models ({run.path.name}, {run.spec.steps:,} steps); "
                     f"--retrain trains them afresh, --runs DIR reads your own runs")
            return run
        if self.gan_source == "runs":
            from modecollapse.gan.experiments.discovery import select_run

            return select_run(self.runs_dir, dataset=dataset, ms=ms, seeds=(seed,), log=self.log)
        from modecollapse.gan.experiments.runs import load_or_train

        run = load_or_train(self.runs_dir, dataset=dataset, ms=ms, seeds=(seed,), preset="cpu",
                            steps=self.gan_steps, log=self.log)
        return select_members(run, ms=ms, seeds=(seed,), source=f"trained into {run.path}")

    def savefig(self, fig, name: str) -> Path:
        """Save a matplotlib figure as ``<name>.<fmt>`` and close it.

        The image is rendered in memory and written atomically (:func:`_write`): a failed write
        leaves no partial file.
        """
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        try:
            fig.savefig(buf, format=self.fmt, bbox_inches="tight", dpi=200)
        finally:
            plt.close(fig)
        path = _write(self.out_dir / f"{name}.{self.fmt}", buf.getvalue())
        self.written.append(path)
        return path

    def save_json(self, name: str, obj) -> Path:
        """Write ``obj`` (dicts, lists, numpy arrays and scalars) as ``<name>.json``."""
        from modecollapse.gan.experiments._io import atomic_write_json, jsonable

        path = atomic_write_json(self.out_dir / f"{name}.json", jsonable(obj), indent=1, allow_nan=False)
        self.written.append(path)
        return path

    def save_csv(self, name: str, columns: dict[str, np.ndarray]) -> Path:
        """Write equal-length columns as ``<name>.csv`` with a header row, full float precision."""
        cols = {k: np.asarray(v).ravel() for k, v in columns.items()}
        lengths = {len(v) for v in cols.values()}
        if len(lengths) != 1:
            raise ValueError(f"columns of {name}.csv have different lengths: { {k: len(v) for k, v in cols.items()} }")
        fh = io.StringIO()
        fh.write(",".join(cols) + "\n")
        for row in zip(*cols.values()):
            fh.write(",".join(repr(float(v)) if isinstance(v, (float, np.floating)) else str(v) for v in row) + "\n")
        path = _write(self.out_dir / f"{name}.csv", fh.getvalue().encode("utf-8"))
        self.written.append(path)
        return path


def gan_source_label(run) -> str:
    """A few words for a figure's title on where a :meth:`FigureContext.gan_run` run came from:
    ``"shipped models"`` or ``"run <folder name>"`` (a ``--runs`` or ``--retrain`` run)."""
    from modecollapse.gan.experiments.shipped import ShippedRun

    return "shipped models" if isinstance(run, ShippedRun) else f"run {run.path.name}"


def _write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (the run folder's writer: ``<path>.tmp``, ``fsync``,
    rename); raises :class:`~modecollapse.gan.experiments._io.WriteError` and leaves no partial file."""
    from modecollapse.gan.experiments._io import atomic_write_bytes

    return atomic_write_bytes(path, data)


def _select_figures(names=None) -> list[FigureSpec]:
    """The specs of ``names`` in that order (all, in display order, when empty); ValueError for an
    unknown name."""
    specs = available_figures()
    by_name = {s.name: s for s in specs}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValueError(f"unknown figure name(s) {unknown}; available: {sorted(by_name)}")
        specs = [by_name[n] for n in names]
    return specs


def build_figures(names=None, *, out_dir="figures-out", fmt="png", runs_dir=None, seed=0, gan_steps=None,
                  retrain=False, log=print):
    """Build the named figures (all when ``names`` is None); return ``[(spec, files, seconds, error)]``.

    The GAN/PacGAN runs behind ``gan_samples`` and ``crosscheck_regions`` are the shipped cpu-preset
    models by default; with ``runs_dir`` the finished runs found in it, with ``retrain`` (or
    ``gan_steps``) runs trained into it (see :class:`FigureContext`, ``gan_source``).

    A failing figure is reported and the others still build; the caller decides the exit code.

    Raises
    ------
    ValueError
        For a bad ``fmt``, ``gan_steps`` or figure name, an ``out_dir`` / ``runs_dir`` that exists
        and is not a folder, or (``runs_dir`` given, no training asked) a ``runs_dir`` that holds
        no finished run a selected figure needs (another dataset or method, ...); raised before
        any figure is built.
    FileNotFoundError
        If ``runs_dir`` is given to read runs from (no ``retrain`` / ``gan_steps``) and does not exist.
    OSError
        ``PermissionError`` if ``out_dir`` cannot be created or written (checked with a probe file
        before any figure is built); ``WriteError`` if a file cannot be written while building (disk
        full, ...): the build stops there, no partial file is left and the files already written stay.
    """
    from modecollapse.gan.experiments._io import WriteError, check_writable

    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}; got fmt={fmt!r}")
    probe = FigureContext(out_dir=out_dir, runs_dir=runs_dir, gan_steps=gan_steps, retrain=retrain,
                          log=lambda s: None)  # validate before building anything
    if runs_dir is not None and Path(runs_dir).exists() and not Path(runs_dir).is_dir():
        raise ValueError(f"runs_dir {runs_dir} exists and is not a folder")
    specs = _select_figures(names)
    if probe.gan_source == "runs":
        # a folder of another dataset or method, or without finished runs: refused before building
        for spec in specs:
            for dataset, ms, run_seed in spec.gan_runs:
                probe.gan_run(dataset, ms=ms, seed=run_seed)
    out = check_writable(out_dir, name="out_dir")
    results = []
    for i, spec in enumerate(specs, 1):
        ctx = FigureContext(out_dir=out, fmt=fmt, runs_dir=runs_dir, seed=seed, gan_steps=gan_steps, retrain=retrain,
                            log=log)
        log(f"[{i}/{len(specs)}] {spec.name}: building ...")
        t0 = time.perf_counter()
        err = None
        try:
            spec.build(ctx)
        except WriteError:  # the output cannot be written: the next figures would fail the same way
            raise
        except Exception as exc:  # report and continue with the next figure
            import traceback

            err = f"{type(exc).__name__}: {exc}"
            log(traceback.format_exc())
        dt = time.perf_counter() - t0
        status = "FAILED " + err if err else "ok"
        log(f"[{i}/{len(specs)}] {spec.name}: {status} ({dt:.1f} s)")
        results.append((spec, list(ctx.written), dt, err))
    return results
