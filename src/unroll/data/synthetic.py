"""Synthetic long-term-dependency tasks: adding, copy memory, temporal order, sine -> square wave.

Each generator takes a batch size, a length, and `rng`, and returns fresh arrays `(x, y)`:
inputs batch-first `(B, T, D)` (float, one-hot for symbols) and targets (floats for regression,
integer classes for classification). Each task states its *memoryless baseline*: the loss of the
best predictor that ignores the input, i.e. what a network reaches when it learns nothing that
spans time. A model has learnt the dependency only when it goes clearly below that number.

- Adding problem (Hochreiter & Schmidhuber 1997, task 4; in the form of Le et al. 2015):
  channel 0 holds values U[0, 1], channel 1 marks one step in each half; the target is the sum
  of the two marked values. Predicting the mean 1 gives MSE Var(u1 + u2) = 2/12 = 1/6.
- Copy memory (Arjovsky et al. 2016): 10 symbols from 8, T - 1 blanks, a delimiter, 10 blanks;
  the target is blanks then the 10 symbols. Blanks then a uniform guess give
  cross-entropy 10 ln 8 / (T + 20) per step.
- Temporal order (H&S 1997, task 6a): random distractors a-d with X or Y at one step in
  [0.1 T, 0.2 T] and one in [0.5 T, 0.6 T], B first and E last; the class is the order XX, XY,
  YX or YY. Baseline ln 4. (The paper draws the length in [100, 110]; here it is fixed at T so
  sequences batch without padding.)
- Sine -> square wave: input sin(2 pi f t + phase), target the square wave sign(...) with the
  same frequency and phase, one output per step. Predicting 0 gives MSE 1.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_dtype
from ..errors import InvalidValueError

__all__ = [
    "adding_problem", "adding_baseline", "copy_memory", "copy_baseline", "COPY_BLANK", "COPY_DELIMITER",
    "COPY_VOCAB", "temporal_order", "TEMPORAL_ORDER_SYMBOLS", "temporal_order_baseline",
    "sine_to_square", "sine_to_square_baseline",
]

COPY_BLANK, COPY_DELIMITER, COPY_VOCAB = 0, 9, 10  # symbols to copy are 1..8
TEMPORAL_ORDER_SYMBOLS = "abcdXYBE"  # one-hot index = position in this string; classes XX, XY, YX, YY


def _check_sizes(batch: int, steps: int, min_steps: int) -> None:
    if not isinstance(batch, (int, np.integer)) or batch < 1:
        raise InvalidValueError(f"batch: expected an int >= 1, got {batch!r}")
    if not isinstance(steps, (int, np.integer)) or steps < min_steps:
        raise InvalidValueError(f"T: expected an int >= {min_steps}, got {steps!r}")


def _one_hot(indices: np.ndarray, depth: int, dtype) -> np.ndarray:
    return (indices[..., None] == np.arange(depth)).astype(dtype)  # (..., depth)


def adding_problem(batch: int, T: int, rng=None, dtype=np.float32):
    """The adding problem.

    Returns x (B, T, 2): [:, :, 0] values U[0, 1], [:, :, 1] 1.0 at the two marked steps (one in
    [0, T//2), one in [T//2, T)), else 0; and y (B, 1), the sum of the two marked values.
    """
    _check_sizes(batch, T, 2)
    rng, dtype = as_rng(rng), check_dtype(dtype)
    values = rng.uniform(0.0, 1.0, size=(batch, T))  # (B, T)
    half = T // 2
    first = rng.integers(0, half, size=batch)  # (B,)
    second = rng.integers(half, T, size=batch)  # (B,)
    markers = np.zeros((batch, T))
    rows = np.arange(batch)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)  # (B, T, 2)
    y = (values[rows, first] + values[rows, second])[:, None].astype(dtype)  # (B, 1)
    return x, y


def adding_baseline() -> float:
    """MSE of always predicting 1 on the adding problem: Var(U1 + U2) = 1/6."""
    return 1.0 / 6.0


def copy_memory(batch: int, T: int, rng=None, dtype=np.float32, length: int = 10, n_symbols: int = 8):
    """The copy-memory task, sequences of T + 2 * length steps.

    Returns x (B, T + 2 length, 10) one-hot inputs and y (B, T + 2 length) int targets, with
    symbols 1..n_symbols, blank 0 and delimiter 9: x = s_1..s_length, T - 1 blanks, the delimiter,
    length blanks; y = T + length blanks, then s_1..s_length.
    """
    _check_sizes(batch, T, 1)
    if not 1 <= n_symbols <= COPY_DELIMITER - 1:
        raise InvalidValueError(f"n_symbols: expected 1..{COPY_DELIMITER - 1}, got {n_symbols}")
    rng, dtype = as_rng(rng), check_dtype(dtype)
    total = T + 2 * length
    symbols = rng.integers(1, n_symbols + 1, size=(batch, length))  # (B, length)
    inputs = np.full((batch, total), COPY_BLANK, dtype=np.int64)  # (B, T + 2 length)
    inputs[:, :length] = symbols
    inputs[:, T + length - 1] = COPY_DELIMITER
    targets = np.full((batch, total), COPY_BLANK, dtype=np.int64)
    targets[:, T + length:] = symbols
    return _one_hot(inputs, COPY_VOCAB, dtype), targets


def copy_baseline(T: int, length: int = 10, n_symbols: int = 8) -> float:
    """Cross-entropy per step of blanks then a uniform guess: length ln(n_symbols) / (T + 2 length)."""
    return length * np.log(n_symbols) / (T + 2 * length)


def temporal_order(batch: int, T: int, rng=None, dtype=np.float32):
    """The temporal order problem (2 relevant symbols, 4 classes).

    Returns x (B, T, 8) one-hot over TEMPORAL_ORDER_SYMBOLS and y (B,) ints in {0, 1, 2, 3}:
    2 * [first is Y] + [second is Y].
    """
    _check_sizes(batch, T, 10)
    rng, dtype = as_rng(rng), check_dtype(dtype)
    tokens = rng.integers(0, 4, size=(batch, T))  # (B, T), distractors a..d
    tokens[:, 0], tokens[:, -1] = 6, 7  # B, E
    first = rng.integers(int(0.1 * T), int(0.2 * T) + 1, size=batch)  # (B,)
    second = rng.integers(int(0.5 * T), int(0.6 * T) + 1, size=batch)  # (B,)
    which = rng.integers(0, 2, size=(batch, 2))  # (B, 2): 0 -> X, 1 -> Y
    rows = np.arange(batch)
    tokens[rows, first] = 4 + which[:, 0]
    tokens[rows, second] = 4 + which[:, 1]
    return _one_hot(tokens, len(TEMPORAL_ORDER_SYMBOLS), dtype), 2 * which[:, 0] + which[:, 1]


def temporal_order_baseline() -> float:
    """Cross-entropy of the uniform guess over 4 balanced classes: ln 4."""
    return float(np.log(4.0))


def sine_to_square(batch: int, T: int, rng=None, dtype=np.float32, periods: tuple = (10.0, 40.0)):
    """Sine in, square wave out, a period drawn per sequence from U[periods] (in steps).

    Returns x (B, T, 1) = sin(2 pi t / period + phase) and y (B, T, 1) = sign of it (+-1).
    """
    _check_sizes(batch, T, 1)
    rng, dtype = as_rng(rng), check_dtype(dtype)
    period = rng.uniform(*periods, size=(batch, 1))  # (B, 1)
    phase = rng.uniform(0.0, 2 * np.pi, size=(batch, 1))  # (B, 1)
    wave = np.sin(2 * np.pi * np.arange(T)[None, :] / period + phase)  # (B, T)
    square = np.where(wave >= 0.0, 1.0, -1.0)  # (B, T)
    return wave[..., None].astype(dtype), square[..., None].astype(dtype)


def sine_to_square_baseline() -> float:
    """MSE of always predicting 0 against a +-1 target: 1."""
    return 1.0
