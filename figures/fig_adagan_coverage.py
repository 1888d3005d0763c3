"""AdaGAN coverage C vs number of modes, our reduced runs beside the published table
(AdaGAN arXiv 1701.02386, Table 1, as shown in the AdaGAN talk (Tolstikhin)).

Reads the newest ``adagan_results.json`` under ``ctx.runs_dir`` written by ``python -m modecollapse.gan adagan``
(the preset ``paper`` is preferred, then ``cpu``, then anything else). When there is none it trains
the ``cpu`` preset (2 runs per cell, modes 1-10, T = 3, 300 steps per component; its timing is in
``benchmarks/results/adagan_cpu_preset.json``) into ``ctx.runs_dir/adagan_cpu`` and says so; its short
training is named in the title.
"""

from __future__ import annotations

import json
from pathlib import Path

NAME = "adagan_coverage"
CAPTION = ("AdaGAN coverage C (median, 5-95% range over runs) vs number of Gaussian modes: our runs "
           "(filled, preset in the title) beside AdaGAN's published table (open, dashed)")
REPRODUCES = "AdaGAN (arXiv 1701.02386) Table 1, the coverage table of the AdaGAN talk (Tolstikhin); docs/theory.md s.5"
ORDER = 51

_METHODS = ("Vanilla", "Best of T", "Ensemble", "TopKLast0.5", "Boosted")
_PREF = {"paper": 0, "cpu": 1}


def _find_results(runs_dir: Path):
    files = sorted(runs_dir.glob("**/adagan_results.json")) if runs_dir.exists() else []
    best = None
    for f in files:
        try:
            res = json.loads(f.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        key = (_PREF.get(res.get("preset"), 2), -f.stat().st_mtime)
        if best is None or key < best[0]:
            best = (key, f, res)
    return (best[1], best[2]) if best else (None, None)


def _split_label(label: str):
    """'Boosted (T=3)' -> ('Boosted', 3); 'Vanilla' -> ('Vanilla', 1)."""
    if "(T=" not in label:
        return label, 1
    base, t = label.split(" (T=")
    return base, int(t.rstrip(")"))


def _device(res: dict) -> str:
    """Where the results were trained, for the legend: ``"CPU"``, else the accelerator's name."""
    device = str(res.get("device", "cpu"))
    if device == "cpu":
        return "CPU"
    return str(res.get("device_name") or device)


def build(ctx):
    from modecollapse.figures._style import PALETTE, new_figure
    from modecollapse.gan.experiments.adagan import run_coverage_experiment
    from modecollapse.gan.experiments.reference import PUBLISHED_COVERAGE
    from modecollapse.gan.train.config import coverage_preset

    path, res = _find_results(Path(ctx.runs_dir))
    if res is None:
        out = Path(ctx.runs_dir) / "adagan_cpu"
        ctx.log(f"[{NAME}] no adagan_results.json under {ctx.runs_dir}: training the 'cpu' preset into {out} "
                "(a few minutes on a CPU; `python -m modecollapse.gan adagan --preset paper` on a GPU for the paper's "
                "protocol)")
        res = run_coverage_experiment(coverage_preset("cpu"), out, resume=out.exists(), device="cpu",
                                      preset="cpu", log=ctx.log)
        path = out / "adagan_results.json"

    rows = {"source": [], "method": [], "T": [], "modes": [], "median": [], "q05": [], "q95": [], "n_runs": []}

    def add(source, method, T, k, med, lo, hi, n):
        for key, v in zip(rows, (source, method, T, k, med, lo, hi, n)):
            rows[key].append(v)

    for label, row in res["summary"].items():
        method, T = _split_label(label)
        for k, q in row.items():
            add("ours", method, T, int(k), float(q["median"]), float(q["q05"]), float(q["q95"]), int(q["n"]))
    for label, vals in PUBLISHED_COVERAGE["rows"].items():
        method, T = _split_label(label)
        for k, (med, lo, hi) in zip(PUBLISHED_COVERAGE["modes"], vals):
            add("published", method, T, int(k), float(med), float(lo), float(hi), PUBLISHED_COVERAGE["n_runs"])

    colours = {1: PALETTE["black"], 3: PALETTE["blue"], 10: PALETTE["vermillion"]}
    fig, axes = new_figure(2, 3, width="full", aspect=0.62, sharey=True)
    axes = axes.ravel()
    modes_all = PUBLISHED_COVERAGE["modes"]
    xpos = {k: i for i, k in enumerate(modes_all)}
    for ax, method in zip(axes, _METHODS):
        for source, dx, style in (("published", 0.12, dict(mfc="white", ls="--")), ("ours", -0.12, dict(ls="-"))):
            for T in (1, 3, 10):
                sel = [i for i in range(len(rows["T"])) if rows["source"][i] == source and rows["method"][i] == method
                       and rows["T"][i] == T and rows["modes"][i] in xpos]
                if not sel:
                    continue
                x = [xpos[rows["modes"][i]] + dx + (0.06 if T == 10 else 0.0) for i in sel]
                med = [rows["median"][i] for i in sel]
                err = [[max(rows["median"][i] - rows["q05"][i], 0.0) for i in sel],
                       [max(rows["q95"][i] - rows["median"][i], 0.0) for i in sel]]
                ax.errorbar(x, med, yerr=err, marker="o", ms=3, lw=0.9, elinewidth=0.7, capsize=1.5,
                            color=colours[T], **style)
        ax.set_title(method)
        ax.set_xticks(range(len(modes_all)), [str(k) for k in modes_all])
        ax.set_ylim(-0.02, 1.05)
        ax.grid(alpha=0.25, lw=0.5)
    for ax in axes[3:5]:
        ax.set_xlabel("number of modes")
    for ax in (axes[0], axes[3]):
        ax.set_ylabel("coverage $C$")
    n_runs = res["config"]["n_runs"]
    leg = axes[5]
    leg.axis("off")
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colours[1], marker="o", ms=3, label="$T=1$"),
               Line2D([], [], color=colours[3], marker="o", ms=3, label="$T=3$"),
               Line2D([], [], color=colours[10], marker="o", ms=3, label="$T=10$"),
               Line2D([], [], color="grey", marker="o", ms=3, ls="-", label=f"ours ({n_runs} runs, on {_device(res)})"),
               Line2D([], [], color="grey", marker="o", ms=3, ls="--", mfc="white",
                      label=f"published ({PUBLISHED_COVERAGE['n_runs']} runs)")]
    leg.legend(handles=handles, loc="center", fontsize=7)
    fig.suptitle(f"AdaGAN coverage: ours = preset '{res.get('preset')}', {n_runs} runs/cell, "
                 f"{res['config']['steps']} steps/component; bars = 5-95% over runs", fontsize=7)
    ctx.savefig(fig, NAME)
    ctx.save_csv(NAME, rows)
    ctx.save_json(NAME, {"results_file": str(path), "preset": res.get("preset"), "device": res.get("device"),
                         "reduction": res.get("reduction"), "published_source": PUBLISHED_COVERAGE["source"]})
