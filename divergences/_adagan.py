"""AdaGAN optimal next component R*, R+ and data reweighting (docs/theory.md s.5).

AdaGAN (Tolstikhin, Gelly, Bousquet, Simon-Gabriel, Schoelkopf, NIPS 2017, arXiv 1701.02386)
grows a mixture greedily, ``P_{t+1} = (1 - beta) P_t + beta Q``. Its Theorem 1 gives the best
new component over *all* distributions, for *every* f-divergence at once,

.. math::

    dR^*_\\beta = \\tfrac{1}{\\beta}\\,(\\lambda^* dP_d - (1-\\beta)\\, dP_g)_+ ,
    \\qquad \\beta \\le \\lambda^* \\le 1,

and its Theorem 2 a second one, the minimiser of the "beta dR <= dP_d" surrogate,

.. math::

    dR^\\dagger_\\beta = \\tfrac{1}{\\beta}\\,(dP_d - \\lambda^\\dagger (1-\\beta)\\, dP_g)_+ ,
    \\qquad \\lambda^\\dagger \\ge 1 .

Argument order. AdaGAN writes ``D_f(Q||P) = int f(dQ/dP) dP``; the toolkit writes
``D_f(P||Q) = sum_i q_i f(p_i / q_i)``. Both put the *numerator* first, so AdaGAN's objective
``D_f((1-beta) P_g + beta Q || P_d)`` is ``f_divergence(mixture, p_data, f)`` here (the data are
the reference measure).

Exact normalisers. The mass of ``R*`` as a function of lambda is piecewise linear with
breakpoints ``(1-beta) h_i`` where ``h_i = p_g,i / p_d,i`` is the likelihood ratio; sorting the
ratios and scanning the breakpoints gives lambda in closed form on the right piece, in
``O(k log k)`` and without an iterative root finder (likewise for ``lambda+`` with the
breakpoints ``p_d,i / p_g,i``). The sample version, :func:`adagan_weights`, runs the same scan on
``h_i = (1 - D(x_i)) / D(x_i)`` from a real-vs-model classifier ``D``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import _plain, as_pair, as_probability_vector, check_probability, check_real, check_real_array

__all__ = [
    "AdaGANComponent",
    "AdaGANWeights",
    "AdaGANIterates",
    "adagan_optimal_component",
    "adagan_weights",
    "adagan_iterates",
    "adagan_weak_learner_factor",
    "adagan_finite_steps",
    "ADAGAN_KINDS",
]

#: The two optimal components of AdaGAN: ``"star"`` (R*, Theorem 1) and ``"dagger"`` (R+, Theorem 2).
ADAGAN_KINDS = ("star", "dagger")

# Positive parts within this many ulps (relative to the terms) of zero are set to exactly zero.
_ROUND = 16.0 * np.finfo(float).eps

# Rounding slack allowed between the closed-form component mass and 1 before we call it a bug.
_MASS_RTOL = 1e-7


@dataclass(frozen=True)
class AdaGANComponent:
    """The optimal next mixture component for a discrete pair (result of :func:`adagan_optimal_component`).

    Attributes
    ----------
    component : ndarray, shape (k,)
        The optimal ``R`` (``R*_beta`` or ``R+_beta``) as a probability vector.
    lam : float
        ``lambda*`` (in ``[beta, 1]``) for ``kind="star"``, ``lambda+`` (``>= 1``) for ``"dagger"``.
    mixture : ndarray, shape (k,)
        The new model ``(1 - beta) p_model + beta R``. For ``"star"`` it equals
        ``max((1 - beta) p_model, lambda* p_data)`` atom by atom.
    beta : float
        The mixture weight of the new component.
    kind : str
        ``"star"`` or ``"dagger"``.
    n_active : int
        Number of atoms where ``R > 0``.
    """

    component: np.ndarray
    lam: float
    mixture: np.ndarray
    beta: float
    kind: str
    n_active: int


@dataclass(frozen=True)
class AdaGANWeights:
    """Data weights for the next AdaGAN component (result of :func:`adagan_weights`).

    Attributes
    ----------
    weights : ndarray, shape (N,)
        Non-negative weights summing to one: sample the next component's training set from them.
    lam : float
        The normaliser (``lambda*`` or ``lambda+``) found by the exact breakpoint scan.
    h : ndarray, shape (N,)
        The likelihood-ratio estimates ``h_i = (1 - D_i) / D_i`` (``inf`` where ``D_i = 0``),
        after the clipping of ``eta`` if any.
    beta : float
    kind : str
    n_zero : int
        Number of points with zero weight.
    implied_model_mass : float
        ``sum_i b_i h_i``: the classifier's estimate of ``P_model(supp P_data)``. It is ``<= 1``
        for the optimal discriminator; ``lambda* <= 1`` is guaranteed only when it is ``<= 1``
        (a poorly trained classifier can push it above 1, and then lambda* above 1).
    """

    weights: np.ndarray
    lam: float
    h: np.ndarray
    beta: float
    kind: str
    n_zero: int
    implied_model_mass: float


@dataclass(frozen=True)
class AdaGANIterates:
    """The sequence of models produced by optimal AdaGAN updates (:func:`adagan_iterates`).

    Attributes
    ----------
    models : ndarray, shape (T + 1, k)
        ``models[0]`` is the starting model, ``models[t]`` the model after ``t`` updates.
    components : ndarray, shape (T, k)
        The optimal component added at each update.
    lams : ndarray, shape (T,)
        The normaliser of each update.
    betas : ndarray, shape (T,)
    kind : str
    """

    models: np.ndarray
    components: np.ndarray
    lams: np.ndarray
    betas: np.ndarray
    kind: str


# --------------------------------------------------------------------------------------------
# exact normalisers
# --------------------------------------------------------------------------------------------
def _scan_star(a: np.ndarray, g: np.ndarray, h: np.ndarray, beta: float) -> tuple[float, float]:
    """Solve ``sum_i a_i (lam - (1-beta) h_i)_+ = beta`` exactly; ``g_i = a_i h_i``.

    ``a > 0`` and ``h`` finite. On the piece where the ``k`` smallest ratios are active the
    left side is ``lam A_k - (1-beta) G_k`` (``A, G`` cumulative sums in ``h`` order), so
    ``lam_k = (beta + (1-beta) G_k) / A_k``; the answer is the first ``k`` whose ``lam_k`` does
    not pass the next breakpoint ``(1-beta) h_(k+1)`` (the left side is increasing in lam).
    Returns ``(lam, 1 - lam)``, the latter computed as ``((A_k - G_k) - beta (1 - G_k)) / A_k``
    from a cumulative sum of differences, to avoid cancellation near ``lam = 1``.
    """
    order = np.argsort(h, kind="stable")
    hs = h[order]
    A = np.cumsum(a[order])
    G = np.cumsum(g[order])
    lam_k = (beta + (1.0 - beta) * G) / A
    nxt = np.empty_like(hs)
    nxt[:-1] = (1.0 - beta) * hs[1:]
    nxt[-1] = np.inf
    k = int(np.argmax(lam_k <= nxt))  # the last entry is always True
    diff = float(np.sum(a[order][: k + 1] - g[order][: k + 1]))
    one_minus = (diff - beta * (1.0 - float(G[k]))) / float(A[k])
    return float(lam_k[k]), float(one_minus)


def _scan_dagger(a: np.ndarray, g: np.ndarray, r: np.ndarray, beta: float, z: float) -> float:
    """Solve ``z + sum_i (a_i - mu g_i)_+ = beta`` for ``mu > 0`` exactly; ``r_i = a_i / g_i``.

    ``a, g > 0``; ``z`` is the data mass where the model has none (``z < beta``). Sorting
    ``r`` descending, on the piece where the ``k`` largest ratios are active the left side is
    ``z + A_k - mu G_k``, so ``mu_k = (z + A_k - beta) / G_k``; the answer is the first ``k``
    whose ``mu_k`` is not below the next breakpoint ``r_(k+1)`` (the left side decreases in mu).
    """
    order = np.argsort(-r, kind="stable")
    rs = r[order]
    A = np.cumsum(a[order])
    G = np.cumsum(g[order])
    mu_k = (z + A - beta) / G
    nxt = np.empty_like(rs)
    nxt[:-1] = rs[1:]
    nxt[-1] = 0.0
    k = int(np.argmax(mu_k >= nxt))  # the last entry is always True when z < beta
    return float(mu_k[k])


def _check_beta(beta) -> float:
    return check_probability(beta, "beta", open_low=True)


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or kind not in ADAGAN_KINDS:
        raise ValueError(f"kind must be one of {ADAGAN_KINDS}; got kind={kind!r}")
    return kind


_EPS = float(np.finfo(float).eps)  # a Python float: a tolerance over a subnormal beta is inf, not a warning


def _normalised(x: np.ndarray, what: str, beta: float, k: int, scale: float = 1.0) -> np.ndarray:
    """Divide by the float sum; the closed form is exact, so the sum is 1 up to ``O(k eps scale / beta)``.

    The bound reflects the conditioning: ``R`` has mass ``beta`` spread over differences of
    terms of size ``scale`` (``O(1)`` masses; ``lambda`` for classifier weights) before the
    division by ``beta``.
    """
    s = float(x.sum())
    if not s > 0:
        raise RuntimeError(f"internal error: {what} has no mass (beta={beta!r} too small for float64?)")
    tol = _MASS_RTOL + 64.0 * k * _EPS * (1.0 + scale) / beta
    if not (abs(s - 1.0) <= tol):  # a bug, not bad input
        raise RuntimeError(f"internal error: {what} has mass {s!r} instead of 1")
    out = x / s
    out.setflags(write=False)
    return out


def _mass_within(x: np.ndarray, beta: float, k: int, scale: float) -> bool:
    """Whether :func:`_normalised` accepts ``x`` (positive mass within its tolerance of 1)."""
    s = float(x.sum())
    return s > 0 and abs(s - 1.0) <= _MASS_RTOL + 64.0 * k * _EPS * (1.0 + scale) / beta


def _small_beta_weights(h: np.ndarray, b: np.ndarray, beta: float, kind: str) -> tuple[np.ndarray, float]:
    """The ``beta -> 0`` limit of the AdaGAN weights and the normaliser that gives it.

    As for :func:`_small_beta_limit`: the weight concentrates on the points (``b > 0``) with
    the smallest finite ``h``, ties within ``8 eps``, in proportion to ``b`` (``"dagger"``:
    after ``b / beta`` on the points with ``h = 0``). ``lam`` is the normaliser that makes these
    the exact weights of the formula on the tie set: ``lam* = (1-beta) h_min + beta / b(T)``,
    ``lam+ = (1 - beta rest / b(T)) / ((1-beta) h_min)``.
    """
    pos = (b > 0) & np.isfinite(h)
    w = np.zeros(h.shape)
    if kind == "dagger":
        zero = pos & (h == 0)
        w[zero] = b[zero] / beta
        rest = 1.0 - float(w.sum())
        cand = pos & (h > 0)
        if not np.any(cand):
            return w, 1.0 / (1.0 - beta)
        hmin = float(np.min(h[cand]))
        if rest <= 0:
            return w, 1.0 / ((1.0 - beta) * hmin)
    else:
        rest, cand = 1.0, pos
        hmin = float(np.min(h[cand]))
    tie = cand & (h <= hmin * (1.0 + 8.0 * _EPS))
    bt = float(b[tie].sum())
    w[tie] = rest * b[tie] / bt
    if kind == "dagger":
        return w, (1.0 - beta * rest / bt) / ((1.0 - beta) * hmin)
    return w, (1.0 - beta) * hmin + beta / bt


def _loses_all_digits(raw: np.ndarray, beta: float, k: int) -> bool:
    """Whether the closed form's mass misses 1 by more than :func:`_normalised` allows (tiny ``beta``)."""
    s = float(raw.sum())
    return not (s > 0 and abs(s - 1.0) <= _MASS_RTOL + 64.0 * k * _EPS * 2.0 / beta)


