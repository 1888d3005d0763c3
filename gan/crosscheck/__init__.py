"""Cross-checks of trained GAN / PacGAN / AdaGAN models against the exact theory.

Four checks, each returning a frozen result object and, through the ``run_*`` functions, a
JSON-ready dict (``python -m modecollapse.gan crosscheck`` writes them atomically):

1. **Mode-collapse region of a generator** (:func:`generator_collapse_report`,
   :func:`collapse_report`, :func:`check_packing_bounds`): target P and generator Q discretised on
   the mode partition (each mode's ``3 std`` disc plus "elsewhere"), the generator's cell masses
   estimated from samples with simultaneous confidence intervals (Clopper-Pearson/Bonferroni per
   cell, Weissman L1 ball for everything derived), then the exact region, TV, largest collapses
   and packed TV for ``m = 1..4``, each placed against the PacGAN bounds. A pair outside a proven
   bound raises :class:`PackingBoundViolation`.
2. **Packed discriminators as TV estimators** (:func:`packed_tv_discriminator`).
3. **AdaGAN weights vs exact R*** (:func:`adagan_weight_crosscheck`).
4. **Variational bounds in practice** (:func:`variational_bound_trace` for f-GAN critics,
   :func:`wasserstein_critic_trace` for a WGAN critic).

Conventions (docs/theory.md s.0): **P is the target (real data), Q the generator**; regions are
drawn with ``eps = Q(S)`` on x and ``delta = P(S)`` on y. The mixtures are
:class:`gan.data.GaussianMixture` values (re-exported here with :class:`gan.data.ModePartition`).

What is not imported: items 2-4 need torch; their names (:data:`TORCH_WITNESS_TERMS` ...
:func:`packed_tv_bracket`) are listed in ``__all__`` but resolved on first access (PEP 562), so
``import modecollapse.gan.crosscheck`` and item 1 work without torch.

Example
-------
>>> import numpy as np
>>> from modecollapse.gan.crosscheck import dropped_modes_generator, generator_collapse_report
>>> from modecollapse.gan.data import grid
>>> target = grid().mixture
>>> gen = dropped_modes_generator(target, dropped=[0, 6, 12, 18, 24])   # 20 of 25 modes
>>> rep = generator_collapse_report(target, gen.sample(100_000, np.random.default_rng(0)))
>>> round(rep.apex_delta, 4)      # (0, delta) collapse: the 5 missing modes' disc mass
0.1978
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from modecollapse.divergences._validation import check_integer

from modecollapse._lazy import lazy_face
from modecollapse.gan.crosscheck import _estimate, _regions  # their __all__ lists are public names here
from modecollapse.gan.crosscheck._estimate import ClassifierRecord, ClassifierRegion, estimate_region
from modecollapse.gan.crosscheck._names import TORCH_NAMES as _TORCH_NAMES  # items 2-4, resolved lazily
from modecollapse.gan.crosscheck._regions import (
    BOUND_ATOL,
    BoundCheck,
    CollapseReport,
    PackingBoundViolation,
    check_packing_bounds,
    collapse_report,
    generator_collapse_report,
    trained_collapse_reports,
)
from modecollapse.gan.data import GaussianMixture, ModePartition
from modecollapse.gan.experiments._io import atomic_write_json, jsonable
from modecollapse.regions import MultinomialEstimate, estimate_cell_masses, l1_radius, samples_for_l1_radius

__all__ = [
    # one entry point per item (what `gan crosscheck ITEM` runs)
    "CROSSCHECK_ITEMS",
    "run_crosscheck",
    # the mixtures and their mode cells (gan.data), cell-mass estimates (regions)
    "GaussianMixture",
    "ModePartition",
    "MultinomialEstimate",
    "estimate_cell_masses",
    "l1_radius",
    "samples_for_l1_radius",
    # item 1: regions of generators on the mode partition (numpy)
    *_regions.__all__,
    # regions of any generator from samples (a classifier; torch inside the call)
    *_estimate.__all__,
    # synthetic pairs, runners, results files
    "dropped_modes_generator",
    "write_results",
    "read_results",
    "SCENARIOS",
    "scenario",
    "run_regions_synthetic",
    "run_regions_trained",
    "run_packed_disc",
    "run_adagan",
    "run_variational",
    "run_wasserstein",
    # items 2-4 (torch)
    *_TORCH_NAMES,
]

__getattr__, __dir__ = lazy_face(__name__, dict.fromkeys(_TORCH_NAMES, "_critics"))



# ------------------------------------------------------------------------------------------
# Synthetic generators with known densities
# ------------------------------------------------------------------------------------------
def dropped_modes_generator(target: GaussianMixture, dropped) -> GaussianMixture:
    """The target's components with the modes ``dropped`` removed and uniform weight on the rest.

    The "generator with known collapse" of the tests: on the 25-mode grid with 5 modes dropped,
    ``R`` has the vertices ``(0,0), (0, 0.2c), (e, 0.2c + e), (1, 1)`` with
    ``c = 1 - exp(-9/2)`` the mass of a ``3 std`` disc and ``e = 1 - c`` ("elsewhere"),
    ``d_TV = 0.2c`` and packed TV ``1 - (1 - 0.2c)^m`` (the PacGAN upper bound, attained).
    """
    if not isinstance(target, GaussianMixture):
        raise TypeError(f"target must be a GaussianMixture; got {type(target).__name__}")
    idx = np.unique(np.asarray(dropped, dtype=np.int64).ravel())
    k = target.weights.size
    if idx.size and (idx.min() < 0 or idx.max() >= k):
        raise ValueError(f"dropped must index the {k} modes; got dropped={np.asarray(dropped).tolist()}")
    keep = np.ones(k, dtype=bool)
    keep[idx] = False
    keep &= target.weights > 0
    if not keep.any():
        raise ValueError("dropped removes every mode of the target")
    w = keep / keep.sum()
    return target.with_weights(w)


def _ring() -> GaussianMixture:
    from modecollapse.gan.data import ring

    return ring().mixture


def _grid() -> GaussianMixture:
    from modecollapse.gan.data import grid

    return grid().mixture


#: The synthetic (target, generator) pairs used by the checks, figures and tests. Each maps a name
#: to a one-line description; :func:`scenario` builds the pair.
SCENARIOS = {
    "grid20": "grid target (25 modes, std 0.05); generator uniform on 20 of them (modes 0, 6, 12, 18, 24 dropped)",
    "ring6": "ring target (8 modes, std 0.01); generator uniform on 6 of them (modes 0 and 4 dropped)",
    "ring_skewed": "ring target; generator on all 8 modes with weights (.25,.2,.2,.15,.1,.05,.03,.02)",
    "ring_adagan": "ring target; model with weights (.3,.25,.2,.15,.1,0,0,0) (3 modes missed)",
}


def scenario(name: str) -> tuple[GaussianMixture, GaussianMixture]:
    """``(target, generator)`` of the synthetic scenario ``name`` (see :data:`SCENARIOS`)."""
    if name not in SCENARIOS:
        raise ValueError(f"scenario must be one of {sorted(SCENARIOS)}; got scenario={name!r}")
    if name == "grid20":
        t = _grid()
        return t, dropped_modes_generator(t, [0, 6, 12, 18, 24])
    t = _ring()
    if name == "ring6":
        return t, dropped_modes_generator(t, [0, 4])
    if name == "ring_skewed":
        return t, t.with_weights([0.25, 0.2, 0.2, 0.15, 0.1, 0.05, 0.03, 0.02])
    return t, t.with_weights([0.3, 0.25, 0.2, 0.15, 0.1, 0.0, 0.0, 0.0])


# ------------------------------------------------------------------------------------------
# Results files
# ------------------------------------------------------------------------------------------
def write_results(path, results: dict) -> Path:
    """Write ``results`` as JSON to ``path`` atomically (:func:`gan.experiments._io.atomic_write_json`:
    a flushed and fsync-ed temporary file moved into place), creating the parent folders.

    Non-finite floats are written as the strings ``"inf"``, ``"-inf"``, ``"nan"``.
    """
    if not isinstance(results, dict):
        raise TypeError(f"results must be a dict; got {type(results).__name__}")
    return atomic_write_json(path, jsonable(results), indent=1, allow_nan=False, mkdir=True)


def read_results(path) -> dict:
    """Read a results file written by :func:`write_results`."""
    return json.loads(Path(path).read_text())


def _hardware() -> dict:
    import platform

    info = {"machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}
    try:
        import torch

        info["torch"] = torch.__version__
        info["device"] = "cuda:" + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:  # the regions check does not need torch
        info["device"] = "cpu"
    return info


# ------------------------------------------------------------------------------------------
# Runners: one per item, returning JSON-ready dicts
# ------------------------------------------------------------------------------------------
def run_regions_synthetic(*, n_samples: int = 100_000, confidence: float = 0.95, seed: int = 0,
                          scenarios=("grid20", "ring6")) -> dict:
    """Item 1 on the synthetic generators: sampled report next to the exact (population) one."""
    n_samples = check_integer(n_samples, "n_samples", minimum=1)
    seed = check_integer(seed, "seed")
    rng = np.random.default_rng(seed)
    out = {"item": "regions", "hardware": _hardware(), "seed": seed, "n_samples": n_samples, "scenarios": {}}
    for name in scenarios:
        target, gen = scenario(name)
        rep = generator_collapse_report(target, gen.sample(n_samples, rng), confidence=confidence)
        part = ModePartition.from_mixture(target)
        exact = collapse_report(target.cell_masses(part), gen.cell_masses(part))
        out["scenarios"][name] = {"description": SCENARIOS[name], "sampled": rep.to_dict(), "exact": exact.to_dict()}
    return out


def run_regions_trained(runs_dir, *, n_samples: int | None = None, confidence: float = 0.95, seed: int = 0) -> dict:
    """Item 1 on trained GAN / PacGAN generators: every finished ``gan.experiments.runs`` run under ``runs_dir``.

    Each member's generator is discretised on its dataset's mode partition and placed against the
    PacGAN bounds (:func:`trained_collapse_reports`); a pair outside a bound raises
    :class:`PackingBoundViolation`.
    """
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        raise FileNotFoundError(f"runs_dir={str(runs_dir)!r} is not a folder")
    out = {}
    for folder in sorted(p for p in runs_dir.iterdir() if (p / "results.json").is_file()):
        reps = trained_collapse_reports(folder, n_samples=n_samples, confidence=confidence, seed=seed)
        out[folder.name] = [{"m": m, "seed": s} | r.to_dict() for m, s, r in reps]
    return out


def run_packed_disc(*, scenario_name: str = "grid20", ms=(1, 2, 3, 4), scales=((4, 250), (16, 1000), (64, 4000)),
                    steps: int = 600, n_test: int = 20000, seed: int = 0) -> dict:
    """Item 2: packed-discriminator TV estimates as capacity and samples grow together.

    ``scales`` are ``(hidden width, training samples per side)`` pairs, smallest first.
    """
    from modecollapse.gan.crosscheck._critics import packed_tv_discriminator

    target, gen = scenario(scenario_name)
    rows = []
    for m in ms:
        for h, n in scales:
            r = packed_tv_discriminator(target, gen, m=m, hidden=h, n_train=n, n_test=n_test, steps=steps, seed=seed)
            rows.append({k: getattr(r, k) for k in r.__dataclass_fields__} | {"gap": r.gap})
    return {"item": "packed_disc", "hardware": _hardware(), "scenario": scenario_name,
            "description": SCENARIOS[scenario_name], "seed": seed, "steps": steps, "rows": rows}


def run_adagan(*, scenario_name: str = "ring_adagan", betas=(0.3, 0.5), n_data: int = 5000, steps: int = 400,
               seed: int = 0) -> dict:
    """Item 3: classifier AdaGAN weights vs exact ``R*_beta`` weights."""
    from modecollapse.gan.crosscheck._critics import adagan_weight_crosscheck

    target, model = scenario(scenario_name)
    rows = []
    for beta in betas:
        r = adagan_weight_crosscheck(target, model, beta=beta, n_data=n_data, steps=steps, seed=seed)
        rows.append({
            "beta": r.beta, "n_data": r.n_data, "correlation": r.correlation, "tv_weights": r.tv_weights,
            "lambda_classifier": r.lambda_classifier, "lambda_exact_sample": r.lambda_exact_sample,
            "lambda_star": r.lambda_star, "mode_mass_classifier": r.mode_mass_classifier,
            "mode_mass_exact": r.mode_mass_exact, "mode_mass_star": r.mode_mass_star,
        })
    return {"item": "adagan", "hardware": _hardware(), "scenario": scenario_name,
            "description": SCENARIOS[scenario_name], "seed": seed, "steps": steps, "rows": rows}


def run_variational(*, scenario_name: str = "ring_skewed", names=("kl", "jensen_shannon", "gan"), steps: int = 400,
                    n_eval: int = 20000, seed: int = 0) -> dict:
    """Item 4 (f-GAN part): held-out critic bounds along training vs the exact bracket."""
    from modecollapse.gan.crosscheck._critics import variational_bound_trace

    target, gen = scenario(scenario_name)
    traces = {}
    for name in names:
        t = variational_bound_trace(name, target, gen, steps=steps, n_eval=n_eval, seed=seed)
        traces[name] = {"quantity": t.quantity, "steps": t.steps, "bound": t.bound, "se": t.se, "z": t.z,
                        "exact_lower": t.exact_lower, "exact_upper": t.exact_upper}
    return {"item": "variational", "hardware": _hardware(), "scenario": scenario_name,
            "description": SCENARIOS[scenario_name], "seed": seed, "traces": traces}


def run_wasserstein(*, scenario_name: str = "ring_skewed", n: int = 400, steps: int = 400, seed: int = 0) -> dict:
    """Item 4 (WGAN part): certified critic bound along training vs the exact LP W1 on the samples."""
    from modecollapse.gan.crosscheck._critics import wasserstein_critic_trace

    n = check_integer(n, "n", minimum=1)
    target, gen = scenario(scenario_name)
    rng = np.random.default_rng(seed)
    xp, xq = target.sample(n, rng), gen.sample(n, rng)
    t = wasserstein_critic_trace(xp, xq, steps=steps, seed=seed)
    return {"item": "wasserstein", "hardware": _hardware(), "scenario": scenario_name,
            "description": SCENARIOS[scenario_name], "seed": seed, "n": n, "steps": t.steps, "raw": t.raw,
            "lipschitz": t.lipschitz, "bound": t.bound, "w1": t.w1}


#: the items of ``gan crosscheck``, in the order ``all`` runs them
CROSSCHECK_ITEMS = ("regions", "packed-disc", "adagan", "variational", "wasserstein")


def run_crosscheck(item: str, out_dir, *, seed: int = 0, quick: bool = False, steps: int | None = None,
                   samples: int | None = None, runs=None) -> tuple[Path, dict]:
    """Run one cross-check ``item`` and write ``<out_dir>/crosscheck_<item>_seed<seed>.json``.

    ``quick`` selects tiny settings (seconds on a laptop CPU); ``steps`` overrides the critic /
    classifier training steps (default 400, quick 100; ``packed-disc`` 600); ``samples`` the
    generator samples of ``regions`` (default 100,000, quick 10,000); ``runs`` a folder of trained
    GAN/PacGAN runs that ``regions`` also reports. Returns the file written and its contents
    (with the wall-clock ``seconds`` and the ``quick`` flag added).
    """
    import time

    if item not in CROSSCHECK_ITEMS:
        raise ValueError(f"item must be one of {list(CROSSCHECK_ITEMS)}; got item={item!r}")
    seed = check_integer(seed, "seed")
    t0 = time.perf_counter()
    n_steps = steps if steps is not None else (100 if quick else 400)
    if item == "regions":
        n = samples if samples is not None else (10_000 if quick else 100_000)
        res = run_regions_synthetic(n_samples=n, seed=seed)
        if runs is not None:
            res["trained"] = run_regions_trained(runs, n_samples=n, seed=seed)
    elif item == "packed-disc":
        if quick:
            res = run_packed_disc(ms=(1, 2), scales=((4, 250), (16, 1000)), steps=n_steps, n_test=5000, seed=seed)
        else:
            res = run_packed_disc(steps=steps or 600, seed=seed)
    elif item == "adagan":
        res = run_adagan(n_data=1000 if quick else 5000, steps=n_steps, seed=seed)
    elif item == "variational":
        res = run_variational(steps=n_steps, n_eval=5000 if quick else 20000, seed=seed)
    else:
        res = run_wasserstein(n=200 if quick else 400, steps=n_steps, seed=seed)
    res["seconds"] = time.perf_counter() - t0
    res["quick"] = bool(quick)
    path = write_results(Path(out_dir) / f"crosscheck_{item.replace('-', '_')}_seed{seed}.json", res)
    return path, res
