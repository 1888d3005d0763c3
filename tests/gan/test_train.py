"""GanEnsemble: determinism, member independence, data weights, learning, exact state restore."""

import io

import numpy as np
import pytest
import torch

from modecollapse.gan.data._mixtures import grid, ring
from modecollapse.gan.train.config import PRESETS, get_preset
from modecollapse.gan.train._ensemble import GanEnsemble, Member, resolve_device
from modecollapse.gan.train.config import TrainConfig, parse_seeds


@pytest.fixture(autouse=True)
def _one_thread():
    # Two torch threads on a busy 2-core machine spin-wait and run ~10x slower than one.
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)

TINY = TrainConfig(batch_size=32, g_hidden=16, g_layers=2, d_hidden=8, d_layers=2, d_pieces=3, lr=1e-3, beta1=0.5)
RING = ring(n_train=2000)


def _params(ens, i):
    return {k: v.detach().clone() for k, v in ens.parameters_by_member(i).items()}


def test_same_seed_same_result_cpu():
    a = GanEnsemble(RING, [(1, 0), (2, 1)], TINY, device="cpu")
    b = GanEnsemble(RING, [(1, 0), (2, 1)], TINY, device="cpu")
    a.train(5)
    b.train(5)
    for i in range(2):
        pa, pb = _params(a, i), _params(b, i)
        for k in pa:
            torch.testing.assert_close(pa[k], pb[k], rtol=0, atol=0, msg=k)  # bitwise on CPU
    np.testing.assert_array_equal(a.sample(50), b.sample(50))
    assert a.sample(50).shape == (2, 50, 2)


def test_member_in_ensemble_equals_member_alone():
    big = GanEnsemble(RING, [(1, 0), (2, 5), (3, 1), (2, 7)], TINY, device="cpu")
    solo = GanEnsemble(RING, [(2, 7)], TINY, device="cpu")
    other = GanEnsemble(RING, [(2, 8)], TINY, device="cpu")
    for e in (big, solo, other):
        e.train(3)
    pb, ps, po = _params(big, 3), _params(solo, 0), _params(other, 0)
    diff = max((pb[k] - ps[k]).abs().max().item() for k in pb)
    ref = max((po[k] - ps[k]).abs().max().item() for k in po)
    # Same member: equal up to float32 round-off of batched vs single matmuls (seen: ~1e-6 after
    # 3 Adam steps of lr 1e-3); another seed differs at the scale of the weights (~0.1).
    assert diff < 1e-4
    assert ref > 1e-2
    assert np.abs(big.sample(200)[3] - solo.sample(200)[0]).max() < 1e-3


def test_data_weights_restrict_training_points_and_learning():
    # Weights on the training points of one grid mode only -> the generator must move there.
    d = grid(n_train=3000)
    target = 24  # mode (4, 4)
    w = (d.training_modes() == target).astype(float)
    w /= w.sum()
    cfg = TrainConfig(batch_size=64, g_hidden=32, g_layers=2, d_hidden=16, d_layers=2, d_pieces=3, lr=5e-3, beta1=0.5)
    ens = GanEnsemble(d, [(1, 0), (2, 0)], cfg, data_weights=w, device="cpu")
    mu = d.means[target]
    before = np.linalg.norm(ens.sample(500) - mu, axis=-1).mean(axis=1)
    ens.train(300, log_every=50)
    after = np.linalg.norm(ens.sample(500) - mu, axis=-1).mean(axis=1)
    # At init the samples sit near the origin, ~5.7 from (4, 4); after training within ~1.
    assert np.all(before > 4.0)
    assert np.all(after < 0.5 * before), (before, after)
    assert len(ens.history) == 6 and ens.history[-1][0] == 300


def test_learns_the_ring_modes_increase():
    cfg = TrainConfig(batch_size=64, g_hidden=64, g_layers=2, d_hidden=32, d_layers=2, d_pieces=3, lr=3e-3, beta1=0.5)
    from modecollapse.gan.metrics import mode_metrics

    d = ring(n_train=5000)
    ens = GanEnsemble(d, [(2, 0)], cfg, device="cpu")
    loose = 10.0  # 10 std = 0.1: a looser quality radius that a 400-step run can meet

    def score():
        x = ens.sample(1000)[0]
        r = mode_metrics(x, d.means, d.std, n_std=loose)
        dist = np.abs(np.linalg.norm(x, axis=1) - 1.0).mean()  # distance to the unit circle
        return r.modes, dist

    m0, dist0 = score()
    ens.train(400)
    m1, dist1 = score()
    assert m1 > m0 and m1 >= 4, (m0, m1)
    assert dist1 < 0.5 * dist0, (dist0, dist1)