def _small_beta_limit(pd: np.ndarray, pg: np.ndarray, beta: float, kind: str) -> np.ndarray:
    """The ``beta -> 0`` limit of ``R*`` / ``R+``, for ``beta`` so small the closed form keeps no digits.

    ``(lam p_d - (1-beta) p_g)_+ / beta`` is a difference of ``O(1)`` masses divided by ``beta``;
    for ``beta`` near or below ``k eps`` rounding swamps it. As ``beta -> 0`` both components
    concentrate on the atoms of ``supp P_d`` with the smallest likelihood ratio
    ``h = p_g / p_d`` (``R+``: first the data mass where ``p_g = 0``, ``z / beta``, the rest on
    the smallest positive ``h``), in proportion to ``p_d``. The error of this limit is
    ``O(beta / gap)``, ``gap`` the distance to the next ratio. Ratios within ``8 eps`` of the
    smallest are treated as ties.
    """
    supp = pd > 0
    h = np.full(pd.shape, np.inf)
    h[supp] = pg[supp] / pd[supp]
    return _small_beta_weights(h, pd, beta, kind)[0]  # the same limit, with b = p_d


def adagan_optimal_component(p_data, p_model, beta, *, kind: str = "star") -> AdaGANComponent:
    """The optimal next AdaGAN component for a discrete pair, and the new mixture.

    ``kind="star"`` (AdaGAN, Theorem 1): the minimiser over all ``Q`` of
    ``D_f((1-beta) P_model + beta Q || P_data)``, the same for every f,

    .. math::

        R^*_\\beta = \\tfrac{1}{\\beta}(\\lambda^* p_d - (1-\\beta) p_g)_+ ,\\quad
        \\sum_i R^*_i = 1,\\quad \\lambda^* \\in [\\beta, 1] .

    ``lambda* = 1`` iff ``(1 - beta) p_g <= p_d`` on every atom (which, for ``beta < 1``,
    forces ``P_g << P_d``); that case is detected by this criterion and returned as exactly
    ``1.0``. Model mass outside the data support makes ``lambda* < 1`` (the slide's
    "iff ``P_d((1-beta) dP_g > dP_d) = 0``" misses this, the exact computation does not).

    ``kind="dagger"`` (AdaGAN, Theorem 2): the minimiser over ``beta R <= P_d`` of the
    surrogate ``D_f(P_g || (P_d - beta R) / (1 - beta))``,

    .. math::

        R^\\dagger_\\beta = \\tfrac{1}{\\beta}(p_d - \\lambda^\\dagger (1-\\beta) p_g)_+ ,\\quad
        \\lambda^\\dagger \\ge 1 ,

    which exists and is unique iff ``P_d(p_g = 0) < beta``. At ``beta = 1`` the model term
    vanishes, ``R+ = P_d`` for every lambda and ``lam`` is reported as ``1.0``.

    Both normalisers are found exactly by sorting the likelihood ratios ``h_i = p_g,i/p_d,i``
    and scanning the breakpoints of the piecewise-linear mass (``O(k log k)``, no root
    finder). Atoms with ``p_d = 0`` (``h = inf``) never receive mass. The closed form sums to
    one up to rounding; the returned component is divided by its float sum. Its relative
    rounding error is ``O(k eps / beta)`` (``R`` is a difference of ``O(1)`` masses divided by
    ``beta``), which matters only for very small ``beta``; where it would leave no correct digit
    (``beta`` near or below ``k eps``, e.g. ``1e-300``) the ``beta -> 0`` limit is returned
    instead: ``p_data`` restricted to the atoms with the smallest ratio ``p_model / p_data``,
    normalised (for ``"dagger"`` after the data mass where ``p_model = 0``), exact to ``O(beta)``.

    Parameters
    ----------
    p_data : array_like, shape (k,)
        The target ``P_d`` (real data).
    p_model : array_like, shape (k,)
        The current model ``P_g``.
    beta : float in (0, 1]
        Weight of the new component.
    kind : {"star", "dagger"}

    Returns
    -------
    AdaGANComponent

    Raises
    ------
    ValueError
        Invalid vectors, ``beta`` outside ``(0, 1]``, an unknown ``kind``, or, for
        ``kind="dagger"``, ``P_d(p_model = 0) >= beta`` (no ``lambda+`` exists).

    References
    ----------
    Tolstikhin et al., "AdaGAN: Boosting Generative Models", NIPS 2017, arXiv 1701.02386,
    the two optimal-component theorems (numbered 1 and 2 here, after the order of the slides
    "First/Second surrogate upper bound" of the AdaGAN talk (Tolstikhin), which do not number
    them).

    Examples
    --------
    >>> res = adagan_optimal_component([0.5, 0.5], [1.0, 0.0], 0.5)
    >>> res.component.tolist(), res.lam
    ([0.0, 1.0], 1.0)
    >>> res.mixture.tolist()
    [0.5, 0.5]
    """
    pd, pg = as_pair(p_data, p_model, ("p_data", "p_model"))
    beta = _check_beta(beta)
    kind = _check_kind(kind)
    supp = pd > 0
    # Theorem 1: lambda* = 1 iff (1 - beta) p_g <= p_d, here up to 4 ulps of p_d: at the boundary
    # (beta = 1 - min p_d / p_g, itself rounded) the product can exceed p_d by an ulp, and the
    # scan would then return 1 - 2e-16 instead of the exact 1 (its error is O(eps) either way)
    exact_one = bool(np.all((1.0 - beta) * pg <= pd * (1.0 + 4.0 * np.finfo(float).eps)))

    if kind == "star":
        if exact_one:
            lam, one_minus = 1.0, 0.0
        else:
            a = pd[supp]
            g = pg[supp]
            lam, one_minus = _scan_star(a, g, g / a, beta)
            lam = min(max(lam, beta), 1.0)  # Theorem 1 range; only rounding can leave it
            one_minus = min(max(one_minus, 0.0), 1.0 - beta)
        if lam >= 0.5:
            # lam p_d - (1-beta) p_g as (p_d - p_g) + beta p_g - (1 - lam) p_d: no cancellation of
            # O(1) terms when p_g ~ p_d and beta is small (1 - lam is computed without cancellation)
            raw = np.maximum((pd - pg) + beta * pg - one_minus * pd, 0.0) / beta
        else:  # lam small: 1 - lam would swamp lam, use the direct form
            raw = np.maximum(lam * pd - (1.0 - beta) * pg, 0.0) / beta
    else:
        z = float(pd[pg == 0].sum())
        if z >= beta:
            raise ValueError(
                "kind='dagger' needs P_data(p_model = 0) < beta (AdaGAN, Theorem 2); "
                f"got P_data(p_model = 0)={z!r} >= beta={beta!r}"
            )
        if beta == 1.0 or exact_one:
            lam = 1.0
        else:
            both = supp & (pg > 0)
            a = pd[both]
            g = pg[both]
            mu = _scan_dagger(a, g, a / g, beta, z)
            lam = max(mu / (1.0 - beta), 1.0)  # Theorem 2 range; only rounding can leave it
        raw = np.maximum(pd - lam * (1.0 - beta) * pg, 0.0) / beta
    if _loses_all_digits(raw, beta, pd.size):
        raw = _small_beta_limit(pd, pg, beta, kind)
    comp = _normalised(raw, f"R ({kind})", beta, pd.size)
    mix = (1.0 - beta) * pg + beta * comp
    mix.setflags(write=False)
    return AdaGANComponent(
        component=comp, lam=float(lam), mixture=mix, beta=beta, kind=kind, n_active=int(np.count_nonzero(comp))
    )


