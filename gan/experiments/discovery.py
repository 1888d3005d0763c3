"""Finished GAN runs found by their own ``spec.json``, and a view of some of a run's members.

``python -m modecollapse.figures --runs DIR`` takes any folder written by ``gan train`` (or ``gan
table``, which writes the same run folders): ``DIR`` may be a run folder itself or hold run folders
at any depth, under any names. :func:`find_runs` walks it and reads every ``spec.json``
(:class:`gan.experiments.runs.RunSpec`); :func:`select_run` picks the finished run that holds the
members a figure needs (dataset, method, packing degrees, seeds) and says what it found when none
does. No folder naming convention is assumed.

:class:`SelectedRun` is a :class:`~gan.experiments.runs.RunResult` restricted to some of its members
(the figures draw seed 0 of a 2-seed ensemble): ``members``, ``metrics``, ``summary`` and
:meth:`SelectedRun.samples` hold the selection only, ``spec`` stays the run's own (what was trained),
and :meth:`SelectedRun.generate` draws fresh samples from the selected generators.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from modecollapse.divergences._validation import check_integer
from modecollapse.gan.experiments.runs import RunResult, RunSpec, evaluate_run, load_run
from modecollapse.gan.metrics import summarize_metrics

__all__ = ["FoundRun", "SelectedRun", "find_runs", "select_run", "select_members", "describe_run"]


class FoundRun(NamedTuple):
    """A folder with a ``spec.json``, as :func:`find_runs` saw it.

    ``spec`` is None when the file is not a GAN run specification (``problem`` says why);
    ``finished`` is True when the folder also holds ``results.json``.
    """

    path: Path
    spec: RunSpec | None
    finished: bool
    problem: str | None = None


def _ranges(values) -> str:
    v = list(values)
    if len(v) > 1 and v == list(range(v[0], v[-1] + 1)):
        return f"{v[0]}-{v[-1]}"
    return ",".join(map(str, v))


def describe_run(found: FoundRun, root=None) -> str:
    """One line about a found run: its folder (relative to ``root``), dataset, method, m, seeds,
    preset, steps and whether it finished."""
    where = found.path
    if root is not None:
        try:
            rel = found.path.relative_to(root)
            where = "." if str(rel) == "." else rel
        except ValueError:
            pass
    if found.spec is None:
        return f"{where} (not a GAN run: {found.problem})"
    s = found.spec.resolved()
    state = "finished" if found.finished else "not finished (no results.json)"
    return (f"{where} ({s.dataset}, method {s.method}, m {_ranges(s.ms)}, seeds {_ranges(s.seeds)}, "
            f"{s.preset} preset, {s.steps:,} steps, {state})")


def find_runs(root) -> list[FoundRun]:
    """Every folder at or under ``root`` that holds a ``spec.json``, in sorted path order.

    Hidden folders (``.git``, ...) are not entered. A ``spec.json`` that is not a GAN run
    specification (another run kind, a damaged file) is listed with ``spec=None`` and the reason.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist (nothing is created).
    NotADirectoryError
        If ``root`` is not a folder.
    """
    if not str(root).strip():
        raise ValueError(f"the runs folder must be a non-empty path; got {str(root)!r}")
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"runs folder {root} does not exist")
    if not root.is_dir():
        raise NotADirectoryError(f"runs folder {root} exists and is not a folder")
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if "spec.json" not in files:
            continue
        path = Path(folder)
        try:
            spec = RunSpec.from_dict(json.loads((path / "spec.json").read_text(encoding="utf-8")))
            found.append(FoundRun(path, spec, (path / "results.json").is_file()))
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            found.append(FoundRun(path, None, False, f"{type(exc).__name__}: {exc}"))
    return sorted(found, key=lambda f: str(f.path))


@dataclass(frozen=True)
class SelectedRun(RunResult):
    """A finished run restricted to some members (``rows``: their indices in the run's member order).

    ``spec`` is the run's own specification; ``members``, ``metrics``, ``summary``,
    :meth:`samples` and :meth:`generate` cover the selected members only, in the selection's order.
    """

    rows: tuple = ()
    source: str = ""

    def samples(self) -> np.ndarray:
        """The stored evaluation samples of the selected members, shape (len(members), n, d),
        checked against the run's checksum (:meth:`RunResult.samples`)."""
        return RunResult.samples(self)[list(self.rows)]

    def generate(self, n: int, *, seed: int = 0, device=None) -> np.ndarray:
        """``n`` fresh samples per selected member, shape (len(members), n, d), from the run's
        checkpoint (needs torch). ``seed=0`` with ``n`` the run's ``eval_samples`` redraws the stored
        evaluation samples (equal up to float round-off of another machine or thread count)."""
        n = check_integer(n, "n", minimum=1)
        seed = check_integer(seed, "seed", minimum=0)
        return evaluate_run(self.path, eval_samples=n, seed=seed, device=device).samples[list(self.rows)]


def _check_ints(values, name: str) -> tuple[int, ...]:
    if isinstance(values, (int, np.integer)) and not isinstance(values, bool):
        values = (values,)
    try:
        out = tuple(check_integer(v, name, minimum=0) for v in values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of integers; got {name}={values!r}") from None
    if not out:
        raise ValueError(f"{name} must not be empty; got {name}={values!r}")
    return out


def select_members(run: RunResult, *, ms=None, seeds=None, source: str = "") -> SelectedRun:
    """The members of ``run`` with packing degree in ``ms`` and seed in ``seeds`` (None: all), m-major
    in the order given.

    Raises
    ------
    ValueError
        If a requested (m, seed) pair is not a member of ``run``.
    """
    base_rows = list(getattr(run, "rows", range(len(run.members))))
    ms = tuple(dict.fromkeys(m for m, _ in run.members)) if ms is None else _check_ints(ms, "ms")
    seeds = tuple(dict.fromkeys(s for _, s in run.members)) if seeds is None else _check_ints(seeds, "seeds")
    index = {tuple(member): i for i, member in enumerate(run.members)}
    missing = [(m, s) for m in ms for s in seeds if (m, s) not in index]
    if missing:
        raise ValueError(f"the run in {run.path} has no member(s) {missing} (m, seed); it holds {list(run.members)}")
    picked = [index[(m, s)] for m in ms for s in seeds]
    members = [(m, s) for m in ms for s in seeds]
    metrics = [run.metrics[i] for i in picked]
    summary = {m: summarize_metrics([r for (mm, _), r in zip(members, metrics) if mm == m]) for m in ms}
    rows = tuple(base_rows[i] for i in picked)
    if isinstance(run, SelectedRun):  # keeps the subclass (a shipped run) and its own fields
        return replace(run, members=members, metrics=metrics, summary=summary, rows=rows,
                       source=source or run.source)
    return SelectedRun(run.path, run.spec, members, metrics, summary, run.info, rows=rows,
                       source=source or str(run.path))


def select_run(root, *, dataset: str, ms, seeds=(0,), method: str = "gan", log=None) -> SelectedRun:
    """The finished run under ``root`` (:func:`find_runs`) holding members ``ms`` x ``seeds`` of
    ``method`` on ``dataset``, restricted to them (:func:`select_members`).

    Where several runs match, the one with the most training steps is taken (then the first path);
    ``log`` (a callable) is told which.

    Raises
    ------
    FileNotFoundError, NotADirectoryError
        If ``root`` does not exist or is not a folder.
    ValueError
        If no finished run matches; the message lists every run found (dataset, method, m, seeds,
        preset, steps, finished or not).
    """
    ms = _check_ints(ms, "ms")
    seeds = _check_ints(seeds, "seeds")
    found = find_runs(root)
    want = (f"finished {method!r} run on {dataset!r} with m {' '.join(map(str, ms))} and "
            f"seed{'s' if len(seeds) > 1 else ''} {' '.join(map(str, seeds))}")
    if not found:
        raise ValueError(f"--runs {root}: no run folder (a folder with the spec.json that `gan train` writes) at or "
                         f"under it; the figure needs a {want}")
    matches = [f for f in found if f.spec is not None and f.finished and f.spec.dataset == dataset
               and f.spec.method == method and set(ms) <= set(f.spec.ms) and set(seeds) <= set(f.spec.seeds)]
    if not matches:
        lines = [describe_run(f, root) for f in found]
        more = f"; ... and {len(lines) - 12} more" if len(lines) > 12 else ""
        raise ValueError(f"--runs {root} holds no {want}; found {len(found)} run folder(s): "
                         + "; ".join(lines[:12]) + more
                         + f". Train one with `python -m modecollapse.gan train --dataset {dataset} --m "
                           f"{' '.join(map(str, ms))} --seeds {_ranges(seeds)} --preset cpu --out DIR`, or leave out "
                           f"--runs to use the shipped models")
    best = max(matches, key=lambda f: (f.spec.resolved().steps, -matches.index(f)))
    if log is not None:
        log(f"using the run {describe_run(best)}")
    return select_members(load_run(best.path), ms=ms, seeds=seeds, source=str(best.path))
