"""``python -m modecollapse.gan train``: train GAN / PacGAN(m) members as one batched ensemble.

Example::

    python -m modecollapse.gan train --dataset grid --m 1 2 3 4 --seeds 0-9 --preset cpu --out runs/grid-cpu
    python -m modecollapse.gan train --dataset ring --method unrolled --unroll-steps 5 --m 1 2 --out runs/ring-unrolled

``--method`` picks the objective (:data:`modecollapse.gan.train.config.METHODS`); packing ``--m``
is orthogonal to it.

Writes ``spec.json``, periodic ``checkpoint.pt``, and at the end ``results.json`` and
``samples.npz`` into ``--out`` (see :mod:`modecollapse.gan.experiments.runs`). Every input is
checked before training. ``--resume --out DIR`` continues a run from its ``spec.json``.
"""

from __future__ import annotations

from modecollapse.gan.cli._args import add_device, add_threads

import sys

NAME = "train"
HELP = ("train GAN / PacGAN(m) or another method (--method) on ring, grid or an AdaGAN mixture (batched "
        "ensemble over m and seeds)")


def add_arguments(parser) -> None:
    from modecollapse.gan.data._mixtures import DATASET_NAMES
    from modecollapse.gan.train.config import FGAN_DIVERGENCES, METHODS, PRESETS

    parser.add_argument("--dataset", default=None,
                        help=f"one of: {', '.join(DATASET_NAMES)} (required unless --resume reads it from --out)")
    parser.add_argument("--m", nargs="+", default=None, metavar="M",
                        help="packing degrees (1 = plain GAN), e.g. '--m 1 2 3'; default: 1 2 3 4")
    parser.add_argument("--seeds", default=None, help="seeds, e.g. '0-9' or '0,3,5' (default: 0)")
    parser.add_argument("--preset", default=None, help=f"one of: {', '.join(PRESETS)} (default: cpu)")
    parser.add_argument("--steps", type=int, default=None,
                        help="training steps (default: the preset's); with --resume, more steps extend a finished run")
    parser.add_argument("--eval-samples", type=int, default=None, help="samples per member for the metrics")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="steps between checkpoints")
    parser.add_argument("--out", required=True, help="run folder (created)")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its checkpoint (the other settings come from its spec.json)")
    g.add_argument("--overwrite", action="store_true", help="replace an existing run in --out")
    add_device(parser)
    add_threads(parser)
    parser.add_argument("--stop-at", type=int, default=None,
                        help="stop after this many total steps with a checkpoint (continue with --resume)")
    parser.add_argument("--method", default=None,
                        help=f"training objective, one of: {', '.join(METHODS)} (default: gan, the non-saturating "
                             f"GAN); every method packs with --m")
    parser.add_argument("--unroll-steps", type=int, default=None, metavar="K",
                        help="unrolled only: differentiable D steps in the G loss (default 5; 0 = minimax)")
    parser.add_argument("--f", default=None, metavar="NAME",
                        help=f"fgan only (required): the f-divergence, one of: {', '.join(FGAN_DIVERGENCES)}")
    parser.add_argument("--gp-lambda", type=float, default=None, help="wgan-gp only: penalty weight (default 10)")
    parser.add_argument("--clip", type=float, default=None, help="wgan only: weight clipping bound (default 0.01)")
    parser.add_argument("--fused", action="store_true", default=None,
                        help="opt-in fast CPU path (all packing degrees in one batched stack, fused kernels; about 2.3x "
                             "the default on the cpu preset; other float rounding, so not bit-identical to the "
                             "default path)")
    parser.add_argument("--no-progress", "--quiet", action="store_true", dest="no_progress", help="no progress bar")


def run(args) -> int:
    from modecollapse.gan.experiments.runs import train_command

    return train_command(dataset=args.dataset, ms=args.m, seeds=args.seeds, preset=args.preset, steps=args.steps,
                         eval_samples=args.eval_samples, checkpoint_every=args.checkpoint_every, out=args.out,
                         resume=args.resume, overwrite=args.overwrite, device=args.device, threads=args.threads,
                         stop_at=args.stop_at, progress=not args.no_progress,
                         method=args.method, unroll_steps=args.unroll_steps, f=args.f, gp_lambda=args.gp_lambda,
                         clip=args.clip, fused=args.fused)


if __name__ == "__main__":  # pragma: no cover
    from modecollapse.gan.cli import main

    sys.exit(main(["train", *sys.argv[1:]]))
