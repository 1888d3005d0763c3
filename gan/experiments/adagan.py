"""AdaGAN: the boosting meta-algorithm over any base GAN, and its coverage experiment.

AdaGAN (Tolstikhin, Gelly, Bousquet, Simon-Gabriel, Schoelkopf, NIPS 2017, arXiv 1701.02386,
Algorithm 1; docs/theory.md s.5) grows a mixture of generators greedily::

    W_1 = uniform;  G_1 = GAN(S_N, W_1)
    for t = 2..T:
        beta_t = ChooseMixtureWeight(t)                  # a divergences.BetaSchedule
        W_t    = UpdateTrainingWeights(G_{t-1}, S_N, beta_t)
        G^c_t  = GAN(S_N, W_t)                          # the base learner on reweighted data
        G_t    = (1 - beta_t) G_{t-1} + beta_t G^c_t

``UpdateTrainingWeights`` trains a classifier ``D`` of real data vs samples of ``G_{t-1}``, sets
``h_i = (1 - D(x_i)) / D(x_i)`` (the estimate of ``dP_g/dP_d`` at the data point ``x_i``) and
computes the exact weights ``w_i = (b_i / beta)(lambda* - (1 - beta) h_i)_+`` of
:func:`divergences.adagan_weights` (docs/theory.md s.5); the schedules (constant, ``1/t`` "Boosted",
bagging/"Ensemble", "TopKLast r") are :mod:`divergences`' :class:`~divergences.BetaSchedule`
objects, used as they are.

This module provides

* :class:`AdaGANState` -- one run of the meta-algorithm as an immutable value (components,
  ``beta_t``, the data weights' normalisers), with :meth:`AdaGANState.next_step` (beta and data
  weights of the next component from classifier outputs) and :meth:`AdaGANState.add`;
* :class:`Mixture` -- sampling from ``sum_t alpha_t G^c_t``;
* :func:`run_adagan` -- the loop for *any* base learner and classifier given as callables (used by
  the tests with exact discrete components and the exact optimal classifier);
* :func:`run_coverage_experiment` -- AdaGAN's coverage experiment (Section 4.1) on its Gaussian
  mixtures (:func:`gan.data.adagan_gmm`), many runs trained together as batched ensembles, with
  atomic checkpoints after each component and exact resume; its settings are
  :class:`gan.train.config.CoverageConfig` (presets beside the other run kinds').

The torch parts -- the PacGAN toy generator as a mixture component (``ToyComponent``) and the
batched real-vs-mixture classifier (``train_real_vs_model``) -- are in
:mod:`modecollapse.gan.train._adagan`; this module imports no torch at its top.

Coverage ``C = P_data(p_model(X) > t)`` with ``P_model(p_model(Y) > t) = 0.95`` is computed by
:func:`divergences.coverage_kde` (the model is a GAN mixture, known only by samples).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from modecollapse.divergences import BetaSchedule, ScheduleStep, adagan_mixture_weights, beta_schedule, coverage_kde
from modecollapse.divergences._validation import as_probability_vector, check_integer, check_real
from modecollapse.gan.experiments import _curves, _io
from modecollapse.gan.experiments.reference import PUBLISHED_COVERAGE
from modecollapse.gan.train.config import COVERAGE_PRESETS, CoverageConfig, TrainConfig, coverage_preset  # noqa: F401

__all__ = [
    "Mixture",
    "AdaGANState",
    "run_adagan",
    "run_coverage_experiment",
    "coverage_command",
]

#: names that moved to :mod:`modecollapse.gan.train._adagan` (torch), still reachable here
_MOVED = {"ToyComponent": "modecollapse.gan.train._adagan", "train_real_vs_model": "modecollapse.gan.train._adagan"}


def __getattr__(name: str):
    mod = _MOVED.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(mod), name)


# --------------------------------------------------------------------------------------------
# the mixture and one run of the meta-algorithm
# --------------------------------------------------------------------------------------------


def _derived_seed(*parts) -> int:
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])


@dataclass(frozen=True)
class Mixture:
    """A mixture ``sum_t alpha_t Q_t`` of components that can sample.

    Attributes
    ----------
    components : tuple
        Objects with ``sample(n, *, seed) -> ndarray (n, d)``.
    weights : ndarray, shape (T,)
        Mixture weights ``alpha`` (a probability vector).
    """

    components: tuple
    weights: np.ndarray

    def __post_init__(self):
        w = as_probability_vector(self.weights, "weights")
        if len(self.components) != w.size:
            raise ValueError(f"need one weight per component; got {w.size} weights for {len(self.components)} components")
        object.__setattr__(self, "components", tuple(self.components))
        object.__setattr__(self, "weights", w)

    def counts(self, n: int, *, seed: int = 0) -> np.ndarray:
        """How many of ``n`` mixture samples each component contributes: ``Multinomial(n, alpha)``."""
        n = check_integer(n, "n", minimum=0)
        rng = np.random.default_rng(_derived_seed(check_integer(seed, "seed", minimum=0), 1))
        return rng.multinomial(n, self.weights)

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """``n`` i.i.d. points of the mixture, shape (n, d), in random order.

        The component of each point is drawn with :meth:`counts` (same ``seed``), the points from
        the components with seeds derived from ``(seed, component index)``, then shuffled.
        """
        counts = self.counts(check_integer(n, "n", minimum=1), seed=seed)
        parts = [np.asarray(c.sample(int(k), seed=_derived_seed(seed, 2, i)), dtype=np.float64)
                 for i, (c, k) in enumerate(zip(self.components, counts)) if k > 0]
        x = np.concatenate(parts, axis=0)
        rng = np.random.default_rng(_derived_seed(seed, 3))
        return x[rng.permutation(x.shape[0])]


@dataclass(frozen=True)
class AdaGANState:
    """One AdaGAN run after ``t`` components (an immutable value; :meth:`add` returns a new one).

    Attributes
    ----------
    schedule : divergences.BetaSchedule
        ``beta_t`` and the data reweighting (constant, boosted, ensemble, TopKLast).
    base_weights : ndarray, shape (N,)
        Weights of the training points in the empirical data measure (uniform ``1/N`` usually).
    kind : {"star", "dagger"}
        Which optimal component the data weights target (R* of Theorem 1 by default).
    eta : float
        Clip classifier probabilities to ``[eta, 1 - eta]`` before forming ``h`` (0: no clip).
    components : tuple
        The trained components ``G^c_1..G^c_t``.
    steps : tuple of divergences.ScheduleStep
        ``beta_t``, the data weights and ``lambda`` used for each component.
    """

    schedule: BetaSchedule
    base_weights: np.ndarray
    kind: str = "star"
    eta: float = 0.0
    components: tuple = ()
    steps: tuple = ()

    def __post_init__(self):
        if not isinstance(self.schedule, BetaSchedule):
            raise TypeError(f"schedule must be a divergences.BetaSchedule; got {type(self.schedule).__name__}")
        object.__setattr__(self, "base_weights", as_probability_vector(self.base_weights, "base_weights"))
        if self.kind not in ("star", "dagger"):
            raise ValueError(f"kind must be 'star' or 'dagger'; got kind={self.kind!r}")
        check_real(self.eta, "eta", lo=0.0, hi=0.5, hi_open=True)
        if len(self.components) != len(self.steps):
            raise ValueError("components and steps must have the same length")

    @classmethod
    def start(cls, schedule, n_points: int | None = None, *, base_weights=None, kind="star", eta=0.0) -> "AdaGANState":
        """An empty run on ``n_points`` equally weighted training points (or ``base_weights``)."""
        if isinstance(schedule, str):
            schedule = beta_schedule(schedule)
        if base_weights is None:
            n = check_integer(n_points, "n_points", minimum=1)
            base_weights = np.full(n, 1.0 / n)
        return cls(schedule=schedule, base_weights=base_weights, kind=kind, eta=eta)

    @property
    def t(self) -> int:
        """Number of components so far."""
        return len(self.components)

    @property
    def betas(self) -> np.ndarray:
        return np.array([s.beta for s in self.steps])

    @property
    def alphas(self) -> np.ndarray:
        """Mixture weights ``alpha_i = beta_i prod_{j>i} (1 - beta_j)`` of the current model."""
        return adagan_mixture_weights(self.betas)

    def mixture(self) -> Mixture:
        """The current model ``G_t`` as a :class:`Mixture` (needs ``t >= 1``)."""
        if self.t == 0:
            raise ValueError("the run has no component yet")
        return Mixture(self.components, self.alphas)

    @property
    def needs_classifier(self) -> bool:
        """Whether :meth:`next_step` needs classifier outputs (``t >= 1`` and a reweighting schedule)."""
        return self.t >= 1 and self.schedule.reweights_data

    def next_step(self, discriminator_outputs=None, *, from_logits: bool = False) -> ScheduleStep:
        """``beta`` and the training-data weights of component ``t + 1``.

        ``discriminator_outputs`` are ``D(x_i)`` (probability that ``x_i`` is real; logits with
        ``from_logits=True``) of a classifier of the data vs samples of the current mixture, on
        the ``N`` training points; unused (may be None) for the first component and for the
        ensemble schedule. The weights are those of :func:`divergences.adagan_weights` at the
        schedule's ``beta`` (via :meth:`divergences.BetaSchedule.step`).
        """
        if not self.needs_classifier:
            return self.schedule.step(self.t + 1, None, base_weights=self.base_weights)
        if discriminator_outputs is None:
            raise ValueError(f"component {self.t + 1} of schedule {self.schedule.name!r} needs discriminator_outputs")
        out = np.asarray(discriminator_outputs, dtype=np.float64)
        if out.shape != self.base_weights.shape:
            raise ValueError(f"discriminator_outputs must have shape {self.base_weights.shape}; got {out.shape}")
        return self.schedule.step(self.t + 1, out, base_weights=self.base_weights, kind=self.kind, eta=self.eta,
                                  from_logits=from_logits)

    def add(self, component, step: ScheduleStep) -> "AdaGANState":
        """The run with ``component`` appended under ``step`` (whose ``t`` must be ``self.t + 1``)."""
        if not isinstance(step, ScheduleStep) or step.t != self.t + 1:
            raise ValueError(f"step must be the ScheduleStep of component {self.t + 1}; got {step!r}")
        return replace(self, components=self.components + (component,), steps=self.steps + (step,))


def run_adagan(
    state: AdaGANState,
    n_components: int,
    *,
    fit_component: Callable[[int, np.ndarray], object],
    discriminate: Callable[[Mixture, int], np.ndarray],
    from_logits: bool = False,
    callback: Callable[[AdaGANState], None] | None = None,
) -> AdaGANState:
    """Run AdaGAN's Algorithm 1 until ``n_components`` components, for any base learner.

    Parameters
    ----------
    state : AdaGANState
        The run so far (``AdaGANState.start(...)`` for a new one; a restored state resumes).
    n_components : int
        ``T``.
    fit_component : callable ``(t, weights) -> component``
        The base learner: a generative model trained on the data weighted by ``weights`` (shape
        (N,)); the result needs ``sample(n, *, seed)``.
    discriminate : callable ``(mixture, t) -> outputs``
        Classifier outputs ``D(x_i)`` on the N training points for data vs ``mixture`` (the model
        after ``t - 1`` components), probabilities or logits (``from_logits``).
    callback : callable ``(state) -> None``, optional
        Called after every component (checkpoints, progress).
    """
    T = check_integer(n_components, "n_components", minimum=1)
    while state.t < T:
        outputs = discriminate(state.mixture(), state.t + 1) if state.needs_classifier else None
        step = state.next_step(outputs, from_logits=from_logits)
        state = state.add(fit_component(step.t, step.weights), step)
        if callback is not None:
            callback(state)
    return state


# --------------------------------------------------------------------------------------------
# the coverage experiment (AdaGAN, arXiv 1701.02386, Section 4.1)
# --------------------------------------------------------------------------------------------

_METHOD_LABELS = {"ensemble": "Ensemble", "boosted": "Boosted"}


def _method_label(spec: str, T: int) -> str:
    name, _, arg = spec.partition(":")
    base = _METHOD_LABELS.get(name)
    if base is None:
        base = f"TopKLast{float(arg):g}" if name == "topklast" else f"Constant{float(arg):g}"
    return f"{base} (T={T})"





@dataclass
class _Run:
    k: int
    seed: int
    method: str
    state: AdaGANState
    coverage: dict = field(default_factory=dict)  # T -> [C, lower, upper]
    component_coverage: list = field(default_factory=list)  # ensemble runs: C of each component alone
    weight_stats: list = field(default_factory=list)  # per component: beta, lam, n_zero, ess


def _weights_key(w: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(w, dtype=np.float64).tobytes()).hexdigest()[:16]


def _ess(w: np.ndarray) -> float:
    return float(1.0 / np.sum(np.asarray(w) ** 2))


def _save(path: Path, payload: dict) -> None:
    """Write the checkpoint ``payload`` of :func:`_checkpoint_payload` (atomic, checksummed)."""
    _io.save_checkpoint(path, kind="adagan", spec=payload["spec"], state={"t": payload["t"], "runs": payload["runs"]},
                        global_rng=False)


def _checkpoint_payload(config: CoverageConfig, t: int, runs: list) -> dict:
    return {
        "spec": config.spec(),
        "t": t,
        "runs": [{
            "k": r.k, "seed": r.seed, "method": r.method,
            "components": [c.state() for c in r.state.components],
            "steps": [[s.t, s.beta, -1.0 if s.lam is None else s.lam] for s in r.state.steps],
            "coverage_json": json.dumps({str(T): v for T, v in r.coverage.items()}),
            "component_coverage": list(r.component_coverage),
            "weight_stats_json": json.dumps(r.weight_stats),
        } for r in runs],
    }


def _restore(payload: dict, runs: list) -> int:
    from modecollapse.divergences import ScheduleStep
    from modecollapse.gan.train._adagan import ToyComponent

    for r, pr in zip(runs, payload["runs"], strict=True):
        if (pr["k"], pr["seed"], pr["method"]) != (r.k, r.seed, r.method):
            raise ValueError("checkpoint runs do not match the requested experiment")
        comps = tuple(ToyComponent(**{**c, "shift": c["shift"].numpy()}) for c in pr["components"])
        # past components' data weights are not kept (only beta and lambda matter from here on)
        steps = tuple(ScheduleStep(t=int(t), beta=float(b), weights=np.empty(0), lam=None if lam < 0 else float(lam))
                      for t, b, lam in pr["steps"])
        r.state = replace(r.state, components=comps, steps=steps)
        r.coverage = {int(T): v for T, v in json.loads(pr["coverage_json"]).items()}
        r.component_coverage = list(pr["component_coverage"])
        r.weight_stats = json.loads(pr["weight_stats_json"])
    return int(payload["t"])


def _run_metrics(r: _Run, t: int) -> dict:
    """What run ``r``'s curve line records after component ``t``: the data weights' statistics and
    the coverage (of the mixture where ``t`` is an ``eval_at``, of the new component for ensembles)."""
    ws = r.weight_stats[-1]
    out = {"beta": ws["beta"], "lambda": ws["lam"], "n_zero_weights": ws["n_zero"], "weights_ess": ws["ess"]}
    if t in r.coverage:
        out.update(zip(("coverage", "coverage_lower", "coverage_upper"), r.coverage[t]))
    if r.method in ("ensemble", "bagging"):
        out["component_coverage"] = r.component_coverage[-1]
    return out


def _quantiles(values) -> dict:
    v = np.asarray(values, dtype=float)
    return {"median": float(np.median(v)), "q05": float(np.quantile(v, 0.05)), "q95": float(np.quantile(v, 0.95)),
            "n": int(v.size)}


def _summarise(config: CoverageConfig, runs: list) -> dict:
    """Rows like AdaGAN's Table 1: label -> {modes k: median, 5% and 95% quantiles over runs}."""
    rows: dict[str, dict] = {}
    ks = config.modes
    ens = [r for r in runs if r.method in ("ensemble", "bagging")]
    first = ens if ens else [r for r in runs if r.method == config.methods[0]]
    if 1 in config.eval_at or ens:
        rows["Vanilla"] = {k: _quantiles([r.component_coverage[0] if ens else r.coverage[1][0]
                                          for r in first if r.k == k]) for k in ks}
    for T in config.eval_at:
        if T == 1:
            continue
        if ens:
            rows[f"Best of T (T={T})"] = {k: _quantiles([max(r.component_coverage[:T]) for r in ens if r.k == k])
                                          for k in ks}
        for spec in config.methods:
            rows[_method_label(spec, T)] = {k: _quantiles([r.coverage[T][0] for r in runs
                                                           if r.method == spec and r.k == k]) for k in ks}
    return rows


