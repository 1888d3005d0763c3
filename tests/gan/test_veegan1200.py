"""VEEGAN's 1200-D mixture (gan.data._veegan1200): PacGAN's reconstruction of the data, and its
high-quality rule (the equal-coverage radius) scored through gan.metrics.dataset_metrics."""

import math

import numpy as np
import pytest
from scipy import stats

from modecollapse.gan.data import (
    DATASET_NAMES,
    HQ_COVERAGE,
    HQ_RADIUS,
    VEEGAN1200_MEANS,
    Veegan1200Dataset,
    equal_coverage_radius,
    get_dataset,
    veegan1200,
)
from modecollapse.gan.metrics import dataset_metrics, mode_metrics

SMALL = veegan1200(n_train=300)
P_REJECT = math.exp(-4.5)  # the 2-D rule's false-rejection rate, P(chi2_2 > 9)


def test_geometry_is_pacgans_reconstruction():
    d = get_dataset("veegan1200", n_train=300)
    assert isinstance(d, Veegan1200Dataset) and "veegan1200" in DATASET_NAMES
    assert (d.n_modes, d.dim, d.noise_dim, d.std) == (10, 1200, 700, 1.0)
    assert get_dataset("veegan1200").n_train == 20_000  # its own default, not the 2-D 100,000
    # PacGAN datasets.py VEEGAN1200DPackingMixture: one scalar offset per mode on every coordinate
    np.testing.assert_array_equal(d.means, np.outer(VEEGAN1200_MEANS, np.ones(1200)))
    assert VEEGAN1200_MEANS == (-1, -0.5, 0, 0.5, -2, -2.5, 10, 0.25, -13, -5.5)
    gaps = np.diff(np.sort(VEEGAN1200_MEANS))
    assert gaps.min() == 0.25  # closest centres 0.25 sqrt(1200) = 8.66 apart


def test_samples_shapes_seeds_and_support():
    x, c = SMALL.sample(400, 3, return_modes=True)
    assert x.shape == (400, 1200) and c.shape == (400,) and SMALL.sample(0).shape == (0, 1200)
    np.testing.assert_array_equal(x, SMALL.sample(400, 3))  # same seed, same points
    assert not np.array_equal(x, SMALL.sample(400, 4))
    off = np.asarray(VEEGAN1200_MEANS)[c][:, None]
    np.testing.assert_array_equal(x[:, 700:], np.broadcast_to(off, (400, 500)))  # no noise there
    z = x[:, :700] - off
    # the noise is N(0, I_700): mean 0 (sd 1/sqrt(280000)), variance 1 (sd sqrt(2/280000))
    assert abs(z.mean()) < 5 / math.sqrt(z.size) and abs(z.var() - 1) < 5 * math.sqrt(2 / z.size)
    # the pinned calls: labels by integers(0, 10), then standard_normal((n, 700))
    rng = np.random.default_rng(3)
    comp = rng.integers(0, 10, size=400)
    np.testing.assert_array_equal(c, comp)
    np.testing.assert_array_equal(x[:, :700], rng.standard_normal((400, 700)) + off)


def test_training_points_fixed_seeded_read_only():
    a, b = SMALL.training_points(), veegan1200(n_train=300).training_points()
    assert a.shape == (300, 1200) and not a.flags.writeable
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, veegan1200(n_train=300, data_seed=1).training_points())
    idx, _ = SMALL.nearest_mode(a)
    np.testing.assert_array_equal(idx, SMALL.training_modes())  # nearest centre = generating mode


def test_radius_is_the_chi_quantile_of_the_2d_coverage():
    # in 2-D the rule is the protocol's 3-std disc; in 700-D the same coverage 1 - e^-4.5
    assert HQ_COVERAGE == pytest.approx(1 - P_REJECT, rel=1e-15)
    assert equal_coverage_radius(0.05, 2) == pytest.approx(0.15, rel=1e-14)
    # Wilson-Hilferty approximation of the chi-square quantile (another computation; ~1e-4 here)
    k, zq = 700, stats.norm.ppf(HQ_COVERAGE)
    wh = k * (1 - 2 / (9 * k) + zq * math.sqrt(2 / (9 * k))) ** 3
    assert HQ_RADIUS == pytest.approx(math.sqrt(wh), rel=1e-4)
    assert 28.0 < HQ_RADIUS < 28.2 and SMALL.hq_radius == HQ_RADIUS
    # the literal Euclidean "10 std" would reject every true sample: P(chi2_700 <= 100) ~ 1e-168
    assert stats.chi2.cdf(100, 700) < 1e-150


