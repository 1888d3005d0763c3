"""Benchmark: exact W1 in 2-D, ``modecollapse.divergences.wasserstein1`` against POT's ``ot.emd2``.

    .venv/bin/python benchmarks/wasserstein.py --out benchmarks/results/wasserstein.json

Two empirical measures of ``n`` points each in 2-D (P: standard normal, Q: a shifted, stretched
normal; seeds fixed). Timed in forked children (wall time and peak RSS growth of each child, the
``measure`` helper of ``benchmarks/packed_tv.py``), in one run:

* ``pot_emd2``: ``ot.dist(x, y, metric="euclidean")`` then ``ot.emd2(a, b, M)`` with POT's
  default settings except ``numItermax`` raised so the simplex reaches the optimum (POT's
  default 100,000 pivots stops short of it from n ~ 1,000: ``result_code`` 3).
* ``ours_primal``: ``wasserstein1(x, y)`` (validation, the cost matrix, the same network simplex).
* ``ours_dual``: ``wasserstein1_dual(x, y)`` (the primal plus the c-transform potential on the
  2n support points: the certified 1-Lipschitz Kantorovich-Rubinstein potential).
* ``ours_check``: ``wasserstein1_dual(x, y).check()`` (potential, its Lipschitz check on every
  pair of the 2n points, and a second primal solve for the duality gap).
* ``highs_lp`` (n <= 300 only): the HiGHS transport LP of the previous engine, ``method="lp"``.

Ratios ``ours / pot`` of wall time and of RSS growth are written per n; the issue's target is
<= 1.5 for ``ours_primal`` at n = 5,000.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from packed_tv import machine, measure, versions  # noqa: E402  (same machine/version record and child measurement)

from modecollapse.divergences import wasserstein1, wasserstein1_dual  # noqa: E402


def instance(n: int, seed: int = 0):
    rng = np.random.default_rng(seed + n)
    x = rng.standard_normal((n, 2))
    y = rng.standard_normal((n, 2)) * np.array([1.5, 0.7]) + np.array([0.8, -0.3])
    return x, y


def run_pot(x, y):
    import ot

    a = np.full(x.shape[0], 1.0 / x.shape[0])
    b = np.full(y.shape[0], 1.0 / y.shape[0])
    M = ot.dist(x, y, metric="euclidean")
    cost, log = ot.emd2(a, b, M, numItermax=2**31 - 1, log=True)
    return dict(value=float(cost), result_code=int(log["result_code"]))


def run_primal(x, y):
    return dict(value=wasserstein1(x, y))


def run_dual(x, y):
    r = wasserstein1_dual(x, y)
    return dict(value=r.value, method=r.method)


def run_check(x, y):
    r = wasserstein1_dual(x, y)
    c = r.check()
    return dict(value=r.value, ok=c.ok, lipschitz_violation=c.lipschitz_violation, duality_gap=c.duality_gap,
                objective_gap=c.objective_gap)


def run_lp(x, y):
    return dict(value=wasserstein1(x, y, method="lp"))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="benchmarks/results/wasserstein.json")
    ap.add_argument("--ns", type=int, nargs="*", default=[300, 1000, 5000])
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--repeats", type=int, default=2, help="alternating repeats per n (best kept)")
    args = ap.parse_args(argv)
    import ot  # noqa: F401  (imported in the parent so forked children do not pay for it)

    tools = {"pot_emd2": run_pot, "ours_primal": run_primal, "ours_dual": run_dual, "ours_check": run_check}
    t_start = time.time()
    results = []
    for n in args.ns:
        x, y = instance(n)
        row = dict(n=n, d=2)
        for name in list(tools) + (["highs_lp"] if n <= 300 else []):
            fn = tools.get(name, run_lp)
            best = None
            for _ in range(args.repeats):
                r = measure(fn, (x, y), args.timeout)
                if best is None or (r.get("ok") and r["wall_s"] < best.get("wall_s", np.inf)):
                    best = r
            row[name] = best
            print(f"n={n:5d} {name:12s} {best.get('wall_s', float('nan')):8.3f}s "
                  f"rss+{best.get('rss_delta_mb', float('nan')):7.1f} MB  W1={best.get('value')}", flush=True)
        pot = row["pot_emd2"]
        if pot.get("ok"):
            row["ratio_to_pot"] = {
                name: dict(time=row[name]["wall_s"] / pot["wall_s"],
                           rss=row[name]["rss_delta_mb"] / max(pot["rss_delta_mb"], 1e-9),
                           value_diff=abs(row[name]["value"] - pot["value"]))
                for name in row if name in tools and name != "pot_emd2" and row[name].get("ok")
            }
            if "highs_lp" in row and row["highs_lp"].get("ok"):
                row["ratio_to_pot"]["highs_lp"] = dict(time=row["highs_lp"]["wall_s"] / pot["wall_s"],
                                                      value_diff=abs(row["highs_lp"]["value"] - pot["value"]))
        results.append(row)
    env = dict(machine=machine(), versions=versions(("numpy", "scipy", "pot")), loadavg_end=os.getloadavg(),
               total_wall_s=time.time() - t_start, command=" ".join([Path(sys.executable).name, *sys.argv]))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(environment=env, results=results), indent=1, default=float))
    for row in results:
        print(row["n"], json.dumps(row.get("ratio_to_pot"), default=float))
    print(f"wrote {out} in {env['total_wall_s']:.0f} s")


if __name__ == "__main__":
    main()
