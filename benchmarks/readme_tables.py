"""Regenerate every results table of README.md from the committed files in ``benchmarks/results/``.

Each table lives in README.md between two marker comments::

    <!-- results:NAME -->
    ... generated text (never edit by hand) ...
    <!-- /results:NAME -->

and is built by the function registered under ``NAME`` in :data:`TABLES` from the results file(s)
it names. A builder returns a :class:`Block`: the Markdown between the markers, and the facts (short
strings such as a run time or a classifier accuracy) that the README's prose quotes from the same
file and that must therefore appear, verbatim up to line breaks, somewhere in the README.

Usage::

    python benchmarks/readme_tables.py            # rewrite the tables in README.md
    python benchmarks/readme_tables.py --check    # exit 1, listing the differences, if any is stale
    python benchmarks/readme_tables.py --list     # the registered tables and their files

``--check`` is what ``tests/packaging/test_readme_results.py`` runs, so committing a regenerated
results file without rerunning this script, or editing a number by hand, fails the test suite.

Adding a table: write ``def build_x(results: Path) -> Block`` and decorate it with
``@table("x", "file.json", ...)``, then put the empty pair of markers where the table goes in
README.md and run the script once.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"

__all__ = ["Block", "TableSpec", "TABLES", "table", "build_all", "render", "check", "main"]


@dataclass(frozen=True)
class Block:
    """What a builder returns.

    Attributes
    ----------
    text : str
        The Markdown that goes between the table's markers (no leading or trailing blank line).
    facts : tuple of str
        Strings from the same results file that the README's prose quotes (e.g. ``"82 s on the
        2-core CPU"``); each must appear in the README with its whitespace folded to single spaces.
    """

    text: str
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """A registered table: its marker ``name``, the ``files`` it reads (relative to the results
    folder) and its ``build(results_dir) -> Block`` function."""

    name: str
    files: tuple[str, ...]
    build: Callable[[Path], Block]


#: name -> TableSpec, in README order of registration.
TABLES: dict[str, TableSpec] = {}


def table(name: str, *files: str):
    """Register ``build(results_dir) -> Block`` as the table between the markers ``results:name``."""
    if not name or any(c.isspace() for c in name) or "-->" in name:
        raise ValueError(f"a table name must be a non-empty word without spaces; got name={name!r}")

    def register(build):
        if name in TABLES:
            raise ValueError(f"table {name!r} is registered twice")
        TABLES[name] = TableSpec(name, tuple(files), build)
        return build

    return register


def _load(results: Path, name: str) -> dict:
    return json.loads((results / name).read_text())


def _pm(v: dict, digits: int) -> str:
    mean, se = (float(v[k]) for k in ("mean", "se"))  # float() also reads JSON's "inf" / "nan" strings
    if not math.isfinite(mean):
        return f"{mean}"  # e.g. an infinite reverse KL (a member with no high-quality sample)
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def _rows(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


# ---------------------------------------------------------------------------------- the tables

_PACGAN_LABEL = {1: "GAN", 2: "PacGAN2", 3: "PacGAN3", 4: "PacGAN4"}


def _pacgan_table1(results: Path, dataset: str) -> Block:
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1

    res = _load(results, f"gan_cpu_preset_{dataset}.json")
    if res["spec"]["preset"] != "cpu":
        raise ValueError(f"gan_cpu_preset_{dataset}.json holds preset {res['spec']['preset']!r}, not 'cpu'")
    head = (f"**{dataset}** ({len(res['spec']['seeds'])} seeds, {res['spec']['steps']:,} steps, "
            f"{res['info']['elapsed_s'] / 60:.1f} min for all {len(res['members'])} members on 1 thread):")
    rows = []
    for m, pub in PACGAN_TABLE1[dataset].items():
        s = res["summary"][str(m)]
        rows.append([_PACGAN_LABEL[m], f"{_pm(s['modes'], 1)} / {pub[0]}", f"{_pm(s['hq_percent'], 1)} / {pub[1]}",
                     f"{_pm(s['reverse_kl'], 3)} / {pub[2]}"])
    lines = _rows(["model", "modes: ours / paper", "% high quality: ours / paper", "reverse KL: ours / paper"], rows)
    return Block("\n".join([head, "", *lines]))


@table("gan-cpu-grid", "gan_cpu_preset_grid.json")
def build_gan_grid(results: Path) -> Block:
    """PacGAN Table 1 (grid): our ``cpu`` preset, mean +/- SE over seeds, beside the paper's values."""
    return _pacgan_table1(results, "grid")


@table("gan-cpu-ring", "gan_cpu_preset_ring.json")
def build_gan_ring(results: Path) -> Block:
    """PacGAN Table 1 (ring): our ``cpu`` preset, mean +/- SE over seeds, beside the paper's values."""
    return _pacgan_table1(results, "ring")


