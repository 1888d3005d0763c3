"""The engine's speed paths: the default path's maxout is autograd's ``amax`` bit for bit, and the
opt-in fused path (``TrainConfig.fused``) computes the same networks and losses (float64 against
the default modules, gradient checks), trains every method and resumes exactly."""

import contextlib

import numpy as np
import pytest
import torch

from modecollapse.gan.data._mixtures import ring
from modecollapse.gan.nets._toy import (BatchedBatchNorm, MaxoutDiscriminator, ToyGenerator, _bn_relu,
                                        _maxout_linear, maxout)
from modecollapse.gan.train._ensemble import GanEnsemble
from modecollapse.gan.train.config import METHODS, TrainConfig

TINY = dict(batch_size=16, g_hidden=8, g_layers=2, d_hidden=6, d_layers=2, d_pieces=3, lr=1e-3, beta1=0.5)
RING = ring(n_train=500)


def _bits(t):
    return t.detach().reshape(-1).view(torch.int32)


def _gens(n, seed=0):
    return [torch.Generator().manual_seed(seed + i) for i in range(n)]


def test_maxout_equals_amax_bitwise_ties_included():
    g = torch.Generator().manual_seed(3)
    y = torch.randn(3, 40, 4 * 5, generator=g)
    v = y.view(3, 40, 4, 5)
    v[0, :10, :, 1] = v[0, :10, :, 3]           # two-way ties
    v[1, :5, 2, :] = 0.25                       # a five-way tie
    v[2, :3, 1, 0] = -0.0                       # signed zeros tied with +0
    v[2, :3, 1, 4] = 0.0
    v[2, :3, 1, 1:4] = -1.0
    grad = torch.randn(3, 40, 4, generator=g)
    a = y.clone().requires_grad_(True)
    b = y.clone().requires_grad_(True)
    out_a = maxout(a, 5)
    out_b = b.reshape(3, 40, 4, 5).amax(dim=-1)
    (ga,) = torch.autograd.grad(out_a, a, grad)
    (gb,) = torch.autograd.grad(out_b, b, grad)
    assert torch.equal(_bits(out_a), _bits(out_b))
    assert torch.equal(_bits(ga), _bits(gb))
    # the ties really split the gradient (an oracle that a winner-takes-all rule would fail)
    assert torch.allclose(ga.view(3, 40, 4, 5)[1, 0, 2], grad[1, 0, 2].expand(5) / 5)


def test_maxout_refuses_a_width_that_is_not_a_multiple():
    with pytest.raises(ValueError, match="pieces=3"):
        maxout(torch.zeros(2, 3, 10), 3)


def test_default_discriminator_is_the_amax_formulation_bitwise():
    D = MaxoutDiscriminator(2, 6, _gens(2), hidden=7, layers=3, pieces=4)
    x = torch.randn(2, 50, 6, generator=torch.Generator().manual_seed(1))

    def reference(x):
        h = x
        for lin in D.linears:
            y = torch.bmm(h, lin.weight) + lin.bias
            h = y.reshape(*y.shape[:-1], 7, 4).amax(dim=-1)
        return (torch.bmm(h, D.out.weight) + D.out.bias).squeeze(-1)

    params = list(D.parameters())
    out, ref = D(x), reference(x)
    assert torch.equal(_bits(out), _bits(ref))
    for p, q in zip(torch.autograd.grad(torch.nn.functional.softplus(out).sum(), params),
                    torch.autograd.grad(torch.nn.functional.softplus(ref).sum(), params)):
        assert torch.equal(_bits(p), _bits(q))


def test_fused_bn_relu_is_batchnorm_then_relu():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 12, 5, generator=g, dtype=torch.float64).mul_(3).add_(1).requires_grad_(True)
    bn = BatchedBatchNorm(2, 5).double()
    with torch.no_grad():
        bn.weight.normal_(generator=g)
        bn.bias.normal_(generator=g)
    w, b = bn.weight.detach().clone().requires_grad_(True), bn.bias.detach().clone().requires_grad_(True)
    ref, got = torch.relu(bn(x, 3)), _bn_relu(x, w, b, 3, bn.eps)
    torch.testing.assert_close(got, ref, rtol=1e-12, atol=1e-12)
    up = torch.randn(ref.shape, generator=g, dtype=torch.float64)
    for p, q in zip(torch.autograd.grad(got, (x, w, b), up),
                    torch.autograd.grad(ref, (x, bn.weight, bn.bias), up)):
        torch.testing.assert_close(p, q, rtol=1e-10, atol=1e-12)
    assert torch.autograd.gradcheck(lambda x, w, b: _bn_relu(x, w, b, 3, 1e-5), (x, w, b))