def run_coverage_experiment(config: CoverageConfig, out_dir, *, resume: bool = False, device=None, preset: str = "custom",
                            log: Callable[[str], None] = print, progress: bool = False) -> dict:
    """AdaGAN's coverage experiment (arXiv 1701.02386, Section 4.1): beta schedules on Gaussian mixtures with 1..10 modes.

    For every number of modes ``k``, run seed ``s`` and method, the AdaGAN loop of
    :class:`AdaGANState` trains ``T = n_components`` components; component ``t`` of every run is a
    member of one :class:`gan.train.GanEnsemble` (batched training; the standardised training sets
    of all mixtures are concatenated and a member's data weights vanish outside its own mixture), its data weights come from a batched real-vs-mixture classifier
    (:func:`train_real_vs_model`, logits on the training points) and the schedule. Identical
    components are trained once: component 1 is the same vanilla GAN for every method of a seed
    (same seed, uniform weights), as in the paper where every method starts from it.

    The data are standardised per mixture (``(x - mean) / std``) for the networks; coverage is
    invariant under that affine map and computed in the original coordinates with
    :func:`divergences.coverage_kde` from ``n_eval`` mixture samples and ``n_eval`` fresh data
    points. After every component a checkpoint ``<out_dir>/adagan_checkpoint.pt`` is written
    atomically; ``resume=True`` continues from it exactly (every random draw is seeded from
    ``(seed, t)``). The results (per run and summarised as median and 5-95% range, like AdaGAN's
    Table 1, beside :data:`PUBLISHED_COVERAGE`) go to ``<out_dir>/adagan_results.json``.

    The training curves go to ``<out_dir>/metrics.jsonl`` (:mod:`._curves`; TensorBoard events
    too when tensorboard is installed): ``"train"`` lines with the D and G losses of every GAN of
    component ``t`` every ``steps // 20`` steps (member ``{"modes", "seed", "methods"}``: the runs
    that share that GAN), and after each component an ``"eval"`` line per run (member ``{"modes",
    "seed", "method"}``) with ``beta``, ``lambda``, the data weights' zero count and effective
    sample size, the coverage where ``t`` is in ``eval_at`` and, for ensemble runs, the new
    component's own coverage. ``progress=True`` draws a tqdm bar per component on stderr.

    Returns
    -------
    dict
        The results written to the JSON file.
    """
    if not isinstance(config, CoverageConfig):
        raise TypeError(f"config must be a CoverageConfig; got {type(config).__name__}")
    from modecollapse.gan.train._ensemble import resolve_device

    dev = resolve_device(device)
    out = _io.check_writable(out_dir, name="out_dir")
    with _io.RunFolderLock(out):
        return _run_locked(config, out, resume=resume, dev=dev, preset=preset, log=log, progress=progress)