def test_state_dict_roundtrip_continues_exactly():
    full = GanEnsemble(RING, [(1, 3), (3, 4)], TINY, data_weights=np.full(2000, 1 / 2000), device="cpu")
    full.train(8, log_every=2)
    half = GanEnsemble(RING, [(1, 3), (3, 4)], TINY, data_weights=np.full(2000, 1 / 2000), device="cpu")
    half.train(4, log_every=2)
    buf = io.BytesIO()
    torch.save(half.state_dict(), buf)
    buf.seek(0)
    resumed = GanEnsemble(RING, [(1, 3), (3, 4)], TINY, data_weights=np.full(2000, 1 / 2000), device="cpu")
    resumed.load_state_dict(torch.load(buf, weights_only=True))
    resumed.train(4, log_every=2)
    assert resumed.step == 8 and resumed.history == full.history
    for i in range(2):
        pf, pr = _params(full, i), _params(resumed, i)
        for k in pf:
            torch.testing.assert_close(pf[k], pr[k], rtol=0, atol=0, msg=k)


def test_load_state_dict_rejects_mismatch():
    a = GanEnsemble(RING, [(1, 0)], TINY, device="cpu")
    with pytest.raises(ValueError, match="members"):
        GanEnsemble(RING, [(2, 0)], TINY, device="cpu").load_state_dict(a.state_dict())
    with pytest.raises(ValueError, match="fingerprint"):
        GanEnsemble(ring(n_train=2000, data_seed=1), [(1, 0)], TINY, device="cpu").load_state_dict(a.state_dict())
    with pytest.raises(ValueError, match="not an ensemble state"):
        a.load_state_dict({"format": "x"})


def test_bad_input():
    with pytest.raises(ValueError, match="m must be >= 1"):
        Member(0, 1)
    with pytest.raises(ValueError, match="at least one"):
        GanEnsemble(RING, [], TINY, device="cpu")
    with pytest.raises(ValueError, match="data_weights must have shape"):
        GanEnsemble(RING, [(1, 0)], TINY, data_weights=np.ones(5) / 5, device="cpu")
    with pytest.raises(ValueError, match="sums to"):
        GanEnsemble(RING, [(1, 0)], TINY, data_weights=np.ones(2000), device="cpu")
    with pytest.raises(ValueError, match="non-negative"):
        GanEnsemble(RING, [(1, 0)], TINY, data_weights=-np.ones(2000) / 2000, device="cpu")
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=0.0)
    with pytest.raises(ValueError, match="unknown TrainConfig"):
        TrainConfig.from_dict({"lrr": 1.0})
    with pytest.raises(ValueError, match="steps"):
        GanEnsemble(RING, [(1, 0)], TINY, device="cpu").train(-1)
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu")


def test_device_auto_picks_cuda_when_available():
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu").type == "cpu"


def test_parse_seeds():
    assert parse_seeds("0-9") == list(range(10))
    assert parse_seeds("0,3,5-6") == [0, 3, 5, 6]
    for bad in ("", "a", "3-1", "-1", "1-"):
        with pytest.raises(ValueError, match="seeds"):
            parse_seeds(bad)


def test_presets():
    p = get_preset("paper")
    # docs/theory.md s.6 / PacGAN s.5.1: 400k steps, batch 100, Adam 1e-4 / 0.8, G 4x400, D 3x200 maxout 5.
    assert p.steps == 400_000 and p.eval_samples == 2500
    assert p.train_config() == TrainConfig(batch_size=100, lr=1e-4, beta1=0.8, latent_dim=2, g_hidden=400,
                                           g_layers=4, d_hidden=200, d_layers=3, d_pieces=5)
    for name in PRESETS:
        get_preset(name).train_config()
    with pytest.raises(ValueError, match="preset must be one of"):
        get_preset("fast")


# ---------------------------------------------------------------- discriminator-speed knobs
def _reference_step(ens):
    """The training step before ``d_steps`` / ``d_lr_mult`` existed (one D step, one lr), verbatim."""
    import torch.nn.functional as F

    from modecollapse.gan.nets._toy import pack

    if ens.config.lr_final is not None:
        lr = ens.config.lr_at(ens.step)
        for opt in (ens.opt_d, ens.opt_g):
            for pg in opt.param_groups:
                pg["lr"] = lr
    fakes, d_losses = [], []
    for grp in ens.groups:
        z, real = ens._draw(grp)
        fake = grp.G(z, chunks=grp.m)
        d_losses.append(F.softplus(-grp.D(pack(real, grp.m))).mean(1)
                        + F.softplus(grp.D(pack(fake.detach(), grp.m))).mean(1))
        fakes.append(fake)
    for p, gr in zip(ens.d_params, torch.autograd.grad(sum(l.sum() for l in d_losses), ens.d_params)):
        p.grad = gr
    ens.opt_d.step()
    g_losses = [F.softplus(-grp.D(pack(f, grp.m))).mean(1) for grp, f in zip(ens.groups, fakes)]
    for p, gr in zip(ens.g_params, torch.autograd.grad(sum(l.sum() for l in g_losses), ens.g_params)):
        p.grad = gr
    ens.opt_g.step()
    ens.step += 1


