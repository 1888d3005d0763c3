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
                 out_dim: int = 2, device=None, fused: bool = False):
        super().__init__()
        self.n_members, self.latent_dim, self.out_dim = n_members, latent_dim, out_dim
        #: Opt-in fast CPU path (:func:`_bn_relu`, bias fused into the last matmul); same parameters,
        #: same function up to float rounding (not bit-identical to the default path).
        self.fused = bool(fused)
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
        if self.fused:
            E, n = z.shape[0], z.shape[1]
            if n % chunks:
                raise ValueError(f"number of rows {n} is not a multiple of chunks={chunks}")
            for lin, bn in zip(self.linears, self.norms):
                h = _bn_relu(torch.bmm(h, lin.weight), bn.weight, bn.bias, chunks, bn.eps)
            return torch.baddbmm(self.out.bias, h, self.out.weight)
        for lin, bn in zip(self.linears, self.norms):
            h = torch.relu(bn(lin(h), chunks))
        return self.out(h)


class MaxoutDiscriminator(nn.Module):
    """``E`` maxout discriminators: input (E, B, in_dim) -> [maxout x layers] -> Linear -> (E, B) logits."""

    def __init__(self, n_members: int, in_dim: int, gens, *, hidden: int = 200, layers: int = 3, pieces: int = 5,
                 device=None, fused: bool = False):
        super().__init__()
        self.n_members, self.in_dim, self.hidden, self.pieces = n_members, in_dim, hidden, pieces
        #: Opt-in fast CPU path (:func:`_maxout_linear`): same parameters (same layout), same function
        #: up to float rounding of the matmul + bias (not bit-identical to the default path).
        self.fused = bool(fused)
        #: Fused path only: the graph of every call is differentiated at most once (first order or
        #: with ``create_graph``), so the maxout backward may overwrite its saved activations
        #: (:class:`_MaxoutPieceMajor`); set by the merged engine, off by default (a second backward,
        #: e.g. ``gradcheck``'s, would fail).
        self.single_backward = False
        widths = [in_dim] + [hidden] * layers
        self.linears = nn.ModuleList(BatchedLinear(n_members, a, b * pieces, gens, device=device)
                                     for a, b in zip(widths[:-1], widths[1:]))
        self.out = BatchedLinear(n_members, widths[-1], 1, gens, device=device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        if self.fused:
            for lin in self.linears:
                h = _maxout_linear(h, lin.weight, lin.bias, self.pieces, self.single_backward)
            return torch.baddbmm(self.out.bias, h, self.out.weight).squeeze(-1)
        for lin in self.linears:
            # Unit u's pieces are the columns u*pieces ... u*pieces + pieces - 1.
            h = maxout(lin(h), self.pieces)
        return self.out(h).squeeze(-1)


class _Maxout(torch.autograd.Function):
    """``amax`` over groups of ``pieces`` adjacent columns, with ``amax``'s own gradient computed in fewer passes.

    Forward: ``y.reshape(..., units, pieces).amax(-1)`` (exact: a maximum rounds nothing). Backward:
    PyTorch's rule for ``amax`` -- the incoming gradient split evenly among the tied maxima,
    ``(g / count) * mask`` with ``mask = (y == max)`` and ``count = mask.sum(-1)`` -- with the same
    operations on the same values (``count`` summed in float32: small integers, exact), so the
    result is bit-for-bit that of autograd's ``AmaxBackward`` (tested, ties included); autograd's
    version sums the boolean mask through an int64 cast, which dominated the discriminator's
    backward pass on CPU.
    """

    @staticmethod
    def forward(ctx, y, pieces):
        v = y.reshape(*y.shape[:-1], y.shape[-1] // pieces, pieces)
        out = v.amax(dim=-1)
        ctx.save_for_backward(v, out)
        ctx.y_shape = y.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        v, out = ctx.saved_tensors
        mask = (v == out.unsqueeze(-1)).to(grad.dtype)
        count = mask.sum(dim=-1, keepdim=True)
        return ((grad.unsqueeze(-1) / count) * mask).reshape(ctx.y_shape), None


def maxout(y: torch.Tensor, pieces: int) -> torch.Tensor:
    """Maxout units: ``(..., units * pieces) -> (..., units)``, the maximum of each ``pieces`` adjacent columns.

    Equal, values and gradients bit for bit, to ``y.reshape(..., units, pieces).amax(-1)`` under
    autograd (Goodfellow et al. 2013's maxout; the PacGAN toy discriminator's unit).
    """
    if y.shape[-1] % pieces:
        raise ValueError(f"the last axis ({y.shape[-1]}) is not a multiple of pieces={pieces}")
    return _Maxout.apply(y, pieces)


# ----------------------------------------------------------------------------- opt-in fused CPU path
# The default path above is what every committed result was trained with and stays bit for bit as
# it was. The functions below compute the same functions with fewer and cheaper passes over memory
# (on a CPU the toy networks are bound by elementwise passes and per-op overhead, not by the
# matmuls); they round differently, so a run with them is a different (equally valid) trajectory.


class _BNReLU(torch.autograd.Function):
    """``relu(BatchNorm(x))`` per chunk, with a hand-written backward (first order only).

    Forward: per member and chunk, ``mean`` and the biased variance over the chunk's rows (two plain
    sums: ``var = mean((x - mean)^2)``, exact in real arithmetic, evaluated in float32 like
    ``torch.var_mean`` but in another order), ``xhat = (x - mean) / sqrt(var + eps)``,
    ``y = relu(gamma * xhat + beta)``. Backward: the standard BatchNorm gradient, with ``g`` the
    incoming gradient masked by ``y > 0`` and ``S1 = sum_rows g``, ``S2 = sum_rows g * xhat`` per
    chunk: ``dx = gamma / sqrt(var + eps) * (g - (S1 + xhat * S2) / n)``, ``dbeta = sum S1``,
    ``dgamma = sum S2``.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, chunks, eps):
        E, n, C = x.shape
        xc = x.reshape(E, chunks, n // chunks, C)
        mean = xc.mean(dim=2, keepdim=True)
        d = xc - mean
        rstd = (d * d).mean(dim=2, keepdim=True).add_(eps).rsqrt_()
        xhat = d.mul_(rstd)
        y = torch.addcmul(bias, xhat, weight).clamp_min_(0.0)
        ctx.save_for_backward(xhat, y, rstd, weight)
        return y.reshape(E, n, C)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        xhat, y, rstd, weight = ctx.saved_tensors
        E, chunks, rows, C = xhat.shape
        g = torch.ops.aten.threshold_backward(grad.reshape(y.shape), y, 0.0)
        s1 = g.sum(dim=2, keepdim=True)
        s2 = (g * xhat).sum(dim=2, keepdim=True)
        dx = torch.addcmul(s1, xhat, s2).mul_(-1.0 / rows).add_(g).mul_(weight * rstd)
        return dx.reshape(E, chunks * rows, C), s2.sum(dim=1, keepdim=True), s1.sum(dim=1, keepdim=True), None, None


def _bn_relu(x, weight, bias, chunks: int, eps: float):
    """``relu(BatchedBatchNorm(x, chunks))`` of the fused path (:class:`_BNReLU`)."""
    return _BNReLU.apply(x, weight, bias, chunks, eps)


class _MaxoutPieceMajor(torch.autograd.Function):
    """Maxout over axis -2 of ``(..., pieces, units)`` (pieces outermost: the maximum is a
    contiguous, vectorised pass); gradient split evenly among tied maxima, like ``amax``."""

    @staticmethod
    def forward(ctx, y, consume: bool = False):
        out = y.amax(dim=-2, keepdim=True)
        ctx.save_for_backward(y, out)
        ctx.consume = consume
        return out.squeeze(-2)

    @staticmethod
    def backward(ctx, grad):
        y, out = ctx.saved_tensors
        # consume=True (a graph that is differentiated once, the merged engine's): a first-order
        # backward overwrites y with its gradient (nothing else reads y: the matmul that made it
        # saves its inputs; a second backward through this graph fails loudly on y's version
        # counter); under create_graph (unrolled GAN) y is kept and the product is differentiable
        inplace = ctx.consume and not torch.is_grad_enabled()
        with torch.no_grad():
            # 1 where y attains the maximum, 0 below it (y <= out): sign(y - out) + 1, in float
            # arithmetic (a bool mask and its cast cost several times more on CPU)
            mask = (y.sub_(out) if inplace else torch.sub(y, out)).sign_().add_(1.0)
            # without ties (every unit has one maximum: the mask sums to the number of units, a sum
            # of 0/1 values that float32 holds exactly below 2**24) the split ``g / 1`` is ``g``:
            # the same values without the per-unit count and division
            units = mask.numel() // mask.shape[-2]
            tied = mask.numel() >= 2 ** 24 or int(mask.sum()) != units
            count = mask.sum(dim=-2, keepdim=True) if tied else None
        g = grad.unsqueeze(-2)
        if count is not None:
            g = g / count
        return (mask.mul_(g) if inplace else mask * g), None


def _maxout_linear(h, weight, bias, pieces: int, consume: bool = False):
    """``maxout(h @ W + b)`` of the fused path, for the default (unit-major) layout of ``W``, ``b``.

    The columns are reordered piece-major (column ``u * pieces + p`` -> ``p * units + u``; a small
    copy of the weights) so that the maximum over pieces runs over contiguous rows
    (:class:`_MaxoutPieceMajor`); the bias is added inside the matmul (``baddbmm``).
    """
    E, k, cols = weight.shape
    units = cols // pieces
    w = weight.reshape(E, k, units, pieces).transpose(-1, -2).reshape(E, k, cols)
    b = bias.reshape(E, 1, units, pieces).transpose(-1, -2).reshape(E, 1, cols)
    y = torch.baddbmm(b, h, w)
    return _MaxoutPieceMajor.apply(y.reshape(*y.shape[:-1], pieces, units), consume)


def _keep_freed_memory() -> None:
    """Ask glibc's allocator to keep freed memory for reuse (trim and mmap thresholds at 1 GiB).

    The merged fused path (``gan.train._ensemble._Merged``) allocates and frees tensors of a few
    MiB many times per step; with glibc's default dynamic thresholds each of them comes back
    from the kernel as fresh pages (thousands of page faults per training step, ~10% of a step's
    CPU time, measured). A process-wide setting that changes no value (only where memory comes
    from); a no-op where the C library has no ``mallopt`` (not glibc).
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    mallopt(M_TRIM_THRESHOLD, 1 << 30)
    mallopt(M_MMAP_THRESHOLD, 1 << 30)


def _alias_stack(merged: nn.Module, parts) -> None:
    """Make the members of ``parts`` (modules of ``merged``'s class, ``n_j`` members each, in this
    order) the consecutive member slices of ``merged`` (``sum n_j`` members), sharing its memory.

    Each part's parameter values are copied into ``merged``'s (a part's parameter may be smaller in
    the non-member axes: it fills the leading corner and the rest is zero, e.g. the first-layer
    rows of a discriminator whose input is narrower than ``merged``'s), then every parameter of
    every part is replaced by a view of that slice (an ``nn.Parameter`` sharing ``merged``'s
    storage): an in-place update of ``merged`` (the optimiser step) is seen by the parts, and
    ``load_state_dict`` on a part writes into ``merged``. The parts keep their own forward (the
    default path), so sampling and the checkpoint layout are those of the parts.
    """
    big = dict(merged.named_parameters())
    start = 0
    with torch.no_grad():
        for p in big.values():
            p.zero_()
        for part in parts:
            n = None
            for name, p in list(part.named_parameters()):
                dst = big[name]
                if p.dim() != dst.dim() or any(a > b for a, b in zip(p.shape[1:], dst.shape[1:])):
                    raise ValueError(f"parameter {name} of shape {tuple(p.shape)} does not fit into {tuple(dst.shape)}")
                n = p.shape[0]
                where = (slice(start, start + n),) + tuple(slice(0, k) for k in p.shape[1:])
                dst[where].copy_(p)
                owner, _, attr = name.rpartition(".")
                part.get_submodule(owner)._parameters[attr] = nn.Parameter(dst.detach()[where],
                                                                            requires_grad=p.requires_grad)
            start += n
    n_members = next(iter(big.values())).shape[0]
    if start != n_members:
        raise ValueError(f"the parts hold {start} members, the merged module {n_members}")


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
