"""Huge packing degrees: a certified bracket (Hellinger fallback) or a cost error, never a hang."""

import numpy as np
import pytest

from modecollapse.regions import packed_tv, packed_tv_bounds
from modecollapse.regions._packing import _hellinger_bounds
from modecollapse.regions._typeclasses import _classes, _enumerate, _exact_packed_tv


@pytest.mark.parametrize("k", [3, 10, 1000])
def test_m_1e9_gives_a_certified_bracket(k):
    rng = np.random.default_rng(k)
    p = rng.dirichlet(np.ones(k))
    q = p * np.exp(0.01 * rng.standard_normal(k))
    b = packed_tv_bounds(p, q / q.sum(), 10**9)
    assert b.method == "hellinger" and b.width <= 1e-6 and b.upper == 1.0 and b.lower < 1.0
    assert packed_tv(p, q / q.sum(), 10**9) == pytest.approx(1.0, abs=1e-6)


def test_huge_m_without_a_narrow_bracket_is_a_cost_error():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(10))
    q = p * np.exp(0.01 * rng.standard_normal(10))
    with pytest.raises(ValueError, match="needs an FFT of"):
        packed_tv_bounds(p, q / q.sum(), 10**6)


def test_enumeration_test_never_forms_k_to_the_m():
    assert _enumerate(3, 10**9, 10**18) is False  # returns at once (3**1e9 has 4.8e8 digits)
    assert _enumerate(3, 5, 100) is True  # 243 sequences


@pytest.mark.parametrize("seed", range(4))
def test_hellinger_bracket_contains_the_exact_value(seed):
    # 1 - BC^m <= d_TV(P^m, Q^m) <= 1, checked against the exact type-class value where BC^m is small
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
    cl = _classes(p, q)
    m = 400
    hb = _hellinger_bounds(cl, m, 1.0)
    assert hb is not None
    exact = _exact_packed_tv(cl, m)
    assert hb.lower <= exact + 1e-13 and exact <= hb.upper  # exact path: ~1e-14
    assert hb.lower < 1.0  # rounded down, never to 1 by round-off
    bc = float(np.sum(np.sqrt(p * q)))
    assert hb.lower == pytest.approx(1.0 - bc**m, rel=1e-9)
