"""Inputs a researcher passes every day: pandas Series, float32, torch tensors, counts, tiny masses,
saturated f-GAN critics, wrong argument types and sizes. Each test failed before its fix."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _support import strategies
from modecollapse.divergences import (
    F_DIVERGENCES,
    BoostedBeta,
    EnsembleBeta,
    FDivergence,
    adagan_iterates,
    adagan_mixture_weights,
    adagan_optimal_component,
    coverage_kde,
    f_divergence,
    get_f_divergence,
    js_divergence,
    kl_divergence,
    optimal_witness,
    topklast_beta,
    tv_distance,
    variational_lower_bound,
    variational_lower_bound_samples,
    wasserstein1_dual,
)
from modecollapse.divergences import normalize
from modecollapse.divergences._validation import as_pair, as_probability_vector, sum_tolerance

LOG2 = math.log(2.0)


# ---------------------------------------------------------------------------------------------
# pandas Series: aligned on labels, never matched by position
# ---------------------------------------------------------------------------------------------


def test_series_in_different_label_order_are_aligned():
    pd = pytest.importorskip("pandas")
    s1 = pd.Series(["a", "a", "b"]).value_counts(normalize=True)  # a: 2/3, b: 1/3
    s2 = pd.Series(["b", "b", "a"]).value_counts(normalize=True)  # b: 2/3, a: 1/3 (index order b, a)
    assert list(s1.index) != list(s2.index)
    # by label: |2/3 - 1/3| / 2 + |1/3 - 2/3| / 2 = 1/3 (by position it was 0)
    assert tv_distance(s1, s2) == pytest.approx(1 / 3, abs=1e-15)
    assert kl_divergence(s1, s2) == pytest.approx((2 / 3 - 1 / 3) * math.log(2), rel=1e-12)


def test_series_with_different_labels_use_the_union_with_zero_mass():
    pd = pytest.importorskip("pandas")
    p = pd.Series({"a": 0.5, "b": 0.5})
    q = pd.Series({"b": 0.5, "c": 0.5})
    a, b = as_pair(p, q)
    np.testing.assert_array_equal(a, [0.5, 0.5, 0.0])  # labels a, b, c
    np.testing.assert_array_equal(b, [0.0, 0.5, 0.5])
    assert tv_distance(p, q) == 0.5
    assert kl_divergence(p, q) == math.inf  # P has mass on 'a' where Q has none


def test_labelled_series_against_unlabelled_array_is_refused():
    pd = pytest.importorskip("pandas")
    s = pd.Series({"x": 0.25, "y": 0.75})
    with pytest.raises(ValueError, match=r"p is labelled.*q is not"):
        tv_distance(s, [0.25, 0.75])
    # a Series with the default 0..k-1 index is matched by position, as an array would be
    assert tv_distance(pd.Series([0.25, 0.75]), [0.25, 0.75]) == 0.0


def test_series_with_repeated_labels_is_refused():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="repeated labels"):
        tv_distance(pd.Series([0.5, 0.5], index=["a", "a"]), pd.Series([0.5, 0.5], index=["a", "b"]))


# ---------------------------------------------------------------------------------------------
# float32, torch tensors, counts
# ---------------------------------------------------------------------------------------------


def _softmax32(k, seed):
    z = np.random.default_rng(seed).standard_normal(k).astype(np.float32) * 3
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("k", [2, 10, 1000, 100_000])
def test_float32_softmax_is_accepted_as_given(k):
    p = _softmax32(k, 0)
    assert p.dtype == np.float32
    a = as_probability_vector(p)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, p.astype(np.float64))  # not renormalised


def test_float32_tolerance_fits_the_precision_and_still_catches_mistakes():
    eps32 = float(np.finfo(np.float32).eps)
    assert sum_tolerance(np.float32, 10) == pytest.approx(8 * math.sqrt(10) * eps32)
    assert sum_tolerance(np.float64, 10) == 1e-9 == sum_tolerance(np.int64, 10)  # float64 unchanged
    with pytest.raises(ValueError, match=r"sum\(p\)=1.00"):
        as_probability_vector(np.array([0.5, 0.501], dtype=np.float32))
    # the same numbers in float64 keep the float64 tolerance
    with pytest.raises(ValueError, match="within 1e-09"):
        as_probability_vector(np.array([0.5, 0.5 + 1e-7]))


def test_torch_tensors_cpu_with_and_without_grad():
    torch = pytest.importorskip("torch")
    logits = torch.randn(12, generator=torch.Generator().manual_seed(0), requires_grad=True)
    p = torch.softmax(logits, 0)  # float32, requires grad
    q = torch.softmax(logits.detach() * 0.5, 0)
    ref = tv_distance(p.detach().numpy(), q.numpy())  # the same float32 numbers as numpy arrays
    assert tv_distance(p, q) == ref
    assert kl_divergence(p, q) >= 0.0
    assert f_divergence(p, q, "jsd") == pytest.approx(js_divergence(p, q), abs=1e-12)
    # a float32 softmax cast to float64 keeps its float32 rounding: refused under the float64 tolerance
    with pytest.raises(ValueError, match="normalize"):
        tv_distance(torch.softmax(torch.arange(10.0) * 1.37, 0).double(), q.double())


def test_torch_tensor_on_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    p = torch.softmax(torch.randn(7, device="cuda", requires_grad=True), 0)
    assert tv_distance(p, p.detach()) == 0.0


def test_core_does_not_import_torch_or_pandas():
    import subprocess
    import sys

    code = (
        "import sys, modecollapse.divergences as d; d.tv_distance([0.5, 0.5], [1.0, 0.0]); "
        "print('torch' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_counts_are_refused_with_a_pointer_to_normalize():
    with pytest.raises(ValueError, match=r"normalize\(p\)"):
        tv_distance([3, 1], [1, 1])
    np.testing.assert_array_equal(normalize([3, 1]), [0.75, 0.25])
    assert tv_distance(normalize([3, 1]), normalize([1, 1])) == 0.25
    assert normalize(np.array([1e308, 1e308])).tolist() == [0.5, 0.5]  # no overflow of the total
    for bad, exc in (([0, 0], ValueError), ([1, -1], ValueError), (["1"], TypeError), ([[1, 2]], ValueError)):
        with pytest.raises(exc, match="weights"):
            normalize(bad)


def test_normalize_keeps_series_labels():
    pd = pytest.importorskip("pandas")
    c1 = pd.Series(["a", "a", "b"]).value_counts()
    c2 = pd.Series(["b", "b", "a"]).value_counts()
    assert tv_distance(normalize(c1), normalize(c2)) == pytest.approx(1 / 3, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# tiny masses
# ---------------------------------------------------------------------------------------------


def test_js_divergence_at_a_subnormal_mass():
    # (0 + 5e-324) / 2 underflows to 0; the pair is practically identical: JSD ~ 5e-324 log 2 = 0
    assert js_divergence([0, 1], [5e-324, 1]) == 0.0
    assert js_divergence([5e-324, 1], [0, 1]) == 0.0
    assert f_divergence([0, 1], [5e-324, 1], "jsd") == 0.0


@pytest.mark.parametrize(
    "name, p, q, expected",
    [
        # q_0 = 1e-20: f'(p/q) rounds onto sup dom f* = log 2 (resp. 0); the bound was -inf
        ("jensen_shannon", [0.5, 0, 0.5], [1e-20, 1, 0], 2 * LOG2),  # disjoint up to 1e-20: 2 JSD = 2 log 2
        ("gan", [0.5, 0, 0.5], [1e-20, 1, 0], 0.0),  # 2 JSD - log 4 = 0
        ("jsd", [0.5, 0, 0.5], [1e-20, 1, 0], LOG2),
        ("jensen_shannon", [0.5, 0.5], [1e-20, 1], None),
        ("gan", [0.5, 0.5], [1e-20, 1], None),
        ("squared_hellinger", [0.5, 0, 0.5], [1e-160, 1, 0], 2.0),
        ("jensen_shannon", [0.5, 0, 0.5], [1e-160, 1, 0], 2 * LOG2),
        # Pearson: f*(T) overflows at T = 1e160 on an atom whose term is finite; another atom is
        # +inf (P-mass where q = 0), so the bound is +inf = D (it raised "+inf and -inf")
        ("pearson", [0.5, 0, 0.5], [1e-160, 1, 0], math.inf),
    ],
)
def test_bound_at_optimal_witness_equals_divergence_at_small_masses(name, p, q, expected):
    d = f_divergence(p, q, name)
    if expected is not None:
        assert d == pytest.approx(expected, abs=1e-12)
    T = optimal_witness(p, q, name)
    fd = get_f_divergence(name)
    live = (np.asarray(p) > 0) & (np.asarray(q) > 0)
    assert np.all(fd.in_conjugate_domain(T[live]))
    b = variational_lower_bound(p, q, T, name)
    assert b == d or b == pytest.approx(d, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", ["reverse_kl", "neyman", "log_trick"])
@pytest.mark.parametrize("p, q", [([5e-324, 1], [0.5, 0.5]), ([1e-310, 1], [0.5, 0.5]), ([1e-160, 1], [0.5, 0.5])])
def test_bound_at_optimal_witness_is_finite_at_subnormal_masses(name, p, q):
    # f'(p/q) is below -1.8e308 here (e.g. reverse KL: -q/p = -1e323): no float witness attains D_f,
    # the witness is the most negative float and the bound is finite and below D_f (it was -inf)
    d = f_divergence(p, q, name)
    b = variational_lower_bound(p, q, optimal_witness(p, q, name), name)
    assert math.isfinite(b)
    assert b <= d * (1 + 1e-12) + 1e-12


def _moderate_ratios(p, q):
    """Every likelihood ratio of a charged atom in [1e-150, 1e150] (f, f', f* stay in range)."""
    both = (p > 0) & (q > 0)
    with np.errstate(over="ignore"):
        r = p[both] / q[both]
    return np.all((r >= 1e-150) & (r <= 1e150))


@given(strategies.wide_pairs(), st.sampled_from(sorted(F_DIVERGENCES)))
def test_identity_at_optimal_witness_with_tiny_masses(pq, name):
    p, q = pq
    d = f_divergence(p, q, name)  # never nan, never raises
    T = optimal_witness(p, q, name)
    b = variational_lower_bound(p, q, T, name)  # never raises
    assert not math.isnan(b)
    if math.isfinite(d):
        assert b <= d + 1e-9 * max(1.0, abs(d))  # a lower bound
    if _moderate_ratios(p, q):
        assert b == d or abs(b - d) <= 1e-9 * max(1.0, abs(d)), (b, d)


@given(strategies.wide_pairs())
def test_js_divergence_agrees_with_registry_at_tiny_masses(pq):
    p, q = pq
    assert abs(js_divergence(p, q) - f_divergence(p, q, "jsd")) <= 1e-12


def test_f_divergence_at_ratios_near_the_float_limit_is_not_nan():
    # u = 0.015 / 1e-310 = 1.5e308: u log u overflows and gan's f(u) was inf - inf = nan (raised)
    p, q = [0.985, 0.015], [1.0, 1e-310]
    for name in F_DIVERGENCES:
        assert not math.isnan(f_divergence(p, q, name))
    # the q -> 0 limit p f'(inf): gan 0.015 * 0 + 1 * f(0.985)
    assert f_divergence(p, q, "gan") == pytest.approx(float(get_f_divergence("gan").f(np.array([0.985]))[0]), rel=1e-12)


def test_sample_bound_with_values_near_the_float_limit():
    est = variational_lower_bound_samples([-1e308, -1e308, 0.0], [-1e308, -1e308], "kl")
    assert est.value == pytest.approx(-(2 / 3) * 1e308, rel=1e-15)  # mean(t_p) - mean(exp(t_q - 1)) = -6.7e307 - 0
    assert math.isfinite(est.stderr) and est.stderr == pytest.approx(1e308 / 3, rel=1e-12)  # sd(t_p) / sqrt(3)
    # ordinary input keeps the plain formulas bit for bit
    a, b = np.array([0.1, 0.4, -0.3]), np.array([0.2, -0.1])
    est = variational_lower_bound_samples(a, b, "kl")
    cb = np.exp(b - 1.0)
    assert est.value == float(np.mean(a)) - float(np.mean(cb))
    assert est.stderr == math.sqrt(float(np.var(a, ddof=1)) / 3 + float(np.var(cb, ddof=1)) / 2)


# ---------------------------------------------------------------------------------------------
# saturated f-GAN output activations
# ---------------------------------------------------------------------------------------------

RAW = np.array([-1e308, -800.0, -40.0, 0.0, 37.5, 40.0, 800.0, 1e308])


SATURATING = ["squared_hellinger", "jensen_shannon", "jsd", "gan", "reverse_kl", "neyman", "log_trick"]


@pytest.mark.parametrize("name", SATURATING)
def test_activation_stays_inside_the_domain(name):
    fd = get_f_divergence(name)
    t = fd.output_activation(RAW)
    assert np.all(fd.in_conjugate_domain(t)), t
    assert np.all(np.isfinite(fd.conjugate(t)))
    est = variational_lower_bound_samples(t, t, name)  # raised "apply the output_activation"
    assert math.isfinite(est.value)


def test_activation_is_unchanged_where_it_was_inside():
    v = np.linspace(-30, 30, 61)
    assert np.array_equal(get_f_divergence("squared_hellinger").output_activation(v), 1.0 - np.exp(-v))
    assert np.array_equal(get_f_divergence("jensen_shannon").output_activation(v), LOG2 - np.logaddexp(0.0, -v))
    assert np.array_equal(get_f_divergence("gan").output_activation(v), -np.logaddexp(0.0, -v))


def test_scaled_activation_stays_inside():
    fd = get_f_divergence("jensen_shannon").scaled(0.3)
    t = fd.output_activation(RAW)
    assert np.all(fd.in_conjugate_domain(t)) and np.all(np.isfinite(fd.conjugate(t)))


# ---------------------------------------------------------------------------------------------
# invalid arguments, wrong exception types, sizes, messages
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("betas", [True, ["0.5"], [True, False], None])
def test_adagan_iterates_refuses_non_numeric_betas(betas):
    with pytest.raises(TypeError, match="betas"):
        adagan_iterates([0.5, 0.5], [0.9, 0.1], betas)


def test_mixture_weights_refuse_strings():
    with pytest.raises(TypeError, match="betas"):
        adagan_mixture_weights(["1", "0.5"])


@pytest.mark.parametrize("t", [None, "0.5", ["a"]])
def test_in_conjugate_domain_refuses_non_numbers(t):
    with pytest.raises(TypeError, match="t"):
        get_f_divergence("kl").in_conjugate_domain(t)


def test_in_conjugate_domain_still_takes_scalars_and_arrays():
    fd = get_f_divergence("gan")
    assert bool(fd.in_conjugate_domain(-1.0)) and not bool(fd.in_conjugate_domain(0.0))
    assert fd.in_conjugate_domain([-1.0, 1.0]).tolist() == [True, False]


@pytest.mark.parametrize(
    "atol, exc", [(True, TypeError), ("1e-8", TypeError), (0.0, ValueError), (math.nan, ValueError)]
)
def test_w1dual_check_refuses_bad_atol(atol, exc):
    r = wasserstein1_dual([0.0, 1.0], [0.5, 1.5])
    with pytest.raises(exc, match="atol"):
        r.check(atol=atol)


def test_coverage_kde_refuses_string_bandwidths():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="bandwidths"):
        coverage_kde(rng.standard_normal((50, 2)), rng.standard_normal((20, 2)), bandwidths=["0.3"])


