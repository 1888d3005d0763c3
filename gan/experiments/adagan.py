"""AdaGAN: the boosting meta-algorithm over any base GAN, and its coverage experiment.

AdaGAN (Tolstikhin, Gelly, Bousquet, Simon-Gabriel, Schoelkopf, NIPS 2017, arXiv 1701.02386,
Algorithm 1; seed 003) grows a mixture of generators greedily::

    W_1 = uniform;  G_1 = GAN(S_N, W_1)
    for t = 2..T:
        beta_t = ChooseMixtureWeight(t)                  # a divergences.BetaSchedule
        W_t    = UpdateTrainingWeights(G_{t-1}, S_N, beta_t)
        G^c_t  = GAN(S_N, W_t)                          # the base learner on reweighted data
        G_t    = (1 - beta_t) G_{t-1} + beta_t G^c_t

``UpdateTrainingWeights`` trains a classifier ``D`` of real data vs samples of ``G_{t-1}``, sets
``h_i = (1 - D(x_i)) / D(x_i)`` (the estimate of ``dP_g/dP_d`` at the data point ``x_i``) and
computes the exact weights ``w_i = (b_i / beta)(lambda* - (1 - beta) h_i)_+`` of
:func:`divergences.adagan_weights` (THEORY.md s.5); the schedules (constant, ``1/t`` "Boosted",
bagging/"Ensemble", "TopKLast r") are :mod:`divergences`' :class:`~divergences.BetaSchedule`
objects, used as they are.

This module provides

* :class:`AdaGANState` -- one run of the meta-algorithm as an immutable value (components,
  ``beta_t``, the data weights' normalisers), with :meth:`AdaGANState.next_step` (beta and data
  weights of the next component from classifier outputs) and :meth:`AdaGANState.add`;
* :class:`Mixture` -- sampling from ``sum_t alpha_t G^c_t``;
* :func:`run_adagan` -- the loop for *any* base learner and classifier given as callables (used by
  the tests with exact discrete components and the exact optimal classifier);
* :class:`ToyComponent` and :func:`train_real_vs_model` -- the PacGAN toy generator of
  :mod:`gan.train` as a mixture component, and a batched real-vs-mixture MLP classifier;
* :func:`run_coverage_experiment` -- seed 003's coverage experiment on AdaGAN's Gaussian
  mixtures (:func:`gan.datasets.adagan_gmm`), many runs trained together as batched ensembles, with
  atomic checkpoints after each component and exact resume.

Coverage ``C = P_data(p_model(X) > t)`` with ``P_model(p_model(Y) > t) = 0.95`` is computed by
:func:`divergences.coverage_kde` (the model is a GAN mixture, known only by samples).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from modecollapse.divergences import BetaSchedule, ScheduleStep, adagan_mixture_weights, beta_schedule, coverage_kde
from modecollapse.divergences._validation import as_probability_vector, check_integer, check_real

__all__ = [
    "Mixture",
    "AdaGANState",
    "run_adagan",
    "ToyComponent",
    "train_real_vs_model",
    "CoverageConfig",
    "COVERAGE_PRESETS",
    "coverage_preset",
    "PUBLISHED_COVERAGE",
    "run_coverage_experiment",
]


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
# toy components and the real-vs-model classifier
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ToyComponent:
    """One trained PacGAN toy generator (:class:`gan.models.ToyGenerator`) as a mixture component.

    Attributes
    ----------
    params : dict of str -> torch.Tensor
        The generator parameters without the member axis (``GanEnsemble.parameters_by_member``).
    latent_dim, hidden, layers, out_dim : int
        Generator shape.
    shift : ndarray, shape (d,), and scale : float
        The generator was trained on ``(x - shift) / scale``; samples are mapped back.
    """

    params: dict
    latent_dim: int
    hidden: int
    layers: int
    out_dim: int
    shift: np.ndarray
    scale: float
    _net: object = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        from modecollapse.gan.nets._toy import ToyGenerator

        net = ToyGenerator(1, [torch.Generator()], latent_dim=self.latent_dim, hidden=self.hidden, layers=self.layers,
                           out_dim=self.out_dim)
        with torch.no_grad():
            for name, p in net.named_parameters():
                p.copy_(self.params[name].detach().cpu().reshape(p.shape[1:]).unsqueeze(0))
        object.__setattr__(self, "_net", net)
        object.__setattr__(self, "shift", np.asarray(self.shift, dtype=np.float64))

    @classmethod
    def from_ensemble(cls, ensemble, i: int, *, shift, scale: float) -> "ToyComponent":
        """Member ``i`` of a trained :class:`gan.train.GanEnsemble`."""
        c = ensemble.config
        ps = {k[2:]: v.detach().cpu().clone() for k, v in ensemble.parameters_by_member(i).items() if k.startswith("G.")}
        return cls(ps, c.latent_dim, c.g_hidden, c.g_layers, ensemble.dim, shift, float(scale))

    @torch.no_grad()
    def sample(self, n: int, *, seed: int = 0, chunk: int = 1000) -> np.ndarray:
        """``n`` points (n, d). BatchNorm uses batch statistics, so points are generated in full
        chunks of ``chunk`` rows (the last one truncated) whatever ``n`` is."""
        n = check_integer(n, "n", minimum=0)
        g = torch.Generator().manual_seed(check_integer(seed, "seed", minimum=0))
        out = []
        for _ in range(math.ceil(n / chunk)):
            z = torch.randn(1, chunk, self.latent_dim, generator=g)
            out.append(self._net(z)[0].double().numpy())
        x = np.concatenate(out)[:n] if out else np.zeros((0, self.out_dim))
        return x * self.scale + self.shift

    def state(self) -> dict:
        """Plain tensors and numbers for a checkpoint (inverse: ``ToyComponent(**state)``)."""
        return {"params": self.params, "latent_dim": self.latent_dim, "hidden": self.hidden, "layers": self.layers,
                "out_dim": self.out_dim, "shift": torch.as_tensor(self.shift), "scale": self.scale}


def train_real_vs_model(real, fake, *, hidden: int = 64, steps: int = 500, batch_size: int = 256, lr: float = 1e-3,
                        seeds: Sequence[int] = (0,), device="cpu") -> Callable[[torch.Tensor], torch.Tensor]:
    """Train ``E`` real-vs-model MLP classifiers at once and return their logit function.

    Classifier ``e`` sees ``real[e]`` (label 1) against ``fake[e]`` (label 0) in balanced
    mini-batches of ``batch_size`` each, with the logistic loss and Adam; its optimum is
    ``D* = p_d / (p_d + p_g)``, so ``exp(-logit)`` estimates ``h = dP_g/dP_d``. Networks:
    ``d -> hidden -> hidden -> 1`` with ReLU, stacked with :class:`gan.models.BatchedLinear`.

    Parameters
    ----------
    real : array_like, shape (E, N, d)
    fake : array_like, shape (E, M, d)
    seeds : sequence of int, length E
        One seed per classifier (initialisation and mini-batches).

    Returns
    -------
    callable
        ``logits(x)`` for ``x`` of shape (E, n, d) -> (E, n) tensor (no gradient).
    """
    from modecollapse.gan.nets._toy import BatchedLinear

    real = torch.as_tensor(np.asarray(real), dtype=torch.float32, device=device)
    fake = torch.as_tensor(np.asarray(fake), dtype=torch.float32, device=device)
    if real.dim() != 3 or fake.dim() != 3 or real.shape[0] != fake.shape[0] or real.shape[2] != fake.shape[2]:
        raise ValueError(f"real and fake must have shapes (E, N, d) and (E, M, d); got {tuple(real.shape)}, {tuple(fake.shape)}")
    E, N, d = real.shape
    M = fake.shape[1]
    if len(seeds) != E:
        raise ValueError(f"need one seed per classifier; got {len(seeds)} seeds for E={E}")
    check_integer(steps, "steps", minimum=1)
    gens = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]
    layers = torch.nn.ModuleList([BatchedLinear(E, d, hidden, gens, device=device),
                                  BatchedLinear(E, hidden, hidden, gens, device=device),
                                  BatchedLinear(E, hidden, 1, gens, device=device)])

    def logits(x):
        h = torch.relu(layers[0](x))
        h = torch.relu(layers[1](h))
        return layers[2](h).squeeze(-1)

    opt = torch.optim.Adam(layers.parameters(), lr=lr)
    B = batch_size
    y = torch.cat([torch.ones(E, B, device=device), torch.zeros(E, B, device=device)], 1)
    rows = torch.arange(E, device=device)[:, None]
    for _ in range(steps):
        ir = torch.stack([torch.randint(N, (B,), generator=g, device=device) for g in gens])
        jf = torch.stack([torch.randint(M, (B,), generator=g, device=device) for g in gens])
        x = torch.cat([real[rows, ir], fake[rows, jf]], 1)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits(x), y, reduction="none").mean(1).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()

    @torch.no_grad()
    def predict(x):
        x = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)
        return torch.cat([logits(x[:, i:i + 8192]) for i in range(0, x.shape[1], 8192)], 1)

    return predict


# --------------------------------------------------------------------------------------------
# the coverage experiment of seed 003 (AdaGAN, Section 4.1)
# --------------------------------------------------------------------------------------------

#: Seed 003's coverage table ("AdaGAN: adaptive mixtures of GANs" slide; AdaGAN arXiv 1701.02386,
#: Table 1): median coverage C and the 5%-95% range ("90% interval") over 35 runs, for Gaussian
#: mixtures with 1, 2, 3, 5, 7, 10 modes. Transcribed from /work/shared/seeds/003 (not computed).
PUBLISHED_COVERAGE = {
    "modes": [1, 2, 3, 5, 7, 10],
    "n_runs": 35,
    "source": "seed 003 (Tolstikhin, AdaGAN talk), coverage table; AdaGAN arXiv 1701.02386 Table 1",
    "rows": {
        "Vanilla": [(0.97, 0.9, 1.0), (0.88, 0.4, 1.0), (0.63, 0.5, 1.0), (0.72, 0.5, 0.8), (0.58, 0.4, 0.8), (0.59, 0.2, 0.7)],
        "Best of T (T=3)": [(0.99, 1.0, 1.0), (0.96, 0.9, 1.0), (0.91, 0.7, 1.0), (0.80, 0.7, 0.9), (0.84, 0.7, 0.9), (0.70, 0.6, 0.8)],
        "Best of T (T=10)": [(0.99, 1.0, 1.0), (0.99, 1.0, 1.0), (0.98, 0.8, 1.0), (0.80, 0.8, 0.9), (0.87, 0.8, 0.9), (0.71, 0.7, 0.8)],
        "Ensemble (T=3)": [(0.99, 1.0, 1.0), (0.98, 0.9, 1.0), (0.93, 0.8, 1.0), (0.78, 0.6, 1.0), (0.85, 0.6, 1.0), (0.80, 0.6, 1.0)],
        "Ensemble (T=10)": [(1.00, 1.0, 1.0), (0.99, 1.0, 1.0), (1.00, 1.0, 1.0), (0.91, 0.8, 1.0), (0.88, 0.8, 1.0), (0.89, 0.7, 1.0)],
        "TopKLast0.5 (T=3)": [(0.98, 0.9, 1.0), (0.98, 0.9, 1.0), (0.95, 0.9, 1.0), (0.95, 0.8, 1.0), (0.86, 0.7, 1.0), (0.86, 0.6, 0.9)],
        "TopKLast0.5 (T=10)": [(0.99, 1.0, 1.0), (0.98, 0.9, 1.0), (0.98, 1.0, 1.0), (0.99, 0.8, 1.0), (0.99, 0.8, 1.0), (1.00, 0.8, 1.0)],
        "Boosted (T=3)": [(0.99, 1.0, 1.0), (0.99, 0.9, 1.0), (0.98, 0.9, 1.0), (0.91, 0.8, 1.0), (0.91, 0.8, 1.0), (0.86, 0.7, 1.0)],
        "Boosted (T=10)": [(1.00, 1.0, 1.0)] * 6,
    },
}

_METHOD_LABELS = {"ensemble": "Ensemble", "boosted": "Boosted"}


def _method_label(spec: str, T: int) -> str:
    name, _, arg = spec.partition(":")
    base = _METHOD_LABELS.get(name)
    if base is None:
        base = f"TopKLast{float(arg):g}" if name == "topklast" else f"Constant{float(arg):g}"
    return f"{base} (T={T})"


@dataclass(frozen=True)
class CoverageConfig:
    """Settings of the coverage experiment (see :data:`COVERAGE_PRESETS`).

    Attributes
    ----------
    modes : tuple of int
        Numbers of Gaussian modes (AdaGAN's mixtures ``gmm<k>``).
    n_runs : int
        Runs (seeds ``0..n_runs-1``) per number of modes and method.
    methods : tuple of str
        :func:`divergences.beta_schedule` specs; ``"ensemble"`` also yields the "Vanilla" (its
        first component) and "Best of T" (best single component by coverage) rows.
    n_components : int
        ``T``, the largest mixture size.
    eval_at : tuple of int
        Mixture sizes at which coverage is reported (values above ``n_components`` are dropped).
    steps : int
        GAN training steps per component.
    train : dict
        :class:`gan.train.TrainConfig` fields of the base GAN (PacGAN toy networks).
    m : int
        Packing degree of the base GAN (1 = GAN).
    n_train : int
        Fixed training points per mixture (data seed 0).
    classifier_hidden, classifier_steps, classifier_batch : int; classifier_lr : float
        The real-vs-mixture MLP of :func:`train_real_vs_model`.
    n_pool : int
        Mixture samples the classifier sees as the "model" class.
    n_eval : int
        Model samples and fresh data samples for :func:`divergences.coverage_kde`.
    kind : str; eta : float
        Passed to :func:`divergences.adagan_weights`.
    """

    modes: tuple = (1, 2, 3, 5, 7, 10)
    n_runs: int = 35
    methods: tuple = ("ensemble", "boosted", "topklast:0.5")
    n_components: int = 10
    eval_at: tuple = (1, 3, 10)
    steps: int = 20_000
    train: dict = field(default_factory=lambda: dict(batch_size=100, lr=1e-4, beta1=0.8, beta2=0.999, latent_dim=2,
                                                     g_hidden=400, g_layers=4, d_hidden=200, d_layers=3, d_pieces=5))
    m: int = 1
    n_train: int = 100_000
    classifier_hidden: int = 64
    classifier_steps: int = 2000
    classifier_batch: int = 256
    classifier_lr: float = 1e-3
    n_pool: int = 20_000
    n_eval: int = 5000
    kind: str = "star"
    eta: float = 0.0

    def __post_init__(self):
        modes = tuple(int(k) for k in self.modes)
        if not modes or min(modes) < 1 or max(modes) > 10:
            raise ValueError(f"modes must be numbers in 1..10; got modes={self.modes!r}")
        object.__setattr__(self, "modes", modes)
        methods = tuple(self.methods)
        for spec in methods:
            beta_schedule(spec)  # validates
        if not methods:
            raise ValueError("methods must name at least one schedule")
        object.__setattr__(self, "methods", methods)
        for name in ("n_runs", "n_components", "steps", "m", "n_train", "classifier_hidden", "classifier_steps",
                     "classifier_batch", "n_pool", "n_eval"):
            check_integer(getattr(self, name), name, minimum=1)
        object.__setattr__(self, "eval_at", tuple(sorted({int(t) for t in self.eval_at if 1 <= int(t) <= self.n_components})))
        from modecollapse.gan.train._ensemble import TrainConfig

        TrainConfig.from_dict(dict(self.train))  # validates the base GAN fields

    def replace(self, **changes) -> "CoverageConfig":
        return replace(self, **changes)

    def spec(self) -> dict:
        d = asdict(self)
        d["modes"], d["methods"], d["eval_at"] = list(self.modes), list(self.methods), list(self.eval_at)
        return d


#: ``paper``: seed 003's protocol (35 runs, T up to 10, modes 1..10) with the PacGAN toy GAN of
#: ``gan.presets`` as base learner and 20,000 steps per component (our reading; the paper's own
#: networks and step counts are in its released code); meant for a GPU. ``cpu``: 2 runs, modes
#: 1, 2, 3, 5, 7, 10, T = 3 (evaluated at 1 and 3), narrow networks, 300 steps per component,
#: 10,000 training points: about 15-20 minutes on a busy 2-core machine. ``smoke``: a code-path check (tests, figure
#: fallback) whose numbers mean nothing.
COVERAGE_PRESETS: dict[str, CoverageConfig] = {
    "paper": CoverageConfig(),
    "cpu": CoverageConfig(
        n_runs=2, n_components=3, eval_at=(1, 3), steps=300, n_train=10_000,
        train=dict(batch_size=100, lr=1e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=64, g_layers=3,
                   d_hidden=64, d_layers=2, d_pieces=5),
        classifier_steps=300, n_pool=5000, n_eval=1500,
    ),
    "smoke": CoverageConfig(
        modes=(1, 3), n_runs=2, n_components=3, eval_at=(1, 3), steps=60, n_train=2000,
        train=dict(batch_size=64, lr=2e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=16, g_layers=2,
                   d_hidden=16, d_layers=2, d_pieces=3),
        classifier_hidden=16, classifier_steps=60, classifier_batch=128, n_pool=1000, n_eval=500,
    ),
}


def coverage_preset(name: str) -> CoverageConfig:
    """The :class:`CoverageConfig` of preset ``name`` (``paper``, ``cpu`` or ``smoke``)."""
    if not isinstance(name, str) or name not in COVERAGE_PRESETS:
        raise ValueError(f"preset must be one of {sorted(COVERAGE_PRESETS)}; got preset={name!r}")
    return COVERAGE_PRESETS[name]


CHECKPOINT_FORMAT = "modecollapse.gan.adagan/1"


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
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def _checkpoint_payload(config: CoverageConfig, t: int, runs: list) -> dict:
    return {
        "format": CHECKPOINT_FORMAT,
        "spec_json": json.dumps(config.spec(), sort_keys=True),
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


def _quantiles(values) -> dict:
    v = np.asarray(values, dtype=float)
    return {"median": float(np.median(v)), "q05": float(np.quantile(v, 0.05)), "q95": float(np.quantile(v, 0.95)),
            "n": int(v.size)}


def _summarise(config: CoverageConfig, runs: list) -> dict:
    """Rows like seed 003's table: label -> {modes k: median, 5% and 95% quantiles over runs}."""
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
                            log: Callable[[str], None] = print) -> dict:
    """Seed 003's coverage experiment: AdaGAN schedules on Gaussian mixtures with 1..10 modes.

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
    ``(seed, t)``). The results (per run and summarised as median and 5-95% range, like seed
    003's table, beside :data:`PUBLISHED_COVERAGE`) go to ``<out_dir>/adagan_results.json``.

    Returns
    -------
    dict
        The results written to the JSON file.
    """
    from modecollapse.gan.experiments._io import atomic_write_text
    from modecollapse.gan.data._mixtures import adagan_gmm
    from modecollapse.gan.train._ensemble import GanEnsemble, TrainConfig, resolve_device

    if not isinstance(config, CoverageConfig):
        raise TypeError(f"config must be a CoverageConfig; got {type(config).__name__}")
    dev = resolve_device(device)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write_probe"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(f"out_dir {out} is not a writable folder ({exc})") from exc
    ckpt = out / "adagan_checkpoint.pt"
    results_path = out / "adagan_results.json"
    payload = None
    if ckpt.exists() or results_path.exists():
        if not resume:
            raise FileExistsError(f"{out} already holds an AdaGAN run; pass resume=True (--resume) or another folder")
        if ckpt.exists():
            try:
                payload = torch.load(ckpt, map_location="cpu", weights_only=True)
            except Exception as exc:
                raise ValueError(f"checkpoint {ckpt} is corrupt ({type(exc).__name__}: {exc})") from exc
            if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(f"{ckpt} is not an AdaGAN checkpoint")
            stored = json.loads(payload["spec_json"])
            if stored != json.loads(json.dumps(config.spec(), sort_keys=True)):
                diff = sorted(k for k in stored if stored.get(k) != config.spec().get(k))
                raise ValueError(f"checkpoint {ckpt} was written for other settings (differs in {diff})")

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

    for t in range(t_done + 1, config.n_components + 1):
        tr = time.perf_counter()
        # 1. classifier of data vs current mixture, batched over the runs that reweight
        need = [r for r in runs if r.state.needs_classifier]
        logits = {}
        if need:
            real = np.stack([std_pts[r.k] for r in need])
            fake = np.stack([(r.state.mixture().sample(config.n_pool, seed=_derived_seed(r.seed, t, 7)) - shift[r.k])
                             / scale[r.k] for r in need])
            predict = train_real_vs_model(real, fake, hidden=config.classifier_hidden, steps=config.classifier_steps,
                                          batch_size=config.classifier_batch, lr=config.classifier_lr,
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
        every = max(1, config.steps // 4)

        def progress(e, _n=len(members)):
            if e.step % every == 0:
                log(f"[adagan] component {t}/{config.n_components}: step {e.step}/{config.steps} "
                    f"({_n} GANs in one batched ensemble)")

        ens.train(config.steps, callback=progress)
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
                c = coverage_kde(r.state.mixture().sample(config.n_eval, seed=_derived_seed(r.seed, t, 12)), eval_data[r.k])
                r.coverage[t] = [c.coverage, c.lower, c.upper]
        _save(ckpt, _checkpoint_payload(config, t, runs))
        log(f"[adagan] component {t}/{config.n_components} done for {len(runs)} runs "
            f"({time.perf_counter() - tr:.1f} s; checkpoint {ckpt.name})")

    summary = _summarise(config, runs)
    result = {
        "experiment": "adagan_coverage",
        "preset": preset,
        "config": config.spec(),
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
        "torch": torch.__version__,
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
    atomic_write_text(results_path, json.dumps(result, indent=1))
    log(f"[adagan] results: {results_path}")
    return result
