"""GAN, PacGAN(m) and AdaGAN training on the mode-collapse benchmarks (PyTorch).

Needs the ``gan`` extra (``pip install 'modecollapse[gan]'``). Runs on CUDA when present, CPU
otherwise.

``import gan`` is light: it imports neither torch nor numpy-heavy submodules. The public names
below are loaded on first access (PEP 562), e.g. ``gan.GanEnsemble`` imports :mod:`gan.train`
(and torch) at that moment. Pure-numpy parts: :mod:`gan.datasets`, :mod:`gan.metrics`,
:mod:`gan.presets`.
"""

from __future__ import annotations

import importlib

#: public name -> submodule that defines it
_LAZY = {
    # datasets (numpy)
    "MixtureDataset": "datasets", "ring": "datasets", "grid": "datasets", "adagan_gmm": "datasets",
    "get_dataset": "datasets", "DATASET_NAMES": "datasets",
    # metrics (numpy)
    "ModeMetrics": "metrics", "MeanSE": "metrics", "mode_metrics": "metrics", "mean_se": "metrics",
    "summarize_metrics": "metrics", "model_label": "metrics",
    # presets (no torch)
    "Preset": "presets", "PRESETS": "presets", "get_preset": "presets",
    # training (torch)
    "TrainConfig": "train", "Member": "train", "GanEnsemble": "train", "resolve_device": "train",
    "parse_seeds": "train",
    # runs (torch when training)
    "RunSpec": "runs", "RunResult": "runs", "train_run": "runs", "load_run": "runs", "load_or_train": "runs",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'gan' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gan.{mod}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
