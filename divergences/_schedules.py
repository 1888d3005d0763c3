"""AdaGAN mixture-weight schedules beta_t (docs/theory.md s.5; AdaGAN, arXiv 1701.02386, Section 3).

AdaGAN's Algorithm 1 leaves two choices to the user: ``ChooseMixtureWeight(t)`` (``beta_t``)
and ``UpdateTrainingWeights`` (the data weights of component ``t``). A schedule here bundles
both behind one interface a trainer can call without knowing which schedule it has:

``schedule.beta(t, h=None, weights=None) -> float``
    the weight ``beta_t`` of the ``t``-th component (``t = 1, 2, ...``). Every schedule returns
    ``beta_1 = 1``: the first component is the whole model (Algorithm 1 trains ``G_1`` alone).
    ``h`` (likelihood-ratio estimates on the data) and ``weights`` (the data's base weights) are
    used only by data-dependent schedules (:class:`TopKLastBeta`).

``schedule.step(t, discriminator_outputs=None, *, base_weights=None, kind="star", eta=0.0,
from_logits=False) -> ScheduleStep``
    ``beta_t`` and the training weights of component ``t`` in one call.

``schedule.reweights_data``
    ``False`` only for the ensemble/bagging baseline, whose data weights stay uniform.

Schedules are immutable values (frozen dataclasses); :func:`beta_schedule` builds one from a
short string such as ``"topklast:0.5"`` (for command lines). :func:`adagan_mixture_weights`
turns a sequence ``beta_1..beta_T`` into the final mixture weights ``alpha``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._adagan import _base_weights, _check_kind, _likelihood_ratios, adagan_weights
from ._validation import check_integer, check_probability, check_real_array

__all__ = [
    "BetaSchedule",
    "ConstantBeta",
    "BoostedBeta",
    "EnsembleBeta",
    "TopKLastBeta",
    "ScheduleStep",
    "beta_schedule",
    "adagan_mixture_weights",
    "topklast_beta",
]


@dataclass(frozen=True)
class ScheduleStep:
    """What a trainer needs for component ``t``: its mixture weight and its data weights.

    Attributes
    ----------
    t : int
    beta : float
        ``beta_t`` (1 for ``t = 1``).
    weights : ndarray, shape (N,)
        Training weights of the data for component ``t`` (sum 1).
    lam : float or None
        The AdaGAN normaliser when the data were reweighted, else ``None``.
    """

    t: int
    beta: float
    weights: np.ndarray
    lam: float | None


#: Largest component index: ``1/t`` must be a positive float (``1/10**308`` still is).
_MAX_T = 10**308


class BetaSchedule:
    """Base class: subclasses implement :meth:`_beta` for ``t >= 2``."""

    name = "abstract"
    reweights_data = True

    def beta(self, t, h=None, weights=None) -> float:
        """``beta_t`` for component ``t >= 1``; ``beta_1 = 1`` for every schedule."""
        t = check_integer(t, "t", minimum=1, maximum=_MAX_T)
        # checked even where this schedule does not read them: a wrong h is a bug upstream
        for label, arr in (("h", h), ("weights", weights)):
            if arr is not None:
                a = check_real_array(arr, label)
                if a.ndim != 1 or np.isnan(a).any():
                    raise ValueError(f"{label} must be a 1-D array without NaN; got {label}={arr!r}")
        if t == 1:
            return 1.0
        return self._beta(t, h, weights)

    def _beta(self, t: int, h, weights) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def step(
        self,
        t,
        discriminator_outputs=None,
        *,
        base_weights=None,
        kind: str = "star",
        eta: float = 0.0,
        from_logits: bool = False,
    ) -> ScheduleStep:
        """``beta_t`` and the training weights of component ``t``.

        For ``t = 1`` and for schedules that do not reweight, the weights are the base weights
        (uniform when omitted) and ``discriminator_outputs`` may be ``None``. Otherwise
        ``discriminator_outputs`` are ``D(x_i)`` of a classifier of data vs the current model
        on the data points (see :func:`modecollapse.divergences.adagan_weights` for ``kind``, ``eta``,
        ``from_logits``), and the weights are :func:`modecollapse.divergences.adagan_weights` at ``beta_t``.
        """
        t = check_integer(t, "t", minimum=1, maximum=_MAX_T)
        _check_kind(kind)  # checked even where the weights stay the base weights
        if t == 1 or not self.reweights_data:
            if discriminator_outputs is None:
                if base_weights is None:
                    raise ValueError(
                        "step needs discriminator_outputs or base_weights to know the number of data points"
                    )
                b = _base_weights(base_weights, np.asarray(base_weights).size, against="base_weights")
            else:
                h = _likelihood_ratios(discriminator_outputs, eta=eta, from_logits=from_logits)
                b = _base_weights(base_weights, h.size)
            return ScheduleStep(t=t, beta=self.beta(t), weights=b, lam=None)
        if discriminator_outputs is None:
            raise ValueError(f"schedule {self.name!r} reweights the data: step(t={t}) needs discriminator_outputs")
        h = _likelihood_ratios(discriminator_outputs, eta=eta, from_logits=from_logits)
        b = _base_weights(base_weights, h.size)
        bt = self.beta(t, h=h, weights=b)
        res = adagan_weights(
            discriminator_outputs, bt, kind=kind, base_weights=b, eta=eta, from_logits=from_logits
        )
        return ScheduleStep(t=t, beta=bt, weights=res.weights, lam=res.lam)


@dataclass(frozen=True)
class ConstantBeta(BetaSchedule):
    """``beta_t = beta`` for every ``t >= 2`` (AdaGAN's constant schedule).

    The optimal-update guarantee is then ``D_f(P_T || P_d) <= (1-beta)^(T-1) D_f(P_1 || P_d)``.
    """

    value: float = 0.5
    name = "constant"

    def __post_init__(self):
        check_probability(self.value, "beta", open_low=True)

    def _beta(self, t, h, weights) -> float:
        return float(self.value)


@dataclass(frozen=True)
class BoostedBeta(BetaSchedule):
    """``beta_t = 1/t`` with AdaGAN reweighting (the paper's "Boosted" rows).

    With ``beta_t = 1/t`` every component ends with the same mixture weight ``1/T``.
    """

    name = "boosted"

    def _beta(self, t, h, weights) -> float:
        return 1.0 / t


@dataclass(frozen=True)
class EnsembleBeta(BetaSchedule):
    """Bagging/ensemble baseline: ``beta_t = 1/t`` and uniform (base) data weights.

    This is the paper's "Ensemble of T" row: ``T`` GANs trained on the same, unreweighted data
    and mixed with equal weights ``1/T``. Resampling the data with replacement (bootstrap
    bagging) is uniform in expectation and is left to the trainer.
    """

    name = "ensemble"
    reweights_data = False

    def _beta(self, t, h, weights) -> float:
        return 1.0 / t


def topklast_beta(h, r, *, weights=None) -> float:
    """``beta`` for which the AdaGAN weights zero out ``round(r N)`` of the ``N`` data points.

    Reading implemented (docs/theory.md s.5; the table caption of the AdaGAN talk (Tolstikhin),
    "beta_t is chosen to zero out ``r N`` of the training"): ``n0 = floor(r N + 1/2)`` points get zero weight and
    ``k = N - n0`` are kept. (The talk's earlier slide says ``#{w_i > 0} ~ r N``, the
    complementary reading; at the published ``r = 0.5`` the two agree up to rounding.)

    Derivation. Sort ``h_(1) <= ... <= h_(N)`` with base weights ``p_(i)``. The point ``k+1``
    sits exactly on the zero-weight boundary iff ``lambda* = (1-beta) h_(k+1)``; at that lambda
    the AdaGAN normaliser reads ``sum_{i<=k} p_(i) (1-beta)(h_(k+1) - h_(i)) = beta``, i.e.
    ``(1-beta) c = beta`` with

    .. math::  c = \\sum_{i \\le k} p_{(i)} (h_{(k+1)} - h_{(i)}),\\qquad \\beta = c / (1 + c).

    All points with ``h >= h_(k+1)`` then get weight 0 (the ``(k+1)``-th one exactly on the
    boundary, up to rounding of a few ulps); ties ``h_(k) = h_(k+1)`` zero out more than
    ``n0`` points.

    Parameters
    ----------
    h : array_like, shape (N,)
        Likelihood-ratio estimates ``(1 - D) / D`` on the data, ``>= 0`` (``inf`` allowed).
    r : float in (0, 1)
        Fraction of points to zero out.
    weights : array_like, shape (N,), optional
        Base weights of the data (uniform when omitted).

    Returns
    -------
    float
        ``beta`` in ``(0, 1)``.

    Raises
    ------
    ValueError
        ``r`` outside ``(0, 1)``; ``round(r N)`` equal to 0 or ``N``; ``h`` invalid; ``c = 0``
        (the ``k`` kept points tie with point ``k+1``: no ``beta`` separates them); or
        ``h_(k+1) = inf`` (``D = 0`` there: at least ``n0`` points are zero for every
        ``beta < 1``, so ``beta`` is not determined; clip ``D`` with ``eta > 0``).
    """
    r = check_probability(r, "r", open_low=True, open_high=True)
    harr = check_real_array(h, "h", allow_scalar=True)
    if harr.ndim != 1 or harr.size == 0:
        raise ValueError(f"h must be a non-empty 1-D array; got shape {harr.shape}")
    bad = np.isnan(harr) | (harr < 0)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"h must be non-negative likelihood ratios (inf allowed, nan not); got h[{i}]={float(harr[i])!r}"
        )
    n = harr.size
    b = _base_weights(weights, n, name="weights", against="h")
    n0 = int(math.floor(r * n + 0.5))
    if not 1 <= n0 <= n - 1:
        raise ValueError(
            f"r * N must round to between 1 and N - 1 points; got r={r!r}, N={n}, round(r N)={n0}"
        )
    k = n - n0
    order = np.argsort(harr, kind="stable")
    hs = harr[order]
    bs = b[order]
    nxt = hs[k]
    if math.isinf(nxt):
        raise ValueError(
            f"the {k + 1}-th smallest h = (1 - D) / D of discriminator_outputs is inf (D = 0): at least {n0} "
            "points get zero weight for every beta < 1, so TopKLast cannot choose beta; clip D with eta > 0"
        )
    c = float(np.sum(bs[:k] * (nxt - hs[:k])))
    if not c > 0:
        raise ValueError(
            f"TopKLast: the {k} smallest h = (1 - D) / D of discriminator_outputs tie with the ({k + 1})-th "
            f"(c = {c!r}); no beta zeroes out exactly these points"
        )
    return c / (1.0 + c)


@dataclass(frozen=True)
class TopKLastBeta(BetaSchedule):
    """"TopKLast r": ``beta_t`` chosen so that ``round(r N)`` data points get zero weight.

    ``beta_t = c / (1 + c)`` with ``c`` from the current ``h`` (see :func:`topklast_beta` for the
    derivation and the reading of ``r``). :meth:`beta` needs ``h`` for ``t >= 2``.
    """

    r: float = 0.5
    name = "topklast"

    def __post_init__(self):
        check_probability(self.r, "r", open_low=True, open_high=True)

    def _beta(self, t, h, weights) -> float:
        if h is None:
            raise ValueError(f"TopKLastBeta.beta(t={t}) needs h (likelihood ratios on the data)")
        return topklast_beta(h, self.r, weights=weights)


def beta_schedule(spec: str) -> BetaSchedule:
    """Build a schedule from a short string: ``"constant:0.3"``, ``"boosted"``, ``"ensemble"``
    (alias ``"bagging"``), ``"topklast:0.5"``.

    Raises
    ------
    ValueError
        An unknown name or a missing/invalid parameter.
    """
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a string such as 'constant:0.5'; got spec={spec!r}")
    name, _, arg = spec.strip().lower().partition(":")
    try:
        if name == "constant":
            return ConstantBeta(float(arg))
        if name == "topklast":
            return TopKLastBeta(float(arg))
    except ValueError as exc:
        raise ValueError(f"bad schedule spec {spec!r}: {exc}") from exc
    if name in ("boosted", "ensemble", "bagging") and not arg:
        return BoostedBeta() if name == "boosted" else EnsembleBeta()
    raise ValueError(
        "spec must be one of 'constant:<beta>', 'boosted', 'ensemble' ('bagging'), "
        f"'topklast:<r>'; got spec={spec!r}"
    )


def adagan_mixture_weights(betas) -> np.ndarray:
    """Final mixture weights ``alpha_1..alpha_T`` of ``G_T`` from ``beta_1..beta_T``.

    ``G_t = (1 - beta_t) G_{t-1} + beta_t G^c_t`` gives
    ``alpha_i = beta_i prod_{j > i} (1 - beta_j)``; with ``beta_1 = 1`` they sum to one.

    Parameters
    ----------
    betas : array_like, shape (T,)
        ``betas[0]`` must be 1 (the first component is the whole model), the others in ``(0, 1]``.

    Returns
    -------
    ndarray, shape (T,)
    """
    bs = check_real_array(betas, "betas", allow_scalar=True)
    if bs.ndim != 1 or bs.size == 0:
        raise ValueError(f"betas must be a non-empty 1-D sequence; got shape {bs.shape}")
    if bs[0] != 1.0:
        raise ValueError(f"betas[0] must be 1 (the first component is the whole model); got betas[0]={bs[0]!r}")
    for i, b in enumerate(bs):
        check_probability(float(b), f"betas[{i}]", open_low=True)
    tail = np.concatenate([np.cumprod((1.0 - bs[::-1]))[::-1][1:], [1.0]])
    return bs * tail
