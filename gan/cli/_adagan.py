"""``python -m modecollapse.gan adagan``: AdaGAN's coverage experiment (Gaussian mixtures, T components).

Writes ``<out>/adagan_results.json`` (coverage per run and, like AdaGAN's Table 1, the median and
5-95% range per method, T and number of modes, beside the published table) and an atomic
checkpoint ``<out>/adagan_checkpoint.pt`` after every component; ``--resume`` continues exactly.
"""

from __future__ import annotations

from modecollapse.gan.cli._args import add_device, add_quiet

NAME = "adagan"
HELP = "AdaGAN coverage experiment: boosted/ensemble/TopKLast mixtures of GANs on 1..10-mode Gaussian mixtures"


def add_arguments(parser) -> None:
    parser.add_argument("--preset", default="cpu",
                        help="paper (35 runs per cell, T = 10; meant for a GPU), cpu (2 runs per cell, T = 3; "
                             "about 2 minutes on a 2-core CPU) or smoke (a code-path check); default cpu")
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--modes", nargs="+", default=None, metavar="K",
                        help="numbers of modes, e.g. '--modes 1 2 3 5 7 10' (preset's by default)")
    parser.add_argument("--runs", type=int, default=None, help="runs (seeds 0..runs-1) per cell")
    parser.add_argument("--methods", nargs="+", default=None, metavar="SCHEDULE",
                        help="beta schedules, e.g. '--methods ensemble boosted topklast:0.5 constant:0.5'")
    parser.add_argument("--components", type=int, default=None, help="T, the number of mixture components")
    parser.add_argument("--eval-at", nargs="+", default=None, metavar="T",
                        help="mixture sizes at which coverage is reported, e.g. '--eval-at 1 3 10'")
    parser.add_argument("--steps", type=int, default=None, help="GAN steps per component")
    parser.add_argument("--m", type=int, default=None, help="packing degree of the base GAN (1 = GAN)")
    add_device(parser)
    parser.add_argument("--resume", action="store_true", help="continue from <out>/adagan_checkpoint.pt")
    add_quiet(parser, "--no-progress")  # the spelling of `gan train` too


def run(args) -> int:
    from modecollapse.gan.experiments.adagan import coverage_command

    return coverage_command(preset=args.preset, out=args.out, modes=args.modes, runs=args.runs,
                            methods=args.methods, components=args.components, eval_at=args.eval_at,
                            steps=args.steps, m=args.m, device=args.device, resume=args.resume, quiet=args.quiet)
