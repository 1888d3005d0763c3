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
    import json
    from pathlib import Path

    from modecollapse.divergences._validation import check_integer

    path = Path(args.run_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"run folder {path} does not exist")
    check_integer(args.sample_seed, "sample_seed", minimum=0)
    import torch

    from modecollapse.gan.experiments._io import atomic_write_text
    from modecollapse.gan.experiments.runs import _format_summary, _results_json, _summaries, evaluate_run

    if args.threads is not None:
        torch.set_num_threads(check_integer(args.threads, "threads", minimum=1))
    spec, step, samples, metrics = evaluate_run(path, eval_samples=args.samples, device=args.device,
                                                seed=args.sample_seed)
    summary = _summaries(spec, metrics)
    print(f"{spec.dataset}, {spec.preset} preset, step {step}/{spec.steps}, {samples.shape[1]} samples per member")
    print("\n".join(_format_summary(summary, spec.dataset)))
    rp = path / "results.json"
    if rp.is_file() and args.samples is None and args.sample_seed == 0 and step == spec.steps:
        stored = json.loads(rp.read_text())["members"]
        same = all(r["modes"] == x.modes and abs(r["hq_percent"] - 100 * x.hq_fraction) < 1e-9
                   for r, x in zip(stored, metrics))
        print("matches results.json" if same else "DIFFERS from results.json (other device or thread count?)")
    info = {"step": step, "device": str(args.device), "samples": int(samples.shape[1]), "sample_seed": args.sample_seed}
    atomic_write_text(path / "evaluation.json", _results_json(spec, metrics, summary, info))
    return 0
