"""Training objectives of the ensemble engine: one small interface, one class per method.

:class:`GanEnsemble` (``gan.train._ensemble``) calls an :class:`Objective` for the two losses of a
training step and for what follows a critic update; everything else (drawing latents and data,
optimisers, BatchNorm per generator call, member independence) is the engine's and is the same
for every method. Each loss is per member, shape ``(E,)`` (batch means). Packing is
orthogonal to the method: the critic of every method sees ``m`` packed samples ``(E, B, m * d)``,
ALI's and VEEGAN's joint discriminator ``m`` packed ``(x, z)`` pairs ``(E, B, m * (d + latent))``.
A packed critic estimates the divergence of the product laws: ``D_f(P^m || Q^m)``, for KL
``m KL(P || Q)`` (KL tensorises), so MLE-GAN's importance weight becomes the ratio of the packed
densities; no method is refused a packing degree.

Methods (``TrainConfig.method``; ``l`` is the critic's raw output, the logit for the GAN family;
losses are minimised):

* ``gan``: critic ``softplus(-l(x)) + softplus(l(G(z)))``; generator ``softplus(-l(G(z)))``
  (non-saturating);
* ``minimax``: the same critic; generator ``-softplus(l(G(z))) = log(1 - D(G(z)))``;
* ``mle``: the same critic; generator ``-exp(l(G(z)))`` (:func:`neg_exp`);
* ``unrolled``: the same critic; generator ``minimax`` at the critic after ``K`` unrolled steps;
* ``wgan``: critic ``l(G(z)) - l(x)`` with weights kept in ``[-clip, clip]``; generator ``-l(G(z))``;
* ``wgan-gp``: critic ``l(G(z)) - l(x) + lambda (|grad l(x^)| - 1)^2``; generator ``-l(G(z))``;
* ``fgan``: critic ``-(T(x) - f*(T(G(z))))`` with ``T = g_f(l)``; generator ``-f*(T(G(z)))``;
* ``ali``, ``veegan``: see :class:`_ALI` and :class:`_VEEGAN` (joint discriminator on ``(x, z)``).

* ``mle``: at the optimal discriminator ``l = log(p_data / p_g)``, so ``exp(l) = D/(1-D)`` is the
  likelihood ratio and ``E_{p_g}[-exp(l)]`` (``l`` held fixed) has the gradient of
  ``KL(p_data || p_g)`` (Goodfellow 2014, "On distinguishability criteria"; GAN lecture notes
  (Shah), section 2; docs/theory.md s.1, "GAN identities"). Tested on a discrete toy.
* ``unrolled`` (Metz et al. 2017, GAN lecture notes (Shah) eq. 15-20): the critic's parameters
  ``theta_0`` are unrolled ``theta_{k+1} = theta_k - eta * grad L_D(theta_k)`` for ``K`` plain
  gradient steps (``eta`` the critic's current learning rate) on the step's last real and fake
  batch, with the fake batch *not* detached and the graph kept (``create_graph``), so the
  generator's gradient flows through the updates; the real critic update is the engine's plain
  step. ``K = 0`` is ``minimax`` bit for bit.
* ``wgan-gp`` (Gulrajani et al. 2017): ``x^ = eps x + (1 - eps) G(z)``, ``eps ~ U(0, 1)`` per
  packed row, drawn from the member's own generator; the penalty is on the packed input.
* ``fgan`` (Nowozin et al. 2016; f-GAN/WGAN lecture): ``g_f`` and ``f*`` in torch form, one per
  name of :data:`gan.train.config.FGAN_DIVERGENCES`, each equal to the numpy functions of
  :mod:`modecollapse.divergences` (tested); the critic maximises the variational bound
  ``E_P[T] - E_Q[f*(T)]`` of ``D_f(P || Q)`` (P the data), the generator minimises it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.func import functional_call

from modecollapse.gan.nets._toy import pack
from modecollapse.gan.train.config import TrainConfig

__all__ = ["Objective", "make_objective", "JOINT_METHODS", "gradient_penalty", "neg_exp", "fgan_functions"]

#: Above this logit :func:`neg_exp` continues linearly (``exp(30) ~ 1e13`` stays finite in float32).
NEG_EXP_CAP = 30.0

_LOG2 = math.log(2.0)


def neg_exp(logit: torch.Tensor) -> torch.Tensor:
    """``-exp(logit)`` for ``logit <= NEG_EXP_CAP``, continued linearly (C^1) above it.

    The importance weight ``D/(1-D) = exp(logit)`` of the MLE generator loss, computed from the
    logit (never from ``D``, which rounds to 1) and kept finite: beyond the cap the value is
    ``-exp(c) (1 + logit - c)`` and the gradient ``-exp(c)`` (finite in float32 for logits up to
    about ``3e25``).
    """
    c = logit.clamp(max=NEG_EXP_CAP)
    return -torch.exp(c) * (1.0 + (logit - c))


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """WGAN-GP's ``mean_rows (|grad_x critic(x^)| - 1)^2`` per member, ``x^ = eps real + (1 - eps) fake``.

    ``critic`` maps ``(E, B, k)`` to ``(E, B)``; ``real``, ``fake``: ``(E, B, k)``; ``eps``:
    ``(E, B, 1)``. The graph is kept, so the penalty can be differentiated in the critic's
    parameters. Returns shape ``(E,)``.
    """
    x_hat = (eps * real + (1.0 - eps) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (torch.linalg.vector_norm(grad, dim=-1) - 1.0).pow(2).mean(1)


def _gan_d_loss(d_real, d_fake):
    return F.softplus(-d_real).mean(1) + F.softplus(d_fake).mean(1)


def fgan_functions(name: str):
    """``(g_f, f*)`` of the registered f-divergence ``name`` as torch functions (f-GAN Table 2).

    Each equals ``F_DIVERGENCES[name].output_activation`` / ``.conjugate`` of
    :mod:`modecollapse.divergences` on the activation's range (tested).
    """
    sp = F.softplus
    table = {
        "kl": (lambda v: v, lambda t: torch.exp(t - 1.0)),
        "reverse_kl": (lambda v: -torch.exp(-v), lambda t: -1.0 - torch.log(-t)),
        "pearson": (lambda v: v, lambda t: torch.where(t >= -2.0, t + 0.25 * t * t, torch.full_like(t, -1.0))),
        "neyman": (lambda v: -torch.expm1(-v), lambda t: 2.0 - 2.0 * torch.sqrt(1.0 - t)),
        "squared_hellinger": (lambda v: -torch.expm1(-v), lambda t: t / (1.0 - t)),
        "jensen_shannon": (lambda v: _LOG2 - sp(-v), lambda t: -torch.log(2.0 - torch.exp(t))),
        # jsd = 1/2 jensen_shannon: (c f)*(t) = c f*(t / c), activation c g_f
        "jsd": (lambda v: 0.5 * (_LOG2 - sp(-v)), lambda t: -0.5 * torch.log(2.0 - torch.exp(2.0 * t))),
        "gan": (lambda v: -sp(-v), lambda t: -torch.log(-torch.expm1(t))),
        "total_variation": (lambda v: 0.5 * torch.tanh(v), lambda t: torch.clamp(t, min=-0.5)),
    }
    if name not in table:
        raise ValueError(f"f-divergence {name!r} has no output activation and conjugate in torch form; "
                         f"f must be one of {sorted(table)}")
    return table[name]


def _fgan_composed(name: str):
    """``v -> (g_f(v), f*(g_f(v)))`` with the composition in a closed form where the plain one
    loses precision (``gan``, ``jensen_shannon``, ``jsd``, ``squared_hellinger``, ``neyman``:
    ``f*(g_f(v))`` near the open end of ``dom f*`` is ``softplus(v)`` or ``exp(v) - 1`` type)."""
    g, fstar = fgan_functions(name)
    sp = F.softplus
    closed = {
        "gan": lambda v: sp(v),                                   # -log(1 - sigmoid(v))
        "jensen_shannon": lambda v: sp(v) - _LOG2,                # -log(2 - 2 sigmoid(v))
        "jsd": lambda v: 0.5 * (sp(v) - _LOG2),
        "squared_hellinger": lambda v: torch.expm1(v),            # (1 - e^-v) / e^-v
        "reverse_kl": lambda v: v - 1.0,                          # -1 - log(e^-v)
        "neyman": lambda v: 2.0 - 2.0 * torch.exp(-0.5 * v),      # 2 - 2 sqrt(e^-v)
    }
    if name in closed:
        return g, closed[name]
    return g, lambda v: fstar(g(v))


class Objective:
    """The losses of one method (subclasses override what differs from the non-saturating GAN).

    The engine calls :meth:`group_critic_loss` and :meth:`group_generator_loss` with a group's
    networks and its unpacked batches; by default they pack them (:func:`gan.nets.pack`) and call
    the two methods below, which is all a method with a plain critic overrides.

    ``critic_loss(D, real, fake, eps_draw)`` and ``generator_loss(D, fake, real, lr_d)`` return
    per-member losses ``(E,)``; ``real``/``fake`` are packed ``(E, B, m*d)`` and ``fake`` is
    detached for the critic. ``eps_draw(*shape)`` returns per-member uniform draws ``(E, *shape)``
    from the members' own generators (used by WGAN-GP only). ``constrain_critic(params)`` runs
    when the ensemble is built and after every critic optimiser step (WGAN's clipping: the
    critic is inside its box whenever it is evaluated).
    """

    name = "gan"

    def __init__(self, config: TrainConfig):
        self.config = config

    def group_critic_loss(self, grp, real, fake, z, eps_draw):
        """The engine's call: ``real`` (E, m*B, d) data, ``fake`` = G(z) detached, ``z`` the latents,
        all call-major (:func:`gan.nets.pack`); packs them and returns :meth:`critic_loss`."""
        return self.critic_loss(grp.D, pack(real, grp.m), pack(fake, grp.m), eps_draw)

    def group_generator_loss(self, grp, real, fake, z, lr_d):
        """The engine's call for the generator step (``fake`` = G(z) with its graph)."""
        return self.generator_loss(grp.D, pack(fake, grp.m), pack(real, grp.m), lr_d)

    def critic_loss(self, D, real, fake, eps_draw):
        d_real = D(real)
        d_fake = D(fake)
        return _gan_d_loss(d_real, d_fake)

    def generator_loss(self, D, fake, real, lr_d):
        return F.softplus(-D(fake)).mean(1)

    def constrain_critic(self, params) -> None:
        return None


