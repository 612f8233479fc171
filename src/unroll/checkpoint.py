"""Atomic checkpoints: a directory holding `model.safetensors` and `config.json`, never pickle.

    runs/char_lm/ckpt/
        model.safetensors   tensors: weights under PyTorch's key names (`weight_ih_l0`, ...) and,
                            by convention, optimizer slots as `optim.<param name>.<slot>`
        config.json         meta: config, vocabulary, optimizer scalars, step, RNG state ...,
                            plus `_checkpoint` = {format_version, sha256 of model.safetensors}

Why the pair cannot be torn: a save writes both files into a fresh staging directory next to
the target (`.ckpt.tmp-XXXX/`), each file first to a temporary name then `os.replace`d and
fsynced; only a complete staging directory is swapped in, by two renames (old -> `.ckpt.old`,
staging -> `ckpt`), and the old one is deleted last. An interruption at any point leaves either
the previous checkpoint or the new one complete on disk: `load_checkpoint` falls back to
`.ckpt.old` when the crash fell between the two renames. The hash in config.json ties the two
files together, so a weights file from another save is detected rather than silently loaded.

RNG state: store `rng.bit_generator.state` (a JSON-serialisable dict for the default PCG64) in
meta and rebuild the generator with `restore_rng`, and draws continue exactly where they left off.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from safetensors.numpy import load as _safetensors_load
from safetensors.numpy import save as _safetensors_save
from .errors import InvalidValueError, InvalidTypeError

__all__ = ["save_checkpoint", "load_checkpoint", "restore_rng", "WEIGHTS_FILE", "CONFIG_FILE"]

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
FORMAT_VERSION = 1
_RESERVED = "_checkpoint"  # key of config.json that belongs to this module, not to meta


def save_checkpoint(directory, tensors: dict, meta: dict) -> None:
    """Write a checkpoint directory atomically, replacing any previous one only once complete.

    directory: str or PathLike, the checkpoint directory (its parent must exist).
    tensors: dict str -> np.ndarray of any shape and any dtype safetensors stores (floats, ints,
        bool); non-contiguous arrays are copied.
    meta: dict str -> JSON-serialisable values (no key "_checkpoint"); numpy scalars must be
        converted to Python numbers first, so that what is loaded is what was meant.
    """
    directory = Path(directory)
    weights = _serialise_tensors(tensors)
    if not isinstance(meta, dict) or _RESERVED in meta:
        raise InvalidValueError(f"meta: expected a dict without the key {_RESERVED!r}, got {_describe(meta)}")
    config = {**meta, _RESERVED: {"format_version": FORMAT_VERSION, "sha256": hashlib.sha256(weights).hexdigest()}}
    try:
        config_bytes = json.dumps(config, indent=2).encode()
    except TypeError as err:  # json names the offending type, not the key: add where to look
        raise InvalidTypeError(f"meta: expected JSON-serialisable values (lists, dicts, str, int, float, bool), {err}") from None
    if not directory.parent.is_dir():
        raise FileNotFoundError(f"checkpoint: expected an existing parent directory {directory.parent}, found none")

    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    backup = _backup_path(directory)
    try:
        _write_atomic(staging / WEIGHTS_FILE, weights)
        _write_atomic(staging / CONFIG_FILE, config_bytes)
        if directory.exists():
            if backup.exists():  # left by an older interrupted save; directory itself is complete
                shutil.rmtree(backup)
            os.replace(directory, backup)
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if backup.is_dir() and not directory.exists():
            try:  # put the previous checkpoint back; if even this fails, load falls back to it
                os.replace(backup, directory)
            except OSError:
                pass
        raise
    _fsync_directory(directory.parent)
    shutil.rmtree(backup, ignore_errors=True)


def load_checkpoint(directory) -> tuple[dict, dict]:
    """Read a checkpoint written by `save_checkpoint`.

    directory: str or PathLike. Returns (tensors: dict str -> np.ndarray, meta: dict).
    Raises FileNotFoundError when no checkpoint is there and ValueError when a file is corrupt
    or the two files do not belong to the same save, naming what was expected and found.
    """
    directory = Path(directory)
    if not directory.is_dir() and _backup_path(directory).is_dir():
        directory = _backup_path(directory)  # a save was interrupted between its two renames
    if not directory.is_dir():
        raise FileNotFoundError(f"checkpoint: expected a directory {directory} with {WEIGHTS_FILE} "
                                f"and {CONFIG_FILE}, found {'a file' if directory.exists() else 'nothing'}")
    missing = [f for f in (WEIGHTS_FILE, CONFIG_FILE) if not (directory / f).is_file()]
    if missing:
        found = sorted(p.name for p in directory.iterdir())
        raise FileNotFoundError(f"checkpoint {directory}: expected {WEIGHTS_FILE} and {CONFIG_FILE}, "
                                f"missing {missing}, found {found}")

    try:
        config = json.loads((directory / CONFIG_FILE).read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidValueError(f"checkpoint {directory}: {CONFIG_FILE} is not valid JSON ({err})") from None
    header = config.pop(_RESERVED, None) if isinstance(config, dict) else None
    if not isinstance(header, dict) or header.get("format_version") != FORMAT_VERSION:
        raise InvalidValueError(f"checkpoint {directory}: expected {CONFIG_FILE} with a {_RESERVED!r} entry of "
                                f"format_version {FORMAT_VERSION}, found {header!r}")

    weights = (directory / WEIGHTS_FILE).read_bytes()
    digest = hashlib.sha256(weights).hexdigest()
    if digest != header.get("sha256"):
        raise InvalidValueError(f"checkpoint {directory}: {WEIGHTS_FILE} does not match {CONFIG_FILE} "
                                f"(expected sha256 {header.get('sha256')}, found {digest}): corrupt or from another save")
    return _safetensors_load(weights), config


def restore_rng(state: dict) -> np.random.Generator:
    """Rebuild a Generator from `rng.bit_generator.state` (e.g. as read back from config.json).

    state: dict with "bit_generator" naming a numpy BitGenerator class ("PCG64", ...) and its state.
    """
    name = state.get("bit_generator") if isinstance(state, dict) else None
    cls = getattr(np.random, name, None) if isinstance(name, str) else None
    if not (isinstance(cls, type) and issubclass(cls, np.random.BitGenerator)):
        raise InvalidValueError(f"rng state: expected a dict with 'bit_generator' naming a numpy BitGenerator, got {name!r}")
    bit_generator = cls()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _serialise_tensors(tensors: dict) -> bytes:
    if not isinstance(tensors, dict):
        raise InvalidTypeError(f"tensors: expected a dict str -> ndarray, got {_describe(tensors)}")
    for name, t in tensors.items():
        if not isinstance(name, str) or not name:
            raise InvalidTypeError(f"tensors: expected non-empty str keys, got {name!r}")
        if not isinstance(t, np.ndarray):
            raise InvalidTypeError(f"tensors[{name!r}]: expected a numpy array, got {_describe(t)}")
    return _safetensors_save({name: np.ascontiguousarray(t) for name, t in tensors.items()})


def _write_atomic(path: Path, data: bytes) -> None:
    """Write data to path via a temporary file in the same directory, fsynced, then renamed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fsync_directory(path: Path) -> None:
    """Make renames inside path durable (POSIX; other systems offer no directory fsync)."""
    if os.name == "posix":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _backup_path(directory: Path) -> Path:
    return directory.parent / f".{directory.name}.old"


def _describe(x) -> str:
    return f"dict with keys {sorted(map(str, x))}" if isinstance(x, dict) else type(x).__name__
