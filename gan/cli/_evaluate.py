"""``python -m modecollapse.gan evaluate RUN_DIR``: recompute the metrics of a run from its checkpoint.

Prints the per-``m`` table (mean +/- standard error over seeds) and writes ``evaluation.json``
(atomically) into the run folder. With the default sample count and seed it reproduces the
metrics of ``results.json`` exactly (same samples), which it reports.
"""

from __future__ import annotations

from modecollapse.gan.cli._args import add_device, add_threads

NAME = "evaluate"
HELP = "recompute modes, high-quality fraction and reverse KL of a trained run from its checkpoint"


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", help="run folder written by `python -m modecollapse.gan train`")
    parser.add_argument("--samples", type=int, default=None, help="samples per member (default: the run's)")
    parser.add_argument("--sample-seed", type=int, default=0, help="seed of the evaluation latents (default 0)")
    add_device(parser)
    add_threads(parser)


def run(args) -> int:
    from modecollapse.gan.experiments.runs import evaluate_command

    return evaluate_command(args.run_dir, eval_samples=args.samples, seed=args.sample_seed, device=args.device,
                            threads=args.threads)
