"""Batched PacGAN toy networks: ``E`` independent models evaluated by grouped matmuls.

Every parameter has a leading member axis ``E``; a layer computes ``y[e] = x[e] @ W[e] + b[e]``
for all members at once with :func:`torch.baddbmm` (one kernel instead of ``E``). Members never
mix: the loss of member ``e`` depends on its own slice only, so an elementwise optimiser (Adam)
on the stacked tensors is exactly ``E`` independent optimisers.

Architecture (PacGAN arXiv 1712.04086, Section 5.1 / Appendix, docs/theory.md s.6):

* generator ``G``: ``z in R^{latent_dim}`` (``latent_dim = 2``, standard normal, as PacGAN's toy
  code) ``-> [Linear, BatchNorm, ReLU] x 4`` (400 units) ``-> Linear -> R^2``;
* discriminator ``D``: input the ``m`` packed samples concatenated on the feature axis (width
  ``2m``) ``-> [maxout Linear, 5 pieces] x 3`` (200 units) ``-> Linear -> 1`` logit.

Packing order (tested): ``G`` is called ``m`` times with independent latent batches of size ``B``;
the call outputs are stacked call-major, ``x[:, c*B + j]`` = sample ``j`` of call ``c``, and
:func:`pack` turns them into ``packed[:, j] = concat(x[:, j], x[:, B + j], ..., x[:, (m-1)B + j])``.
BatchNorm statistics are per call (per chunk of ``B`` rows), so one batched forward over ``m*B``
rows equals ``m`` separate generator calls.

The generator's Linear layers that feed a BatchNorm have no bias (it would be cancelled by the
mean subtraction; same function class as PacGAN's).

Initialisation: PyTorch's ``nn.Linear`` default, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for weights
and biases (the bias draw is made even for bias-free layers, to keep the draw order simple), drawn per member from that member's own ``torch.Generator`` (so a member's values do
not depend on which other members share the ensemble).
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["BatchedLinear", "BatchedBatchNorm", "ToyGenerator", "MaxoutDiscriminator", "pack", "unpack"]


def _check_gens(gens, n_members: int):
    if len(gens) != n_members:
        raise ValueError(f"need one torch.Generator per member; got {len(gens)} for {n_members} members")


class BatchedLinear(nn.Module):
    """``E`` independent affine maps ``R^in -> R^out``: weight (E, in, out), bias (E, 1, out)."""

    def __init__(self, n_members: int, in_features: int, out_features: int, gens, *, bias: bool = True,
                 device=None):
        super().__init__()
        _check_gens(gens, n_members)
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(n_members, in_features, out_features, device=device))
        self.bias = nn.Parameter(torch.empty(n_members, 1, out_features, device=device)) if bias else None
        bound = 1.0 / math.sqrt(in_features)
        with torch.no_grad():
            for e, g in enumerate(gens):
                # Draw on the generator's device, in (out, in) order like nn.Linear, then transpose.
                w = torch.rand(out_features, in_features, generator=g, device=g.device) * (2 * bound) - bound
                b = torch.rand(out_features, generator=g, device=g.device) * (2 * bound) - bound
                self.weight[e].copy_(w.t())
                if self.bias is not None:
                    self.bias[e, 0].copy_(b)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x``: (E, n, in) -> (E, n, out)."""
        if self.bias is None:
            return torch.bmm(x, self.weight)
        return torch.bmm(x, self.weight) + self.bias


