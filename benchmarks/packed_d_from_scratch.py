"""How fast a packed maxout discriminator learns the 2D grid from scratch, with no generator.

The experiment behind the ``cpu`` preset's extra discriminator steps (README, "Why 3 D steps"):
a fresh maxout discriminator (``modecollapse.gan.nets``) with input width ``2m`` is trained with
the GAN discriminator loss ``softplus(-D(real)) + softplus(D(fake))`` to tell packs of ``m`` grid samples
(the 25 modes of docs/theory.md s.6, std 0.05) from packs of ``m`` samples of a *fixed* blurred grid
(same modes, std ``--fake-std``, default 0.5). The two are far apart (their packed TV is close to
1), so a discriminator that learns at all drops well below the chance loss ``2 log 2 = 1.386``.
Records the loss every 500 steps for each ``m`` and learning rate.

Usage::

    python benchmarks/packed_d_from_scratch.py --threads 1

Run on demand only (not part of the test suite). Writes ``benchmarks/results/packed_d_from_scratch.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path



def run_one(m: int, lr: float, *, hidden: int, steps: int, fake_std: float, seed: int, batch: int = 100) -> list[float]:
    """Losses (batch means, every 500 steps) of one discriminator trained from scratch."""
    import torch
    import torch.nn.functional as F

    from modecollapse.gan.data import get_dataset
    from modecollapse.gan.nets._toy import MaxoutDiscriminator, pack

    ds = get_dataset("grid", data_seed=0)
    means = torch.tensor(ds.means, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    D = MaxoutDiscriminator(1, 2 * m, [g], hidden=hidden, layers=3, pieces=5)
    opt = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    out = []
    for s in range(1, steps + 1):
        real = means[torch.randint(len(means), (1, m * batch), generator=g)]
        real = real + ds.std * torch.randn(real.shape, generator=g)
        fake = means[torch.randint(len(means), (1, m * batch), generator=g)]
        fake = fake + fake_std * torch.randn(fake.shape, generator=g)
        loss = F.softplus(-D(pack(real, m))).mean() + F.softplus(D(pack(fake, m))).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if s % 500 == 0:
            out.append(round(loss.item(), 4))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--m", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--lr", type=float, nargs="+", default=[1e-3, 3e-3, 1e-2])
    ap.add_argument("--hidden", type=int, default=64, help="maxout units per layer (cpu preset: 64, paper: 200)")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--fake-std", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="benchmarks/results/packed_d_from_scratch.json")
    args = ap.parse_args(argv)
    if args.steps < 500:
        ap.error(f"--steps must be >= 500 (losses are recorded every 500 steps); got {args.steps}")

    import torch

    from modecollapse.gan.experiments.runs import _versions

    torch.set_num_threads(args.threads)
    rows = []
    for lr in args.lr:
        for m in args.m:
            t0 = time.perf_counter()
            losses = run_one(m, lr, hidden=args.hidden, steps=args.steps, fake_std=args.fake_std, seed=args.seed)
            rows.append({"m": m, "lr": lr, "loss_every_500": losses, "seconds": time.perf_counter() - t0})
            print(f"lr {lr:g} m {m}: loss every 500 steps {losses}", flush=True)
    result = {"benchmark": "packed_d_from_scratch", "chance_loss": 2 * math.log(2), "hidden": args.hidden,
              "steps": args.steps, "fake_std": args.fake_std, "seed": args.seed, "rows": rows,
              "versions": _versions()}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
