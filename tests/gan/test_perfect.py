"""The perfect-generator reference rows (gan/experiments/_perfect.py) against oracles of other kinds:
exact enumeration of every multinomial outcome, the (K-1)/(2N) asymptotic, the closed-form
expected mode count and the chi-square HQ probability."""

import math

import numpy as np
import pytest

from modecollapse.gan.data import count_modes, get_dataset
from modecollapse.gan.experiments import _perfect as P


class _Uniform:
    """k point masses far apart (std tiny): every sample is high quality, counted in its own bin."""

    def __init__(self, k):
        self.means = np.stack([np.arange(k) * 10.0, np.zeros(k)], axis=1)
        self.std = 0.01

    def sample(self, n, rng):
        return self.means[rng.integers(0, len(self.means), n)]


def test_exact_enumeration_matches_brute_force():
    # the stars-and-bars sum against a direct sum over all k**n sequences
    from itertools import product

    k, n = 3, 5
    modes = kl = 0.0
    for seq in product(range(k), repeat=n):
        c = np.bincount(seq, minlength=k) / n
        modes += np.count_nonzero(c) / k ** n
        kl += sum(x * math.log(k * x) for x in c if x) / k ** n
    em, ekl = P.exact_plugin_kl(k, n)
    assert em == pytest.approx(modes, rel=1e-12)
    assert ekl == pytest.approx(kl, rel=1e-12)
    assert em == pytest.approx(P.expected_modes(k, n), rel=1e-12)


@pytest.mark.parametrize("k,n", [(3, 4), (4, 6)])
def test_simulation_matches_exact_enumeration(k, n):
    ex_modes, ex_kl = P.exact_plugin_kl(k, n)
    row = P.perfect_mixture_metrics(_Uniform(k), n, repeats=1500, seed=1)
    for key, exact in (("modes", ex_modes), ("reverse_kl", ex_kl)):
        mean, se, _ = row.values[key]
        assert abs(mean - exact) < 4 * se, (key, mean, exact, se)
    assert row.values["hq_percent"][0] == 100.0


def test_stacked_simulation_matches_closed_forms():
    # perfect classifier: E[modes] exact, KL close to (K-1)/(2N) when N >> K
    small = P.perfect_stacked_metrics(3000, repeats=60, seed=0)  # ~950 of 1000 modes: the count is random
    mean, se, _ = small.values["modes"]
    assert se > 0 and abs(mean - P.expected_modes(1000, 3000)) < 4 * se
    n = 26_000
    row = P.perfect_stacked_metrics(n, repeats=60, seed=0)
    assert row.values["modes"][0] == pytest.approx(P.expected_modes(1000, n), abs=1e-3)
    kl, kl_se, _ = row.values["kl"]
    assert abs(kl - P.plugin_kl_floor(1000, n)) < 4 * kl_se + 0.02 * P.plugin_kl_floor(1000, n)
    assert P.plugin_kl_floor(1000, n) == pytest.approx(0.0192, abs=1e-4)  # PROTOCOLS s.8: 0.019


def test_kl_floor_asymptotic_in_n():
    # 2 N E[KL] -> K - 1 as N grows (exact enumeration, K = 3)
    for n, tol in ((10, 0.15), (40, 0.05)):
        _, ekl = P.exact_plugin_kl(3, n)
        assert abs(2 * n * ekl - 2) < tol * 2


def test_confusion_relabelling():
    n = 20_000
    ident = P.perfect_stacked_metrics(n, confusion=np.eye(10) * 7, repeats=3, seed=4)
    plain = P.perfect_stacked_metrics(n, repeats=3, seed=4)
    # an identity confusion changes nothing but the random stream it draws (u); values agree in law
    assert ident.values["modes"][0] == pytest.approx(plain.values["modes"][0], abs=5)
    # a classifier that always says 0 for digit 1: triples with a 1 vanish, KL = KL(pi^3 || U)
    c = np.eye(10)
    c[1] = 0
    c[1, 0] = 1
    row = P.perfect_stacked_metrics(n, confusion=c, repeats=3, seed=0)
    assert row.values["modes"][0] == 9 ** 3
    pi = np.full(10, 0.1)
    pi[0], pi[1] = 0.2, 0.0
    exact = 3 * sum(p * math.log(10 * p) for p in pi if p)
    assert row.values["kl"][0] == pytest.approx(exact + 728 / (2 * n), abs=0.01)
    # relabelled draws agree with count_modes on the same triples (the counting is the package's)
    assert count_modes(np.array([[0, 0, 0], [9, 9, 9]])).modes == 2


def test_ring_and_grid_hq_ceiling():
    for name in ("ring", "grid"):
        ds = get_dataset(name)
        row = P.perfect_mixture_metrics(ds, 2500, repeats=30, seed=0)
        mean, se, _ = row.values["hq_percent"]
        assert abs(mean - 100 * P.hq_ceiling(2)) < 4 * se
        assert row.values["modes"][0] == ds.n_modes
    assert P.hq_ceiling(2) == pytest.approx(1 - math.exp(-4.5), rel=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="repeats"):
        P.perfect_stacked_metrics(100, repeats=1)
    with pytest.raises(ValueError, match="n_samples"):
        P.perfect_stacked_metrics(0)
    with pytest.raises(ValueError, match="confusion"):
        P.perfect_stacked_metrics(100, confusion=np.eye(3))
    with pytest.raises(ValueError, match="confusion"):
        P.perfect_stacked_metrics(100, confusion=-np.eye(10))
    assert P.expected_modes(1, 0) == 0.0 and P.expected_modes(1, 3) == 1.0


def test_infinite_values_give_infinite_spread_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = P.summarize_draws({"reverse_kl": [math.inf, math.inf, 0.1]}, n_samples=5, repeats=3, seed=0)
    assert row.values["reverse_kl"] == (math.inf, math.inf, math.inf)