class BatchedBatchNorm(nn.Module):
    """Per-member BatchNorm over the rows of each chunk, with affine scale/shift per member.

    ``y = gamma * (x - mean) / sqrt(var + eps) + beta`` with the biased batch variance, statistics
    taken over the ``n / chunks`` rows of each chunk (a chunk = one generator call). No running
    averages are kept: sampling also uses batch statistics (over the evaluation batch).
    """

    def __init__(self, n_members: int, features: int, *, eps: float = 1e-5, device=None):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_members, 1, 1, features, device=device))
        self.bias = nn.Parameter(torch.zeros(n_members, 1, 1, features, device=device))

    def forward(self, x: torch.Tensor, chunks: int = 1) -> torch.Tensor:
        """``x``: (E, n, C) with ``n`` divisible by ``chunks``."""
        E, n, C = x.shape
        xc = x.reshape(E, chunks, n // chunks, C)
        var, mean = torch.var_mean(xc, dim=2, keepdim=True, correction=0)
        y = (xc - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias
        return y.reshape(E, n, C)


class ToyGenerator(nn.Module):
    """``E`` PacGAN toy generators: latent -> [Linear, BN, ReLU] x layers -> Linear -> out_dim."""

    def __init__(self, n_members: int, gens, *, latent_dim: int = 2, hidden: int = 400, layers: int = 4,
                 out_dim: int = 2, device=None):
        super().__init__()
        self.n_members, self.latent_dim, self.out_dim = n_members, latent_dim, out_dim
        widths = [latent_dim] + [hidden] * layers
        # No bias before BatchNorm: BN subtracts the batch mean, so such a bias has zero gradient and
        # Adam would only amplify its round-off noise (it is redundant, not a change of model).
        self.linears = nn.ModuleList(BatchedLinear(n_members, a, b, gens, bias=False, device=device)
                                     for a, b in zip(widths[:-1], widths[1:]))
        self.norms = nn.ModuleList(BatchedBatchNorm(n_members, hidden, device=device) for _ in range(layers))
        self.out = BatchedLinear(n_members, widths[-1], out_dim, gens, device=device)

    def forward(self, z: torch.Tensor, chunks: int = 1) -> torch.Tensor:
        """``z``: (E, n, latent_dim) -> (E, n, out_dim); BatchNorm per chunk of ``n / chunks`` rows."""
        h = z
        for lin, bn in zip(self.linears, self.norms):
            h = torch.relu(bn(lin(h), chunks))
        return self.out(h)


class MaxoutDiscriminator(nn.Module):
    """``E`` maxout discriminators: input (E, B, in_dim) -> [maxout x layers] -> Linear -> (E, B) logits."""

    def __init__(self, n_members: int, in_dim: int, gens, *, hidden: int = 200, layers: int = 3, pieces: int = 5,
                 device=None):
        super().__init__()
        self.n_members, self.in_dim, self.hidden, self.pieces = n_members, in_dim, hidden, pieces
        widths = [in_dim] + [hidden] * layers
        self.linears = nn.ModuleList(BatchedLinear(n_members, a, b * pieces, gens, device=device)
                                     for a, b in zip(widths[:-1], widths[1:]))
        self.out = BatchedLinear(n_members, widths[-1], 1, gens, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        for lin in self.linears:
            y = lin(h)
            # Unit u's pieces are the columns u*pieces ... u*pieces + pieces - 1.
            h = y.reshape(*y.shape[:-1], self.hidden, self.pieces).amax(dim=-1)
        return self.out(h).squeeze(-1)


def pack(x: torch.Tensor, m: int) -> torch.Tensor:
    """Concatenate ``m`` call-major sample blocks on the feature axis.

    ``x``: (E, m*B, d) where rows ``c*B .. c*B + B - 1`` come from call (or data draw) ``c``.
    Returns (E, B, m*d) with ``out[:, j, c*d:(c+1)*d] = x[:, c*B + j]``.
    """
    E, n, d = x.shape
    if n % m:
        raise ValueError(f"number of rows {n} is not a multiple of m={m}")
    return x.reshape(E, m, n // m, d).transpose(1, 2).reshape(E, n // m, m * d)


def unpack(p: torch.Tensor, m: int) -> torch.Tensor:
    """Inverse of :func:`pack`: (E, B, m*d) -> (E, m*B, d)."""
    E, B, md = p.shape
    return p.reshape(E, B, m, md // m).transpose(1, 2).reshape(E, m * B, md // m)