def test_adagan_component_at_tiny_beta_is_computed():
    # beta = 1e-300: the closed form keeps no digits (it raised RuntimeError); the beta -> 0 limit is
    # the data on the atoms with the smallest p_model / p_data, here atom 1 (ratio 0.2)
    r = adagan_optimal_component([0.5, 0.5], [0.9, 0.1], 1e-300)
    assert r.component.tolist() == [0.0, 1.0]
    r = adagan_optimal_component([0.5, 0.3, 0.2], [0.8, 0.2, 0.0], 1e-300)
    assert r.component.tolist() == [0.0, 0.0, 1.0]  # the data mass the model misses
    r = adagan_optimal_component([0.5, 0.5], [0.9, 0.1], 1e-300, kind="dagger")
    assert r.component.tolist() == [0.0, 1.0]
    # moderate beta keeps the closed form (the limit is only a fallback)
    a = adagan_optimal_component([0.5, 0.3, 0.2], [0.45, 0.35, 0.2], 1e-8)
    assert a.component.tolist() == [1.0, 0.0, 0.0] and a.lam == pytest.approx(0.9 + 1.1e-8, rel=1e-12)


@pytest.mark.parametrize("sched", [BoostedBeta(), EnsembleBeta()])
def test_schedule_beta_of_a_huge_t_is_a_value_error(sched):
    assert sched.beta(10**308) == 1e-308
    with pytest.raises(ValueError, match=r"t must be <= .*got t=.*401 digits"):
        sched.beta(10**400)


