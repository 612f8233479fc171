"""Finite-difference gradient checking, public so users can check their own cells.

    from unroll import gradcheck
    errors = gradcheck(loss_fn, {"w": w, "x": x}, {"w": dw, "x": dx})   # {"w": 3e-11, "x": 5e-11}

Central differences, (f(x + eps) - f(x - eps)) / 2 eps, have error O(eps^2); in float64 with
eps = 1e-6 a correct analytic gradient agrees to a relative error near 1e-9 or better.
"""
from __future__ import annotations

import numpy as np
from .errors import InvalidValueError, InvalidTypeError


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6, indices=None) -> np.ndarray:
    """dF/dx by central differences. f() -> float reads x, which is perturbed in place and restored.

    indices: flat indices of x to perturb (None: all); the others are left 0 in the result, which
    has x's shape. A sample of entries checks a model too large to perturb everywhere."""
    grad = np.zeros_like(x)
    for i in range(x.size) if indices is None else indices:
        old = x.flat[i]
        x.flat[i] = old + eps
        f_plus = f()
        x.flat[i] = old - eps
        f_minus = f()
        x.flat[i] = old
        grad.flat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), and 0 when both are zero."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradcheck(f, arrays: dict, grads: dict, eps: float = 1e-6) -> dict:
    """Compare analytic gradients with numerical ones.

    f: () -> float, the loss, reading the arrays in `arrays` (name -> float64 array, perturbed in place).
    grads: name -> analytic dL/d(array), same shapes.
    Returns name -> relative error.
    """
    errors = {}
    for name, x in arrays.items():
        if x.dtype != np.float64:
            raise InvalidTypeError(f"gradcheck {name}: expected float64 (finite differences need it), got {x.dtype}")
        if grads[name].shape != x.shape:
            raise InvalidValueError(f"gradcheck {name}: expected gradient shape {x.shape}, got {grads[name].shape}")
        errors[name] = relative_error(grads[name], numerical_gradient(f, x, eps))
    return errors
