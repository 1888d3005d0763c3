"""AdaGAN optimal components R*, R+ (AdaGAN, arXiv 1701.02386, Theorems 1-2; docs/theory.md s.5).

Oracles: scipy.optimize.brentq on the normalisation equation (an iterative root finder, unlike
the library's breakpoint scan), a softmax-parametrised numerical minimiser over the simplex, the
f-divergence registry of ``divergences._fdivergence`` (code independent of the AdaGAN scan), closed forms.
Argument order: AdaGAN's ``D_f(Q||P) = int f(dQ/dP) dP`` is our ``f_divergence(Q, P, f)``
(numerator first in both), so the objective ``D_f((1-beta) P_g + beta Q || P_d)`` is
``f_divergence(mixture, p_data, f)``.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize

from modecollapse.divergences import (
    F_DIVERGENCES,
    adagan_finite_steps,
    adagan_iterates,
    adagan_optimal_component,
    adagan_weak_learner_factor,
    f_divergence,
    kl_divergence,
)

ALL_F = sorted(F_DIVERGENCES)
HILBERTIAN = ["jensen_shannon", "jsd", "squared_hellinger", "total_variation"]  # sqrt(D_f) is a metric


def _dn(p, q, name):
    """D_f normalised so that f(1) = 0 (only ``gan`` has f(1) = -log 4); AdaGAN's theorems need f(1) = 0."""
    return f_divergence(p, q, name) - F_DIVERGENCES[name].f_at_one


@st.composite
def prob(draw, k, zeros=True, min_k=None):
    """A probability vector of length k, optionally with exact zero atoms."""
    w = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=k, max_size=k)))
    if zeros:
        mask = np.array(draw(st.lists(st.booleans(), min_size=k, max_size=k)))
        w = np.where(mask & (np.arange(k) != draw(st.integers(0, k - 1))), 0.0, w)
    return w / w.sum()


@st.composite
def pair_beta(draw, zeros=True, beta_max=1.0):
    k = draw(st.integers(1, 7))
    pd = draw(prob(k, zeros))
    pg = draw(prob(k, zeros))
    beta = draw(st.floats(0.01, beta_max))
    return pd, pg, beta


def _brentq_lambda_star(pd, pg, beta):
    g = lambda lam: np.maximum(lam * pd - (1 - beta) * pg, 0.0).sum() - beta
    return brentq(g, beta * (1 - 1e-12), 1.0 + 1e-12, xtol=1e-15, rtol=1e-15)  # Theorem 1: lambda* in [beta, 1]


# ------------------------------------------------------------------------------------------
# lambda*, lambda+ against an independent root finder
# ------------------------------------------------------------------------------------------
@given(pair_beta())
def test_lambda_star_matches_brentq(args):
    pd, pg, beta = args
    res = adagan_optimal_component(pd, pg, beta)
    lam = _brentq_lambda_star(pd, pg, beta)
    # the mass is piecewise linear with slope >= min p_d > 0.01/7 near the root: 1e-9 in lambda is safe
    assert res.lam == pytest.approx(lam, abs=1e-9)
    assert beta <= res.lam <= 1.0
    raw = np.maximum(lam * pd - (1 - beta) * pg, 0.0) / beta
    np.testing.assert_allclose(res.component, raw, atol=1e-9)


@given(pair_beta(beta_max=0.99))
def test_lambda_dagger_matches_brentq(args):
    pd, pg, beta = args
    z = pd[pg == 0].sum()
    if z >= beta:
        with pytest.raises(ValueError, match=r"P_data\(p_model = 0\)"):
            adagan_optimal_component(pd, pg, beta, kind="dagger")
        return
    res = adagan_optimal_component(pd, pg, beta, kind="dagger")
    g = lambda lam: np.maximum(pd - lam * (1 - beta) * pg, 0.0).sum() - beta
    hi = 1.0
    while g(hi) > 0:
        hi *= 2.0
    lam = brentq(g, 1.0 - 1e-12, hi, xtol=1e-14, rtol=1e-15) if g(1.0) > 0 else 1.0
    assert res.lam >= 1.0
    assert res.lam == pytest.approx(lam, rel=1e-8)
    np.testing.assert_allclose(res.component, np.maximum(pd - lam * (1 - beta) * pg, 0.0) / beta, atol=1e-9)


