"""Every training method on the ring and the grid at CPU scale, packed and not: the methods table.

For each dataset (``ring``, ``grid``) and each method of :data:`gan.train.config.METHODS` one
ensemble run (``train_run`` through ``load_or_train``) holds the members ``m in --m`` x ``seed in
--seeds``; each run has its own folder under ``--runs`` (named by :meth:`RunSpec.folder_name`), so
re-running the script reuses finished runs and resumes interrupted ones from their checkpoints.
Then the per-member metrics (modes captured, % high quality, reverse KL; :mod:`gan.metrics`) are
aggregated per method and ``m`` (mean +/- standard error over seeds) into one JSON file with the
command, the commit, the machine, the library versions and the CPU time of every run, beside the
published rows of PacGAN Table 1 and VEEGAN Table 1 (:mod:`gan.experiments.reference`).

Every method trains the same networks with the same preset and the same number of steps
(``--steps``; a smaller value than the preset's is a reduction of that preset applied to all
methods alike: the ``cpu`` preset's learning rate then decays over the shorter run). WGAN and
WGAN-GP bring their published optimisers (:data:`gan.train.config.METHOD_SETTINGS`), as in
every preset; f-GAN trains the divergence ``--f``. Nothing is tuned per method.

Usage (the committed ``benchmarks/results/methods_cpu.json`` was trained by the first command, once
per dataset in two processes at once, and written by the second, which only re-aggregates the
finished run folders)::

    python benchmarks/methods_table.py --datasets ring --steps 2000 --runs runs/methods_cpu --threads 1
    python benchmarks/methods_table.py --datasets grid --steps 2000 --runs runs/methods_cpu --threads 1
    python benchmarks/methods_table.py --steps 2000 --runs runs/methods_cpu --aggregate-only

2,000 steps is a reduction of the ``cpu`` preset (12,000 steps) to fit the shared 2-core machine:
the 36 ensembles' wall times sum to about 121 minutes on a loaded machine (an earlier 200-step
table took 300 CPU seconds), so the full preset would need about 4.4 CPU hours.
The training command and commit are recorded in ``<runs>/provenance.json`` when training starts
(one entry per start, so a resumed run shows both) and copied into the results file.

Run on demand only (not part of the test suite).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
import time
from pathlib import Path

from _provenance import ROOT, library_commit, write_json

FORMAT = "modecollapse.benchmarks.methods_table/1"
PROVENANCE = "provenance.json"


def _num(v):
    return v if v is None or (isinstance(v, float) and math.isfinite(v)) or isinstance(v, int) else str(v)


def _method_config(method: str, f: str) -> dict:
    if method == "gan":
        return {}
    return {"method": method, **({"f": f} if method == "fgan" else {})}


def _specs(args):
    from modecollapse.gan.experiments.runs import RunSpec
    from modecollapse.gan.train.config import parse_seeds

    seeds = tuple(parse_seeds(args.seeds))
    for method in args.methods:  # method-major: a partial run fills whole rows of the table
        for dataset in args.datasets:
            yield dataset, method, RunSpec(dataset, tuple(args.m), seeds, args.preset, args.steps,
                                           config=_method_config(method, args.f)).resolved()


def _command() -> str:
    return "python " + " ".join(["benchmarks/methods_table.py", *sys.argv[1:]])


def _write_provenance(runs: Path) -> None:
    """``runs/provenance.json``: the command and commit that train (appended to on every resume)."""
    runs.mkdir(parents=True, exist_ok=True)
    p = runs / PROVENANCE
    old = json.loads(p.read_text()) if p.is_file() else []
    old.append({"command": _command(), **library_commit(),
                "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")})
    write_json(p, old)


def _train_all(args, log) -> dict:
    """Train (or reuse / resume) every run; returns {folder name: CPU seconds spent here}."""
    import torch

    from modecollapse.gan.experiments.runs import load_or_train

    torch.set_num_threads(args.threads)
    _write_provenance(Path(args.runs))
    spent = {}
    for dataset, method, spec in _specs(args):
        t0 = time.process_time()
        load_or_train(args.runs, dataset=dataset, ms=spec.ms, seeds=spec.seeds, preset=spec.preset,
                      steps=spec.steps, config=spec.config, device=args.device, log=log)
        spent[spec.folder_name()] = time.process_time() - t0
        log(f"{dataset} {method}: {spent[spec.folder_name()]:.0f} CPU s in this process")
    return spent


def _aggregate(args) -> dict:
    from modecollapse.gan.experiments import _io
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1_ROWS, VEEGAN_TABLE1_ROWS
    from modecollapse.gan.experiments.runs import load_run, method_label

    rows, missing = {}, []
    runs_info = {}
    for dataset, method, spec in _specs(args):
        path = Path(args.runs) / spec.folder_name()
        if not (path / "results.json").is_file():
            missing.append(str(path))
            continue
        res = load_run(path)
        if res.spec != spec:
            raise ValueError(f"{path} holds another run ({res.spec}) than {spec}")
        runs_info[f"{dataset}/{method}"] = {"folder": path.name, "elapsed_s": res.info.get("elapsed_s"),
                                            "device": res.info.get("device"), "versions": res.info.get("versions")}
        for m in spec.ms:
            per_seed = res.metrics_for(m)
            summ = res.summary[m]
            rows.setdefault(dataset, []).append({
                "method": method, "m": m, "label": method_label(method, m, spec.config.get("f")),
                **{k: {"mean": _num(v.mean), "se": _num(v.se), "n": v.n} for k, v in summ.items()},
                "per_seed": [{"seed": s, "modes": r.modes, "hq_percent": 100.0 * r.hq_fraction,
                              "reverse_kl": _num(r.reverse_kl)} for s, r in zip(spec.seeds, per_seed)],
            })
    published = {
        "pacgan_table1": {ds: {label: {k: {"mean": v[0], "se": v[1]} for k, v in r.items()} for label, r in t.items()}
                          for ds, t in PACGAN_TABLE1_ROWS.items() if ds in args.datasets},
        "veegan_table1": {ds: {label: {k: {"mean": v[0], "se": v[1]} for k, v in r.items()} for label, r in t.items()}
                          for ds, t in VEEGAN_TABLE1_ROWS.items() if ds in args.datasets},
        "note": "PacGAN Table 1: 10 runs of 400k steps of PacGAN's 4x400 / maxout 3x200x5 networks (mean +/- s.e.); "
                "VEEGAN Table 1: 5 runs of small MLPs (means only), its WGAN-GP row added by GDPP. The GAN rows of "
                "the two tables differ because the networks differ.",
    }
    first = next(iter(runs_info.values()), {})
    prov = Path(args.runs) / PROVENANCE
    return {
        "format": FORMAT,
        "training": json.loads(prov.read_text()) if prov.is_file() else None,
        "training_versions": first.get("versions"),
        "aggregated_by": {"command": _command(), **library_commit(),
                          "written": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")},
        "settings": {"datasets": list(args.datasets), "methods": list(args.methods), "ms": list(args.m),
                     "seeds": args.seeds, "preset": args.preset, "steps": args.steps, "fgan_f": args.f,
                     "threads": args.threads,
                     "note": (f"a reduction of the {args.preset!r} preset to {args.steps} steps for every method "
                              f"(its learning-rate decay spans the shorter run)") if args.steps else None},
        "total_train_wall_s": sum(r["elapsed_s"] or 0.0 for r in runs_info.values()),
        "environment": _io.environment(),
        "runs": runs_info,
        "missing": missing,
        "rows": rows,
        "published": published,
    }


def _fmt(v: dict, digits: int) -> str:
    mean, se = v["mean"], v["se"]
    if isinstance(mean, str) or isinstance(se, str):
        return f"{mean}" if se is None else f"{mean} ± {se}"
    return f"{mean:.{digits}f}" if se is None else f"{mean:.{digits}f} ± {se:.{digits}f}"


def markdown(doc: dict) -> str:
    """The table of ``doc`` as markdown (one block per dataset)."""
    out = []
    for dataset, rows in doc["rows"].items():
        out.append(f"{dataset}: modes / % high quality / reverse KL (mean ± s.e. over {rows[0]['modes']['n']} seeds)")
        out.append("")
        out.append("| method | m | modes | % HQ | reverse KL |")
        out.append("|---|---|---|---|---|")
        for r in rows:
            out.append(f"| {r['label']} | {r['m']} | {_fmt(r['modes'], 1)} | {_fmt(r['hq_percent'], 1)} | "
                       f"{_fmt(r['reverse_kl'], 2)} |")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    from modecollapse.gan.train.config import FGAN_DIVERGENCES, METHODS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["ring", "grid"], choices=["ring", "grid"])
    ap.add_argument("--methods", nargs="+", default=[m for m in METHODS if m != "unrolled"] + ["unrolled"],
                    choices=list(METHODS), help="default: all, the costliest (unrolled) last")
    ap.add_argument("--f", default="kl", choices=list(FGAN_DIVERGENCES), help="divergence of the fgan method")
    ap.add_argument("--m", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seeds", default="0-1")
    ap.add_argument("--preset", default="cpu")
    ap.add_argument("--steps", type=int, default=None, help="steps of every run (default: the preset's)")
    ap.add_argument("--runs", required=True, help="folder of the run folders (reused / resumed)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--aggregate-only", action="store_true", help="train nothing; aggregate the finished runs")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "methods_cpu.json"))
    args = ap.parse_args(argv)

    def log(s):
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {s}", file=sys.stderr, flush=True)

    if not args.aggregate_only:
        _train_all(args, log)
    doc = _aggregate(args)
    if doc["missing"]:
        log(f"{len(doc['missing'])} run(s) not finished: {doc['missing']}")
    write_json(args.out, doc)
    print(markdown(doc))
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