@table("adagan-cpu", "adagan_cpu_preset.json")
def build_adagan(results: Path) -> Block:
    """AdaGAN coverage (its Table 1): median coverage over runs, ours / published, per number of modes."""
    res = _load(results, "adagan_cpu_preset.json")
    if res["preset"] != "cpu":
        raise ValueError(f"adagan_cpu_preset.json holds preset {res['preset']!r}, not 'cpu'")
    modes = res["published"]["modes"]
    rows = []
    for label, cells in res["summary"].items():
        pub = res["published"]["rows"][label]
        rows.append([label, *(f"{cells[str(k)]['median']:.2f} / {pub[i][0]:.2f}" for i, k in enumerate(modes))])
    lines = _rows(["method", *(f"{k} modes" for k in modes)], rows)
    return Block("\n".join(lines), facts=(f"{res['seconds_this_session']:.0f} s on the 2-core CPU",))


@table("stacked-cpu", "stacked_cpu_preset.json")
def build_stacked(results: Path) -> Block:
    """Stacked MNIST, our ``cpu`` preset: modes of 1000 and KL to uniform, mean +/- SE over seeds."""
    res = _load(results, "stacked_cpu_preset.json")
    if res["preset"] != "cpu" or res["config"]["image_size"] != 14:
        raise ValueError("stacked_cpu_preset.json is not a cpu-preset (14 x 14) run")
    return _stacked_block(res, lambda label: "GAN (DCGAN-style)" if label == "GAN" else label, 3,
                          f"{res['seconds']:.0f} s for all {len(res['runs'])} runs")


def _stacked_block(res: dict, name, kl_digits: int, time_fact: str) -> Block:
    """A stacked-MNIST results file as a table of modes (of 1000) and KL, mean +/- SE per model."""
    rows = [[name(label), _pm(s["modes"], 1), _pm(s["kl"], kl_digits)] for label, s in res["summary"].items()]
    lines = _rows(["model", "modes (of 1000)", "KL to uniform"], rows)
    return Block("\n".join(lines), facts=(f"classifier held-out accuracy {res['classifier_held_out_accuracy']:.3f}",
                                          time_fact))


def _table3_block(file: str, preset: str, results: Path) -> Block:
    """A ``benchmarks/stacked_table3.py`` results file: modes and KL per model, then each packed
    model's difference from the unpacked DCGAN with its standard error."""
    res = _load(results, file)
    if res["preset"] != preset:
        raise ValueError(f"{file} is not a {preset} run (preset {res['preset']!r})")
    name = lambda label: "DCGAN" if label == "GAN" else label.replace("PacGAN", "PacDCGAN")  # noqa: E731
    rows = [[name(label), _pm(s["modes"], 1), _pm(s["kl"], 2),
             "" if label not in res["vs_unpacked"] else
             f"{res['vs_unpacked'][label]['modes']['difference']:+.1f} ± {res['vs_unpacked'][label]['modes']['se']:.1f}",
             "" if label not in res["vs_unpacked"] else
             f"{res['vs_unpacked'][label]['kl']['difference']:+.2f} ± {res['vs_unpacked'][label]['kl']['se']:.2f}"]
            for label, s in res["summary"].items()]
    lines = _rows(["model", "modes (of 1000)", "KL to uniform", "modes − DCGAN", "KL − DCGAN"], rows)
    n = {s["modes"]["n"] for s in res["summary"].values()}
    return Block("\n".join(lines), facts=(f"classifier held-out accuracy {res['classifier_held_out_accuracy']:.3f}",
                                          f"{res['seconds_total'] / 60:.0f} min of single-thread runs",
                                          f"{min(n)} seeds"))


@table("stacked-table3-cpu", "stacked_table3_cpu.json")
def build_stacked_table3(results: Path) -> Block:
    """Stacked MNIST in PacGAN Table 3's setting (1/4-size D), our ``table3-quarter-cpu`` preset."""
    return _table3_block("stacked_table3_cpu.json", "table3-quarter-cpu", results)


@table("stacked-table3-half-cpu", "stacked_table3_half_cpu.json")
def build_stacked_table3_half(results: Path) -> Block:
    """The same with the 1/2-size D, our ``table3-half-cpu`` preset."""
    return _table3_block("stacked_table3_half_cpu.json", "table3-half-cpu", results)