def _check_outputs(x, name: str, *, from_logits: bool) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array; got {name}={x!r}")
    arr = np.asarray(_plain(x, name))
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype} for {name}={x!r}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real; got complex values in {name}")
    arr = arr.astype(np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array; got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"{name} must be finite; got {name}[{i}]={float(arr[i])!r}")
    if not from_logits:
        out = (arr < 0) | (arr > 1)
        if np.any(out):
            i = int(np.argmax(out))
            raise ValueError(f"{name} must lie in [0, 1] (classifier probabilities); got {name}[{i}]={float(arr[i])!r}")
    return arr


def _likelihood_ratios(outputs, *, eta, from_logits) -> np.ndarray:
    """Validated ``h = (1 - D) / D`` (``exp(-a)`` for logits), after the optional ``eta`` clip."""
    if not isinstance(from_logits, (bool, np.bool_)):  # before it is read as a truth value
        raise TypeError(f"from_logits must be a bool; got from_logits={from_logits!r}")
    arr = _check_outputs(outputs, "discriminator_outputs", from_logits=from_logits)
    eta = check_real(eta, "eta", lo=0.0, hi=0.5, hi_open=True)
    with np.errstate(over="ignore", divide="ignore"):
        if from_logits:
            if eta > 0:
                lim = math.log((1.0 - eta) / eta)
                arr = np.clip(arr, -lim, lim)
            h = np.exp(-arr)  # (1 - sigmoid(a)) / sigmoid(a) = exp(-a); overflow -> inf is D = 0
        else:
            if eta > 0:
                arr = np.clip(arr, eta, 1.0 - eta)
            h = (1.0 - arr) / arr  # D = 0 -> inf
    h.setflags(write=False)
    return h


