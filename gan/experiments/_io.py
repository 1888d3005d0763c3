"""Files of a run folder, for every run kind: atomic writes, checksums, checkpoints, the lock.

One module for the plumbing that the GAN runs (:mod:`.runs`), the AdaGAN coverage experiment
(:mod:`.adagan`), stacked MNIST (:mod:`.stacked_mnist`) and the cross-check results share:

* **atomic writes** (:func:`atomic_write_bytes`, :func:`atomic_write_text`,
  :func:`atomic_write_json`, :func:`atomic_save_npz`): the data goes to ``<path>.tmp``, is flushed
  and ``fsync``-ed, and is moved into place with :func:`os.replace` (atomic on POSIX). A failed
  write (disk full, read-only folder) raises :class:`WriteError` (an ``OSError``) naming the file,
  removes the temporary file and leaves the previous ``path`` as it was.
* **checksums**: a checkpoint's header holds the SHA-256 of its serialised body, a results JSON file the
  SHA-256 of its text (:func:`write_checked_json` / :func:`read_checked_json`); one flipped byte is
  a :class:`CorruptFileError` (a ``ValueError``) that names the file and the way out.
* **checkpoints** (:func:`save_checkpoint`, :func:`load_checkpoint`): a ``torch.save`` dict of
  tensors and plain values read back with ``torch.load(weights_only=True)`` (no arbitrary
  pickles), tagged ``modecollapse.<kind>.checkpoint/<version>`` (:func:`checkpoint_format`), with
  the run specification whose differing keys a mismatch names, and the process-wide RNG states.
* **the run folder**: :func:`check_writable` (one write probe) and :class:`RunFolderLock`
  (an advisory ``fcntl.flock`` held for a run's life, so a second writer gets a clear error).
* **the environment record** (:func:`environment`): python/torch/numpy versions, platform, cores,
  device.

Torch is imported inside the functions that need it, so results can be read without it.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import math
import os
import platform
from pathlib import Path

import numpy as np

__all__ = [
    "CHECKPOINT_FORMAT",
    "CorruptFileError",
    "WriteError",
    "RunFolderLock",
    "RunFolderLockedError",
    "RunInterrupted",
    "SignalGuard",
    "StopRequested",
    "checkpoint_format",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_json",
    "atomic_save_npz",
    "write_checked_json",
    "read_checked_json",
    "sha256_hex",
    "check_writable",
    "environment",
    "capture_global_rng",
    "restore_global_rng",
    "save_checkpoint",
    "load_checkpoint",
    "previous_checkpoint",
    "spec_diff",
    "jsonable",
]

_CHECKPOINT_VERSION = 2


def checkpoint_format(kind: str) -> str:
    """The format tag of a checkpoint of run kind ``kind`` (``"gan"``, ``"adagan"``, ``"stacked"``)."""
    if not isinstance(kind, str) or not kind.isidentifier():
        raise ValueError(f"kind must be an identifier such as 'gan'; got kind={kind!r}")
    return f"modecollapse.{kind}.checkpoint/{_CHECKPOINT_VERSION}"


#: Format tag of the GAN / PacGAN ensemble checkpoints (``checkpoint.pt`` of a run folder).
CHECKPOINT_FORMAT = checkpoint_format("gan")


class WriteError(OSError):
    """A file of a run could not be written (disk full, read-only, ...); the old file is intact.

    ``errno`` is the failing call's; ``str()`` is the message alone (no ``[Errno N]`` prefix).
    """

    def __str__(self) -> str:
        return str(self.strerror if self.strerror is not None else super().__str__())


class CorruptFileError(ValueError):
    """A checkpoint or results file whose stored checksum does not match its content."""


class RunFolderLockedError(RuntimeError):
    """Another process holds the run folder's lock."""


