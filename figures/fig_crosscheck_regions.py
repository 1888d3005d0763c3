"""Mode-collapse regions of trained GAN / PacGAN2-4 generators and where their packed TV sits in the PacGAN bounds.

Each generator Q is discretised on the 25-mode grid's partition (3-std discs + "elsewhere") from
its samples; the target P's cell masses are exact. Left: the exact regions R(P, Q_hat), with an
inset magnifying the corner epsilon ~ 0 where strongly collapsed regions crowd. Right: for each
pair and m = 2..4, the exact packed TV as a position in its band, 0 at L(tau, m) and 1 at
1-(1-tau)^m; the bar spans [L1, 1] with L1 the sharpest bound from the pair's own collapses.
Pairs: the synthetic 20-of-25-mode generator (known collapse, exact masses) and the GAN/PacGAN2-4
members of the grid run of ``fig_gan_samples`` (:meth:`FigureContext.gan_run`, seed 0): by default
the shipped ``cpu``-preset generators (full 12,000-step schedule, seed 0 of the 2-seed ensemble,
:mod:`modecollapse.gan.experiments.shipped`), with ``--runs DIR`` a finished run found in ``DIR``,
with ``--retrain`` / ``--gan-steps N`` a run trained into the runs folder (shared with
``gan_samples``, so building both trains it once). Their cell masses come from the run's 2,500
stored evaluation samples. :func:`draw` re-plots the JSON the figure writes.
"""

from __future__ import annotations

from .fig_gan_samples import MS as _MS, SEED as _SEED

NAME = "crosscheck_regions"
#: The trained run the figure draws: the grid run of fig_gan_samples (m = 1..4), its seed.
GAN_RUNS = (("grid", _MS, _SEED),)
CAPTION = ("Left: exact regions R(P,Q) of GAN/PacGAN2-4 generators on the grid's mode partition (the grid run of "
           "fig gan_samples: shipped cpu preset, 12,000 steps, seed 0, unless --runs / --retrain) and of a "
           "synthetic 20-of-25-mode generator; inset: the corner eps ~ 0 magnified; right: where each packed TV "
           "sits between L(tau,m) (0) and 1-(1-tau)^m (1); bars span [L1, 1].")
REPRODUCES = "PacGAN (arXiv 1712.04086) Theorems 3-5 checked on trained generators; docs/theory.md s.3-4"
ORDER = 60


def compute(run, source: str = "") -> dict:
    """All numbers of the figure: per pair, region vertices and the bound checks for m = 1..4.

    ``run`` is a finished grid run (a ``RunResult``, e.g. from :meth:`FigureContext.gan_run`) with
    one member per packing degree; ``source`` is recorded in the data and the title."""
    import numpy as np

    from modecollapse.gan.crosscheck import ModePartition, collapse_report, scenario, trained_collapse_reports
    from modecollapse.gan.metrics import model_label

    target, gen = scenario("grid20")
    part = ModePartition.from_mixture(target)
    pairs = {"synthetic 20/25": collapse_report(target.cell_masses(part), gen.cell_masses(part))}
    if len({m for m, _ in run.members}) != len(run.members):
        raise ValueError(f"the run must hold one member per packing degree (select one seed); got {run.members}")
    for m, _seed, rep in trained_collapse_reports(run):
        pairs[model_label(m)] = rep
    out = {"source": source or str(run.path), "run": run.path.name, "steps": run.spec.resolved().steps,
           "members": [list(mem) for mem in run.members], "pairs": {}}
    for name, rep in pairs.items():
        d = rep.to_dict()
        out["pairs"][name] = {k: d[k] for k in ("region_vertices", "tv", "tv_interval", "apex_delta", "packed", "q_n")}
        out["pairs"][name]["p_hat"], out["pairs"][name]["q_hat"] = d["p_hat"], d["q_hat"]
    assert all(c["ok"] for v in out["pairs"].values() for c in v["packed"])  # check_packing_bounds raised otherwise
    out["n_cells"] = int(np.asarray(d["p_hat"]).size)
    return out


