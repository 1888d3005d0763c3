"""Mode-collapse regions of trained generators from samples: classifier ROC vs the partition counts.

    .venv/bin/python benchmarks/regions_trained.py \\
        --ring /work/runs/ring-cpu --grid /work/runs/grid-cpu --stacked STACKED_FOLDER... \\
        --stacked-steps 300 --n-stacked 10000 \\
        --out benchmarks/results/regions_trained.json --figure-data figures/data/regions_trained.json

(the committed record was made in three invocations, toys then two groups of stacked folders scored in
parallel and merged with ``--update --merge``; its ``command`` field lists them).

For every member of three finished cpu-preset runs (GAN and PacGAN2-4, seeds 0 and 1 each):

* **2-D ring and grid** (``gan train --preset cpu`` run folders, read with
  ``gan.experiments.runs.load_run``; fresh generator samples from the checkpoint through
  ``evaluate_run``; fresh target samples from the mixture):

  - ``classifier``: ``gan.crosscheck.estimate_region`` (an MLP trained on half of ``--n-toy``
    samples per side, scored on the other half) at ``m = 1`` and ``m = 2`` (packed classifier):
    an inner region of the *continuous* R(P^m, Q^m) at ``--confidence``;
  - ``partition``: ``regions.region_from_counts`` on the mode partition (one ``3 std`` disc per
    mode plus "elsewhere"), ``--n-counts`` samples per side, ``m = 1, 2``: inner and outer regions
    of the *discretised* pair R(P_cell^m, Q_cell^m), itself inside the continuous region (data
    processing);
  - ``cell_score``: the held-out half scored by a function of the cell only (the training half's
    ``log((c_P + 1/2) / (c_Q + 1/2))``), through ``region_from_scores``: its inner region is inside
    R(P_cell^m, Q_cell^m), hence inside the partition's outer region, with probability at least
    ``1 - 2 (1 - confidence)`` (union bound). This is the theorem-backed consistency check:
    ``cell_inside_outer`` false for more than a few percent of the rows would be a bug.

  Whether the MLP's inner region lies inside the partition's outer one is *not* a theorem: the
  continuous region contains the discretised one and can be larger. Where it sticks out
  (``classifier_excess > 0``) the classifier has certified, at its confidence, a difference
  between P and Q that no union of mode discs shows: the generator's modes have the wrong shape
  or spread, which mode counts never see.

* **Stacked MNIST** (``gan stacked --preset cpu`` folder with its ``stacked_m<m>_seed<s>.pt``
  checkpoints, one or more folders): target triples drawn from the
  4,000 training digits, generated triples from each checkpoint's generator; ``classifier`` is
  ``estimate_region`` with its packed CNN (``m = 1, 2``), ``partition`` is ``region_from_counts``
  over the 1000 digit-triple cells labelled by the run's digit classifier (both sides through
  the same classifier, so the statement is about the labelled pair).

Everything is seeded (``--seed``); torch runs on one thread. Writes the full record to ``--out``
(command, commit, machine, versions, settings, per-member bounds and the regions' vertices) and
the small subset the figure ``figures/fig_regions_trained.py`` draws to ``--figure-data`` (the
figure reads only that package data file, never ``benchmarks/``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from packed_tv import machine, versions  # noqa: E402  (the benchmarks' shared machine/version record)

MS = (1, 2)
TOY = ("ring", "grid")


def _commit() -> str | None:
    try:
        root = Path(__file__).resolve().parent.parent
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "benchmarks/regions_trained.py",
                                "gan/crosscheck/_estimate.py", "regions/_from_samples.py"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _verts(region, decimals: int = 6) -> list:
    return np.round(np.asarray(region.vertices, dtype=float), decimals).tolist()


def _excess(inner, outer) -> float:
    """``max_eps (inner.delta(eps) - outer.delta(eps))``, over the vertices of both (piecewise
    linear, so the maximum of the difference sits at a vertex of one of them); > 0: sticks out."""
    e = np.unique(np.concatenate([inner.vertices[:, 0], outer.vertices[:, 0]]))
    return float(np.max(np.asarray(inner.delta_at(e)) - np.asarray(outer.delta_at(e))))


def _cell_scores(cells_p, cells_q, k, rng, m, confidence):
    """The cell-function test: trained on one half (a log ratio of smoothed counts), scored on the other."""
    from modecollapse.regions import region_from_scores

    parts = []
    for c in (cells_p, cells_q):
        c = c[rng.permutation(c.size)]
        parts.append((c[: c.size // 2], c[c.size // 2:]))
    (tp, ep), (tq, eq) = parts
    w = np.log((np.bincount(tp, minlength=k) + 0.5) / (np.bincount(tq, minlength=k) + 0.5))
    return region_from_scores(w[ep], w[eq], confidence=confidence, m=m)


def _member_record(x_p, x_q, cells_p, cells_q, k, *, args, net_kw, seed, count_cells=None):
    """Classifier, partition and cell-score regions of one member at m = 1, 2."""
    from modecollapse.gan.crosscheck import estimate_region
    from modecollapse.regions import region_from_counts

    cp_all, cq_all = count_cells if count_cells is not None else (cells_p, cells_q)
    rec = {}
    for m in MS:
        t0 = time.perf_counter()
        clf = estimate_region(x_p, x_q, m=m, confidence=args.confidence, seed=seed, **net_kw)
        t_clf = time.perf_counter() - t0
        part = region_from_counts(np.bincount(cp_all, minlength=k), np.bincount(cq_all, minlength=k),
                                  confidence=args.confidence, m=m)
        cell = _cell_scores(cells_p, cells_q, k, np.random.default_rng(seed + 7), m, args.confidence)
        c = clf.classifier
        rec[str(m)] = {
            "classifier": {
                "tv_lower": clf.tv_lower, "tv_estimate": float(clf.estimate.tv),
                "radius_p": clf.result.radius_p, "radius_q": clf.result.radius_q,
                "n_test_packs": [clf.result.n_p, clf.result.n_q],
                "train_accuracy": c.train_accuracy, "test_accuracy": c.test_accuracy, "train_loss": c.train_loss,
                "net": c.net, "seconds": t_clf,
                "inner": _verts(clf.inner), "estimate": _verts(clf.estimate),
            },
            "partition": {
                "tv_lower": part.tv_lower, "tv_estimate": float(part.estimate.tv), "tv_upper": part.tv_upper,
                "radius_p": part.radius_p, "radius_q": part.radius_q, "n": [part.n_p, part.n_q], "cells": k,
                "inner": _verts(part.inner), "outer": _verts(part.outer), "estimate": _verts(part.estimate),
            },
            "cell_score": {"tv_lower": cell.tv_lower, "tv_estimate": float(cell.estimate.tv),
                           "inside_outer": bool(cell.inner.issubset(part.outer)),
                           "excess": _excess(cell.inner, part.outer)},
            "classifier_inside_outer": bool(clf.inner.issubset(part.outer)),
            "classifier_excess": _excess(clf.inner, part.outer),
        }
        print(f"    m={m}: classifier d_TV >= {clf.tv_lower:.3f} (acc {c.test_accuracy:.3f}, {t_clf:.0f} s); "
              f"partition {part.tv_lower:.3f} <= {part.estimate.tv:.3f} <= {part.tv_upper:.3f}; "
              f"cell score >= {cell.tv_lower:.3f}; excess {rec[str(m)]['classifier_excess']:+.2e}", flush=True)
    return rec


def toy_records(name: str, run_dir, args) -> dict:
    from modecollapse.gan.data import ModePartition, get_dataset
    from modecollapse.gan.experiments.runs import evaluate_run, load_run
    from modecollapse.gan.metrics import model_label

    run_dir = Path(run_dir)
    finished = (run_dir / "results.json").is_file()
    if not finished and not args.allow_unfinished:
        raise FileNotFoundError(f"no results.json in {run_dir}: the run has not finished (--allow-unfinished "
                                f"uses its latest checkpoint, for trying the script out)")
    res = load_run(run_dir) if finished else None
    n = max(args.n_toy, args.n_counts)
    ev = evaluate_run(run_dir, eval_samples=n, seed=args.seed + 1)
    spec = ev.spec
    if finished and ev.step != spec.steps:
        raise ValueError(f"{run_dir}: checkpoint at step {ev.step}, the run has {spec.steps} steps")
    ds = get_dataset(spec.dataset, data_seed=spec.data_seed)
    part = ModePartition.from_mixture(ds.mixture)
    k = part.n_cells
    net_kw = dict(net="mlp", hidden=args.toy_hidden, depth=2, steps=args.toy_steps, batch_size=args.toy_batch, lr=3e-3)
    members = []
    for i, (m_gan, s) in enumerate(spec.members):
        print(f"  {name} {model_label(m_gan)} seed {s}", flush=True)
        x_p = ds.sample(n, np.random.default_rng(args.seed * 1000 + 100 + i))
        x_q = ev.samples[i]
        cells_p, cells_q = part.assign(x_p), part.assign(x_q)
        rec = _member_record(x_p[: args.n_toy], x_q[: args.n_toy], cells_p[: args.n_toy], cells_q[: args.n_toy], k,
                             args=args, net_kw=net_kw, seed=args.seed + i,
                             count_cells=(cells_p[: args.n_counts], cells_q[: args.n_counts]))
        fresh = ev.metrics[i]
        row = {"m_gan": m_gan, "seed": s, "label": model_label(m_gan), "step": ev.step,
               "modes": (res.metrics[i] if finished else fresh).modes,
               "hq_percent": 100.0 * (res.metrics[i] if finished else fresh).hq_fraction,
               "modes_fresh": fresh.modes, "hq_percent_fresh": 100.0 * fresh.hq_fraction, "regions": rec}
        members.append(row)
    res_spec = spec
    return {"run": str(run_dir), "finished": finished, "dataset": res_spec.dataset, "preset": res_spec.preset,
            "steps": res_spec.steps, "step": ev.step, "n_modes": part.n_modes, "cells": k,
            "samples_per_side": {"classifier": args.n_toy, "counts": args.n_counts}, "members": members}


def stacked_records(folders, args) -> dict:
    """Every ``stacked_m<m>_seed<s>.pt`` in ``folders`` (``gan stacked --preset cpu`` outputs)."""
    import re
    from dataclasses import asdict

    import torch

    from modecollapse.gan.data._stacked import count_modes, triple_index
    from modecollapse.gan.experiments import _io
    from modecollapse.gan.metrics import model_label
    from modecollapse.gan.train.config import StackedConfig
    from modecollapse.gan.train._stacked import (label_channels, load_mnist_digits, load_stacked_state,
                                                 sample_generator, sample_stacked, split_digits,
                                                 train_digit_classifier)

    found = []
    for folder in folders:
        for path in sorted(Path(folder).glob("stacked_m*_seed*.pt")):
            mt = re.fullmatch(r"stacked_m(\d+)_seed(\d+)\.pt", path.name)
            if mt:
                found.append((int(mt.group(1)), int(mt.group(2)), path))
    if not found:
        raise FileNotFoundError(f"no stacked_m<m>_seed<s>.pt checkpoints in {folders}")
    found.sort()
    payloads = [(m, s, p, _io.load_checkpoint(p, kind="stacked")) for m, s, p in found]
    # settings with the defaults of fields added since a checkpoint was written filled in
    cfgs = {json.dumps(asdict(StackedConfig(**pl["spec"]["config"])), sort_keys=True) for *_, pl in payloads}
    if len(cfgs) != 1:
        raise ValueError(f"the stacked checkpoints were trained with different settings: {sorted(cfgs)}")
    cfg = json.loads(cfgs.pop())
    split = split_digits(load_mnist_digits(image_size=cfg["image_size"]))
    clf = train_digit_classifier(split.train, epochs=cfg["classifier_epochs"], seed=0)
    n = int(cfg["n_eval"])  # the protocol's evaluation sample: the same draw the run counted its modes on

    def cells(images):
        with torch.no_grad():
            return np.concatenate([triple_index(label_channels(clf, images[i:i + 4096]).numpy())
                                   for i in range(0, images.shape[0], 4096)])

    net_kw = dict(net="cnn", hidden=args.stacked_hidden, steps=args.stacked_steps, batch_size=64, lr=1e-3)
    members = []
    for m_gan, s, path, payload in payloads:
        state = load_stacked_state(payload["state"])
        if state.step != cfg["steps"] and not args.allow_unfinished:
            raise ValueError(f"{path} is at step {state.step} of {cfg['steps']}: not finished")
        print(f"  stacked {model_label(m_gan)} seed {s} ({path})", flush=True)
        x_q = sample_generator(state.generator, n, seed=10_000 + s)  # = evaluate_stacked's draw
        key = 10 * m_gan + s  # seeds by model, not by position: any subset of folders gives the same rows
        x_p = sample_stacked(split.train, n, generator=torch.Generator().manual_seed(args.seed * 1000 + 200 + key)).images
        cells_p, cells_q = cells(x_p), cells(x_q)
        own = count_modes(np.stack([cells_q // 100, cells_q // 10 % 10, cells_q % 10], axis=1))
        target = count_modes(np.stack([cells_p // 100, cells_p // 10 % 10, cells_p % 10], axis=1))
        ns = args.n_stacked
        rec = _member_record(x_p[:ns].numpy(), x_q[:ns].numpy(), cells_p[:ns], cells_q[:ns], 1000,
                             args=args, net_kw=net_kw, seed=args.seed + key, count_cells=(cells_p, cells_q))
        members.append({"m_gan": m_gan, "seed": s, "label": model_label(m_gan), "step": state.step,
                        "checkpoint": str(path), "modes": own.modes, "kl": own.kl,
                        "target_modes": target.modes, "target_kl": target.kl, "regions": rec})
    return {"runs": [str(f) for f in folders], "preset": "cpu", "config": cfg, "cells": 1000,
            "samples_per_side": {"classifier": args.n_stacked, "counts": n}, "members": members}


def figure_data(doc: dict) -> dict:
    """The small subset the figure draws: every member's TV bounds, seed 0's regions at m = 1."""
    out = {"source": "benchmarks/regions_trained.py", "command": doc["command"], "commit": doc["commit"],
           "confidence": doc["settings"]["confidence"], "datasets": {}}
    for name, d in doc["datasets"].items():
        rows = []
        for mem in d["members"]:
            row = {"m_gan": mem["m_gan"], "seed": mem["seed"], "label": mem["label"], "modes": mem["modes"]}
            for m, r in mem["regions"].items():
                row[m] = {"classifier_tv_lower": r["classifier"]["tv_lower"],
                          "partition_tv": [r["partition"]["tv_lower"], r["partition"]["tv_estimate"],
                                           r["partition"]["tv_upper"]],
                          "cell_tv_lower": r["cell_score"]["tv_lower"],
                          "classifier_excess": r["classifier_excess"]}
            if mem["seed"] == 0:
                r1 = mem["regions"]["1"]
                row["regions"] = {k: np.round(v, 4).tolist() for k, v in (
                    ("classifier_inner", r1["classifier"]["inner"]), ("partition_inner", r1["partition"]["inner"]),
                    ("partition_outer", r1["partition"]["outer"]))}
            rows.append(row)
        out["datasets"][name] = {"cells": d["cells"], "members": rows}
    return out


def _merge(doc: dict, datasets: dict, invocations: list) -> None:
    """Put ``datasets`` (and the ``invocations`` that computed them) into ``doc``: a toy dataset is
    replaced whole; stacked members are merged by ``(m, seed)``, the new ones winning. Invocations
    whose every dataset is replaced whole are dropped."""
    whole = {n for n in datasets if n != "stacked"}
    doc["invocations"] = [v for v in doc["invocations"] if set(v["datasets"]) - whole]
    for name, d in datasets.items():
        old = doc["datasets"].get(name)
        if old is not None and name == "stacked":
            new_keys = {(r["m_gan"], r["seed"]) for r in d["members"]}
            kept = [r for r in old["members"] if (r["m_gan"], r["seed"]) not in new_keys]
            d = {**d, "runs": sorted(set(old["runs"]) | set(d["runs"])),
                 "members": sorted(kept + d["members"], key=lambda r: (r["m_gan"], r["seed"]))}
        doc["datasets"][name] = d
    doc["invocations"].extend(invocations)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ring", default="/work/runs/ring-cpu")
    ap.add_argument("--grid", default="/work/runs/grid-cpu")
    ap.add_argument("--stacked", nargs="*", default=None,
                    help="gan stacked --preset cpu folders holding stacked_m<m>_seed<s>.pt (skipped if not given)")
    ap.add_argument("--update", action="store_true",
                    help="keep the datasets already in --out and replace only those computed now (stacked: "
                         "members merged by (m, seed))")
    ap.add_argument("--merge", nargs="*", default=None,
                    help="record files of other invocations whose datasets (and commands) are merged in the same way")
    ap.add_argument("--out", default="benchmarks/results/regions_trained.json")
    ap.add_argument("--figure-data", default="figures/data/regions_trained.json")
    ap.add_argument("--confidence", type=float, default=0.95)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-toy", type=int, default=20_000, help="samples per side for the 2-D classifiers")
    ap.add_argument("--n-counts", type=int, default=100_000, help="samples per side for the 2-D partition counts")
    ap.add_argument("--toy-steps", type=int, default=2_000)
    ap.add_argument("--toy-batch", type=int, default=512)
    ap.add_argument("--toy-hidden", type=int, default=64)
    ap.add_argument("--n-stacked", type=int, default=20_000, help="images per side for the stacked classifiers")
    ap.add_argument("--stacked-steps", type=int, default=1_000)
    ap.add_argument("--stacked-hidden", type=int, default=32)
    ap.add_argument("--allow-unfinished", action="store_true",
                    help="use a toy run's latest checkpoint before it has finished (trying the script out)")
    ap.add_argument("--only", default=None, help="comma-separated subset of ring,grid,stacked")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    t_start = time.time()
    only = set(args.only.split(",")) if args.only else {"ring", "grid", "stacked"}
    datasets = {}
    for name in TOY:
        if name in only:
            print(f"[{name}]", flush=True)
            datasets[name] = toy_records(name, getattr(args, name), args)
    if args.stacked and "stacked" in only:
        print("[stacked]", flush=True)
        datasets["stacked"] = stacked_records(args.stacked, args)
    command = " ".join([Path(sys.executable).name, *(sys.argv if argv is None else ["benchmarks/regions_trained.py", *argv])])
    invocation = {"command": command, "commit": _commit(), "datasets": sorted(datasets),
                  "settings": {k: v for k, v in vars(args).items() if k not in ("out", "figure_data", "update")},
                  "machine": machine(), "loadavg_end": os.getloadavg(), "wall_s": time.time() - t_start}
    doc = {"benchmark": "regions_trained", "datasets": {}, "invocations": []}
    if args.update and Path(args.out).is_file():
        doc = json.loads(Path(args.out).read_text())
    for path in args.merge or ():  # records of runs done in parallel (say, stacked folders as they finish)
        other = json.loads(Path(path).read_text())
        _merge(doc, other["datasets"], other["invocations"])
    _merge(doc, datasets, [invocation] if datasets else [])
    doc.update({
        "command": " && ".join(v["command"] for v in doc["invocations"]),
        "commit": doc["invocations"][-1]["commit"],
        "machine": doc["invocations"][-1]["machine"],
        "versions": versions(("numpy", "scipy", "torch")),
        "torch_threads": torch.get_num_threads(),
        "settings": doc["invocations"][-1]["settings"],
        "note": ("classifier: inner region of the continuous R(P^m, Q^m) (region_from_scores, DKW-Massart band on "
                 "held-out packs); partition: inner/outer of the discretised pair (region_from_counts, Weissman L1); "
                 "cell_score: a test that is a function of the cell, so inside the partition outer with "
                 "probability >= 1 - 2 alpha; classifier_excess > 0: the classifier certifies a difference the "
                 "partition cannot see (not a contradiction)"),
    })
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    # compact: the record holds every region's vertices (27 MB indented, a few MB compact)
    Path(args.out).write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    if args.figure_data:
        Path(args.figure_data).parent.mkdir(parents=True, exist_ok=True)
        Path(args.figure_data).write_text(json.dumps(figure_data(doc), indent=1) + "\n")
    print(f"wrote {args.out} and {args.figure_data} in {invocation['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