class _Minimax(Objective):
    name = "minimax"

    def generator_loss(self, D, fake, real, lr_d):
        return -F.softplus(D(fake)).mean(1)


class _MLE(Objective):
    name = "mle"

    def generator_loss(self, D, fake, real, lr_d):
        return neg_exp(D(fake)).mean(1)


class _Unrolled(Objective):
    name = "unrolled"

    def generator_loss(self, D, fake, real, lr_d):
        K = self.config.unroll_steps
        if K == 0:
            return -F.softplus(D(fake)).mean(1)
        names = [n for n, _ in D.named_parameters()]
        params = [p for _, p in D.named_parameters()]
        for _ in range(K):
            cur = dict(zip(names, params))
            loss = _gan_d_loss(functional_call(D, cur, (real,)), functional_call(D, cur, (fake,))).sum()
            grads = torch.autograd.grad(loss, params, create_graph=True)
            params = [p - lr_d * g for p, g in zip(params, grads)]
        return -F.softplus(functional_call(D, dict(zip(names, params)), (fake,))).mean(1)


class _WGAN(Objective):
    name = "wgan"

    def critic_loss(self, D, real, fake, eps_draw):
        d_real = D(real)
        d_fake = D(fake)
        return d_fake.mean(1) - d_real.mean(1)

    def generator_loss(self, D, fake, real, lr_d):
        return -D(fake).mean(1)

    @torch.no_grad()
    def constrain_critic(self, params) -> None:
        c = self.config.clip
        for p in params:
            p.clamp_(-c, c)


