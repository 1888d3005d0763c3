"""Batched toy networks: shapes, per-member independence, packing order, per-call BatchNorm."""

import pytest
import torch

from modecollapse.gan.nets import BatchedLinear, MaxoutDiscriminator, ToyGenerator, pack, unpack


def _gens(*seeds):
    return [torch.Generator().manual_seed(s) for s in seeds]


def test_pack_concatenates_calls_on_feature_axis():
    # Three "generator calls" of B = 4 samples in d = 2, marked by their call index and row.
    m, B, d = 3, 4, 2
    calls = [torch.stack([torch.full((d,), 10.0 * c + j) for j in range(B)]) for c in range(m)]
    x = torch.cat(calls, dim=0)[None]  # (1, m*B, d), call-major
    p = pack(x, m)
    assert p.shape == (1, B, m * d)
    expected = torch.cat(calls, dim=1)  # packed sample j = concat(call0[j], call1[j], call2[j])
    torch.testing.assert_close(p[0], expected, rtol=0, atol=0)
    assert p[0, 1].tolist() == [1.0, 1.0, 11.0, 11.0, 21.0, 21.0]
    torch.testing.assert_close(unpack(p, m), x, rtol=0, atol=0)


def test_pack_rejects_ragged():
    with pytest.raises(ValueError, match="multiple of m"):
        pack(torch.zeros(1, 7, 2), 2)


def test_batched_linear_is_per_member_affine():
    lin = BatchedLinear(3, 4, 5, _gens(0, 1, 2))
    x = torch.randn(3, 6, 4)
    y = lin(x)
    for e in range(3):
        torch.testing.assert_close(y[e], x[e] @ lin.weight[e] + lin.bias[e], rtol=1e-6, atol=1e-6)
    # nn.Linear default init bound 1/sqrt(fan_in) = 0.5
    assert lin.weight.abs().max() <= 0.5 and lin.bias.abs().max() <= 0.5


def test_member_init_independent_of_other_members():
    a = ToyGenerator(1, _gens(5), hidden=16, layers=2)
    b = ToyGenerator(3, _gens(1, 5, 9), hidden=16, layers=2)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        torch.testing.assert_close(pa[0], pb[1], rtol=0, atol=0, msg=na)
    assert not torch.equal(b.linears[0].weight[0], b.linears[0].weight[1])


def test_generator_chunks_equal_separate_calls():
    G = ToyGenerator(2, _gens(0, 1), hidden=16, layers=3)
    m, B = 3, 10
    z = torch.randn(2, m * B, 2)
    joint = G(z, chunks=m)
    separate = torch.cat([G(z[:, c * B:(c + 1) * B]) for c in range(m)], dim=1)
    torch.testing.assert_close(joint, separate, rtol=1e-6, atol=1e-6)
    assert not torch.allclose(G(z, chunks=1), joint, atol=1e-3)  # BN statistics do differ


def test_shapes_paper_architecture():
    G = ToyGenerator(2, _gens(0, 1))  # 2 -> 4 x 400 -> 2
    assert [l.weight.shape[1:] for l in G.linears] == [(2, 400), (400, 400), (400, 400), (400, 400)]
    assert G.out.weight.shape[1:] == (400, 2)
    D = MaxoutDiscriminator(2, 2 * 3, _gens(0, 1))  # input 2m, 3 x 200 maxout with 5 pieces -> 1
    assert [l.weight.shape[1:] for l in D.linears] == [(6, 1000), (200, 1000), (200, 1000)]
    assert D(torch.randn(2, 7, 6)).shape == (2, 7)
    assert G(torch.randn(2, 9, 2)).shape == (2, 9, 2)


def test_maxout_against_reference():
    D = MaxoutDiscriminator(2, 4, _gens(3, 4), hidden=6, layers=2, pieces=3)
    x = torch.randn(2, 5, 4)
    out = D(x)
    for e in range(2):
        h = x[e]
        for lin in D.linears:
            y = h @ lin.weight[e] + lin.bias[e]
            h = torch.stack([y[:, u * 3:(u + 1) * 3].max(dim=1).values for u in range(6)], dim=1)
        ref = (h @ D.out.weight[e] + D.out.bias[e]).squeeze(-1)
        torch.testing.assert_close(out[e], ref, rtol=1e-6, atol=1e-6)


def test_mlp_critic_draws_from_its_generator_only():
    from torch import nn

    from modecollapse.gan.nets import mlp_critic

    # The same values as the plain nn.Linear constructors after torch.manual_seed(s) (the
    # cross-checks' numbers were made that way), without reading or advancing the global generator.
    state = torch.get_rng_state()
    net = mlp_critic(4, 16, 2, generator=torch.Generator().manual_seed(5))
    assert torch.equal(torch.get_rng_state(), state)
    torch.manual_seed(5)
    ref = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
    torch.set_rng_state(state)
    assert [k for k, _ in net.named_parameters()] == [k for k, _ in ref.named_parameters()]
    for a, b in zip(net.parameters(), ref.parameters()):
        assert torch.equal(a, b)
    assert net(torch.zeros(3, 4)).shape == (3, 1)
    with pytest.raises(TypeError, match="generator"):
        mlp_critic(4, 16, 2, generator=5)
