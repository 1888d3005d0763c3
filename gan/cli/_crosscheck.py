"""``python -m modecollapse.gan crosscheck ITEM``: cross-check trained/synthetic models against the exact theory.

Items: ``regions`` (mode-collapse region and packed TV vs the PacGAN bounds), ``packed-disc``
(packed discriminators as TV estimators), ``adagan`` (classifier weights vs exact R*),
``variational`` (f-GAN critics vs exact D_f), ``wasserstein`` (WGAN critic vs exact LP W1),
``all``. Each writes one JSON results file (atomically) into ``--out``.
"""

from __future__ import annotations

import time
from pathlib import Path

NAME = "crosscheck"
HELP = "cross-check generators, packed discriminators, AdaGAN weights and critics against the exact theory"

ITEMS = ("regions", "packed-disc", "adagan", "variational", "wasserstein")


def add_arguments(parser) -> None:
    parser.add_argument("item", choices=[*ITEMS, "all"], help="which cross-check to run")
    parser.add_argument("--out", default="runs/crosscheck", help="folder for the JSON results (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="tiny settings (seconds on a laptop CPU) for a smoke run")
    parser.add_argument("--steps", type=int, default=None, help="critic/classifier training steps (default: 400, quick: 100)")
    parser.add_argument("--samples", type=int, default=None,
                        help="generator samples for 'regions' (default: 100000, quick: 10000)")
    parser.add_argument("--runs", default=None,
                        help="'regions' only: also report the trained GAN/PacGAN generators found in this folder (run folders of `gan train`)")


def _one(item: str, args) -> dict:
    from modecollapse.gan import crosscheck as cc

    steps = args.steps if args.steps is not None else (100 if args.quick else 400)
    if item == "regions":
        n = args.samples if args.samples is not None else (10_000 if args.quick else 100_000)
        res = cc.run_regions_synthetic(n_samples=n, seed=args.seed)
        if args.runs is not None:
            res["trained"] = cc.run_regions_trained(args.runs, n_samples=n, seed=args.seed)
        return res
    if item == "packed-disc":
        if args.quick:
            return cc.run_packed_disc(ms=(1, 2), scales=((4, 250), (16, 1000)), steps=steps, n_test=5000, seed=args.seed)
        return cc.run_packed_disc(steps=args.steps or 600, seed=args.seed)
    if item == "adagan":
        return cc.run_adagan(n_data=1000 if args.quick else 5000, steps=steps, seed=args.seed)
    if item == "variational":
        return cc.run_variational(steps=steps, n_eval=5000 if args.quick else 20000, seed=args.seed)
    return cc.run_wasserstein(n=200 if args.quick else 400, steps=steps, seed=args.seed)


def run(args) -> int:
    from modecollapse.gan import crosscheck as cc

    out = Path(args.out)
    items = ITEMS if args.item == "all" else (args.item,)
    for item in items:
        t0 = time.perf_counter()
        res = _one(item, args)
        res["seconds"] = time.perf_counter() - t0
        res["quick"] = bool(args.quick)
        path = cc.write_results(out / f"crosscheck_{item.replace('-', '_')}_seed{args.seed}.json", res)
        print(f"{item}: {res['seconds']:.1f} s -> {path}")
    return 0
