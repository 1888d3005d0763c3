"""Training curves of a run folder: JSON lines, TensorBoard event files, and tqdm progress bars.

Every run folder written by ``gan train``, ``gan adagan`` and ``gan stacked`` gets a file
``metrics.jsonl``: one JSON object a line, appended as training goes, with the keys

* ``kind`` -- ``"train"`` (losses at a logging step) or ``"eval"`` (metrics at an evaluation);
* ``step`` -- the member's training step (AdaGAN: the step within the component being trained);
* ``member`` -- which member, e.g. ``{"m": 2, "seed": 0}`` (the run kind's own identifiers);
* ``losses`` / ``metrics`` -- ``{name: value}`` (non-finite values as the strings ``"inf"``, ``"nan"``);
* ``elapsed_s`` -- the run's training wall time so far (continued across ``--resume``), ``time``
  the Unix time of the write; plus kind-specific fields (AdaGAN: ``component``).

A line is written with one ``write`` call on a file opened for appending, so a reader never sees
half a line except the last one of a process killed mid-write, which is dropped on resume. On
resume, the lines the checkpoint does not cover (steps after it: a process killed between a write
and its checkpoint) are dropped first, and a line whose ``(kind, member, component, step)`` is
already in the file is not written again, so a stopped-and-resumed run has the same lines as an
uninterrupted one (the wall times aside).

When ``tensorboard`` is importable (``torch.utils.tensorboard.SummaryWriter``) the same values go
to TensorBoard event files under ``<run folder>/tensorboard`` (tags ``loss_d/m1_seed0``,
``modes/m1_seed0``, ...; view them with ``tensorboard --logdir <run folder>``); a resumed writer
purges the events after the checkpoint (``purge_step``). Without tensorboard this is skipped
silently: the JSON lines are the record.

Nothing here draws random numbers or touches the training state: logging reads values the
training loop has already computed, so results are bit-for-bit those of a run without it.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

from modecollapse.gan.experiments import _io

CURVES_FILE = "metrics.jsonl"
TENSORBOARD_DIR = "tensorboard"


def summary_writer_class():
    """``torch.utils.tensorboard.SummaryWriter``, or None when tensorboard (or torch) is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # ModuleNotFoundError included: no torch, or torch without tensorboard
        return None
    return SummaryWriter


def read_curves(path) -> list[dict]:
    """The records of a ``metrics.jsonl`` (a run folder or the file), dropping an incomplete last line."""
    path = Path(path)
    if path.is_dir():
        path = path / CURVES_FILE
    return _parse(path.read_bytes())[0] if path.is_file() else []


def _parse(data: bytes) -> tuple[list[dict], bool]:
    """Records of complete lines, and whether anything (a torn last line) was dropped."""
    records, torn = [], False
    lines = data.split(b"\n")
    for i, raw in enumerate(lines):
        if not raw.strip():
            continue
        try:
            records.append(json.loads(raw))
        except ValueError:
            if i == len(lines) - 1:  # no newline after it: the write of a killed process
                torn = True
                continue
            raise ValueError(f"{CURVES_FILE} line {i + 1} is not JSON: {raw[:80]!r}") from None
    return records, torn


def _key(rec: dict) -> str:
    return json.dumps([rec.get("kind"), rec.get("member"), rec.get("component"), rec.get("step")], sort_keys=True)


def member_tag(member: dict) -> str:
    """A TensorBoard-friendly name of a member: ``{"m": 2, "seed": 0}`` -> ``"m2_seed0"``."""
    parts = []
    for k, v in member.items():
        v = "+".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
        parts.append(f"{k}{v}")
    return "_".join(parts).replace(":", "").replace("/", "-").replace(" ", "")


