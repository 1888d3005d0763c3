"""A fuzz over every public callable of ``divergences`` and ``regions`` (harness: ``_support/fuzz.py``).

The default run calls each public function, class and public method of an example instance with a
valid example and then each parameter, one at a time, replaced by each input of the default bank
(about 3,500 calls), and every pair of parameters at valid edges (tiny masses, tiny scalars,
float32; about 2,000 calls): together about 2 s. ``-m slow`` adds the extended bank (about 7,500
calls). The rules (see the
harness): only ``ValueError``/``TypeError`` escape, their message names the parameter, nothing
valid returns NaN, no warning, no call past 2 s or past a few GB of address space, and inputs that
no parameter of that kind may take are refused.

What the fuzz still finds is listed in :data:`KNOWN`, each with its reason and its owner; the
test prints the list (``pytest -rP`` or ``-s``) and fails on anything not in it. An entry that no
longer matches is printed as stale: remove it.
"""

from __future__ import annotations

import fnmatch
import math
import resource

import numpy as np
import pytest

from _support import fuzz

#: (pattern of a problem line, reason). Patterns are fnmatch patterns over the lines of
#: ``fuzz.problems``. Keep each entry narrow; remove it when the call is fixed.
KNOWN: list[tuple[str, str]] = [
    # --- divergences (by design) -----------------------------------------------------------
    ("FDivergence*.in_conjugate_domain(t=<nan>): accepted*",
     "elementwise predicate: NaN is not in the domain, so False is the answer"),
    ("FDivergence*.in_conjugate_domain(t=<2-D>): accepted*", "elementwise predicate: any shape"),
]

#: documented aliases: a message may name the parameter by this word instead
fuzz.ALIASES.update({
    ("ConstantBeta", "value"): ("beta",),  # the constant schedule's value is beta ("constant:0.3")
})


def _split(found):
    known, new = [], []
    for line in found:
        (known if any(fnmatch.fnmatchcase(line, pat) for pat, _ in KNOWN) else new).append(line)
    stale = [pat for pat, _ in KNOWN if not any(fnmatch.fnmatchcase(line, pat) for line in found)]
    return known, new, stale


def _report(n, known, stale, slowest):
    print(f"\nfuzz: {n} calls, slowest {slowest:.2f} s; {len(known)} known problems ({len(KNOWN)} KNOWN entries):")
    for pat, why in KNOWN:
        print(f"  KNOWN {pat}  -- {why}")
    for pat in stale or ():  # only the extended bank, which reaches every entry, reports stale ones
        print(f"  STALE (matches nothing now, remove it): {pat}")