def _base_weights(
    base_weights, n: int, name: str = "base_weights", against: str = "discriminator_outputs"
) -> np.ndarray:
    """Uniform ``1/n`` when omitted, else a validated probability vector of length ``n``.

    ``name`` is the caller's parameter name and ``against`` the one that fixes ``n``, for messages.
    """
    if base_weights is None:
        b = np.full(n, 1.0 / n)
        b.setflags(write=False)
        return b
    b = as_probability_vector(base_weights, name)
    if b.size != n:
        raise ValueError(
            f"{name} must have one weight per data point; got len({name})={b.size} "
            f"and len({against})={n}"
        )
    return b


def adagan_weights(
    discriminator_outputs,
    beta,
    *,
    kind: str = "star",
    base_weights=None,
    eta: float = 0.0,
    from_logits: bool = False,
) -> AdaGANWeights:
    """AdaGAN training-set weights from a real-vs-model classifier (AdaGAN talk (Tolstikhin)).

    With ``D(x)`` the probability that ``x`` is real (the optimum is ``D* = p_d / (p_d + p_g)``),
    ``h_i = (1 - D(x_i)) / D(x_i)`` estimates ``dP_g/dP_d`` at the data point ``x_i``, and

    .. math::

        w_i = \\frac{b_i}{\\beta}\\,(\\lambda^* - (1-\\beta) h_i)_+ \\quad (\\text{kind="star"}),
        \\qquad
        w_i = \\frac{b_i}{\\beta}\\,(1 - \\lambda^\\dagger (1-\\beta) h_i)_+ \\quad (\\text{kind="dagger"}),

    with the normaliser fixed by ``sum_i w_i = 1`` and found by the same exact breakpoint scan
    as :func:`adagan_optimal_component`. ``b`` are the weights of the empirical data measure:
    uniform ``1/N`` by default (the slide's ``w_i ~ (1/(N beta))(lambda* - (1-beta) h_i)_+``);
    pass ``base_weights`` when the data set is already weighted (e.g. de-duplicated points with
    multiplicities). With ``D = D*`` on a discrete support and ``b = p_data`` the weights are
    exactly ``R*`` (or ``R+``) restricted to the data.

    Edge handling (documented, never silent):

    * ``D_i = 1`` gives ``h_i = 0`` (the model misses ``x_i``): the largest weight.
    * ``D_i = 0`` gives ``h_i = inf`` (the classifier says the model covers ``x_i`` infinitely
      better than the data): weight exactly 0 for ``beta < 1``. A tiny ``D`` whose ``h``
      overflows to ``inf`` (``D`` below about ``1e-308``) is treated the same way.
    * ``eta > 0`` first clips ``D`` to ``[eta, 1 - eta]`` (so ``h`` lies in
      ``[eta/(1-eta), (1-eta)/eta]``), a common guard against a saturated classifier; the
      default ``eta = 0`` uses the outputs as given.
    * ``from_logits=True`` reads the outputs as logits ``a`` with ``D = sigmoid(a)``; then
      ``h = exp(-a)`` is computed without forming ``D`` (no loss of precision at saturation).
    * A positive part within ``16 eps`` (relative to the terms ``lambda`` and ``h_i``) of zero is
      set to exactly 0, so a point on a breakpoint (e.g. the boundary point of
      :class:`~modecollapse.divergences.TopKLastBeta`) gets weight 0 rather than a rounding residue.
    * ``beta = 1``: the old model gets no mass, ``R = P_d`` and ``w = b`` whatever ``D``
      says; ``lam`` is reported as 1.
    * ``kind="star"``: ``lambda*`` exists iff some point with ``b_i > 0`` has ``D_i > 0``;
      otherwise ``ValueError``. It is returned as computed, not clipped to ``[beta, 1]``:
      ``lambda* >= beta`` always, ``lambda* <= 1`` when ``implied_model_mass <= 1``.
    * ``kind="dagger"``: ``lambda+`` exists iff the base mass of points with ``D_i = 1``
      (``h_i = 0``) is ``< beta`` (Theorem 2's ``P_d(p_g = 0) < beta``); otherwise ``ValueError``.

    Parameters
    ----------
    discriminator_outputs : array_like, shape (N,)
        ``D(x_i)`` in ``[0, 1]`` (or logits with ``from_logits=True``), on the *data* points.
    beta : float in (0, 1]
    kind : {"star", "dagger"}
    base_weights : array_like, shape (N,), optional
        The data's own weights (a probability vector); uniform when omitted.
    eta : float in [0, 0.5)
        Clip ``D`` to ``[eta, 1 - eta]`` first (ignored when 0).
    from_logits : bool

    Returns
    -------
    AdaGANWeights

    Raises
    ------
    ValueError
        ``discriminator_outputs`` non-finite, outside ``[0, 1]``, empty or not 1-D; invalid
        ``base_weights`` or a length mismatch; ``beta`` outside ``(0, 1]``; ``eta`` outside
        ``[0, 0.5)``; no normaliser exists (see above).

    Examples
    --------
    >>> w = adagan_weights([0.2, 0.2, 1.0, 1.0], 0.5)   # points 3, 4 are missed by the model
    >>> w.weights.tolist(), w.lam, w.h.tolist()
    ([0.0, 0.0, 0.5, 0.5], 1.0, [4.0, 4.0, 0.0, 0.0])
    """
    name = "discriminator_outputs"
    beta = _check_beta(beta)
    kind = _check_kind(kind)
    h = _likelihood_ratios(discriminator_outputs, eta=eta, from_logits=from_logits)
    n = h.size
    b = _base_weights(base_weights, n)
    pos = b > 0
    finite = np.isfinite(h)
    with np.errstate(invalid="ignore"):
        implied = float(np.sum(b[pos] * h[pos]))

    if beta == 1.0:
        w = b.copy()
        lam = 1.0
    elif kind == "star":
        act = pos & finite
        if not np.any(act):
            raise ValueError(
                "no lambda* exists: every data point with positive base weight has "
                f"{name} = 0 (h = inf), so the reweighted data would have no mass; "
                "pass eta > 0 to clip the classifier outputs"
            )
        a = b[act]
        lam, one_minus = _scan_star(a, a * h[act], h[act], beta)
        w = np.zeros(n)
        ha = h[act]
        if lam >= 0.5:
            # lam - (1-beta) h as (1 - h) + beta h - (1 - lam): no cancellation near h = lam = 1
            gap = (1.0 - ha) + beta * ha - one_minus
        else:  # lam small: 1 - lam would swamp lam, use the direct form
            gap = lam - (1.0 - beta) * ha
        # a gap within rounding of 0 is 0: a point on the breakpoint (TopKLast's (k+1)-th) gets weight 0
        gap[gap <= _ROUND * (abs(lam) + ha)] = 0.0
        with np.errstate(over="ignore", invalid="ignore"):  # b / beta at a subnormal beta: the limit below
            w[act] = b[act] / beta * gap
    else:
        z = float(b[pos & (h == 0)].sum())
        if z >= beta:
            raise ValueError(
                f"no lambda+ exists: the data mass with {name} = 1 (h = 0) is {z!r} >= beta={beta!r} "
                "(AdaGAN Theorem 2 needs P_d(p_g = 0) < beta); use kind='star' or a larger beta"
            )
        act = pos & finite & (h > 0)
        a = b[act]
        g = a * h[act]
        mu = _scan_dagger(a, g, 1.0 / h[act], beta, z)
        lam = mu / (1.0 - beta)
        w = np.zeros(n)
        keep = pos & finite
        gap = 1.0 - mu * h[keep]
        gap[gap <= _ROUND * (1.0 + mu * h[keep])] = 0.0  # within rounding of the breakpoint: 0
        with np.errstate(over="ignore", invalid="ignore"):
            w[keep] = b[keep] / beta * gap
    if beta < 1.0 and not _mass_within(w, beta, n, abs(lam)):
        # beta near or below N eps: the closed form keeps no digit (every gap rounds to 0)
        w, lam = _small_beta_weights(h, b, beta, kind)
    w = _normalised(w, "the AdaGAN weights", beta, n, scale=abs(lam))
    return AdaGANWeights(
        weights=w,
        lam=float(lam),
        h=h,
        beta=beta,
        kind=kind,
        n_zero=int(np.count_nonzero(w == 0)),
        implied_model_mass=implied,
    )