class RunInterrupted(Exception):
    """A run stopped by SIGINT/SIGTERM after saving what it could; ``str()`` says how to resume."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.signum = signum


class StopRequested(Exception):
    """Raised between training steps once :class:`SignalGuard` has seen a signal."""


class SignalGuard:
    """Turn SIGINT/SIGTERM into a flag (:attr:`signum`) that a training loop checks between steps.

    Installed only in the main thread (elsewhere signals keep their handlers); the previous
    handlers come back when the ``with`` block ends.
    """

    def __init__(self):
        self.signum = None
        self._old = {}

    def __enter__(self) -> "SignalGuard":
        import signal

        def handler(signum, frame):
            self.signum = signum

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._old[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):  # not the main thread
                pass
        return self

    def check(self) -> None:
        """Raise :class:`StopRequested` if a signal arrived."""
        if self.signum is not None:
            raise StopRequested

    @property
    def name(self) -> str:
        import signal

        return signal.Signals(self.signum).name if self.signum is not None else ""

    def __exit__(self, *exc) -> None:
        import signal

        for sig, old in self._old.items():
            signal.signal(sig, old)


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------- writing


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and ``fsync`` it (the one place that writes bytes to disk)."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _describe(exc: OSError) -> str:
    if exc.errno is not None and exc.strerror:
        return f"{exc.strerror} ({errno.errorcode.get(exc.errno, exc.errno)})"
    return str(exc) or type(exc).__name__


def atomic_write_bytes(path, data: bytes, *, keep_previous=None) -> Path:
    """Write ``data`` to ``path`` through ``<path>.tmp``, ``fsync`` and :func:`os.replace`.

    ``keep_previous`` (a path): once the new data is safely on disk, an existing ``path`` is moved
    there before the new file takes its place.

    Raises
    ------
    WriteError
        If any step fails; the temporary file is removed and an existing ``path`` is unchanged.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        _write_file(tmp, bytes(data))
        if keep_previous is not None and path.is_file():
            os.replace(path, keep_previous)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        kept = "the previous file is unchanged" if path.exists() else "nothing was written"
        raise WriteError(exc.errno, f"cannot write {path}: {_describe(exc)}; {kept}") from exc
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path, text: str) -> Path:
    """:func:`atomic_write_bytes` of ``text`` encoded as UTF-8."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path, obj, *, indent: int | None = 1, allow_nan: bool = True, mkdir: bool = False) -> Path:
    """Write ``obj`` as JSON atomically (``mkdir=True`` creates the parent folders first)."""
    path = Path(path)
    if mkdir:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(exc.errno, f"cannot create folder {path.parent}: {_describe(exc)}") from exc
    return atomic_write_text(path, json.dumps(obj, indent=indent, allow_nan=allow_nan))


def atomic_save_npz(path, **arrays) -> str:
    """``numpy.savez_compressed`` to ``path`` atomically; returns the SHA-256 of the bytes written."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    data = buf.getvalue()
    atomic_write_bytes(path, data)
    return sha256_hex(data)


_SHA_KEY = "sha256"


def jsonable(obj):
    """``obj`` with numpy scalars and arrays, tuples and paths turned into plain JSON values.

    Dict keys become strings; non-finite floats become the strings ``"inf"``, ``"-inf"``,
    ``"nan"`` (JSON has no such numbers), so a file written from the result is strict JSON.
    """
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else str(v)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _json_text(doc: dict, allow_nan: bool = True) -> str:
    return json.dumps(doc, indent=1, allow_nan=allow_nan)


def write_checked_json(path, doc: dict, *, allow_nan: bool = False) -> Path:
    """Write the JSON object ``doc`` atomically with the SHA-256 of its text as a last key ``sha256``.

    :func:`read_checked_json` recomputes it. ``doc`` must not already hold ``sha256``;
    ``allow_nan=False`` refuses NaN and infinities (``ValueError``).
    """
    if not isinstance(doc, dict) or _SHA_KEY in doc:
        raise ValueError(f"doc must be a dict without a {_SHA_KEY!r} key")
    digest = sha256_hex(_json_text(doc, allow_nan).encode("utf-8"))
    return atomic_write_text(path, _json_text({**doc, _SHA_KEY: digest}, allow_nan))


