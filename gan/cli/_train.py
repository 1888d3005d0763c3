"""``python -m modecollapse.gan train``: train GAN / PacGAN(m) members as one batched ensemble.

Example::

    python -m modecollapse.gan train --dataset grid --m 1 2 3 4 --seeds 0-9 --preset cpu --out runs/grid-cpu

Writes ``spec.json``, periodic ``checkpoint.pt``, and at the end ``results.json`` and
``samples.npz`` into ``--out`` (see :mod:`gan.runs`). Every input is checked before training.
"""

from __future__ import annotations

import sys

NAME = "train"
HELP = "train GAN / PacGAN(m) on ring, grid or an AdaGAN mixture (batched ensemble over m and seeds)"


def add_arguments(parser) -> None:
    from modecollapse.gan.data._mixtures import DATASET_NAMES
    from modecollapse.gan.train.config import PRESETS

    parser.add_argument("--dataset", required=True, help=f"one of: {', '.join(DATASET_NAMES)}")
    parser.add_argument("--m", type=int, nargs="+", default=[1, 2, 3, 4], metavar="M",
                        help="packing degrees (1 = plain GAN); default: 1 2 3 4")
    parser.add_argument("--seeds", default="0", help="seeds, e.g. '0-9' or '0,3,5' (default: 0)")
    parser.add_argument("--preset", default="cpu", help=f"one of: {', '.join(PRESETS)} (default: cpu)")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: the preset's)")
    parser.add_argument("--eval-samples", type=int, default=None, help="samples per member for the metrics")
    parser.add_argument("--checkpoint-every", type=int, default=None, help="steps between checkpoints")
    parser.add_argument("--out", required=True, help="run folder (created)")
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint")
    g.add_argument("--overwrite", action="store_true", help="replace an existing run in --out")
    parser.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda, cuda:N")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--stop-at", type=int, default=None,
                        help="stop after this many total steps with a checkpoint (continue with --resume)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _format_summary(res) -> str:
    from modecollapse.gan.experiments.runs import _format_summary as table

    return "\n".join([f"{res.spec.dataset}, {res.spec.preset} preset, {len(res.spec.seeds)} seed(s), "
                      f"{res.info.get('device')}", *table(res.summary, res.spec.dataset)])


def run(args) -> int:
    from modecollapse.divergences._validation import check_integer

    from modecollapse.gan.experiments.runs import RunSpec
    from modecollapse.gan.train._ensemble import parse_seeds

    if args.threads is not None:
        check_integer(args.threads, "threads", minimum=1)
    spec = RunSpec(args.dataset, tuple(args.m), tuple(parse_seeds(args.seeds)), args.preset, args.steps,
                   args.eval_samples, args.checkpoint_every)
    import torch

    from modecollapse.gan.experiments.runs import train_run

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    res = train_run(spec, args.out, resume=args.resume, overwrite=args.overwrite, device=args.device,
                    progress=not args.no_progress, stop_at=args.stop_at)
    if res is not None:
        print(_format_summary(res))
        print(f"results: {res.path / 'results.json'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    from modecollapse.gan.cli import main

    sys.exit(main(["train", *sys.argv[1:]]))
