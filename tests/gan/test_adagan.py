"""AdaGAN meta-algorithm: exact weights path on a discrete toy, mixture sampling, coverage gain,
checkpoint/resume of the coverage experiment, CLI errors."""

import json

import numpy as np
import pytest

import modecollapse.divergences as dv
from modecollapse.gan.experiments import adagan as ag


class _Discrete:
    """A distribution on fixed atoms (rows of ``atoms``) with probabilities ``probs``."""

    def __init__(self, atoms, probs):
        self.atoms, self.probs = np.asarray(atoms, float), np.asarray(probs, float)

    def sample(self, n, *, seed=0):
        idx = np.random.default_rng(seed).choice(len(self.probs), size=n, p=self.probs)
        return self.atoms[idx]


def _exact_model(mixture):
    return sum(a * c.probs for a, c in zip(mixture.weights, mixture.components))


@pytest.mark.parametrize("spec", ["constant:0.3", "boosted", "topklast:0.5", "constant:0.8"])
@pytest.mark.parametrize("case", [0, 1, 2])
def test_weights_path_equals_exact_theory_on_a_discrete_toy(spec, case):
    """With the exact optimal discriminator D* = p_d/(p_d + p_g) and a base learner that fits its
    weighted data exactly, every data-weight vector is AdaGAN's R* (Theorem 1) and the mixtures
    are the optimal iterates of divergences.adagan_iterates."""
    rng = np.random.default_rng(case)
    k = 8
    atoms = np.c_[np.arange(k), np.zeros(k)]
    p_d = rng.dirichlet(np.ones(k))
    p_1 = np.zeros(k)
    p_1[:2] = [0.7, 0.3]  # the first GAN (nearly) collapsed onto two atoms
    p_1 = 0.9 * p_1 + 0.1 * rng.dirichlet(np.ones(k))  # distinct ratios h = p_1/p_d, so TopKLast is defined
    # after an exact R* update h = lambda* on every reweighted atom (ties): TopKLast is then
    # undefined (divergences.topklast_beta raises), so it runs one update only
    T = 2 if spec.startswith("topklast") else 5
    seen = []

    def fit(t, w):
        seen.append(np.array(w))
        return _Discrete(atoms, p_1 if t == 1 else w)

    def discriminate(mixture, t):
        return p_d / (p_d + _exact_model(mixture))

    state = ag.AdaGANState.start(spec, base_weights=p_d)
    state = ag.run_adagan(state, T, fit_component=fit, discriminate=discriminate)
    np.testing.assert_allclose(seen[0], p_d, rtol=0, atol=0)  # t = 1: the data's own weights
    model = p_1
    for t in range(2, T + 1):
        beta = state.steps[t - 1].beta
        exact = dv.adagan_optimal_component(p_d, model, beta)
        # weights w_i = (b_i/beta)(lambda* - (1-beta) h_i)_+ with h = p_g/p_d and b = p_d are exactly R*
        np.testing.assert_allclose(seen[t - 1], exact.component, rtol=1e-9, atol=1e-15)
        assert state.steps[t - 1].lam == pytest.approx(exact.lam, rel=1e-9)
        model = exact.mixture
    its = dv.adagan_iterates(p_d, p_1, state.betas[1:])
    np.testing.assert_allclose(_exact_model(state.mixture()), its.models[-1], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(state.alphas, dv.adagan_mixture_weights(state.betas), rtol=0, atol=0)
    if spec == "boosted":
        np.testing.assert_allclose(state.alphas, np.full(T, 1 / T), rtol=1e-12)  # beta_t = 1/t: equal weights
    if spec.startswith("topklast"):
        for w in seen[1:]:
            assert np.count_nonzero(w <= 1e-12 * w.max()) >= 4  # half of the 8 atoms zeroed (up to the boundary atom)
    # the optimal updates never increase TV to the data (AdaGAN Theorem 1 guarantee, f = TV)
    tvs = [0.5 * np.abs(m - p_d).sum() for m in its.models]
    assert all(b <= a + 1e-12 for a, b in zip(tvs, tvs[1:]))


def test_ensemble_schedule_keeps_uniform_weights_and_needs_no_classifier():
    state = ag.AdaGANState.start("ensemble", 4)
    calls = []

    def discriminate(mixture, t):  # must never be called for the ensemble baseline
        calls.append(t)
        return np.full(4, 0.5)

    state = ag.run_adagan(state, 3, fit_component=lambda t, w: _Discrete([[0.0], [1.0], [2.0], [3.0]], w),
                          discriminate=discriminate)
    assert calls == []
    np.testing.assert_allclose(state.alphas, [1 / 3] * 3, rtol=1e-12)
    for s in state.steps:
        np.testing.assert_array_equal(s.weights, np.full(4, 0.25))


def test_state_validation():
    st = ag.AdaGANState.start("boosted", 3)
    with pytest.raises(ValueError, match="no component"):
        st.mixture()
    st = st.add(_Discrete([[0.0]], [1.0]), st.next_step())
    with pytest.raises(ValueError, match="needs discriminator_outputs"):
        st.next_step()
    with pytest.raises(ValueError, match="shape"):
        st.next_step(np.full(4, 0.5))
    with pytest.raises(ValueError, match="ScheduleStep of component 2"):
        st.add(_Discrete([[0.0]], [1.0]), ag.AdaGANState.start("boosted", 3).next_step())
    with pytest.raises(ValueError, match="spec must be one of"):
        ag.AdaGANState.start("sometimes", 3)
    with pytest.raises(TypeError, match="BetaSchedule"):
        ag.AdaGANState(schedule="boosted", base_weights=[1.0])


class _Const:
    def __init__(self, i):
        self.i = i

    def sample(self, n, *, seed=0):
        return np.full((n, 1), float(self.i))


def test_mixture_sampling_proportions():
    alpha = np.array([0.5, 0.3, 0.15, 0.05])
    mix = ag.Mixture(tuple(_Const(i) for i in range(4)), alpha)
    n = 40_000
    x = mix.sample(n, seed=7)
    got = np.bincount(x[:, 0].astype(int), minlength=4)
    np.testing.assert_array_equal(got, mix.counts(n, seed=7))  # the points follow the drawn counts exactly
    sd = np.sqrt(n * alpha * (1 - alpha))
    assert np.all(np.abs(got - n * alpha) < 5 * sd), (got, n * alpha)  # binomial, 5 sigma
    assert not np.all(np.diff(x[:, 0]) >= 0)  # shuffled, not grouped by component
    np.testing.assert_array_equal(mix.sample(100, seed=1), mix.sample(100, seed=1))
    with pytest.raises(ValueError, match="one weight per component"):
        ag.Mixture((_Const(0),), [0.5, 0.5])


class _Jitter:
    """Perfect weak learner: resamples the training points by their weights, plus small noise."""

    def __init__(self, pts, w, sd):
        self.pts, self.w, self.sd = pts, w, sd

    def sample(self, n, *, seed=0):
        rng = np.random.default_rng(seed)
        return self.pts[rng.choice(len(self.w), size=n, p=self.w)] + self.sd * rng.standard_normal((n, 2))


def test_adagan_recovers_modes_missed_by_a_collapsed_component():
    """Target: AdaGAN's 3-mode mixture. Component 1 collapsed on one mode. With a trained
    real-vs-mixture classifier, the Boosted weights vanish on the covered mode and the next
    components cover the others: coverage C rises from about 1/3 to near 1."""
    from modecollapse.gan.data._mixtures import adagan_gmm

    ds = adagan_gmm(3, n_train=900, data_seed=0)
    pts, modes = ds.training_points(), ds.training_modes()
    sd = ds.std
    collapsed = ds.means[0] + sd * np.random.default_rng(0).standard_normal((4000, 2))

    class _Collapsed:
        def sample(self, n, *, seed=0):
            return collapsed[np.random.default_rng(seed).integers(0, len(collapsed), n)]

    shift, scale = pts.mean(0), pts.std()

    def discriminate(mixture, t):
        fake = (mixture.sample(1500, seed=t) - shift) / scale
        predict = ag.train_real_vs_model(((pts - shift) / scale)[None], fake[None], hidden=32, steps=200,
                                         batch_size=128, seeds=[t])
        return predict(((pts - shift) / scale)[None])[0].double().numpy()

    state = ag.AdaGANState.start("boosted", len(pts))
    fit = lambda t, w: _Collapsed() if t == 1 else _Jitter(pts, w, sd)  # noqa: E731
    state = ag.run_adagan(state, 3, fit_component=fit, discriminate=discriminate, from_logits=True)
    w2 = state.steps[1].weights
    assert w2[modes == 0].sum() < 0.05  # the covered mode gets (almost) no weight
    assert w2[modes == 1].sum() > 0.3 and w2[modes == 2].sum() > 0.3
    data = ds.sample(1000, 99)
    c1 = dv.coverage_kde(collapsed[:1000], data).coverage
    c3 = dv.coverage_kde(state.mixture().sample(1000, seed=5), data).coverage
    assert c1 < 0.45 and c3 > 0.85, (c1, c3)  # measured 0.297 and 0.991: one mode of three covered, then all


_TINY = dict(modes=(2,), n_runs=1, methods=("ensemble", "boosted"), n_components=3, eval_at=(1, 3), steps=12,
             n_train=400, classifier_hidden=8, classifier_steps=20, classifier_batch=64, n_pool=300, n_eval=200,
             train=dict(batch_size=32, lr=2e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=8, g_layers=2,
                        d_hidden=8, d_layers=2, d_pieces=3))


def test_coverage_experiment_resume_is_exact(tmp_path, monkeypatch):
    cfg = ag.CoverageConfig(**_TINY)
    full = ag.run_coverage_experiment(cfg, tmp_path / "a", device="cpu", log=lambda m: None)
    assert set(full["summary"]) == {"Vanilla", "Best of T (T=3)", "Ensemble (T=3)", "Boosted (T=3)"}
    for r in full["runs"]:
        assert len(r["alphas"]) == 3 and abs(sum(r["alphas"]) - 1) < 1e-12
        assert all(0.0 <= r["coverage"][T][0] <= 1.0 for T in ("1", "3"))
    # interrupt after the second component's checkpoint, then resume
    real_save, calls = ag._save, []

    def failing_save(path, payload):
        real_save(path, payload)
        calls.append(payload["t"])
        if payload["t"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(ag, "_save", failing_save)
    with pytest.raises(KeyboardInterrupt):
        ag.run_coverage_experiment(cfg, tmp_path / "b", device="cpu", log=lambda m: None)
    monkeypatch.setattr(ag, "_save", real_save)
    with pytest.raises(FileExistsError):
        ag.run_coverage_experiment(cfg, tmp_path / "b", device="cpu", log=lambda m: None)
    with pytest.raises(ValueError, match="other settings"):
        ag.run_coverage_experiment(cfg.replace(steps=13), tmp_path / "b", resume=True, device="cpu", log=lambda m: None)
    resumed = ag.run_coverage_experiment(cfg, tmp_path / "b", resume=True, device="cpu", log=lambda m: None)
    assert calls == [1, 2]
    assert resumed["runs"] == full["runs"]  # bit-identical coverage, weights and alphas
    assert resumed["summary"] == full["summary"]
    (tmp_path / "b" / "adagan_checkpoint.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="corrupt"):
        ag.run_coverage_experiment(cfg, tmp_path / "b", resume=True, device="cpu", log=lambda m: None)


def test_cli_errors_and_published_table(tmp_path, capsys):
    from modecollapse.gan.cli import main

    assert main(["adagan", "--out", str(tmp_path), "--preset", "huge"]) == 2
    assert main(["adagan", "--out", str(tmp_path), "--steps", "0"]) == 2
    assert main(["adagan", "--out", str(tmp_path), "--modes", "0,3"]) == 2
    assert main(["adagan", "--out", str(tmp_path), "--methods", "sometimes"]) == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "adagan_results.json").exists()
    # the transcription of AdaGAN's Table 1 (arXiv 1701.02386): 9 rows x 6 mode counts, medians within their interval
    # (except where the published median lies outside its rounded interval, e.g. 0.99 (1.0; 1.0))
    pub = ag.PUBLISHED_COVERAGE
    assert len(pub["rows"]) == 9 and all(len(v) == 6 for v in pub["rows"].values())
    assert pub["rows"]["Vanilla"][5] == (0.59, 0.2, 0.7) and pub["rows"]["Boosted (T=10)"][0] == (1.0, 1.0, 1.0)


def test_help_states_the_presets_truthfully():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "modecollapse.gan", "adagan", "-h"], capture_output=True, text=True,
                         check=True).stdout
    text = " ".join(out.split())
    assert "3 runs" not in text and "tens of minutes" not in text
    cpu = ag.coverage_preset("cpu")
    assert f"cpu ({cpu.n_runs} runs per cell, T = {cpu.n_components};" in text