def read_checked_json(path, *, way_out: str = "") -> dict:
    """Read a file of :func:`write_checked_json` and verify its checksum (the key is removed).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CorruptFileError
        If the file is not JSON, lacks the checksum, or its checksum does not match; the message
        names the file and ``way_out``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    tail = f"; {way_out}" if way_out else ""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"{path} is corrupt: not valid JSON ({exc}){tail}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get(_SHA_KEY), str):
        raise CorruptFileError(f"{path} is corrupt or not written by modecollapse: it has no {_SHA_KEY} checksum{tail}")
    stored = doc.pop(_SHA_KEY)
    actual = sha256_hex(_json_text(doc).encode("utf-8"))
    if actual != stored:
        raise CorruptFileError(f"{path} is corrupt: its content does not match the checksum stored in it "
                               f"(sha256 {actual[:12]}... vs {stored[:12]}...){tail}")
    return doc


# ---------------------------------------------------------------------------------- run folder


def check_writable(out, *, name: str = "output folder") -> Path:
    """Create ``out`` (with parents) and prove it writable with one probe file; returns the path.

    Raises
    ------
    ValueError
        If ``out`` is empty or exists and is not a folder.
    PermissionError
        If the folder cannot be created, or written for lack of permission (read-only, ...).
    WriteError
        If the probe cannot be written for another reason (disk full, ...).
    """
    if not str(out).strip():
        raise ValueError(f"{name} must be a non-empty path; got {str(out)!r}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{name} {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PermissionError(f"cannot create {name} {out}: {_describe(exc)}") from exc
    probe = out / f".write-test-{os.getpid()}"
    try:
        _write_file(probe, b"")
        probe.unlink()
    except OSError as exc:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
        msg = f"{name} {out} is not writable: {_describe(exc)}"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise PermissionError(msg) from exc
        raise WriteError(exc.errno, msg) from exc
    return out


class RunFolderLock:
    """An advisory lock (``fcntl.flock``, exclusive, non-blocking) on a run folder.

    The lock is taken on the folder itself (no lock file is left behind) and held until
    :meth:`release` or the end of the ``with`` block; the operating system drops it when the
    process ends, so a killed run never leaves a stale lock. A second writer gets
    :class:`RunFolderLockedError`.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self._fd: int | None = None

    def acquire(self) -> "RunFolderLock":
        try:
            import fcntl
        except ImportError:  # not POSIX (Windows): no advisory locks; runs are not guarded
            return self
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunFolderLockedError(f"{self.folder} is in use by another run (its lock is held); wait for it "
                                           f"to finish or choose another --out") from None
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "RunFolderLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def environment(device=None) -> dict:
    """Where a result was computed: python, torch, numpy, platform, cores, threads, device.

    Torch fields are filled when torch is importable (it is imported here, not at module top).
    """
    rec = {"python": platform.python_version(), "numpy": np.__version__, "machine": platform.machine(),
           "platform": platform.platform(), "cpu_count": os.cpu_count()}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        rec = {"python": rec["python"], "torch": torch.__version__, **{k: v for k, v in rec.items() if k != "python"},
               "torch_threads": torch.get_num_threads()}
    if device is not None:
        rec["device"] = str(device)
        dev = torch.device(device) if torch is not None else None
        rec["device_name"] = torch.cuda.get_device_name(dev) if dev is not None and dev.type == "cuda" else "cpu"
    return rec


# --------------------------------------------------------------------------------- checkpoints


def capture_global_rng() -> dict:
    """Process-wide RNG states: torch CPU, all CUDA devices (if any), numpy's legacy generator."""
    import torch

    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "numpy": {"name": str(name), "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached": float(cached)},
    }


