"""Metrics of a run on the opt-in fused path against the default path's committed results.

The fused path (``TrainConfig(fused=True)``) rounds differently from the default one, so a run
on it is another trajectory: its metrics can only agree within seed noise. This script puts, per
member ``(m, seed)``, the fused run's modes / high-quality % / reverse KL beside the default
path's (``benchmarks/results/gan_cpu_preset_grid.json`` by default), and optionally a previous
fused run's (``--previous``: an earlier output of this script, whose ``fused`` entries are
listed as ``fused_grouped``: the fused path before all packing degrees shared one stack). Per
``m`` it reports the mean over seeds of each side, the fused-minus-default difference of the
means, and the seed-to-seed half-range of each side (the size of the noise the difference is to
be read against: with two seeds the half-range is the standard error of the mean); and, treating
every side's members as further seeds of one model, the within-side pooled standard deviation of
a member's metric and the fused-minus-default difference in units of its standard error.

Usage (the fused run is trained first)::

    nice -n 5 python -m modecollapse.gan train --dataset grid --m 1 2 3 4 --seeds 0-1 --preset cpu \\
        --threads 1 --fused --out /tmp/grid-fused
    python benchmarks/gan_fused_metrics.py /tmp/grid-fused --previous old_fused_metrics.json \\
        --out benchmarks/results/gan_throughput_fused_metrics.json

Run on demand only (not part of the test suite).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _provenance import git, write_json

METRICS = ("modes", "hq_percent", "reverse_kl")


def _members(doc) -> dict:
    """``{(m, seed): {metric: value}}`` of a results.json document."""
    return {(int(r["m"]), int(r["seed"])): {k: float(r[k]) for k in METRICS} for r in doc["members"]}


def _stats(rows: dict, side: str, m: int):
    vals = [v[side] for (mm, _), v in sorted(rows.items()) if mm == m and side in v]
    if not vals:
        return None, None
    mean = {k: sum(v[k] for v in vals) / len(vals) for k in METRICS}
    half = {k: (max(v[k] for v in vals) - min(v[k] for v in vals)) / 2 for k in METRICS}
    return mean, half


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fused", nargs="+", help="finished run folder(s) of the fused run (members are merged)")
    ap.add_argument("--default", default="benchmarks/results/gan_cpu_preset_grid.json",
                    help="the default path's results.json")
    ap.add_argument("--previous", default=None,
                    help="an earlier output of this script: its 'fused' entries become 'fused_grouped'")
    ap.add_argument("--out", default="benchmarks/results/gan_throughput_fused_metrics.json")
    args = ap.parse_args(argv)

    from modecollapse.gan.experiments.runs import load_run

    default_doc = json.loads(Path(args.default).read_text())
    default = _members(default_doc)
    fused, info, spec = {}, {}, None
    for folder in args.fused:
        res = load_run(folder)  # checks results.json's checksum
        if spec is None:
            spec = res.spec.to_dict()
        for (m, seed), met in zip(res.members, res.metrics):
            fused[(m, seed)] = {"modes": float(met.modes), "hq_percent": 100.0 * met.hq_fraction,
                                "reverse_kl": float(met.reverse_kl)}
        info[str(folder)] = res.info
    dspec = default_doc["spec"]
    for key in ("dataset", "preset", "steps", "eval_samples", "data_seed"):
        if spec.get(key) != dspec.get(key):
            raise SystemExit(f"the fused run's {key} is {spec.get(key)!r}, the default results' {dspec.get(key)!r}")
    if not spec.get("config", {}).get("fused"):
        raise SystemExit(f"{args.fused}: not a fused run (its config is {spec.get('config')!r})")
    missing = sorted(set(fused) - set(default))
    if missing:
        raise SystemExit(f"members {missing} of the fused run have no default-path result in {args.default}")
    previous = {}
    if args.previous is not None:
        for r in json.loads(Path(args.previous).read_text())["members"]:
            previous[(int(r["m"]), int(r["seed"]))] = {k: float(r["fused"][k]) for k in METRICS}

    rows = {}
    for key in sorted(fused):
        rows[key] = {"fused": fused[key], "default": default[key]}
        if key in previous:
            rows[key]["fused_grouped"] = previous[key]
    sides = ["fused", "default"] + (["fused_grouped"] if previous else [])
    by_m = {}
    for m in sorted({m for m, _ in rows}):
        entry = {}
        for side in sides:
            mean, half = _stats(rows, side, m)
            if mean is not None:
                entry[side] = mean
                entry[f"{side}_seed_half_range"] = half
        entry["fused_minus_default"] = {k: entry["fused"][k] - entry["default"][k] for k in METRICS}
        # if the paths train the same model, every side's members are more seeds of it: the
        # sample SD over all of them (pooled within sides) sizes the noise of one member, and
        # the difference of two sides' means of n seeds each has standard error SD * sqrt(2 / n)
        groups = [[v[side] for (mm, _), v in rows.items() if mm == m and side in v] for side in sides]
        groups = [g for g in groups if g]
        dof = sum(len(g) - 1 for g in groups)
        if dof > 0:
            n_f = sum(1 for (mm, _), v in rows.items() if mm == m)
            sd = {k: (sum((x[k] - sum(y[k] for y in g) / len(g)) ** 2 for g in groups for x in g) / dof) ** 0.5
                  for k in METRICS}
            entry["pooled_within_side_sd"] = sd
            entry["fused_minus_default_in_se"] = {
                k: (entry["fused_minus_default"][k] / (sd[k] * (2 / n_f) ** 0.5) if sd[k] > 0 else None)
                for k in METRICS}
        by_m[str(m)] = entry
    overall = {side: {k: sum(v[side][k] for v in rows.values()) / len(rows) for k in METRICS}
               for side in sides if all(side in v for v in rows.values())}

    commit = git("rev-parse", "HEAD")
    doc = {
        "benchmark": "gan_throughput_fused_metrics",
        "what": (f"{spec['preset']} preset, {spec['dataset']}, m {spec['ms']} x seeds {spec['seeds']}, "
                 f"{spec['steps']:,} steps: TrainConfig(fused={spec['config']['fused']!r}) against {args.default} "
                 "(default path)" + (f"; fused_grouped: the 'fused' entries of {args.previous}" if previous else "")),
        "command": " ".join(["python", "benchmarks/gan_fused_metrics.py"] + list(sys.argv[1:] if argv is None else argv)),
        "commit": commit,
        "members": [{"m": m, "seed": s, **v} for (m, s), v in rows.items()],
        "mean_over_seeds": by_m,
        "mean_over_all_members": overall,
        "fused_run_info": info,
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = write_json(args.out, doc)
    for m, e in by_m.items():
        print(f"m={m}: " + "; ".join(
            f"{k} fused {e['fused'][k]:.2f} (+-{e['fused_seed_half_range'][k]:.2f}) default {e['default'][k]:.2f} "
            f"(+-{e['default_seed_half_range'][k]:.2f})" + (
                f" diff/SE {e['fused_minus_default_in_se'][k]:+.1f}"
                if e.get("fused_minus_default_in_se", {}).get(k) is not None else "") for k in METRICS))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
