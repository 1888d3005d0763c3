"""AdaGAN data weights from a classifier (AdaGAN talk (Tolstikhin), "AdaGAN: adaptive mixtures of GANs" slides).

The oracle is the exact component R*/R+ of ``adagan_optimal_component``: with the optimal
discriminator ``D* = p_d / (p_d + p_g)`` evaluated on data points drawn with the exact
frequencies ``p_d``, the per-atom sums of the weights must equal R* (R+). Also an independent
brentq solve of the sample normalisation equation.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from modecollapse.divergences import adagan_optimal_component, adagan_weights


@st.composite
def atoms_with_counts(draw):
    """Data counts per atom (some atoms without data, i.e. p_d = 0) and a model p_g with zeros."""
    k = draw(st.integers(1, 6))
    counts = np.array(draw(st.lists(st.integers(0, 5), min_size=k, max_size=k)))
    if counts.sum() == 0:
        counts[draw(st.integers(0, k - 1))] = 1
    # masses 0 or >= 1e-3: with p_g/p_d ~ 1e-15, D* rounds to 1 and h = (1-D)/D keeps no digits
    # (use logits there); lambda+ ~ 1/h is then ill-conditioned, though R+ itself is not
    g = np.array(draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1.0)), min_size=k, max_size=k)))
    if g.sum() == 0:
        g[draw(st.integers(0, k - 1))] = 1.0
    beta = draw(st.floats(0.02, 1.0))
    return counts, g / g.sum(), beta


def _points_and_dstar(counts, pg):
    pd = counts / counts.sum()
    atom = np.repeat(np.arange(counts.size), counts)  # one data point per unit of count
    dstar = pd[atom] / (pd[atom] + pg[atom])  # optimal discriminator, p_d > 0 at data points
    return pd, atom, dstar


@settings(max_examples=40)
@given(atoms_with_counts(), st.sampled_from(["star", "dagger"]))
def test_optimal_discriminator_reproduces_the_optimal_component(args, kind):
    counts, pg, beta = args
    pd, atom, dstar = _points_and_dstar(counts, pg)
    if kind == "dagger" and (beta == 1.0 or pd[pg == 0].sum() >= beta):
        if pd[pg == 0].sum() >= beta and beta < 1.0:
            with pytest.raises(ValueError, match="no lambda\\+ exists"):
                adagan_weights(dstar, beta, kind=kind)
        return
    res = adagan_weights(dstar, beta, kind=kind)
    ref = adagan_optimal_component(pd, pg, beta, kind=kind)
    per_atom = np.bincount(atom, weights=res.weights, minlength=counts.size)
    np.testing.assert_allclose(per_atom, ref.component, atol=1e-12)  # same closed form, same scan
    assert res.lam == pytest.approx(ref.lam, rel=1e-12)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-13)
    # the classifier's implied model mass on supp(p_d) is P_g(p_d > 0) for D = D*
    assert res.implied_model_mass == pytest.approx(pg[pd > 0].sum(), abs=1e-12)
    # logits log(p_d/p_g) give the same weights without forming D
    with np.errstate(divide="ignore"):
        logits = np.log(pd[atom]) - np.log(pg[atom])
    logits = np.where(np.isinf(logits), 800.0, logits)  # p_g = 0: D = 1 (exp(-800) underflows to 0)
    res_l = adagan_weights(logits, beta, kind=kind, from_logits=True)
    np.testing.assert_allclose(res_l.weights, res.weights, atol=1e-12)


@settings(max_examples=40)
@given(atoms_with_counts())
def test_base_weights_equal_the_empirical_measure(args):
    counts, pg, beta = args
    pd = counts / counts.sum()
    keep = pd > 0
    dstar = pd[keep] / (pd[keep] + pg[keep])
    res = adagan_weights(dstar, beta, base_weights=pd[keep])
    np.testing.assert_allclose(res.weights, adagan_optimal_component(pd, pg, beta).component[keep], atol=1e-12)


@settings(max_examples=40)
@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-12, 1.0)), min_size=1, max_size=30), st.floats(0.02, 0.99))
def test_lambda_matches_brentq_for_an_arbitrary_classifier(d, beta):
    d = np.array(d)
    if np.all(d == 0):
        with pytest.raises(ValueError, match="no lambda\\* exists"):
            adagan_weights(d, beta)
        return
    res = adagan_weights(d, beta)
    n = d.size
    pos = d > 0
    h = (1 - d[pos]) / d[pos]
    g = lambda lam: np.maximum(lam - (1 - beta) * h, 0.0).sum() / n - beta
    lam = brentq(g, 0.0, (1 - beta) * h.max() + n * beta + 1.0, xtol=1e-14, rtol=1e-14)
    assert res.lam == pytest.approx(lam, rel=1e-9, abs=1e-12)
    assert res.lam >= beta * (1 - 1e-12)  # lambda* >= beta holds for any classifier
    if res.implied_model_mass <= 1.0:
        assert res.lam <= 1.0 + 1e-12
    assert np.all(res.weights[~pos] == 0.0)  # D = 0 (h = inf) gets weight exactly 0
    w = np.zeros(n)
    w[pos] = np.maximum(lam - (1 - beta) * h, 0.0) / (n * beta)
    np.testing.assert_allclose(res.weights, w / w.sum(), atol=1e-12)
    # monotone: a point the model misses more (larger D) never gets a smaller weight
    order = np.argsort(d, kind="stable")
    assert np.all(np.diff(res.weights[order]) >= -1e-15)


def test_lambda_can_exceed_one_for_a_bad_classifier():
    # every point claims p_g = 3 p_d: implied model mass 3 > 1, lambda* = 1 - beta + ... > 1
    res = adagan_weights(np.full(4, 0.25), 0.5)
    # (lam - 0.5 * 3) = 0.5  =>  lam = 2
    assert res.lam == pytest.approx(2.0, abs=1e-14)
    assert res.implied_model_mass == pytest.approx(3.0, abs=1e-14)
    np.testing.assert_allclose(res.weights, 0.25, atol=1e-15)


def test_edge_handling_is_documented_behaviour():
    d = np.array([0.0, 0.3, 0.9, 1.0])
    res = adagan_weights(d, 0.5)
    assert res.h[0] == math.inf and res.h[3] == 0.0
    # h overflowing to inf (D below ~1e-308) is the same as D = 0
    assert adagan_weights([5e-324, 0.5], 0.5).weights[0] == 0.0
    assert res.weights[0] == 0.0 and res.weights[3] == res.weights.max()
    # eta clips D to [eta, 1 - eta] first: h in [eta/(1-eta), (1-eta)/eta]
    res_c = adagan_weights(d, 0.5, eta=0.01)
    assert res_c.h[0] == pytest.approx(99.0) and res_c.h[3] == pytest.approx(1 / 99)
    # beta = 1: R = P_d, weights are the base weights whatever D says
    np.testing.assert_allclose(adagan_weights(d, 1.0).weights, 0.25)
    b = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(adagan_weights(d, 1.0, base_weights=b).weights, b)
    # a lambda that does not exist is an error, never uniform weights
    with pytest.raises(ValueError, match="no lambda\\* exists"):
        adagan_weights([0.0, 0.0], 0.5)
    with pytest.raises(ValueError, match="no lambda\\* exists"):
        adagan_weights([0.0, 0.7], 0.5, base_weights=[1.0, 0.0])
    with pytest.raises(ValueError, match="no lambda\\+ exists"):
        adagan_weights([1.0, 1.0, 0.5], 0.5, kind="dagger")  # data mass 2/3 with h = 0 >= beta
    ok = adagan_weights([0.0, 0.0], 0.5, eta=1e-3)
    np.testing.assert_allclose(ok.weights, 0.5)


def test_kept_fraction_grows_as_the_model_improves():
    # AdaGAN talk (Tolstikhin): "the better our model gets, the more data points will be zeroed"
    rng = np.random.default_rng(0)
    d_bad = rng.uniform(0.6, 1.0, 200)  # the model misses most of the data
    d_good = rng.uniform(0.3, 0.6, 200)  # near D = 1/2: the model covers the data
    assert adagan_weights(d_good, 0.3).n_zero > adagan_weights(d_bad, 0.3).n_zero


@pytest.mark.parametrize("bad", [[0.5, 1.2], [-0.1, 0.5], [0.5, np.nan], [np.inf, 0.5], [], [[0.5, 0.5]]])
def test_bad_discriminator_outputs(bad):
    with pytest.raises(ValueError, match="discriminator_outputs"):
        adagan_weights(bad, 0.5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="discriminator_outputs"):
        adagan_weights([0.5, np.nan], 0.5, from_logits=True)
    with pytest.raises(TypeError, match="discriminator_outputs"):
        adagan_weights(["a", "b"], 0.5)
    for beta in (0.0, 1.01, -1.0, math.nan):
        with pytest.raises(ValueError, match="beta"):
            adagan_weights([0.5, 0.5], beta)
    with pytest.raises(ValueError, match="base_weights"):
        adagan_weights([0.5, 0.5], 0.5, base_weights=[0.5, 0.6])
    with pytest.raises(ValueError, match="base_weights"):
        adagan_weights([0.5, 0.5], 0.5, base_weights=[1.0])
    with pytest.raises(ValueError, match="eta"):
        adagan_weights([0.5, 0.5], 0.5, eta=0.5)
    with pytest.raises(ValueError, match="kind"):
        adagan_weights([0.5, 0.5], 0.5, kind="plus")