def _run_locked(config: CoverageConfig, out: Path, *, resume: bool, dev, preset: str, log, progress: bool) -> dict:
    from modecollapse.gan.data._mixtures import adagan_gmm
    from modecollapse.gan.train._adagan import ToyComponent, train_real_vs_model
    from modecollapse.gan.train._ensemble import GanEnsemble

    ckpt = out / "adagan_checkpoint.pt"
    results_path = out / "adagan_results.json"
    payload = None
    if ckpt.exists() or results_path.exists():
        if not resume:
            raise FileExistsError(f"{out} already holds an AdaGAN run; pass resume=True (--resume) or another folder")
        if ckpt.exists():
            loaded = _io.load_checkpoint(ckpt, kind="adagan", way_out="start afresh in another --out folder")
            diff = _io.spec_diff(json.loads(json.dumps(config.spec())), loaded["spec"])
            if diff:
                raise ValueError(f"checkpoint {ckpt} was written for other settings (differs in {diff})")
            payload = loaded["state"]

    tcfg = TrainConfig.from_dict(dict(config.train))
    data = {k: adagan_gmm(k, n_train=config.n_train, data_seed=0) for k in config.modes}
    pts = {k: data[k].training_points() for k in config.modes}
    shift = {k: pts[k].mean(0) for k in config.modes}
    scale = {k: float(pts[k].std()) for k in config.modes}
    std_pts = {k: (pts[k] - shift[k]) / scale[k] for k in config.modes}
    block = {k: i for i, k in enumerate(config.modes)}
    all_pts = np.concatenate([std_pts[k] for k in config.modes])
    eval_data = {k: data[k].sample(config.n_eval, _derived_seed(k, 13)) for k in config.modes}
    N = config.n_train
    runs = [_Run(k, s, spec, AdaGANState.start(spec, N, kind=config.kind, eta=config.eta))
            for k in config.modes for s in range(config.n_runs) for spec in config.methods]
    t_done = _restore(payload, runs) if payload is not None else 0
    if t_done:
        log(f"[adagan] resuming after component {t_done}/{config.n_components}")
    t0 = time.perf_counter()
    with _curves.CurveLog(out, resume=payload is not None, keep=lambda r: r.get("component", 0) <= t_done,
                          purge_step=lambda run: t_done * config.steps + 1,
                          clock=lambda: time.perf_counter() - t0) as curves:
        for t in range(t_done + 1, config.n_components + 1):
            tr = time.perf_counter()
            # 1. classifier of data vs current mixture, batched over the runs that reweight
            need = [r for r in runs if r.state.needs_classifier]
            logits = {}
            if need:
                real = np.stack([std_pts[r.k] for r in need])
                fake = np.stack([(r.state.mixture().sample(config.n_pool, seed=_derived_seed(r.seed, t, 7))
                                  - shift[r.k]) / scale[r.k] for r in need])
                predict = train_real_vs_model(real, fake, hidden=config.classifier_hidden,
                                              steps=config.classifier_steps, batch_size=config.classifier_batch,
                                              lr=config.classifier_lr,
                                              seeds=[_derived_seed(r.seed, t, 5) for r in need], device=dev)
                out_logits = predict(real).double().cpu().numpy()
                logits = {id(r): out_logits[i] for i, r in enumerate(need)}
            steps = {id(r): r.state.next_step(logits.get(id(r)), from_logits=True) for r in runs}
            # 2. one batched ensemble for all runs: the mixtures' standardised training sets are
            #    concatenated and each member's data weights vanish outside its own mixture's block;
            #    identical (mixture, seed, weights) components are trained once
            keys, members, weights, owner = {}, [], [], {}
            for r in runs:
                st = steps[id(r)]
                cseed = _derived_seed(r.seed, t, 0 if r.state.schedule.reweights_data or t == 1 else 1)
                key = (r.k, cseed, _weights_key(st.weights))
                if key not in keys:
                    keys[key] = len(members)
                    members.append((config.m, cseed))
                    w = np.zeros(N * len(config.modes))
                    w[block[r.k] * N:(block[r.k] + 1) * N] = st.weights
                    weights.append(w)
                owner[id(r)] = keys[key]
            ens = GanEnsemble(all_pts, members, tcfg, data_weights=np.stack(weights), device=dev)
            # 20 points per component: the paper preset trains ~630 GANs in each of 10 components
            log_every = max(1, config.steps // 20)
            share = {}
            for r in runs:
                share.setdefault(owner[id(r)], []).append(r)
            gans = [{"modes": share[i][0].k, "seed": share[i][0].seed, "methods": sorted({r.method for r in share[i]})}
                    for i in range(len(members))]  # a GAN and the runs (of one mixture and seed) that share it
            bar = _curves.progress_bar(config.steps, enabled=progress,
                                       desc=f"component {t}/{config.n_components} ({len(members)} GANs)")

            def step_done(e):
                bar.update(1)
                if e.history and e.history[-1][0] == e.step:  # a logging step: the losses train() recorded
                    _, d, g = e.history[-1]
                    curves.log_many([curves.record("train", e.step, gan, losses={"d": dl, "g": gl}, component=t)
                                     for gan, dl, gl in zip(gans, d, g)], tb_step=(t - 1) * config.steps + e.step)
                    bar.set_postfix(d=f"{sum(d) / len(d):.3f}", g=f"{sum(g) / len(g):.3f}", refresh=False)
                guard.check()

            with _io.SignalGuard() as guard, bar:
                try:
                    ens.train(config.steps, log_every=log_every, callback=step_done)
                except _io.StopRequested:
                    kept = f"the checkpoint after component {t - 1} is kept" if t > 1 else "no component was finished"
                    raise _io.RunInterrupted(f"{guard.name} during component {t}/{config.n_components}: {kept} "
                                             f"({ckpt}); resume with the same arguments and --resume "
                                             f"(component {t} is trained again, exactly)", guard.signum) from None
            comps = {}
            for r in runs:
                i = owner[id(r)]
                if i not in comps:
                    comps[i] = ToyComponent.from_ensemble(ens, i, shift=shift[r.k], scale=scale[r.k])
                st = steps[id(r)]
                w = st.weights
                r.weight_stats.append({"t": t, "beta": st.beta, "lam": st.lam, "n_zero": int(np.count_nonzero(w == 0)),
                                       "ess": _ess(w)})
                slim = type(st)(t=st.t, beta=st.beta, weights=np.empty(0), lam=st.lam)
                r.state = r.state.add(comps[i], slim)
            # 3. coverage
            for r in runs:
                if r.method in ("ensemble", "bagging"):
                    x = r.state.components[-1].sample(config.n_eval, seed=_derived_seed(r.seed, t, 11))
                    r.component_coverage.append(coverage_kde(x, eval_data[r.k]).coverage)
                if t in config.eval_at:
                    c = coverage_kde(r.state.mixture().sample(config.n_eval, seed=_derived_seed(r.seed, t, 12)),
                                     eval_data[r.k])
                    r.coverage[t] = [c.coverage, c.lower, c.upper]
            curves.log_many([curves.record("eval", config.steps, {"modes": r.k, "seed": r.seed, "method": r.method},
                                           metrics=_run_metrics(r, t), component=t) for r in runs],
                            tb_step=t * config.steps)
            curves.sync()
            _save(ckpt, _checkpoint_payload(config, t, runs))
            log(f"[adagan] component {t}/{config.n_components} done for {len(runs)} runs "
                f"({time.perf_counter() - tr:.1f} s; checkpoint {ckpt.name})")

    summary = _summarise(config, runs)
    env = _io.environment(dev)
    result = {
        "experiment": "adagan_coverage",
        "preset": preset,
        "config": config.spec(),
        "device": str(dev),
        "device_name": env["device_name"],
        "torch": env["torch"],
        "versions": env,
        "seconds_this_session": time.perf_counter() - t0,
        "coverage_method": "divergences.coverage_kde (Gaussian KDE of model samples, held-out-likelihood bandwidth), mass 0.95",
        "reduction": (f"{config.n_runs} runs per cell (paper: 35), {config.steps} steps per component, "
                      f"{config.n_train} training points, base GAN = PacGAN toy networks {dict(config.train)}"),
        "runs": [{"modes": r.k, "seed": r.seed, "method": r.method,
                  "coverage": {str(T): v for T, v in sorted(r.coverage.items())},
                  "component_coverage": r.component_coverage, "weights": r.weight_stats,
                  "alphas": r.state.alphas.tolist()} for r in runs],
        "summary": {label: {str(k): v for k, v in row.items()} for label, row in summary.items()},
        "published": PUBLISHED_COVERAGE,
    }
    _io.write_checked_json(results_path, result, allow_nan=True)
    log(f"[adagan] results: {results_path}")
    return result


def coverage_command(*, preset: str = "cpu", out, modes=None, runs=None, methods=None, components=None,
                     eval_at=None, steps=None, m=None, device="auto", resume: bool = False, quiet: bool = False) -> int:
    """``gan adagan``: the preset with the given changes, :func:`run_coverage_experiment`, a summary.

    ``modes`` / ``eval_at`` are lists (``--modes 1 2 3``) or strings (``"1,2,3"``), ``methods`` a
    list or a comma-separated string of schedule specs. Returns the exit status (0).
    """
    import sys

    from modecollapse.gan.train.config import parse_ints

    if not str(out).strip():
        raise ValueError(f"--out must be a non-empty path; got --out {str(out)!r}")
    cfg = coverage_preset(preset)
    changes = {}
    if modes is not None:
        changes["modes"] = parse_ints(modes, name="--modes", minimum=1, maximum=10)
    if methods is not None:
        items = [methods] if isinstance(methods, str) else list(methods)
        changes["methods"] = tuple(v.strip() for item in items for v in str(item).split(",") if v.strip())
    if eval_at is not None:
        changes["eval_at"] = parse_ints(eval_at, name="--eval-at")
    for flag, key, v in (("runs", "n_runs", runs), ("components", "n_components", components),
                         ("steps", "steps", steps), ("m", "m", m)):
        if v is not None:
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ValueError(f"--{flag} must be an integer >= 1; got {v!r}")
            changes[key] = v
    if "n_components" in changes and "eval_at" not in changes:
        changes["eval_at"] = tuple(sorted({1, 3, changes["n_components"]}))
    cfg = cfg.replace(**changes)
    log = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    res = run_coverage_experiment(cfg, out, resume=resume, device=device, preset=preset, log=log, progress=not quiet)
    if not quiet:
        ks = [str(k) for k in cfg.modes]
        print("coverage C, median (5%; 95%) over runs; columns: modes " + ", ".join(ks), file=sys.stderr)
        for label, row in res["summary"].items():
            cells = [f"{row[k]['median']:.2f} ({row[k]['q05']:.1f}; {row[k]['q95']:.1f})" for k in ks]
            print(f"  {label:<20} " + "  ".join(cells), file=sys.stderr)
    return 0