@pytest.mark.parametrize("decay", [False, True])
def test_default_d_knobs_reproduce_the_single_d_step_exactly(decay):
    cfg = TrainConfig.from_dict({**TINY.__dict__, **(dict(lr_final=1e-4, lr_decay_steps=6) if decay else {})})
    assert cfg.d_steps == 1 and cfg.d_lr_mult == 1.0
    assert TrainConfig.from_dict({**cfg.__dict__, "d_steps": 1, "d_lr_mult": 1.0}) == cfg
    new = GanEnsemble(RING, [(1, 0), (2, 1)], cfg, device="cpu")
    old = GanEnsemble(RING, [(1, 0), (2, 1)], cfg, device="cpu")
    new.train(6)
    for _ in range(6):
        _reference_step(old)
    for i in range(2):
        pn, po = _params(new, i), _params(old, i)
        for k in pn:
            torch.testing.assert_close(pn[k], po[k], rtol=0, atol=0, msg=k)
    assert [g.get_state().tolist() for g in new.gens] == [g.get_state().tolist() for g in old.gens]
    assert get_preset("paper").train_config().d_steps == 1
    assert get_preset("paper").train_config().d_lr_mult == 1.0


def test_d_steps_and_d_lr_mult_act_as_documented():
    cfg = TrainConfig.from_dict({**TINY.__dict__, "d_steps": 3, "d_lr_mult": 4.0, "lr_final": 1e-4,
                                 "lr_decay_steps": 10})
    ens = GanEnsemble(RING, [(1, 0), (3, 2)], cfg, device="cpu")
    ens.train(2)
    d_steps = {int(s["step"]) for s in ens.opt_d.state.values()}
    g_steps = {int(s["step"]) for s in ens.opt_g.state.values()}
    assert d_steps == {6} and g_steps == {2} and ens.step == 2
    assert ens.opt_d.param_groups[0]["lr"] == 4.0 * ens.opt_g.param_groups[0]["lr"] == 4.0 * cfg.lr_at(1)
    const = GanEnsemble(RING, [(1, 0)], TrainConfig.from_dict({**TINY.__dict__, "d_lr_mult": 5.0}), device="cpu")
    const.train(1)
    assert const.opt_d.param_groups[0]["lr"] == 5.0 * TINY.lr and const.opt_g.param_groups[0]["lr"] == TINY.lr
    with pytest.raises(ValueError, match="d_steps"):
        TrainConfig(d_steps=0)
    with pytest.raises(ValueError, match="d_lr_mult"):
        TrainConfig(d_lr_mult=0.0)


def test_d_knobs_deterministic_and_resume_exactly():
    cfg = TrainConfig.from_dict({**TINY.__dict__, "d_steps": 2, "d_lr_mult": 3.0})
    a = GanEnsemble(RING, [(1, 0), (2, 1)], cfg, device="cpu")
    b = GanEnsemble(RING, [(1, 0), (2, 1)], cfg, device="cpu")
    base = GanEnsemble(RING, [(1, 0), (2, 1)], TINY, device="cpu")
    for e in (a, b, base):
        e.train(6, log_every=2)
    assert a.history == b.history
    for i in range(2):
        pa, pb, p0 = _params(a, i), _params(b, i), _params(base, i)
        for k in pa:
            torch.testing.assert_close(pa[k], pb[k], rtol=0, atol=0, msg=k)
        assert any(not torch.equal(pa[k], p0[k]) for k in pa)
    half = GanEnsemble(RING, [(1, 0), (2, 1)], cfg, device="cpu")
    half.train(3, log_every=2)
    buf = io.BytesIO()
    torch.save(half.state_dict(), buf)
    buf.seek(0)
    resumed = GanEnsemble(RING, [(1, 0), (2, 1)], cfg, device="cpu")
    resumed.load_state_dict(torch.load(buf, weights_only=True))
    resumed.train(3, log_every=2)
    assert resumed.history == a.history
    for i in range(2):
        pa, pr = _params(a, i), _params(resumed, i)
        for k in pa:
            torch.testing.assert_close(pa[k], pr[k], rtol=0, atol=0, msg=k)
    # A checkpoint with a different d_steps is refused.
    with pytest.raises(ValueError, match="config"):
        GanEnsemble(RING, [(1, 0), (2, 1)], TINY, device="cpu").load_state_dict(half.state_dict())


def test_checkpoint_from_before_the_d_knobs_loads_with_defaults():
    ens = GanEnsemble(RING, [(1, 0)], TINY, device="cpu")
    ens.train(2)
    state = ens.state_dict()
    for key in ("d_steps", "d_lr_mult"):
        del state["config"][key]
    again = GanEnsemble(RING, [(1, 0)], TINY, device="cpu")
    again.load_state_dict(state)
    assert again.step == 2
    with pytest.raises(ValueError, match="config"):
        GanEnsemble(RING, [(1, 0)], TrainConfig.from_dict({**TINY.__dict__, "d_steps": 2}),
                    device="cpu").load_state_dict(state)
