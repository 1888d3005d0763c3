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

Equal-accuracy run (``--ladder-budget`` s in all, default 300): at every point where a tool's default
run returned a curve, the tool is re-run on a ladder of finer settings (dp_accounting
``value_discretization_interval`` in ``DP_LADDER``, prv_accountant ``eps_error`` in ``PRV_LADDER``),
finest last (the points where our raw speed-up is smallest first), until its max error reaches our bracket's width there (equal or better accuracy), it
fails or times out, or the next setting is predicted past the timeout (previous wall time x
``LADDER_GROWTH``); each child is capped at ``--mem-gb`` of address space. Reported per point and
tool: the first setting at equal accuracy and its time, or the most accurate setting reached ("its
best"), and the speed-up ``tool time / our time`` at that setting (with ours still more accurate
when the tool never reached our width, the ratio is then a lower bound on the equal-accuracy
speed-up). ``--md`` writes the table.

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
import resource
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
#: finer settings tried in the equal-accuracy run (after the defaults 1e-4 and 0.01)
DP_LADDER = (1e-5, 1e-6, 1e-7)
PRV_LADDER = (1e-3, 1e-4)
#: a ladder step is skipped when the previous step's time times this exceeds the timeout (dp's cost
#: grows ~10x per decade of the grid, prv's ~3-10x per decade of eps_error)
LADDER_GROWTH = 5.0


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
        # by keyword: the signature is (lower, upper, ...), and delta(eps) = max_S upper(S) - e^eps lower(S);
        # passed positionally as (p, q) it computed E_{e^eps}(Q^m || P^m), the other direction (equal only at eps = 0)
        d = pldm.from_two_probability_mass_functions(log_probability_mass_function_lower=lo,
                                                     log_probability_mass_function_upper=up,
                                                     pessimistic_estimate=pess, value_discretization_interval=grid)
        vals[pess] = [float(v) for v in d.self_compose(m).get_delta_for_epsilon(list(EPS))]
    return dict(upper=vals[True], lower=vals[False], value=vals[True])


def run_prv(p, q, m, eps_error=0.01):
    from prv_accountant import PRVAccountant

    acc = PRVAccountant(prvs=_discrete_prv(p, q), eps_error=eps_error, delta_error=1e-7, max_self_compositions=m)
    out = [acc.compute_delta(e, [m]) for e in EPS]
    return dict(lower=[float(o[0]) for o in out], value=[float(o[1]) for o in out], upper=[float(o[2]) for o in out])