class _WGANGP(_WGAN):
    name = "wgan-gp"

    def critic_loss(self, D, real, fake, eps_draw):
        base = super().critic_loss(D, real, fake, eps_draw)
        eps = eps_draw(real.shape[1], 1)
        return base + self.config.gp_lambda * gradient_penalty(D, real, fake, eps)

    def constrain_critic(self, params) -> None:
        return None


class _FGAN(Objective):
    name = "fgan"

    def __init__(self, config: TrainConfig):
        super().__init__(config)
        self.g, self.fstar_of_v = _fgan_composed(config.f)

    def critic_loss(self, D, real, fake, eps_draw):
        v_real = D(real)
        v_fake = D(fake)
        return -(self.g(v_real).mean(1) - self.fstar_of_v(v_fake).mean(1))

    def generator_loss(self, D, fake, real, lr_d):
        return -self.fstar_of_v(D(fake)).mean(1)


def _pair(x, z, m):
    """Packed joint samples: ``concat(x, z)`` per sample, then ``m`` of them side by side."""
    return pack(torch.cat([x, z], dim=-1), m)


def _joint_logits(grp, real, fake, z):
    """The joint discriminator on ``(x, X(x))`` and on ``(G(z), z)``, ``X`` (encoder or
    reconstructor) held fixed: the critic step of ALI and VEEGAN, which differ in the labels."""
    with torch.no_grad():
        code = grp.X(real, chunks=grp.m)
    return grp.D(_pair(real, code, grp.m)), grp.D(_pair(fake, z, grp.m))


