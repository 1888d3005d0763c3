"""f-divergences, TV, KL, JS: closed forms, mpmath oracles, edge limits, hypothesis properties."""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _support import strategies
from modecollapse.divergences import (
    F_DIVERGENCES,
    FDivergence,
    f_divergence,
    get_f_divergence,
    js_divergence,
    kl_divergence,
    tv_distance,
)

LOG2 = math.log(2.0)
NORMALISED = [n for n, e in F_DIVERGENCES.items() if e.f_at_one == 0.0]  # all but "gan"
# Generators with f strictly convex at 1: D_f(P||Q) = 0 iff P = Q.
STRICT = [n for n in NORMALISED if n != "total_variation"] + ["total_variation"]  # TV: D = 0 iff P = Q too
SELF_DUAL = ["squared_hellinger", "jensen_shannon", "jsd", "gan", "total_variation"]  # f° = f (docs/theory.md s.1)


def _close(a, b, rtol=1e-9, atol=1e-12):
    """Equality of possibly-infinite values (inf == inf), else within tolerance."""
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


# ---------------------------------------------------------------------------------------------
# closed forms for every registered generator
# ---------------------------------------------------------------------------------------------

P3 = np.array([0.5, 0.3, 0.2])
Q3 = np.array([0.2, 0.2, 0.6])


def _closed_forms(p, q):
    """D_f written directly in (p, q) without the ratio (docs/theory.md s.1, f-GAN Table 1)."""
    m = 0.5 * (p + q)
    kl = float(np.sum(p * np.log(p / q)))
    jsd = 0.5 * float(np.sum(p * np.log(p / m))) + 0.5 * float(np.sum(q * np.log(q / m)))
    return {
        "kl": kl,
        "reverse_kl": float(np.sum(q * np.log(q / p))),
        "pearson": float(np.sum((p - q) ** 2 / q)),
        "neyman": float(np.sum((p - q) ** 2 / p)),
        "squared_hellinger": float(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)),
        "jensen_shannon": 2 * jsd,
        "jsd": jsd,
        "gan": 2 * jsd - math.log(4.0),
        "total_variation": 0.5 * float(np.sum(np.abs(p - q))),
        # log trick: -E_Q log D* - log 2 with D* = p/(p+q) (AdaGAN talk (Tolstikhin))
        "log_trick": float(np.sum(q * -np.log(p / (p + q)))) - LOG2,
    }


def test_registry_has_required_names():
    required = {"kl", "reverse_kl", "pearson", "neyman", "squared_hellinger", "jensen_shannon", "gan",
                "total_variation", "log_trick"}
    assert required <= set(F_DIVERGENCES)
    for name, e in F_DIVERGENCES.items():
        assert e.name == name and e.quantity


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_closed_form_full_support(name):
    expected = _closed_forms(P3, Q3)[name]
    got = f_divergence(P3, Q3, name)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-15)  # same formula, different rounding
    assert get_f_divergence(name).divergence(P3, Q3) == got


def test_direct_functions_match_registry():
    p, q = P3, Q3
    np.testing.assert_allclose(kl_divergence(p, q), f_divergence(p, q, "kl"), rtol=1e-13)
    np.testing.assert_allclose(kl_divergence(q, p), f_divergence(p, q, "reverse_kl"), rtol=1e-13)
    np.testing.assert_allclose(tv_distance(p, q), f_divergence(p, q, "total_variation"), rtol=1e-13)
    np.testing.assert_allclose(2 * js_divergence(p, q), f_divergence(p, q, "jensen_shannon"), rtol=1e-13)
    np.testing.assert_allclose(js_divergence(p, q), f_divergence(p, q, "jsd"), rtol=1e-13)