def _commit():
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _capped(fn, mem_gb):
    """``fn`` run under an address-space cap (in the forked child: a fine grid fails with MemoryError
    instead of swapping the shared machine)."""

    def run(*args):
        cap = int(mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        return fn(*args)

    return run


def tool_error(r, ref_lo, ref_hi):
    """Max over the eps grid and both sides of the distance of a tool's values to the reference."""
    return max(max(interval_distance(v, a, b) for v, a, b in zip(r[side], ref_lo, ref_hi))
               for side in ("lower", "upper"))


def ladder(tool, base, p, q, m, ours, ref_lo, ref_hi, timeout, mem_gb, deadline):
    """Finer settings of one tool until its error reaches our width (module docstring)."""
    fn, settings = (run_dp, DP_LADDER) if tool == "dp" else (run_prv, PRV_LADDER)
    target = ours["width"]
    steps = [dict(setting=base["setting"], wall_s=base["wall_s"], err=base["err"], ok=True)]
    prev_wall = base["wall_s"]
    for s in settings:
        if steps[-1]["ok"] and steps[-1]["err"] <= target:
            break
        if prev_wall * LADDER_GROWTH > timeout:
            steps.append(dict(setting=s, ok=False, error=f"not run: previous setting took {prev_wall:.2g} s "
                              f"(x{LADDER_GROWTH:g} > timeout {timeout:g} s)"))
            break
        if time.time() > deadline:
            steps.append(dict(setting=s, ok=False, error="not run: ladder budget spent"))
            break
        r = measure(_capped(fn, mem_gb), (p, q, m, s), timeout)
        step = dict(setting=s, ok=bool(r.get("ok")), wall_s=r.get("wall_s"), rss_delta_mb=r.get("rss_delta_mb"))
        if r.get("ok"):
            step["err"] = tool_error(r, ref_lo, ref_hi)
            prev_wall = r["wall_s"]
        else:
            step["error"] = r.get("error", "?")[:120]
        steps.append(step)
        if not r.get("ok"):
            break
    good = [st for st in steps if st["ok"]]
    equal = [st for st in good if st["err"] <= target]
    pick = equal[0] if equal else min(good, key=lambda st: (st["err"], st["wall_s"]))
    out = dict(steps=steps, reached=bool(equal), setting=pick["setting"], wall_s=pick["wall_s"], err=pick["err"],
               speedup=pick["wall_s"] / max(ours["wall_s"], 1e-9), target=target)
    out["speedup_at_equal_accuracy_at_least"] = equal_accuracy_bound(out, ours["wall_s"], timeout)
    return out


def equal_accuracy_bound(lad, our_wall, timeout):
    """Lower bound on the tool's speed-up ratio at equal accuracy when no setting reached our width:
    a setting that does must be finer than every one measured, so it costs at least the time of the
    most accurate one run, and at least the timeout if the next finer setting timed out (cost and
    accuracy monotone in the setting, as in every ladder we ran). None when it reached our width."""
    if lad["reached"]:
        return None
    t = lad["wall_s"]
    for st in lad["steps"]:
        if not st["ok"] and str(st.get("error", "")).startswith("timeout"):
            t = max(t, timeout)
    return t / max(our_wall, 1e-9)


def markdown(env, results):
    """The results table (the ``--md`` file)."""
    e = env
    lines = [
        f"# Packed region as a privacy curve delta(eps), eps in {e['eps_grid']}",
        "",
        f"Command: `{e['command']}` at commit {e.get('commit', '?')}; {e['note']}; machine "
        f"{e['machine'].get('cpu_model')} ({e['machine'].get('cpus')} CPUs, load {e['machine']['loadavg_start'][0]:.1f} "
        f"at start), versions {e['versions']}; total {e['total_wall_s']:.0f} s.",
        "",
        "| pair | k | m | reference | ours: s / MB / max width | dp 1e-4: s / max err | prv 0.01: s / max err "
        "| dp at equal accuracy (or its best): setting / s / err / speed-up | prv at equal accuracy (or its best): "
        "setting / s / err / speed-up |",
        "|" + "|".join(["---"] * 9) + "|",
    ]

    def cell(r):
        if not r.get("ok"):
            return "fail: " + r.get("error", "?")[:40]
        return f"{r['wall_s']:.3f} / {max(r['err_lower'], r['err_upper']):.1e}"

    timeout = e.get("ladder", {}).get("timeout_s", 20.0)

    def lad(r, our_wall):
        if not r:
            return "-"
        if r["reached"]:
            return f"{r['setting']:g} / {r['wall_s']:.3f} / {r['err']:.1e} / {r['speedup']:.3g}x"
        bound = equal_accuracy_bound(r, our_wall, timeout)
        return (f"{r['setting']:g} / {r['wall_s']:.3f} / {r['err']:.1e} / >= {bound:.3g}x "
                f"(best; ours narrower)")

    for row in results:
        o = row["ours"]
        ours_s = f"{o['wall_s']:.3f} / {o['rss_delta_mb']:.0f} / {o['width']:.1e}" if o.get("ok") else "fail"
        lines.append(f"| {row['kind']} | {row['k']} | {row['m']} | {row.get('reference', '-')} | {ours_s} | "
                     f"{cell(row['dp_1e-4'])} | {cell(row['prv_0.01'])} | {lad(row.get('dp_equal'), o.get('wall_s'))} | "
                     f"{lad(row.get('prv_equal'), o.get('wall_s'))} |")
    lines += [
        "",
        "Errors are distances to the reference interval, max over the eps grid and both sides (0 where a",
        "tool's value lies inside our bracket). \"Equal accuracy\": the first ladder setting whose error is",
        "at most our bracket's width at that point; \"(best; ours narrower)\": no setting got there within",
        "the timeout, memory cap and ladder budget, and the most accurate one is shown; the speed-up at",
        "equal accuracy is then at least (its time, or the timeout where the next finer setting timed",
        "out) / our time, marked >= (a setting reaching our width must be finer than every one measured).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="benchmarks/results/packed_region.json")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--ks", type=int, nargs="*", default=list(KS))
    ap.add_argument("--ms", type=int, nargs="*", default=list(MS))
    ap.add_argument("--ladder-budget", type=float, default=300.0, help="seconds for the equal-accuracy run in all")
    ap.add_argument("--ladder-timeout", type=float, default=20.0)
    ap.add_argument("--mem-gb", type=float, default=3.0, help="address-space cap of each ladder child")
    ap.add_argument("--md", default=None, help="also write the markdown table here")
    ap.add_argument("--md-only", default=None, metavar="JSON", help="only rebuild --md from this results file")
    args = ap.parse_args(argv)
    if args.md_only:
        data = json.loads(Path(args.md_only).read_text())
        Path(args.md or "benchmarks/results/packed_region.md").write_text(markdown(data["environment"], data["results"]))
        return
    for mod in ("dp_accounting.pld.privacy_loss_distribution", "prv_accountant"):
        __import__(mod)  # in the parent: forked children do not pay for the imports
    t_start = time.time()
    results = []
    rows_for_ladder = []
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
        rows_for_ladder.append((row, p, q))
        print(f"{kind:4s} k={k:4d} m={m:4d} ours {o.get('wall_s', float('nan')):6.3f}s "
              f"width {o.get('width', float('nan')):.2g} | dp {row['dp_1e-4'].get('wall_s', float('nan')):6.3f}s "
              f"err {max(row['dp_1e-4'].get('err_lower', np.nan), row['dp_1e-4'].get('err_upper', np.nan)):.2g} | "
              f"prv {row['prv_0.01'].get('wall_s', float('nan')):6.3f}s "
              f"err {max(row['prv_0.01'].get('err_lower', np.nan), row['prv_0.01'].get('err_upper', np.nan)):.2g}"
              f"  ({time.time() - t_start:.0f}s)", flush=True)
    # the equal-accuracy run: each tool at finer settings until it reaches our width (or its best)
    deadline = time.time() + args.ladder_budget

    def raw_speedup(item):  # the points where we are slowest in raw time get the budget first
        return min([item[0][t]["speedup"] for t in ("dp_1e-4", "prv_0.01") if "speedup" in item[0][t]] or [math.inf])

    for row, p, q in sorted(rows_for_ladder, key=raw_speedup):
        o = row["ours"]
        if not o.get("ok"):
            continue
        ref_lo, ref_hi = o["lower"], o["upper"]
        for tool, name, setting in (("dp", "dp_1e-4", 1e-4), ("prv", "prv_0.01", 0.01)):
            r = row[name]
            if not r.get("ok"):
                continue
            base = dict(setting=setting, wall_s=r["wall_s"], err=max(r["err_lower"], r["err_upper"]))
            row[f"{tool}_equal"] = ladder(tool, base, p, q, row["m"], o, ref_lo, ref_hi, args.ladder_timeout,
                                          args.mem_gb, deadline)
        de, pe = row.get("dp_equal"), row.get("prv_equal")
        print(f"{row['kind']:4s} k={row['k']:4d} m={row['m']:4d} equal accuracy: "
              + " | ".join(f"{t} {r['setting']:g} {r['wall_s']:.3f}s err {r['err']:.1g} x{r['speedup']:.3g}"
                           f"{'' if r['reached'] else ' (best)'}" for t, r in (("dp", de), ("prv", pe)) if r)
              + f"  ({time.time() - t_start:.0f}s)", flush=True)
    env = dict(machine=machine(), versions=versions(), loadavg_end=os.getloadavg(), total_wall_s=time.time() - t_start,
               command=" ".join([Path(sys.executable).name, *sys.argv]), our_width=OUR_WIDTH, eps_grid=list(EPS),
               note="reduced grid (k, m in {10, 100, 1000}), the tools at their default settings and on a ladder of "
                    "finer ones to equal accuracy, on a shared 2-core machine",
               ladder=dict(dp=list(DP_LADDER), prv=list(PRV_LADDER), growth=LADDER_GROWTH, budget_s=args.ladder_budget,
                           timeout_s=args.ladder_timeout, mem_gb=args.mem_gb),
               commit=_commit())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(environment=env, results=results), indent=1, default=float))
    if args.md:
        Path(args.md).write_text(markdown(env, results))
    print(f"wrote {out} in {env['total_wall_s']:.0f} s")


if __name__ == "__main__":
    main()