def test_exact_samples_score_all_modes_and_the_stated_hq_rate():
    x = SMALL.sample(2500, 11)
    r = dataset_metrics(x, SMALL)
    assert r.modes == 10 and r.n_samples == 2500
    sd = math.sqrt(P_REJECT * (1 - P_REJECT) / 2500)
    assert abs((1 - r.hq_fraction) - P_REJECT) < 5 * sd  # ~98.9% high quality, like 2-D
    assert 0 <= r.reverse_kl < 0.02  # (k - 1) / (2n) ~ 0.0018 for a perfect sampler


def test_false_rejection_rate_is_the_stated_one():
    # 12,000 true samples: the rejection rate through the metric path is e^-4.5 = 1.11% within 5 sd
    x = SMALL.sample(12_000, 5)
    r = dataset_metrics(x, SMALL)
    n = 12_000
    assert abs((1 - r.hq_fraction) - P_REJECT) < 5 * math.sqrt(P_REJECT * (1 - P_REJECT) / n)
    # and against the distances themselves: the rule is ||x - mu_nearest|| <= HQ_RADIUS, inclusive
    _, dist = SMALL.nearest_mode(x)
    assert r.hq_fraction == np.mean(dist <= HQ_RADIUS)


def test_collapsed_sampler_scores_one_mode():
    rng = np.random.default_rng(0)
    x = np.zeros((2500, 1200))
    x[:, :700] = rng.standard_normal((2500, 700))
    x += VEEGAN1200_MEANS[3]  # every sample from mode 3 (offset 0.5)
    r = dataset_metrics(x, SMALL)
    assert r.modes == 1 and np.flatnonzero(r.counts).tolist() == [3]
    assert r.reverse_kl == pytest.approx(math.log(10), rel=1e-12)  # KL(delta_3 || uniform on 10)
    # a point mass on a centre is high quality too (as in 2-D)
    assert dataset_metrics(SMALL.means[[6]] + np.zeros((5, 1200)), SMALL).hq_fraction == 1.0


def test_noise_on_the_empty_coordinates_is_rejected():
    # unit noise on all 1200 coordinates: norm ~ sqrt(1200) = 34.6 > 28.1 from every centre
    rng = np.random.default_rng(1)
    x = SMALL.means[rng.integers(0, 10, 500)] + rng.standard_normal((500, 1200))
    r = dataset_metrics(x, SMALL)
    assert r.hq_fraction == 0.0 and r.modes == 0 and r.reverse_kl == math.inf
    # the 2-D rule (3 std = 3) applied literally would reject even the true samples
    assert mode_metrics(SMALL.sample(200, 2), SMALL.means, SMALL.std).hq_fraction == 0.0


def test_bad_input():
    with pytest.raises(ValueError, match="n_train"):
        veegan1200(n_train=0)
    with pytest.raises(ValueError, match=r"shape \(n, 1200\)"):
        SMALL.nearest_mode(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="samples must have shape"):
        dataset_metrics(np.zeros((3, 700)), SMALL)


def test_trains_end_to_end_in_the_ensemble():
    torch = pytest.importorskip("torch")
    from modecollapse.gan.train._ensemble import GanEnsemble
    from modecollapse.gan.train.config import TrainConfig

    torch.set_num_threads(1)
    tiny = dict(batch_size=16, g_hidden=16, g_layers=2, d_hidden=8, d_layers=2, d_pieces=3, lr=1e-3, beta1=0.5)
    for arch in ("pacgan", "mlp"):
        ens = GanEnsemble(veegan1200(n_train=200), [(1, 0), (2, 0)], TrainConfig(**tiny, arch=arch), device="cpu")
        assert [g.D.in_dim for g in ens.groups] == [1200, 2400]  # m packed 1200-D samples
        ens.train(2)
        x = ens.sample(50)
        assert x.shape == (2, 50, 1200) and np.all(np.isfinite(x))
        assert 0 <= dataset_metrics(x[1], SMALL).modes <= 10


def test_gan_train_runs_on_veegan1200(tmp_path):
    pytest.importorskip("torch")
    from modecollapse.gan.experiments.runs import RunSpec, load_run, train_run

    spec = RunSpec("veegan1200", (1, 2), (0,), "smoke", steps=2, eval_samples=40, checkpoint_every=2,
                   config={"arch": "mlp"})
    train_run(spec, tmp_path / "run", progress=False, log=lambda s: None)
    res = load_run(tmp_path / "run")
    assert res.samples().shape == (2, 40, 1200)
    assert [r.n_samples for r in res.metrics] == [40, 40] and all(0 <= r.modes <= 10 for r in res.metrics)
