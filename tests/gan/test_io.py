"""The run-folder I/O module: atomic writes, checksums, format tags, the lock, the environment record."""

import errno
import json
import os

import pytest

from modecollapse.gan.experiments import _io


def _enospc(path, data):
    with open(path, "wb") as fh:
        fh.write(data[:1])
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_failed_write_keeps_the_old_file_and_leaves_no_partial_one(tmp_path, monkeypatch):
    p = _io.atomic_write_text(tmp_path / "a.json", "old")
    monkeypatch.setattr(_io, "_write_file", _enospc)
    with pytest.raises(_io.WriteError, match=r"cannot write .*a\.json: No space left on device \(ENOSPC\); the "
                                             r"previous file is unchanged") as info:
        _io.atomic_write_text(p, "new")
    assert info.value.errno == errno.ENOSPC and isinstance(info.value, OSError)
    assert p.read_text() == "old" and sorted(x.name for x in tmp_path.iterdir()) == ["a.json"]
    with pytest.raises(_io.WriteError, match="nothing was written"):
        _io.atomic_write_bytes(tmp_path / "b.bin", b"xyz")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.json"]


def test_keep_previous_moves_the_old_file_only_after_the_new_one_is_on_disk(tmp_path, monkeypatch):
    p = _io.atomic_write_bytes(tmp_path / "c.pt", b"one")
    _io.atomic_write_bytes(p, b"two", keep_previous=tmp_path / "c.prev.pt")
    assert p.read_bytes() == b"two" and (tmp_path / "c.prev.pt").read_bytes() == b"one"
    monkeypatch.setattr(_io, "_write_file", _enospc)
    with pytest.raises(_io.WriteError):
        _io.atomic_write_bytes(p, b"three", keep_previous=tmp_path / "c.prev.pt")
    assert p.read_bytes() == b"two" and (tmp_path / "c.prev.pt").read_bytes() == b"one"


def test_checked_json_roundtrip_and_every_flipped_byte(tmp_path):
    doc = {"a": 1, "b": [0.1, 2.5e-300, None], "c": {"d": "x"}, "e": float("nan")}
    p = _io.write_checked_json(tmp_path / "r.json", doc, allow_nan=True)
    back = _io.read_checked_json(p)
    assert json.dumps(back, allow_nan=True) == json.dumps(doc, allow_nan=True)
    raw = p.read_bytes()
    undetected = []
    for i in range(len(raw)):
        bad = bytearray(raw)
        bad[i] ^= 0x04
        p.write_bytes(bytes(bad))
        try:
            _io.read_checked_json(p, way_out="retrain")
        except _io.CorruptFileError as exc:
            assert str(p) in str(exc) and "retrain" in str(exc)
        else:
            undetected.append(i)
    # a flip that only changes JSON whitespace (e.g. a space into a tab) leaves the content intact
    assert all(chr(raw[i]) in " \n" for i in undetected), undetected
    with pytest.raises(ValueError):
        _io.write_checked_json(tmp_path / "n.json", {"x": float("inf")})
    with pytest.raises(ValueError, match="sha256"):
        _io.write_checked_json(tmp_path / "s.json", {"sha256": "x"})


def test_checkpoint_format_tags_and_kinds(tmp_path):
    pytest.importorskip("torch")
    assert _io.checkpoint_format("gan") == _io.CHECKPOINT_FORMAT == "modecollapse.gan.checkpoint/2"
    p = _io.save_checkpoint(tmp_path / "a.pt", kind="adagan", spec={"k": 1}, state={"t": 3}, global_rng=False)
    assert _io.load_checkpoint(p, kind="adagan")["state"] == {"t": 3}
    with pytest.raises(ValueError, match="has format 'modecollapse.adagan.checkpoint/2'; expected "
                                         "'modecollapse.gan.checkpoint/2'"):
        _io.load_checkpoint(p)
    with pytest.raises(ValueError, match="kind"):
        _io.checkpoint_format("no such kind")
    raw = p.read_bytes()
    for i in range(0, len(raw), max(1, len(raw) // 200)):
        bad = bytearray(raw)
        bad[i] ^= 0x01
        p.write_bytes(bytes(bad))
        with pytest.raises(ValueError):
            _io.load_checkpoint(p, kind="adagan")


def test_check_writable_and_lock(tmp_path):
    with pytest.raises(ValueError, match="non-empty"):
        _io.check_writable("")
    f = tmp_path / "f"
    f.write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        _io.check_writable(f)
    with pytest.raises(PermissionError, match="cannot create"):
        _io.check_writable(f / "sub")
    d = _io.check_writable(tmp_path / "d" / "e")
    assert d.is_dir() and list(d.iterdir()) == []
    with _io.RunFolderLock(d):
        with pytest.raises(_io.RunFolderLockedError, match="in use by another run"):
            _io.RunFolderLock(d).acquire()
    with _io.RunFolderLock(d):  # released
        pass
    assert list(d.iterdir()) == []  # no lock file left behind


def test_environment_record():
    env = _io.environment()
    assert {"python", "numpy", "platform", "cpu_count", "machine"} <= set(env)
    torch = pytest.importorskip("torch")
    assert env["torch"] == torch.__version__ and env["torch_threads"] == torch.get_num_threads()
    assert _io.environment("cpu")["device_name"] == "cpu"


def test_full_disk_at_the_start_is_a_write_error(tmp_path, monkeypatch):
    monkeypatch.setattr(_io, "_write_file", _enospc)
    with pytest.raises(_io.WriteError) as info:
        _io.check_writable(tmp_path / "o")
    assert str(info.value).startswith("output folder ") and "ENOSPC" in str(info.value)
    assert "[Errno" not in str(info.value)
    assert list((tmp_path / "o").iterdir()) == []
