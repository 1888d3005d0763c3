"""Small MLP critics: discriminators, f-GAN witnesses and WGAN critics of the cross-checks.

One builder, :func:`mlp_critic`: ``depth`` hidden ``[Linear, LeakyReLU(0.2)]`` layers of width
``hidden``, then ``Linear -> 1``. A packed critic takes ``m`` samples concatenated on the feature
axis (input width ``m * d``; the layout of :func:`gan.nets.pack`: block ``c`` of the features is
draw ``c``).

Initialisation: ``nn.Linear``'s default (``kaiming_uniform_(a=sqrt(5))`` on the weight, then
``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` on the bias, layer by layer; the package's one
``init_parameters``), drawn from the passed ``torch.Generator`` only: the layers are built on the
``meta`` device, so torch's global generator is neither read nor advanced. The values equal those of ``torch.manual_seed(s)`` followed by the
plain ``nn.Linear`` constructors when the generator is ``torch.Generator().manual_seed(s)``.
"""

from __future__ import annotations

import torch
from torch import nn

from modecollapse.gan.nets._stacked import init_parameters  # torch's default rules, from a passed generator

__all__ = ["mlp_critic"]


def mlp_critic(d_in: int, hidden: int, depth: int, *, generator: torch.Generator) -> nn.Sequential:
    """An MLP ``R^{d_in} -> R`` (one logit / witness value per row), initialised from ``generator``.

    Parameters
    ----------
    d_in : int
        Input width (``m * d`` for a critic of ``m`` packed ``d``-dimensional samples).
    hidden, depth : int
        Width and number of the hidden ``[Linear, LeakyReLU(0.2)]`` layers.
    generator : torch.Generator, keyword-only
        Source of the initial weights (CPU).

    Returns
    -------
    torch.nn.Sequential
        On the CPU, float32; output shape ``(n, 1)`` for input ``(n, d_in)``.
    """
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator; got generator={generator!r}")
    layers: list[nn.Module] = []
    d = d_in
    for _ in range(depth):
        layers += [nn.Linear(d, hidden, device="meta"), nn.LeakyReLU(0.2)]
        d = hidden
    layers.append(nn.Linear(d, 1, device="meta"))
    return init_parameters(nn.Sequential(*layers).to_empty(device="cpu"), generator)
