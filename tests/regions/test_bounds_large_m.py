"""Large packing degrees in the PacGAN bounds: the Hellinger sandwich for L(tau, m) (checked with mpmath)."""

import mpmath
import pytest

from modecollapse.regions import packed_tv_min, tv_band


@pytest.mark.parametrize("tau, m", [(0.2, 10**6), (0.2, 10**9), (1e-3, 10**9), (0.05, 200_001)])
def test_large_m_min_is_one_within_half_an_ulp(tau, m):
    r = packed_tv_min(tau, m)
    assert r.value == 1.0 and r.method == "hellinger bound"
    # the certificate, in 50-digit arithmetic: L >= 1 - (1 - tau^2)^(m/2) > 1 - 2^-54
    mpmath.mp.dps = 50
    gap = (1 - mpmath.mpf(tau) ** 2) ** (mpmath.mpf(m) / 2)
    assert gap < mpmath.mpf(2) ** -54
    # the bound is the Bhattacharyya coefficient of the extremal pair, at its maximum over a
    a = (1 - mpmath.mpf(tau)) / 2
    bc = mpmath.sqrt(a * (a + tau)) + mpmath.sqrt((1 - a) * (1 - a - tau))
    assert abs(bc - mpmath.sqrt(1 - mpmath.mpf(tau) ** 2)) < mpmath.mpf(10) ** -40
    assert tv_band(tau, m) == (1.0, 1.0)


def test_large_m_without_a_narrow_bracket_says_how_wide_it_is():
    with pytest.raises(ValueError, match="Hellinger bracket .* wide"):
        packed_tv_min(1e-6, 10**9)


def test_the_breakpoint_method_agrees_below_the_limit():
    # m = 2000, tau = 0.2: the bracket is 1.9e-18 wide, and the exact breakpoint minimum is 1.0 too
    assert packed_tv_min(0.2, 2000).value == 1.0
