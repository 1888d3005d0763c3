"""AdaGAN's torch parts: a trained toy generator as a mixture component, and the batched
real-vs-mixture classifier whose outputs set the data weights (AdaGAN, arXiv 1701.02386,
Algorithm 1; docs/theory.md s.5).

The meta-algorithm itself (:class:`~modecollapse.gan.experiments.adagan.AdaGANState`, the
coverage experiment) is torch-free and lives in :mod:`modecollapse.gan.experiments.adagan`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from modecollapse.divergences._validation import check_integer

__all__ = ["ToyComponent", "train_real_vs_model"]


@dataclass(frozen=True, eq=False)
class ToyComponent:
    """One trained PacGAN toy generator (:class:`modecollapse.gan.nets._toy.ToyGenerator`) as a mixture component.

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
    ``d -> hidden -> hidden -> 1`` with ReLU, stacked with :class:`modecollapse.gan.nets._toy.BatchedLinear`.

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