@given(pair_beta())
def test_component_is_normalised_and_mixture_is_the_max(args):
    pd, pg, beta = args
    res = adagan_optimal_component(pd, pg, beta)
    assert np.all(res.component >= 0)
    assert res.component.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(res.component[pd == 0] == 0)  # h = inf atoms never get mass
    # docs/theory.md s.5: the new mixture is max((1-beta) p_g, lambda* p_d)
    np.testing.assert_allclose(res.mixture, np.maximum((1 - beta) * pg, res.lam * pd), atol=1e-12)
    assert res.n_active == np.count_nonzero(res.component)


@given(pair_beta(), st.randoms(use_true_random=False))
def test_permutation_and_zero_atom_invariance(args, rnd):
    pd, pg, beta = args
    perm = list(range(pd.size))
    rnd.shuffle(perm)
    res = adagan_optimal_component(pd, pg, beta)
    res_p = adagan_optimal_component(pd[perm], pg[perm], beta)
    np.testing.assert_allclose(res_p.component, res.component[perm], atol=1e-12)
    res_z = adagan_optimal_component(np.append(pd, 0.0), np.append(pg, 0.0), beta)
    assert res_z.lam == pytest.approx(res.lam, abs=1e-14)
    assert res_z.component[-1] == 0.0


# ------------------------------------------------------------------------------------------
# lambda* = 1 exactly, and the counterexample to the slide's criterion
# ------------------------------------------------------------------------------------------
@settings(max_examples=30)
@given(st.integers(1, 8).flatmap(lambda k: st.tuples(prob(k, zeros=True), prob(k, zeros=True))), st.floats(0.0, 1.0))
def test_lambda_star_is_exactly_one_when_dominated(vecs, s):
    pd, q = vecs
    # make P_g << P_d with (1 - beta) p_g <= p_d: p_g = q restricted to supp(p_d), beta >= 1 - min p_d/p_g
    pg = np.where(pd > 0, q, 0.0)
    assume(pg.sum() > 0)
    pg = pg / pg.sum()
    with np.errstate(divide="ignore"):
        bmin = max(1.0 - float(np.min(pd[pg > 0] / pg[pg > 0])), 0.0)
    beta = max(bmin + s * (1 - bmin), 1e-3)
    res = adagan_optimal_component(pd, pg, beta)
    assert res.lam == 1.0  # exact, AdaGAN Theorem 1
    np.testing.assert_allclose(res.mixture, pd, atol=1e-12)  # the new mixture is P_d itself
    # R* = (P_d - (1-beta) P_g)/beta; rounding of the difference is amplified by 1/beta <= 1e3
    np.testing.assert_allclose(res.component, (pd - (1 - beta) * pg) / beta, atol=1e-11)


@pytest.mark.parametrize("kind", ["star", "dagger"])
def test_lambda_is_exactly_one_at_the_rounded_domination_boundary(kind):
    # hypothesis's case: beta = 1 - min p_d / p_g rounds so that (1 - beta) p_g exceeds p_d by an ulp
    pd = np.array([0.34229717, 0.0, 0.65770283])
    pg = np.array([0.28571429, 0.0, 0.14285714]) / 0.42857143
    beta = 1.0 - float(np.min(pd[pg > 0] / pg[pg > 0]))
    assert np.any((1.0 - beta) * pg > pd)  # the boundary really is crossed in floating point
    assert adagan_optimal_component(pd, pg, beta, kind=kind).lam == 1.0


def test_tiny_beta_has_no_cancellation_when_model_equals_data():
    p = np.array([0.2, 0.3, 0.5])
    res = adagan_optimal_component(p, p, 1e-12)
    # (p - (1-b) p)/b = p exactly; the naive float formula loses ~4 digits here
    np.testing.assert_allclose(res.component, p, rtol=1e-15)


def test_lambda_star_below_one_when_model_mass_lies_outside_the_support():
    # The slide states "lambda* = 1 iff P_d((1-beta) dP_g > dP_d) = 0". Here that P_d-probability
    # is 0 ((1-beta) p_g = [.125, .125, .25] <= p_d on supp p_d) but P_g puts 0.5 outside supp p_d.
    pd, pg, beta = np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5]), 0.5
    assert np.all(((1 - beta) * pg <= pd)[pd > 0])
    res = adagan_optimal_component(pd, pg, beta)
    # sum_i (lam p_d - 0.125)_+ over the two atoms = lam - 0.25 = beta  =>  lambda* = 0.75
    assert res.lam == pytest.approx(0.75, abs=1e-15)
    np.testing.assert_allclose(res.component, [0.5, 0.5, 0.0], atol=1e-15)


