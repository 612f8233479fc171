"""Nonlinearities, applied in place, and their derivatives written from the *output*, as BPTT
caches outputs:  tanh'(a) = 1 - tanh(a)^2,  relu'(a) = [relu(a) > 0],  sigmoid'(a) = s (1 - s).

Speed note: on this CPU NumPy's float32 exp costs about half as much per element as its tanh, and
SciPy's expit more than either, so the logistic is computed as 1 / (1 + exp(-a)).
"""
from __future__ import annotations

import numpy as np
from ..errors import InvalidValueError

__all__ = ["preactivation", "sigmoid_", "tanh_", "relu_", "identity_", "activation", "ACTIVATION_NAMES"]


def preactivation(gx: np.ndarray, h_prev: np.ndarray, w_hh: np.ndarray, b_hh) -> np.ndarray:
    """a = gx + h_prev W_hh^T + b_hh: gx (B, G*H), h_prev (B, H), w_hh (G*H, H), b_hh (G*H,) or None.

    Returns a fresh (B, G*H) buffer, which the cells then squash in place.
    """
    a = h_prev @ w_hh.T  # (B, G*H)
    a += gx
    if b_hh is not None:
        a += b_hh
    return a


def sigmoid_(a: np.ndarray) -> np.ndarray:
    """a <- 1 / (1 + exp(-a)), in place; returns a.

    Where a < -88 (float32) exp(-a) overflows to inf and 1 / (1 + inf) = 0, the right limit; the
    overflow flag is muted for this call only (cheaper than clamping the input, a pass over it).
    """
    with np.errstate(over="ignore"):
        np.negative(a, out=a)
        np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def tanh_(a: np.ndarray) -> np.ndarray:
    """a <- tanh(a), in place; returns a."""
    return np.tanh(a, out=a)


def relu_(a: np.ndarray) -> np.ndarray:
    """a <- max(a, 0), in place; returns a."""
    return np.maximum(a, 0.0, out=a)


def identity_(a: np.ndarray) -> np.ndarray:
    """a <- a (linear units, e.g. a linear reservoir); returns a."""
    return a


def _tanh_grad(y: np.ndarray) -> np.ndarray:
    return 1.0 - y * y


def _relu_grad(y: np.ndarray) -> np.ndarray:
    return (y > 0).astype(y.dtype)


def _identity_grad(y: np.ndarray) -> np.ndarray:
    return np.ones_like(y)


# The one table of activations by name: the cells (which accept 'tanh' and 'relu', as PyTorch's)
# and the ESN reservoir (which also offers 'identity') both read it.
_ACTIVATIONS = {"tanh": (tanh_, _tanh_grad), "relu": (relu_, _relu_grad), "identity": (identity_, _identity_grad)}
ACTIVATION_NAMES = tuple(_ACTIVATIONS)


def activation(name: str):
    """(f applied in place, f' from the output) for a name in ACTIVATION_NAMES."""
    if name not in _ACTIVATIONS:
        raise InvalidValueError(f"nonlinearity: expected one of {sorted(_ACTIVATIONS)}, got {name!r}")
    return _ACTIVATIONS[name]
