"""``python -m modecollapse.figures``: regenerate the toolkit's figures.

    python -m modecollapse.figures                       # every figure into ./figures-out
    python -m modecollapse.figures --list                # names, captions, what each reproduces
    python -m modecollapse.figures regions_toy fgallery  # a subset
    python -m modecollapse.figures --out DIR --format pdf
    python -m modecollapse.figures gan_samples --runs DIR   # GAN/PacGAN runs of `gan train` in DIR
    python -m modecollapse.figures gan_samples --retrain    # train them afresh (about 18 min on 2 cores)

The GAN/PacGAN runs behind ``gan_samples`` and ``crosscheck_regions`` are, by default, the
cpu-preset generators shipped in the package (modecollapse/gan/experiments/models: 12,000 steps,
seed 0 of a 2-seed ensemble, checksummed), so those figures build in seconds.
"""

from __future__ import annotations

import argparse
import os
import sys

from ._registry import FORMATS


def main(argv=None, prog: str = "python -m modecollapse.figures") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="figures to build (default: all)")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--out", default="figures-out", help="output folder (default: %(default)s)")
    parser.add_argument("--format", default="png", choices=FORMATS, help="image format")
    parser.add_argument("--runs", default=None,
                        help="an existing folder written by `python -m modecollapse.gan train` (a run folder, or "
                             "one holding run folders at any depth): gan_samples and crosscheck_regions take the "
                             "finished GAN runs they need from it, found by each run's spec.json; with --retrain "
                             "the runs are trained into it. Also where the AdaGAN and cross-check figures look "
                             "for their results (default: OUT/_runs, and the shipped GAN models)")
    parser.add_argument("--retrain", action="store_true",
                        help="train the GAN/PacGAN runs of gan_samples and crosscheck_regions afresh (cpu preset, "
                             "12,000 steps, seed 0; about 18 minutes on 2 cores) into the runs folder instead of "
                             "using the shipped models; a finished run of the same specification there is reused")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads for the figures that train small models (default: "
                             "$OMP_NUM_THREADS, else 1: the toy networks gain nothing from more threads, "
                             "and on a busy machine extra threads make them slower)")
    parser.add_argument("--gan-steps", type=int, default=None,
                        help="train the GAN/PacGAN runs behind gan_samples and crosscheck_regions for N steps "
                             "(implies --retrain; default: the cpu preset's 12,000; timings in "
                             "benchmarks/results/gan_throughput.json)")
    args = parser.parse_args(argv)
    if args.gan_steps is not None and args.gan_steps < 1:
        parser.error(f"--gan-steps must be >= 1; got {args.gan_steps}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be >= 1; got {args.threads}")
    # read by torch when the first training figure imports it
    if args.threads is not None:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)
    else:
        os.environ.setdefault("OMP_NUM_THREADS", "1")

    from ._registry import _select_figures, available_figures, build_figures

    if args.list:
        for spec in available_figures():
            print(f"{spec.name:24s} {spec.caption}")
            if spec.reproduces:
                print(f"{'':24s} reproduces: {spec.reproduces}")
        return 0
    try:
        import matplotlib
    except ImportError:
        print(
            "error: building figures needs matplotlib, which is not installed.\n"
            "Install the extra:  pip install 'modecollapse[figures]'  (or: bash .ci/setup figures)",
            file=sys.stderr,
        )
        return 2
    matplotlib.use("Agg")
    from modecollapse.gan.experiments._io import check_writable

    try:
        # a typo, a file, a path under a file, a read-only folder: one line before anything is built
        _select_figures(args.names)
        if args.runs is not None:
            if os.path.exists(args.runs) and not os.path.isdir(args.runs):
                raise ValueError(f"--runs folder {args.runs} exists and is not a folder")
            if not os.path.isdir(args.runs):  # a typo must not become a new folder of fresh training
                raise FileNotFoundError(f"--runs folder {args.runs} does not exist (give a folder written by "
                                        f"`python -m modecollapse.gan train`, or leave out --runs)")
        check_writable(args.out, name="--out folder")
        results = build_figures(args.names or None, out_dir=args.out, fmt=args.format, runs_dir=args.runs,
                                seed=args.seed, gan_steps=args.gan_steps, retrain=args.retrain)
    except (ValueError, OSError) as exc:  # bad arguments, an output that cannot be written
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\nSummary")
    failed = 0
    for spec, files, dt, err in results:
        image = next((f for f in files if f.suffix == "." + args.format), None)
        if err:
            failed += 1
            print(f"  FAILED {spec.name}: {err}")
        else:
            print(f"  {image}  ({dt:.1f} s)\n      {spec.caption}")
    print(f"{len(results) - failed} of {len(results)} figures built into {args.out}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