@given(pair_beta(beta_max=0.99))
def test_lambda_star_below_one_iff_domination_fails(args):
    pd, pg, beta = args
    dominated = bool(np.all((1 - beta) * pg <= pd))
    lam = adagan_optimal_component(pd, pg, beta).lam
    if dominated:
        assert lam == 1.0
    else:
        # the slack sum((1-beta) p_g - p_d)_+ + (1-beta) P_g(p_d = 0) decides how far below 1
        slack = np.maximum((1 - beta) * pg - pd, 0.0).sum()
        assume(slack > 1e-9)
        assert lam < 1.0


def test_beta_one_returns_the_data():
    pd, pg = np.array([0.2, 0.3, 0.5, 0.0]), np.array([0.0, 0.1, 0.2, 0.7])
    for kind in ("star", "dagger"):
        res = adagan_optimal_component(pd, pg, 1.0, kind=kind)
        np.testing.assert_allclose(res.component, pd, atol=1e-15)
        assert res.lam == 1.0


# ------------------------------------------------------------------------------------------
# optimality against a numerical minimiser over the simplex
# ------------------------------------------------------------------------------------------
def _numerical_min(pd, pg, beta, name, rng):
    def obj(z):
        q = np.exp(z - z.max())
        q /= q.sum()
        return f_divergence((1 - beta) * pg + beta * q, pd, name)

    best = math.inf
    for start in [np.log(pd), rng.normal(size=pd.size)]:
        r = minimize(obj, start, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 1500})
        best = min(best, r.fun)
    return best


@pytest.mark.parametrize(
    "name", ["kl", "reverse_kl", "jensen_shannon", "squared_hellinger", "total_variation", "pearson", "log_trick"]
)
def test_r_star_beats_a_numerical_minimiser(name):
    rng = np.random.default_rng(3)
    pd = np.array([0.4, 0.3, 0.2, 0.1])
    pg = np.array([0.05, 0.15, 0.3, 0.5])
    for beta in (0.4,):
        res = adagan_optimal_component(pd, pg, beta)
        best_r = f_divergence(res.mixture, pd, name)
        num = _numerical_min(pd, pg, beta, name, rng)
        assert best_r <= num + 1e-10  # R* is the global minimiser for every f (Theorem 1)
        # and it is not vacuous: the minimiser gets close, and a non-optimal Q is strictly worse
        assert num <= best_r + 1e-4
        worse = f_divergence((1 - beta) * pg + beta * pd, pd, name)
        assert best_r < worse


# ------------------------------------------------------------------------------------------
# the (1 - beta) contraction theorem and the surrogate bounds
# ------------------------------------------------------------------------------------------
def _leq(a, b, tol=1e-10):
    return a <= b + tol * (1 + abs(b)) if math.isfinite(b) else True


@settings(max_examples=30)
@given(pair_beta(beta_max=0.99))
def test_contraction_for_every_registered_f(args):
    pd, pg, beta = args
    star = adagan_optimal_component(pd, pg, beta)
    dagger_ok = pd[pg == 0].sum() < beta
    dagger = adagan_optimal_component(pd, pg, beta, kind="dagger") if dagger_ok else None
    for name in ALL_F:
        base = _dn(pg, pd, name)
        via_pd = _dn((1 - beta) * pg + beta * pd, pd, name)
        assert _leq(_dn(star.mixture, pd, name), via_pd), name
        assert _leq(via_pd, (1 - beta) * base), name
        if dagger is not None:
            assert _leq(_dn(dagger.mixture, pd, name), (1 - beta) * base), name


def test_contraction_factor_is_attained_for_tv():
    # disjoint supports: R* = P_d and d_TV of the new mixture is exactly (1 - beta) * 1
    pd, pg = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.0, 1.0])
    for beta in (0.1, 0.5, 0.9):
        res = adagan_optimal_component(pd, pg, beta)
        assert f_divergence(res.mixture, pd, "total_variation") == pytest.approx(1 - beta, abs=1e-15)


@settings(max_examples=30)
@given(pair_beta(beta_max=0.95), st.data())
def test_dominated_surrogate_bound_for_every_f(args, data):
    # Lemma: for any Q and any R with beta R <= P_d,
    #   D_f((1-b) P_g + b Q || P_d) <= b D_f(Q || R) + (1-b) D_f(P_g || (P_d - b R)/(1-b))
    pd, pg, beta = args
    k = pd.size
    q = data.draw(prob(k, zeros=True))
    v = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k)))
    s = float((pd * v).sum())
    assume(s > 1e-3)
    r = pd * v / s
    beta = min(beta, s / max(v.max(), 1e-300))  # beta r <= p_d
    assume(beta > 1e-3)
    rest = np.maximum(pd - beta * r, 0.0) / (1 - beta)
    rest = rest / rest.sum()
    for name in ALL_F:
        lhs = f_divergence((1 - beta) * pg + beta * q, pd, name)
        rhs = beta * f_divergence(q, r, name) + (1 - beta) * f_divergence(pg, rest, name)
        assert _leq(lhs, rhs), name


