"""Batched ensemble training of GAN / PacGAN(m) toy models, with any of the training methods.

:class:`GanEnsemble` trains many ``(m, seed)`` members in one process. Members with the same
packing degree ``m`` form a *group* whose parameters are stacked on a leading member axis and run
with grouped matmuls (:mod:`gan.nets`); groups with different ``m`` (different discriminator
input widths ``m * d``) are separate stacks, stepped one after the other inside each training
step (with ``TrainConfig(fused=True)`` all members share one stack, the discriminator's input
zero-padded to the largest ``m``: :class:`_Merged`). Every member owns a ``torch.Generator``
seeded with its seed, which draws its initial
weights, latents and mini-batch indices, so a member's trajectory does not depend on the other
members (tested: a member of a large ensemble equals the same member trained alone, up to
float round-off of the batched kernels).

One training step (PacGAN arXiv 1712.04086, Section 5.1; with the default ``method="gan"`` the
loss of Goodfellow et al. 2014 with the non-saturating generator loss):

1. for each member draw ``m`` latent batches ``z`` (``B`` rows each) and ``m * B`` training-point
   indices (uniformly, or from the member's ``data_weights`` -- AdaGAN's reweighted data);
2. ``fake = G(z)`` with BatchNorm statistics per call; real and fake are packed
   (:func:`gan.nets._toy.pack`) by the objective;
3. discriminator (critic) step on the objective's critic loss, batch means, fake detached; for
   ``gan``: ``softplus(-D(real)) + softplus(D(fake))`` (``= -log sigmoid(D(real)) - log(1 -
   sigmoid(D(fake)))``); then the objective's constraint (WGAN's clipping);
4. generator step on the objective's generator loss with the updated ``D'`` (same ``fake``); for
   ``gan``: ``softplus(-D'(fake))``.

The objectives (``TrainConfig.method``: ``gan``, ``minimax``, ``mle``, ``unrolled``, ``wgan``,
``wgan-gp``, ``fgan``, ``ali``, ``veegan``) are :mod:`gan.train._objectives`; every one packs with
any ``m``. ALI and VEEGAN add an ``x -> z`` network per group (encoder / reconstructor, the same
[Linear, BN, ReLU] stack as ``G``, initialised after ``D``; moved by the generator's optimiser) and
a discriminator on ``m`` packed ``(x, z)`` pairs.

With ``TrainConfig.d_steps = k > 1`` steps 1-3 are repeated ``k`` times (fresh latents and data
indices each time) before step 4, which reuses the fake batch of the last repetition.

Adam (``lr``, ``beta1``, ``beta2``) on the stacked tensors is elementwise, hence per member; the
discriminator's learning rate is ``d_lr_mult`` times the generator's.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass

import numpy as np
import torch

from modecollapse.divergences._validation import check_integer

from modecollapse.gan.metrics import model_label
from modecollapse.gan.nets._mlp import MLPDiscriminator, MLPGenerator
from modecollapse.gan.nets._toy import MaxoutDiscriminator, ToyGenerator
from modecollapse.gan.nets._toy import _alias_stack, _keep_freed_memory, pack
from modecollapse.gan.train._objectives import JOINT_METHODS, Objective, _gan_d_loss, make_objective
from modecollapse.gan.train.config import TrainConfig

__all__ = ["Member", "GanEnsemble", "resolve_device", "data_fingerprint"]

STATE_FORMAT = "modecollapse.gan.ensemble/1"


#: Fields added to TrainConfig after checkpoints were first written, with the values that
#: reproduce the older behaviour: a stored config without them means these defaults.
_CONFIG_ADDED_DEFAULTS = {"d_steps": 1, "d_lr_mult": 1.0, "arch": "pacgan", "method": "gan", "unroll_steps": None, "f": None,
                          "gp_lambda": None, "clip": None, "fused": False}


@dataclass(frozen=True)
class Member:
    """One ensemble member: packing degree ``m`` (1 = plain GAN) and seed."""

    m: int
    seed: int

    def __post_init__(self):
        check_integer(self.m, "m", minimum=1)
        check_integer(self.seed, "seed", minimum=0)

    @property
    def label(self) -> str:
        """``"GAN"`` for m = 1, ``"PacGAN<m>"`` otherwise."""
        return model_label(self.m)


def resolve_device(device=None) -> torch.device:
    """``None``/``"auto"`` -> CUDA when available, else CPU; otherwise ``torch.device(device)``."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]'; got device={device!r}") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} requested but CUDA is not available on this machine")
    return dev