def test_bernoulli_kl_hand_value():
    # KL(Bern(1/2) || Bern(1/4)) = 1/2 log 2 + 1/2 log(2/3) = 1/2 log(4/3)
    np.testing.assert_allclose(kl_divergence([0.5, 0.5], [0.25, 0.75]), 0.5 * math.log(4 / 3), rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# mpmath oracles (50 digits)
# ---------------------------------------------------------------------------------------------

mpmath.mp.dps = 50


def _mp_kl(p, q):
    tot = mpmath.mpf(0)
    for a, b in zip(p, q):
        a, b = mpmath.mpf(float(a)), mpmath.mpf(float(b))
        if a == 0:
            continue
        if b == 0:
            return mpmath.inf
        tot += a * mpmath.log(a / b)
    return tot


def _mp_js(p, q):
    m = [(mpmath.mpf(float(a)) + mpmath.mpf(float(b))) / 2 for a, b in zip(p, q)]
    return (_mp_kl(p, m) + _mp_kl(q, m)) / 2


@given(strategies.pairs(max_k=5))
def test_kl_js_against_mpmath(pq):
    p, q = pq
    kl_ref = _mp_kl(p, q)
    js_ref = float(_mp_js(p, q))
    kl = kl_divergence(p, q)
    if kl_ref == mpmath.inf:
        assert kl == math.inf
    else:
        # double-precision sum of k terms each of size <= ~10: error a few ulp of the largest term
        assert abs(kl - float(kl_ref)) <= 1e-13 * (1 + float(kl_ref))
    assert abs(js_divergence(p, q) - js_ref) <= 1e-14 * 5


# ---------------------------------------------------------------------------------------------
# edge limits (docs/theory.md s.0): 0 f(0/0) = 0, 0 f(a/0) = a f'(inf)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_mass_where_q_is_zero(name):
    e = get_f_divergence(name)
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.5, 0.0, 0.5])
    # atom 0: q f(1) ; atom 1: 0.5 f'(inf) ; atom 2: 0.5 f(0)
    expected = 0.5 * e.f_at_one + 0.5 * e.f_prime_inf + 0.5 * e.f_at_zero
    got = f_divergence(p, q, e)
    assert _close(got, expected, rtol=1e-14)
    assert not math.isnan(got)


def test_edge_values_by_hand():
    disjoint = ([1.0, 0.0], [0.0, 1.0])
    assert kl_divergence(*disjoint) == math.inf
    assert tv_distance(*disjoint) == 1.0
    assert js_divergence(*disjoint) == LOG2  # the JSD maximum (log 2 nats), attained on disjoint supports
    assert f_divergence(*disjoint, "squared_hellinger") == 2.0  # (1-0)^2 + (0-1)^2
    assert f_divergence(*disjoint, "gan") == 0.0  # 2 log 2 - log 4
    assert f_divergence(*disjoint, "neyman") == math.inf  # q f(0) with f(0)=inf
    assert f_divergence(*disjoint, "reverse_kl") == math.inf
    assert f_divergence(*disjoint, "total_variation") == 1.0
    # P << Q but not Q << P: KL finite, reverse KL infinite
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(LOG2, rel=1e-15)
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    # Neyman: 0 f(a/0) = a * f'(inf) = a * 1
    assert f_divergence([0.5, 0.5], [1.0, 0.0], "neyman") == pytest.approx(1.0 * (1 - 0.5) ** 2 / 0.5 + 0.5 * 1.0, rel=1e-15)  # q f(1/2) + p f'(inf)


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_f_at_zero_and_f_prime_inf_are_the_limits(name):
    e = get_f_divergence(name)
    # f(0) equals the limit f(0+): compare with f at a tiny u (continuity from the right)
    small = float(e.f(np.array([1e-300]))[0])
    if math.isinf(e.f_at_zero):
        assert small > 100
    else:
        assert abs(small - e.f_at_zero) < 1e-6
    # f'(inf) = lim f(u)/u; check at u = 1e24 (slowest convergence: Hellinger, 2/sqrt(u) = 2e-12)
    big = 1e24
    ratio = float(e.f(np.array([big]))[0]) / big
    if math.isinf(e.f_prime_inf):
        assert ratio > 20
    else:
        assert abs(ratio - e.f_prime_inf) < 1e-9
        assert abs(float(e.f_prime(np.array([big]))[0]) - e.f_prime_inf) < 1e-9


@pytest.mark.parametrize("name", sorted(F_DIVERGENCES))
def test_overflowing_likelihood_ratio(name):
    # q_1 = 1e-320 (subnormal): p_1/q_1 overflows; the term is the q -> 0 limit p_1 f'(inf)
    p, q = np.array([0.5, 0.5]), np.array([1.0 - 1e-320, 1e-320])
    e = get_f_divergence(name)
    got = f_divergence(p, q, name)
    assert not math.isnan(got)
    expected = float(q[0] * e.f(np.array([p[0] / q[0]]))[0]) + 0.5 * e.f_prime_inf
    assert _close(got, expected, rtol=1e-14)
    if name == "jsd":
        assert got == pytest.approx(js_divergence(p, q), rel=1e-14)
    # KL's own function keeps the finite true value 0.5 log(0.5/1e-320) + 0.5 log(0.5/(1-1e-320))
    assert kl_divergence(p, q) == pytest.approx(0.5 * (math.log(0.5) - math.log(1e-320)) + 0.5 * math.log(0.5), rel=1e-12)


