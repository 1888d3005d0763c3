"""Datasets of THEORY.md s.6 and AdaGAN's mixtures: geometry, fixed training sample, exact density."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from modecollapse.gan.data._mixtures import DATASET_NAMES, MixtureDataset, adagan_gmm, get_dataset, grid, ring


def test_ring_geometry():
    d = ring()
    # THEORY.md s.6: 8 modes at (cos 2 pi i/8, sin 2 pi i/8), std 0.01, 100,000 points.
    assert d.n_modes == 8 and d.std == 0.01 and d.n_train == 100_000
    t = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_allclose(d.means, np.c_[np.cos(t), np.sin(t)], atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(d.means, axis=1), 1.0, rtol=1e-15)


def test_grid_geometry():
    d = grid()
    # THEORY.md s.6: 25 modes at {-4,-2,0,2,4}^2, std 0.05.
    assert d.n_modes == 25 and d.std == 0.05
    expected = {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert {tuple(map(float, r)) for r in d.means} == expected
    np.testing.assert_allclose(d.weights, 1 / 25, rtol=0)


def test_training_points_fixed_and_seeded():
    a, b = grid().training_points(), grid().training_points()
    assert a.shape == (100_000, 2)
    np.testing.assert_array_equal(a, b)  # same data_seed -> same fixed sample
    c = grid(data_seed=1).training_points()
    assert not np.array_equal(a, c)
    assert not a.flags.writeable


def test_training_points_are_the_mixture():
    d = grid()
    x, comp = d.training_points(), d.training_modes()
    counts = np.bincount(comp, minlength=25)
    # Multinomial(1e5, 1/25): sd of a count = sqrt(n p (1-p)) ~ 62; allow 5 sd.
    assert np.all(np.abs(counts - 4000) < 5 * math.sqrt(1e5 * 0.04 * 0.96))
    # Distance to own mode / std is chi with 2 dof: P(r <= 3 std) = 1 - exp(-9/2).
    r = np.linalg.norm(x - d.means[comp], axis=1) / d.std
    p = 1 - math.exp(-4.5)
    assert abs(np.mean(r <= 3) - p) < 5 * math.sqrt(p * (1 - p) / 1e5)
    # Modes are 2 apart and std 0.05, so the nearest mode is the generating one.
    idx, _ = d.nearest_mode(x[:5000])
    np.testing.assert_array_equal(idx, comp[:5000])


def test_adagan_means_match_released_code():
    # tolstikhin/adagan datahandler.py: np.random.seed(82); np.random.uniform(-15, 15, (k, 2)).
    for k in (1, 5, 10):
        np.random.seed(82)
        ref = np.random.uniform(low=-15.0, high=15.0, size=(k, 2))
        np.testing.assert_array_equal(adagan_gmm(k).means, ref)
    # variance 15 / variance_factor: k=1 -> 15/3, k=4 -> 15/20, k=10 -> 15/(3*100).
    assert adagan_gmm(1).std == pytest.approx(math.sqrt(5.0), rel=1e-15)
    assert adagan_gmm(4).std == pytest.approx(math.sqrt(0.75), rel=1e-15)
    assert adagan_gmm(10).std == pytest.approx(math.sqrt(0.05), rel=1e-15)


@pytest.mark.parametrize("name", ["ring", "gmm3", "gmm7"])
def test_density_matches_scipy(name):
    d = get_dataset(name, n_train=10)
    x = d.sample(50, 3) + np.random.default_rng(4).normal(scale=3 * d.std, size=(50, 2))
    ref = sum(multivariate_normal(mu, d.std**2 * np.eye(2)).pdf(x) for mu in d.means) / d.n_modes
    np.testing.assert_allclose(d.density(x), ref, rtol=1e-10)  # independent implementation


def test_density_integrates_to_one():
    d = adagan_gmm(3, n_train=10)
    lo, hi = d.means.min() - 8 * d.std, d.means.max() + 8 * d.std
    g = np.linspace(lo, hi, 801)
    xx, yy = np.meshgrid(g, g)
    p = d.density(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
    total = np.trapezoid(np.trapezoid(p, g, axis=1), g)
    assert total == pytest.approx(1.0, abs=1e-4)  # trapezoid on a fine grid, tails < 1e-12


@given(st.floats(1.0, 1e4))
def test_log_density_finite_far_away(r):
    d = grid(n_train=10)
    v = d.log_density(np.array([[r, -r]]))[0]
    assert np.isfinite(v)
    # Far away, the nearest mode (4,-4) dominates: log p = log(1/25) - log(2 pi s^2) - |x-mu|^2/(2 s^2).
    d2 = 2 * (r - 4) ** 2
    ref = -math.log(25) - math.log(2 * math.pi * 0.05**2) - d2 / (2 * 0.05**2)
    if r > 10:
        assert v == pytest.approx(ref, rel=1e-9)


def test_sample_modes_and_shapes():
    x, c = ring().sample(100, 0, return_modes=True)
    assert x.shape == (100, 2) and c.shape == (100,)
    assert ring().sample(0).shape == (0, 2)


@pytest.mark.parametrize("bad", ["rings", "", None, "gmm11", "gmm0"])
def test_unknown_dataset(bad):
    with pytest.raises(ValueError, match="dataset must be one of"):
        get_dataset(bad)


def test_bad_construction():
    with pytest.raises(ValueError, match="std"):
        MixtureDataset("x", [[0.0, 0.0]], 0.0)
    with pytest.raises(ValueError, match="means"):
        MixtureDataset("x", [0.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        ring().density([1.0, 2.0])
    assert set(DATASET_NAMES) >= {"ring", "grid", "gmm1", "gmm10"}