def _zoom_width(pairs: dict) -> float:
    """Width of the inset's epsilon range: 2.5 times the median epsilon at which a trained
    generator's region reaches delta = 0.9 (the strongly collapsed regions rise within a few
    hundredths of epsilon = 0, where the main panel cannot tell them apart)."""
    import numpy as np

    reach = []
    for name, d in pairs.items():
        v = np.asarray(d["region_vertices"])
        hit = np.nonzero(v[:, 1] >= 0.9)[0]
        if name != "synthetic 20/25" and hit.size:
            reach.append(v[hit[0], 0])
    return float(np.clip(2.5 * np.median(reach), 0.01, 0.5)) if reach else 0.1


def draw(data: dict):
    """The figure from :func:`compute`'s dictionary (or the JSON it writes)."""
    import numpy as np

    from ._style import CYCLE, new_figure

    fig, (ax, bx) = new_figure(1, 2, width="full", aspect=0.8)
    # inset: the corner epsilon ~ 0 magnified, where the trained regions differ
    zoom = _zoom_width(data["pairs"])
    ix = ax.inset_axes([0.57, 0.07, 0.4, 0.36])  # below the diagonal, where no region is drawn
    names = list(data["pairs"])
    for i, name in enumerate(names):
        d = data["pairs"][name]
        v = np.asarray(d["region_vertices"])
        c = CYCLE[i % len(CYCLE)]
        ls = ("-", "-", "-", "--", "-.")[i % 5]  # the last PacGAN regions nearly coincide: dash them
        ax.plot(v[:, 0], v[:, 1], color=c, lw=1.2, ls=ls)
        ax.fill_between(v[:, 0], v[:, 0], v[:, 1], color=c, alpha=0.08)
        ix.plot(v[:, 0], v[:, 1], color=c, lw=1.0, ls=ls)
        # right: position of the packed TV inside [L, 1-(1-tau)^m] (0 = at L, 1 = at the upper
        # bound; outside [0, 1] would be a violation). m = 1 is left out: there L = upper = tau.
        first = True
        for chk in d["packed"]:
            width = chk["upper"] - chk["lower_L"]
            if chk["m"] == 1 or width <= 0:
                continue
            x = chk["m"] + (i - (len(names) - 1) / 2) * 0.1
            pos = (chk["packed_tv"] - chk["lower_L"]) / width
            pos1 = (chk["lower_L1"] - chk["lower_L"]) / width
            bx.plot([x, x], [pos1, 1.0], color=c, lw=2.5, alpha=0.35, solid_capstyle="butt")
            bx.plot([x], [pos], "o", color=c, ms=3, label=f"{name} (tau={d['tv']:.2f})" if first else None)
            first = False
    ax.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls=":")
    ax.set_xlabel(r"$\varepsilon = Q(S)$")
    ax.set_ylabel(r"$\delta = P(S)$")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("R(P, Q) on the mode partition")
    ix.set_xlim(0, zoom)
    ix.set_ylim(0, 1.02)
    ix.tick_params(labelsize=5, length=2)
    ix.set_title(rf"zoom: $\varepsilon \leq {zoom:.2g}$", fontsize=6, pad=2)
    ix.spines[["top", "right"]].set_visible(True)
    rect = ax.indicate_inset_zoom(ix, edgecolor="0.4", lw=0.6)
    for line in getattr(rect, "connectors", None) or ():  # the strip and the title say what is zoomed
        line.set_visible(False)
    bx.axhline(0.0, color="0.5", lw=0.8, ls=":")
    bx.axhline(1.0, color="0.5", lw=0.8, ls=":")
    bx.set_xlabel("packing degree m")
    bx.set_ylabel(r"$(d_{TV}(P^m,Q^m) - L) / (1-(1-\tau)^m - L)$")
    bx.set_xticks([2, 3, 4])
    bx.set_ylim(-0.05, 1.05)
    src = f"GAN runs: {data['source']}, {data['steps']:,} steps, seed {data['members'][0][1]}"
    bx.set_title(f"position in the PacGAN band; bars start at L1\n{src}", fontsize=6)
    bx.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=6)
    return fig


def build(ctx) -> None:
    from ._registry import gan_source_label

    [(dataset, ms, seed)] = GAN_RUNS
    run = ctx.gan_run(dataset, ms=ms, seed=seed)
    data = compute(run, gan_source_label(run))
    fig = draw(data)
    ctx.save_json(NAME, data)
    ctx.savefig(fig, NAME)
