"""Wasserstein-1: closed forms, enumeration and LP oracles, strong duality, metric properties, errors."""

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modecollapse.divergences import W1Dual, tv_distance, wasserstein1, wasserstein1_dual

# Each HiGHS solve costs ~5-30 ms (mostly scipy/HiGHS set-up); LP-heavy properties draw fewer examples
# than the ci profile's 60 to keep this file within its share of the test-time budget.
LP_EXAMPLES = settings(max_examples=20)


@st.composite
def weights(draw, n, zeros=True):
    elems = st.one_of(st.just(0.0), st.floats(1e-3, 1.0)) if zeros else st.floats(1e-3, 1.0)
    w = np.array(draw(st.lists(elems, min_size=n, max_size=n)), dtype=float)
    if w.sum() <= 0:
        w[0] = 1.0
    return w / w.sum()


@st.composite
def instances(draw, dims=(1, 2, 3), max_n=6):
    d = draw(st.sampled_from(dims))
    n, m = draw(st.integers(1, max_n)), draw(st.integers(1, max_n))
    coord = st.floats(-5, 5).map(lambda v: round(v, 3))  # repeated coordinates/ties occur
    x = np.array(draw(st.lists(st.lists(coord, min_size=d, max_size=d), min_size=n, max_size=n)))
    y = np.array(draw(st.lists(st.lists(coord, min_size=d, max_size=d), min_size=m, max_size=m)))
    return x, y, draw(weights(n)), draw(weights(m))


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------


def test_point_masses_and_hand_values():
    assert wasserstein1([[0.0, 0.0]], [[3.0, 4.0]]) == pytest.approx(5.0, rel=1e-12)  # ||x - y||
    assert wasserstein1([0.0, 1.0], [0.5, 1.5]) == 0.5  # shift by 1/2
    # P = 1/2 d0 + 1/2 d1, Q = d0: move mass 1/2 over distance 1
    assert wasserstein1([0.0, 1.0], [0.0]) == 0.5
    # weighted 1-D: int |F_P - F_Q| = 0.7 * 2 (P = 0.3 d0 + 0.7 d2, Q = d0)
    assert wasserstein1([0.0, 2.0], [0.0], a=[0.3, 0.7]) == pytest.approx(1.4, rel=1e-15)
    assert wasserstein1([0.0, 2.0], [0.0], a=[0.3, 0.7], method="lp") == pytest.approx(1.4, rel=1e-9)


@LP_EXAMPLES
@given(instances(), st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_translation(inst, v):
    # W1(P, P shifted by v) = ||v||: the coupling x -> x + v is optimal, and f(x) = <x, v>/||v|| certifies it
    x, _, a, _ = inst
    v = np.array(v[: x.shape[1]])
    got = wasserstein1(x, x + v, a, a)
    assert got == pytest.approx(float(np.linalg.norm(v)), rel=1e-8, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# oracles
# ---------------------------------------------------------------------------------------------


@LP_EXAMPLES
@given(instances(dims=(1,)))
def test_1d_closed_form_equals_lp(inst):
    x, y, a, b = inst
    s = wasserstein1(x[:, 0], y[:, 0], a, b, method="sorted")
    lp = wasserstein1(x, y, a, b, method="lp")
    assert s == pytest.approx(lp, rel=1e-8, abs=1e-9)  # HiGHS tolerances 1e-10


@pytest.mark.parametrize("seed", range(4))
def test_lp_against_permutation_enumeration(seed):
    # uniform weights, n = m: an optimal plan is a permutation matrix (Birkhoff-von Neumann),
    # so W1 = min over all n! assignments of the mean distance (exact enumeration oracle)
    rng = np.random.default_rng(seed)
    n, d = 6, 2 + seed % 2
    x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d)) + 0.3
    C = np.linalg.norm(x[:, None, :] - y[None, :, :], axis=-1)
    best = min(C[np.arange(n), list(perm)].mean() for perm in itertools.permutations(range(n)))
    assert wasserstein1(x, y) == pytest.approx(best, rel=1e-9)
    assert wasserstein1_dual(x, y).value == pytest.approx(best, rel=1e-9)