@table("methods-cpu", "methods_cpu.json")
def build_methods(results: Path) -> Block:
    """Every method on ring and grid, m = 1 and 2 (``benchmarks/methods_table.py``), mean +/- SE."""
    res = _load(results, "methods_cpu.json")
    st = res["settings"]
    if res.get("missing"):
        raise ValueError(f"methods_cpu.json lacks runs: {res['missing']}")
    ring = {(r["method"], r["m"]): r for r in res["rows"]["ring"]}
    grid = {(r["method"], r["m"]): r for r in res["rows"]["grid"]}
    rows = []
    for key, r in ring.items():
        g = grid[key]
        rows.append([r["label"], *(_pm(x[k], d) for x in (r, g)
                                   for k, d in (("modes", 1), ("hq_percent", 1), ("reverse_kl", 2)))])
    head = (f"**every method, ring and grid** (seeds {st['seeds']}, {st['steps']:,} steps each, `{st['preset']}` "
            f"preset otherwise; f-GAN with f = {st['fgan_f']}):")
    lines = _rows(["model", "ring modes", "ring % HQ", "ring rKL", "grid modes", "grid % HQ", "grid rKL"], rows)
    return Block("\n".join([head, "", *lines]), facts=(f"{res['total_train_wall_s'] / 60:.0f} min of training",))


# ---------------------------------------------------------------------------------- README I/O


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- results:{name} -->", f"<!-- /results:{name} -->"


def _span(text: str, name: str) -> tuple[int, int]:
    """Start and end offsets of the text between the markers of ``name`` (exactly one pair)."""
    open_, close = _markers(name)
    i, j = text.find(open_), text.find(close)
    if i < 0 or j < 0:
        raise ValueError(f"README.md has no markers {open_} ... {close} for table {name!r}: put them around the "
                         f"place where the table goes")
    if text.count(open_) > 1 or text.count(close) > 1 or j < i:
        raise ValueError(f"README.md has the markers of table {name!r} more than once or in the wrong order")
    return i + len(open_), j


def build_all(results: Path = RESULTS, names=None) -> dict[str, Block]:
    """``{name: Block}`` of the registered tables (all, or ``names``), built from ``results``."""
    names = list(TABLES) if names is None else list(names)
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        raise ValueError(f"unknown table(s) {unknown}; registered: {list(TABLES)}")
    return {n: TABLES[n].build(Path(results)) for n in names}


def render(readme_text: str, blocks: dict[str, Block]) -> str:
    """``readme_text`` with the text between each table's markers replaced by its block."""
    for name, block in blocks.items():
        a, b = _span(readme_text, name)
        readme_text = readme_text[:a] + "\n\n" + block.text.strip("\n") + "\n\n" + readme_text[b:]
    return readme_text


def check(readme_text: str, blocks: dict[str, Block]) -> list[str]:
    """The problems that make ``readme_text`` stale for ``blocks`` (empty: up to date)."""
    problems = []
    folded = " ".join(readme_text.split())
    for name, block in blocks.items():
        try:
            a, b = _span(readme_text, name)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        have, want = readme_text[a:b].strip("\n"), block.text.strip("\n")
        if have != want:
            diff = [f"    README:    {h}\n    generated: {w}" for h, w in zip(have.splitlines(), want.splitlines())
                    if h != w]
            if len(have.splitlines()) != len(want.splitlines()):
                diff.append(f"    {len(have.splitlines())} lines in README, {len(want.splitlines())} generated")
            problems.append(f"table {name!r} differs from its results file(s) {', '.join(TABLES[name].files)}:\n"
                            + "\n".join(diff))
        for fact in block.facts:
            if " ".join(fact.split()) not in folded:
                problems.append(f"table {name!r}: the README's prose should quote {fact!r} from "
                                f"{', '.join(TABLES[name].files)}")
    return problems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="do not write; exit 1 if any table or quoted fact is stale")
    p.add_argument("--list", action="store_true", help="list the registered tables and their results files")
    p.add_argument("--readme", type=Path, default=README, help="the README to update (default: the repository's)")
    p.add_argument("--results", type=Path, default=RESULTS, help="the results folder (default: benchmarks/results)")
    p.add_argument("names", nargs="*", help="only these tables (default: all)")
    args = p.parse_args(argv)
    if args.list:
        for spec in TABLES.values():
            print(f"{spec.name}: {', '.join(spec.files)}")
        return 0
    try:
        blocks = build_all(args.results, args.names or None)
        text = args.readme.read_text()
        if args.check:
            problems = check(text, blocks)
            for msg in problems:
                print(msg, file=sys.stderr)
            if problems:
                print(f"{len(problems)} stale table(s) or fact(s); regenerate with: python benchmarks/readme_tables.py",
                      file=sys.stderr)
            return 1 if problems else 0
        new = render(text, blocks)
        if new != text:
            args.readme.write_text(new)
        print(f"{'updated' if new != text else 'unchanged'}: {args.readme} ({', '.join(blocks)})")
        problems = [m for m in check(new, blocks)]
        for msg in problems:  # only quoted facts can remain: the prose is written by hand
            print(msg, file=sys.stderr)
        return 1 if problems else 0
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
