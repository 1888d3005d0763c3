"""Batched ReLU MLPs: the small networks of the VEEGAN / Unrolled GAN 2-D experiments.

The Unrolled GAN reference code and VEEGAN's 2-D experiments use plain MLPs with two hidden layers
of 128 ReLU units for the generator and the discriminator (Metz et al. 2017, appendix; VEEGAN
poster; the public record of VEEGAN's exact sizes is uncertain). Here they are batched over ``E``
members exactly like the PacGAN pair of :mod:`._toy` (grouped matmuls, :class:`BatchedLinear`
initialised per member from that member's own ``torch.Generator`` with ``nn.Linear``'s default
``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``; the reference notebook's orthogonal initialisation is not
reproduced). No BatchNorm: ``chunks`` is accepted for the generator's interface and ignored.
"""

from __future__ import annotations

import torch
from torch import nn

from modecollapse.gan.nets._toy import BatchedLinear

__all__ = ["MLPGenerator", "MLPDiscriminator"]


class _MLP(nn.Module):
    def __init__(self, n_members: int, in_dim: int, out_dim: int, gens, *, hidden: int, layers: int, device=None):
        super().__init__()
        self.n_members, self.in_dim, self.out_dim = n_members, in_dim, out_dim
        widths = [in_dim] + [hidden] * layers
        self.linears = nn.ModuleList(BatchedLinear(n_members, a, b, gens, device=device)
                                     for a, b in zip(widths[:-1], widths[1:]))
        self.out = BatchedLinear(n_members, widths[-1], out_dim, gens, device=device)

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for lin in self.linears:
            h = torch.relu(lin(h))
        return self.out(h)


class MLPGenerator(_MLP):
    """``E`` generators ``z -> [Linear, ReLU] x layers -> Linear -> R^out_dim``."""

    def __init__(self, n_members: int, gens, *, latent_dim: int = 2, hidden: int = 128, layers: int = 2,
                 out_dim: int = 2, device=None):
        super().__init__(n_members, latent_dim, out_dim, gens, hidden=hidden, layers=layers, device=device)
        self.latent_dim = latent_dim

    def forward(self, z: torch.Tensor, chunks: int = 1) -> torch.Tensor:
        """``z``: (E, n, latent_dim) -> (E, n, out_dim); ``chunks`` is ignored (no BatchNorm)."""
        return self._forward(z)


class MLPDiscriminator(_MLP):
    """``E`` discriminators ``(E, B, in_dim) -> [Linear, ReLU] x layers -> Linear -> (E, B)`` logits."""

    def __init__(self, n_members: int, in_dim: int, gens, *, hidden: int = 128, layers: int = 2, device=None):
        super().__init__(n_members, in_dim, 1, gens, hidden=hidden, layers=layers, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._forward(x).squeeze(-1)