def adagan_iterates(p_data, p_model, betas, *, kind: str = "star") -> AdaGANIterates:
    """Run ``T = len(betas)`` optimal AdaGAN updates ``P_{t+1} = (1-beta_t) P_t + beta_t R_t``.

    Each ``R_t`` is :func:`adagan_optimal_component` of the current model (the idealised
    AdaGAN where every component GAN is perfect, ``D_f(Q || R) = 0``). By AdaGAN Theorems 1-2,
    ``D_f(P_{t+1} || P_d) <= (1 - beta_t) D_f(P_t || P_d)`` for every f with ``f(1) = 0``
    (for the registry's ``gan`` entry, apply it to ``D_f - f(1)``).

    Parameters
    ----------
    p_data, p_model : array_like, shape (k,)
    betas : array_like, shape (T,)
        Each in ``(0, 1]``.
    kind : {"star", "dagger"}

    Returns
    -------
    AdaGANIterates
    """
    pd, pg = as_pair(p_data, p_model, ("p_data", "p_model"))
    bs = np.atleast_1d(check_real_array(betas, "betas", allow_scalar=True))
    if bs.ndim != 1 or bs.size == 0:
        raise ValueError(f"betas must be a non-empty 1-D sequence; got shape {bs.shape}")
    for i, bt in enumerate(bs):
        check_probability(float(bt), f"betas[{i}]", open_low=True)
    models = [pg]
    comps, lams = [], []
    cur = pg
    for bt in bs:
        res = adagan_optimal_component(pd, cur, float(bt), kind=kind)
        comps.append(res.component)
        lams.append(res.lam)
        # keep the model a probability vector within SUM_ATOL despite rounding over many steps
        cur = np.asarray(res.mixture) / float(np.sum(res.mixture))
        models.append(cur)
    return AdaGANIterates(
        models=np.array(models), components=np.array(comps), lams=np.array(lams), betas=bs, kind=kind
    )


