"""Affine map over the last axis: y = x W^T + b, for any number of leading axes."""
from __future__ import annotations

import numpy as np


def linear_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None):
    """x (..., D), weight (O, D), bias (O,) or None -> y (..., O), cache.

    Leading axes are flattened into one GEMM: NumPy runs a 3-D `x @ W.T` as a loop of small products
    (measured 60x slower at (32, 100, 64) x (64, 512), 7x at (64, 20, 512) x (512, 13342)).
    """
    y = (x.reshape(-1, x.shape[-1]) @ weight.T).reshape(x.shape[:-1] + (weight.shape[0],))  # (..., O)
    if bias is not None:
        y += bias
    return y, (x, weight, bias is not None)


def linear_backward(dy: np.ndarray, cache, need_dx: bool = True):
    """dy (..., O) -> dx (..., D) (None if not need_dx), dweight (O, D), dbias (O,) or None.

    Leading axes are flattened so each weight gradient is a single GEMM.
    """
    x, weight, has_bias = cache
    dy2 = dy.reshape(-1, dy.shape[-1])  # (N, O)
    dweight = dy2.T @ x.reshape(-1, x.shape[-1])  # (O, D)
    dbias = dy2.sum(axis=0) if has_bias else None  # (O,)
    dx = (dy2 @ weight).reshape(dy.shape[:-1] + (weight.shape[1],)) if need_dx else None  # (..., D)
    return dx, dweight, dbias
