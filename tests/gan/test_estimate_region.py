"""estimate_region: a trained classifier's held-out ROC as a certified inner region (torch).

On 2-D mixtures whose regions are known: the ring with two modes dropped. Two exact brackets of the
continuous R(P,Q) (data processing, docs/theory.md s.4): the mode-partition region (discs of
3 std, a garbling of the points: inside R) and the region of the component weights (the points are a
garbling of the component labels: R is inside it). The classifier's inner bound must lie inside the
upper bracket, and inside the partition region up to the mass a disc misses (exp(-9/2) per mode).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from modecollapse.gan.crosscheck import ClassifierRegion, ModePartition, estimate_region, scenario
from modecollapse.regions import packed_region

#: Mass of a 2-D Gaussian outside its 3-std disc: the most a disc union and the matching component
#: union can differ by, per side.
OUTSIDE = math.exp(-4.5)


@pytest.fixture(scope="module")
def ring6_samples():
    target, gen = scenario("ring6")
    rng = np.random.default_rng(0)
    return target, gen, target.sample(3000, rng), gen.sample(3000, rng)


def _brackets(target, gen, m):
    part = ModePartition.from_mixture(target)
    cells = packed_region(target.cell_masses(part), gen.cell_masses(part), m).region
    comps = packed_region(target.weights, gen.weights, m).region
    return cells, comps


def test_inner_inside_the_exact_region_and_not_vacuous(ring6_samples):
    target, gen, xp, xq = ring6_samples
    res = estimate_region(xp, xq, steps=300, seed=0)
    assert isinstance(res, ClassifierRegion) and res.result.method == "dkw-massart"
    cells, comps = _brackets(target, gen, 1)
    assert res.inner.issubset(comps)
    assert res.inner.issubset(cells, atol=OUTSIDE)
    # 1500 held-out samples per side: DKW radius sqrt(log 40 / 3000) = 0.035 on each rate; the
    # exact TV is 0.25 (two of eight modes), so a working classifier certifies well above 0.1
    assert res.result.radius_p == pytest.approx(math.sqrt(math.log(40) / 3000), rel=1e-12)
    assert 0.1 < res.tv_lower <= comps.tv
    assert res.classifier.n_train_p == 1500 and res.classifier.test_accuracy > 0.55


def test_packed_classifier_against_the_packed_region(ring6_samples):
    target, gen, xp, xq = ring6_samples
    one = estimate_region(xp, xq, steps=300, seed=0)
    two = estimate_region(xp, xq, m=2, steps=300, seed=0)
    cells, comps = _brackets(target, gen, 2)
    assert two.result.m == 2 and two.result.n_p == 750
    assert two.inner.issubset(comps)
    assert two.inner.issubset(cells, atol=2 * OUTSIDE)
    # packing separates further: d_TV(P^2, Q^2) = 1 - 0.75^2 = 0.4375 against 0.25
    assert two.tv_lower > one.tv_lower


def test_order_and_seed(ring6_samples):
    _, _, xp, xq = ring6_samples
    a = estimate_region(xp, xq, steps=200, seed=3)
    b = estimate_region(xp, xq, steps=200, seed=3)
    assert a.inner == b.inner and a.classifier == b.classifier
    # P is the target: the generator misses modes, so tests with tiny Q-mass catch P-mass (the
    # (0, delta) collapse); the swapped pair has no such test
    swapped = estimate_region(xq, xp, steps=200, seed=3)
    assert a.inner.delta_at(0.1) > 0.15 > swapped.inner.delta_at(0.1)


def test_bad_input(ring6_samples):
    _, _, xp, xq = ring6_samples
    with pytest.raises(ValueError, match="x_p must have shape"):
        estimate_region(xp[:, 0], xq)
    with pytest.raises(ValueError, match="same dimension"):
        estimate_region(xp, np.hstack([xq, xq]))
    with pytest.raises(ValueError, match="m=2000 is larger than the sample allows: x_p"):
        estimate_region(xp, xq, m=2000)
    with pytest.raises(ValueError, match="confidence"):
        estimate_region(xp, xq, confidence=1.0)
    with pytest.raises(ValueError, match="x_q must be finite"):
        estimate_region(xp, np.full_like(xq, np.nan))
    with pytest.raises(ValueError, match="fewer packs of m than the band can use"):
        estimate_region(xp[:20], xq[:20], m=2, steps=1)


def _block_images(n, weights, rng, size=14):
    """3-channel images with a bright 4 x 4 block at one of two places (chosen with ``weights``)
    on noise: the block's place is the component label, so R(P,Q) lies inside R(weights_P, weights_Q)."""
    x = rng.normal(0.0, 0.3, size=(n, 3, size, size)).astype(np.float32)
    where = rng.choice(2, n, p=weights)
    x[where == 0, :, 2:6, 2:6] += 1.0
    x[where == 1, :, 8:12, 8:12] += 1.0
    return x


def test_cnn_on_images_of_a_collapsed_generator():
    rng = np.random.default_rng(1)
    w, v = np.array([0.5, 0.5]), np.array([1.0, 0.0])  # the generator draws only the first place
    xp, xq = _block_images(800, w, rng), _block_images(800, v, rng)
    res = estimate_region(xp, xq, steps=60, hidden=8, seed=0)
    assert res.classifier.net == "cnn" and res.classifier.batch_size == 64
    upper = packed_region(w, v, 1).region  # vertices (0,0), (0,0.5), (1,1): d_TV = 0.5
    assert res.inner.issubset(upper)
    # 400 held-out images per side: DKW radius sqrt(log 40 / 800) = 0.068; the block is obvious
    assert res.tv_lower > 0.25
    # packs of 2 stacked on the channel axis (PacGAN): d_TV(P^2, Q^2) = 1 - 0.5^2 = 0.75
    two = estimate_region(xp, xq, m=2, steps=60, hidden=8, seed=0)
    assert two.inner.issubset(packed_region(w, v, 2).region) and two.tv_lower > res.tv_lower
    # the same images flattened through the MLP: also valid
    flat = estimate_region(xp, xq, steps=100, net="mlp", seed=0)
    assert flat.classifier.net == "mlp" and flat.inner.issubset(upper)
    with pytest.raises(ValueError, match="net='cnn' takes images"):
        estimate_region(xp[:, :2], xq[:, :2], net="cnn")
    with pytest.raises(ValueError, match="net must be"):
        estimate_region(xp, xq, net="resnet")