def test_cli_flipped_checkpoint_and_full_disk_are_one_line_errors(tmp_path, capsys, monkeypatch):
    import errno
    import os

    from modecollapse.gan.cli import main
    from modecollapse.gan.experiments import _io

    args = ["adagan", "--preset", "smoke", "--modes", "2", "--runs", "1", "--components", "2", "--steps", "5",
            "--device", "cpu", "--quiet"]
    out = tmp_path / "a"
    assert main([*args, "--out", str(out)]) == 0
    ckpt = out / "adagan_checkpoint.pt"
    raw = bytearray(ckpt.read_bytes())
    raw[len(raw) // 2] ^= 0x10
    ckpt.write_bytes(bytes(raw))
    capsys.readouterr()
    assert main([*args, "--out", str(out), "--resume"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "corrupt" in err[0] and str(ckpt) in err[0], err
    # disk full when the results are written: one line, non-zero, the checkpoint intact, no partial file
    real = _io._write_file

    def writer(path, data):
        if os.path.basename(path).startswith("adagan_results.json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(_io, "_write_file", writer)
    out2 = tmp_path / "b"
    assert main([*args, "--out", str(out2)]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and "ENOSPC" in err[0], err
    # the checkpoint and the training curves (metrics.jsonl; tensorboard/ where installed), no results file
    assert sorted(p.name for p in out2.iterdir() if p.name != "tensorboard") == ["adagan_checkpoint.pt", "metrics.jsonl"]
    assert _io.load_checkpoint(out2 / "adagan_checkpoint.pt", kind="adagan")["state"]["t"] == 2
