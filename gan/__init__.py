"""GAN, PacGAN(m) and AdaGAN training on the mode-collapse benchmarks (PyTorch).

Needs the ``gan`` extra (``pip install 'modecollapse[gan]'``). Runs on CUDA when present, CPU
otherwise.

``import modecollapse.gan`` is light: it imports neither torch nor numpy-heavy submodules. The
public names below are loaded on first access (PEP 562), e.g. ``gan.GanEnsemble`` imports
:mod:`gan.train._ensemble` (and torch) at that moment. Torch-free parts: :mod:`gan.data`,
:mod:`gan.metrics`, :mod:`gan.train.config` (configs and presets of every run kind),
:mod:`gan.experiments.reference` (published tables) and reading a run's results
(:func:`load_run`).
"""

from __future__ import annotations

from modecollapse._lazy import lazy_face

#: public name -> submodule that defines it
_LAZY = {
    # datasets and the Gaussian-mixture value (numpy)
    "MixtureDataset": "data", "ring": "data", "grid": "data", "adagan_gmm": "data",
    "get_dataset": "data", "DATASET_NAMES": "data", "GaussianMixture": "data",
    # metrics (numpy)
    "ModeMetrics": "metrics", "MeanSE": "metrics", "mode_metrics": "metrics", "mean_se": "metrics",
    "summarize_metrics": "metrics", "model_label": "metrics",
    # configs and presets (no torch)
    "TrainConfig": "train.config", "Preset": "train.config", "PRESETS": "train.config", "get_preset": "train.config",
    "CoverageConfig": "train.config", "StackedConfig": "train.config", "parse_seeds": "train.config",
    # training (torch)
    "Member": "train._ensemble", "GanEnsemble": "train._ensemble", "resolve_device": "train._ensemble",
    # runs (torch when training)
    "RunSpec": "experiments.runs", "RunResult": "experiments.runs", "Evaluation": "experiments.runs",
    "train_run": "experiments.runs", "load_run": "experiments.runs", "load_or_train": "experiments.runs",
    "evaluate_run": "experiments.runs",
    # published reference tables (no torch)
    "PACGAN_TABLE1": "experiments.reference", "PUBLISHED_COVERAGE": "experiments.reference",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_face(__name__, _LAZY)