def test_fused_maxout_linear_is_linear_then_maxout():
    g = torch.Generator().manual_seed(4)
    h = torch.randn(2, 7, 4, generator=g, dtype=torch.float64, requires_grad=True)
    W = torch.randn(2, 4, 15, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(2, 1, 15, generator=g, dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(_maxout_linear(h, W, b, 5), maxout(torch.bmm(h, W) + b, 5), rtol=1e-12, atol=1e-12)
    assert torch.autograd.gradcheck(lambda h, W, b: _maxout_linear(h, W, b, 5), (h, W, b))
    # second order (WGAN-GP's penalty and the unrolled critic differentiate through D's gradient)
    assert torch.autograd.gradgradcheck(lambda h, W, b: _maxout_linear(h, W, b, 5), (h, W, b))


def test_fused_nets_have_the_default_parameters_and_function():
    for cls, pos, kw in ((ToyGenerator, (), dict(latent_dim=2, hidden=8, layers=3, out_dim=2)),
                         (MaxoutDiscriminator, (4,), dict(hidden=6, layers=2, pieces=3))):
        a, b = cls(3, *pos, _gens(3), **kw), cls(3, *pos, _gens(3), fused=True, **kw)
        sa, sb = a.state_dict(), b.state_dict()
        assert list(sa) == list(sb) and all(torch.equal(sa[k], sb[k]) for k in sa)
        a.double(), b.double()
        x = torch.randn(3, 40, 2 if cls is ToyGenerator else 4, generator=torch.Generator().manual_seed(5),
                        dtype=torch.float64)
        args = (x, 4) if cls is ToyGenerator else (x,)
        torch.testing.assert_close(b(*args), a(*args), rtol=1e-10, atol=1e-12)
        ga = torch.autograd.grad(a(*args).square().sum(), list(a.parameters()))
        gb = torch.autograd.grad(b(*args).square().sum(), list(b.parameters()))
        for p, q in zip(gb, ga):
            torch.testing.assert_close(p, q, rtol=1e-9, atol=1e-11)


def test_fused_ensemble_tracks_the_default_one():
    members = [(1, 0), (2, 1)]
    a = GanEnsemble(RING, members, TrainConfig(**TINY), device="cpu")
    b = GanEnsemble(RING, members, TrainConfig(**TINY, fused=True), device="cpu")
    da, ga = a.train_step()
    db, gb = b.train_step()
    # step 1's D loss is at the common initial weights: equal up to float32 rounding
    np.testing.assert_allclose(db, da, rtol=1e-5)
    np.testing.assert_allclose(gb, ga, rtol=1e-3)
    sa, sb = a.state_dict(), b.state_dict()
    assert [list(g) for g in sa["groups"]] == [list(g) for g in sb["groups"]]
    for ga_, gb_ in zip(sa["groups"], sb["groups"]):
        for net in ("G", "D"):
            for k in ga_[net]:
                torch.testing.assert_close(gb_[net][k], ga_[net][k], rtol=0, atol=5e-3)  # one Adam step, lr 1e-3


@pytest.mark.parametrize("method", METHODS)
def test_fused_path_trains_every_method(method):
    extra = {"f": "kl"} if method == "fgan" else {}
    cfg = TrainConfig(**TINY, method=method, fused=True, **extra)
    ens = GanEnsemble(RING, [(1, 0), (2, 0)], cfg, device="cpu")
    before = {k: v.clone() for k, v in ens.parameters_by_member(1).items()}
    for _ in range(2):
        d, g = ens.train_step()
        assert np.all(np.isfinite(d)) and np.all(np.isfinite(g))
    after = ens.parameters_by_member(1)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_fused_resume_is_exact():
    cfg = TrainConfig(**TINY, fused=True, d_steps=2)
    full = GanEnsemble(RING, [(1, 0), (3, 1)], cfg, device="cpu")
    full.train(5)
    part = GanEnsemble(RING, [(1, 0), (3, 1)], cfg, device="cpu")
    part.train(3)
    again = GanEnsemble(RING, [(1, 0), (3, 1)], cfg, device="cpu")
    again.load_state_dict(part.state_dict())
    again.train(2)
    for i in range(2):
        pf, pa = full.parameters_by_member(i), again.parameters_by_member(i)
        assert all(torch.equal(_bits(pf[k]), _bits(pa[k])) for k in pf)


def test_fused_is_part_of_the_run_identity():
    a = GanEnsemble(RING, [(1, 0)], TrainConfig(**TINY), device="cpu")
    state = a.state_dict()
    fused = GanEnsemble(RING, [(1, 0)], TrainConfig(**TINY, fused=True), device="cpu")
    with pytest.raises(ValueError, match="config"):
        fused.load_state_dict(state)
    # a checkpoint written before the field existed is a default-path run
    old = dict(state, config={k: v for k, v in state["config"].items() if k != "fused"})
    GanEnsemble(RING, [(1, 0)], TrainConfig(**TINY), device="cpu").load_state_dict(old)
    with pytest.raises(TypeError, match="fused"):
        TrainConfig(fused=1)


# ----------------------------------------------------------------------------- merged fused path
# TrainConfig(fused=True) puts every packing degree in one stack (gan.train._ensemble._Merged);
# fused="grouped" is the fused path with one stack per m. The merged path must be the grouped one
# up to rounding, keep the zero padding inert, keep members independent and resume exactly.

@contextlib.contextmanager
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def _double_ensemble(members, **cfg):
    """An ensemble built and trained in float64 (rounding far below the differences tested)."""
    w = cfg.pop("_w", None)
    with _float64():
        ens = GanEnsemble(RING, members, TrainConfig(**{**TINY, **cfg}), device="cpu", data_weights=w)
    ens.data = ens.data.double()
    if ens._merged is not None:
        ens._data_pad = ens._data_pad.double()
    return ens


def _train64(ens, steps):
    with _float64():
        return [ens.train_step() for _ in range(steps)]


@pytest.mark.parametrize("cfg", [dict(d_steps=3), dict(d_steps=1, method="mle"),
                                 dict(d_steps=2, method="unrolled", unroll_steps=1)])
def test_merged_path_is_the_grouped_path_up_to_rounding(cfg):
    members = [(3, 1), (1, 0), (2, 2), (3, 0)]  # not in group order: outputs must come back in this order
    a = _double_ensemble(members, fused="grouped", **cfg)
    b = _double_ensemble(members, fused=True, **cfg)
    assert a._merged is None and b._merged is not None and b._merged.M == 3
    la, lb = _train64(a, 4), _train64(b, 4)
    for (da, ga), (db, gb) in zip(la, lb):
        np.testing.assert_allclose(db, da, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(gb, ga, rtol=1e-10, atol=1e-12)
    for i in range(len(members)):
        pa, pb = a.parameters_by_member(i), b.parameters_by_member(i)
        assert list(pa) == list(pb)
        for k in pa:
            torch.testing.assert_close(pb[k], pa[k], rtol=1e-9, atol=1e-11)
    # the trained members really moved (so the comparison is not of two initialisations)
    fresh = _double_ensemble(members, fused=True, **cfg)
    assert not torch.allclose(fresh.parameters_by_member(0)["G.out.weight"], b.parameters_by_member(0)["G.out.weight"])
    with _float64():
        np.testing.assert_allclose(b.sample(64), a.sample(64), rtol=1e-9, atol=1e-11)


def test_merged_path_with_data_weights_draws_as_the_grouped_path():
    w = np.random.default_rng(0).dirichlet(np.ones(500))
    a = _double_ensemble([(1, 0), (2, 1)], fused="grouped", _w=w)
    b = _double_ensemble([(1, 0), (2, 1)], fused=True, _w=w)
    _train64(a, 2), _train64(b, 2)
    for i in range(2):
        pa, pb = a.parameters_by_member(i), b.parameters_by_member(i)
        for k in pa:
            torch.testing.assert_close(pb[k], pa[k], rtol=1e-9, atol=1e-11)
    assert all(torch.equal(x.get_state(), y.get_state()) for x, y in zip(a.gens, b.gens))  # same draws


def test_merged_padding_is_inert():
    ens = GanEnsemble(RING, [(1, 0), (3, 1), (2, 0)], TrainConfig(**TINY, fused=True, d_steps=2), device="cpu")
    mg = ens._merged
    W0 = mg.D.linears[0].weight  # (E, M*d, units*pieces), stack rows in group order: m = 1, 2, 3
    assert mg.m_of == [1, 2, 3] and W0.shape[1] == 6
    first = W0.detach().clone()
    ens.train(4)
    state = ens.opt_d.state[W0]
    for e, m in enumerate(mg.m_of):
        pad = slice(2 * m, None)
        assert torch.count_nonzero(W0[e, pad]) == 0                       # the padded rows stay zero
        assert torch.count_nonzero(state["exp_avg"][e, pad]) == 0          # with zero Adam moments
        assert torch.count_nonzero(state["exp_avg_sq"][e, pad]) == 0
        assert not torch.equal(W0[e, :2 * m], first[e, :2 * m])            # the member's own rows train
    # the groups' networks are views of the merged stack: the member's own part of it, no padding
    grp = ens.groups[2]
    assert grp.D.linears[0].weight.shape == (1, 6, W0.shape[2])
    assert grp.D.linears[0].weight.data_ptr() == W0[2].data_ptr()
    assert torch.equal(grp.D.linears[0].weight[0], W0[2, :6])
    # the oracle can fail: a fake batch that is not masked to zero would move the padded rows
    x = torch.randn(3, 2 * TINY["batch_size"], 6)
    (g,) = torch.autograd.grad(mg.D(x).sum(), [W0])
    assert torch.count_nonzero(g[0, 2:]) > 0


def test_merged_member_does_not_depend_on_the_others():
    alone = _double_ensemble([(2, 1)], fused=True, d_steps=2)
    crowd = _double_ensemble([(4, 3), (2, 1), (1, 0)], fused=True, d_steps=2)
    assert alone._merged.M == 2 and crowd._merged.M == 4   # other padding, other stack
    la, lc = _train64(alone, 3), _train64(crowd, 3)
    for (da, ga), (dc, gc) in zip(la, lc):
        np.testing.assert_allclose(dc[1], da[0], rtol=1e-10)
        np.testing.assert_allclose(gc[1], ga[0], rtol=1e-10)
    pa, pc = alone.parameters_by_member(0), crowd.parameters_by_member(1)
    for k in pa:
        torch.testing.assert_close(pc[k], pa[k], rtol=1e-9, atol=1e-11)


def test_which_methods_merge():
    merged = {"gan", "minimax", "mle", "unrolled"}
    for method in METHODS:
        extra = {"f": "kl"} if method == "fgan" else {}
        ens = GanEnsemble(RING, [(1, 0), (2, 0)], TrainConfig(**TINY, method=method, fused=True, **extra), device="cpu")
        assert (ens._merged is not None) == (method in merged), method
    assert GanEnsemble(RING, [(1, 0)], TrainConfig(**TINY, fused="grouped"), device="cpu")._merged is None
    assert GanEnsemble(RING, [(1, 0)], TrainConfig(**TINY, arch="mlp", fused=True), device="cpu")._merged is None
    with pytest.raises(ValueError, match="grouped"):
        TrainConfig(fused="merged")


def test_merged_resume_is_exact_and_checkpoints_keep_the_group_layout():
    cfg = TrainConfig(**TINY, fused=True, d_steps=3)
    members = [(2, 0), (1, 1), (4, 2)]
    full = GanEnsemble(RING, members, cfg, device="cpu")
    full.train(5)
    part = GanEnsemble(RING, members, cfg, device="cpu")
    part.train(2)
    state = part.state_dict()
    grouped = GanEnsemble(RING, members, TrainConfig(**TINY, fused="grouped", d_steps=3), device="cpu")
    assert [g["m"] for g in state["groups"]] == [g["m"] for g in grouped.state_dict()["groups"]]
    for gs, gg in zip(state["groups"], grouped.state_dict()["groups"]):
        assert {k: v.shape for k, v in gs["D"].items()} == {k: v.shape for k, v in gg["D"].items()}
    again = GanEnsemble(RING, members, cfg, device="cpu")
    again.load_state_dict(state)
    again.train(3)
    for i in range(3):
        pf, pa = full.parameters_by_member(i), again.parameters_by_member(i)
        assert all(torch.equal(_bits(pf[k]), _bits(pa[k])) for k in pf)
    assert np.array_equal(full.sample(50), again.sample(50))


@pytest.mark.parametrize("consume", [False, True])
def test_fused_maxout_backward_splits_ties_and_consumes_only_when_asked(consume):
    from modecollapse.gan.nets._toy import _MaxoutPieceMajor

    g = torch.Generator().manual_seed(6)
    y0 = torch.randn(2, 9, 4, 3, generator=g)   # (..., pieces, units)
    y0[0, :4, 1] = y0[0, :4, 3]                 # two-way ties (pieces 1 and 3)
    y0[1, 2, :, 0] = 0.5                        # a four-way tie
    grad = torch.randn(2, 9, 3, generator=g)
    ref = y0.clone().requires_grad_(True)
    (want,) = torch.autograd.grad(ref.amax(dim=-2), ref, grad)    # autograd's even split
    y = y0.clone().requires_grad_(True)
    out = _MaxoutPieceMajor.apply(y * 1.0, consume)
    (got,) = torch.autograd.grad(out, y, grad, retain_graph=True)
    torch.testing.assert_close(got, want, rtol=0, atol=0)
    assert torch.allclose(got[1, 2, :, 0], grad[1, 2, 0].expand(4) / 4)
    if consume:  # its saved activations were overwritten: a second backward fails loudly
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            torch.autograd.grad(out, y, grad)
    else:
        (again,) = torch.autograd.grad(out, y, grad)
        assert torch.equal(again, got)
