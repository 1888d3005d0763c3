"""The smoke runs whose numbers are pinned bit-for-bit by ``tests/gan/test_smoke_regression.py``.

One ``smoke`` run of each run kind, on the CPU with one torch thread:

* ``gan``: ``gan train --dataset grid --m 1 2 --seeds 0-1 --preset smoke`` (the toy GAN ensemble);
* ``adagan``: ``gan adagan --preset smoke`` (the AdaGAN coverage experiment);
* ``stacked``: ``gan stacked --preset cpu --m 1 2 --seeds 0`` with ``--steps 20 --n-eval 500
  --classifier-epochs 1`` (stacked MNIST has no ``smoke`` preset; these are its smoke settings).

Each run's numbers (every member's metrics, the summaries, the coverages, the samples' checksum;
not its timings, machine or settings: the settings are stored beside them, not compared, so a new
configuration field with a default that changes nothing does not fail the test) are compared with
``tests/gan/data/smoke_<kind>.json``, so a change that moves any result fails the test suite.
After a change that is *meant* to move results, regenerate the files and commit them with the
change (and rerun the commands that the README's tables come from)::

    python benchmarks/regen_smoke.py            # all three, about half a minute on one core
    python benchmarks/regen_smoke.py adagan     # one kind

The files record the torch version and CPU capability they were made with; the test skips (and
says why) where those differ, since floating-point results are only reproducible bit-for-bit on
the same build and instruction set.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "gan" / "data"
FORMAT = "modecollapse.smoke-regression/1"

#: what every record drops: timings, the machine, the versions, the file's own checksum
VOLATILE = frozenset({"elapsed_s", "seconds", "seconds_this_session", "versions", "device_name", "sha256", "torch",
                      "device"})


def _strip(obj):
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def run_gan(out: Path) -> dict:
    """The toy GAN ensemble of ``gan train --dataset grid --m 1 2 --seeds 0-1 --preset smoke``."""
    from modecollapse.gan.experiments.runs import RunSpec, train_run

    train_run(RunSpec("grid", (1, 2), (0, 1), "smoke"), out, device="cpu", progress=False, log=lambda s: None)
    return json.loads((out / "results.json").read_text())


def run_adagan(out: Path) -> dict:
    """``gan adagan --preset smoke``."""
    from modecollapse.gan.experiments.adagan import run_coverage_experiment
    from modecollapse.gan.train.config import coverage_preset

    return run_coverage_experiment(coverage_preset("smoke"), out, device="cpu", preset="smoke", log=lambda s: None)


#: stacked MNIST's smoke settings: the cpu preset with these changes
STACKED_SMOKE = dict(steps=20, n_eval=500, classifier_epochs=1)


def run_stacked(out: Path) -> dict:
    """``gan stacked --preset cpu --m 1 2 --seeds 0 --steps 20 --n-eval 500 --classifier-epochs 1``."""
    from modecollapse.gan.experiments.stacked_mnist import run_stacked_experiment
    from modecollapse.gan.train.config import stacked_preset

    cfg = stacked_preset("cpu").replace(**STACKED_SMOKE)
    return run_stacked_experiment(cfg, out, ms=[1, 2], seeds=[0], preset="cpu", device="cpu", log=lambda s: None)


#: kind -> (runner, the command it stands for)
KINDS = {
    "gan": (run_gan, "python -m modecollapse.gan train --dataset grid --m 1 2 --seeds 0-1 --preset smoke --threads 1"),
    "adagan": (run_adagan, "python -m modecollapse.gan adagan --preset smoke --device cpu"),
    "stacked": (run_stacked, "python -m modecollapse.gan stacked --preset cpu --m 1 2 --seeds 0 --steps 20 "
                             "--n-eval 500 --classifier-epochs 1 --threads 1 --device cpu"),
}


def _gan_numbers(res: dict) -> dict:
    info = res["info"]
    return {"members": res["members"], "summary": res["summary"],
            **{k: info[k] for k in ("step", "data_fingerprint", "samples_sha256")}}


def _stacked_numbers(res: dict) -> dict:
    return {"classifier_held_out_accuracy": res["classifier_held_out_accuracy"],
            "n_classifier_held_out": res["n_classifier_held_out"], "runs": res["runs"], "summary": res["summary"]}


#: kind -> (the numbers compared bit-for-bit, the settings recorded beside them)
SELECT = {
    "gan": (_gan_numbers, lambda res: res["spec"]),
    "adagan": (lambda res: {"runs": res["runs"], "summary": res["summary"]}, lambda res: res["config"]),
    "stacked": (_stacked_numbers, lambda res: res["config"]),
}


def machine() -> dict:
    """What bit-for-bit reproduction depends on: the torch build and the CPU's vector instructions."""
    import torch

    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "threads": 1}


def run(kind: str, folder: Path) -> tuple[dict, dict]:
    """Run ``kind`` in ``folder`` (one torch thread); return ``(numbers, settings)``, timings dropped."""
    import torch

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}; got kind={kind!r}")
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        res = KINDS[kind][0](Path(folder))
    finally:
        torch.set_num_threads(old)
    numbers, settings = (f(res) for f in SELECT[kind])
    # through JSON, as the committed file is read: tuples become lists, numpy scalars numbers
    return tuple(json.loads(json.dumps(_strip(x), allow_nan=True)) for x in (numbers, settings))


def record(kind: str, folder: Path) -> dict:
    """The numbers of a fresh run of ``kind`` in ``folder`` (what the test compares)."""
    return run(kind, folder)[0]


def path_of(kind: str) -> Path:
    return DATA / f"smoke_{kind}.json"


def first_difference(a, b, where: str = "") -> str | None:
    """Where two JSON values first differ (``None`` if equal), e.g. ``"runs[3].coverage.3[0]: 0.71 != 0.72"``."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}: only in {'the committed file' if k in a else 'this run'}"
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items committed, {len(b)} now"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return None  # NaN is a value here: the same NaN in both
    return None if a == b and type(a) is type(b) else f"{where}: {a!r} committed, {b!r} now"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="regenerate tests/gan/data/smoke_<kind>.json")
    p.add_argument("kinds", nargs="*", help=f"which of {', '.join(KINDS)} (default: all)")
    args = p.parse_args(argv)
    kinds = args.kinds or list(KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        print(f"error: unknown kind(s) {bad}; choose from {list(KINDS)}", file=sys.stderr)
        return 2
    DATA.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp:
            rec, settings = run(kind, Path(tmp) / kind)
        doc = {"format": FORMAT, "kind": kind, "command": KINDS[kind][1],
               "regenerate": f"python benchmarks/regen_smoke.py {kind}", "machine": machine(), "settings": settings,
               "record": rec}
        path_of(kind).write_text(json.dumps(doc, indent=1, allow_nan=True) + "\n")
        print(f"wrote {path_of(kind).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
