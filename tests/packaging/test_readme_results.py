"""The README's GAN result tables are the committed results files, not hand-typed numbers.

Each table row is rebuilt here from ``benchmarks/results/*.json`` (written by the commands the
README names) and must appear verbatim in the README; rerunning a command and committing its file
without regenerating the table, or editing a number by hand, fails this test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"

from modecollapse.gan.experiments.reference import PACGAN_TABLE1

LABEL = {1: "GAN", 2: "PacGAN2", 3: "PacGAN3", 4: "PacGAN4"}


def _readme() -> str:
    """The README with every run of whitespace (line breaks included) folded to one space."""
    return " ".join(README.read_text().split())


def _pm(v: dict, digits: int) -> str:
    return f"{v['mean']:.{digits}f} ± {v['se']:.{digits}f}"


@pytest.mark.parametrize("dataset", ["grid", "ring"])
def test_pacgan_table_rows_come_from_the_results_file(dataset):
    res = json.loads((RESULTS / f"gan_cpu_preset_{dataset}.json").read_text())
    text = _readme()
    assert res["spec"]["preset"] == "cpu"
    header = (f"**{dataset}** ({len(res['spec']['seeds'])} seeds, {res['spec']['steps']:,} steps, "
              f"{res['info']['elapsed_s'] / 60:.1f} min for all {len(res['members'])} members on 1 thread)")
    assert header in text
    for m, pub in PACGAN_TABLE1[dataset].items():
        s = res["summary"][str(m)]
        row = (f"| {LABEL[m]} | {_pm(s['modes'], 1)} / {pub[0]} | {_pm(s['hq_percent'], 1)} / {pub[1]} "
               f"| {_pm(s['reverse_kl'], 3)} / {pub[2]} |")
        assert row in text, row


def test_stacked_mnist_table_rows_come_from_the_results_file():
    res = json.loads((RESULTS / "stacked_cpu_preset.json").read_text())
    text = _readme()
    assert res["preset"] == "cpu" and res["config"]["image_size"] == 14
    assert f"classifier held-out accuracy {res['classifier_held_out_accuracy']:.3f}" in text
    assert f"{res['seconds']:.0f} s for all {len(res['runs'])} runs" in text
    for label, s in res["summary"].items():
        name = "GAN (DCGAN-style)" if label == "GAN" else label
        row = f"| {name} | {_pm(s['modes'], 1)} | {_pm(s['kl'], 3)} |"
        assert row in text, row


def test_adagan_coverage_table_rows_come_from_the_results_file():
    res = json.loads((RESULTS / "adagan_cpu_preset.json").read_text())
    text = _readme()
    assert res["preset"] == "cpu"
    assert f"{res['seconds_this_session']:.0f} s on the 2-core CPU" in text
    modes = res["published"]["modes"]
    for label, cells in res["summary"].items():
        pub = res["published"]["rows"][label]
        row = "| " + label + " | " + " | ".join(
            f"{cells[str(k)]['median']:.2f} / {pub[i][0]:.2f}" for i, k in enumerate(modes)) + " |"
        assert row in text, row
