"""Inputs researchers pass, across packages: regions take the vectors divergences accept.

The shared validation (``modecollapse.divergences._validation``) reads float32 arrays, torch
tensors and pandas Series; a vector validated once keeps its tolerance when one function hands
it to another (``packed_region`` -> ``packed_pair``), so a float32 softmax works end to end.
"""

import numpy as np
import pytest

from modecollapse.divergences import normalize, tv_distance
from modecollapse.regions import has_mode_collapse, mode_collapse_region, packed_region, packed_tv

P32 = np.array([0.3, 0.3, 0.4000001], dtype=np.float32)  # sums to 1 + 1.2e-7 (float32 rounding)
Q32 = np.array([0.2, 0.5, 0.3], dtype=np.float32)


def test_float32_vectors_through_regions():
    p64, q64 = normalize(P32), normalize(Q32)  # float64 references (a cast alone keeps float32 rounding)
    assert packed_tv(P32, Q32, m=2) > 0
    # packed_region validates p and hands the validated array to packed_pair: it was refused there
    # with the float64 tolerance ("sum(p)=1.0000001192092896")
    r = packed_region(P32, Q32, 2)
    assert r is not None
    assert mode_collapse_region(P32, Q32).tv == pytest.approx(tv_distance(p64, q64), abs=1e-6)
    assert has_mode_collapse(P32, Q32, 0.1, 0.3) == has_mode_collapse(p64, q64, 0.1, 0.3)


def test_series_pairs_through_regions_are_aligned():
    pd = pytest.importorskip("pandas")
    s1 = pd.Series({"a": 0.7, "b": 0.3})
    s2 = pd.Series({"b": 0.7, "a": 0.3})  # same labels, other order
    assert packed_tv(s1, s2, m=1) == pytest.approx(0.4, abs=1e-15)  # by position it was 0


def test_a_validated_array_that_was_modified_is_checked_again():
    from modecollapse.divergences._validation import as_probability_vector

    a = as_probability_vector([0.5, 0.5])
    assert as_probability_vector(a) is a  # handed on unchanged
    a.setflags(write=True)
    a[0] = 0.9
    with pytest.raises(ValueError, match=r"sum\(p\)=1.4"):
        as_probability_vector(a)
