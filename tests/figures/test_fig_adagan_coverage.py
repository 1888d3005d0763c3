"""fig_adagan_coverage: the plotted numbers are the library's (results file) and AdaGAN's published table."""

import csv
import json

import numpy as np
import pytest

from modecollapse.figures.fig_adagan_coverage import NAME

pytestmark = pytest.mark.needs_torch


def test_fig_adagan_coverage_numbers(tmp_path, build_figure):
    from modecollapse.gan.experiments import adagan as ag

    cfg = ag.CoverageConfig(
        modes=(1, 3), n_runs=2, methods=("ensemble", "topklast:0.5"), n_components=3, eval_at=(1, 3), steps=10,
        n_train=300, classifier_hidden=8, classifier_steps=15, classifier_batch=64, n_pool=300, n_eval=150,
        train=dict(batch_size=32, lr=2e-3, beta1=0.5, beta2=0.999, latent_dim=2, g_hidden=8, g_layers=2,
                   d_hidden=8, d_layers=2, d_pieces=3))
    res = ag.run_coverage_experiment(cfg, tmp_path / "runs" / "tiny", device="cpu", preset="cpu", log=lambda m: None)
    _, figure = build_figure(NAME, tmp_path / "out", runs_dir=tmp_path / "runs")
    assert (tmp_path / "out" / f"{NAME}.png").stat().st_size > 10_000
    rows = list(csv.DictReader(open(tmp_path / "out" / f"{NAME}.csv")))
    meta = json.loads((tmp_path / "out" / f"{NAME}.json").read_text())
    assert meta["results_file"].endswith("tiny/adagan_results.json")

    def ours(method, T, k):
        [r] = [r for r in rows if r["source"] == "ours" and r["method"] == method and int(r["T"]) == T
               and int(r["modes"]) == k]
        return float(r["median"]), float(r["q05"]), float(r["q95"])

    for k in (1, 3):
        runs = [r for r in res["runs"] if r["modes"] == k]
        ens = [r for r in runs if r["method"] == "ensemble"]
        top = [r for r in runs if r["method"] == "topklast:0.5"]
        # recompute median and 5%/95% quantiles from the per-run coverage values of the library
        for method, T, vals in (
            ("Vanilla", 1, [r["component_coverage"][0] for r in ens]),
            ("Best of T", 3, [max(r["component_coverage"][:3]) for r in ens]),
            ("Ensemble", 3, [r["coverage"]["3"][0] for r in ens]),
            ("TopKLast0.5", 3, [r["coverage"]["3"][0] for r in top]),
        ):
            want = (np.median(vals), np.quantile(vals, 0.05), np.quantile(vals, 0.95))
            np.testing.assert_allclose(ours(method, T, k), want, rtol=1e-12)  # same floats, CSV repr round-trips
        # the vanilla GAN is component 1 of every method: the T=1 coverage of TopKLast runs is the same model
        assert sorted(r["component_coverage"][0] for r in ens) == pytest.approx(
            sorted(r["coverage"]["1"][0] for r in top), abs=0.2)
    pub = [r for r in rows if r["source"] == "published"]
    assert len(pub) == 9 * 6
    for label, vals in ag.PUBLISHED_COVERAGE["rows"].items():
        method = label.split(" (T=")[0]
        T = int(label.split("(T=")[1].rstrip(")")) if "(T=" in label else 1
        for k, triple in zip(ag.PUBLISHED_COVERAGE["modes"], vals):
            [r] = [r for r in pub if r["method"] == method and int(r["T"]) == T and int(r["modes"]) == k]
            assert (float(r["median"]), float(r["q05"]), float(r["q95"])) == triple

    # the legend names our runs and where they ran (regression: "ours (preset cpu, cpu)")
    [legend] = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None]
    labels = [t.get_text() for t in legend.get_texts()]
    assert f"ours ({cfg.n_runs} runs, on CPU)" in labels
    assert f"published ({ag.PUBLISHED_COVERAGE['n_runs']} runs)" in labels


@pytest.mark.parametrize("res, want", [({"device": "cpu", "device_name": "cpu"}, "CPU"),
                                       ({"device": "cuda", "device_name": "NVIDIA H200"}, "NVIDIA H200"),
                                       ({"device": "cuda"}, "cuda"), ({}, "CPU")])
def test_device_named_in_the_legend(res, want):
    from modecollapse.figures.fig_adagan_coverage import _device

    assert _device(res) == want