@given(pair_beta(beta_max=0.99), st.data())
def test_hilbertian_surrogate_bound(args, data):
    # Lemma: if sqrt(D_f) is a metric, for any Q, R:
    #   sqrt(D_f((1-b)P_g + bQ || P_d)) <= sqrt(b D_f(Q||R)) + sqrt(D_f((1-b)P_g + bR || P_d))
    pd, pg, beta = args
    q = data.draw(prob(pd.size, zeros=True))
    r = data.draw(prob(pd.size, zeros=True))
    for name in HILBERTIAN:
        lhs = math.sqrt(f_divergence((1 - beta) * pg + beta * q, pd, name))
        rhs = math.sqrt(beta * f_divergence(q, r, name)) + math.sqrt(f_divergence((1 - beta) * pg + beta * r, pd, name))
        assert lhs <= rhs + 1e-10, name


def test_hilbertian_surrogate_bound_fails_for_kl():
    # Counterexample (found by a grid search over two-atom vectors): sqrt(KL) is not a metric.
    pd = pg = np.array([0.01, 0.99])
    q, r, beta = np.array([0.5, 0.5]), np.array([0.1, 0.9]), 0.5
    lhs = math.sqrt(kl_divergence((1 - beta) * pg + beta * q, pd))  # 0.78361
    rhs = math.sqrt(beta * kl_divergence(q, r)) + math.sqrt(kl_divergence((1 - beta) * pg + beta * r, pd))  # 0.72854
    assert lhs == pytest.approx(0.783610, abs=1e-6)
    assert rhs == pytest.approx(0.728542, abs=1e-6)
    assert lhs > rhs + 0.05
    # the same vectors satisfy the bound for the Hilbertian divergences
    for name in HILBERTIAN:
        l = math.sqrt(f_divergence((1 - beta) * pg + beta * q, pd, name))
        rr = math.sqrt(beta * f_divergence(q, r, name)) + math.sqrt(f_divergence((1 - beta) * pg + beta * r, pd, name))
        assert l <= rr


# ------------------------------------------------------------------------------------------
# weak learners
# ------------------------------------------------------------------------------------------
def test_weak_learner_factor_closed_forms():
    assert adagan_weak_learner_factor(gamma=0.0, beta=0.3) == pytest.approx(0.7, abs=1e-15)
    assert adagan_weak_learner_factor(gamma=0.0, beta=0.3, kind="dagger") == pytest.approx(0.7, abs=1e-15)
    # (sqrt(g b) + sqrt(1-b))^2 at g = 1, b = 1/2: (sqrt(.5) + sqrt(.5))^2 = 2
    assert adagan_weak_learner_factor(gamma=1.0, beta=0.5) == pytest.approx(2.0, abs=1e-14)
    assert adagan_weak_learner_factor(gamma=0.2, beta=0.5, kind="dagger") == pytest.approx(0.6, abs=1e-15)
    for beta in np.linspace(0.01, 1.0, 25):
        # docs/theory.md s.5: c < 1 if gamma < beta/4
        assert adagan_weak_learner_factor(gamma=0.999 * beta / 4, beta=beta) < 1.0
    with pytest.raises(ValueError, match="gamma"):
        adagan_weak_learner_factor(gamma=-0.1, beta=0.5)
    with pytest.raises(ValueError, match="beta"):
        adagan_weak_learner_factor(gamma=0.1, beta=0.0)


