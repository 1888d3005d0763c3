"""Items 2-4 of the cross-checks: trained critics against exact divergences (PyTorch).

Every estimate returned here is a *lower* bound on a quantity that is bracketed exactly:

* For two isotropic Gaussian mixtures with the same components and weights ``w`` (target) and
  ``v`` (generator), the map "component index -> point" is one Markov kernel applied to both, so
  by data processing ``D_f(P||Q) <= D_f(w||v)`` and ``d_TV(P^m,Q^m) <= d_TV(w^m,v^m)`` (upper
  bracket, exact). Discretising on the mode partition is a kernel the other way round, so
  ``D_f(P_cells||Q_cells) <= D_f(P||Q)`` (lower bracket, exact from
  :meth:`GaussianMixture.cell_masses`). For well separated modes the two brackets differ by the
  factor ``1 - exp(-n_std^2/2)`` on the mass (about 1.1% at ``n_std = 3`` in 2-D).
* A trained witness ``T`` gives ``E_P[T] - E_Q[f*(T)] <= D_f(P||Q)`` (f-GAN, Nowozin et al. 2016,
  eq. (4)); it is evaluated on *fresh* held-out samples, so the estimate is unbiased for the
  witness's value and the stated confidence radius (Hoeffding for bounded witnesses, CLT for
  unbounded ones) covers the sampling error.
* A WGAN critic divided by its Lipschitz constant *on the evaluation samples* is feasible for the
  discrete Kantorovich-Rubinstein dual LP, so its value is <= the exact ``W1`` of the empirical
  measures (docs/theory.md s.2) with no sampling error at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from modecollapse.divergences._validation import check_integer, check_probability, check_real

from modecollapse.gan.crosscheck._names import TORCH_NAMES
from modecollapse.gan.data import GaussianMixture, ModePartition
from modecollapse.gan.nets import mlp_critic
from modecollapse.gan.train._critics import (TORCH_WITNESS_TERMS, _forward, _single_threaded, _softplus,
                                            _terms_numpy)

__all__ = list(TORCH_NAMES)


# ------------------------------------------------------------------------------------------
# Exact brackets for same-component Gaussian mixtures
# ------------------------------------------------------------------------------------------
def same_components(a: GaussianMixture, b: GaussianMixture) -> bool:
    """True when ``a`` and ``b`` have the same centres and std (they differ only in weights)."""
    return a.means.shape == b.means.shape and bool(np.array_equal(a.means, b.means)) and a.std == b.std


def _require_same(target: GaussianMixture, generator: GaussianMixture):
    if not isinstance(target, GaussianMixture) or not isinstance(generator, GaussianMixture):
        raise TypeError(f"target and generator must be GaussianMixture; got {type(target).__name__}, {type(generator).__name__}")
    if not same_components(target, generator):
        raise ValueError("target and generator must share centres and std (only the weights may differ) for the exact bracket")


class ExactBracket(NamedTuple):
    """An exact bracket ``lower <= quantity <= upper`` (both computed exactly, no sampling).

    A named tuple, so ``lo, hi = divergence_bracket(...)`` unpacks it.
    """

    lower: float
    upper: float


def divergence_bracket(name: str, target: GaussianMixture, generator: GaussianMixture, *,
                       n_std: float = 3.0) -> ExactBracket:
    """Exact bracket ``lower <= D_f(P||Q) <= upper`` for same-component mixtures.

    ``lower = D_f(P_cells || Q_cells)`` on the mode partition with discs of ``n_std * std``;
    ``upper = D_f(w || v)`` on the weights (both by data processing, see the module docstring).
    """
    from modecollapse import divergences

    _require_same(target, generator)
    part = ModePartition.from_mixture(target, n_std=n_std)
    fd = divergences.get_f_divergence(name)
    lo = fd.divergence(target.cell_masses(part), generator.cell_masses(part))
    hi = fd.divergence(target.weights, generator.weights)
    return ExactBracket(float(lo), float(hi))


def packed_tv_bracket(target: GaussianMixture, generator: GaussianMixture, m: int, *,
                      n_std: float = 3.0) -> ExactBracket:
    """Exact bracket on ``d_TV(P^m, Q^m)``: packed TV of the cells (lower) and of the weights (upper)."""
    from modecollapse import regions

    _require_same(target, generator)
    m = check_integer(m, "m", minimum=1)
    part = ModePartition.from_mixture(target, n_std=n_std)
    lo = regions.packed_tv(target.cell_masses(part), generator.cell_masses(part), m)
    hi = regions.packed_tv(target.weights, generator.weights, m)
    return ExactBracket(float(lo), float(hi))


@dataclass(frozen=True)
class _Stratified:
    """A stratified sample of a mixture: ``n_c ~ n w_c`` (at least 2) points from each component.

    ``sum_c w_c mean_c(g)`` is unbiased for ``E[g]`` and its variance ``sum_c w_c^2 var_c(g)/n_c``
    has no multinomial-count term (which dominates for piecewise-constant witnesses).
    """

    x: np.ndarray
    comp: np.ndarray
    w: np.ndarray
    n_c: np.ndarray

    @classmethod
    def draw(cls, mix: GaussianMixture, n: int, rng) -> "_Stratified":
        w = mix.weights
        n_c = np.where(w > 0, np.maximum(2, np.round(n * w)), 0).astype(np.int64)
        comp = np.repeat(np.arange(w.size), n_c)
        x = mix.sample_components(comp, rng)
        return cls(x=x, comp=comp, w=w, n_c=n_c)

    def mean_var(self, g: np.ndarray) -> tuple[float, float]:
        """(estimate of ``E[g]``, estimated variance of that estimate)."""
        k = self.w.size
        cnt = np.maximum(self.n_c, 1)
        s1 = np.bincount(self.comp, weights=g, minlength=k)
        s2 = np.bincount(self.comp, weights=g * g, minlength=k)
        mean_c = s1 / cnt
        var_c = np.maximum(s2 - cnt * mean_c**2, 0.0) / np.maximum(cnt - 1, 1)
        return float(self.w @ mean_c), float(np.sum(self.w**2 * var_c / cnt))


def _packed(mix: GaussianMixture, n: int, m: int, rng) -> np.ndarray:
    # n packed samples from n*m i.i.d. draws: packed sample j is draws j*m .. j*m + m - 1, laid out
    # as gan.nets.pack lays them out (feature block c = draw c). nets.pack groups call-major rows
    # instead because the generator's BatchNorm is per call; an i.i.d. stream has no calls.
    return mix.sample(n * m, rng).reshape(n, m * mix.dim)


def _hoeffding_radius(n: int, value_range: float, alpha: float) -> float:
    # one-sided: P(mean - E >= t) <= exp(-2 n t^2 / range^2)
    return value_range * math.sqrt(math.log(1.0 / alpha) / (2.0 * n))


# ------------------------------------------------------------------------------------------
# Item 2: packed discriminator as a TV estimator
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PackedTVEstimate:
    """A packed discriminator's held-out lower bound on ``d_TV(P^m, Q^m)``.

    Attributes
    ----------
    m, hidden, depth, n_train, n_test, steps : int
    estimate : float
        Held-out ``P^m(S) - Q^m(S)`` for the learned set ``S = {V > 0}`` (a deterministic test);
        its expectation is ``<= d_TV(P^m, Q^m)``.
    soft_estimate : float
        Held-out ``E_{P^m}[T] - E_{Q^m}[T]`` with ``T = tanh(V)/2`` (the f-GAN TV bound itself).
    train_estimate : float
        ``P^m(S) - Q^m(S)`` on the training samples (optimistic: not a bound).
    radius : float
        One-sided Hoeffding radius at level ``1 - alpha`` for either held-out estimate:
        both average ``n_test`` i.i.d. differences with range 2, so
        ``estimate - radius <= E[estimate] <= d_TV`` with probability ``>= 1 - alpha``.
    alpha : float
    exact_lower, exact_upper : float
        Exact bracket on the continuous ``d_TV(P^m, Q^m)`` (:func:`packed_tv_bracket`);
        ``exact_lower`` is the exact discretised packed TV.
    """

    m: int
    hidden: int
    depth: int
    n_train: int
    n_test: int
    steps: int
    estimate: float
    soft_estimate: float
    train_estimate: float
    radius: float
    alpha: float
    exact_lower: float
    exact_upper: float

    @property
    def gap(self) -> float:
        """``exact_lower - estimate``: distance to the exact discretised packed TV (may be < 0 by noise)."""
        return self.exact_lower - self.estimate


@_single_threaded
def packed_tv_discriminator(
    target: GaussianMixture,
    generator: GaussianMixture,
    *,
    m: int,
    hidden: int = 64,
    depth: int = 2,
    n_train: int = 2000,
    n_test: int = 20000,
    steps: int = 500,
    lr: float = 3e-3,
    alpha: float = 1e-3,
    objective: str = "gan",
    seed: int = 0,
) -> PackedTVEstimate:
    """Train a packed discriminator on ``n_train`` samples of ``P^m`` and of ``Q^m``; bound TV on fresh ones.

    The discriminator ``V`` (an MLP on the ``m * d`` concatenated coordinates, as PacGAN packs) is
    trained by full-batch Adam on the fixed training samples, with ``objective``

    * ``"gan"`` (default): the GAN/BCE loss, i.e. the f-GAN bound of the GAN divergence; its
      optimum ``V* = log(p/q)`` has the TV-optimal set ``{V* > 0} = {p > q}``;
    * ``"tv"``: the f-GAN variational bound for TV itself, ``E_{P^m}[T] - E_{Q^m}[T]`` with
      ``T = tanh(V)/2`` (``sup_T = d_TV``, attained at ``T = sign(p - q)/2``; docs/theory.md s.1).
      Its gradient vanishes where ``tanh`` saturates and on flat regions; it trains more slowly.

    Either way the TV witnesses read off ``V`` (the set ``{V > 0}`` and ``tanh(V)/2``) are valid,
    and the held-out estimates use ``n_test`` fresh packed samples of each side.
    """
    import torch  # the torch half, imported when a critic is trained

    _require_same(target, generator)
    m = check_integer(m, "m", minimum=1)
    hidden = check_integer(hidden, "hidden", minimum=1)
    depth = check_integer(depth, "depth", minimum=1)
    n_train = check_integer(n_train, "n_train", minimum=1)
    n_test = check_integer(n_test, "n_test", minimum=1)
    steps = check_integer(steps, "steps", minimum=0)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    seed = check_integer(seed, "seed")
    if objective not in ("gan", "tv"):
        raise ValueError(f"objective must be 'gan' or 'tv'; got objective={objective!r}")
    rng = np.random.default_rng(seed)
    xp, xq = _packed(target, n_train, m, rng), _packed(generator, n_train, m, rng)
    net = mlp_critic(m * target.dim, hidden, depth, generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    tp, tq = torch.as_tensor(xp, dtype=torch.float32), torch.as_tensor(xq, dtype=torch.float32)
    for _ in range(steps):
        opt.zero_grad()
        vp, vq = net(tp), net(tq)
        if objective == "tv":
            loss = -(0.5 * torch.tanh(vp).mean() - 0.5 * torch.tanh(vq).mean())
        else:  # the GAN objective (BCE), i.e. the f-GAN bound for 2 JSD - log 4
            loss = _softplus(-vp).mean() + _softplus(vq).mean()
        loss.backward()
        opt.step()
    vp_tr, vq_tr = _forward(net, xp), _forward(net, xq)
    yp, yq = _packed(target, n_test, m, rng), _packed(generator, n_test, m, rng)
    vp, vq = _forward(net, yp), _forward(net, yq)
    lo, hi = packed_tv_bracket(target, generator, m)
    return PackedTVEstimate(
        m=m, hidden=hidden, depth=depth, n_train=n_train, n_test=n_test, steps=steps,
        estimate=float(np.mean(vp > 0) - np.mean(vq > 0)),
        soft_estimate=float(np.mean(0.5 * np.tanh(vp)) - np.mean(0.5 * np.tanh(vq))),
        train_estimate=float(np.mean(vp_tr > 0) - np.mean(vq_tr > 0)),
        radius=_hoeffding_radius(n_test, 2.0, alpha), alpha=alpha, exact_lower=lo, exact_upper=hi,
    )


# ------------------------------------------------------------------------------------------
# Item 4: f-GAN critics and a WGAN critic during training
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VariationalTrace:
    """Held-out f-GAN lower bound ``E_P[T] - E_Q[f*(T)]`` of one critic along its training.

    Attributes
    ----------
    name : str
        f-divergence name (``divergences.get_f_divergence``); ``quantity`` says what ``D_f`` is.
    quantity : str
    steps : ndarray of int, shape (c,)
        Training steps at the checkpoints.
    bound : ndarray, shape (c,)
        Held-out bound at each checkpoint, from a fresh *stratified* evaluation sample of about
        ``n_eval`` points per side (``n w_c`` from each component; the same for all checkpoints):
        ``sum_c w_c mean_c(T) - sum_c v_c mean_c(f*(T))``, unbiased for the witness's value.
    se : ndarray, shape (c,)
        Its standard error, ``sqrt(sum_c w_c^2 var_c(T)/n_c + sum_c v_c^2 var_c(f*(T))/n_c)``
        (CLT per stratum).
    z : float
        Normal quantile of the stated one-sided confidence: ``bound - z se <= D_f`` is the claim.
    exact_lower, exact_upper : float
        Exact bracket on ``D_f(P||Q)`` (:func:`divergence_bracket`).
    """

    name: str
    quantity: str
    steps: np.ndarray
    bound: np.ndarray
    se: np.ndarray
    z: float
    exact_lower: float
    exact_upper: float

    @property
    def gap(self) -> np.ndarray:
        """``exact_upper - bound`` at each checkpoint (>= 0 up to sampling error)."""
        return self.exact_upper - self.bound


def _checkpoints(steps: int, n: int) -> list[int]:
    if steps == 0:
        return [0]
    pts = np.unique(np.round(np.geomspace(1, steps, n - 1)).astype(int))
    return [0, *pts.tolist()]


@_single_threaded
def variational_bound_trace(
    name: str,
    target: GaussianMixture,
    generator: GaussianMixture,
    *,
    steps: int = 400,
    n_checkpoints: int = 8,
    hidden: int = 64,
    depth: int = 2,
    batch: int = 512,
    n_eval: int = 20000,
    lr: float = 3e-3,
    confidence: float = 0.999,
    seed: int = 0,
) -> VariationalTrace:
    """Train an f-GAN critic for ``D_f(P||Q)`` (P = target, Q = generator) and trace its held-out bound.

    The critic ``V`` is an MLP; the witness is ``T = g_f(V)`` with the f-GAN output activation
    (f-GAN Table 2), trained by Adam on fresh minibatches (``batch`` samples of each side per
    step) to maximise ``E_P[T] - E_Q[f*(T)]`` (f-GAN eq. (4), docs/theory.md s.1).
    ``name`` is one of :data:`TORCH_WITNESS_TERMS` (``kl``, ``jensen_shannon`` (= 2 JSD), ``gan``
    (= 2 JSD - log 4), ``total_variation``).
    """
    import torch  # the torch half, imported when a critic is trained

    from modecollapse import divergences

    if name not in TORCH_WITNESS_TERMS:
        raise ValueError(f"name must be one of {sorted(TORCH_WITNESS_TERMS)}; got name={name!r}")
    _require_same(target, generator)
    steps = check_integer(steps, "steps", minimum=0)
    n_checkpoints = check_integer(n_checkpoints, "n_checkpoints", minimum=2)
    hidden = check_integer(hidden, "hidden", minimum=1)
    depth = check_integer(depth, "depth", minimum=1)
    batch = check_integer(batch, "batch", minimum=1)
    n_eval = check_integer(n_eval, "n_eval", minimum=2)
    lr = check_real(lr, "lr", lo=0.0, lo_open=True)
    conf = check_probability(confidence, "confidence", open_low=True, open_high=True)
    seed = check_integer(seed, "seed")
    rng = np.random.default_rng(seed)
    terms = TORCH_WITNESS_TERMS[name]
    fd = divergences.get_f_divergence(name)
    ep, eq = _Stratified.draw(target, n_eval, rng), _Stratified.draw(generator, n_eval, rng)
    net = mlp_critic(target.dim, hidden, depth, generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    marks = set(_checkpoints(steps, n_checkpoints))
    rec_s, rec_b, rec_se = [], [], []

    def record(step):
        tp, _ = _terms_numpy(name, _forward(net, ep.x))
        _, cq = _terms_numpy(name, _forward(net, eq.x))
        mp, vp = ep.mean_var(tp)
        mq, vq = eq.mean_var(cq)
        rec_s.append(step)
        rec_b.append(mp - mq)
        rec_se.append(math.sqrt(vp + vq))

    for step in range(steps + 1):
        if step in marks:
            record(step)
        if step == steps:
            break
        xp = torch.as_tensor(target.sample(batch, rng), dtype=torch.float32)
        xq = torch.as_tensor(generator.sample(batch, rng), dtype=torch.float32)
        tp, _ = terms(net(xp))
        _, cq = terms(net(xq))
        loss = -(tp.mean() - cq.mean())
        opt.zero_grad()
        loss.backward()
        opt.step()
    from scipy.stats import norm

    lo, hi = divergence_bracket(name, target, generator)
    return VariationalTrace(name=name, quantity=fd.quantity, steps=np.array(rec_s), bound=np.array(rec_b),
                            se=np.array(rec_se), z=float(norm.ppf(conf)), exact_lower=lo, exact_upper=hi)


@dataclass(frozen=True)
class WassersteinTrace:
    """A WGAN critic's certified lower bound on the exact ``W1`` of two sample sets, along training.

    Attributes
    ----------
    steps : ndarray of int, shape (c,)
    raw : ndarray, shape (c,)
        ``mean f(X) - mean f(Y)`` on the evaluation samples.
    lipschitz : ndarray, shape (c,)
        ``max_{a != b} |f(z_a) - f(z_b)| / ||z_a - z_b||`` over the union of the evaluation samples.
    bound : ndarray, shape (c,)
        ``raw / lipschitz``: ``f / L`` is 1-Lipschitz on the support points, hence feasible for
        the discrete dual LP, so ``bound <= w1`` exactly (no sampling error).
    w1 : float
        Exact ``W1`` of the two empirical measures (``divergences.wasserstein1``: exact, by the network simplex in d >= 2).
    n_eval : int
    """

    steps: np.ndarray
    raw: np.ndarray
    lipschitz: np.ndarray
    bound: np.ndarray
    w1: float
    n_eval: int

    @property
    def gap(self) -> np.ndarray:
        return self.w1 - self.bound


def _sample_lipschitz(z: np.ndarray, f: np.ndarray) -> float:
    best = 0.0
    for start in range(0, z.shape[0], 512):
        d = np.sqrt(((z[start : start + 512, None, :] - z[None, :, :]) ** 2).sum(-1))
        df = np.abs(f[start : start + 512, None] - f[None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(d > 0, df / d, 0.0)
        best = max(best, float(r.max()))
    return best


@_single_threaded
def wasserstein_critic_trace(
    xp,
    xq,
    *,
    steps: int = 400,
    n_checkpoints: int = 8,
    hidden: int = 64,
    depth: int = 2,
    lr: float = 1e-3,
    gp_weight: float = 10.0,
    seed: int = 0,
) -> WassersteinTrace:
    """Train a WGAN-GP critic on two fixed sample sets and trace its certified bound on their exact W1.

    The critic ``f`` maximises ``mean f(X) - mean f(Y) - gp_weight E[(||grad f|| - 1)^2]``
    (gradient penalty on random interpolates, Gulrajani et al. 2017) by full-batch Adam on
    ``xp`` (target samples) and ``xq`` (generator samples), shape ``(n, d)`` each with equal
    ``n``. At each checkpoint the critic is rescaled by its Lipschitz constant on the samples and
    compared with ``divergences.wasserstein1`` of the two empirical measures.
    """
    import torch  # the torch half, imported when a critic is trained

    from modecollapse import divergences

    xp = np.asarray(xp, dtype=np.float64)
    xq = np.asarray(xq, dtype=np.float64)
    if xp.ndim != 2 or xq.ndim != 2 or xp.shape[1] != xq.shape[1] or xp.shape[0] < 1 or xq.shape[0] < 1:
        raise ValueError(f"xp and xq must be (n, d) arrays with the same d; got shapes {xp.shape} and {xq.shape}")
    if not (np.all(np.isfinite(xp)) and np.all(np.isfinite(xq))):
        raise ValueError("xp and xq must be finite")
    steps = check_integer(steps, "steps", minimum=0)
    n_checkpoints = check_integer(n_checkpoints, "n_checkpoints", minimum=2)
    gp_weight = check_real(gp_weight, "gp_weight", lo=0.0)
    seed = check_integer(seed, "seed")
    gen = torch.Generator().manual_seed(seed)  # the initial weights, then the interpolation draws
    net = mlp_critic(xp.shape[1], check_integer(hidden, "hidden", minimum=1), check_integer(depth, "depth", minimum=1),
                     generator=gen)
    opt = torch.optim.Adam(net.parameters(), lr=check_real(lr, "lr", lo=0.0, lo_open=True), betas=(0.5, 0.9))
    tp, tq = torch.as_tensor(xp, dtype=torch.float32), torch.as_tensor(xq, dtype=torch.float32)
    z = np.concatenate([xp, xq])
    marks = set(_checkpoints(steps, n_checkpoints))
    rec = []
    n = min(xp.shape[0], xq.shape[0])
    for step in range(steps + 1):
        if step in marks:
            fz = _forward(net, z)
            raw = float(fz[: xp.shape[0]].mean() - fz[xp.shape[0] :].mean())
            lip = _sample_lipschitz(z, fz)
            rec.append((step, raw, lip, raw / lip if lip > 0 else 0.0))
        if step == steps:
            break
        t = torch.rand(n, 1, generator=gen)
        inter = (t * tp[:n] + (1 - t) * tq[:n]).requires_grad_(True)
        g = torch.autograd.grad(net(inter).sum(), inter, create_graph=True)[0]
        loss = -(net(tp).mean() - net(tq).mean()) + gp_weight * ((g.norm(dim=1) - 1.0) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    w1 = float(divergences.wasserstein1(xp, xq))
    arr = np.array(rec, dtype=float)
    return WassersteinTrace(steps=arr[:, 0].astype(int), raw=arr[:, 1], lipschitz=arr[:, 2], bound=arr[:, 3],
                            w1=w1, n_eval=int(z.shape[0]))


# ------------------------------------------------------------------------------------------
# Item 3: AdaGAN data weights from a trained classifier vs exact R*_beta
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AdaGANWeightCheck:
    """Classifier-based AdaGAN data weights compared with the exact ones from the densities.

    Attributes
    ----------
    beta : float
    n_data : int
    weights_classifier, weights_exact : ndarray, shape (n_data,)
        ``w_i = (1/(N beta)) (lambda - (1-beta) h_i)_+`` with ``h_i = exp(-logit_i)`` from the
        trained classifier, resp. ``h_i = p_g(x_i)/p_d(x_i)`` from the known densities
        (``divergences.adagan_weights``, exact breakpoint normaliser).
    correlation : float
        Pearson correlation of the two weight vectors (``nan`` only if one of them is constant,
        where a correlation is undefined).
    tv_weights : float
        ``1/2 sum |w_classifier - w_exact|``.
    lambda_classifier, lambda_exact_sample : float
        The normalisers of the two weightings.
    lambda_star : float
        Population ``lambda*`` from the mixture weights (``divergences.adagan_optimal_component``;
        exact for same-component mixtures with separated modes, where ``p_g/p_d`` is constant on
        each mode's neighbourhood).
    mode_mass_classifier, mode_mass_exact, mode_mass_star : ndarray, shape (K,)
        Mass each weighting puts on each mode's data points, and ``R*_beta`` on the weights.
    """

    beta: float
    n_data: int
    weights_classifier: np.ndarray
    weights_exact: np.ndarray
    correlation: float
    tv_weights: float
    lambda_classifier: float
    lambda_exact_sample: float
    lambda_star: float
    mode_mass_classifier: np.ndarray
    mode_mass_exact: np.ndarray
    mode_mass_star: np.ndarray


@_single_threaded
def adagan_weight_crosscheck(
    target: GaussianMixture,
    model: GaussianMixture,
    *,
    beta: float = 0.5,
    n_data: int = 5000,
    steps: int = 400,
    hidden: int = 64,
    depth: int = 2,
    lr: float = 3e-3,
    seed: int = 0,
) -> AdaGANWeightCheck:
    """Train a real-vs-mixture classifier and compare its AdaGAN weights with the exact ``R*_beta`` weights.

    ``n_data`` target points are the data set; ``n_data`` model samples the fakes (equal sizes,
    so the optimal logit is ``log p_d - log p_g``). The classifier (MLP, BCE, full-batch Adam)
    gives ``h_i = exp(-logit(x_i))``; the densities give the exact ``h_i``. Both go through
    ``divergences.adagan_weights(..., from_logits=True)`` (AdaGAN, Tolstikhin et al. 2017,
    Theorem 1 and the data-weight rule in the AdaGAN talk (Tolstikhin)).
    """
    import torch  # the torch half, imported when a critic is trained
    from torch.nn import functional as F

    from modecollapse import divergences

    _require_same(target, model)
    beta = check_probability(beta, "beta", open_low=True)
    n_data = check_integer(n_data, "n_data", minimum=2)
    steps = check_integer(steps, "steps", minimum=0)
    seed = check_integer(seed, "seed")
    rng = np.random.default_rng(seed)
    x = target.sample(n_data, rng)
    y = model.sample(n_data, rng)
    net = mlp_critic(target.dim, check_integer(hidden, "hidden", minimum=1), check_integer(depth, "depth", minimum=1),
                     generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.Adam(net.parameters(), lr=check_real(lr, "lr", lo=0.0, lo_open=True))
    tx, ty = torch.as_tensor(x, dtype=torch.float32), torch.as_tensor(y, dtype=torch.float32)
    for _ in range(steps):
        opt.zero_grad()
        loss = F.softplus(-net(tx)).mean() + F.softplus(net(ty)).mean()  # BCE: data label 1, model 0
        loss.backward()
        opt.step()
    logit_hat = _forward(net, x)
    logit_exact = target.logpdf(x) - model.logpdf(x)
    wc = divergences.adagan_weights(logit_hat, beta, from_logits=True)
    we = divergences.adagan_weights(logit_exact, beta, from_logits=True)
    star = divergences.adagan_optimal_component(target.weights, model.weights, beta)
    part = ModePartition.from_mixture(target)
    lab = part.assign(x)
    k = target.weights.size
    mass_c = np.bincount(lab, weights=wc.weights, minlength=k + 1)[:k]
    mass_e = np.bincount(lab, weights=we.weights, minlength=k + 1)[:k]
    a, b = np.asarray(wc.weights), np.asarray(we.weights)
    corr = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float("nan")
    return AdaGANWeightCheck(
        beta=beta, n_data=n_data, weights_classifier=a, weights_exact=b, correlation=corr,
        tv_weights=float(0.5 * np.abs(a - b).sum()), lambda_classifier=float(wc.lam),
        lambda_exact_sample=float(we.lam), lambda_star=float(star.lam),
        mode_mass_classifier=mass_c, mode_mass_exact=mass_e, mode_mass_star=np.asarray(star.component, dtype=float),
    )
