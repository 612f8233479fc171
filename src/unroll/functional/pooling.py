"""Pooling over time by lengths: a padded batch of sequences (B, T, H) -> one vector each (B, H).

    last:  y_b = x_b[L_b - 1]                    the last valid step (what a many-to-one model reads)
    mean:  y_b = (1 / L_b) sum_{t < L_b} x_b[t]
    max:   y_b = max_{t < L_b} x_b[t]            per unit; the gradient goes to the (first) argmax

Steps at t >= L_b are padding: they never reach y and get zero gradient. A sequence of length 0
pools to zeros (and passes no gradient). lengths None means every sequence is T long. Reading
`x[:, -1]` instead of `last` is wrong for a padded batch: it reads padding.
"""
from __future__ import annotations

import numpy as np

__all__ = ["last_step_forward", "last_step_backward", "mean_pool_forward", "mean_pool_backward",
           "max_pool_forward", "max_pool_backward"]


def _lengths(x: np.ndarray, lengths) -> np.ndarray:
    B, T = x.shape[:2]
    return np.full(B, T, dtype=np.int64) if lengths is None else lengths


def last_step_forward(x: np.ndarray, lengths=None):
    """x (B, T, H), lengths (B,) -> (y (B, H), cache)."""
    L = _lengths(x, lengths)
    valid = np.flatnonzero(L > 0)
    y = np.zeros((x.shape[0], x.shape[2]), dtype=x.dtype)  # (B, H); length 0 -> zeros
    y[valid] = x[valid, L[valid] - 1]
    return y, (x.shape, L)


def last_step_backward(dy: np.ndarray, cache) -> np.ndarray:
    """dy (B, H) -> dx (B, T, H), non-zero only at each sequence's last valid step."""
    shape, L = cache
    dx = np.zeros(shape, dtype=dy.dtype)
    valid = np.flatnonzero(L > 0)
    dx[valid, L[valid] - 1] = dy[valid]
    return dx


def mean_pool_forward(x: np.ndarray, lengths=None):
    """x (B, T, H), lengths (B,) -> (y (B, H), cache): the mean over each sequence's valid steps."""
    L = _lengths(x, lengths)
    mask = (np.arange(x.shape[1])[None, :] < L[:, None]).astype(x.dtype)  # (B, T)
    scale = (1.0 / np.maximum(L, 1)).astype(x.dtype)  # (B,); length 0: the sum is 0 anyway
    y = np.einsum("bth,bt->bh", x, mask) * scale[:, None]  # (B, H)
    return y, (mask, scale)


def mean_pool_backward(dy: np.ndarray, cache) -> np.ndarray:
    """dy (B, H) -> dx (B, T, H) = dy / L_b at valid steps, 0 at padding."""
    mask, scale = cache
    return (dy * scale[:, None])[:, None, :] * mask[:, :, None]  # (B, T, H)


def max_pool_forward(x: np.ndarray, lengths=None):
    """x (B, T, H), lengths (B,) -> (y (B, H), cache): the per-unit maximum over valid steps."""
    L = _lengths(x, lengths)
    B, T, H = x.shape
    valid = np.arange(T)[None, :] < L[:, None]  # (B, T)
    masked = np.where(valid[:, :, None], x, -np.inf)  # (B, T, H): padding never wins
    arg = masked.argmax(axis=1) if T else np.zeros((B, H), dtype=np.int64)  # (B, H)
    y = np.take_along_axis(x, arg[:, None, :], axis=1)[:, 0] if T else np.zeros((B, H), x.dtype)
    y = y * (L > 0)[:, None].astype(x.dtype)
    return y, (x.shape, arg, L)


def max_pool_backward(dy: np.ndarray, cache) -> np.ndarray:
    """dy (B, H) -> dx (B, T, H): each unit's gradient at its argmax step."""
    shape, arg, L = cache
    dx = np.zeros(shape, dtype=dy.dtype)
    if shape[1]:
        np.put_along_axis(dx, arg[:, None, :], (dy * (L > 0)[:, None])[:, None, :], axis=1)
    return dx
