"""Hypothesis strategies for probability vectors, shared by the divergences (and regions) tests.

``prob_vectors`` / ``pairs`` / ``triples`` draw masses that are exactly 0 or in ``[1e-4, 1]``
before normalising (the draw sequence is the one the f-divergence and variational tests always
used, so their derandomised examples are unchanged). ``wide_prob_vectors`` / ``wide_pairs``
also reach the masses where floating point bites: subnormals (``5e-324``), ``1e-310``,
``1e-300``, ``1e-160``, ``1e-20``, mixed with ordinary ones.
"""

import numpy as np
from hypothesis import strategies as st

__all__ = ["TINY_MASSES", "prob_vectors", "pairs", "triples", "wide_prob_vectors", "wide_pairs"]

#: Masses at the bottom of the float range: the smallest subnormal, subnormal, near the
#: normal limit, ``1e-160`` (its square underflows) and ``1e-20`` (below ``eps`` next to 1).
TINY_MASSES = (5e-324, 1e-310, 1e-300, 1e-160, 1e-20)


@st.composite
def prob_vectors(draw, k):
    """Probability vector of length k; atoms are exactly 0 with positive probability."""
    elems = st.one_of(st.just(0.0), st.floats(1e-4, 1.0))
    w = np.array(draw(st.lists(elems, min_size=k, max_size=k)), dtype=float)
    if w.sum() <= 0:
        w[draw(st.integers(0, k - 1))] = 1.0
    return w / w.sum()


@st.composite
def pairs(draw, min_k=1, max_k=6):
    """Two probability vectors of one length in ``[min_k, max_k]``."""
    k = draw(st.integers(min_k, max_k))
    return draw(prob_vectors(k)), draw(prob_vectors(k))


@st.composite
def triples(draw, min_k=1, max_k=6):
    """Three probability vectors of one length in ``[min_k, max_k]``."""
    k = draw(st.integers(min_k, max_k))
    return draw(prob_vectors(k)), draw(prob_vectors(k)), draw(prob_vectors(k))


@st.composite
def wide_prob_vectors(draw, k):
    """Probability vector of length k mixing zeros, ordinary masses and :data:`TINY_MASSES`.

    The tiny atoms are placed after normalising the ordinary ones, so they stay as small as
    drawn (a subnormal stays subnormal) and the total stays within 1e-15 of one.
    """
    kinds = draw(st.lists(st.sampled_from(["zero", "ordinary", "tiny"]), min_size=k, max_size=k))
    w = np.array([draw(st.floats(1e-4, 1.0)) if c == "ordinary" else 0.0 for c in kinds])
    if w.sum() <= 0:
        w[draw(st.integers(0, k - 1))] = 1.0
    w = w / w.sum()
    for i, c in enumerate(kinds):
        if c == "tiny" and w[i] == 0.0:
            w[i] = draw(st.sampled_from(TINY_MASSES))
    return w


@st.composite
def wide_pairs(draw, min_k=1, max_k=6):
    """Two :func:`wide_prob_vectors` of one length in ``[min_k, max_k]``."""
    k = draw(st.integers(min_k, max_k))
    return draw(wide_prob_vectors(k)), draw(wide_prob_vectors(k))
