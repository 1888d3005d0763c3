"""Products of different pairs P_1 x ... x P_m vs Q_1 x ... x Q_m: exact TV and region against enumeration."""

import itertools

import numpy as np
import pytest

from modecollapse.regions import mode_collapse_region, packed_pair, packed_region, packed_tv
from modecollapse.regions._packing import product_pair, product_region, product_tv


def _factors(seed, m, zeros=False):
    rng = np.random.default_rng(seed)
    ps, qs = [], []
    for i in range(m):
        k = int(rng.integers(2, 5))
        p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
        if zeros and i % 2 == 0:
            p[0], q[-1] = 0.0, 0.0
            p, q = p / p.sum(), q / q.sum()
        ps.append(p), qs.append(q)
    return ps, qs


def _enumerated(ps, qs):
    P = np.array([np.prod(v) for v in itertools.product(*ps)])
    Q = np.array([np.prod(v) for v in itertools.product(*qs)])
    return P, Q


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("zeros", [False, True])
def test_product_tv_and_region_against_enumeration(seed, zeros):
    ps, qs = _factors(seed, 2 + seed % 3, zeros)
    P, Q = _enumerated(ps, qs)
    assert product_tv(ps, qs) == pytest.approx(0.5 * np.abs(P - Q).sum(), abs=1e-14)
    exact = mode_collapse_region(P, Q)
    r = product_region(ps, qs)
    xs = np.unique(np.concatenate([exact.vertices[:, 0], r.vertices[:, 0], np.linspace(0, 1, 101)]))
    assert np.max(np.abs(r.delta_at(xs) - exact.delta_at(xs))) <= 1e-13
    pp = product_pair(ps, qs)
    assert pp.m == len(ps) and pp.p.sum() == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("m", [1, 2, 5, 9])
def test_packing_is_the_case_of_equal_factors(m):
    p, q = [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]
    assert product_tv([p] * m, [q] * m) == pytest.approx(packed_tv(p, q, m), abs=1e-14)
    a, b = product_pair([p] * m, [q] * m), packed_pair(p, q, m)
    assert a.p.size == b.p.size  # equal ratios merged to the type classes
    assert product_region([p] * m, [q] * m).isclose(packed_region(p, q, m).region, atol=1e-13)


def test_bad_input_names_the_factor():
    with pytest.raises(ValueError, match=r"ps\[1\]"):
        product_tv([[0.5, 0.5], [0.5, 0.6]], [[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="same number"):
        product_tv([[0.5, 0.5]], [])
    with pytest.raises(TypeError, match="sequences of probability vectors"):
        product_tv("ab", [[1.0]])
    with pytest.raises(ValueError, match="likelihood-ratio atoms"):
        rng = np.random.default_rng(0)
        f = [rng.dirichlet(np.ones(60)) for _ in range(5)]
        g = [rng.dirichlet(np.ones(60)) for _ in range(5)]
        product_tv(f, g)
