"""``python -m modecollapse.gan evaluate RUN_DIR``: recompute the metrics of a run from its checkpoint.

Prints the per-``m`` table (mean +/- standard error over seeds) and writes ``evaluation.json``
(atomically) into the run folder. With the default sample count and seed it reproduces the
metrics of ``results.json`` exactly (same samples), which it reports.
"""

from __future__ import annotations

NAME = "evaluate"
HELP = "recompute modes, high-quality fraction and reverse KL of a trained run from its checkpoint"


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", help="run folder written by `python -m modecollapse.gan train`")
    parser.add_argument("--samples", type=int, default=None, help="samples per member (default: the run's)")
    parser.add_argument("--sample-seed", type=int, default=0, help="seed of the evaluation latents (default 0)")
    parser.add_argument("--device", default="auto", help="auto (CUDA if available), cpu, cuda, cuda:N")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")


def run(args) -> int:
    from modecollapse.gan.experiments.runs import evaluate_command

    return evaluate_command(args.run_dir, eval_samples=args.samples, seed=args.sample_seed, device=args.device,
                            threads=args.threads)
