"""Stacked MNIST in PacGAN Table 3's setting at CPU scale: train every (m, seed) run, merge one results file.

Each ``(m, seed)`` of ``--m`` x ``--seeds`` is one ``python -m modecollapse.gan stacked --preset
PRESET --m M --seeds S --threads 1`` process with its own folder ``<--work>/m<M>_seed<S>``;
``--jobs`` of them run at once (a run depends only on its ``(m, seed)`` and on the digit
classifier, which is trained with seed 0 in every process: the merge checks that every process
reports the same held-out accuracy). Finished runs are reused and interrupted ones resumed from
their checkpoints (``--resume``) when the script is run again. The merged file has the runs,
mean +/- standard error per model (:func:`gan.metrics.mean_se`), the difference of every packed
model from the unpacked one in modes and KL with its standard error, the one-command equivalent,
the commands executed, the commit, the machine, the versions and the time of every run.

Usage (the committed ``benchmarks/results/stacked_table3_cpu.json`` was written by)::

    python benchmarks/stacked_table3.py --preset table3-quarter-cpu --m 1 2 3 4 --seeds 0-2 --jobs 2 \\
        --work runs/table3-quarter --out benchmarks/results/stacked_table3_cpu.json

Run on demand only (not part of the test suite).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _provenance import library_commit, write_json


def _run_one(preset: str, m: int, seed: int, work: Path) -> dict:
    folder = work / f"m{m}_seed{seed}"
    cmd = [sys.executable, "-m", "modecollapse.gan", "stacked", "--preset", preset, "--m", str(m), "--seeds",
           str(seed), "--threads", "1", "--device", "cpu", "--out", str(folder), "--no-progress"]
    if (folder / f"stacked_m{m}_seed{seed}.pt").exists():
        cmd.append("--resume")
    results = folder / "stacked_results.json"
    if results.exists():
        return {"m": m, "seed": seed, "command": None, "cpu_seconds": None, "reused": True}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"run m={m} seed={seed} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {"m": m, "seed": seed, "command": " ".join(["python", *cmd[1:]]), "wall_seconds": time.perf_counter() - t0,
            "reused": False}


def merge(preset: str, ms, seeds, work: Path, executed: list[dict], command: str) -> dict:
    from modecollapse.gan.metrics import mean_se, model_label

    runs, accs, first = [], set(), None
    for m in ms:
        for s in seeds:
            res = json.loads((work / f"m{m}_seed{s}" / "stacked_results.json").read_text())
            if res["preset"] != preset:
                raise ValueError(f"{work}/m{m}_seed{s} is a {res['preset']!r} run, not {preset!r}")
            first = first or res
            accs.add(round(res["classifier_held_out_accuracy"], 12))
            (run,) = res["runs"]
            runs.append(run)
    if len(accs) != 1:
        raise ValueError(f"the processes trained different digit classifiers (held-out accuracies {sorted(accs)})")
    summary, by_m = {}, {}
    for m in ms:
        rs = [r for r in runs if r["m"] == m]
        mo, kl = mean_se([r["modes"] for r in rs]), mean_se([r["kl"] for r in rs])
        by_m[m] = (mo, kl)
        summary[model_label(m)] = {"modes": {"mean": mo.mean, "se": mo.se, "n": mo.n},
                                   "kl": {"mean": kl.mean, "se": kl.se, "n": kl.n}}
    vs_unpacked = {}
    if 1 in by_m:
        for m in ms:
            if m == 1:
                continue
            diff = {}
            for k, (a, b) in (("modes", (by_m[m][0], by_m[1][0])), ("kl", (by_m[m][1], by_m[1][1]))):
                se = math.hypot(a.se, b.se)
                diff[k] = {"difference": a.mean - b.mean, "se": se,
                           "z": (a.mean - b.mean) / se if se > 0 else None}
            diff["every_seed_more_modes"] = min(r["modes"] for r in runs if r["m"] == m) > max(
                r["modes"] for r in runs if r["m"] == 1)
            diff["every_seed_lower_kl"] = max(r["kl"] for r in runs if r["m"] == m) < min(
                r["kl"] for r in runs if r["m"] == 1)
            vs_unpacked[model_label(m)] = diff
    secs = {f"m{r['m']}_seed{r['seed']}": r["seconds"] for r in runs}
    return {
        "benchmark": "stacked_mnist",
        "table": "pacgan-table3",
        "preset": preset,
        "command": command,
        "equivalent_to": f"python -m modecollapse.gan stacked --preset {preset} --m {' '.join(map(str, ms))} "
                         f"--seeds {','.join(map(str, seeds))} --threads 1 --device cpu --out OUT",
        "executed_as": [e["command"] for e in executed if e["command"]],
        "execution_note": "one single-thread process per (m, seed), --jobs at once; each run depends only on its "
                          "(m, seed) and the digit classifier (seed 0, equal held-out accuracy in every process, "
                          "checked), so the numbers are those of the one command in equivalent_to",
        **library_commit(),
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
                    "loadavg_1m_at_merge": os.getloadavg()[0]},
        "config": first["config"],
        "device": first["device"],
        "versions": first["versions"],
        "data_source": first["data_source"],
        "data_file": first["data_file"],
        "classifier_held_out_accuracy": first["classifier_held_out_accuracy"],
        "n_classifier_held_out": first["n_classifier_held_out"],
        "protocol_note": first["protocol_note"],
        "runs": runs,
        "summary": summary,
        "vs_unpacked": vs_unpacked,
        "seconds_per_run": secs,
        "seconds_note": "each run's training + evaluation wall time on one thread, from its results file (no more "
                        "processes than cores, so close to its CPU time on an otherwise idle machine)",
        "seconds_total": sum(secs.values()),
    }


def main(argv=None) -> int:
    from modecollapse.gan.train.config import STACKED_PRESETS, parse_seeds

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="table3-quarter-cpu", help="a stacked-MNIST preset (default table3-quarter-cpu)")
    ap.add_argument("--m", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--seeds", default="0-2")
    ap.add_argument("--jobs", type=int, default=2, help="runs at once (default 2)")
    ap.add_argument("--work", required=True, help="folder of the run folders (created; reused on a re-run)")
    ap.add_argument("--out", required=True, help="merged results JSON")
    args = ap.parse_args(argv)
    if args.preset not in STACKED_PRESETS:
        ap.error(f"--preset must be one of {sorted(STACKED_PRESETS)}; got {args.preset!r}")
    if args.jobs < 1:
        ap.error(f"--jobs must be >= 1; got {args.jobs}")
    if any(m < 1 for m in args.m):
        ap.error(f"--m values must be >= 1; got {args.m}")
    seeds = parse_seeds(args.seeds, name="--seeds", limit=1000)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    jobs = [(m, s) for m in sorted(args.m, reverse=True) for s in seeds]  # longest runs first
    with ThreadPoolExecutor(args.jobs) as pool:
        executed = list(pool.map(lambda ms: _run_one(args.preset, ms[0], ms[1], work), jobs))
    command = "python benchmarks/stacked_table3.py " + " ".join(sys.argv[1:] if argv is None else argv)
    result = merge(args.preset, sorted(args.m), seeds, work, executed, command)
    out = write_json(args.out, result, allow_nan=True)
    for label, v in result["summary"].items():
        print(f"{label}: modes {v['modes']['mean']:.1f} ± {v['modes']['se']:.1f}, KL {v['kl']['mean']:.2f} ± "
              f"{v['kl']['se']:.2f}")
    for label, d in result["vs_unpacked"].items():
        print(f"{label} - GAN: modes {d['modes']['difference']:+.1f} (z {d['modes']['z']}), KL "
              f"{d['kl']['difference']:+.2f} (z {d['kl']['z']})")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
