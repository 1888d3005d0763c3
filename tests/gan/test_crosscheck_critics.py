"""Trained critics against exact divergences (cross-check items 2-4), with fixed seeds.

Two kinds of tolerance, always said which:

* *statistical* (a bound must hold up to sampling error): derived from the sample sizes, by
  Hoeffding for bounded witnesses, the CLT per stratum for unbounded ones (one-sided, level
  0.999), the Weissman L1 ball for multinomial mode frequencies;
* *training quality* (a critic trained this long gets this close): empirical, measured when
  the test was written on a 2-core CPU, with the observed value in a comment and a margin.
"""

import math

import numpy as np
import pytest
import torch

from modecollapse import divergences
from modecollapse.gan.crosscheck import (
    TORCH_WITNESS_TERMS,
    adagan_weight_crosscheck,
    divergence_bracket,
    l1_radius,
    scenario,
    variational_bound_trace,
)


def _mp_terms(name, v):
    """mpmath (50 digits) oracle for (g_f(v), f*(g_f(v))) from the f-GAN Table 2 formulas."""
    import mpmath as mp

    mp.mp.dps = 50
    v = mp.mpf(v)
    if name == "kl":
        return v, mp.exp(v - 1)
    if name == "jensen_shannon":
        t = mp.log(2) - mp.log(1 + mp.exp(-v))
        return t, -mp.log(2 - mp.exp(t))
    if name == "gan":
        t = -mp.log(1 + mp.exp(-v))
        return t, -mp.log(1 - mp.exp(t))
    t = mp.tanh(v) / 2
    return t, t