@LP_EXAMPLES
@given(instances())
def test_strong_duality_and_certificate(inst):
    x, y, a, b = inst
    primal = wasserstein1(x, y, a, b)
    dual = wasserstein1_dual(x, y, a, b)
    assert isinstance(dual, W1Dual)
    assert dual.value == pytest.approx(primal, rel=1e-8, abs=1e-9)
    cert = dual.check(atol=1e-8)
    assert cert.ok, cert
    assert dual.potential.shape == (dual.points.shape[0],) and dual.points.shape[1] == x.shape[1]
    assert dual.potential[0] == 0.0
    # the potential is feasible: 1-Lipschitz on every pair of support points
    assert dual.lipschitz_violation() <= 1e-9
    if x.shape[1] == 1:  # the explicit 1-D potential must also solve the LP
        lp = wasserstein1_dual(x, y, a, b, method="lp")
        assert lp.value == pytest.approx(dual.value, rel=1e-8, abs=1e-9)


def test_check_detects_a_wrong_potential():
    dual = wasserstein1_dual([[0.0, 0.0], [1.0, 0.0]], [[0.0, 1.0]])
    broken = dataclasses.replace(dual, potential=2.0 * dual.potential)
    cert = broken.check()
    assert not cert.ok and cert.lipschitz_violation > 0.5


# ---------------------------------------------------------------------------------------------
# metric and comparison properties
# ---------------------------------------------------------------------------------------------


@LP_EXAMPLES
@given(instances(max_n=5), st.data())
def test_metric_properties(inst, data):
    x, y, a, b = inst
    d = x.shape[1]
    k = data.draw(st.integers(1, 4))
    z = np.array(data.draw(st.lists(st.lists(st.floats(-5, 5), min_size=d, max_size=d), min_size=k, max_size=k)))
    c = data.draw(weights(k))
    xy, yx = wasserstein1(x, y, a, b), wasserstein1(y, x, b, a)
    assert xy == pytest.approx(yx, rel=1e-8, abs=1e-9)
    assert wasserstein1(x, x, a, a) <= 1e-9
    assert xy <= wasserstein1(x, z, a, c) + wasserstein1(z, y, c, b) + 1e-8


@LP_EXAMPLES
@given(instances())
def test_mean_lower_bound_and_zero_weight_points(inst):
    x, y, a, b = inst
    w = wasserstein1(x, y, a, b)
    # f(x) = <x, e>/||e|| is 1-Lipschitz: W1 >= ||E_P x - E_Q x||
    assert w >= float(np.linalg.norm(a @ x - b @ y)) - 1e-9
    # points with zero weight do not change W1
    x2 = np.vstack([x, x[:1] + 7.0])
    a2 = np.concatenate([a, [0.0]])
    assert wasserstein1(x2, y, a2, b) == pytest.approx(w, rel=1e-8, abs=1e-9)


