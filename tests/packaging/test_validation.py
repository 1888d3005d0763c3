"""Input validation shared by all packages: clear errors naming the parameter and the value."""

import numpy as np
import pytest

from modecollapse.divergences._validation import SUM_ATOL, as_pair, as_probability_vector, check_integer, check_probability


@pytest.mark.parametrize(
    "bad, exc, fragment",
    [
        ([0.5, 0.6], ValueError, "sum(p)=1.1"),
        ([[0.5, 0.5]], ValueError, "1-D"),
        ([], ValueError, "at least one atom"),
        ([np.nan, 1.0], ValueError, "finite"),
        ([np.inf, 0.0], ValueError, "finite"),
        ([-0.1, 1.1], ValueError, "p[0]=-0.1"),
        ("ab", TypeError, "'ab'"),
        (["a", "b"], TypeError, "numeric"),
        ([0.5 + 0j, 0.5], TypeError, "real"),
    ],
)
def test_bad_probability_vectors(bad, exc, fragment):
    with pytest.raises(exc) as info:
        as_probability_vector(bad, "p")
    assert fragment in str(info.value)


def test_sum_tolerance_is_documented_and_no_renormalisation():
    p = as_probability_vector([0.5, 0.5 + SUM_ATOL / 2])
    assert p[1] == 0.5 + SUM_ATOL / 2  # returned as given, not renormalised
    with pytest.raises(ValueError):
        as_probability_vector([0.5, 0.5 + 2 * SUM_ATOL])


def test_zero_atoms_are_legal_and_result_is_read_only():
    p = as_probability_vector([0, 1, 0])
    assert p.dtype == np.float64 and not p.flags.writeable


def test_pair_length_mismatch_names_both():
    with pytest.raises(ValueError, match=r"len\(p\)=2 and len\(q\)=3"):
        as_pair([0.5, 0.5], [1 / 3] * 3)


@pytest.mark.parametrize("bad, exc", [(True, TypeError), (2.0, TypeError), ("3", TypeError), (0, ValueError)])
def test_check_integer(bad, exc):
    with pytest.raises(exc, match="m"):
        check_integer(bad, "m", minimum=1)
    assert check_integer(np.int64(3), "m", minimum=1) == 3


def test_check_probability_bounds_and_open_ends():
    assert check_probability(0.0, "tau") == 0.0
    with pytest.raises(ValueError, match=r"tau must be in \[0, 1\]; got tau=1.5"):
        check_probability(1.5, "tau")
    with pytest.raises(ValueError, match=r"beta must be in \(0, 1\]"):
        check_probability(0, "beta", open_low=True)
    with pytest.raises(ValueError, match="finite"):
        check_probability(float("nan"), "eps")
