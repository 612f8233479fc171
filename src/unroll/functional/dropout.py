"""Inverted dropout: zero each unit with probability p and scale survivors by 1/(1-p), so the
expected activation is unchanged and evaluation needs no rescaling."""
from __future__ import annotations

import numpy as np


def dropout_forward(x: np.ndarray, p: float, rng: np.random.Generator, mask_shape=None):
    """x (...) -> (y (...), cache). mask_shape: shape of the mask, broadcast over x
    (e.g. (B, 1, H) drops the same units at every step: variational dropout). Default x.shape."""
    if p == 0.0:
        return x, None
    keep = (rng.random(mask_shape or x.shape) >= p).astype(x.dtype)
    keep /= 1.0 - p  # scale now, so forward and backward are one multiply each
    return x * keep, keep


def dropout_backward(dy: np.ndarray, cache):
    """dy (...) -> dx (...)."""
    return dy if cache is None else dy * cache