@LP_EXAMPLES
@given(st.integers(1, 3), st.data())
def test_tv_sandwich_on_a_common_support(d, data):
    # on one support {z_k}: min_{k != l} ||z_k - z_l|| * TV <= W1 <= diam * TV
    k = data.draw(st.integers(2, 5))
    z = np.array(data.draw(st.lists(st.lists(st.floats(-5, 5), min_size=d, max_size=d), min_size=k, max_size=k,
                                    unique_by=lambda r: tuple(round(v, 2) for v in r))))
    a, b = data.draw(weights(k)), data.draw(weights(k))
    D = np.linalg.norm(z[:, None] - z[None, :], axis=-1)
    dmin, dmax = D[~np.eye(k, dtype=bool)].min(), D.max()
    tv = tv_distance(a, b)
    w = wasserstein1(z, z, a, b)
    assert dmin * tv - 1e-9 <= w <= dmax * tv + 1e-9


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(x=[0.0, np.nan], y=[1.0]), ValueError, "x must be finite"),
        (dict(x=[[0.0, 1.0]], y=[[1.0]]), ValueError, "x and y must have the same dimension"),
        (dict(x=np.zeros((2, 2, 2)), y=[1.0]), ValueError, r"x must have shape \(n,\) or \(n, d\)"),
        (dict(x=[], y=[1.0]), ValueError, "x must contain at least one point"),
        (dict(x=[0.0, 1.0], y=[1.0], a=[0.5, 0.6]), ValueError, "a must sum to 1"),
        (dict(x=[0.0, 1.0], y=[1.0], b=[0.5, 0.5]), ValueError, "b must have one weight per point of y"),
        (dict(x=[0.0, 1.0], y=[1.0], b=[-1.0]), ValueError, "b must be non-negative"),
        (dict(x=[0.0], y=[1.0], method="emd"), ValueError, "method must be one of"),
        (dict(x=[[0.0, 0.0]], y=[[1.0, 0.0]], method="sorted"), ValueError, "method='sorted' needs 1-D"),
        (dict(x="abc", y=[1.0]), TypeError, "x must be an array of points"),
        (dict(x=[0.0], y=[1j]), TypeError, "y must be a real numeric array"),
    ],
)
@pytest.mark.parametrize("fn", [wasserstein1, wasserstein1_dual])
def test_bad_input(kwargs, exc, match, fn):
    with pytest.raises(exc, match=match):
        fn(**kwargs)


def test_check_atol_validation():
    with pytest.raises(ValueError, match="atol must be"):
        wasserstein1_dual([0.0], [1.0]).check(atol=-1.0)


# ---------------------------------------------------------------------------------------------
# the network simplex engine against the HiGHS LP oracle
# ---------------------------------------------------------------------------------------------


@LP_EXAMPLES
@given(instances(dims=(2, 3)))
def test_network_simplex_equals_highs_lp(inst):
    # duplicates, ties and zero weights included (instances draws them)
    x, y, a, b = inst
    ns = wasserstein1(x, y, a, b)
    assert ns == wasserstein1(x, y, a, b, method="network_simplex")
    lp = wasserstein1(x, y, a, b, method="lp")
    assert ns == pytest.approx(lp, rel=1e-8, abs=1e-9)  # HiGHS tolerances 1e-10
    dual = wasserstein1_dual(x, y, a, b)
    assert dual.method == "network_simplex"
    lp_dual = wasserstein1_dual(x, y, a, b, method="lp")
    assert lp_dual.method == "lp"
    assert dual.value == pytest.approx(lp_dual.value, rel=1e-8, abs=1e-9)
    assert lp_dual.check(atol=1e-8).ok


@pytest.mark.parametrize("seed", range(3))
def test_c_transform_potential_is_certified_on_a_mid_size_instance(seed):
    # 80 x 60 weighted points in 2-D: the c-transform of the simplex duals is 1-Lipschitz on every
    # pair (by construction, checked), attains the primal, and agrees with the HiGHS primal
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(80, 2)), rng.normal(size=(60, 2)) * 1.3 + 0.4
    a, b = rng.dirichlet(np.ones(80)), rng.dirichlet(np.ones(60))
    dual = wasserstein1_dual(x, y, a, b)
    cert = dual.check(atol=1e-10)
    assert cert.ok, cert
    assert cert.lipschitz_violation <= 1e-12
    assert dual.value == pytest.approx(wasserstein1(x, y, a, b, method="lp"), rel=1e-9)


def test_blockwise_lipschitz_check_equals_the_dense_one(monkeypatch):
    # the row-block evaluation (blocks of a few rows here) gives the dense matrix's maximum exactly
    from modecollapse.divergences import _wasserstein as w

    rng = np.random.default_rng(5)
    dual = wasserstein1_dual(rng.normal(size=(30, 2)), rng.normal(size=(25, 2)))
    broken = dataclasses.replace(dual, potential=dual.potential * 1.5)
    dense = broken.lipschitz_violation()
    monkeypatch.setattr(w, "_BLOCK_ENTRIES", 3 * 55)
    assert broken.lipschitz_violation() == dense > 0
    assert dual.lipschitz_violation() <= 1e-12