def test_f_is_plus_inf_left_of_zero_and_nan_passes():
    for e in F_DIVERGENCES.values():
        vals = e.f(np.array([-1.0, np.nan]))
        assert vals[0] == math.inf and math.isnan(vals[1])


# ---------------------------------------------------------------------------------------------
# hypothesis properties
# ---------------------------------------------------------------------------------------------


@given(strategies.pairs())
def test_nonnegativity_and_identity(pq):
    p, q = pq
    for name in NORMALISED:
        d = f_divergence(p, q, name)
        assert d >= 0.0 and not math.isnan(d)
        assert f_divergence(p, p, name) == 0.0 or f_divergence(p, p, name) < 1e-15
    assert f_divergence(p, q, "gan") >= -math.log(4.0)
    assert tv_distance(p, p) == 0.0 and kl_divergence(p, p) == 0.0 and js_divergence(p, p) == 0.0


@given(strategies.pairs(min_k=2))
def test_identity_of_indiscernibles_strict(pq):
    p, q = pq
    tv = tv_distance(p, q)
    if tv > 1e-6:
        for name in STRICT:
            assert f_divergence(p, q, name) > 0.0, name


@given(strategies.pairs())
def test_symmetry_where_it_holds(pq):
    p, q = pq
    assert tv_distance(p, q) == tv_distance(q, p)
    assert abs(js_divergence(p, q) - js_divergence(q, p)) <= 1e-15
    for name in SELF_DUAL:
        a, b = f_divergence(p, q, name), f_divergence(q, p, name)
        assert _close(a, b, rtol=1e-12, atol=1e-15), name
    # KL <-> reverse KL and Pearson <-> Neyman swap the arguments
    assert _close(f_divergence(p, q, "reverse_kl"), f_divergence(q, p, "kl"), rtol=1e-12, atol=1e-15)
    assert _close(f_divergence(p, q, "neyman"), f_divergence(q, p, "pearson"), rtol=1e-12, atol=1e-15)


def test_kl_and_chi2_are_not_symmetric():
    p, q = [0.9, 0.1], [0.5, 0.5]
    assert abs(kl_divergence(p, q) - kl_divergence(q, p)) > 0.01
    assert abs(f_divergence(p, q, "pearson") - f_divergence(q, p, "pearson")) > 0.1


@given(strategies.pairs())
def test_pinsker(pq):
    p, q = pq
    # Pinsker: d_TV <= sqrt(KL/2); tolerance for round-off when both are ~0
    assert tv_distance(p, q) <= math.sqrt(kl_divergence(p, q) / 2) + 1e-12


@st.composite
def pair_and_kernel(draw):
    p, q = draw(strategies.pairs(max_k=5))
    m = draw(st.integers(1, 5))
    W = np.array([draw(strategies.prob_vectors(m)) for _ in range(p.size)])
    return p, q, W


@given(pair_and_kernel())
def test_data_processing(pqw):
    p, q, W = pqw
    pw, qw = p @ W, q @ W
    pw, qw = pw / pw.sum(), qw / qw.sum()  # undo round-off of order 1e-16 only
    for name in F_DIVERGENCES:
        before, after = f_divergence(p, q, name), f_divergence(pw, qw, name)
        assert after <= before + 1e-9 * (1 + abs(before)) or before == math.inf, name
    assert tv_distance(pw, qw) <= tv_distance(p, q) + 1e-12
    assert js_divergence(pw, qw) <= js_divergence(p, q) + 1e-12
    kb = kl_divergence(p, q)
    assert kl_divergence(pw, qw) <= kb + 1e-9 * (1 + kb)


