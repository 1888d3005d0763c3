"""Variational lower bounds, optimal witnesses, GAN identities, the log trick and the f/f° duality."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import lambertw

from _support import strategies
from modecollapse.divergences import (
    F_DIVERGENCES,
    FDivergence,
    VariationalEstimate,
    f_divergence,
    get_f_divergence,
    gan_value,
    js_divergence,
    log_trick_loss,
    optimal_discriminator,
    optimal_witness,
    reverse_f,
    variational_lower_bound,
    variational_lower_bound_samples,
)

LOG2 = math.log(2.0)
NAMES = sorted(F_DIVERGENCES)


def _close(a, b, rtol=1e-9, atol=1e-12):
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _copy(fd):
    """An unregistered copy: forces reverse_f onto its numeric conjugate path."""
    return FDivergence(name=fd.name + "_copy", f=fd.f, f_prime=fd.f_prime, conjugate=fd.conjugate,
                       conjugate_domain=fd.conjugate_domain, output_activation=fd.output_activation,
                       f_prime_inf=fd.f_prime_inf, domain_closed=fd.domain_closed, quantity=fd.quantity)


# ---------------------------------------------------------------------------------------------
# the bound on atoms
# ---------------------------------------------------------------------------------------------


@given(strategies.pairs(), st.sampled_from(NAMES))
def test_equality_at_optimal_witness(pq, name):
    p, q = pq
    T = optimal_witness(p, q, name)
    d = f_divergence(p, q, name)
    b = variational_lower_bound(p, q, T, name)
    # Fenchel-Young equality atom by atom; round-off of f'(u) u - f*(f'(u)) at large likelihood ratios
    assert _close(b, d, rtol=1e-9, atol=1e-10), (name, b, d)


@given(strategies.pairs(), st.sampled_from(NAMES), st.lists(st.floats(-8, 8), min_size=6, max_size=6))
def test_bound_below_divergence_for_admissible_witnesses(pq, name, raw):
    p, q = pq
    fd = get_f_divergence(name)
    d = f_divergence(p, q, name)
    v = np.array(raw[: p.size])
    # (a) witnesses from the f-GAN activation (always in dom f*)
    T = fd.output_activation(v)
    assert variational_lower_bound(p, q, T, name) <= d + 1e-12 * (1 + abs(d))
    # (b) perturbations of the optimum, pulled back into dom f*
    Ts = optimal_witness(p, q, name)
    pert = np.where(np.isfinite(Ts), Ts + 0.1 * v, fd.output_activation(v))
    pert = np.where(fd.in_conjugate_domain(pert), pert, fd.output_activation(v))
    b = variational_lower_bound(p, q, pert, name)
    assert b <= d + 1e-12 * (1 + abs(d))


def test_bound_strictly_below_away_from_optimum():
    # a check that can fail: the bound is a strict lower bound for a non-optimal witness
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    for name in NAMES:
        T = optimal_witness(p, q, name)
        fd = get_f_divergence(name)
        worse = fd.output_activation(np.zeros(3))  # constant witness
        if np.allclose(worse, T):
            continue
        assert variational_lower_bound(p, q, worse, name) < f_divergence(p, q, name) - 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_equality_with_overflowing_likelihood_ratio(name):
    # q_1 = 1e-320: p_1/q_1 overflows; witness, bound and D_f all use the q -> 0 limit consistently
    p, q = np.array([0.3, 0.5, 0.2]), np.array([0.6, 1e-320, 0.4 - 1e-320])
    T = optimal_witness(p, q, name)
    assert not np.any(np.isnan(T))
    assert _close(variational_lower_bound(p, q, T, name), f_divergence(p, q, name), rtol=1e-12, atol=1e-14)


def test_kl_bound_by_hand():
    # KL with T = 1 + log(p/q): E_P T - E_Q exp(T - 1) = 1 + KL - 1 = KL
    p, q = [0.5, 0.5], [0.25, 0.75]
    T = 1 + np.log(np.array(p) / np.array(q))
    assert variational_lower_bound(p, q, T, "kl") == pytest.approx(0.5 * math.log(4 / 3), rel=1e-14)
    # constant witness T = 1: E_P 1 - E_Q e^0 = 0
    assert variational_lower_bound(p, q, [1.0, 1.0], "kl") == 0.0


def test_outside_domain_and_infinite_witnesses():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.0, 0.5])
    tv = get_f_divergence("total_variation")
    # Q-charged atom outside dom f* = (-inf, 1/2]: E_Q f*(T) = inf -> bound -inf
    assert variational_lower_bound(p, q, [0.6, 0.5, 0.0], tv) == -math.inf
    # Q-null P-charged atom above sup dom f* = f'(inf) = 1/2: not admissible -> -inf
    assert variational_lower_bound(p, q, [0.0, 0.7, 0.0], tv) == -math.inf
    # at f'(inf) it is admissible and the term is p * 1/2
    assert variational_lower_bound(p, q, [0.0, 0.5, -0.5], tv) == pytest.approx(0.5 * 0.5 + 0.5 * 0.5)
    # KL: T = +inf on the Q-null atom gives +inf = KL
    assert variational_lower_bound(p, q, [1.0, math.inf, 0.0], "kl") == math.inf
    # T = -inf on a P-charged atom: -inf
    assert variational_lower_bound(p, q, [-math.inf, 1.0, 0.0], "kl") == -math.inf
    # T = +inf on a Q-charged atom: -inf (f* superlinear)
    assert variational_lower_bound(p, q, [math.inf, 1.0, 0.0], "kl") == -math.inf
    # +inf and -inf at once: undefined
    with pytest.raises(ValueError, match="undefined"):
        variational_lower_bound(p, q, [-math.inf, math.inf, 0.0], "kl")
    # atoms with no mass are ignored whatever the witness
    assert variational_lower_bound([1.0, 0.0], [1.0, 0.0], [0.0, 1e300], "reverse_kl") == variational_lower_bound(
        [1.0], [1.0], [0.0], "reverse_kl")


def test_bad_witness():
    with pytest.raises(ValueError, match=r"witness must have shape \(2,\)"):
        variational_lower_bound([0.5, 0.5], [0.5, 0.5], [0.0], "kl")
    with pytest.raises(ValueError, match="witness must not contain nan"):
        variational_lower_bound([0.5, 0.5], [0.5, 0.5], [0.0, float("nan")], "kl")
    with pytest.raises(TypeError, match="witness must be an array"):
        variational_lower_bound([0.5, 0.5], [0.5, 0.5], lambda x: x, "kl")
    with pytest.raises(ValueError, match="q must sum to 1"):
        variational_lower_bound([0.5, 0.5], [0.5, 0.6], [0.0, 0.0], "kl")


# ---------------------------------------------------------------------------------------------
# sample version
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kl", "jensen_shannon", "squared_hellinger", "total_variation", "gan"])
def test_sample_estimate_of_optimal_bound(name):
    rng = np.random.default_rng(12345)
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    T = optimal_witness(p, q, name)
    n = 20000
    xp, xq = rng.choice(3, n, p=p), rng.choice(3, n, p=q)
    est = variational_lower_bound_samples(T[xp], T[xq], name)
    d = f_divergence(p, q, name)
    assert isinstance(est, VariationalEstimate) and est.n_p == n and est.n_q == n
    # unbiased with the stated standard error: |est - D_f| < 5 se (fixed seed; fails w.p. ~6e-7)
    assert abs(est.value - d) < 5 * est.stderr
    # the standard error formula, recomputed
    conj = get_f_divergence(name).conjugate(T[xq])
    se = math.sqrt(np.var(T[xp], ddof=1) / n + np.var(conj, ddof=1) / n)
    assert est.stderr == pytest.approx(se, rel=1e-12)
    lo, hi = est.interval()
    assert lo < est.value < hi


def test_sample_errors():
    with pytest.raises(ValueError, match=r"t_q must lie in dom f\*"):
        variational_lower_bound_samples([0.0, 0.1], [0.0, 0.7], "total_variation")
    with pytest.raises(ValueError, match=r"t_p must be finite"):
        variational_lower_bound_samples([0.0, math.inf], [0.0, 0.1], "kl")
    with pytest.raises(ValueError, match=r"t_p must be 1-D with at least 2"):
        variational_lower_bound_samples([0.0], [0.0, 0.1], "kl")
    with pytest.raises(ValueError, match="z must be"):
        variational_lower_bound_samples([0.0, 1.0], [0.0, 0.1], "kl").interval(-1)


# ---------------------------------------------------------------------------------------------
# GAN identities (GAN lecture notes (Shah)) and the log trick (AdaGAN talk (Tolstikhin))
# ---------------------------------------------------------------------------------------------


@given(strategies.pairs())
def test_gan_value_at_optimal_discriminator(pq):
    p, q = pq
    d_star = optimal_discriminator(p, q)
    v = gan_value(p, q, d_star)
    # Goodfellow et al. 2014, Theorem 1: V(D*, G) = 2 JSD - log 4
    assert abs(v - (2 * js_divergence(p, q) - math.log(4))) <= 1e-12
    # the GAN value is the variational bound of the 'gan' generator with T = log D
    with np.errstate(divide="ignore"):
        logd = np.log(d_star)
    assert _close(variational_lower_bound(p, q, logd, "gan"), v, rtol=1e-12, atol=1e-12)


@given(strategies.pairs(), st.lists(st.floats(0.0, 1.0), min_size=6, max_size=6))
def test_optimal_discriminator_maximises_value(pq, raw):
    p, q = pq
    d = np.array(raw[: p.size])
    assert gan_value(p, q, d) <= gan_value(p, q, optimal_discriminator(p, q)) + 1e-12


def test_optimal_discriminator_values():
    np.testing.assert_array_equal(optimal_discriminator([0.5, 0.5, 0.0], [0.0, 0.5, 0.5]), [1.0, 0.5, 0.0])
    np.testing.assert_array_equal(optimal_discriminator([1.0, 0.0], [1.0, 0.0]), [0.5, 0.5])  # empty atom: 1/2
    # log D* is the optimal witness of the gan generator: f'_gan(u) = log(u/(u+1))
    p, q = np.array([0.2, 0.5, 0.3]), np.array([0.4, 0.1, 0.5])
    np.testing.assert_allclose(np.log(optimal_discriminator(p, q)), optimal_witness(p, q, "gan"), rtol=1e-14)


def test_gan_value_edges_and_errors():
    assert gan_value([1.0, 0.0], [0.0, 1.0], [1.0, 0.0]) == 0.0  # perfect discriminator on disjoint supports
    assert gan_value([0.5, 0.5], [0.5, 0.5], [0.0, 0.5]) == -math.inf
    with pytest.raises(ValueError, match=r"d must be a probability in \[0, 1\].*d\[1\]=1.5"):
        gan_value([0.5, 0.5], [0.5, 0.5], [0.5, 1.5])


@given(strategies.pairs())
def test_log_trick_link(pq):
    p, q = pq
    d_star = optimal_discriminator(p, q)
    loss = log_trick_loss(p, q, d_star)
    lt = f_divergence(p, q, "log_trick")
    # AdaGAN talk (Tolstikhin): -E_Q log D* = D_f(P||Q) + log 2 with f(u) = log(1 + 1/u) - log 2 ...
    assert _close(loss, lt + LOG2, rtol=1e-12, atol=1e-12)
    # ... = D_{f°}(Q||P) + log 2 with f°(u) = u log(1+u) - u log 2
    assert _close(f_divergence(q, p, reverse_f("log_trick")), lt, rtol=1e-10, atol=1e-12)


def test_log_trick_reverse_generator_closed_form():
    r = reverse_f("log_trick")
    u = np.array([0.0, 1e-3, 0.5, 1.0, 3.0, 100.0])
    np.testing.assert_allclose(r.f(u), u * np.log1p(u) - u * LOG2, rtol=1e-13, atol=1e-16)
    assert r.f_prime_inf == math.inf and r.f_at_zero == 0.0


def test_log_trick_reverse_conjugate_against_lambert_w():
    # (f°)*(t) for f°(u) = u log(1+u) - u log 2: with s = t + log 2 the sup of s u - u log(1+u) is
    # at 1 + u = 1 / W(e^(1 - s)) for s >= 0 and at u = 0 (value 0) for s < 0 (independent oracle).
    r = reverse_f("log_trick")
    ts = np.array([-5.0, -LOG2, -0.5, 0.0, 0.7, 2.0, 6.0])
    s = ts + LOG2
    w = np.real(lambertw(np.exp(1.0 - np.maximum(s, 0.0))))
    uu = 1.0 / w - 1.0
    ref = np.where(s >= 0, s * uu - uu * np.log1p(uu), 0.0)
    np.testing.assert_allclose(r.conjugate(ts), ref, rtol=1e-12, atol=1e-14)


@given(strategies.pairs(), st.sampled_from(NAMES))
def test_reverse_duality(pq, name):
    p, q = pq
    fd = get_f_divergence(name)
    # registered closed form and the numeric path (unregistered copy) both satisfy D_f(P||Q) = D_f°(Q||P)
    for g in (reverse_f(fd), reverse_f(_copy(fd))):
        assert _close(f_divergence(p, q, fd), f_divergence(q, p, g), rtol=1e-10, atol=1e-12), (name, g.name)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "log_trick"])  # log_trick: Lambert W test above
def test_numeric_reverse_conjugate_matches_closed_form(name):
    fd = get_f_divergence(name)
    exact, numeric = reverse_f(fd), reverse_f(_copy(fd))
    assert numeric.conjugate_domain == exact.conjugate_domain
    assert numeric.domain_closed == exact.domain_closed
    t = np.array([-math.inf, -50.0, -3.0, -1.0, -0.3, 0.0, 0.3, 0.49, 0.5, 0.9, 1.0, 2.0, 5.0])
    a, b = numeric.conjugate(t), exact.conjugate(t)
    assert np.array_equal(np.isinf(a), np.isinf(b))
    fin = np.isfinite(b)
    np.testing.assert_allclose(a[fin], b[fin], rtol=1e-13, atol=1e-15)  # bisection to one ulp
    u = np.array([0.0, 1e-3, 0.5, 1.0, 2.0, 1e3])
    np.testing.assert_allclose(numeric.f(u), exact.f(u), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(numeric.f_prime(u), exact.f_prime(u), rtol=1e-12, atol=1e-15)
    assert numeric.f_prime_inf == exact.f_prime_inf


def test_reverse_of_reverse_and_registry_pairs():
    assert reverse_f("kl") is get_f_divergence("reverse_kl")
    assert reverse_f("pearson") is get_f_divergence("neyman")
    assert reverse_f("total_variation") is get_f_divergence("total_variation")
    rr = reverse_f(reverse_f("log_trick"))
    u = np.array([0.1, 1.0, 7.0])
    np.testing.assert_allclose(rr.f(u), get_f_divergence("log_trick").f(u), rtol=1e-13)
    t = np.array([-4.0, -1.0, -0.1, 0.0])
    np.testing.assert_allclose(rr.conjugate(t), get_f_divergence("log_trick").conjugate(t), rtol=1e-12, atol=1e-14)


def test_log_trick_is_more_mode_seeking_than_reverse_kl_example():
    # The AdaGAN talk (Tolstikhin) says the log-trick divergence is "much more mode-seeking" than reverse KL. One
    # concrete reading we can check exactly: a generator Q that drops a target mode of mass 0.5
    # is penalised by reverse KL only through log(q/p) on Q's support; both stay finite, and
    # the log-trick value grows only like log(1 + q/p) <= log 2 there.
    p = np.array([0.5, 0.5])
    q = np.array([1.0, 0.0])  # collapsed generator: drops atom 1 of P
    assert f_divergence(p, q, "reverse_kl") == pytest.approx(LOG2)
    assert f_divergence(p, q, "log_trick") == pytest.approx(math.log(3.0) - LOG2)
    assert f_divergence(p, q, "kl") == math.inf  # KL (mass-covering) punishes the dropped mode infinitely
