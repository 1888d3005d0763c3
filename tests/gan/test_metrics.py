"""Mode metrics on hand-built sample sets (docs/theory.md s.6 protocol)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from modecollapse.gan.data import assign_modes, grid, ring
from modecollapse.gan.metrics import MeanSE, mean_se, mode_metrics, summarize_metrics

GRID = grid(n_train=10)


def test_collapsed_generator_on_3_of_25_modes():
    # A generator that puts all its mass, equally, on 3 of the 25 grid modes.
    rng = np.random.default_rng(0)
    modes = GRID.means[[0, 7, 24]]
    x = modes[np.arange(2500) % 3] + rng.normal(scale=0.01, size=(2500, 2))
    r = mode_metrics(x, GRID.means, GRID.std)
    assert r.modes == 3
    assert r.hq_fraction == 1.0
    # h = (834, 833, 833)/2500 over 3 modes: KL(h || U25) = sum h log(25 h).
    h = np.array([834, 833, 833]) / 2500
    assert r.reverse_kl == pytest.approx(float(np.sum(h * np.log(25 * h))), rel=1e-12)
    assert r.reverse_kl == pytest.approx(math.log(25 / 3), abs=1e-6)  # ~ uniform on 3 modes
    np.testing.assert_array_equal(np.flatnonzero(r.counts), [0, 7, 24])


def test_true_data_scores_all_modes():
    x = GRID.sample(2500, 1)
    r = mode_metrics(x, GRID.means, GRID.std)
    assert r.modes == 25
    p = 1 - math.exp(-4.5)  # P(chi_2 <= 3): HQ fraction of the target itself
    assert abs(r.hq_fraction - p) < 5 * math.sqrt(p * (1 - p) / 2500)
    # Reverse KL of a multinomial histogram: E ~ (k-1)/(2n) = 0.0048; far below 0.05.
    assert 0 <= r.reverse_kl < 0.05


def test_hq_threshold_is_three_std_inclusive():
    s = GRID.std
    x = np.array([[3 * s * (1 - 1e-9), 0.0], [3 * s * (1 + 1e-9), 0.0], [0.0, 0.0]])
    r = mode_metrics(x, GRID.means, s)
    assert r.hq_fraction == pytest.approx(2 / 3, rel=1e-15)
    assert r.modes == 1 and r.counts[12] == 2  # mode (0, 0) is index 12 in the grid


def test_no_high_quality_sample_gives_inf_kl():
    r = mode_metrics(np.full((10, 2), 1.0), GRID.means, GRID.std)  # (1,1): 1.41 from every mode
    assert r.modes == 0 and r.hq_fraction == 0.0 and r.reverse_kl == math.inf


def test_midpoints_are_not_captured():
    # Samples between ring modes (angle offset pi/8) are 0.39 from the nearest mode >> 0.03.
    t = 2 * np.pi * (np.arange(8) + 0.5) / 8
    d = ring(n_train=10)
    r = mode_metrics(np.c_[np.cos(t), np.sin(t)], d.means, d.std)
    assert r.modes == 0


@given(st.lists(st.integers(0, 24), min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_properties(modes, rnd):
    x = GRID.means[modes]
    r = mode_metrics(x, GRID.means, GRID.std)
    assert r.modes == len(set(modes))
    assert 0.0 <= r.reverse_kl <= math.log(25) + 1e-12
    perm = list(range(len(modes)))
    rnd.shuffle(perm)
    r2 = mode_metrics(x[perm], GRID.means, GRID.std)
    assert r2.modes == r.modes and r2.reverse_kl == pytest.approx(r.reverse_kl, abs=1e-12)


def test_mean_se():
    s = mean_se([1.0, 2.0, 3.0])
    assert s.mean == 2.0 and s.se == pytest.approx(1 / math.sqrt(3), rel=1e-15)  # sd 1, n 3
    assert mean_se([5]) == MeanSE(5.0, None, 1)
    assert mean_se([1.0, math.inf]).mean == math.inf
    with pytest.raises(ValueError):
        mean_se([])
    with pytest.raises(ValueError):
        mean_se([1.0, float("nan")])
    out = summarize_metrics([mode_metrics(GRID.means[:k], GRID.means, GRID.std) for k in (3, 5)])
    assert out["modes"].mean == 4.0 and out["hq_percent"].mean == 100.0


def test_bad_input():
    with pytest.raises(ValueError, match="samples must have shape"):
        mode_metrics(np.zeros((3, 3)), GRID.means, GRID.std)
    with pytest.raises(ValueError, match="finite"):
        mode_metrics(np.array([[np.nan, 0.0]]), GRID.means, GRID.std)
    with pytest.raises(ValueError, match="std"):
        mode_metrics(np.zeros((3, 2)), GRID.means, 0.0)


# ------------------------------------------------------------------ one counting rule, two radii
def test_metrics_from_modes_counts_hand_built_assignments():
    from modecollapse.gan.metrics import metrics_from_modes

    r = metrics_from_modes(np.array([0, 0, 2, 3, 3, 3]), 3)  # 3 = not high quality
    assert (r.modes, r.hq_fraction, r.n_samples) == (2, 0.5, 6)
    np.testing.assert_array_equal(r.counts, [2, 0, 1])
    h = np.array([2, 0, 1]) / 3
    assert r.reverse_kl == pytest.approx(2 / 3 * math.log(3 * 2 / 3) + 1 / 3 * math.log(3 * 1 / 3), rel=1e-12)
    assert metrics_from_modes(np.array([1, 1]), 1).reverse_kl == math.inf  # none of the 2 is HQ
    assert h.sum() == pytest.approx(1.0)
    for bad in (np.array([0, 4]), np.array([-1]), np.array([], dtype=int), np.array([0.0, 1.0])):
        with pytest.raises(ValueError, match="modes must"):
            metrics_from_modes(bad, 3)


@pytest.mark.parametrize("name", ["ring", "grid", "gmm5"])
def test_dataset_metrics_is_mode_metrics_on_the_2d_benchmarks(name):
    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.metrics import dataset_metrics

    d = get_dataset(name, n_train=10)
    rng = np.random.default_rng(0)
    x = d.sample(3000, 1) + rng.normal(scale=1.5 * d.std, size=(3000, 2))  # many near the 3-std edge
    a, b = dataset_metrics(x, d), mode_metrics(x, d.means, d.std)
    assert (a.modes, a.hq_fraction, a.reverse_kl) == (b.modes, b.hq_fraction, b.reverse_kl)  # bitwise
    np.testing.assert_array_equal(a.counts, b.counts)
    assert d.hq_radius == 3 * d.std
    assert 0.05 < 1 - a.hq_fraction < 0.95  # the radius matters for these samples


def test_dataset_metrics_bad_input():
    from modecollapse.gan.metrics import dataset_metrics

    with pytest.raises(TypeError, match="hq_radius"):
        dataset_metrics(np.zeros((3, 2)), object())
    with pytest.raises(ValueError, match="samples must have shape"):
        dataset_metrics(np.zeros((3, 3)), GRID)
    with pytest.raises(ValueError, match="finite"):
        dataset_metrics(np.array([[np.inf, 0.0]]), GRID)
