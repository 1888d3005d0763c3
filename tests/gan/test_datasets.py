"""Datasets of docs/theory.md s.6 and AdaGAN's mixtures: geometry, fixed training sample, exact density."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from modecollapse.gan.data import DATASET_NAMES, GaussianMixture, MixtureDataset, adagan_gmm, get_dataset, grid, ring


def test_ring_geometry():
    d = ring()
    # docs/theory.md s.6: 8 modes at (cos 2 pi i/8, sin 2 pi i/8), std 0.01, 100,000 points.
    assert d.n_modes == 8 and d.std == 0.01 and d.n_train == 100_000
    t = 2 * np.pi * np.arange(8) / 8
    np.testing.assert_allclose(d.means, np.c_[np.cos(t), np.sin(t)], atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(d.means, axis=1), 1.0, rtol=1e-15)


def test_grid_geometry():
    d = grid()
    # docs/theory.md s.6: 25 modes at {-4,-2,0,2,4}^2, std 0.05.
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


# ------------------------------------------------------------------ the one mixture value
def test_a_dataset_holds_its_gaussian_mixture():
    d = grid(n_train=10)
    assert isinstance(d.mixture, GaussianMixture)
    assert d.mixture.means is d.means and d.mixture.std == d.std
    np.testing.assert_array_equal(d.weights, np.full(25, 1 / 25))  # equal weights, exactly 1/k
    assert GaussianMixture.from_dataset(d) is d.mixture
    assert not d.mixture.means.flags.writeable and not d.mixture.weights.flags.writeable


def test_sampling_calls_are_pinned():
    # The numbers of every run depend on these exact calls (same seeds -> same points):
    # a dataset draws components with rng.integers (equal weights), a mixture with rng.choice(p=w);
    # both then add std * standard_normal((n, d)).
    d = ring(n_train=10)
    rng = np.random.default_rng(7)
    comp = rng.integers(0, 8, size=40)
    ref = d.means[comp] + 0.01 * rng.standard_normal((40, 2))
    x, c = d.sample(40, 7, return_modes=True)
    np.testing.assert_array_equal(x, ref)
    np.testing.assert_array_equal(c, comp)
    mix = d.mixture.with_weights([0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.0])
    rng = np.random.default_rng(8)
    comp = rng.choice(8, size=40, p=mix.weights)
    ref = mix.means[comp] + 0.01 * rng.standard_normal((40, 2))
    np.testing.assert_array_equal(mix.sample(40, np.random.default_rng(8)), ref)
    with pytest.raises(TypeError, match="rng"):
        mix.sample(3, 0)


def test_nearest_mode_is_brute_force():
    from modecollapse.gan.data import assign_modes, nearest_mode

    d = adagan_gmm(5, n_train=10)
    x = np.random.default_rng(0).uniform(-20, 20, size=(300, 2))
    idx, sq = nearest_mode(x, d.means)
    for i in range(0, 300, 37):  # a plain loop over the modes, another kind of computation
        dist = [math.dist(x[i], mu) for mu in d.means]
        assert idx[i] == int(np.argmin(dist))
        assert math.sqrt(sq[i]) == pytest.approx(min(dist), rel=1e-12)
    _, dist = d.nearest_mode(x)
    np.testing.assert_allclose(dist, np.sqrt(sq), rtol=0)
    cells = assign_modes(x, d.means, 3.0)
    np.testing.assert_array_equal(cells, np.where(np.sqrt(sq) <= 3.0, idx, 5))


#: Run first in a subprocess: every later ``import torch`` fails as if torch were not installed.
#: (A finder, not ``sys.modules["torch"] = None``: scipy's array-API helpers look torch up in
#: sys.modules and fail on a None entry.)
_BLOCK_TORCH = (
    "import sys\n"
    "class _NoTorch:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'torch' or name.startswith('torch.'):\n"
    "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
    "sys.meta_path.insert(0, _NoTorch())\n"
)


def test_data_and_metrics_import_no_torch():
    import subprocess
    import sys

    code = _BLOCK_TORCH + (
        "import modecollapse.gan.data as d, modecollapse.gan.metrics as m, modecollapse.gan.crosscheck as c\n"
        "g = d.grid(n_train=100)\n"
        "print(m.mode_metrics(g.training_points(), g.means, g.std).modes, c.scenario('ring6')[1].n_modes)\n"
        "assert not any(k == 'torch' or k.startswith('torch.') for k in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["25", "8"]


def test_gan_tests_skip_without_torch():
    # Without torch the gan test modules must be skipped, never errors at collection; the
    # numpy-only ones are still collected.
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).parent
    code = _BLOCK_TORCH + (
        "import pytest\n"
        f"sys.exit(pytest.main(['-q', '--collect-only', '-p', 'no:cacheprovider', {str(here)!r}]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "error" not in out.stdout.lower().split("\n")[-2]
    assert "test_metrics.py::" in out.stdout and "test_datasets.py::" in out.stdout


def test_nearest_mode_blocks_do_not_change_results(monkeypatch):
    # high-dimensional points are processed in blocks of _BLOCK_ENTRIES // d rows; force many blocks
    from modecollapse.gan.data import _gaussian, nearest_mode

    rng = np.random.default_rng(2)
    means = rng.normal(size=(4, 50))
    x = rng.normal(size=(97, 50))
    ref = ((x[:, None, :] - means[None]) ** 2).sum(-1)  # the all-at-once computation
    monkeypatch.setattr(_gaussian, "_BLOCK_ENTRIES", 50 * 10)  # 10 rows per block
    idx, sq = nearest_mode(x, means)
    np.testing.assert_array_equal(idx, ref.argmin(1))
    np.testing.assert_allclose(sq, ref.min(1), rtol=1e-14)


def test_hq_radius_and_equal_coverage_rule():
    from modecollapse.gan.data import HQ_N_STD, equal_coverage_radius

    for d in (ring(n_train=10), grid(n_train=10), adagan_gmm(3, n_train=10)):
        assert d.hq_radius == HQ_N_STD * d.std == 3 * d.std  # the protocol's radius, exactly
    # the equal-coverage radius is 3 std in 2-D: P(chi2_2 <= 9) = 1 - e^-4.5 (closed form)
    assert equal_coverage_radius(0.01, 2) == pytest.approx(0.03, rel=1e-14)
    # and P(chi2_1 <= r^2) = coverage: r = the normal quantile of (1 + coverage) / 2
    from scipy.stats import norm

    assert equal_coverage_radius(1.0, 1) == pytest.approx(norm.ppf((2 - math.exp(-4.5)) / 2), rel=1e-12)
    assert "veegan1200" in DATASET_NAMES
    for bad in (dict(std=0.0, noise_dim=2), dict(std=1.0, noise_dim=0), dict(std=1.0, noise_dim=2, coverage=1.0)):
        with pytest.raises(ValueError):
            equal_coverage_radius(**bad)
