"""The figures command line: listing, subsets, formats, a clear message without matplotlib, and one-line
errors (no partial file) for an output that cannot be written."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from modecollapse import figures
from modecollapse.figures import available_figures, build_figures


def _run(*args, code=None, cwd=None):
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "modecollapse.figures", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.no_matplotlib
def test_list_names_every_figure_module(tmp_path):
    modules = {i.name for i in pkgutil.iter_modules(figures.__path__) if i.name.startswith("fig_")}
    specs = available_figures()
    assert {s.module.split(".")[-1] for s in specs} == modules
    out = _run("--list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for spec in specs:
        assert spec.name in out.stdout
        assert spec.caption and spec.reproduces, f"{spec.name} needs a CAPTION and REPRODUCES"


@pytest.mark.no_matplotlib
def test_discovery_ignores_a_figures_folder_in_the_working_directory(tmp_path):
    # a local figures/ (or fig_*.py) must not shadow or join ours: discovery imports modecollapse.figures.*
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "__init__.py").write_text("raise RuntimeError('the local figures/ was imported')\n")
    (tmp_path / "figures" / "fig_intruder.py").write_text("NAME = 'intruder'\n")
    (tmp_path / "fig_intruder.py").write_text("NAME = 'intruder'\n")
    out = _run("--list", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "intruder" not in out.stdout
    assert {line.split()[0] for line in out.stdout.splitlines() if line[:1].strip()} == {
        s.name for s in available_figures()}


@pytest.mark.no_matplotlib
def test_listing_imports_neither_matplotlib_nor_torch():
    # the face's promise: both extras are imported only when a figure that needs them is built
    code = (
        "import sys\n"
        "from modecollapse.figures import available_figures\n"
        "specs = available_figures()\n"
        "print(len(specs), 'matplotlib' in sys.modules, 'torch' in sys.modules)\n"
    )
    out = _run(code=code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(len(available_figures())), "False", "False"]


@pytest.mark.no_matplotlib
def test_figure_names_match_module_names():
    for spec in available_figures():
        assert spec.module == f"modecollapse.figures.fig_{spec.name}"


def test_unknown_figure_name_is_a_clear_error(tmp_path):
    out = _run("no_such_figure", "--out", str(tmp_path))
    assert out.returncode == 2
    assert "unknown figure name(s) ['no_such_figure']" in out.stderr
    with pytest.raises(ValueError, match="fmt must be one of"):
        build_figures(out_dir=tmp_path, fmt="jpg")


@pytest.mark.no_matplotlib
def test_missing_matplotlib_gives_install_hint(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from modecollapse.figures.__main__ import main\n"
        f"sys.exit(main(['--out', {str(tmp_path)!r}]))"
    )
    out = _run(code=code)
    assert out.returncode == 2
    assert "needs matplotlib" in out.stderr and "modecollapse[figures]" in out.stderr
    assert not any(tmp_path.iterdir()), "nothing may be written when matplotlib is missing"


@pytest.mark.needs_torch
def test_threads_option_sets_torch_threads_and_rejects_bad_values(tmp_path):
    code = (
        "import os, sys\n"
        "os.environ.pop('OMP_NUM_THREADS', None)\n"
        "from modecollapse.figures.__main__ import main\n"
        f"rc = main(['regions_toy', '--out', {str(tmp_path)!r}, '--threads', '1'])\n"
        "import torch\n"
        "print(rc, os.environ['OMP_NUM_THREADS'], torch.get_num_threads())\n"
    )
    out = _run(code=code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-3:] == ["0", "1", "1"]
    default = _run(code=code.replace(", '--threads', '1'", ""))
    assert default.returncode == 0 and default.stdout.split()[-3:] == ["0", "1", "1"], default.stderr
    bad = _run("regions_toy", "--out", str(tmp_path), "--threads", "0")
    assert bad.returncode == 2 and "--threads must be >= 1; got 0" in bad.stderr


# ---------------------------------------------------------------- outputs that cannot be written


def _main_quiet(monkeypatch, *args):
    """``figures.__main__.main(args)`` in this process (the environment it sets is restored)."""
    from modecollapse.figures.__main__ import main

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    return main(list(args))


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("where", ["file", "under_file"])
def test_out_that_is_a_file_or_under_a_file_is_a_one_line_error(tmp_path, monkeypatch, capsys, where):
    a_file = tmp_path / "a_file"
    a_file.write_text("keep me\n")
    out = a_file if where == "file" else a_file / "sub"
    assert _main_quiet(monkeypatch, "regions_toy", "--out", str(out)) == 2
    captured = capsys.readouterr()
    line = _error_line(captured.err)
    assert str(out) in line and "--out" in line
    assert "building" not in captured.out, "nothing may be built"
    assert a_file.read_text() == "keep me\n" and sorted(tmp_path.iterdir()) == [a_file]
    with pytest.raises(ValueError if where == "file" else PermissionError, match="out_dir"):
        build_figures(["regions_toy"], out_dir=out, log=lambda s: None)


def test_runs_that_is_a_file_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    assert _main_quiet(monkeypatch, "regions_toy", "--out", str(tmp_path / "out"), "--runs", str(a_file)) == 2
    captured = capsys.readouterr()
    assert _error_line(captured.err) == f"error: --runs folder {a_file} exists and is not a folder"
    assert "building" not in captured.out


def test_missing_runs_is_a_one_line_error_and_no_new_folder(tmp_path, monkeypatch, capsys):
    # a mistyped --runs used to be created and trained into; now it is refused, with or without --retrain
    typo = tmp_path / "runz"
    for extra in ([], ["--retrain"], ["--gan-steps", "5"]):
        assert _main_quiet(monkeypatch, "gan_samples", "--out", str(tmp_path / "out"), "--runs", str(typo),
                           *extra) == 2
        captured = capsys.readouterr()
        assert _error_line(captured.err) == (f"error: --runs folder {typo} does not exist (give a folder written by "
                                             f"`python -m modecollapse.gan train`, or leave out --runs)")
        assert "building" not in captured.out
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_runs_without_a_matching_run_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    runs = tmp_path / "runs"
    (runs / "r").mkdir(parents=True)
    (runs / "r" / "spec.json").write_text('{"dataset": "ring", "ms": [1], "seeds": [0], "preset": "smoke"}')
    assert _main_quiet(monkeypatch, "crosscheck_regions", "--out", str(tmp_path / "out"), "--runs", str(runs)) == 2
    captured = capsys.readouterr()
    line = _error_line(captured.err)
    assert "no finished 'gan' run on 'grid'" in line and "r (ring, method gan, m 1, seeds 0" in line
    assert "building" not in captured.out and not any((tmp_path / "out").iterdir())


@pytest.mark.no_matplotlib
def test_help_names_retrain_and_runs(capsys):
    from modecollapse.figures.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "--retrain" in out and "--runs" in out and "spec.json" in out


def test_read_only_out_is_a_one_line_error_before_anything_is_built(tmp_path, monkeypatch, capsys):
    # root writes into a chmod-ed folder, so the read-only file system is the writer refusing
    import errno

    from modecollapse.gan.experiments import _io

    def read_only(path, data):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(_io, "_write_file", read_only)
    out = tmp_path / "out"
    assert _main_quiet(monkeypatch, "regions_toy", "--out", str(out)) == 2
    captured = capsys.readouterr()
    line = _error_line(captured.err)
    assert f"--out folder {out} is not writable: Read-only file system (EROFS)" in line
    assert "building" not in captured.out
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fail_at", [0, 1])
def test_a_failed_write_while_building_stops_with_one_line_and_no_partial_file(tmp_path, monkeypatch, capsys,
                                                                              fail_at):
    # disk full at the figure's first file (the image) or its second (the data file): the files
    # written before stay, the failing one leaves neither a partial file nor a .tmp, and the exit is 2
    import errno

    from modecollapse.gan.experiments import _io

    original = _io._write_file
    writes = []

    def disk_full(path, data):
        if not Path(path).name.startswith(".write-test-"):
            writes.append(Path(path).name)
            if len(writes) > fail_at:
                with open(path, "wb") as fh:  # a partial file, as a full disk leaves one
                    fh.write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
        original(path, data)

    monkeypatch.setattr(_io, "_write_file", disk_full)
    out = tmp_path / "out"
    assert _main_quiet(monkeypatch, "regions_toy", "fgallery", "--out", str(out)) == 2
    captured = capsys.readouterr()
    line = _error_line(captured.err)
    assert "No space left on device (ENOSPC)" in line and "nothing was written" in line
    assert "fgallery" not in captured.out, "the build stops at the first failed write"
    assert sorted(p.name for p in out.iterdir()) == (["regions_toy.png"] if fail_at else [])


def test_images_and_data_files_are_written_atomically_with_the_same_bytes(tmp_path):
    # the image is rendered in memory and renamed into place: same bytes as a direct savefig
    import matplotlib.pyplot as plt

    from modecollapse.figures import FigureContext

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    direct = tmp_path / "direct.png"
    fig.savefig(direct, bbox_inches="tight", dpi=200)
    ctx = FigureContext(out_dir=tmp_path / "ctx")
    ctx.out_dir.mkdir()
    path = ctx.savefig(fig, "line")
    assert path.read_bytes() == direct.read_bytes()
    csv = ctx.save_csv("cols", {"x": np.array([0.1, 1 / 3]), "n": np.array([1, 2])})
    assert csv.read_text() == "x,n\n0.1,1\n0.3333333333333333,2\n"
    assert sorted(p.name for p in ctx.out_dir.iterdir()) == ["cols.csv", "line.png"]
