"""Benchmark: the certified packed region as a privacy curve delta(eps), against dp_accounting and prv_accountant.

    .venv/bin/python benchmarks/packed_region.py --out benchmarks/results/packed_region.json

The m-fold composition's privacy curve ``delta(eps) = E_{e^eps}(P^m || Q^m) = max_S P^m(S) - e^eps Q^m(S)``
(P the "upper" distribution, Q the "lower") is the support function of the packed region
``R(P^m, Q^m)`` at slope ``e^eps``. On a grid of eps (``EPS`` below):

* ours: ``packed_region(p, q, m, width=1e-6).hockey_stick_bounds(e^eps)`` (the exact region where
  the type classes are few, else the certified polygons with ``sup (outer - inner) <= 1e-6``):
  a certified bracket at every eps, from one call;
* ``dp_accounting`` PLD: ``from_two_probability_mass_functions`` pessimistic (an upper bound) and
  optimistic (a lower estimate), ``value_discretization_interval=1e-4``, ``self_compose(m)``,
  ``get_delta_for_epsilon(EPS)``;
* ``prv_accountant``: the exact discrete privacy random variable of ``benchmarks/packed_tv.py``,
  ``PRVAccountant(eps_error=0.01, delta_error=1e-7)``, ``compute_delta(eps, [m])`` at each eps
  -> (lower, estimate, upper).

Reference: the exact curve where our region is exact (type classes), else our certified bracket;
a tool's error at an eps is its distance to the reference interval, reported as the max over the
grid. Pairs and the child measurement (wall time, peak RSS growth, timeout) are those of
``benchmarks/packed_tv.py``. Reduced grid (this is a shared 2-core machine): k in {10, 100, 1000}
x m in {10, 100, 1000}, near and far pairs, one dp_accounting and one prv_accountant setting.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from packed_tv import _discrete_prv, bench_grid, interval_distance, machine, measure, versions  # noqa: E402

from modecollapse.regions import packed_region  # noqa: E402

KS = (10, 100, 1000)
MS = (10, 100, 1000)
EPS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
OUR_WIDTH = 1e-6


def run_ours(p, q, m):
    pr = packed_region(p, q, m, width=OUR_WIDTH)
    br = [pr.hockey_stick_bounds(math.exp(e)) for e in EPS]
    return dict(lower=[b[0] for b in br], upper=[b[1] for b in br], exact=pr.exact, gap=pr.gap,
                method=pr.method)


def run_dp(p, q, m, grid=1e-4):
    from dp_accounting.pld import privacy_loss_distribution as pldm

    up = {i: math.log(x) for i, x in enumerate(p) if x > 0}
    lo = {i: math.log(x) for i, x in enumerate(q) if x > 0}
    vals = {}
    for pess in (True, False):
        d = pldm.from_two_probability_mass_functions(up, lo, pessimistic_estimate=pess,
                                                     value_discretization_interval=grid)
        vals[pess] = [float(v) for v in d.self_compose(m).get_delta_for_epsilon(list(EPS))]
    return dict(upper=vals[True], lower=vals[False], value=vals[True])


def run_prv(p, q, m, eps_error=0.01):
    from prv_accountant import PRVAccountant

    acc = PRVAccountant(prvs=_discrete_prv(p, q), eps_error=eps_error, delta_error=1e-7, max_self_compositions=m)
    out = [acc.compute_delta(e, [m]) for e in EPS]
    return dict(lower=[float(o[0]) for o in out], value=[float(o[1]) for o in out], upper=[float(o[2]) for o in out])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="benchmarks/results/packed_region.json")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--ks", type=int, nargs="*", default=list(KS))
    ap.add_argument("--ms", type=int, nargs="*", default=list(MS))
    args = ap.parse_args(argv)
    for mod in ("dp_accounting.pld.privacy_loss_distribution", "prv_accountant"):
        __import__(mod)  # in the parent: forked children do not pay for the imports
    t_start = time.time()
    results = []
    for kind, k, m, p, q in bench_grid(args.ks, args.ms):
        row = dict(kind=kind, k=k, m=m, eps=list(EPS))
        o = row["ours"] = measure(run_ours, (p, q, m), args.timeout)
        if o.get("ok"):
            ref_lo, ref_hi = o["lower"], o["upper"]
            o["width"] = max(h - lo_ for lo_, h in zip(ref_lo, ref_hi))
            row["reference"] = "exact (type classes)" if o["exact"] else "our certified bracket"
        for name, fn in (("dp_1e-4", run_dp), ("prv_0.01", run_prv)):
            r = measure(fn, (p, q, m), args.timeout)
            if r.get("ok") and o.get("ok"):
                errs = {side: max(interval_distance(v, a, b) for v, a, b in zip(r[side], ref_lo, ref_hi))
                        for side in ("lower", "upper")}
                r["err_lower"], r["err_upper"] = errs["lower"], errs["upper"]
                r["width"] = max(h - lo_ for lo_, h in zip(r["lower"], r["upper"]))
                r["upper_is_an_upper_bound"] = all(v >= b - 1e-12 for v, b in zip(r["upper"], ref_lo))
                # ours is at equal or better accuracy when our bracket is no wider than the
                # tool's own error (or its own bracket)
                r["ours_at_least_as_accurate"] = bool(o["width"] <= max(errs.values()) or o["width"] <= r["width"])
                r["speedup"] = r["wall_s"] / max(o["wall_s"], 1e-9)
            row[name] = r
        results.append(row)
        print(f"{kind:4s} k={k:4d} m={m:4d} ours {o.get('wall_s', float('nan')):6.3f}s "
              f"width {o.get('width', float('nan')):.2g} | dp {row['dp_1e-4'].get('wall_s', float('nan')):6.3f}s "
              f"err {max(row['dp_1e-4'].get('err_lower', np.nan), row['dp_1e-4'].get('err_upper', np.nan)):.2g} | "
              f"prv {row['prv_0.01'].get('wall_s', float('nan')):6.3f}s "
              f"err {max(row['prv_0.01'].get('err_lower', np.nan), row['prv_0.01'].get('err_upper', np.nan)):.2g}"
              f"  ({time.time() - t_start:.0f}s)", flush=True)
    env = dict(machine=machine(), versions=versions(), loadavg_end=os.getloadavg(), total_wall_s=time.time() - t_start,
               command=" ".join([Path(sys.executable).name, *sys.argv]), our_width=OUR_WIDTH, eps_grid=list(EPS),
               note="reduced grid (k, m in {10, 100, 1000}; one setting per tool) on a shared 2-core machine")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(environment=env, results=results), indent=1, default=float))
    print(f"wrote {out} in {env['total_wall_s']:.0f} s")


if __name__ == "__main__":
    main()