def restore_global_rng(state: dict) -> None:
    """Inverse of :func:`capture_global_rng` (CUDA states are restored only where CUDA is present)."""
    import torch

    torch.set_rng_state(state["torch"].cpu())
    if state.get("cuda") and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    n = state["numpy"]
    np.random.set_state((n["name"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))


def _torch_bytes(obj) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def save_checkpoint(path, *, spec: dict, state: dict, kind: str = "gan", extra: dict | None = None,
                    global_rng: bool = True, keep_previous: bool = False) -> Path:
    """Atomically write a checkpoint of run kind ``kind``.

    The file is one header line ``<format tag> sha256=<hex>`` followed by the ``torch.save`` bytes
    of the payload ``{"format", "spec_json", "state", "global_rng", "extra"}``; the checksum covers
    every byte after the header, and :func:`load_checkpoint` verifies it (one flipped byte anywhere
    is an error).

    Parameters
    ----------
    spec : dict
        The run specification (JSON-able); :func:`load_checkpoint` compares it key by key.
    state : dict
        Tensors and plain values (e.g. ``GanEnsemble.state_dict()``).
    extra : dict, optional
        Plain values (elapsed time, device).
    global_rng : bool
        Store the process-wide RNG states (:func:`capture_global_rng`).
    keep_previous : bool
        Once the new checkpoint is on disk, move an existing ``path`` to ``<stem>.prev<suffix>``
        (:func:`previous_checkpoint`), so a damaged newest checkpoint leaves the one before it.
    """
    path = Path(path)
    tag = checkpoint_format(kind)
    payload = {"format": tag, "spec_json": json.dumps(spec, sort_keys=True), "state": state,
               "global_rng": capture_global_rng() if global_rng else {}, "extra": extra or {}}
    body = _torch_bytes(payload)
    header = f"{tag} sha256={sha256_hex(body)}\n".encode("ascii")
    return atomic_write_bytes(path, header + body, keep_previous=previous_checkpoint(path) if keep_previous else None)


def previous_checkpoint(path) -> Path:
    """Where :func:`save_checkpoint` (``keep_previous=True``) keeps the checkpoint before ``path``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.prev{path.suffix}")


def spec_diff(expected: dict, stored: dict) -> list[str]:
    """Sorted keys whose values differ between two run specifications (missing counts as None)."""
    return sorted(k for k in set(expected) | set(stored) if expected.get(k) != stored.get(k))


def load_checkpoint(path, *, kind: str = "gan", expect_spec: dict | None = None, way_out: str = "") -> dict:
    """Load, verify and validate a checkpoint; returns the payload with ``spec`` decoded.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CorruptFileError
        If the stored checksum does not match the content (the message names the file and
        ``way_out``).
    ValueError
        If the file is not a readable checkpoint of this kind (corrupt, truncated, foreign), or
        if ``expect_spec`` is given and differs from the stored specification (the differing keys
        are named).
    """
    import torch

    path = Path(path)
    tail = f"; {way_out}" if way_out else ""
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    tag = checkpoint_format(kind)

    def read(src):
        try:
            return torch.load(src, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many types for a damaged zip/pickle
            first = (str(exc).strip().splitlines() or [""])[0][:160]
            raise CorruptFileError(f"checkpoint {path} is corrupt or not a checkpoint "
                                   f"({type(exc).__name__}: {first}){tail}") from exc

    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n")
    words = head.split(b" ")
    if not sep or len(words) != 2 or not words[1].startswith(b"sha256=") or not words[0].startswith(b"modecollapse."):
        # not our container: say what it is if torch can read it, else that it is corrupt
        other = read(io.BytesIO(raw))
        got = other.get("format") if isinstance(other, dict) else type(other).__name__
        raise ValueError(f"checkpoint {path} has format {got!r}; expected {tag!r} (a foreign or older file){tail}")
    got = words[0].decode("ascii", "replace")
    if sha256_hex(body) != words[1][len(b"sha256="):].decode("ascii", "replace"):
        raise CorruptFileError(f"checkpoint {path} is corrupt: its content does not match the sha256 stored in "
                               f"its header{tail}")
    if got != tag:
        raise ValueError(f"checkpoint {path} has format {got!r}; expected {tag!r} (another run kind's, an older "
                         f"or a damaged file){tail}")
    payload = read(io.BytesIO(body))
    try:
        if payload["format"] != tag:
            raise KeyError("format")
        payload["spec"] = json.loads(payload["spec_json"])
        payload["state"], payload["extra"]
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(f"checkpoint {path} is incomplete ({type(exc).__name__}: {exc}){tail}") from exc
    if expect_spec is not None:
        diff = spec_diff(expect_spec, payload["spec"])
        if diff:
            detail = "; ".join(f"{k}: checkpoint {payload['spec'].get(k)!r} vs requested {expect_spec.get(k)!r}"
                               for k in diff)
            raise ValueError(f"checkpoint {path} does not match the requested run ({detail})")
    return payload
