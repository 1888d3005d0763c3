"""Throughput of the batched GAN ensemble: default path, opt-in fused path, an older checkout, one by one.

Same total work on every side: ``len(ms) * len(seeds)`` members, ``--steps`` training steps each
(after ``--warmup`` untimed steps). Timed in one invocation:

* ``batched``: one ``GanEnsemble`` holding all members, default path (bit-identical to the
  committed results);
* ``fused``: the same with ``TrainConfig(fused=True)`` (opt-in fast CPU path; other rounding):
  all packing degrees in one stack (``gan.train._ensemble._Merged``);
* ``fused_grouped``: ``TrainConfig(fused="grouped")``, the fused kernels with one stack per
  packing degree (the fused path before the merge);
* ``baseline`` (``--baseline-src DIR``): the default batched path of another source tree (e.g. an
  older commit unpacked with ``git archive``), run in a subprocess with ``DIR`` first on
  ``PYTHONPATH`` (its directory must contain the package as ``modecollapse/``);
* ``sequential``: one ``GanEnsemble`` per member, default path, run one after the other.

Rates are member-steps per second (one member-step = ``d_steps`` D steps + one G step of one
member), from wall time and from this process's CPU time (on a shared machine the CPU time is
the steadier one; ``--repeats`` takes the best of several). The in-process sides are all built
(and warmed up) first, then take their timed blocks in turn, round by round, so a burst of load
elsewhere on a shared machine hits all of them alike. Building a fused ensemble sets glibc's
allocator to keep freed memory (``gan.nets._toy._keep_freed_memory``, process-wide), so every
side, the default path included, is timed with that setting (``baseline`` runs in its own
process, without it). The report also states what bounds a
step: the matmul FLOPs of one member-step (counted from the layer shapes; elementwise work not
counted), the GFLOP/s that the training achieves, and the GFLOP/s of the same batched matmuls
timed alone. Results go to a JSON file with the machine and the library versions.

Usage::

    python benchmarks/gan_throughput.py --preset cpu --seeds 0-1 --steps 30 --threads 1
    git archive <rev> | tar -x -C /tmp/old/modecollapse
    python benchmarks/gan_throughput.py --baseline-src /tmp/old --out benchmarks/results/gan_throughput.json

Run on demand only (not part of the test suite).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _provenance import git, write_json


def _build(ds, members, cfg, device, warmup):
    """A warmed-up ``GanEnsemble`` (``warmup`` untimed steps)."""
    from modecollapse.gan.train._ensemble import GanEnsemble

    ens = GanEnsemble(ds, members, cfg, device=device)
    ens.train(warmup)
    return ens


def _time_block(ensembles, steps):
    """(wall seconds, CPU seconds) of ``steps`` training steps of each ensemble, one after the other."""
    import torch

    cuda = any(e.device.type == "cuda" for e in ensembles)
    if cuda:
        torch.cuda.synchronize()
    t0, c0 = time.perf_counter(), time.process_time()
    for ens in ensembles:
        ens.train(steps)
    if cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - t0, time.process_time() - c0


def _time_sides(sides, steps, repeats):
    """``{name: (wall, CPU)}``: ``repeats`` rounds, each timing one block of ``steps`` steps of every
    side in turn (a side is a list of ensembles trained one after the other); the fastest block of
    each side counts (wall and CPU time separately: on a shared machine the slow blocks are the
    ones another process preempted)."""
    best = {name: (float("inf"), float("inf")) for name in sides}
    for _ in range(repeats):
        for name, ensembles in sides.items():
            w, c = _time_block(ensembles, steps)
            best[name] = (min(best[name][0], w), min(best[name][1], c))
    return best


def _linear_shapes(cfg, m: int, dim: int):
    """(rows, fan_in, fan_out) of the generator's and the discriminator's matmuls for one member."""
    B, L, h = cfg.batch_size, cfg.latent_dim, cfg.g_hidden
    g = [(m * B, a, b) for a, b in zip([L] + [h] * cfg.g_layers, [h] * cfg.g_layers + [dim])]
    hd = cfg.d_hidden
    pieces = cfg.d_pieces if cfg.arch == "pacgan" else 1
    widths = [m * dim] + [hd] * cfg.d_layers
    d = [(B, a, b * pieces) for a, b in zip(widths[:-1], widths[1:])] + [(B, hd, 1)]
    return g, d


def step_flops(cfg, m: int, dim: int = 2) -> float:
    """Matmul FLOPs (2 per multiply-add) of one member-step of the plain GAN objective.

    Per D step: G forward; D forward on the real and the fake batch; D backward for the weights
    (all layers) and for the activations (all but the first layer; the inputs need no gradient).
    G step: D forward on the fake batch (the fake batch of the last D step is reused), D backward
    for the activations only (the optimiser step of D is over), G backward for the weights and
    the activations (all but the first layer). Elementwise work (BatchNorm, maxout, Adam) is not
    counted: it is what the FLOP rate below leaves unexplained.
    """
    g, d = _linear_shapes(cfg, m, dim)
    f = [2.0 * r * a * b for r, a, b in g]
    e = [2.0 * r * a * b for r, a, b in d]
    g_fwd, d_fwd = sum(f), sum(e)
    d_step = g_fwd + 2 * d_fwd + 2 * d_fwd + 2 * (d_fwd - e[0])
    g_step = d_fwd + d_fwd + g_fwd + (g_fwd - f[0])
    return cfg.d_steps * d_step + g_step


def matmul_rate(cfg, ms, n_seeds: int, dim: int = 2, repeats: int = 20) -> float:
    """GFLOP/s of the forward batched matmuls of one ensemble step's shapes, timed alone."""
    import torch

    flops, secs = 0.0, 0.0
    for m in ms:
        g, d = _linear_shapes(cfg, m, dim)
        for r, a, b in g + d:
            x, w = torch.randn(n_seeds, r, a), torch.randn(n_seeds, a, b)
            torch.bmm(x, w)
            c0 = time.process_time()
            for _ in range(repeats):
                torch.bmm(x, w)
            secs += time.process_time() - c0
            flops += repeats * 2.0 * n_seeds * r * a * b
    return flops / secs / 1e9


