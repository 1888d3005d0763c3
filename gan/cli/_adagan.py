"""``python -m modecollapse.gan adagan``: seed 003's AdaGAN coverage experiment (Gaussian mixtures, T components).

Writes ``<out>/adagan_results.json`` (coverage per run and, like seed 003's table, the median and
5-95% range per method, T and number of modes, beside the published table) and an atomic
checkpoint ``<out>/adagan_checkpoint.pt`` after every component; ``--resume`` continues exactly.
"""

from __future__ import annotations

import sys

NAME = "adagan"
HELP = "AdaGAN coverage experiment: boosted/ensemble/TopKLast mixtures of GANs on 1..10-mode Gaussian mixtures"


def add_arguments(parser) -> None:
    parser.add_argument("--preset", default="cpu", help="paper (35 runs, GPU), cpu (3 runs, ~tens of minutes) or smoke")
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--modes", default=None, help="numbers of modes, e.g. '1,2,3,5,7,10' (preset's by default)")
    parser.add_argument("--runs", type=int, default=None, help="runs (seeds 0..runs-1) per cell")
    parser.add_argument("--methods", default=None,
                        help="beta schedules, e.g. 'ensemble,boosted,topklast:0.5,constant:0.5'")
    parser.add_argument("--components", type=int, default=None, help="T, the number of mixture components")
    parser.add_argument("--eval-at", default=None, help="mixture sizes at which coverage is reported, e.g. '1,3,10'")
    parser.add_argument("--steps", type=int, default=None, help="GAN steps per component")
    parser.add_argument("--m", type=int, default=None, help="packing degree of the base GAN (1 = GAN)")
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda[:i]")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/adagan_checkpoint.pt")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def _ints(text: str, flag: str) -> tuple[int, ...]:
    try:
        vals = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise ValueError(f"{flag} must be comma-separated integers; got {text!r}") from None
    if not vals:
        raise ValueError(f"{flag} must list at least one integer; got {text!r}")
    return vals


def run(args) -> int:
    from modecollapse.gan.experiments.adagan import coverage_preset, run_coverage_experiment

    cfg = coverage_preset(args.preset)
    changes = {}
    if args.modes is not None:
        changes["modes"] = _ints(args.modes, "--modes")
    if args.methods is not None:
        changes["methods"] = tuple(v.strip() for v in args.methods.split(",") if v.strip())
    if args.eval_at is not None:
        changes["eval_at"] = _ints(args.eval_at, "--eval-at")
    for flag, key in (("runs", "n_runs"), ("components", "n_components"), ("steps", "steps"), ("m", "m")):
        v = getattr(args, flag)
        if v is not None:
            if v < 1:
                raise ValueError(f"--{flag} must be >= 1; got {v}")
            changes[key] = v
    if "n_components" in changes and "eval_at" not in changes:
        changes["eval_at"] = tuple(sorted({1, 3, changes["n_components"]}))
    cfg = cfg.replace(**changes)
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    res = run_coverage_experiment(cfg, args.out, resume=args.resume, device=args.device, preset=args.preset, log=log)
    if not args.quiet:
        ks = [str(k) for k in cfg.modes]
        print("coverage C, median (5%; 95%) over runs; columns: modes " + ", ".join(ks), file=sys.stderr)
        for label, row in res["summary"].items():
            cells = [f"{row[k]['median']:.2f} ({row[k]['q05']:.1f}; {row[k]['q95']:.1f})" for k in ks]
            print(f"  {label:<20} " + "  ".join(cells), file=sys.stderr)
    return 0
