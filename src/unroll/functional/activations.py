"""Nonlinearities and their derivatives written from the *output*, as BPTT caches outputs.

tanh'(a) = 1 - tanh(a)^2, relu'(a) = [a > 0] = [relu(a) > 0], sigmoid'(a) = s (1 - s).
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid  # overflow-safe logistic, a fast ufunc

__all__ = ["sigmoid", "ACTIVATIONS", "activation"]


def _tanh_grad(y: np.ndarray) -> np.ndarray:
    return 1.0 - y * y


# Both act in place: callers pass a fresh pre-activation buffer they no longer need.
def _tanh(a: np.ndarray) -> np.ndarray:
    return np.tanh(a, out=a)


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0.0, out=a)


def _relu_grad(y: np.ndarray) -> np.ndarray:
    return (y > 0).astype(y.dtype)


ACTIVATIONS = {"tanh": (_tanh, _tanh_grad), "relu": (_relu, _relu_grad)}


def activation(name: str):
    """(f applied in place, f' from the output) for 'tanh' or 'relu'."""
    if name not in ACTIVATIONS:
        raise ValueError(f"nonlinearity: expected one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]