def _baseline(args, src: str) -> dict:
    """Time the default batched path of the source tree ``src`` in a subprocess."""
    code = (
        "import json, sys, time, torch\n"
        f"torch.set_num_threads({args.threads})\n"
        "from modecollapse.gan.data import get_dataset\n"
        "from modecollapse.gan.train.config import get_preset, parse_seeds\n"
        "from modecollapse.gan.train._ensemble import GanEnsemble\n"
        f"cfg = get_preset({args.preset!r}).train_config()\n"
        f"members = [(m, s) for m in {list(args.m)!r} for s in parse_seeds({args.seeds!r})]\n"
        "best = None\n"
        f"ens = GanEnsemble(get_dataset({args.dataset!r}), members, cfg, device={args.device!r})\n"
        f"ens.train({args.warmup})\n"
        f"for _ in range({args.repeats}):\n"
        "    t0, c0 = time.perf_counter(), time.process_time()\n"
        f"    ens.train({args.steps})\n"
        "    r = (time.perf_counter() - t0, time.process_time() - c0)\n"
        "    best = r if best is None else (min(best[0], r[0]), min(best[1], r[1]))\n"
        "import modecollapse\n"
        "print(json.dumps({'wall': best[0], 'cpu': best[1], 'file': modecollapse.__file__}))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=src)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if not res["file"].startswith(str(Path(src).resolve())):
        raise RuntimeError(f"--baseline-src {src}: the subprocess imported modecollapse from {res['file']}")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="grid")
    ap.add_argument("--preset", default="cpu")
    ap.add_argument("--m", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--seeds", default="0-1")
    ap.add_argument("--steps", type=int, default=30, help="timed steps per member (after --warmup)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=1,
                    help="timed blocks of --steps per side (one ensemble each); the fastest block counts")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--baseline-src", default=None,
                    help="a source tree holding an older modecollapse/ (e.g. from git archive) to time as 'baseline'")
    ap.add_argument("--skip-sequential", action="store_true")
    ap.add_argument("--skip-fused", action="store_true")
    ap.add_argument("--out", default="benchmarks/results/gan_throughput.json")
    args = ap.parse_args(argv)
    if args.steps < 1 or args.warmup < 0 or args.repeats < 1 or args.threads < 1:
        ap.error(f"--steps, --repeats and --threads must be >= 1 and --warmup >= 0; got --steps {args.steps} "
                 f"--warmup {args.warmup} --repeats {args.repeats} --threads {args.threads}")
    if args.baseline_src is not None and not (Path(args.baseline_src) / "modecollapse").is_dir():
        ap.error(f"--baseline-src {args.baseline_src!r} has no modecollapse/ folder")

    import numpy as np
    import torch

    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.train._ensemble import resolve_device
    from modecollapse.gan.train.config import get_preset, parse_seeds

    torch.set_num_threads(args.threads)
    preset = get_preset(args.preset)
    cfg = preset.train_config()
    ds = get_dataset(args.dataset)
    dev = resolve_device(args.device)
    seeds = parse_seeds(args.seeds)
    members = [(m, s) for m in args.m for s in seeds]
    E, work = len(members), len(members) * args.steps

    def report(name, wall, cpu, extra=""):
        print(f"{name:10s}: {E} members x {args.steps} steps: wall {wall:.2f} s -> {work / wall:.1f} member-steps/s; "
              f"CPU {cpu:.2f} s -> {work / cpu:.1f} member-steps/s{extra}", flush=True)
        return {"wall_seconds": wall, "cpu_seconds": cpu, "member_steps_per_s_wall": work / wall,
                "member_steps_per_s_cpu": work / cpu}

    built = {"batched": [_build(ds, members, cfg, dev, args.warmup)]}
    if not args.skip_fused:
        built["fused"] = [_build(ds, members, preset.train_config(fused=True), dev, args.warmup)]
        built["fused_grouped"] = [_build(ds, members, preset.train_config(fused="grouped"), dev, args.warmup)]
    if not args.skip_sequential:
        built["sequential"] = [_build(ds, [mem], cfg, dev, args.warmup) for mem in members]
    timed = _time_sides(built, args.steps, args.repeats)
    sides = {name: report(name, *timed[name]) for name in built}
    if args.baseline_src is not None:
        b = _baseline(args, args.baseline_src)
        sides["baseline"] = report("baseline", b["wall"], b["cpu"], f"  ({b['file']})")

    ratios = {}
    for a in sides:
        for b in sides:
            if a != b:
                ratios[f"{a}_over_{b}"] = sides[b]["cpu_seconds"] / sides[a]["cpu_seconds"]
    for k in ("fused_over_batched", "fused_grouped_over_batched", "fused_over_fused_grouped", "fused_over_baseline",
              "batched_over_baseline", "batched_over_sequential", "fused_over_sequential"):
        if k in ratios:
            print(f"speed-up {k.replace('_over_', ' over ')} (CPU time): x{ratios[k]:.2f}")

    ds_dim = np.asarray(ds.training_points() if hasattr(ds, "training_points") else ds).shape[1]
    flops = sum(step_flops(cfg, m, ds_dim) for m, _ in members)
    bound = {"matmul_gflop_per_member_step": flops / E / 1e9,
             "matmul_gflop_per_ensemble_step": flops / 1e9,
             # the merged fused path computes every member at the largest m (zero padding)
             "fused_padded_matmul_gflop_per_ensemble_step": E * step_flops(cfg, max(args.m), ds_dim) / 1e9}
    if dev.type == "cpu":
        bound["bmm_alone_gflop_per_s"] = matmul_rate(cfg, args.m, len(seeds))
    for name, s in sides.items():
        bound[f"{name}_achieved_gflop_per_s"] = flops * args.steps / s["cpu_seconds"] / 1e9
    print("matmul FLOPs: {:.3f} GFLOP per member-step; achieved {}; the same bmm shapes alone: {}".format(
        bound["matmul_gflop_per_member_step"],
        ", ".join(f"{n} {bound[f'{n}_achieved_gflop_per_s']:.1f}" for n in sides),
        f"{bound['bmm_alone_gflop_per_s']:.1f} GFLOP/s" if "bmm_alone_gflop_per_s" in bound else "n/a"))

    full_min = {name: preset.steps * E / s["member_steps_per_s_cpu"] / 60 for name, s in sides.items()}
    print("extrapolated full '{}' run ({} members x {} steps, CPU time): {}".format(
        args.preset, E, preset.steps, ", ".join(f"{n} {v:.1f} min" for n, v in full_min.items())), flush=True)

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--", "gan", "benchmarks/gan_throughput.py")
    dirty = None if commit is None or status is None else bool(status)
    doc = {
        "benchmark": "gan_throughput",
        "command": " ".join(["python", "benchmarks/gan_throughput.py"] + list(sys.argv[1:] if argv is None else argv)),
        "commit": commit, "uncommitted_changes_in_gan": dirty,
        "dataset": args.dataset, "preset": args.preset, "ms": args.m, "seeds": seeds, "members": E,
        "timed_steps_per_member": args.steps, "warmup_steps": args.warmup, "repeats": args.repeats,
        "sides": sides, "speedups_cpu_time": ratios, "bound": bound,
        "extrapolated_full_preset_minutes_cpu": full_min,
        "preset_steps": preset.steps,
        "baseline_src": args.baseline_src,
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None},
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(f"wrote {write_json(args.out, doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
