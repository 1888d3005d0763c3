"""Cross-check item 1: the mode-collapse region of a generator, checked by hand and against the bounds.

The synthetic generator with known collapse is uniform on 20 of the 25 grid modes (5 dropped).
On the mode partition (3-std discs + "elsewhere") with c = 1 - e^{-9/2} (the chi-square_2 mass
of a 3-std disc) and e = e^{-9/2}:

    P = (c/25 on each of 25 discs, e),  Q = (0 on the 5 dropped, c/20 on the 20 kept, e).

Sorting atoms by p/q (q = 0 first, then ratio 1 for "elsewhere", then 0.8 for kept modes) gives
the ROC vertices (0,0), (0, 0.2c), (e, 0.2c + e), (1,1); d_TV = 0.2c at S* = dropped discs; the
largest (0, delta)-collapse has delta = 0.2c. Packed: S*_m = "some coordinate in a dropped disc"
has P^m-mass 1 - (1 - 0.2c)^m and Q^m-mass 0, every other type class has ratio <= 1, so
d_TV(P^m, Q^m) = 1 - (1 - 0.2c)^m: PacGAN's upper bound 1 - (1 - tau)^m, attained.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modecollapse import regions
from modecollapse.gan.crosscheck import (
    BOUND_ATOL,
    ModePartition,
    PackingBoundViolation,
    check_packing_bounds,
    collapse_report,
    generator_collapse_report,
    read_results,
    scenario,
    write_results,
)

C = -math.expm1(-4.5)  # mass of a 3-std disc in 2-D: 1 - exp(-9/2)
E = math.exp(-4.5)


def _exact_grid20():
    target, gen = scenario("grid20")
    part = ModePartition.from_mixture(target)
    return target, gen, target.cell_masses(part), gen.cell_masses(part)


def test_grid20_exact_region_and_collapse_by_hand():
    _, _, p, q = _exact_grid20()
    rep = collapse_report(p, q)
    hand = np.array([[0, 0], [0, 0.2 * C], [E, 0.2 * C + E], [1, 1]])
    np.testing.assert_allclose(rep.region.vertices, hand, atol=1e-12)  # cumulative sums of 26 masses
    assert rep.tv == pytest.approx(0.2 * C, abs=1e-14)
    assert rep.apex_delta == pytest.approx(0.2 * C, abs=1e-14)
    assert rep.tv_point == pytest.approx((0.0, 0.2 * C), abs=1e-14)
    assert rep.tv_interval == (rep.tv, rep.tv)  # exact masses: zero-width intervals
    for chk in rep.packed:
        hand_m = 1 - (1 - 0.2 * C) ** chk.m
        assert chk.packed_tv == pytest.approx(hand_m, rel=1e-12)  # type-class enumeration vs closed form
        assert chk.upper == pytest.approx(hand_m, rel=1e-12)  # the upper bound is attained
        assert chk.ok
    # L1 at the pair's own apex (0, 0.2c) with tau = 0.2c forces the extremal pair: equal to the upper bound
    assert rep.packed[3].lower_collapse == pytest.approx(rep.packed[3].upper, rel=1e-9)
    assert rep.packed[3].lower_collapse_at == pytest.approx((0.0, 0.2 * C), abs=1e-14)


def test_grid20_from_generator_samples_within_stated_confidence():
    target, gen, p, q = _exact_grid20()
    rng = np.random.default_rng(7)
    rep = generator_collapse_report(target, gen.sample(50_000, rng), confidence=0.999)
    # dropped discs are >= 1.85 units = 37 std from every kept mode: never hit, so the (0, delta)
    # collapse is recovered exactly from samples
    assert rep.q.counts[[0, 6, 12, 18, 24]].sum() == 0
    assert rep.apex_delta == pytest.approx(0.2 * C, abs=1e-14)
    # statistical (Weissman L1 ball, level 0.999): the exact values lie in the reported intervals
    assert rep.tv_interval[0] <= 0.2 * C <= rep.tv_interval[1]
    for chk, (lo, hi) in zip(rep.packed, rep.packed_interval):
        assert lo <= 1 - (1 - 0.2 * C) ** chk.m <= hi
    for i in range(26):
        assert rep.q.lower[i] <= q[i] <= rep.q.upper[i]
    assert rep.shift == (rep.q.tv_radius, 0.0)  # the target side is exact
    # the true (discretised) ROC curve is within the shift of the estimated one
    exact = collapse_report(p, q).region
    eps = np.linspace(0, 1 - rep.shift[0], 101)
    assert np.all(exact.delta_at(eps + rep.shift[0]) >= rep.region.delta_at(eps) - 1e-12)
    assert np.all(rep.region.delta_at(eps + rep.shift[0]) >= exact.delta_at(eps) - 1e-12)


def test_target_generator_order_is_pinned_by_a_collapsed_generator():
    # P is the target: a generator missing modes has (0, delta)-collapse; the swapped pair has none.
    _, _, p, q = _exact_grid20()
    fwd, rev = collapse_report(p, q), collapse_report(q, p)
    assert fwd.apex_delta > 0.19 and rev.apex_delta == 0.0
    assert rev.region.isclose(fwd.region.reflect())  # R(Q,P) = R(P,Q) reflected in the anti-diagonal


def test_ring6_hand_values():
    # 2 of 8 ring modes dropped: tau = 0.25c, packed TV 1 - (1 - 0.25c)^m (same argument as grid20)
    target, gen = scenario("ring6")
    part = ModePartition.from_mixture(target)
    rep = collapse_report(target.cell_masses(part), gen.cell_masses(part))
    assert rep.tv == pytest.approx(0.25 * C, abs=1e-14)
    assert [c.packed_tv for c in rep.packed] == pytest.approx([1 - (1 - 0.25 * C) ** m for m in (1, 2, 3, 4)], rel=1e-12)


@st.composite
def _pairs(draw):
    k = draw(st.integers(2, 5))
    # subnormal masses are excluded: regions.mode_collapse_region warns on p/q overflow there
    # (reported to its owner); mode partitions never produce them
    a = np.array(draw(st.lists(st.floats(0, 1, allow_subnormal=False), min_size=k, max_size=k)))
    b = np.array(draw(st.lists(st.floats(0, 1, allow_subnormal=False), min_size=k, max_size=k)))
    if a.sum() <= 0 or b.sum() <= 0:
        a, b = a + 1.0, b + 0.5
    return a / a.sum(), b / b.sum()


@settings(max_examples=30)
@given(_pairs())
def test_every_discrete_pair_sits_inside_the_pacgan_bounds(pair):
    # L(tau,m) <= d_TV(P^m,Q^m) <= 1-(1-tau)^m and L1 at every vertex: theorems, so any failure
    # here is a bug in regions or in the report (check_packing_bounds raises on a violation)
    p, q = pair
    for chk in check_packing_bounds(p, q, (2, 3)):
        assert chk.ok
        assert chk.lower - BOUND_ATOL <= chk.lower_collapse  # L1 is a refinement of L


def test_a_wrong_packed_tv_is_caught(monkeypatch):
    # The bounds check must be able to fail: feed it a packed TV above 1-(1-tau)^m, then one below L.
    _, _, p, q = _exact_grid20()
    real = regions.packed_tv
    monkeypatch.setattr(regions, "packed_tv", lambda a, b, m: real(a, b, m + 1))
    with pytest.raises(PackingBoundViolation, match="outside the PacGAN bounds"):
        check_packing_bounds(p, q, (2,))
    monkeypatch.setattr(regions, "packed_tv", lambda a, b, m: 0.5 * float(getattr(real(a, b, m), "value", real(a, b, m))))
    with pytest.raises(PackingBoundViolation):
        check_packing_bounds(p, q, (3,))
    checks = check_packing_bounds(p, q, (3,), raise_on_violation=False)
    assert not checks[0].ok


def test_results_file_roundtrip(tmp_path):
    _, _, p, q = _exact_grid20()
    d = collapse_report(p, q).to_dict() | {"inf": float("inf")}
    path = write_results(tmp_path / "sub" / "r.json", d)
    back = read_results(path)
    assert back["tv"] == pytest.approx(0.2 * C, abs=1e-15)
    assert back["inf"] == "inf"
    assert [x for x in (tmp_path / "sub").iterdir()] == [path]  # no temp file left behind
    # the bytes the results files have always had: json.dumps(indent=1) with "inf" as a string
    import json

    assert path.read_text() == json.dumps(d | {"inf": "inf"}, indent=1, allow_nan=False)
    with pytest.raises(TypeError, match="dict"):
        write_results(tmp_path / "x.json", [1, 2])


def test_trained_generators_sit_inside_the_bounds(tmp_path, torch):
    # GAN and PacGAN2 members trained briefly (smoke preset) through gan.runs: every trained pair,
    # discretised on the grid's mode partition, must satisfy the PacGAN bounds (else
    # PackingBoundViolation fails this test) and its intervals must be the stated ones.
    # (``torch``: the conftest fixture, which skips without torch and runs on one thread.)
    from modecollapse.gan.crosscheck import trained_collapse_reports
    from modecollapse.gan.experiments.runs import load_or_train

    run = load_or_train(tmp_path, dataset="grid", ms=(1, 2), seeds=(0,), preset="smoke", log=lambda s: None)
    reps = trained_collapse_reports(run, ms=(1, 2, 3, 4))
    assert [(m, s) for m, s, _ in reps] == [(1, 0), (2, 0)]
    for _, _, rep in reps:
        assert all(c.ok for c in rep.packed)
        assert rep.q.n == run.spec.eval_samples
        assert rep.tv_interval[0] <= rep.tv <= rep.tv_interval[1]