@pytest.fixture
def address_space_limit():
    """Cap this process's address space a few GB above its current size for the test, so a call
    that allocates instead of refusing fails (MemoryError) instead of exhausting the machine."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        with open("/proc/self/statm") as fh:
            size = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, AttributeError):
        yield None
        return
    cap = size + 4 * 2**30
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield cap
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_every_public_name_is_fuzzed_or_listed():
    missing = fuzz.missing()
    assert not missing, (f"public names without a valid example in tests/_support/fuzz.py: {missing}; add "
                         "each to VALID (or to RESULT_TYPES / NOT_CALLED with the reason)")


def test_fuzz_default_bank(address_space_limit):
    n, found, slowest = fuzz.sweep()
    known, new, _ = _split(found)
    _report(n, known, None, slowest)
    assert n > 3000
    assert not new, f"{len(new)} new problems:\n" + "\n".join(new)


def test_fuzz_pairs_of_valid_edges(address_space_limit):
    # two parameters at once at valid edges (both vectors with tiny masses, a tiny beta with a
    # float32 vector, ...): a refusal is allowed, an exception of another type or a NaN is not
    n, found, slowest = fuzz.sweep(pairs=True)
    known, new, _ = _split(found)
    print(f"\nfuzz pairs: {n} calls, slowest {slowest:.2f} s, {len(known)} known problems")
    assert n > 1000
    assert not new, f"{len(new)} new problems:\n" + "\n".join(new)


@pytest.mark.slow
def test_fuzz_extended_bank(address_space_limit):
    n, found, slowest = fuzz.sweep(full=True)
    known, new, stale = _split(found)
    _report(n, known, stale, slowest)
    assert not new, f"{len(new)} new problems:\n" + "\n".join(new)


def test_the_address_space_cap_turns_a_huge_allocation_into_an_error(address_space_limit):
    if address_space_limit is None:
        pytest.skip("no RLIMIT_AS / /proc here: the cap is not applied")

    def allocates(x: float = 1.0):
        return np.ones(2**31)  # 16 GiB

    call = fuzz.Call("allocates(x=<0>)", allocates, {"x": 0.0}, "x", "0")
    assert "error: MemoryError" in fuzz.problems(call, fuzz.run_call(call))[0]


def test_the_harness_catches_what_it_promises():
    # each rule on a made-up callable, so a weakened harness fails here and not silently
    def fine(x: float = 1.0):
        if not isinstance(x, float) or math.isnan(x):
            raise ValueError(f"x must be a float; got x={x!r}")
        return x

    def unnamed(x: float = 1.0):
        raise ValueError("something went wrong")

    def overflow(x: float = 1.0):
        raise OverflowError("int too large")

    def nan(x: float = 1.0):
        return math.nan

    def slow(x: float = 1.0):
        while True:
            pass

    def warns(x: float = 1.0):
        return np.float64(1e308) * 10

    def accepts(x: float = 1.0):
        return 1.0

    def one(fn, x, kind):
        call = fuzz.Call(f"{fn.__name__}(x=<{kind}>)", fn, {"x": x}, "x", kind)
        return fuzz.problems(call, fuzz.run_call(call, seconds=0.2), 1.0, 1.0)

    assert one(fine, "abc", "str") == [] and one(fine, 0.5, "0.5") == []
    assert "does not name 'x'" in one(unnamed, None, "None")[0]
    assert "error: OverflowError" in one(overflow, 10**400, "10**400")[0]
    assert "returned NaN" in one(nan, 0.5, "0.5")[0]
    assert "timeout" in one(slow, 0.5, "0.5")[0]
    assert "warning: RuntimeWarning" in one(warns, 0.5, "0.5")[0]
    assert "accepted an invalid input" in one(accepts, math.nan, "nan")[0]


# ------------------------------------------------------------- regressions of what the fuzz found


def test_gaussian_mixture_refuses_strings_bools_huge_ints_and_2d_stds():
    from modecollapse.divergences import GaussianMixture

    w, mu = [0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]]
    with pytest.raises(TypeError, match="stds"):
        GaussianMixture(w, mu, "abc")  # was: "could not convert string to float"
    with pytest.raises(TypeError, match="stds"):
        GaussianMixture(w, mu, True)  # was: read as std 1
    with pytest.raises(TypeError, match="stds"):
        GaussianMixture(w, mu, np.array(["0.5", "0.5"]))  # was: converted
    with pytest.raises(ValueError, match="stds must be a number or a 1-D array"):
        GaussianMixture(w, mu, [[0.5, 0.5]])  # was: flattened
    with pytest.raises(TypeError, match="means"):
        GaussianMixture(w, 10**400, 0.5)  # was: OverflowError
    with pytest.raises(TypeError, match="means"):
        GaussianMixture(w, np.array([["0", "0"], ["1", "1"]]), 0.5)
    mix = GaussianMixture(w, mu, 0.5)  # the ordinary forms still work
    assert mix.stds.tolist() == [0.5, 0.5] and mix.means.shape == (2, 2)


def test_gaussian_mixture_sample_names_n_and_rng():
    from modecollapse.divergences import GaussianMixture

    mix = GaussianMixture([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], 0.5)
    with pytest.raises(ValueError, match=r"n=100000\.\.\.00 \(401 digits\) points"):
        mix.sample(10**400)  # was: OverflowError in the size message
    for bad in (True, "abc", math.nan, -1):
        with pytest.raises((TypeError, ValueError), match="rng must be"):
            mix.sample(3, rng=bad)  # was: numpy's SeedSequence messages (True drew with seed 1)
    assert np.array_equal(mix.sample(4, rng=3), mix.sample(4, rng=np.random.default_rng(3)))


def test_fdivergence_scaled_and_constructor_name_their_arguments():
    import dataclasses

    from modecollapse.divergences import FDivergence, get_f_divergence

    kl = get_f_divergence("kl")
    with pytest.raises(ValueError, match=r"c must be a finite real number; got c=100000\.\.\.00"):
        kl.scaled(10**400)  # was: OverflowError
    with pytest.raises(TypeError, match="name must be a string"):
        kl.scaled(2.0, name=np.array(["a", "b"]))  # was: ambiguous truth value
    with pytest.raises(TypeError, match="quantity must be a string"):
        kl.scaled(2.0, quantity=math.nan)  # was: stored
    fields = {f.name: getattr(kl, f.name) for f in dataclasses.fields(kl) if f.init}
    for bad in (None, True, 0, (1, 0)):
        with pytest.raises(TypeError, match="domain_closed"):
            FDivergence(**{**fields, "domain_closed": bad})  # was: "'NoneType' object is not iterable", ...
    with pytest.raises(ValueError, match="f_prime_inf"):
        FDivergence(**{**fields, "f_prime_inf": 10**400})  # was: OverflowError
    with pytest.raises(TypeError, match="quantity"):
        FDivergence(**{**fields, "quantity": None})
    with pytest.raises(ValueError, match="conjugate_domain"):
        FDivergence(**{**fields, "conjugate_domain": np.array(["-inf", "inf"])})  # was: converted
    assert kl.scaled(2.0).divergence([0.5, 0.5], [0.25, 0.75]) == 2.0 * kl.divergence([0.5, 0.5], [0.25, 0.75])


def test_adagan_from_logits_and_subnormal_betas():
    import warnings

    from modecollapse.divergences import adagan_iterates, adagan_weights

    with pytest.raises(TypeError, match="from_logits must be a bool"):
        adagan_weights([0.2, 0.5, 0.8], 0.5, from_logits=np.array([True, False]))  # was: ambiguous truth value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: RuntimeWarning (overflow in the mass tolerance)
        it = adagan_iterates([0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.5, 5e-324])
    assert np.all(np.isfinite(it.models))


def test_coverage_kde_refuses_bandwidths_whose_square_overflows():
    from modecollapse.divergences import coverage_kde

    x = fuzz.X2
    for bad in (1e308, 1e-200):  # was: RuntimeWarning overflow in factor**2 (NaN kernels)
        with pytest.raises(ValueError, match=r"bandwidths must be factors in \[1e-150, 1e150\]"):
            coverage_kde(x, x[::-1], mass=0.9, confidence=0.9, bandwidths=[0.5, bad], max_select=10)



@pytest.mark.parametrize("kind", ["star", "dagger"])
@pytest.mark.parametrize("beta", [1e-17, 1e-300, 5e-324])
def test_adagan_weights_at_a_tiny_beta_are_the_limit_of_the_optimal_component(kind, beta):
    # with D = D* and b = p_data the weights are R* / R+ (the documented identity); below
    # beta ~ N eps every gap rounded to 0 and the weights raised RuntimeError ("has no mass")
    from modecollapse.divergences import adagan_optimal_component, adagan_weights

    pd, pg = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    w = adagan_weights(pd / (pd + pg), beta, kind=kind, base_weights=pd)
    comp = adagan_optimal_component(pd, pg, beta, kind=kind)
    assert np.allclose(w.weights, comp.component, atol=1e-15) and w.weights.sum() == pytest.approx(1.0)
    assert w.lam == pytest.approx(comp.lam, rel=1e-12)


def test_adagan_weights_tiny_beta_with_ties_and_missed_points():
    from modecollapse.divergences import adagan_weights

    w = adagan_weights([0.2, 0.8, 0.8, 0.5], 1e-300)  # h = [4, .25, .25, 1]: the two smallest tie
    assert w.weights.tolist() == [0.0, 0.5, 0.5, 0.0]
    w = adagan_weights([0.2, 1.0, 0.5], 1e-300, kind="star")  # h = 0 at the missed point
    assert w.weights.tolist() == [0.0, 1.0, 0.0]


def test_schedules_check_arguments_they_do_not_read_and_compute_at_huge_t():
    from modecollapse.divergences import BoostedBeta, ConstantBeta, EnsembleBeta, adagan_finite_steps

    for sched in (ConstantBeta(0.5), BoostedBeta(), EnsembleBeta()):
        for bad in ("abc", True, np.array(["0.5"]), [[0.2, 0.5]], [math.nan]):
            with pytest.raises((TypeError, ValueError), match="h"):
                sched.beta(2, h=bad)  # was: ignored
            with pytest.raises((TypeError, ValueError), match="weights"):
                sched.beta(2, weights=bad)
    with pytest.raises(ValueError, match="kind"):
        EnsembleBeta().step(2, [0.2, 0.5, 0.8], kind=None)  # was: ignored
    step = BoostedBeta().step(2**63, [0.2, 0.5, 0.8])  # beta = 1e-19: was RuntimeError
    assert step.weights.tolist() == [0.0, 0.0, 1.0]
    n = adagan_finite_steps(ess_sup=4.0, beta=5e-324)  # was: OverflowError (float quotient inf)
    assert isinstance(n, int) and 28 * 10**322 < n < 29 * 10**322  # log 4 / 5e-324


def test_normalize_refuses_a_name_that_is_not_a_string():
    from modecollapse.divergences import normalize

    for bad in (None, True, math.nan, ""):
        with pytest.raises(TypeError, match="name must be a non-empty string"):
            normalize([2.0, 1.0], name=bad)  # was: accepted (and used in messages as 'None must be ...')
    assert normalize([2.0, 1.0], name="counts").tolist() == [2 / 3, 1 / 3]