def test_user_f_that_raises_is_named():
    def f(u):
        return np.array([1.0 / x if x else 1.0 / 0 for x in u]) - 1.0  # ZeroDivisionError at u = 0

    with pytest.raises(ValueError, match=r"f of FDivergence 'mine' raised ZeroDivisionError") as info:
        FDivergence(
            name="mine", f=f, f_prime=lambda u: -1.0 / u**2, conjugate=lambda t: t,
            conjugate_domain=(-math.inf, 0.0), output_activation=lambda v: -np.exp(-v), f_prime_inf=0.0,
        )
    assert isinstance(info.value.__cause__, ZeroDivisionError)

    fd = FDivergence(
        name="indexing", f=lambda u: (u - 1.0) ** 2 if u.size == 1 else u[5], f_prime=lambda u: 2.0 * (u - 1.0),
        conjugate=lambda t: t + t * t / 4, conjugate_domain=(-math.inf, math.inf),
        output_activation=lambda v: v, f_prime_inf=math.inf,
    )
    with pytest.raises(ValueError, match=r"f of FDivergence 'indexing' raised IndexError"):
        f_divergence([0.5, 0.5], [0.25, 0.75], fd)


def test_coverage_kde_refuses_a_million_model_samples_with_the_cost():
    y = np.zeros((10**6, 2))
    with pytest.raises(ValueError, match=r"1e\+12 kernels.*max_kernels"):
        coverage_kde(y, np.zeros((10, 2)))