def adagan_weak_learner_factor(*, gamma, beta, kind: str = "star") -> float:
    """AdaGAN's contraction factor when the new component is only a weak learner.

    If the trained component ``Q`` satisfies ``D_f(Q || R) <= gamma D_f(P_g || P_d)`` then
    ``D_f((1-beta) P_g + beta Q || P_d) <= c D_f(P_g || P_d)`` with

    * ``kind="star"`` (``R = R*``, ``D_f`` Hilbertian, i.e. ``sqrt(D_f)`` a metric, e.g. JS,
      squared Hellinger, TV): ``c = (sqrt(gamma beta) + sqrt(1 - beta))^2``, which is ``< 1``
      whenever ``gamma < beta / 4``;
    * ``kind="dagger"`` (``R = R+``, any f): ``c = 1 - beta (1 - gamma)``.

    Derivations (AdaGAN, Section 2, the weak-learner corollaries; re-derived): the Hilbertian
    surrogate bound with
    ``D_f((1-beta) P_g + beta R* || P_d) <= (1-beta) D_f(P_g||P_d)``; resp. the ``beta R <= P_d``
    surrogate bound with ``R = P_d`` feasible in Theorem 2's minimisation.

    Parameters
    ----------
    gamma : float >= 0
    beta : float in (0, 1]
    kind : {"star", "dagger"}

    Returns
    -------
    float
        The factor ``c`` (an upper bound on the contraction ratio).
    """
    g = check_real(gamma, "gamma", lo=0.0)
    b = _check_beta(beta)
    kind = _check_kind(kind)
    if kind == "star":
        return float((math.sqrt(g * b) + math.sqrt(1.0 - b)) ** 2)
    return float(1.0 - b * (1.0 - g))


