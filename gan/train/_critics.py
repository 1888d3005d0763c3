"""Torch pieces of the critic cross-checks: f-GAN witness terms, thread guard, forward pass.

The cross-checks (``gan.crosscheck._critics``) train small critics against exact divergences;
the torch forms they train with live here, in the layer that may import torch at module level.
"""

from __future__ import annotations

import contextlib
import functools
import math

import numpy as np
import torch
from torch import nn

__all__ = ["TORCH_WITNESS_TERMS"]

_LOG2 = math.log(2.0)


# ------------------------------------------------------------------------------------------
# f-GAN witness terms in torch: (T = g_f(v), f*(g_f(v))) in closed, overflow-free form.
# Tested against divergences' numpy f* and g_f in tests/gan/test_crosscheck_critics.py.
# ------------------------------------------------------------------------------------------
def _softplus(v):
    # log(1 + e^v) to full precision (torch's F.softplus switches to v above v = 20: error e^-20)
    return torch.clamp(v, min=0) + torch.log1p(torch.exp(-torch.abs(v)))


def _kl_terms(v):
    return v, torch.exp(v - 1.0)


def _js_terms(v):
    # g = log 2 - softplus(-v) = log(2 sigmoid(v)); f*(g) = -log(2 - 2 sigmoid(v)) = softplus(v) - log 2
    return _LOG2 - _softplus(-v), _softplus(v) - _LOG2


def _gan_terms(v):
    # g = -softplus(-v) = log sigmoid(v); f*(g) = -log(1 - sigmoid(v)) = softplus(v)
    return -_softplus(-v), _softplus(v)


def _tv_terms(v):
    t = 0.5 * torch.tanh(v)
    return t, t  # f*(t) = t on |t| <= 1/2


#: name (as in ``divergences.get_f_divergence``) -> ``v -> (g_f(v), f*(g_f(v)))`` for torch tensors.
TORCH_WITNESS_TERMS = {
    "kl": _kl_terms,
    "jensen_shannon": _js_terms,
    "gan": _gan_terms,
    "total_variation": _tv_terms,
}


def _terms_numpy(name: str, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with torch.no_grad():
        a, b = TORCH_WITNESS_TERMS[name](torch.as_tensor(np.asarray(v, dtype=np.float64)))
    return a.numpy(), b.numpy()


@contextlib.contextmanager
def _torch_threads(n: int = 1):
    """Run tiny-network training on ``n`` intra-op threads, restoring the caller's setting after.

    For MLPs of width <= a few hundred on batches of a few thousand, thread synchronisation costs
    more than it saves (far more on a loaded machine).
    """
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _single_threaded(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _torch_threads(1):
            return fn(*args, **kwargs)

    return wrapper


def _forward(net: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return net(torch.as_tensor(x, dtype=torch.float32)).squeeze(-1).double().numpy()
