"""Training: the settings of every run kind (:mod:`.config`, torch-free) and the engines (torch).

``import modecollapse.gan.train`` imports no torch: the names below are loaded on first access
(PEP 562), so ``modecollapse.gan.train.config`` (configs and presets) and the results readers work
without torch; ``GanEnsemble`` and the other engine names import torch at that moment.
"""

from __future__ import annotations

from modecollapse._lazy import lazy_face

#: public name -> submodule that defines it
_LAZY = {
    **{name: "config" for name in (
        "PACGAN_TOY", "TrainConfig", "Preset", "PRESETS", "get_preset", "CoverageConfig", "COVERAGE_PRESETS",
        "coverage_preset", "StackedConfig", "STACKED_PRESETS", "stacked_preset", "parse_seeds", "parse_ints",
        "MAX_SEED", "METHODS", "FGAN_DIVERGENCES", "METHOD_SETTINGS", "PAPER_METHOD_PRESETS", "ARCHS")},
    **{name: "_ensemble" for name in ("Member", "GanEnsemble", "resolve_device", "data_fingerprint")},
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_face(__name__, _LAZY)
