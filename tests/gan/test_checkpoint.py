"""Checkpoints: atomic writes, exact restore of every RNG, clear errors for corrupt or foreign files."""

import numpy as np
import pytest
import torch

from modecollapse.gan.experiments._io import (CHECKPOINT_FORMAT, atomic_write_text, capture_global_rng, load_checkpoint,
                            restore_global_rng, save_checkpoint)
from modecollapse.gan.data._mixtures import ring
from modecollapse.gan.train._ensemble import GanEnsemble
from modecollapse.gan.train.config import TrainConfig

TINY = TrainConfig(batch_size=16, g_hidden=8, g_layers=1, d_hidden=4, d_layers=1, d_pieces=2)


def test_roundtrip_and_resume_bitwise(tmp_path):
    d = ring(n_train=500)
    ref = GanEnsemble(d, [(1, 0), (2, 1)], TINY, device="cpu")
    ref.train(6)
    a = GanEnsemble(d, [(1, 0), (2, 1)], TINY, device="cpu")
    a.train(3)
    p = save_checkpoint(tmp_path / "c.pt", spec={"k": 1}, state=a.state_dict(), extra={"elapsed": 1.5})
    assert not (tmp_path / "c.pt.tmp").exists()  # moved into place
    payload = load_checkpoint(p, expect_spec={"k": 1})
    assert payload["spec"] == {"k": 1} and payload["extra"]["elapsed"] == 1.5
    b = GanEnsemble(d, [(1, 0), (2, 1)], TINY, device="cpu")
    b.load_state_dict(payload["state"])
    b.train(3)
    np.testing.assert_array_equal(ref.sample(100), b.sample(100))


def test_global_rng_restored():
    state = capture_global_rng()
    x1, y1 = torch.rand(3), np.random.rand(3)
    restore_global_rng(state)
    x2, y2 = torch.rand(3), np.random.rand(3)
    assert torch.equal(x1, x2) and np.array_equal(y1, y2)


def test_corrupt_truncated_and_foreign_files(tmp_path):
    d = ring(n_train=100)
    good = save_checkpoint(tmp_path / "g.pt", spec={"a": 1},
                           state=GanEnsemble(d, [(1, 0)], TINY, device="cpu").state_dict())
    raw = good.read_bytes()
    (tmp_path / "trunc.pt").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint at all")
    torch.save({"format": "something/else"}, tmp_path / "foreign.pt")
    for name in ("trunc.pt", "junk.pt"):
        with pytest.raises(ValueError, match="corrupt"):
            load_checkpoint(tmp_path / name)
    with pytest.raises(ValueError, match="format 'something/else'"):
        load_checkpoint(tmp_path / "foreign.pt")
    with pytest.raises(ValueError, match="does not match.*a: checkpoint 1 vs requested 2"):
        load_checkpoint(good, expect_spec={"a": 2})
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.pt")
    assert load_checkpoint(good)["format"] == CHECKPOINT_FORMAT


def test_atomic_write_text(tmp_path):
    p = atomic_write_text(tmp_path / "r.json", "{}")
    assert p.read_text() == "{}" and sorted(x.name for x in tmp_path.iterdir()) == ["r.json"]
