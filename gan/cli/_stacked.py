"""``python -m modecollapse.gan stacked``: train GAN / PacGAN(m) DCGAN pairs on stacked MNIST and count modes.

Writes ``<out>/stacked_results.json`` (per-run modes and KL, mean +/- standard error per m, the
digit classifier's held-out accuracy, preset, device, and how the protocol differs from the paper)
and one checkpoint per run, ``<out>/stacked_m<m>_seed<s>.pt``, written atomically every
``--checkpoint-every`` steps; ``--resume`` continues from them exactly (CPU).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

NAME = "stacked"
HELP = "train GAN/PacGAN(m) on stacked MNIST (1000 modes) and count the modes captured"


def add_arguments(parser) -> None:
    parser.add_argument("--preset", default="cpu", help="paper (28x28 DCGAN, GPU) or cpu (14x14, minutes); default cpu")
    parser.add_argument("--m", default="1,2", help="packing degrees, comma separated (1 = GAN); default 1,2")
    parser.add_argument("--seeds", default="0", help="seeds, e.g. '0-4' or '0,2'; default 0")
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--steps", type=int, default=None, help="override the preset's training steps")
    parser.add_argument("--n-eval", type=int, default=None, help="override the number of evaluation samples (26,000)")
    parser.add_argument("--classifier-epochs", type=int, default=None, help="override the digit classifier's epochs")
    parser.add_argument("--checkpoint-every", type=int, default=500, help="steps between checkpoints; default 500")
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda[:i]")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoints in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _parse_ms(text: str) -> list[int]:
    try:
        ms = sorted({int(v) for v in str(text).split(",") if v.strip()})
    except ValueError:
        raise ValueError(f"--m must be comma-separated integers such as '1,2'; got {text!r}") from None
    if not ms or ms[0] < 1 or ms[-1] > 4:
        raise ValueError(f"--m must list packing degrees in 1..4; got {text!r}")
    return ms


def run(args) -> int:
    from dataclasses import asdict

    import torch

    from modecollapse.gan.experiments._io import atomic_write_text
    from modecollapse.gan.metrics import mean_se, model_label
    from modecollapse.gan.experiments.stacked_mnist import (
        PROTOCOL_NOTE, classifier_accuracy, evaluate_stacked, init_stacked, load_mnist_digits,
        load_stacked_state, split_digits, stacked_preset, train_digit_classifier, train_stacked,
    )
    from modecollapse.gan.experiments.runs import _versions
    from modecollapse.gan.train._ensemble import parse_seeds, resolve_device

    # ---- validate everything before any training
    cfg = stacked_preset(args.preset)
    if args.steps is not None:
        if args.steps < 1:
            raise ValueError(f"--steps must be >= 1; got {args.steps}")
        cfg = cfg.replace(steps=args.steps)
    if args.n_eval is not None:
        if args.n_eval < 1:
            raise ValueError(f"--n-eval must be >= 1; got {args.n_eval}")
        cfg = cfg.replace(n_eval=args.n_eval)
    if args.classifier_epochs is not None:
        if args.classifier_epochs < 1:
            raise ValueError(f"--classifier-epochs must be >= 1; got {args.classifier_epochs}")
        cfg = cfg.replace(classifier_epochs=args.classifier_epochs)
    if args.checkpoint_every < 1:
        raise ValueError(f"--checkpoint-every must be >= 1; got {args.checkpoint_every}")
    if args.threads is not None and args.threads < 1:
        raise ValueError(f"--threads must be >= 1; got {args.threads}")
    ms, seeds = _parse_ms(args.m), parse_seeds(args.seeds)
    device = resolve_device(args.device)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write_probe"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(f"--out {out} is not a writable folder ({exc})") from exc
    ckpts = {(m, s): out / f"stacked_m{m}_seed{s}.pt" for m in ms for s in seeds}
    payloads = {}
    for key, path in ckpts.items():
        if path.exists() and not args.resume:
            raise FileExistsError(f"{path} exists; pass --resume to continue it or choose another --out")
        if path.exists():
            try:
                payloads[key] = torch.load(path, map_location="cpu", weights_only=True)
            except Exception as exc:
                raise ValueError(f"checkpoint {path} is corrupt ({type(exc).__name__}: {exc})") from exc
            stored = payloads[key].get("config") if isinstance(payloads[key], dict) else None
            if stored != asdict(cfg) or payloads[key].get("m") != key[0] or payloads[key].get("seed") != key[1]:
                raise ValueError(f"checkpoint {path} was written for another setting: {stored} vs {asdict(cfg)}")

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    log = (lambda *a: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    t0 = time.perf_counter()
    split = split_digits(load_mnist_digits(image_size=cfg.image_size))
    clf = train_digit_classifier(split.train, epochs=cfg.classifier_epochs, seed=0, device=device)
    acc = classifier_accuracy(clf, split.test)
    log(f"[stacked] digit classifier: held-out accuracy {acc:.4f} on {len(split.test)} shipped digits")

    runs = []
    for m in ms:
        for s in seeds:
            key = (m, s)
            state = (load_stacked_state(payloads[key], device=device) if key in payloads
                     else init_stacked(cfg, m=m, seed=s, device=device))
            t_run = time.perf_counter()
            every = max(1, cfg.steps // 20)

            def progress(st, d_loss, g_loss, _t=t_run):
                if st.step % every == 0 or st.step == cfg.steps:
                    rate = st.step / max(time.perf_counter() - _t, 1e-9)
                    log(f"[stacked m={st.m} seed={st.seed}] step {st.step}/{cfg.steps} "
                        f"D {d_loss:.3f} G {g_loss:.3f} ({rate:.1f} steps/s)")
                if st.step % args.checkpoint_every == 0 or st.step == cfg.steps:
                    _save(st, ckpts[(st.m, st.seed)])

            if state.step < cfg.steps:
                train_stacked(state, split.train, until=cfg.steps, callback=progress)
            r = evaluate_stacked(state.generator, clf, n=cfg.n_eval, seed=10_000 + s)
            log(f"[stacked m={m} seed={s}] modes {r.modes}/1000, KL {r.kl:.3f}")
            runs.append({"m": m, "seed": s, "label": model_label(m),
                         "seconds": time.perf_counter() - t_run, **r.as_dict()})

    summary = {}
    for m in ms:
        rs = [r for r in runs if r["m"] == m]
        mo, kl = mean_se([r["modes"] for r in rs]), mean_se([r["kl"] for r in rs])
        summary[model_label(m)] = {"modes": {"mean": mo.mean, "se": mo.se, "n": mo.n},
                                                      "kl": {"mean": kl.mean, "se": kl.se, "n": kl.n}}
    result = {
        "benchmark": "stacked_mnist",
        "preset": args.preset,
        "config": asdict(cfg),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "versions": _versions(),
        "classifier_held_out_accuracy": acc,
        "n_classifier_held_out": len(split.test),
        "protocol_note": PROTOCOL_NOTE,
        "runs": runs,
        "summary": summary,
        "seconds": time.perf_counter() - t0,
    }
    path = atomic_write_text(out / "stacked_results.json", json.dumps(result, indent=1))
    for label, v in summary.items():
        se = v["modes"]["se"]
        log(f"[stacked] {label}: modes {v['modes']['mean']:.1f}" + ("" if se is None else f" ± {se:.1f}")
            + f", KL {v['kl']['mean']:.3f}")
    log(f"[stacked] results: {path}")
    return 0


def _save(state, path: Path) -> None:
    import os

    import torch

    tmp = path.with_name(path.name + ".tmp")
    torch.save(state.state_dict(), tmp)
    os.replace(tmp, path)