@settings(max_examples=30)
@given(pair_beta(beta_max=0.95), st.data(), st.floats(0.0, 1.0))
def test_weak_learner_guarantees(args, data, t):
    pd, pg, beta = args
    noise = data.draw(prob(pd.size, zeros=False))
    star = adagan_optimal_component(pd, pg, beta)
    q = (1 - t) * star.component + t * noise  # an imperfect component
    for name in HILBERTIAN:
        base = f_divergence(pg, pd, name)
        assume(base > 1e-8)
        gamma = f_divergence(q, star.component, name) / base
        if not math.isfinite(gamma):
            continue
        c = adagan_weak_learner_factor(gamma=gamma, beta=beta, kind="star")
        assert _leq(f_divergence((1 - beta) * pg + beta * q, pd, name), c * base), name
    if pd[pg == 0].sum() < beta:
        dag = adagan_optimal_component(pd, pg, beta, kind="dagger")
        q = (1 - t) * dag.component + t * noise
        for name in ALL_F:
            base = _dn(pg, pd, name)
            if not math.isfinite(base) or base <= 1e-8:
                continue
            gamma = _dn(q, dag.component, name) / base
            if not math.isfinite(gamma):
                continue
            c = adagan_weak_learner_factor(gamma=gamma, beta=beta, kind="dagger")
            assert _leq(_dn((1 - beta) * pg + beta * q, pd, name), c * base), name


# ------------------------------------------------------------------------------------------
# finite-step convergence
# ------------------------------------------------------------------------------------------
@settings(max_examples=30)
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(prob(k, zeros=False), prob(k, zeros=True))), st.floats(0.05, 0.95))
def test_reaches_the_data_after_the_predicted_number_of_steps(vecs, beta):
    pd, p1 = vecs
    m = float(np.max(p1 / pd))
    x = math.log(m) / -math.log1p(-beta) if m > 1 else 0.0
    assume(m == 1.0 or abs(x - round(x)) > 1e-6)  # stay away from the rounding boundary
    n = adagan_finite_steps(ess_sup=m, beta=beta)
    assert n == max(math.ceil(x), 0)
    it = adagan_iterates(pd, p1, [beta] * (n + 1))
    np.testing.assert_allclose(it.models[n], pd, atol=1e-12)
    if n >= 1:
        # one step earlier the largest ratio is (1-beta)^(n-1) M > 1: not there yet
        assert np.max(it.models[n - 1] / pd) > 1 + 1e-9


def test_finite_steps_edge_cases():
    assert adagan_finite_steps(ess_sup=1.0, beta=0.3) == 0
    assert adagan_finite_steps(ess_sup=5.0, beta=1.0) == 1
    assert adagan_finite_steps(ess_sup=2.0, beta=0.5) == 1  # (1/2) * 2 = 1 <= 1
    assert adagan_finite_steps(ess_sup=8.1, beta=0.5) == 4  # log2(8.1) = 3.02
    with pytest.raises(ValueError, match="ess_sup"):
        adagan_finite_steps(ess_sup=0.5, beta=0.3)
    with pytest.raises(ValueError, match="never vanishes"):
        adagan_finite_steps(ess_sup=math.inf, beta=0.3)
    # mass outside the support decays like (1 - beta)^t and never reaches 0
    it = adagan_iterates([0.5, 0.5, 0.0], [0.2, 0.2, 0.6], [0.5] * 20)
    assert it.models[-1][2] == pytest.approx(0.6 * 0.5**20, rel=1e-9)


@settings(max_examples=30)
@given(pair_beta(beta_max=0.9))
def test_iterates_contract_geometrically(args):
    pd, pg, beta = args
    it = adagan_iterates(pd, pg, [beta] * 6)
    for name in ("kl", "jensen_shannon", "total_variation", "squared_hellinger"):
        d0 = f_divergence(pg, pd, name)
        for t, model in enumerate(it.models):
            assert _leq(f_divergence(model, pd, name), (1 - beta) ** t * d0), (name, t)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("beta", [0.0, -0.1, 1.5, math.nan, math.inf])
def test_bad_beta(beta):
    with pytest.raises(ValueError, match="beta"):
        adagan_optimal_component([0.5, 0.5], [0.5, 0.5], beta)


def test_bad_vectors_and_kind():
    with pytest.raises(ValueError, match="p_data"):
        adagan_optimal_component([0.5, 0.6], [0.5, 0.5], 0.5)
    with pytest.raises(ValueError, match="p_model"):
        adagan_optimal_component([0.5, 0.5], [-0.5, 1.5], 0.5)
    with pytest.raises(ValueError, match="p_model"):
        adagan_optimal_component([0.5, 0.5], [np.nan, 0.5], 0.5)
    with pytest.raises(ValueError, match="same number of atoms"):
        adagan_optimal_component([0.5, 0.5], [1.0], 0.5)
    with pytest.raises(ValueError, match="kind"):
        adagan_optimal_component([0.5, 0.5], [0.5, 0.5], 0.5, kind="plus")
    with pytest.raises(ValueError, match="betas"):
        adagan_iterates([0.5, 0.5], [0.5, 0.5], [0.5, 0.0])
