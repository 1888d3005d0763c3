"""Batched ensemble training of GAN / PacGAN(m) toy models.

:class:`GanEnsemble` trains many ``(m, seed)`` members in one process. Members with the same
packing degree ``m`` form a *group* whose parameters are stacked on a leading member axis and run
with grouped matmuls (:mod:`gan.models`); groups with different ``m`` (different discriminator
input widths ``m * d``) are separate stacks, stepped one after the other inside each training
step. Every member owns a ``torch.Generator`` seeded with its seed, which draws its initial
weights, latents and mini-batch indices, so a member's trajectory does not depend on the other
members (tested: a member of a large ensemble equals the same member trained alone, up to
float round-off of the batched kernels).

One training step (PacGAN arXiv 1712.04086, Section 5.1; loss of Goodfellow et al. 2014 with the
non-saturating generator loss):

1. for each member draw ``m`` latent batches ``z`` (``B`` rows each) and ``m * B`` training-point
   indices (uniformly, or from the member's ``data_weights`` -- AdaGAN's reweighted data);
2. ``fake = G(z)`` with BatchNorm statistics per call; pack real and fake (:func:`gan.models.pack`);
3. discriminator step on ``softplus(-D(real)) + softplus(D(fake))`` (``= -log sigmoid(D(real))
   - log(1 - sigmoid(D(fake)))``), batch means, fake detached;
4. generator step on ``softplus(-D'(fake))`` with the updated ``D'`` (same ``fake``).

With ``TrainConfig.d_steps = k > 1`` steps 1-3 are repeated ``k`` times (fresh latents and data
indices each time) before step 4, which reuses the fake batch of the last repetition.

Adam (``lr``, ``beta1``, ``beta2``) on the stacked tensors is elementwise, hence per member; the
discriminator's learning rate is ``d_lr_mult`` times the generator's.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
import torch.nn.functional as F

from modecollapse.divergences._validation import check_integer, check_real

from modecollapse.gan.metrics import model_label
from modecollapse.gan.nets._toy import MaxoutDiscriminator, ToyGenerator, pack

__all__ = ["TrainConfig", "Member", "GanEnsemble", "resolve_device", "data_fingerprint", "parse_seeds"]

STATE_FORMAT = "modecollapse.gan.ensemble/1"


@dataclass(frozen=True)
class TrainConfig:
    """Networks and optimiser of one GAN; defaults are PacGAN's toy settings (THEORY.md s.6).

    Attributes
    ----------
    batch_size : int
        Packed samples per discriminator batch ``B`` (100); the generator makes ``m * B`` points.
    lr, beta1, beta2 : float
        Adam settings for both networks (1e-4, 0.8, 0.999).
    latent_dim : int
        Dimension of the standard-normal latent ``z`` (2).
    g_hidden, g_layers : int
        Generator width and number of [Linear, BatchNorm, ReLU] blocks (400, 4).
    d_hidden, d_layers, d_pieces : int
        Discriminator maxout width, depth and pieces per unit (200, 3, 5).
    lr_final, lr_decay_steps : float or None, int or None
        Optional geometric learning-rate decay: step ``t`` uses ``lr * (lr_final / lr) **
        min(t / lr_decay_steps, 1)`` (both None: constant ``lr``).
    d_steps : int
        Discriminator updates per generator update (1, PacGAN's protocol). Each D update draws a
        fresh mini-batch (latents and data indices) from the member's own ``torch.Generator``; the
        generator step uses the fake batch of the last D update. 1 reproduces the single-D-step
        training step exactly.
    d_lr_mult : float
        Discriminator learning rate = ``d_lr_mult`` times the generator's (1.0), at every step of
        the decay schedule (two time-scale update rule, Heusel et al. 2017).
    """

    batch_size: int = 100
    lr: float = 1e-4
    beta1: float = 0.8
    beta2: float = 0.999
    latent_dim: int = 2
    g_hidden: int = 400
    g_layers: int = 4
    d_hidden: int = 200
    d_layers: int = 3
    d_pieces: int = 5
    lr_final: float | None = None
    lr_decay_steps: int | None = None
    d_steps: int = 1
    d_lr_mult: float = 1.0

    def lr_at(self, step: int) -> float:
        """Learning rate used by training step ``step`` (0-based)."""
        if self.lr_final is None:
            return self.lr
        return self.lr * (self.lr_final / self.lr) ** min(step / self.lr_decay_steps, 1.0)

    def __post_init__(self):
        for f in ("batch_size", "latent_dim", "g_hidden", "g_layers", "d_hidden", "d_layers", "d_pieces"):
            check_integer(getattr(self, f), f, minimum=1)
        check_real(self.lr, "lr", lo=0.0, lo_open=True)
        check_integer(self.d_steps, "d_steps", minimum=1)
        check_real(self.d_lr_mult, "d_lr_mult", lo=0.0, lo_open=True)
        check_real(self.beta1, "beta1", lo=0.0, hi=1.0, hi_open=True)
        check_real(self.beta2, "beta2", lo=0.0, hi=1.0, hi_open=True)
        if (self.lr_final is None) != (self.lr_decay_steps is None):
            raise ValueError("lr_final and lr_decay_steps must be given together (or both None); "
                             f"got lr_final={self.lr_final!r}, lr_decay_steps={self.lr_decay_steps!r}")
        if self.lr_final is not None:
            check_real(self.lr_final, "lr_final", lo=0.0, lo_open=True)
            check_integer(self.lr_decay_steps, "lr_decay_steps", minimum=1)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        """Build from a dict, rejecting unknown keys (typos fail loudly)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s) {unknown}; known: {sorted(names)}")
        return cls(**d)