@given(strategies.pairs(), st.randoms(use_true_random=False), st.integers(0, 3))
def test_invariance_permutation_and_zero_atoms(pq, rnd, nzeros):
    p, q = pq
    perm = list(range(p.size))
    rnd.shuffle(perm)
    pp, qp = p[perm], q[perm]
    pz, qz = np.concatenate([p, np.zeros(nzeros)]), np.concatenate([q, np.zeros(nzeros)])
    for name in F_DIVERGENCES:
        ref = f_divergence(p, q, name)
        assert _close(f_divergence(pp, qp, name), ref, rtol=1e-12, atol=1e-15)
        # zero atoms add exact zeros; only the summation order (pairwise sum) can change
        assert _close(f_divergence(pz, qz, name), ref, rtol=1e-14, atol=1e-16)
    assert _close(kl_divergence(pp, qp), kl_divergence(p, q), rtol=1e-12, atol=1e-15)
    assert _close(js_divergence(pz, qz), js_divergence(p, q), rtol=1e-14, atol=1e-16)


@given(strategies.triples())
def test_hilbertian_triangle_inequalities(pqr):
    p, q, r = pqr
    # docs/theory.md s.1: sqrt(JSD), sqrt(H^2), TV (and hence sqrt(TV)) are metrics
    metrics = {
        "sqrt_jsd": lambda a, b: math.sqrt(js_divergence(a, b)),
        "sqrt_hellinger": lambda a, b: math.sqrt(f_divergence(a, b, "squared_hellinger")),
        "tv": tv_distance,
        "sqrt_tv": lambda a, b: math.sqrt(tv_distance(a, b)),
    }
    for name, d in metrics.items():
        assert d(p, r) <= d(p, q) + d(q, r) + 1e-12, name


@st.composite
def families(draw):
    k = draw(st.integers(2, 5))
    n = draw(st.integers(3, 6))
    return [draw(strategies.prob_vectors(k)) for _ in range(n)]


@given(families())
def test_hilbertian_negative_type(fam):
    # "Hilbertian": sqrt(D) embeds isometrically in a Hilbert space. Schoenberg's criterion: iff D
    # is of negative type, i.e. -1/2 J D J is positive semidefinite (J = centring matrix). This is
    # stronger than the triangle inequality and holds for JSD (Fuglede-Topsoe 2004), H^2 and TV
    # (TV = L1/2, and L1 is of negative type).
    n = len(fam)
    J = np.eye(n) - np.ones((n, n)) / n
    for name, d in {"jsd": js_divergence, "tv": tv_distance,
                    "h2": lambda a, b: f_divergence(a, b, "squared_hellinger")}.items():
        D = np.array([[d(a, b) for b in fam] for a in fam])
        G = -0.5 * J @ D @ J
        assert np.linalg.eigvalsh(0.5 * (G + G.T)).min() >= -1e-12, name


def test_kl_symmetrised_is_not_of_negative_type():
    # a check that can fail: Jeffreys' symmetrised KL is not Hilbertian; Bernoulli(0.99, 0.9, 0.5)
    # already break the triangle inequality for its square root (by 0.098), hence Schoenberg's test
    fam = [np.array([0.99, 0.01]), np.array([0.9, 0.1]), np.array([0.5, 0.5])]
    D = np.array([[kl_divergence(a, b) + kl_divergence(b, a) for b in fam] for a in fam])
    J = np.eye(3) - np.ones((3, 3)) / 3
    assert np.linalg.eigvalsh(-0.5 * J @ D @ J).min() < -0.01


def test_sqrt_kl_and_sqrt_chi2_violate_triangle():
    # docs/theory.md s.1: KL and chi^2 are not (Hilbertian) metrics. Explicit Bernoulli counterexample.
    p, q, r = [0.9, 0.1], [0.5, 0.5], [0.1, 0.9]
    for name in ("kl", "pearson"):
        d = lambda a, b: math.sqrt(f_divergence(a, b, name))  # noqa: E731
        assert d(p, r) > d(p, q) + d(q, r), name


@given(strategies.pairs())
def test_js_bounds_and_gan_relation(pq):
    p, q = pq
    j = js_divergence(p, q)
    assert 0.0 <= j <= LOG2
    assert abs(f_divergence(p, q, "gan") - (2 * j - math.log(4.0))) <= 1e-12


# ---------------------------------------------------------------------------------------------
# user-built generators, scaled(), errors
# ---------------------------------------------------------------------------------------------


