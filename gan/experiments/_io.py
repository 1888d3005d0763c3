"""Atomic, validated checkpoints of a training run.

A checkpoint is a ``torch.save`` dict of tensors and plain Python values, loaded back with
``torch.load(weights_only=True)`` (no arbitrary pickles). It holds the run specification, the full
ensemble state (parameters, Adam moments and step counters, every member's ``torch.Generator``
state, the step counter, the loss history) and the process-wide RNG states (torch CPU, every CUDA
device, numpy's legacy global generator), so ``--resume`` continues *exactly*.

Writes go to ``<path>.tmp`` and are moved into place with :func:`os.replace` (atomic on POSIX), so
an interrupted write never leaves a truncated checkpoint behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch

__all__ = ["CHECKPOINT_FORMAT", "save_checkpoint", "load_checkpoint", "atomic_write_text", "capture_global_rng",
           "restore_global_rng"]

CHECKPOINT_FORMAT = "modecollapse.gan.checkpoint/1"


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and :func:`os.replace`."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def capture_global_rng() -> dict:
    """Process-wide RNG states: torch CPU, all CUDA devices (if any), numpy's legacy generator."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"name": str(name), "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached": float(cached)},
    }


def restore_global_rng(state: dict) -> None:
    """Inverse of :func:`capture_global_rng` (CUDA states are restored only where CUDA is present)."""
    torch.set_rng_state(state["torch"].cpu())
    if state.get("cuda") and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    n = state["numpy"]
    np.random.set_state((n["name"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))


def save_checkpoint(path, *, spec: dict, ensemble_state: dict, extra: dict | None = None) -> Path:
    """Atomically write a checkpoint with the run ``spec`` (JSON-able dict) and ensemble state."""
    path = Path(path)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "spec_json": json.dumps(spec, sort_keys=True),
        "ensemble": ensemble_state,
        "global_rng": capture_global_rng(),
        "extra": extra or {},
    }
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path, *, expect_spec: dict | None = None) -> dict:
    """Load and validate a checkpoint; returns the payload with ``spec`` decoded.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not a readable checkpoint of this format (corrupt, truncated, foreign), or
        if ``expect_spec`` is given and differs from the stored specification (the differing keys
        are named).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a damaged zip/pickle
        raise ValueError(f"checkpoint {path} is corrupt or not a checkpoint ({type(exc).__name__}: {exc})") from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        got = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise ValueError(f"checkpoint {path} has format {got!r}; expected {CHECKPOINT_FORMAT!r}")
    try:
        payload["spec"] = json.loads(payload["spec_json"])
        payload["ensemble"]["step"]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"checkpoint {path} is incomplete ({type(exc).__name__}: {exc})") from exc
    if expect_spec is not None:
        diff = sorted(k for k in set(expect_spec) | set(payload["spec"])
                      if expect_spec.get(k) != payload["spec"].get(k))
        if diff:
            detail = "; ".join(f"{k}: checkpoint {payload['spec'].get(k)!r} vs requested {expect_spec.get(k)!r}"
                               for k in diff)
            raise ValueError(f"checkpoint {path} does not match the requested run ({detail})")
    return payload
