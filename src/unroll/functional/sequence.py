"""Helpers for padded, variable-length batches (batch-first)."""
from __future__ import annotations

import numpy as np


def lengths_to_mask(lengths: np.ndarray, steps: int) -> np.ndarray:
    """lengths (B,) -> mask (B, T) bool, True on each sequence's valid prefix."""
    return np.arange(steps)[None, :] < np.asarray(lengths)[:, None]


def reverse_padded(x: np.ndarray, lengths: np.ndarray | None) -> np.ndarray:
    """Flip each sequence's valid prefix in time; padding stays where it is.

    x (B, T, ...), lengths (B,) or None (all T). The map is its own inverse, so the same call
    un-reverses outputs and reverses gradients.
    """
    if lengths is None:
        return x[:, ::-1]
    B, T = x.shape[:2]
    t = np.arange(T)[None, :]  # (1, T)
    lengths = np.asarray(lengths)[:, None]  # (B, 1)
    index = np.where(t < lengths, lengths - 1 - t, t)  # (B, T)
    return x[np.arange(B)[:, None], index]