class _ALI(Objective):
    """ALI / BiGAN (Dumoulin et al. 2017; Donahue et al. 2017): D tells ``(x, E(x))`` (label 1)
    from ``(G(z), z)`` (label 0) with the logistic loss; G and the encoder E minimise the swapped
    (non-saturating) labels ``softplus(D(x, E(x))) + softplus(-D(G(z), z))``."""

    name = "ali"

    def group_critic_loss(self, grp, real, fake, z, eps_draw):
        data, gen = _joint_logits(grp, real, fake, z)
        return _gan_d_loss(data, gen)

    def group_generator_loss(self, grp, real, fake, z, lr_d):
        enc = grp.X(real, chunks=grp.m)
        return (F.softplus(grp.D(_pair(real, enc, grp.m))).mean(1)
                + F.softplus(-grp.D(_pair(fake, z, grp.m))).mean(1))


class _VEEGAN(Objective):
    """VEEGAN (Srivastava et al. 2017; VEEGAN poster): D tells ``(G(z), z)`` (label 1) from
    ``(x, F(x))`` (label 0), F the reconstructor; G and F minimise the poster's ``O_LR`` =
    ``mean D(G(z), z) + mean |z - F(G(z))|^2`` (the density-ratio term, D's logit, plus the
    l2 reconstruction in latent space)."""

    name = "veegan"

    def group_critic_loss(self, grp, real, fake, z, eps_draw):
        data, gen = _joint_logits(grp, real, fake, z)
        return _gan_d_loss(gen, data)

    def group_generator_loss(self, grp, real, fake, z, lr_d):
        ratio = grp.D(_pair(fake, z, grp.m)).mean(1)
        rec = (z - grp.X(fake, chunks=grp.m)).pow(2).sum(-1).mean(1)
        return ratio + rec


_CLASSES = {cls.name: cls for cls in (Objective, _Minimax, _MLE, _Unrolled, _WGAN, _WGANGP, _FGAN, _ALI, _VEEGAN)}

#: Methods whose discriminator sees ``(x, z)`` pairs and which train an extra x -> z network.
JOINT_METHODS = ("ali", "veegan")


def make_objective(config: TrainConfig) -> Objective:
    """The :class:`Objective` of ``config.method`` (validated by :class:`TrainConfig`)."""
    return _CLASSES[config.method](config)
