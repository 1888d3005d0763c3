"""Torch modules of stacked MNIST: the digit classifier and the DCGAN-style pair (PacGAN packing).

Two pairs: :class:`StackedGenerator` / :class:`StackedDiscriminator` follow Radford et al. (2016)
(the VEEGAN setting, PacGAN Table 2); :class:`MetzGenerator` / :class:`MetzDiscriminator` are the
small pair of the Unrolled-GAN paper's stacked-MNIST experiment (Metz et al. 2017, Appendix; PacGAN
Table 3), whose discriminator is built at 1/4 or 1/2 of its full filters. Both at 28 x 28 or
14 x 14; every packed discriminator takes ``m`` stacked images on the channel axis (PacGAN, arXiv
1712.04086, Section 5.2). Images are in [0, 1] everywhere (the digit classifier's range).
Initialisation: :func:`init_parameters` draws every weight from a passed
``torch.Generator`` with torch's default rules (no global seed).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from modecollapse.divergences._validation import check_integer

__all__ = ["DigitClassifier", "StackedGenerator", "StackedDiscriminator", "MetzGenerator", "MetzDiscriminator",
           "init_parameters"]


def init_parameters(module: nn.Module, generator: torch.Generator) -> nn.Module:
    """Re-draw the weights of every Linear / Conv2d / ConvTranspose2d of ``module`` from ``generator``.

    The rules are torch's defaults (``kaiming_uniform_(a=sqrt(5))`` for weights, ``U(-1/sqrt(fan_in),
    1/sqrt(fan_in))`` for biases) in module order, so a generator seeded with ``s`` gives exactly
    the weights that ``torch.manual_seed(s)`` followed by construction gives.
    """
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
            if m.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(m.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                nn.init.uniform_(m.bias, -bound, bound, generator=generator)
    return module


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
    axis, PacGAN packing), strided convolutions with LeakyReLU(0.2), one logit out.

    ``channels`` (default ``(width, 2 * width)``) are the convolutions' output channels; at 14 px
    only the first is used (one down-sampling). ``batchnorm=False`` drops the BatchNorm layers (a
    WGAN-GP critic: the penalty is per sample, which batch statistics would couple; Gulrajani et
    al. 2017, Section 4).
    """

    def __init__(self, *, m: int = 1, width: int = 64, image_size: int = 28, channels=None, batchnorm: bool = True):
        super().__init__()
        if image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
        self.m = check_integer(m, "m", minimum=1)
        w = check_integer(width, "width", minimum=1)
        chans = _channels(channels, (w, 2 * w))
        downs = int(math.log2(image_size // 7))
        layers: list[nn.Module] = [nn.Conv2d(3 * m, chans[0], 4, 2, 1), nn.LeakyReLU(0.2)]
        ch = chans[0]
        for k in range(downs - 1):
            layers += [nn.Conv2d(ch, chans[k + 1], 4, 2, 1)]
            layers += [nn.BatchNorm2d(chans[k + 1])] if batchnorm else []
            layers += [nn.LeakyReLU(0.2)]
            ch = chans[k + 1]
        layers += [nn.Flatten(), nn.Linear(ch * 49, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != 3 * self.m:
            raise ValueError(f"packed input must have shape (n, {3 * self.m}, s, s); got {tuple(x.shape)}")
        return self.net(x).squeeze(1)


def _channels(channels, default) -> tuple[int, ...]:
    if channels is None:
        return tuple(default)
    chans = tuple(channels)
    if len(chans) != len(default):
        raise ValueError(f"channels must list {len(default)} channel counts; got channels={channels!r}")
    for c in chans:
        check_integer(c, "channels", minimum=1)
    return chans


#: The full discriminator filters of the Unrolled-GAN stacked-MNIST pair; PacGAN Table 3 uses 1/4
#: (2, 4, 8) and 1/2 (4, 8, 16) of them.
METZ_D_FULL = (8, 16, 32)


class MetzGenerator(nn.Module):
    """The Unrolled-GAN paper's stacked-MNIST generator (Metz et al. 2017, Appendix; PacGAN Table 3).

    ``z -> Linear -> 4 x 4 x 64`` (BN, ReLU), transposed convolutions 3 x 3 / 2 to 7 x 7 x 32,
    14 x 14 x 16 and (at 28 px) 28 x 28 x 8, each with BN and ReLU, then a 3 x 3 / 1 convolution to
    3 channels and tanh. The output is ``(tanh + 1) / 2`` in [0, 1]: the published [-1, 1] image
    composed with the affine map onto the classifier's range; :class:`MetzDiscriminator` maps it
    back first, so the pair computes exactly the published functions. At 14 px the last
    up-sampling is left out (a reduction of ours).
    """

    def __init__(self, *, latent_dim: int = 256, image_size: int = 28):
        super().__init__()
        if image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
        self.latent_dim = check_integer(latent_dim, "latent_dim", minimum=1)
        self.fc = nn.Sequential(nn.Linear(latent_dim, 64 * 16), nn.BatchNorm1d(64 * 16), nn.ReLU())
        chans = (64, 32, 16, 8) if image_size == 28 else (64, 32, 16)
        layers: list[nn.Module] = []
        for k, (a, b) in enumerate(zip(chans[:-1], chans[1:])):
            # 4 -> 7 (output_padding 0), 7 -> 14 and 14 -> 28 (output_padding 1)
            layers += [nn.ConvTranspose2d(a, b, 3, 2, 1, output_padding=0 if k == 0 else 1), nn.BatchNorm2d(b), nn.ReLU()]
        layers += [nn.Conv2d(chans[-1], 3, 3, 1, 1), nn.Tanh()]
        self.deconv = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return 0.5 * (self.deconv(self.fc(z).view(z.shape[0], 64, 4, 4)) + 1.0)


class MetzDiscriminator(nn.Module):
    """The Unrolled-GAN paper's stacked-MNIST discriminator, packed (PacGAN Table 3).

    Input ``(n, 3m, s, s)`` in [0, 1], mapped to [-1, 1] (``2x - 1``, the published data range);
    three 3 x 3 / 2 convolutions with ``channels`` filters (default the full ``(8, 16, 32)``; Table 3
    uses ``(2, 4, 8)`` and ``(4, 8, 16)``), each with BN and LeakyReLU(0.3), then a linear layer to
    one logit. ``batchnorm=False`` drops the BatchNorm layers (WGAN-GP).
    """

    def __init__(self, *, m: int = 1, image_size: int = 28, channels=METZ_D_FULL, batchnorm: bool = True):
        super().__init__()
        if image_size not in (28, 14):
            raise ValueError(f"image_size must be 28 or 14; got image_size={image_size!r}")
        self.m = check_integer(m, "m", minimum=1)
        chans = _channels(channels, METZ_D_FULL)
        layers: list[nn.Module] = []
        ch, side = 3 * m, image_size
        for c in chans:
            layers += [nn.Conv2d(ch, c, 3, 2, 1)]
            layers += [nn.BatchNorm2d(c)] if batchnorm else []
            layers += [nn.LeakyReLU(0.3)]
            ch, side = c, (side + 1) // 2
        layers += [nn.Flatten(), nn.Linear(ch * side * side, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != 3 * self.m:
            raise ValueError(f"packed input must have shape (n, {3 * self.m}, s, s); got {tuple(x.shape)}")
        return self.net(2.0 * x - 1.0).squeeze(1)
