"""``python -m modecollapse.gan crosscheck ITEM``: cross-check trained/synthetic models against the exact theory.

Items: ``regions`` (mode-collapse region and packed TV vs the PacGAN bounds), ``packed-disc``
(packed discriminators as TV estimators), ``adagan`` (classifier weights vs exact R*),
``variational`` (f-GAN critics vs exact D_f), ``wasserstein`` (WGAN critic vs exact LP W1),
``all``. Each writes one JSON results file (atomically) into ``--out``.
"""

from __future__ import annotations

NAME = "crosscheck"
HELP = "cross-check generators, packed discriminators, AdaGAN weights and critics against the exact theory"


def add_arguments(parser) -> None:
    from modecollapse.gan.crosscheck import CROSSCHECK_ITEMS as ITEMS

    parser.add_argument("item", choices=[*ITEMS, "all"], help="which cross-check to run")
    parser.add_argument("--out", default="runs/crosscheck", help="folder for the JSON results (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny settings (seconds on a laptop CPU) for a smoke run")
    parser.add_argument("--steps", type=int, default=None, help="critic/classifier training steps (default: 400, quick: 100)")
    parser.add_argument("--samples", type=int, default=None,
                        help="generator samples for 'regions' (default: 100000, quick: 10000)")
    parser.add_argument("--runs", default=None,
                        help="'regions' only: also report the trained GAN/PacGAN generators found in this folder (run folders of `gan train`)")


def run(args) -> int:
    from modecollapse.gan.crosscheck import CROSSCHECK_ITEMS, run_crosscheck

    items = CROSSCHECK_ITEMS if args.item == "all" else (args.item,)
    for item in items:
        path, res = run_crosscheck(item, args.out, seed=args.seed, quick=args.quick, steps=args.steps,
                                   samples=args.samples, runs=args.runs)
        print(f"{item}: {res['seconds']:.1f} s -> {path}")
    return 0