#: Fields added to TrainConfig after checkpoints were first written, with the values that
#: reproduce the older behaviour: a stored config without them means these defaults.
_CONFIG_ADDED_DEFAULTS = {"d_steps": 1, "d_lr_mult": 1.0}


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


def parse_seeds(text: str) -> list[int]:
    """Parse ``"0-9"``, ``"3"``, ``"0,2,5-7"`` into a sorted list of distinct non-negative seeds."""
    out: set[int] = set()
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"seeds must look like '0-9' or '0,2,5'; got seeds={text!r}")
    for part in text.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = (int(v) for v in part.split("-", 1))
                if a > b or a < 0:
                    raise ValueError
                out.update(range(a, b + 1))
            else:
                v = int(part)
                if v < 0:
                    raise ValueError
                out.add(v)
        except ValueError:
            raise ValueError(f"seeds must look like '0-9' or '0,2,5' with non-negative integers; got seeds={text!r}") from None
    return sorted(out)


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
    """Members sharing one packing degree ``m``: stacked G and D."""

    def __init__(self, m: int, idx: list[int], gens: list[torch.Generator], config: TrainConfig, dim: int, device):
        self.m, self.idx = m, idx
        c = config
        # Initialise G then D from each member's own generator (fixed order per member).
        self.G = ToyGenerator(len(idx), gens, latent_dim=c.latent_dim, hidden=c.g_hidden, layers=c.g_layers,
                              out_dim=dim, device=device)
        self.D = MaxoutDiscriminator(len(idx), m * dim, gens, hidden=c.d_hidden, layers=c.d_layers,
                                     pieces=c.d_pieces, device=device)


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
    >>> from gan.datasets import ring
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
        self.g_params = [p for g in self.groups for p in g.G.parameters()]
        self.d_params = [p for g in self.groups for p in g.D.parameters()]
        self.opt_g = torch.optim.Adam(self.g_params, lr=c.lr, betas=(c.beta1, c.beta2))
        self.opt_d = torch.optim.Adam(self.d_params, lr=c.lr * c.d_lr_mult, betas=(c.beta1, c.beta2))
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
        for k in range(c.d_steps):
            fakes, d_losses = [], []
            for grp in self.groups:
                z, real = self._draw(grp)
                with torch.set_grad_enabled(k == c.d_steps - 1):  # only the last fake feeds the G step
                    fake = grp.G(z, chunks=grp.m)
                d_real = grp.D(pack(real, grp.m))
                d_fake = grp.D(pack(fake.detach(), grp.m))
                d_losses.append(F.softplus(-d_real).mean(1) + F.softplus(d_fake).mean(1))
                fakes.append(fake)
            d_total = sum(l.sum() for l in d_losses)
            grads = torch.autograd.grad(d_total, self.d_params)
            for p, gr in zip(self.d_params, grads):
                p.grad = gr
            self.opt_d.step()
        g_losses = [F.softplus(-grp.D(pack(f, grp.m))).mean(1) for grp, f in zip(self.groups, fakes)]
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
            "groups": [{"m": g.m, "G": g.G.state_dict(), "D": g.D.state_dict()} for g in self.groups],
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
                return out
        raise AssertionError("unreachable: every member belongs to a group")