def test_user_built_fdivergence_alpha2():
    # A user's own generator: f(u) = (u^2 - 1)/2 - (u - 1) has D_f = chi^2/2 (f'' = 1 = Pearson/2)
    e = FDivergence(
        name="half_pearson",
        f=lambda u: 0.5 * (np.asarray(u) - 1.0) ** 2,
        f_prime=lambda u: np.asarray(u) - 1.0,
        conjugate=lambda t: np.asarray(t) + 0.5 * np.asarray(t) ** 2,
        conjugate_domain=(-math.inf, math.inf),
        output_activation=lambda v: np.asarray(v),
        f_prime_inf=math.inf,
        quantity="chi^2(P||Q)/2",
    )
    np.testing.assert_allclose(e.divergence(P3, Q3), 0.5 * f_divergence(P3, Q3, "pearson"), rtol=1e-14)
    assert f_divergence([0.5, 0.5], [1.0, 0.0], e) == math.inf


def test_scaled():
    s = get_f_divergence("kl").scaled(3.0)
    np.testing.assert_allclose(s.divergence(P3, Q3), 3 * kl_divergence(P3, Q3), rtol=1e-14)
    t = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(s.conjugate(t), 3 * np.exp(t / 3 - 1), rtol=1e-14)  # (cf)*(t) = c f*(t/c)
    jsd = get_f_divergence("jsd")
    assert jsd.conjugate_domain == (-math.inf, LOG2 / 2)
    with pytest.raises(ValueError, match="c must be"):
        s.scaled(-1.0)


def test_in_conjugate_domain_endpoints():
    tv = get_f_divergence("total_variation")
    assert tv.in_conjugate_domain([0.5, 0.51, -100.0]).tolist() == [True, False, True]
    rkl = get_f_divergence("reverse_kl")
    assert rkl.in_conjugate_domain([0.0, -1e-300]).tolist() == [False, True]


@pytest.mark.parametrize(
    "p, q, match",
    [
        ([0.5, 0.6], [0.5, 0.5], r"p must sum to 1"),
        ([0.5, 0.5], [1.5, -0.5], r"q must be non-negative"),
        ([0.5, 0.5], [1.0], r"same number of atoms"),
        ([0.5, float("nan")], [0.5, 0.5], r"p must be finite"),
        ([[0.5, 0.5]], [[0.5, 0.5]], r"p must be 1-D"),
    ],
)
@pytest.mark.parametrize("fn", [tv_distance, kl_divergence, js_divergence, lambda p, q: f_divergence(p, q, "kl")])
def test_bad_probability_vectors(p, q, match, fn):
    with pytest.raises(ValueError, match=match):
        fn(p, q)


def test_bad_f_argument():
    with pytest.raises(ValueError, match=r"unknown f-divergence name='kll'.*registered: \[.*'kl'"):
        f_divergence([1.0], [1.0], "kll")
    with pytest.raises(TypeError, match="f must be an FDivergence"):
        f_divergence([1.0], [1.0], 3)
    with pytest.raises(TypeError, match="name must be a str"):
        get_f_divergence(None)


def test_fdivergence_constructor_validation():
    kl = get_f_divergence("kl")
    base = dict(name="x", f=kl.f, f_prime=kl.f_prime, conjugate=kl.conjugate, conjugate_domain=(-math.inf, math.inf),
                output_activation=kl.output_activation, f_prime_inf=math.inf)
    FDivergence(**base)
    with pytest.raises(ValueError, match="conjugate_domain"):
        FDivergence(**{**base, "conjugate_domain": (1.0, 0.0)})
    with pytest.raises(ValueError, match="f_prime_inf"):
        FDivergence(**{**base, "f_prime_inf": float("nan")})
    with pytest.raises(TypeError, match="f must be callable"):
        FDivergence(**{**base, "f": 3})
    with pytest.raises(ValueError, match=r"f\(1\) must be finite"), np.errstate(divide="ignore"):
        FDivergence(**{**base, "f": lambda u: -np.log(np.asarray(u) - 1.0)})
    with pytest.raises(ValueError, match="domain_closed"):
        FDivergence(**{**base, "domain_closed": (True, False)})
    with pytest.raises(TypeError, match="name"):
        FDivergence(**{**base, "name": ""})
    with pytest.raises(Exception):
        kl.name = "other"  # frozen value type


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        F_DIVERGENCES["mine"] = get_f_divergence("kl")