class CurveLog:
    """The ``metrics.jsonl`` (and TensorBoard events) of one run folder.

    Parameters
    ----------
    folder : Path
        The run folder (exists).
    resume : bool
        Keep the existing lines for which ``keep(record)`` is true (all if ``keep`` is None) and the
        TensorBoard events; otherwise start afresh (an existing file and event folder are removed).
    keep : callable ``record -> bool``, optional
        Which existing lines the resumed checkpoint covers.
    tensorboard : bool or None
        Write TensorBoard events: None (default) when tensorboard is importable, False never.
    purge_step : callable ``run -> int or None``, optional
        On resume, the TensorBoard ``purge_step`` of the writer of ``run`` (None: no purge).
    fresh_run : callable ``run -> bool``, optional
        Whether TensorBoard run folder ``run`` belongs to a member that starts afresh even on
        resume (its old events are removed).
    clock : callable, optional
        ``() -> elapsed seconds`` of the run, written as ``elapsed_s``.
    """

    def __init__(self, folder, *, resume: bool, keep: Callable[[dict], bool] | None = None,
                 tensorboard: bool | None = None, purge_step: Callable[[str | None], int | None] | None = None,
                 fresh_run: Callable[[str | None], bool] | None = None, clock: Callable[[], float] | None = None):
        self.folder = Path(folder)
        self.path = self.folder / CURVES_FILE
        self.tb_root = self.folder / TENSORBOARD_DIR
        self.clock = clock or (lambda: 0.0)
        self._purge = purge_step or (lambda run: None)
        self._fresh_run = fresh_run or (lambda run: False)
        self._resume = resume
        self._keys: set[str] = set()
        self._writers: dict = {}
        self._tb_class = summary_writer_class() if tensorboard in (None, True) else None
        if resume and self.path.is_file():
            data = self.path.read_bytes()
            records, torn = _parse(data)
            kept = [r for r in records if keep is None or keep(r)]
            if torn or len(kept) != len(records):
                _io.atomic_write_text(self.path, "".join(_line(r) for r in kept))
            self._keys = {_key(r) for r in kept}
        elif not resume:
            try:
                self.path.unlink(missing_ok=True)
                if self.tb_root.is_dir():
                    shutil.rmtree(self.tb_root)
            except OSError as exc:
                raise _io.WriteError(exc.errno, f"cannot remove the old curves in {self.folder}: {exc}") from exc
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _io.WriteError(exc.errno, f"cannot open {self.path} for appending: {exc.strerror}") from exc

    # ------------------------------------------------------------------ writing
    def log(self, kind: str, step: int, member: dict, *, losses: dict | None = None, metrics: dict | None = None,
            tb_step: int | None = None, tb_run: str | None = None, **fields) -> None:
        """One record (see :meth:`log_many`)."""
        self.log_many([self.record(kind, step, member, losses=losses, metrics=metrics, **fields)],
                      tb_step=tb_step, tb_run=tb_run)

    def record(self, kind: str, step: int, member: dict, *, losses: dict | None = None, metrics: dict | None = None,
               **fields) -> dict:
        """A record dict (not written): ``kind``, ``step``, ``member``, extra ``fields``, values, times."""
        rec = {"kind": kind, "step": int(step), "member": dict(member), **fields}
        if losses is not None:
            rec["losses"] = {k: float(v) for k, v in losses.items()}
        if metrics is not None:
            rec["metrics"] = dict(metrics)
        rec["elapsed_s"] = round(float(self.clock()), 3)
        rec["time"] = round(time.time(), 3)
        return _io.jsonable(rec)

    def log_many(self, records: Iterable[dict], *, tb_step: int | None = None, tb_run: str | None = None) -> None:
        """Append the records not yet in the file, in one ``write``, and send them to TensorBoard.

        ``tb_step`` is the TensorBoard global step (default: each record's ``step``); ``tb_run``
        the TensorBoard run (a sub-folder of ``tensorboard/``; None: the folder itself).
        """
        new = []
        for rec in records:
            k = _key(rec)
            if k not in self._keys:
                self._keys.add(k)
                new.append(rec)
        if not new:
            return
        data = "".join(_line(r) for r in new).encode("utf-8")
        try:
            view = memoryview(data)
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
        except OSError as exc:
            raise _io.WriteError(exc.errno, f"cannot append to {self.path}: {exc.strerror}") from exc
        writer = self._writer(tb_run)
        if writer is not None:
            for rec in new:
                tag = member_tag(rec["member"])
                gstep = rec["step"] if tb_step is None else int(tb_step)
                for group in ("losses", "metrics"):
                    for name, v in rec.get(group, {}).items():
                        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                            writer.add_scalar(f"{'loss_' if group == 'losses' else ''}{name}/{tag}", v, gstep,
                                              walltime=rec["time"])

    def _writer(self, run: str | None):
        if self._tb_class is None:
            return None
        if run not in self._writers:
            logdir = self.tb_root if run is None else self.tb_root / run
            if self._fresh_run(run) and logdir.is_dir():
                shutil.rmtree(logdir)
            purge = self._purge(run) if self._resume else None
            try:
                self._writers[run] = self._tb_class(log_dir=str(logdir), purge_step=purge)
            except Exception as exc:  # a broken tensorboard install must not stop training
                print(f"tensorboard logging disabled ({type(exc).__name__}: {exc})", file=sys.stderr)
                self._tb_class = None
                return None
        return self._writers[run]

    def close_run(self, run: str | None) -> None:
        """Flush and close the TensorBoard writer of ``run`` (a stacked-MNIST member that finished)."""
        w = self._writers.pop(run, None)
        if w is not None:
            w.close()

    def sync(self) -> None:
        """Make what was logged durable (called before each checkpoint)."""
        try:
            os.fsync(self._fd)
        except OSError:
            pass
        for w in self._writers.values():
            w.flush()

    def close(self) -> None:
        for run in list(self._writers):
            self.close_run(run)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "CurveLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _line(rec: dict) -> str:
    return json.dumps(rec, allow_nan=False, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------------------------- progress


class _NoBar:
    """What :func:`progress_bar` returns when disabled: every call does nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix(self, *args, **kwargs) -> None:
        pass

    def set_description(self, *args, **kwargs) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


_warned = False


def progress_bar(total: int, *, initial: int = 0, enabled: bool = True, desc: str | None = None, unit: str = "step"):
    """A tqdm bar on stderr (``enabled=False``: a no-op object; tqdm is then not imported); redrawn
    every 0.5 s on a terminal, every 30 s when stderr is a file or pipe (a log).

    tqdm is a dependency of the ``gan`` extra; if it is missing anyway, a one-line note says so
    and training goes on without a bar.
    """
    global _warned
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        if not _warned:
            print("no progress bar: tqdm is not installed (pip install tqdm)", file=sys.stderr)
            _warned = True
        return _NoBar()
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    # on a terminal the bar redraws in place; in a log file every redraw stays, so redraw rarely
    return tqdm(total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr, mininterval=0.5 if tty else 30.0,
                dynamic_ncols=True, leave=True)