def adagan_finite_steps(*, ess_sup, beta) -> int:
    """Number of optimal ``R*`` updates after which AdaGAN reaches ``P_d`` exactly.

    With ``M = ess sup dP_1/dP_d < inf`` (so ``P_1 << P_d``) and a constant ``beta``, the
    optimal updates ``P_{t+1} = max((1-beta) P_t, lambda*_t P_d)`` satisfy
    ``M_{t+1} = max((1-beta) M_t, lambda*_t)`` with ``lambda*_t <= 1``, and ``P_{t+1} = P_d``
    exactly when ``(1-beta) M_t <= 1``. Hence the model equals ``P_d`` after

    .. math::  n = \\lceil \\log M / \\log(1/(1-\\beta)) \\rceil

    updates and not before (derived; AdaGAN, Section 2, finite-step convergence). ``M = 1``
    means ``P_1 = P_d`` (0 steps); ``beta = 1`` needs one step when ``M > 1``; ``M = inf``
    (model mass outside the data support) never converges and raises. At an exact boundary
    ``(1-beta)^n M = 1`` the floating-point quotient may round either way (off by one).

    Parameters
    ----------
    ess_sup : float >= 1
        ``M = max_i p_1,i / p_d,i`` (``inf`` if ``P_1`` has mass where ``P_d`` has none).
    beta : float in (0, 1]

    Returns
    -------
    int

    Raises
    ------
    ValueError
        ``ess_sup < 1`` (impossible for two probability measures), or ``ess_sup = inf``
        (the mass outside the support decays like ``(1-beta)^t`` and never vanishes).
    """
    b = _check_beta(beta)
    if isinstance(ess_sup, bool) or not isinstance(ess_sup, (int, float, np.integer, np.floating)):
        raise TypeError(f"ess_sup must be a real number; got ess_sup={ess_sup!r}")
    try:
        m = float(ess_sup)
    except OverflowError:  # an int beyond the float range: finite, and its log is exact enough
        return _ceil_ratio(math.log(ess_sup), -math.log1p(-b)) if b < 1.0 else 1
    if math.isnan(m) or m < 1.0:
        raise ValueError(f"ess_sup must be >= 1 (ess sup of dP_1/dP_d); got ess_sup={m!r}")
    if math.isinf(m):
        raise ValueError(
            "ess_sup=inf: P_1 has mass outside the support of P_d, which decays like (1-beta)^t "
            "and never vanishes; AdaGAN does not converge in finitely many steps"
        )
    if m == 1.0:
        return 0
    if b == 1.0:
        return 1
    return _ceil_ratio(math.log(m), -math.log1p(-b))


def _ceil_ratio(num: float, den: float) -> int:
    """``ceil(num / den)`` for positive floats, exact in decimal where the float quotient overflows
    (a subnormal ``beta`` needs about 1e323 steps: a finite count, not an OverflowError)."""
    q = num / den
    if math.isfinite(q):
        return int(math.ceil(q))
    from decimal import ROUND_CEILING, Decimal

    return int((Decimal(num) / Decimal(den)).to_integral_value(rounding=ROUND_CEILING))