def data_fingerprint(data) -> str:
    """SHA-256 (first 16 hex digits) of the float32 bytes of a data array: detects a data mismatch."""
    arr = np.ascontiguousarray(np.asarray(data, dtype=np.float32))
    return hashlib.sha256(arr.tobytes() + str(arr.shape).encode()).hexdigest()[:16]


def _as_data(data) -> np.ndarray:
    if hasattr(data, "training_points"):
        data = data.training_points()
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().numpy()
    arr = np.asarray(data, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"data must have shape (N, d) with N, d >= 1; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("data must be finite")
    return arr


def _as_weights(w, n_members: int, n_points: int) -> np.ndarray | None:
    if w is None:
        return None
    arr = np.asarray(w, dtype=np.float64)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (n_members, arr.shape[0]))
    if arr.shape != (n_members, n_points):
        raise ValueError(f"data_weights must have shape ({n_members}, {n_points}) or ({n_points},); got {np.shape(w)}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("data_weights must be finite and non-negative")
    sums = arr.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
    if bad.size:
        raise ValueError(f"each member's data_weights must sum to 1 within 1e-6; member {int(bad[0])} sums to {sums[bad[0]]!r}")
    return np.array(arr)


class _Group:
    """Members sharing one packing degree ``m``: stacked G and D (and the method's extra network X:
    ALI's encoder, VEEGAN's reconstructor, both x -> z; None for the other methods)."""

    def __init__(self, m: int, idx: list[int], gens: list[torch.Generator], config: TrainConfig, dim: int, device):
        self.m, self.idx = m, idx
        c = config
        joint = c.method in JOINT_METHODS  # the discriminator sees (x, z) pairs
        # Initialise G, then D, then X from each member's own generator (fixed order per member).
        n, d_in = len(idx), m * (dim + c.latent_dim * joint)
        if c.arch == "mlp":
            self.G = MLPGenerator(n, gens, latent_dim=c.latent_dim, hidden=c.g_hidden, layers=c.g_layers,
                                  out_dim=dim, device=device)
            self.D = MLPDiscriminator(n, d_in, gens, hidden=c.d_hidden, layers=c.d_layers, device=device)
            self.X = MLPGenerator(n, gens, latent_dim=dim, hidden=c.g_hidden, layers=c.g_layers,
                                  out_dim=c.latent_dim, device=device) if joint else None
            return
        self.G = ToyGenerator(n, gens, latent_dim=c.latent_dim, hidden=c.g_hidden, layers=c.g_layers,
                              out_dim=dim, device=device, fused=c.fused)
        self.D = MaxoutDiscriminator(n, d_in, gens, hidden=c.d_hidden, layers=c.d_layers, pieces=c.d_pieces,
                                     device=device, fused=c.fused)
        self.X = ToyGenerator(n, gens, latent_dim=dim, hidden=c.g_hidden, layers=c.g_layers,
                              out_dim=c.latent_dim, device=device, fused=c.fused) if joint else None

    def nets(self):
        """``(name, module)`` of G, D and X (when there is one), in this order."""
        return [("G", self.G), ("D", self.D)] + ([("X", self.X)] if self.X is not None else [])


class _Merged:
    """Every member in one stack, whatever its packing degree (fused path, ``TrainConfig(fused=True)``).

    One batched G and one batched D for all members (the per-``m`` groups cost one set of kernels
    each). D's input is ``M * d`` wide, ``M = max m``: member ``e``'s first-layer weight rows beyond
    its own ``m_e * d`` are zero and its packed inputs are zero there, so its logits equal those
    of its own ``m_e * d``-input network (exactly in real arithmetic: the padded terms are
    ``0 * 0``), and the padded rows' gradient ``x^T g`` is zero, which Adam turns into a zero step
    (its moments stay zero), so they stay zero (tested). G runs ``M`` calls' worth of rows (``M * B``)
    per member and D step, BatchNorm per chunk of ``B`` rows (one chunk = one generator call, so
    chunks are independent); member ``e``'s chunks beyond ``m_e`` are computed on zero latents and
    masked to zero before D. The price is the padded rows' FLOPs (``M * B`` instead of ``m_e * B``
    G rows per member); the gain is a quarter of the kernel launches for four packing degrees.

    The merged tensors are the optimised parameters; the groups' modules hold views of them
    (:func:`gan.nets._toy._alias_stack`), so sampling, :meth:`GanEnsemble.parameters_by_member` and
    the groups' part of a checkpoint are unchanged. Members are stacked in group order
    (``order[e]`` is the member index of stack row ``e``).
    """

    def __init__(self, groups: list[_Group], config: TrainConfig, dim: int, n_points: int, device):
        c = config
        self.order = [i for g in groups for i in g.idx]
        self.m_of = [g.m for g in groups for _ in g.idx]
        self.M = max(self.m_of)
        E = len(self.order)
        # throw-away generators: the values are overwritten by the groups' (the members' own draws)
        dummy = [torch.Generator(device=device).manual_seed(0) for _ in range(E)]
        self.G = ToyGenerator(E, dummy, latent_dim=c.latent_dim, hidden=c.g_hidden, layers=c.g_layers,
                              out_dim=dim, device=device, fused=True)
        self.D = MaxoutDiscriminator(E, self.M * dim, dummy, hidden=c.d_hidden, layers=c.d_layers,
                                     pieces=c.d_pieces, device=device, fused=True)
        _alias_stack(self.G, [g.G for g in groups])
        _alias_stack(self.D, [g.D for g in groups])
        # every D graph of a merged step is differentiated once, first order (the unrolled
        # generator loss differentiates D's graph twice: create_graph, then the G step)
        self.D.single_backward = c.method != "unrolled"
        B, K = c.batch_size, c.d_steps
        rows = torch.arange(K * self.M * B, device=device) % (self.M * B)
        m = torch.tensor(self.m_of, device=device)
        #: (E, K * M * B, 1): 1 on a member's own rows of each D step's block, 0 on its padding
        self.mask = (rows[None, :] < m[:, None] * B).to(self.G.out.weight.dtype).unsqueeze(-1)
        self.pad_id = n_points  # index of the zero row appended to the data (padded real rows)
        if torch.device(device).type == "cpu":
            _keep_freed_memory()


def _one_pass_gan_critic_loss(grp: _Group, real, fake):
    """The logistic critic loss of :class:`Objective` with real and fake packed batches in one
    discriminator call (fused path): the same per-member loss, the rows' matmuls and the weight
    gradients' sums over rows taken together (other rounding than two calls)."""
    B = real.shape[1] // grp.m
    logits = grp.D(torch.cat([pack(real, grp.m), pack(fake, grp.m)], dim=1))
    return _gan_d_loss(logits[:, :B], logits[:, B:])


class GanEnsemble:
    """A batched ensemble of GAN / PacGAN(m) members trained together on one data set.

    Parameters
    ----------
    data : MixtureDataset or array_like, shape (N, d)
        Training points (a dataset object contributes its fixed ``training_points()``).
    members : sequence of Member or (m, seed) pairs
        The runs; their order is the order of every per-member output.
    config : TrainConfig
        Networks and optimiser (shared by all members).
    data_weights : array_like, shape (E, N) or (N,), optional
        Sampling distribution over the training points per member (rows sum to 1); mini-batch
        indices are drawn i.i.d. from it with :func:`torch.multinomial` (with replacement). None
        means uniform (:func:`torch.randint`). This is AdaGAN's reweighted training set.
    device : str or torch.device, optional
        ``"auto"`` (default): CUDA when available, else CPU.

    Examples
    --------
    >>> from modecollapse.gan.data._mixtures import ring
    >>> ens = GanEnsemble(ring(n_train=1000), [(1, 0), (2, 0)], TrainConfig(g_hidden=8, d_hidden=8), device="cpu")
    >>> ens.train(3)
    >>> ens.sample(5).shape
    (2, 5, 2)
    """

    def __init__(self, data, members, config: TrainConfig | None = None, *, data_weights=None, device=None):
        self.config = TrainConfig() if config is None else config
        if not isinstance(self.config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig; got {type(self.config).__name__}")
        mem = [m if isinstance(m, Member) else Member(*m) for m in members]
        if not mem:
            raise ValueError("members must contain at least one (m, seed) pair")
        self.members: tuple[Member, ...] = tuple(mem)
        self.device = resolve_device(device)
        arr = _as_data(data)
        self.n_points, self.dim = arr.shape
        self.fingerprint = data_fingerprint(arr)
        self.data = torch.as_tensor(arr, device=self.device)
        w = _as_weights(data_weights, len(mem), self.n_points)
        self.data_weights = None if w is None else torch.as_tensor(w, dtype=torch.float32, device=self.device)
        self.gens = [torch.Generator(device=self.device).manual_seed(m.seed) for m in mem]
        self.groups: list[_Group] = []
        for m in sorted({mm.m for mm in mem}):
            idx = [i for i, mm in enumerate(mem) if mm.m == m]
            self.groups.append(_Group(m, idx, [self.gens[i] for i in idx], self.config, self.dim, self.device))
        c = self.config
        #: The training objective of ``config.method`` (:mod:`gan.train._objectives`).
        self.objective = make_objective(c)
        # fused path, methods with the plain logistic critic loss: real and fake in one D pass
        obj_cls = type(self.objective)
        self._one_pass_critic = bool(c.fused) and obj_cls.group_critic_loss is Objective.group_critic_loss \
            and obj_cls.critic_loss is Objective.critic_loss
        # fused=True and a method whose losses only call D on packed batches (gan, minimax, mle,
        # unrolled) on the PacGAN toy pair: all members in one stack (_Merged); otherwise (and
        # with fused="grouped") one stack per packing degree
        self._merged = None
        if c.fused is True and c.arch == "pacgan" and self._one_pass_critic \
                and obj_cls.group_generator_loss is Objective.group_generator_loss:
            self._merged = _Merged(self.groups, c, self.dim, self.n_points, self.device)
            self._data_pad = torch.cat([self.data, self.data.new_zeros(1, self.dim)])
            self.g_params = list(self._merged.G.parameters())
            self.d_params = list(self._merged.D.parameters())
        else:
            # the generator's optimiser also moves ALI's encoder / VEEGAN's reconstructor
            self.g_params = [p for g in self.groups for p in g.G.parameters()] + \
                [p for g in self.groups if g.X is not None for p in g.X.parameters()]
            self.d_params = [p for g in self.groups for p in g.D.parameters()]
        # fused path: one Adam kernel over all tensors of an optimiser (same update rule, other rounding)
        fused = {"fused": True} if c.fused else {}
        self.opt_g = torch.optim.Adam(self.g_params, lr=c.lr, betas=(c.beta1, c.beta2), **fused)
        self.opt_d = torch.optim.Adam(self.d_params, lr=c.lr * c.d_lr_mult, betas=(c.beta1, c.beta2), **fused)
        self.objective.constrain_critic(self.d_params)  # WGAN: the critic starts inside its clipping box
        self.step = 0
        #: (step, d_loss (E,), g_loss (E,)) recorded by :meth:`train` every ``log_every`` steps.
        self.history: list[tuple[int, list[float], list[float]]] = []

    # ------------------------------------------------------------------ training
    @property
    def n_members(self) -> int:
        return len(self.members)

    def _draw(self, group: _Group):
        B, L = self.config.batch_size, self.config.latent_dim
        n = group.m * B
        zs, ids = [], []
        for i in group.idx:
            g = self.gens[i]
            zs.append(torch.randn(n, L, generator=g, device=self.device))
            if self.data_weights is None:
                ids.append(torch.randint(self.n_points, (n,), generator=g, device=self.device))
            else:
                ids.append(torch.multinomial(self.data_weights[i], n, replacement=True, generator=g))
        return torch.stack(zs), self.data[torch.stack(ids)]

    def _uniform(self, group: _Group):
        """``draw(*shape)``: per-member ``U(0, 1)`` draws ``(E_group, *shape)`` from the members' generators."""
        def draw(*shape):
            return torch.stack([torch.rand(*shape, generator=self.gens[i], device=self.device) for i in group.idx])
        return draw

    def train_step(self) -> tuple[np.ndarray, np.ndarray]:
        """``d_steps`` D steps and one G step for every member; returns per-member (d_loss, g_loss).

        The returned D loss is that of the last D step (the one whose fake batch the G step reuses).
        """
        c = self.config
        if c.lr_final is not None:
            lr = c.lr_at(self.step)
            for opt, mult in ((self.opt_d, c.d_lr_mult), (self.opt_g, 1.0)):
                for pg in opt.param_groups:
                    pg["lr"] = lr * mult
        if self._merged is not None:
            return self._merged_step()
        obj = self.objective
        for k in range(c.d_steps):
            batches, d_losses = [], []
            for grp in self.groups:
                z, real = self._draw(grp)
                with torch.set_grad_enabled(k == c.d_steps - 1):  # only the last fake feeds the G step
                    fake = grp.G(z, chunks=grp.m)
                if self._one_pass_critic:
                    d_losses.append(_one_pass_gan_critic_loss(grp, real, fake.detach()))
                else:
                    d_losses.append(obj.group_critic_loss(grp, real, fake.detach(), z, self._uniform(grp)))
                batches.append((real, fake, z))
            d_total = sum(l.sum() for l in d_losses)
            grads = torch.autograd.grad(d_total, self.d_params)
            for p, gr in zip(self.d_params, grads):
                p.grad = gr
            self.opt_d.step()
            obj.constrain_critic(self.d_params)
        lr_d = self.opt_d.param_groups[0]["lr"]
        g_losses = [obj.group_generator_loss(grp, real, fake, z, lr_d)
                    for grp, (real, fake, z) in zip(self.groups, batches)]
        g_total = sum(l.sum() for l in g_losses)
        grads = torch.autograd.grad(g_total, self.g_params)
        for p, gr in zip(self.g_params, grads):
            p.grad = gr
        self.opt_g.step()
        self.step += 1
        d = np.empty(self.n_members)
        g = np.empty(self.n_members)
        for grp, dl, gl in zip(self.groups, d_losses, g_losses):
            d[grp.idx] = dl.detach().cpu().numpy()
            g[grp.idx] = gl.detach().cpu().numpy()
        return d, g

    def _merged_step(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`train_step` on the merged stack (:class:`_Merged`); same draws, same losses.

        Every member draws its latents and data indices for all ``d_steps`` D steps first, in the
        order of the grouped path (``z``, then indices, per D step, from its own generator), into
        zero-padded buffers. G does not change during the D steps, so the fakes of the first
        ``d_steps - 1`` D steps come from one no-grad G call (BatchNorm per chunk of ``B`` rows, as
        per call) and the last one from a call with the graph (the G step reuses it); all D inputs
        are packed at once. Then the ``d_steps`` D steps (real and fake in one D call each) and the
        G step, as in the grouped path.
        """
        c, mg, obj = self.config, self._merged, self.objective
        B, L, K, M = c.batch_size, c.latent_dim, c.d_steps, mg.M
        E, R = len(mg.order), M * B
        z = torch.zeros(E, K * R, L, device=self.device)
        ids = torch.full((E, K * R), mg.pad_id, dtype=torch.long, device=self.device)
        for k in range(K):
            for e, i in enumerate(mg.order):
                g, lo, hi = self.gens[i], k * R, k * R + mg.m_of[e] * B
                z[e, lo:hi].normal_(generator=g)  # = torch.randn(n, L, generator=g), bit for bit (tested)
                if self.data_weights is None:
                    ids[e, lo:hi].random_(0, self.n_points, generator=g)  # = torch.randint(n_points, (n,))
                else:
                    torch.multinomial(self.data_weights[i], hi - lo, replacement=True, generator=g, out=ids[e, lo:hi])
        real = self._data_pad[ids]  # (E, K*R, d); padded rows are the zero row
        last = slice((K - 1) * R, K * R)
        fake = mg.G(z[:, last], chunks=M) * mg.mask[:, last]
        if K > 1:
            with torch.no_grad():
                early = mg.G(z[:, :(K - 1) * R], chunks=(K - 1) * M) * mg.mask[:, :(K - 1) * R]
            fakes = torch.cat([early, fake.detach()], dim=1)
        else:
            fakes = fake.detach()
        d = self.dim
        # (E, K, 2, B, M*d): per D step the packed real batch then the packed fake batch
        x = torch.stack([real, fakes], dim=1).reshape(E, 2, K, M, B, d).permute(0, 2, 1, 4, 3, 5)
        x = x.reshape(E, K, 2 * B, M * d)
        for k in range(K):
            logits = mg.D(x[:, k])
            d_loss = _gan_d_loss(logits[:, :B], logits[:, B:])
            grads = torch.autograd.grad(d_loss.sum(), self.d_params)
            for p, gr in zip(self.d_params, grads):
                p.grad = gr
            self.opt_d.step()
            obj.constrain_critic(self.d_params)
        lr_d = self.opt_d.param_groups[0]["lr"]
        g_loss = obj.generator_loss(mg.D, pack(fake, M), x[:, K - 1, :B], lr_d)
        grads = torch.autograd.grad(g_loss.sum(), self.g_params)
        for p, gr in zip(self.g_params, grads):
            p.grad = gr
        self.opt_g.step()
        self.step += 1
        out_d, out_g = np.empty(self.n_members), np.empty(self.n_members)
        out_d[mg.order] = d_loss.detach().cpu().numpy()
        out_g[mg.order] = g_loss.detach().cpu().numpy()
        return out_d, out_g

    def train(self, steps: int, *, log_every: int = 0, callback=None) -> None:
        """Run ``steps`` training steps.

        ``log_every > 0`` appends ``(step, d_loss, g_loss)`` to :attr:`history` every that many
        steps; ``callback(ensemble)`` is called after every step (progress bars, checkpoints).
        """
        steps = check_integer(steps, "steps", minimum=0)
        log_every = check_integer(log_every, "log_every", minimum=0)
        for _ in range(steps):
            d, g = self.train_step()
            if log_every and self.step % log_every == 0:
                self.history.append((self.step, d.tolist(), g.tolist()))
            if callback is not None:
                callback(self)

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
    def sample(self, n: int, *, seed: int = 0, chunk: int | None = None) -> np.ndarray:
        """``n`` generated points per member, shape (E, n, d), float64.

        The latents come from a generator seeded with ``(member seed, seed)``, separate from the
        training streams, so sampling never changes training. BatchNorm uses the statistics of
        each chunk of ``chunk`` rows (default: all ``n`` rows in one chunk).
        """
        n = check_integer(n, "n", minimum=1)
        chunks = 1 if chunk is None else math.ceil(n / check_integer(chunk, "chunk", minimum=1))
        if n % chunks:
            raise ValueError(f"n={n} must be a multiple of chunk={chunk}")
        out = np.empty((self.n_members, n, self.dim))
        for grp in self.groups:
            zs = []
            for i in grp.idx:
                s = int(np.random.SeedSequence([self.members[i].seed, seed, 0x5A3D1E]).generate_state(1)[0])
                g = torch.Generator(device=self.device).manual_seed(s)
                zs.append(torch.randn(n, self.config.latent_dim, generator=g, device=self.device))
            x = grp.G(torch.stack(zs), chunks=chunks)
            out[grp.idx] = x.double().cpu().numpy()
        return out

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """Everything needed to continue training exactly (tensors and plain Python values)."""
        return {
            "format": STATE_FORMAT,
            "members": [[m.m, m.seed] for m in self.members],
            "config": asdict(self.config),
            "fingerprint": self.fingerprint,
            "step": self.step,
            "groups": [{"m": g.m, **{k: net.state_dict() for k, net in g.nets()}} for g in self.groups],
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": [g.get_state() for g in self.gens],
            "data_weights": None if self.data_weights is None else self.data_weights.cpu(),
            "history": [[s, d, g] for s, d, g in self.history],
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict`; raises ValueError if it belongs to a different ensemble."""
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise ValueError(f"not an ensemble state (format {state.get('format') if isinstance(state, dict) else None!r}, expected {STATE_FORMAT!r})")
        mine = {"members": [[m.m, m.seed] for m in self.members], "config": asdict(self.config),
                "fingerprint": self.fingerprint}
        theirs = dict(state)
        if isinstance(theirs.get("config"), dict):  # older checkpoints lack the fields added since
            theirs["config"] = {**_CONFIG_ADDED_DEFAULTS, **theirs["config"]}
        for key, val in mine.items():
            if theirs.get(key) != val:
                raise ValueError(f"checkpoint does not match this run: {key} is {state.get(key)!r} in the checkpoint, {val!r} here")
        theirs_w = state.get("data_weights")
        if (theirs_w is None) != (self.data_weights is None) or (
                theirs_w is not None and not torch.equal(theirs_w.to(self.device), self.data_weights)):
            raise ValueError("checkpoint does not match this run: data_weights differ")
        try:
            for g, gs in zip(self.groups, state["groups"]):
                if gs["m"] != g.m:
                    raise ValueError(f"group m={gs['m']} in the checkpoint, m={g.m} here")
                g.G.load_state_dict(gs["G"])
                g.D.load_state_dict(gs["D"])
                if g.X is not None:
                    g.X.load_state_dict(gs["X"])
            self.opt_g.load_state_dict(state["opt_g"])
            self.opt_d.load_state_dict(state["opt_d"])
            for g, s in zip(self.gens, state["rng"], strict=True):
                g.set_state(s.cpu())
        except (KeyError, RuntimeError, TypeError) as exc:
            raise ValueError(f"checkpoint state is incomplete or corrupt: {exc}") from exc
        self.step = int(state["step"])
        self.history = [(int(s), list(d), list(g)) for s, d, g in state.get("history", [])]

    def parameters_by_member(self, i: int) -> dict[str, torch.Tensor]:
        """Member ``i``'s G and D parameters (views without the member axis), keyed by name."""
        check_integer(i, "i", minimum=0, maximum=self.n_members - 1)
        for grp in self.groups:
            if i in grp.idx:
                j = grp.idx.index(i)
                out = {f"G.{k}": v[j] for k, v in grp.G.named_parameters()}
                out.update({f"D.{k}": v[j] for k, v in grp.D.named_parameters()})
                if grp.X is not None:
                    out.update({f"X.{k}": v[j] for k, v in grp.X.named_parameters()})
                return out
        raise AssertionError("unreachable: every member belongs to a group")
