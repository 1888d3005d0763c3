"""The README's result tables are the committed results files, not hand-typed numbers.

``benchmarks/readme_tables.py`` builds every table between the README's ``<!-- results:NAME -->``
markers from ``benchmarks/results/*.json`` (the files the commands the README names write); its
``--check`` must pass, so rerunning a command and committing its file without regenerating the
table, or editing a number by hand, fails this test. The other tests show that the check can fail
(a changed number in either the README or a results file, a missing marker, a quoted fact gone).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"
SCRIPT = ROOT / "benchmarks" / "readme_tables.py"


def _script():
    spec = importlib.util.spec_from_file_location("_readme_tables", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up by name
    spec.loader.exec_module(mod)
    return mod


rt = _script()


def test_every_readme_table_is_regenerated_from_its_results_file():
    assert rt.main(["--check"]) == 0
    assert set(rt.TABLES) >= {"gan-cpu-grid", "gan-cpu-ring", "adagan-cpu", "stacked-cpu"}
    text = README.read_text()
    for name in rt.TABLES:  # each table once, between its markers
        assert text.count(f"<!-- results:{name} -->") == 1 and text.count(f"<!-- /results:{name} -->") == 1


def test_the_command_line_check_runs_as_documented():
    r = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr


def test_rows_read_the_numbers_of_the_file():
    # an independent reading of one cell per table, from the JSON by hand
    from modecollapse.gan.experiments.reference import PACGAN_TABLE1

    blocks = rt.build_all()
    grid = json.loads((RESULTS / "gan_cpu_preset_grid.json").read_text())["summary"]["4"]["modes"]
    assert f"| PacGAN4 | {grid['mean']:.1f} ± {grid['se']:.1f} / {PACGAN_TABLE1['grid'][4][0]} |" in blocks["gan-cpu-grid"].text
    st = json.loads((RESULTS / "stacked_cpu_preset.json").read_text())["summary"]["GAN"]["kl"]
    assert f"| {st['mean']:.3f} ± {st['se']:.3f} |" in blocks["stacked-cpu"].text
    ada = json.loads((RESULTS / "adagan_cpu_preset.json").read_text())
    boosted = ada["summary"]["Boosted (T=3)"]["10"]["median"]
    pub = ada["published"]["rows"]["Boosted (T=3)"][ada["published"]["modes"].index(10)][0]
    assert blocks["adagan-cpu"].text.splitlines()[0].endswith("| 10 modes |")
    assert [ln for ln in blocks["adagan-cpu"].text.splitlines() if ln.startswith("| Boosted")][0].endswith(
        f"| {boosted:.2f} / {pub:.2f} |")


@pytest.fixture()
def copies(tmp_path):
    results = tmp_path / "results"
    shutil.copytree(RESULTS, results)
    readme = tmp_path / "README.md"
    readme.write_text(README.read_text())
    return readme, results


def test_check_fails_on_a_changed_results_file_and_the_rewrite_fixes_it(copies, capsys):
    readme, results = copies
    args = ["--readme", str(readme), "--results", str(results)]
    p = results / "stacked_cpu_preset.json"
    doc = json.loads(p.read_text())
    s = doc["summary"]["PacGAN2"]
    before = f"| PacGAN2 | {s['modes']['mean']:.1f} ± {s['modes']['se']:.1f} | {s['kl']['mean']:.3f} ± {s['kl']['se']:.3f} |"
    s["modes"]["mean"] += 1.0
    after = f"| PacGAN2 | {s['modes']['mean']:.1f} ± {s['modes']['se']:.1f} |"
    p.write_text(json.dumps(doc))
    assert rt.main([*args, "--check"]) == 1
    err = capsys.readouterr().err
    assert "'stacked-cpu' differs" in err and after in err
    assert rt.main(args) == 0
    assert after in readme.read_text()
    assert rt.main([*args, "--check"]) == 0
    # only that row changed: everything outside the markers is as before
    old, new = README.read_text().splitlines(), readme.read_text().splitlines()
    assert len(old) == len(new) and [a for a, b in zip(old, new) if a != b] == [before]


def test_check_fails_on_a_hand_edited_number_a_lost_fact_or_marker(copies, capsys):
    readme, results = copies
    args = ["--readme", str(readme), "--results", str(results), "--check"]
    text = readme.read_text()
    readme.write_text(text.replace("| 0.73 / 0.97 |", "| 0.74 / 0.97 |", 1))
    assert rt.main(args) == 1 and "'adagan-cpu' differs" in capsys.readouterr().err
    doc = json.loads((results / "adagan_cpu_preset.json").read_text())
    fact = f"{doc['seconds_this_session']:.0f} s on the 2-core CPU"
    assert fact in " ".join(text.split())
    readme.write_text(" ".join(text.split()).replace(fact, "a while on the CPU"))  # line breaks do not matter
    assert rt.main(args) == 1 and "should quote" in capsys.readouterr().err
    readme.write_text(text.replace("<!-- /results:gan-cpu-ring -->", ""))
    assert rt.main(args) == 1 and "no markers" in capsys.readouterr().err
    assert rt.main(["--readme", str(readme), "--results", str(results)]) == 2  # nowhere to write it
    assert readme.read_text() == text.replace("<!-- /results:gan-cpu-ring -->", "")
    assert rt.main(["--readme", str(readme), "--results", str(results), "no-such-table"]) == 2


def test_registering_a_table(copies):
    readme, results = copies
    name = "test-extra"
    try:
        @rt.table(name, "stacked_cpu_preset.json")
        def build(res):
            return rt.Block(f"{json.loads((res / 'stacked_cpu_preset.json').read_text())['seconds']:.0f} seconds")

        with pytest.raises(ValueError, match="twice"):
            rt.table(name)(build)
        readme.write_text(readme.read_text() + f"\n<!-- results:{name} -->\n<!-- /results:{name} -->\n")
        assert rt.main(["--readme", str(readme), "--results", str(results), "--check"]) == 1
        assert rt.main(["--readme", str(readme), "--results", str(results)]) == 0
        assert rt.main(["--readme", str(readme), "--results", str(results), "--check"]) == 0
        seconds = json.loads((results / "stacked_cpu_preset.json").read_text())["seconds"]
        assert f"\n\n{seconds:.0f} seconds\n\n" in readme.read_text()
    finally:
        rt.TABLES.pop(name, None)