@pytest.mark.parametrize("name", sorted(TORCH_WITNESS_TERMS))
def test_torch_witness_terms_match_the_library_and_mpmath(name):
    # The training objective uses closed forms of g_f(v) and f*(g_f(v)); they must equal the
    # divergences registry's activation and conjugate (one source of truth for the maths) ...
    fd = divergences.get_f_divergence(name)
    v = np.linspace(-12, 12, 241)
    t, ct = (a.numpy() for a in TORCH_WITNESS_TERMS[name](torch.as_tensor(v, dtype=torch.float64)))
    np.testing.assert_allclose(t, fd.output_activation(v), rtol=1e-12, atol=1e-14)
    # rtol 1e-9: the library's f*(t) = -log(2 - e^t) loses ~e^v ulps to cancellation near t = log 2
    np.testing.assert_allclose(ct, fd.conjugate(fd.output_activation(v)), rtol=1e-9, atol=1e-12)
    # ... and the 50-digit formulas over a wider range, where the closed forms stay accurate
    w = np.linspace(-30, 30, 61)
    t, ct = (a.numpy() for a in TORCH_WITNESS_TERMS[name](torch.as_tensor(w, dtype=torch.float64)))
    ref = np.array([[float(x) for x in _mp_terms(name, x)] for x in w])
    np.testing.assert_allclose(t, ref[:, 0], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(ct, ref[:, 1], rtol=1e-13, atol=1e-15)


def test_divergence_bracket_grid20_total_variation():
    # TV of the weights: 5 dropped modes of mass 1/25 -> 0.2; on the cells every mode keeps the
    # fraction c = 1 - e^{-4.5} of its mass and "elsewhere" matches, so the cells give 0.2 c.
    target, gen = scenario("grid20")
    lo, hi = divergence_bracket("total_variation", target, gen)
    assert hi == pytest.approx(0.2, abs=1e-15)
    assert lo == pytest.approx(0.2 * -math.expm1(-4.5), rel=1e-12)


def test_bracket_requires_same_components():
    target, _ = scenario("ring6")
    other = type(target)(target.weights, target.means, 0.02)
    with pytest.raises(ValueError, match="share centres"):
        divergence_bracket("kl", target, other)


@pytest.mark.parametrize("name", ["kl", "jensen_shannon", "gan"])
def test_fgan_critic_is_a_lower_bound_and_closes_the_gap(name):
    target, gen = scenario("ring_skewed")
    tr = variational_bound_trace(name, target, gen, steps=150, n_eval=4000, seed=1)
    assert tr.z == pytest.approx(3.0902, abs=1e-4)  # one-sided 0.999 normal quantile
    # statistical: every checkpoint's held-out bound is below the exact upper bracket up to z SE
    assert np.all(tr.bound <= tr.exact_upper + tr.z * tr.se), (tr.bound, tr.exact_upper, tr.se)
    # training quality: the gap shrinks and ends small (observed after 150 steps: kl 0.0068,
    # js 0.0013, gan 0.0013 below the upper bracket, from 0.74 / 0.14 / 0.14 at step 0; bracket
    # widths 0.0036 / 0.0015 / 0.0015)
    assert tr.gap[-1] < 0.1 * tr.gap[0]
    assert tr.gap[-1] < {"kl": 0.03, "jensen_shannon": 0.01, "gan": 0.01}[name]


def test_adagan_weights_match_exact_r_star():
    target, model = scenario("ring_adagan")
    beta, n = 0.3, 2000
    r = adagan_weight_crosscheck(target, model, beta=beta, n_data=n, steps=200, seed=0)
    star = divergences.adagan_optimal_component(target.weights, model.weights, beta)
    # exact population lambda*: sum_j (lam/8 - 0.7 v_j)_+ = 0.3 with the 3 missed modes and mode 4
    # (v = 0.1) active: lam (4/8) - 0.07 = 0.3 -> lam* = 0.74 (hand computation)
    assert r.lambda_star == pytest.approx(0.74, abs=1e-12)
    assert star.lam == r.lambda_star
    # statistical: the sample lambda with the exact h differs from lambda* only through the mode
    # frequencies f_hat: |G_hat(l*) - beta| <= (rad/2) lam*, and G_hat has slope >= f_hat(missed
    # modes) >= 3/8 - rad/2, so |lam_s - lam*| <= (rad/2) lam* / (3/8 - rad/2), rad = Weissman
    # L1 radius (k = 8, level 0.999).
    rad = l1_radius(n, 8, confidence=0.999)
    assert abs(r.lambda_exact_sample - r.lambda_star) <= (rad / 2) * r.lambda_star / (3 / 8 - rad / 2)
    # training quality (observed: corr 0.9992, TV 0.012, |dlam| 0.0087)
    assert r.correlation > 0.95
    assert r.tv_weights < 0.1
    assert abs(r.lambda_classifier - r.lambda_exact_sample) < 0.05
    # the weights put (almost) all mass on the modes the model misses or under-covers, like R*
    np.testing.assert_allclose(r.mode_mass_exact, r.mode_mass_star, atol=rad)
    assert r.weights_exact.sum() == pytest.approx(1.0) and r.weights_classifier.sum() == pytest.approx(1.0)


def test_brackets_are_named_results():
    from modecollapse.gan.crosscheck import ExactBracket, packed_tv_bracket

    target, gen = scenario("ring6")
    b = packed_tv_bracket(target, gen, 2)
    assert isinstance(b, ExactBracket) and b.lower <= b.upper
    lo, hi = b  # still unpacks like the (lower, upper) pair it was
    assert (lo, hi) == (b.lower, b.upper)
    # upper = packed TV of the weights: v drops 2 of the 8 ring modes, d_TV(w, v) = 2/8, and as
    # w = 1/8 < v = 1/6 on every kept mode, S* = {a coordinate on a dropped mode} has Q^2-mass 0
    # and P^2-mass 1 - (3/4)^2: the PacGAN upper bound 1 - (1 - tau)^2, attained
    assert b.upper == pytest.approx(1 - 0.75**2, abs=1e-12)
    d = divergence_bracket("kl", target, gen)
    assert isinstance(d, ExactBracket) and d.lower <= d.upper


def test_critics_leave_the_global_torch_generator_alone():
    from modecollapse.gan.crosscheck import wasserstein_critic_trace

    target, gen = scenario("ring_skewed")
    rng = np.random.default_rng(0)
    xp, xq = target.sample(30, rng), gen.sample(30, rng)
    state = torch.get_rng_state()
    a = wasserstein_critic_trace(xp, xq, steps=3, hidden=8, seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(123)  # whatever the global state, the same seed gives the same numbers
    b = wasserstein_critic_trace(xp, xq, steps=3, hidden=8, seed=1)
    np.testing.assert_array_equal(a.bound, b.bound)


def test_the_face_resolves_every_critic_name():
    # the torch names are resolved lazily by the face: each must be the _critics object itself
    from modecollapse.gan import crosscheck
    from modecollapse.gan.crosscheck import _critics

    assert set(_critics.__all__) <= set(crosscheck.__all__)
    for name in _critics.__all__:
        assert getattr(crosscheck, name) is getattr(_critics, name)