def test_topklast_names_weights():
    with pytest.raises(ValueError, match=r"^weights must sum to 1"):
        topklast_beta([1.0, 2.0, 3.0, 4.0], 0.5, weights=[1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"len\(weights\)=3 and len\(h\)=4"):
        topklast_beta([1.0, 2.0, 3.0, 4.0], 0.5, weights=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"h\[1\]=-1.0"):
        topklast_beta([1.0, -1.0], 0.5)


def test_gaussian_mixture_refuses_nan_points_and_handles_tiny_stds():
    from modecollapse.divergences import GaussianMixture

    with pytest.raises(ValueError, match=r"x must be finite; got x\[0\]=\[nan\]"):
        GaussianMixture([1.0], [[0.0]], [1.0]).logpdf([[math.nan]])
    g = GaussianMixture([1.0], [[0.0]], [1e-200])  # std^2 underflows to 0: the density was nan
    lp = g.logpdf([[0.0], [1e-200], [1.0]])
    log_peak = -math.log(1e-200) - 0.5 * math.log(2 * math.pi)  # log N(0; 0, s^2) = -log s - log(2 pi)/2
    np.testing.assert_allclose(lp[:2], [log_peak, log_peak - 0.5], rtol=1e-14)
    assert lp[2] == -math.inf


def test_numeric_reverse_activation_stays_inside():
    from modecollapse.divergences import reverse_f

    fd = get_f_divergence("gan")  # an unregistered copy takes the numeric reverse (f(0+) = 0, open end)
    copy = FDivergence(
        name="gan_copy", f=fd.f, f_prime=fd.f_prime, conjugate=fd.conjugate, conjugate_domain=fd.conjugate_domain,
        output_activation=fd.output_activation, f_prime_inf=fd.f_prime_inf, domain_closed=fd.domain_closed,
    )
    rev = reverse_f(copy)
    t = rev.output_activation(RAW)
    assert np.all(rev.in_conjugate_domain(t)) and np.all(np.isfinite(rev.conjugate(t)))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: adagan_optimal_component([0.5, 0.5], [0.9, 0.1], 10**400), "beta"),
        (lambda: topklast_beta([1.0, 2.0], 10**400), "r"),
        (lambda: coverage_kde(np.eye(4), np.eye(4), mass=10**400), "mass"),
    ],
)
def test_huge_integers_for_real_parameters_are_value_errors(call, name):
    with pytest.raises(ValueError, match=rf"{name} must be a finite real number; got {name}=10000"):
        call()  # int(10**400) -> float overflowed with a bare OverflowError


def test_finite_steps_for_a_huge_integer_ess_sup():
    from modecollapse.divergences import adagan_finite_steps

    # ceil(log(10^400) / log 2) = ceil(1328.77) (the float conversion overflowed)
    assert adagan_finite_steps(ess_sup=10**400, beta=0.5) == 1329


def test_gaussian_mixture_sample_refuses_a_huge_n_with_the_size():
    from modecollapse.divergences import GaussianMixture

    with pytest.raises(ValueError, match=r"n=10000000000 points of dimension 2 need about 298 GiB"):
        GaussianMixture([1.0], [[0.0, 0.0]], [1.0]).sample(10**10)


@pytest.mark.parametrize("d", [[True, False, True], [1, 1, 0]])
def test_topklast_refusals_name_discriminator_outputs(d):
    from modecollapse.divergences import TopKLastBeta

    with pytest.raises(ValueError, match="discriminator_outputs"):
        TopKLastBeta(0.5).step(2, np.asarray(d, dtype=float))
