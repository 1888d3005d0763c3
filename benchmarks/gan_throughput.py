"""Throughput of the batched GAN ensemble against training the same members one by one.

Same total work on both sides: ``len(ms) * len(seeds)`` members, ``--steps`` training steps each,
one ``GanEnsemble`` holding all of them (batched) versus one ``GanEnsemble`` per member run in
sequence. Reports member-steps per second (one member-step = one D step + one G step of one
member) and the ratio, and extrapolates the wall time of a full preset run (all members, all
steps of the preset) from the batched rate. Results go to a JSON file with the machine and the
library versions.

Usage::

    python benchmarks/gan_throughput.py --preset cpu --seeds 0-1 --steps 40 --threads 1
    python benchmarks/gan_throughput.py --preset paper --seeds 0-9 --steps 50 --device cuda

Run on demand only (not part of the test suite).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path



def _time_ensemble(ds, members, cfg, steps, device, warmup):
    import torch

    from modecollapse.gan.train._ensemble import GanEnsemble

    ens = GanEnsemble(ds, members, cfg, device=device)
    ens.train(warmup)
    if ens.device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    ens.train(steps)
    if ens.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="grid")
    ap.add_argument("--preset", default="cpu")
    ap.add_argument("--m", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--seeds", default="0-1")
    ap.add_argument("--steps", type=int, default=40, help="timed steps per member (after --warmup)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--skip-sequential", action="store_true")
    ap.add_argument("--out", default="benchmarks/results/gan_throughput.json")
    args = ap.parse_args(argv)

    import numpy as np
    import torch

    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.train.config import get_preset
    from modecollapse.gan.train._ensemble import resolve_device
    from modecollapse.gan.train.config import parse_seeds

    torch.set_num_threads(args.threads)
    preset = get_preset(args.preset)
    cfg = preset.train_config()
    ds = get_dataset(args.dataset)
    dev = resolve_device(args.device)
    seeds = parse_seeds(args.seeds)
    members = [(m, s) for m in args.m for s in seeds]
    E = len(members)

    t_batched = _time_ensemble(ds, members, cfg, args.steps, dev, args.warmup)
    rate_b = E * args.steps / t_batched
    print(f"batched   : {E} members x {args.steps} steps in {t_batched:.2f} s -> {rate_b:.1f} member-steps/s",
          flush=True)
    t_seq = None
    if not args.skip_sequential:
        t_seq = sum(_time_ensemble(ds, [mem], cfg, args.steps, dev, args.warmup) for mem in members)
        print(f"sequential: {E} members x {args.steps} steps in {t_seq:.2f} s -> "
              f"{E * args.steps / t_seq:.1f} member-steps/s; batched speed-up x{t_seq / t_batched:.2f}", flush=True)
    full_s = preset.steps * E / rate_b
    print(f"extrapolated full '{args.preset}' run ({E} members x {preset.steps} steps, batched): "
          f"{full_s / 60:.1f} min", flush=True)

    doc = {
        "benchmark": "gan_throughput",
        "dataset": args.dataset, "preset": args.preset, "ms": args.m, "seeds": seeds, "members": E,
        "timed_steps_per_member": args.steps, "warmup_steps": args.warmup,
        "batched_seconds": t_batched, "batched_member_steps_per_s": rate_b,
        "batched_ensemble_steps_per_s": args.steps / t_batched,
        "sequential_seconds": t_seq,
        "sequential_member_steps_per_s": None if t_seq is None else E * args.steps / t_seq,
        "speedup_batched_over_sequential": None if t_seq is None else t_seq / t_batched,
        "extrapolated_full_preset_minutes": full_s / 60,
        "preset_steps": preset.steps,
        "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None},
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1))
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
